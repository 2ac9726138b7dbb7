use crate::chrome::Chrome;
use crate::layout::page;
use maud::{Markup, html};

pub struct CommunityCard {
    pub slug: String,
    pub name: String,
    pub is_village: bool,
}

pub fn home(c: &Chrome, communities: &[CommunityCard]) -> Markup {
    page(
        c,
        c.t("首页", "Start"),
        html! {
            h1 { (c.t("议事茶馆", "Teahouse")) }
            p.lead { (c.t(
                "居民提议、商量、表决；居委会、村委会公开事务；监督委员会逐项核对。",
                "Residents propose, deliberate and vote; committees disclose; supervisors check.")) }
            h2 { (c.t("社区和村", "Communities and villages")) }
            @if communities.is_empty() {
                p.empty { (c.t("还没有社区。运维人员登录后可以创建。", "No community yet. An operator can create one after logging in.")) }
            } @else {
                ul.cards {
                    @for com in communities {
                        li.card {
                            a href={"/c/" (com.slug)} { (com.name) }
                            " "
                            span.tag { (if com.is_village { c.t("村", "village") } else { c.t("小区", "compound") }) }
                        }
                    }
                }
            }
        },
    )
}

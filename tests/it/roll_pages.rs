//! The roll's list over HTTP: 50 residents a page, the pages together list
//! everyone once, the page links keep the filters; the building filter (a
//! compound) and the villager group filter (a village); a filter nobody
//! matches says so; a bad page number, a page past the end and an unknown
//! building are told in words with their status.

use crate::common::*;
use reqwest::StatusCode;

/// The residents a page lists, by id, in order.
fn ids(body: &str, slug: &str) -> Vec<i64> {
    let pat = format!("href=\"/c/{slug}/roll/residents/");
    body.match_indices(&pat)
        .filter_map(|(i, _)| {
            let rest = &body[i + pat.len()..];
            let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
            n.parse().ok()
        })
        .collect()
}

/// The dwellings (3-2-501) or households a page lists, in order: the
/// second cell of each row.
fn places(body: &str) -> Vec<String> {
    body.split("<tr")
        .skip(2)
        .filter_map(|row| {
            let cell = row.split("<td>").nth(2)?;
            Some(cell.split('<').next()?.to_string())
        })
        .collect()
}

fn count(s: &Server, sql: &str, p: impl rusqlite::Params) -> i64 {
    s.sql().query_row(sql, p, |r| r.get(0)).unwrap()
}

#[tokio::test]
async fn fifty_a_page_and_the_pages_list_everyone_once() {
    let s = Server::start().await;
    let mut c = s.client();
    c.login(COMMITTEE.0, COMMITTEE.1).await;
    let total = count(
        &s,
        "SELECT count(*) FROM residents r JOIN communities c ON c.id = r.community_id
         WHERE c.slug = 'wutong' AND r.active = 1",
        [],
    );
    let pages = (total as usize).div_ceil(50);
    assert!(pages >= 3, "the demo compound fills {pages} page(s)");
    let first = c.get("/c/wutong/roll").await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.has(&format!(
        "共 <strong>{total}</strong> 人，第 1 / {pages} 页"
    )));
    assert!(first.has("href=\"/c/wutong/roll?page=2\""));
    assert!(first.has("role=\"region\" tabindex=\"0\" aria-labelledby=\"roll-caption\""));
    let mut seen = Vec::new();
    for p in 1..=pages {
        let r = c.get(&format!("/c/wutong/roll?page={p}")).await;
        assert_eq!(r.status, StatusCode::OK, "page {p}");
        let on = ids(&r.body, "wutong");
        let want = if p < pages {
            50
        } else {
            total as usize - 50 * (pages - 1)
        };
        assert_eq!(on.len(), want, "page {p}");
        seen.extend(on);
    }
    let n = seen.len();
    seen.sort();
    seen.dedup();
    assert_eq!((n, seen.len()), (total as usize, total as usize));
}

#[tokio::test]
async fn a_building_lists_its_own_and_its_pages_keep_it() {
    let s = Server::start().await;
    let mut c = s.client();
    c.login(COMMITTEE.0, COMMITTEE.1).await;
    let (b, number): (i64, String) = s
        .sql()
        .query_row(
            "SELECT b.id, b.number FROM buildings b JOIN communities c ON c.id = b.community_id
             WHERE c.slug = 'wutong' ORDER BY b.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let total = count(
        &s,
        "SELECT count(*) FROM residents r JOIN households h ON h.id = r.household_id
         JOIN dwellings d ON d.id = h.dwelling_id JOIN units u ON u.id = d.unit_id
         WHERE u.building_id = ?1 AND r.active = 1",
        [b],
    );
    assert!(total > 0);
    let r = c.get(&format!("/c/wutong/roll?building={b}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.has(&format!("<option value=\"{b}\" selected>{number}</option>")));
    assert!(r.has(&format!("共 <strong>{total}</strong> 人")));
    let listed = places(&r.body);
    assert_eq!(listed.len(), ids(&r.body, "wutong").len());
    assert!(
        listed.iter().all(|p| p.starts_with(&format!("{number}-"))),
        "{listed:?}"
    );
    if total > 50 {
        assert!(r.has(&format!("href=\"/c/wutong/roll?page=2&amp;building={b}\"")));
    }
    // A grid this building is not in, and a search for nobody: said in words.
    let other_zone: i64 = count(
        &s,
        "SELECT z.id FROM zones z JOIN communities c ON c.id = z.community_id WHERE c.slug = 'wutong'
         AND z.id NOT IN (SELECT zone_id FROM households WHERE building_id = ?1) LIMIT 1",
        [b],
    );
    for q in [
        format!("/c/wutong/roll?building={b}&zone={other_zone}"),
        "/c/wutong/roll?q=%E6%B2%A1%E6%9C%89%E8%BF%99%E4%B8%AA%E4%BA%BA".to_string(),
    ] {
        let r = c.get(&q).await;
        assert_eq!(r.status, StatusCode::OK, "{q}");
        assert!(r.has("没有符合条件的居民。"), "{q}");
        assert!(r.has("href=\"/c/wutong/roll\">看全部居民</a>"), "{q}");
        assert!(ids(&r.body, "wutong").is_empty(), "{q}");
    }
}

#[tokio::test]
async fn a_village_filters_by_villager_group() {
    let s = Server::start().await;
    let mut c = s.client();
    c.login(VILLAGE_COMMITTEE.0, VILLAGE_COMMITTEE.1).await;
    let (zone, name): (i64, String) = s
        .sql()
        .query_row(
            "SELECT z.id, z.name FROM zones z JOIN communities c ON c.id = z.community_id
             WHERE c.slug = 'xingfu' ORDER BY z.id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let total = count(
        &s,
        "SELECT count(*) FROM residents r JOIN households h ON h.id = r.household_id
         WHERE h.zone_id = ?1 AND r.active = 1",
        [zone],
    );
    let r = c.get(&format!("/c/xingfu/roll?zone={zone}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.has("<label for=\"f-zone\">村民小组</label>"));
    assert!(
        !r.has("f-building"),
        "a village without buildings offers none"
    );
    assert!(r.has(&format!(
        "<option value=\"{zone}\" selected>{name}</option>"
    )));
    assert!(r.has(&format!("共 <strong>{total}</strong> 人")));
    let listed = ids(&r.body, "xingfu");
    assert_eq!(listed.len(), (total as usize).min(50));
    let in_zone = count(
        &s,
        &format!(
            "SELECT count(*) FROM residents r JOIN households h ON h.id = r.household_id
             WHERE h.zone_id = ?1 AND r.id IN ({})",
            listed
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",")
        ),
        [zone],
    );
    assert_eq!(in_zone as usize, listed.len());
}

#[tokio::test]
async fn bad_page_numbers_and_unknown_buildings_are_told() {
    let s = Server::start().await;
    let mut c = s.client();
    c.login(COMMITTEE.0, COMMITTEE.1).await;
    for bad in ["abc", "0", "-3", "2.5"] {
        let r = c.get(&format!("/c/wutong/roll?page={bad}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(
            r.has(&format!("页码“{bad}”无效：请用从 1 开始的整数")),
            "{bad}"
        );
        assert!(
            r.has("href=\"/c/wutong/roll?page=1\">回到第 1 页</a>"),
            "{bad}"
        );
        assert!(ids(&r.body, "wutong").is_empty());
    }
    let r = c.get("/c/wutong/roll?page=999").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.has("没有第 999 页"));
    assert!(r.has("最后一页"));
    let r = c.get("/c/wutong/roll?building=99999").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.has("楼栋：没有这一项，请从列表中选择"));
    // In English the page reads in English, the message English first.
    c.post("/prefs", &[("lang", "en"), ("next", "/")]).await;
    let r = c.get("/c/wutong/roll?page=abc").await;
    assert!(r.has(
        "<span lang=\"en\">page &quot;abc&quot; is not valid: use a whole number from 1</span>"
    ));
    assert!(r.has(">Go to page 1</a>") && !r.has("回到第 1 页"));
}

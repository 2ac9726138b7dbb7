//! Share cards: Open Graph tags with absolute links and a served image.

use crate::common::*;

/// The content of a page's `<meta property="…">`.
fn meta<'a>(html: &'a str, property: &str) -> &'a str {
    let key = format!(r#"property="{property}" content=""#);
    let at = html.find(&key).unwrap_or_else(|| panic!("no {property}")) + key.len();
    &html[at..at + html[at..].find('"').unwrap()]
}

/// Share cards: every public page has og:title, og:description, an absolute
/// og:url (from the Host header, or from the configured public address) and
/// an og:image that the binary serves as a PNG.
#[tokio::test]
async fn public_pages_carry_a_share_card_with_an_absolute_url_and_an_image() {
    let s = Server::start().await;
    let mut anon = s.client();
    let vote: i64 = s
        .sql()
        .query_row(
            "SELECT v.id FROM votes v JOIN communities c ON c.id = v.community_id
             WHERE c.slug = 'wutong' AND v.status != 'draft' ORDER BY v.id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let vote_page = format!("/c/wutong/votes/{vote}");
    let mut image = String::new();
    for path in ["/", "/c/wutong", "/c/xingfu", vote_page.as_str(), "/login"] {
        let r = anon.get(path).await;
        assert_eq!(r.status, 200, "{path}");
        assert!(!meta(&r.body, "og:title").is_empty(), "{path}");
        assert!(!meta(&r.body, "og:description").is_empty(), "{path}");
        assert_eq!(meta(&r.body, "og:url"), format!("{}{path}", s.base));
        image = meta(&r.body, "og:image").to_string();
        assert!(image.starts_with(&format!("{}/static/", s.base)), "{image}");
    }
    let png = reqwest::get(&image).await.unwrap();
    assert_eq!(png.status(), 200);
    assert_eq!(png.headers()["content-type"], "image/png");
    let bytes = png.bytes().await.unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert!(width >= 200 && height >= 200, "{width}x{height}");
    s.stop().await;

    // Behind a proxy with a public address, the links are to that address.
    let s =
        Server::start_with(|c| c.public_url = Some("https://teahouse.example.cn/".into())).await;
    let r = s.client().get("/c/wutong").await;
    assert_eq!(
        meta(&r.body, "og:url"),
        "https://teahouse.example.cn/c/wutong"
    );
    assert!(meta(&r.body, "og:image").starts_with("https://teahouse.example.cn/static/card-"));
    s.stop().await;
}

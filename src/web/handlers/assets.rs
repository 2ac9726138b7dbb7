//! The static assets compiled into the binary, at content-hashed paths, so
//! they can be cached forever.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use teahouse_views::assets;

pub async fn serve(Path(file): Path<String>) -> Response {
    let path = format!("/static/{file}");
    let (body, ct): (&'static [u8], &str) = if path == assets::HTMX_PATH {
        (assets::HTMX, "text/javascript; charset=utf-8")
    } else if path == assets::CSS_PATH {
        (assets::CSS, "text/css; charset=utf-8")
    } else if path == assets::PRINT_CSS_PATH {
        (assets::PRINT_CSS, "text/css; charset=utf-8")
    } else if path == assets::CARD_PATH {
        (assets::CARD, "image/png")
    } else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    (
        [
            (header::CONTENT_TYPE, ct),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        body,
    )
        .into_response()
}

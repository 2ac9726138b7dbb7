//! How an `Error` reaches a person: a status and a page that says, in the
//! reader's language, what went wrong. Database details are logged, never shown.

use crate::error::Error;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use teahouse_views::{Chrome, Msg, pages::error::error_page};

impl Error {
    pub fn status(&self) -> StatusCode {
        match self {
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::LoginRequired => StatusCode::UNAUTHORIZED,
            Error::Forbidden => StatusCode::FORBIDDEN,
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            Error::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Error::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Error::Db(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn message(&self) -> Msg {
        match self {
            Error::NotFound => Msg::new(
                "没有这个页面，或者它已经不在了。",
                "There is no such page, or it is gone.",
            ),
            Error::LoginRequired => Msg::new("请先登录。", "Please log in first."),
            Error::Forbidden => Msg::new(
                "您的账户没有权限做这件事。",
                "Your account may not do this.",
            ),
            Error::BadRequest(m) | Error::Invalid(m) | Error::Conflict(m) | Error::TooMany(m) => {
                m.clone()
            }
            Error::TooLarge => Msg::new(
                "提交的内容太大：表单最大 256 KB，上传的文件最大 20 MB。什么都没有保存。",
                "What you sent is too large: a form takes 256 KB at most, an uploaded file 20 MB. Nothing was saved.",
            ),
            Error::Busy => Msg::new(
                "服务器正忙：同时处理的文件太多。什么都没有保存，请过一分钟再试。",
                "The server is busy with other files. Nothing was saved; please try again in a minute.",
            ),
            Error::Db(_) | Error::Internal(_) => Msg::new(
                "服务器出了问题，您的操作没有保存。请稍后再试；如果一直这样，请告诉您的居委会或村委会。",
                "The server had a problem and nothing was saved. Please try again later, or tell your committee if it persists.",
            ),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let m = self.message();
        let page = error_page(&Chrome::default(), status.as_u16(), &m);
        let mut resp = if status == StatusCode::SERVICE_UNAVAILABLE {
            (status, [(axum::http::header::RETRY_AFTER, "60")], page).into_response()
        } else {
            (status, page).into_response()
        };
        // The request middleware renders it again in the reader's header.
        resp.extensions_mut().insert(super::refusal::Refused(m));
        resp
    }
}

/// What a request whose handler panicked is answered (the panic is logged;
/// a write in progress was rolled back by the writer).
pub fn panic_response(p: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = p
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(panic = %what, "a request handler panicked");
    crate::error::Error::Internal(what).into_response()
}

/// The 429 of the login rate limit (tower_governor), as an `Error` answer so
/// that the request middleware renders it in the reader's language and header.
pub fn too_many_requests() -> Response {
    let mut r = Error::TooMany(Msg::new(
        "尝试太频繁，请等一分钟再试。",
        "Too many attempts from this address. Please wait a minute and try again.",
    ))
    .into_response();
    r.headers_mut().insert(
        axum::http::header::RETRY_AFTER,
        axum::http::HeaderValue::from_static("60"),
    );
    r
}

/// What a refusal made before or around a handler says (axum and tower-http
/// answer a body over its limit, a form that does not parse, a wrong method
/// or a timeout in English plain text, or with no body): `refusal::Localize`
/// renders it in the reader's language, keeping the status.
pub fn before_handler(status: StatusCode) -> Msg {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => Error::TooLarge.message(),
        // A file that is not there (the static files' plain 404).
        StatusCode::NOT_FOUND => Error::NotFound.message(),
        // axum's Path and Query refuse an address part that does not parse.
        StatusCode::BAD_REQUEST => Msg::new(
            "这个地址有一部分格式不对（比如编号不是数字）。请从本站的页面上点进来。",
            "Part of this address has the wrong format (a number that is not one, say). Follow a link on this site instead.",
        ),
        StatusCode::REQUEST_TIMEOUT => Msg::new(
            "处理时间太长，已经停止，什么都没有保存。请稍后再试；大文件请分开上传。",
            "This took too long and was stopped; nothing was saved. Please try again later, or upload a large file in parts.",
        ),
        StatusCode::METHOD_NOT_ALLOWED => Msg::new(
            "这个地址不接受这种请求。",
            "This address does not take this kind of request.",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => Msg::new(
            "提交的格式不对，请从本站页面上的表单提交。什么都没有保存。",
            "The request is not in a form this page takes; submit the form on this site's page. Nothing was saved.",
        ),
        _ => Msg::new(
            "表单内容无法读取（有一项的格式不对）。请返回上一页检查后再提交。什么都没有保存。",
            "The form could not be read (a field has the wrong format). Go back, check it and submit again. Nothing was saved.",
        ),
    }
}

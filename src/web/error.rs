//! How an `Error` reaches a person: a status and a page that says, in
//! Chinese and English, what went wrong. Database details are logged, never shown.

use crate::error::Error;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use teahouse_views::{Bi, Chrome, pages::error::error_page};

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
            Error::Db(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn message(&self) -> Bi {
        match self {
            Error::NotFound => Bi::new(
                "没有这个页面，或者它已经不在了。",
                "There is no such page, or it is gone.",
            ),
            Error::LoginRequired => Bi::new("请先登录。", "Please log in first."),
            Error::Forbidden => Bi::new(
                "您的账户没有权限做这件事。",
                "Your account may not do this.",
            ),
            Error::BadRequest(m) | Error::Invalid(m) | Error::Conflict(m) | Error::TooMany(m) => {
                Bi::new(m.zh.clone(), m.en.clone())
            }
            Error::Db(_) | Error::Internal(_) => Bi::new(
                "服务器出了问题，您的操作没有保存。请稍后再试；如果一直这样，请联系居委会。",
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
        let page = error_page(&Chrome::default(), status.as_u16(), &self.message());
        (status, page).into_response()
    }
}

pub fn bi(m: &crate::domain::Msg) -> Bi {
    Bi::new(m.zh.clone(), m.en.clone())
}

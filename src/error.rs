//! The one error type of the application. Each variant says what the person
//! gets: `web::error` maps it to an HTTP status and a page, never leaking
//! database details.

use crate::domain::Msg;

#[derive(Debug)]
pub enum Error {
    /// 404: nothing here (or nothing you may know exists).
    NotFound,
    /// 303 to the login page (GET) or 401.
    LoginRequired,
    /// 403: logged in, but this role may not do this.
    Forbidden,
    /// 400: the request itself is malformed (bad CSRF token, bad origin...).
    BadRequest(Msg),
    /// 422: the input was understood but refused; the message says why.
    Invalid(Msg),
    /// 409: conflicts with the current state (a code already used...).
    Conflict(Msg),
    /// 429: slow down.
    TooMany(Msg),
    /// 503: too many heavy jobs at once; nothing was done, try again.
    Busy,
    /// 413: the body is over the route's limit.
    TooLarge,
    /// 500: a database failure; logged, not shown.
    Db(rusqlite::Error),
    /// 500: anything else unexpected; logged, not shown.
    Internal(String),
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        match e {
            rusqlite::Error::QueryReturnedNoRows => Error::NotFound,
            e => Error::Db(e),
        }
    }
}

impl From<rusqlite_migration::Error> for Error {
    fn from(e: rusqlite_migration::Error) -> Self {
        Error::Internal(format!("migration failed: {e}"))
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::NotFound => write!(f, "not found"),
            Error::LoginRequired => write!(f, "login required"),
            Error::Forbidden => write!(f, "forbidden"),
            Error::BadRequest(m) | Error::Invalid(m) | Error::Conflict(m) | Error::TooMany(m) => {
                write!(f, "{m}")
            }
            Error::Busy => write!(f, "busy"),
            Error::TooLarge => write!(f, "too large"),
            Error::Db(e) => write!(f, "database: {e}"),
            Error::Internal(s) => write!(f, "{s}"),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;

//! Reading the Cookie header and writing Set-Cookie values.

use axum::http::HeaderMap;

pub const SESSION: &str = "th_session";
pub const CSRF: &str = "th_csrf";
pub const PREFS: &str = "th_prefs";
/// The mark of a browser that has logged in with a password (see `web::throttle`).
pub const DEVICE: &str = "th_device";

pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A Set-Cookie value. `max_age` None makes a session cookie; Some(0) deletes.
pub fn set(name: &str, value: &str, max_age: Option<i64>, http_only: bool, secure: bool) -> String {
    let mut s = format!("{name}={value}; Path=/; SameSite=Lax");
    if let Some(age) = max_age {
        s.push_str(&format!("; Max-Age={age}"));
    }
    if http_only {
        s.push_str("; HttpOnly");
    }
    if secure {
        s.push_str("; Secure");
    }
    s
}

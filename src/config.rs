//! Server configuration, from flags or environment variables (see main.rs).

use std::net::IpAddr;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Config {
    pub db: PathBuf,
    pub bind: String,
    /// Read-only connections in the pool.
    pub readers: usize,
    /// The address residents reach the server at, for QR codes on printed
    /// slips (e.g. https://teahouse.example.cn). Default: taken from the request.
    pub public_url: Option<String>,
    /// Login and activation attempts allowed in a burst from one address.
    pub login_burst: u32,
    /// One more attempt is allowed every this many seconds.
    pub login_refill_secs: u64,
    /// Mark cookies Secure (set when served over HTTPS).
    pub secure_cookies: bool,
    /// Seed the demo communities into an empty database.
    pub demo: bool,
    /// Request timeout in seconds.
    pub timeout_secs: u64,
    /// The reverse proxy in front of the server: only from this peer is the
    /// client address taken from the last `X-Forwarded-For` hop.
    pub trusted_proxy: Option<IpAddr>,
    /// Progressive delays after wrong passwords (login, and the current
    /// password on the account page).
    pub throttle: crate::web::throttle::Rule,
    /// Serve /metrics to everyone (default: the operator, or from loopback).
    pub metrics_public: bool,
    /// Heavy jobs (reading a spreadsheet, counting a .pb file) running at
    /// once; beyond that a request is answered 503 "busy, try again".
    pub heavy_jobs: usize,
    /// Ballots written per transaction by a background .pb import.
    pub import_chunk: usize,
    /// Roll rows staged per transaction by a roll import.
    pub roll_chunk: usize,
    /// Seconds confirming a roll import waits for it before answering with
    /// its progress page instead (it goes on in the background).
    pub roll_confirm_wait_secs: u64,
    /// Seconds a client has to send a request's headers.
    pub header_timeout_secs: u64,
    /// The operator's default outgoing mail server (`smtp://host:port` or
    /// `smtps://user:pass@host:port`), for notices by e-mail.
    pub smtp_url: Option<String>,
    /// Milliseconds the delivery worker waits between looks at the outbox.
    pub notify_poll_ms: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            db: PathBuf::from("data/teahouse.sqlite3"),
            bind: "127.0.0.1:8080".into(),
            readers: 4,
            public_url: None,
            login_burst: 10,
            login_refill_secs: 6,
            secure_cookies: false,
            demo: false,
            timeout_secs: 30,
            trusted_proxy: None,
            throttle: crate::web::throttle::Rule::default(),
            metrics_public: false,
            heavy_jobs: 2,
            import_chunk: 2_000,
            roll_chunk: 2_000,
            roll_confirm_wait_secs: 10,
            header_timeout_secs: 10,
            smtp_url: None,
            notify_poll_ms: 2_000,
        }
    }
}

//! Shared test harness: the real server on 127.0.0.1:0 with a fresh database
//! file (seeded with the demo), and an HTTP client with a cookie jar.
#![allow(dead_code)]

use reqwest::StatusCode;
use reqwest::redirect::Policy;
use std::sync::Arc;
use teahouse::Config;
use teahouse::web::{self, Running};

pub struct Server {
    pub running: Option<Running>,
    pub base: String,
    pub dir: tempfile::TempDir,
}

impl Server {
    pub async fn start() -> Server {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut cfg = Config {
            db: dir.path().join("test.sqlite3"),
            bind: "127.0.0.1:0".into(),
            demo: true,
            readers: 2,
            login_burst: 1000,
            login_refill_secs: 1,
            ..Config::default()
        };
        tweak(&mut cfg);
        let running = web::start(cfg).await.expect("server starts");
        let base = format!("http://{}", running.addr);
        Server {
            running: Some(running),
            base,
            dir,
        }
    }

    pub fn db_path(&self) -> std::path::PathBuf {
        self.dir.path().join("test.sqlite3")
    }

    /// A direct connection to the database, for checks and for simulating
    /// what cannot happen through the web (time passing, tampering).
    pub fn sql(&self) -> rusqlite::Connection {
        let c = rusqlite::Connection::open(self.db_path()).unwrap();
        c.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
        c
    }

    pub fn client(&self) -> Client {
        client_for(&self.base)
    }

    pub async fn stop(mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
    }
}

/// A client with its own cookie jar that does not follow redirects.
pub fn client_for(base: &str) -> Client {
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let http = reqwest::Client::builder()
        .cookie_provider(jar)
        .redirect(Policy::none())
        .build()
        .unwrap();
    Client {
        http,
        base: base.to_string(),
        csrf: String::new(),
    }
}

/// A client whose every request says, as a reverse proxy would, that it
/// comes from `addr` (honoured only when the server trusts 127.0.0.1 as its proxy).
pub fn client_via(base: &str, addr: &str) -> Client {
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let mut h = reqwest::header::HeaderMap::new();
    h.insert("x-forwarded-for", addr.parse().unwrap());
    let http = reqwest::Client::builder()
        .cookie_provider(jar)
        .redirect(Policy::none())
        .default_headers(h)
        .build()
        .unwrap();
    Client {
        http,
        base: base.to_string(),
        csrf: String::new(),
    }
}

pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    /// The CSRF token last seen on a page.
    pub csrf: String,
}

pub struct Resp {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
    pub headers: reqwest::header::HeaderMap,
}

impl Resp {
    pub fn has(&self, s: &str) -> bool {
        self.body.contains(s)
    }
}

fn token_in(body: &str) -> Option<String> {
    let i = body.find("name=\"_csrf\" value=\"")? + 20;
    let t = body.get(i..i + 64)?;
    t.bytes()
        .all(|b| b.is_ascii_hexdigit())
        .then(|| t.to_string())
}

impl Client {
    async fn finish(&mut self, r: reqwest::Response) -> Resp {
        let status = r.status();
        let headers = r.headers().clone();
        let location = headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        // A new session (login, activation) or logout replaces the CSRF
        // token: like a browser following the redirect, the next post reads
        // a fresh page first.
        if headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|c| c.starts_with("th_session=") || c.starts_with("th_csrf="))
        {
            self.csrf.clear();
        }
        let body = r.text().await.unwrap_or_default();
        if let Some(t) = token_in(&body) {
            self.csrf = t;
        }
        Resp {
            status,
            location,
            body,
            headers,
        }
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        self.finish(r).await
    }

    /// Makes sure a CSRF cookie and token exist (any page will do).
    pub async fn prime(&mut self) {
        if self.csrf.is_empty() {
            self.get("/").await;
        }
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Resp {
        self.prime().await;
        let mut f: Vec<(&str, &str)> = form.to_vec();
        let tok = self.csrf.clone();
        f.push(("_csrf", &tok));
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .form(&f)
            .send()
            .await
            .unwrap();
        self.finish(r).await
    }

    pub async fn post_file(&mut self, path: &str, filename: &str, bytes: Vec<u8>) -> Resp {
        self.prime().await;
        let form = reqwest::multipart::Form::new()
            .text("_csrf", self.csrf.clone())
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(filename.to_string()),
            );
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .multipart(form)
            .send()
            .await
            .unwrap();
        self.finish(r).await
    }

    /// A multipart form with text fields and, optionally, one file.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, Vec<u8>)>,
    ) -> Resp {
        self.prime().await;
        let mut form = reqwest::multipart::Form::new().text("_csrf", self.csrf.clone());
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        if let Some((field, name, bytes)) = file {
            form = form.part(
                field.to_string(),
                reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
            );
        }
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .multipart(form)
            .send()
            .await
            .unwrap();
        self.finish(r).await
    }

    pub async fn login(&mut self, login: &str, password: &str) -> Resp {
        let r = self
            .post("/login", &[("login", login), ("password", password)])
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "login {login} failed: {}",
            r.body
        );
        r
    }
}

/// The demo logins.
pub const RESIDENT: (&str, &str) = ("resident", "demo-resident-2026");
pub const COMMITTEE: (&str, &str) = ("juwei", "demo-committee-2026");
pub const SUPERVISOR: (&str, &str) = ("jiandu", "demo-supervisor-2026");
pub const VILLAGE_COMMITTEE: (&str, &str) = ("cunwei", "demo-committee-2026");
pub const VILLAGE_SUPERVISOR: (&str, &str) = ("cunjian", "demo-supervisor-2026");
pub const OPERATOR: (&str, &str) = ("operator", "demo-operator-2026");

/// The code on a freshly printed slips page.
pub fn code_in_slips(body: &str) -> String {
    let i = body.find("class=\"slip-code\">").expect("a slip") + "class=\"slip-code\">".len();
    body[i..i + 9].to_string()
}

/// Issues a code for one resident as the committee logged in on `c`.
pub async fn issue_code(c: &mut Client, community: &str, resident_id: i64) -> String {
    c.get(&format!("/c/{community}/roll")).await;
    let r = c
        .post(
            &format!("/c/{community}/codes"),
            &[("resident", &resident_id.to_string()), ("days", "30")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    code_in_slips(&r.body)
}

/// Issues a code that resets the password of a resident who has an account,
/// with the stated reason, as the committee logged in on `c`.
pub async fn issue_reset_code(
    c: &mut Client,
    community: &str,
    resident_id: i64,
    reason: &str,
) -> String {
    c.get(&format!("/c/{community}/roll/residents/{resident_id}"))
        .await;
    let r = c
        .post(
            &format!("/c/{community}/codes"),
            &[
                ("resident", &resident_id.to_string()),
                ("days", "30"),
                ("reason", reason),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    code_in_slips(&r.body)
}

/// A resident of `community` without an account (and its name).
pub fn resident_without_account(s: &Server, community: &str, skip: usize) -> (i64, String) {
    s.sql()
        .query_row(
            "SELECT r.id, r.name FROM residents r JOIN communities c ON c.id = r.community_id
             WHERE c.slug = ?1 AND r.is_adult = 1 AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.resident_id = r.id)
             ORDER BY r.id LIMIT 1 OFFSET ?2",
            rusqlite::params![community, skip as i64],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

/// A new resident account in `community` (its `skip`-th adult without
/// one), activated with a code the committee on `staff` issues, logged in.
pub async fn activated(
    s: &Server,
    staff: &mut Client,
    community: &str,
    skip: usize,
    login: &str,
) -> Client {
    let (rid, _) = resident_without_account(s, community, skip);
    let code = issue_code(staff, community, rid).await;
    let mut c = s.client();
    c.get("/activate").await;
    let form = [
        ("code", code.as_str()),
        ("login", login),
        ("password", "long-password-1"),
        ("password2", "long-password-1"),
    ];
    let r = c.post("/activate", &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    c.login(login, "long-password-1").await;
    c
}

/// Drops every trigger that refuses in-place edits of published rows, so a
/// test can tamper as someone holding the database file could.
pub fn unguard(c: &rusqlite::Connection) {
    let names: Vec<String> = c
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'
               AND (name GLOB 'frozen_*' OR name GLOB '*_frozen' OR name GLOB '*_kept')",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|n| n.unwrap())
        .collect();
    for n in names {
        c.execute_batch(&format!("DROP TRIGGER \"{n}\";")).unwrap();
    }
}

impl Server {
    /// Edits the database behind the server's back, guards dropped first:
    /// what someone holding the file could do.
    pub fn tamper(&self, sql: &str, params: impl rusqlite::Params) -> usize {
        let c = self.sql();
        unguard(&c);
        c.execute(sql, params).unwrap()
    }

    /// Runs `sql` as if things had always been so: for simulating time
    /// passing (a vote's closing time reached). The ledger's documents of
    /// the rows it changes are rewritten to match and the chain is hashed
    /// again, which is what a committee rewriting its whole history could
    /// do, and only the head hashes printed earlier could show.
    pub fn travel(&self, sql: &str, params: impl rusqlite::Params) {
        use serde_json::Value;
        use teahouse::store::anchor::{self, tables::TABLES, verify::current_docs};
        let c = self.sql();
        let communities: Vec<i64> = c
            .prepare("SELECT id FROM communities")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|x| x.unwrap())
            .collect();
        let docs = |c: &rusqlite::Connection| {
            let mut m = std::collections::HashMap::new();
            for &cid in &communities {
                for t in TABLES {
                    for (k, d) in current_docs(c, t, cid).unwrap() {
                        m.insert((t.name.to_string(), k), d);
                    }
                }
            }
            m
        };
        // One transaction: the server sees the time travel whole or not at
        // all (never its guards dropped, nor a half-rewritten chain).
        c.execute_batch("BEGIN IMMEDIATE;").unwrap();
        let before = docs(&c);
        c.execute_batch("DROP TRIGGER ledger_append_only_update;")
            .unwrap();
        // The anchoring guards only: `install` below makes them again.
        let guards: Vec<String> = c
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name GLOB 'frozen_*'",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|n| n.unwrap())
            .collect();
        for n in guards {
            c.execute_batch(&format!("DROP TRIGGER \"{n}\";")).unwrap();
        }
        c.execute(sql, params).unwrap();
        // The update queued the rows it touched for anchoring; the entries
        // are rewritten below instead, so nothing is left for the server's
        // next write (a background one, at any moment) to anchor as a change.
        c.execute("DELETE FROM anchor_queue", []).unwrap();
        let after = docs(&c);
        for &cid in &communities {
            let mut es = teahouse::store::ledger::entries(&c, cid).unwrap();
            let mut prev = teahouse::domain::ledger::GENESIS.to_string();
            for e in es.iter_mut() {
                if let Some(rows) = e.payload.get_mut("rows").and_then(Value::as_array_mut) {
                    for r in rows {
                        let k = (
                            r["table"].as_str().unwrap_or("").to_string(),
                            r["key"].to_string(),
                        );
                        let (Some(was), Some(now)) = (before.get(&k), after.get(&k)) else {
                            continue;
                        };
                        let Some(doc) = r.get_mut("doc").and_then(Value::as_object_mut) else {
                            continue;
                        };
                        for (f, v) in doc.iter_mut() {
                            if was.get(f) == Some(v) && now.get(f) != was.get(f) {
                                *v = now[f].clone();
                            }
                        }
                    }
                }
                e.prev = prev.clone();
                e.hash = e.compute_hash();
                prev = e.hash.clone();
                c.execute(
                    "UPDATE ledger SET payload = ?3, prev = ?4, hash = ?5 WHERE community_id = ?1 AND seq = ?2",
                    rusqlite::params![
                        cid,
                        e.seq,
                        teahouse::domain::ledger::canonical(&e.payload),
                        e.prev,
                        e.hash
                    ],
                )
                .unwrap();
            }
        }
        c.execute_batch(
            "CREATE TRIGGER ledger_append_only_update BEFORE UPDATE ON ledger
             BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;",
        )
        .unwrap();
        anchor::install(&c).unwrap();
        c.execute_batch("COMMIT;").unwrap();
    }
}

/// A refused form's answer: 422, in the user's own page (account and
/// logout links), not the bare error page.
pub fn refused_own_page(r: &Resp) {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.has("/logout") && r.has(r#"href="/account""#),
        "{}",
        r.body
    );
    assert!(!r.has("无法完成"), "{}", r.body);
}

/// The field `id` is marked invalid and described by its error, shown.
pub fn tied(r: &Resp, id: &str) {
    let err = format!(r#"id="{id}-err""#);
    assert!(r.has(&err), "no {err}: {}", r.body);
    let i = r.body.find(&format!(r#"id="{id}""#)).expect(id);
    let tag = &r.body[i..i + r.body[i..].find('>').unwrap()];
    assert!(tag.contains(r#"aria-invalid="true""#), "{tag}");
    let described = tag
        .split(r#"aria-describedby=""#)
        .nth(1)
        .and_then(|v| v.split('"').next())
        .unwrap_or("");
    assert!(
        described.split(' ').any(|d| d == format!("{id}-err")),
        "{tag}"
    );
}

/// The one number a query gives.
pub fn scalar(s: &Server, sql: &str) -> i64 {
    s.sql().query_row(sql, [], |r| r.get(0)).unwrap()
}

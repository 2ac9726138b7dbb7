//! Crash safety: the server runs as a child process, many clients send
//! ballots at once, the server is killed with SIGKILL midway, restarted, and
//! every acknowledged ballot must be there with nothing half-written.

use crate::common::*;
use reqwest::StatusCode;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn spawn(db: &std::path::Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_teahouse"))
        .args([
            "serve",
            "--demo",
            "--login-burst",
            "100000",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--db",
        ])
        .arg(db)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn wait_ready(base: &str) {
    for _ in 0..200 {
        if let Ok(r) = reqwest::get(format!("{base}/healthz")).await
            && r.status() == StatusCode::OK
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server did not come up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_ballots_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.sqlite3");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = spawn(&db, port);
    wait_ready(&base).await;

    let mut com = client_for(&base);
    com.login(VILLAGE_COMMITTEE.0, VILLAGE_COMMITTEE.1).await;
    com.get("/c/xingfu/votes/new").await;
    let r = com
        .post(
            "/c/xingfu/votes",
            &[
                ("title", "压力测试表决"),
                ("scope", "community"),
                ("rule", "villagers_meeting"),
                ("opens", "2026-01-01"),
                ("closes", "2099-01-01"),
            ],
        )
        .await;
    let path = r.location.unwrap();
    assert_eq!(
        com.post(&format!("{path}/open"), &[("confirm", "1")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let id: String = path.rsplit('/').next().unwrap().into();
    let voters: Vec<String> = {
        let c = rusqlite::Connection::open(&db).unwrap();
        let mut st = c
            .prepare("SELECT voter FROM vote_electorate WHERE vote_id = ?1 ORDER BY voter")
            .unwrap();
        st.query_map([&id], |r| r.get(0))
            .unwrap()
            .map(|x| x.unwrap())
            .collect()
    };
    assert!(voters.len() > 300);

    // Eight committee sessions send paper ballots for disjoint voters.
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut tasks = Vec::new();
    for k in 0..8 {
        let mine: Vec<String> = voters.iter().skip(k).step_by(8).cloned().collect();
        let acked = acked.clone();
        let base = base.clone();
        let path = path.clone();
        tasks.push(tokio::spawn(async move {
            let mut c = client_for(&base);
            c.login(VILLAGE_COMMITTEE.0, VILLAGE_COMMITTEE.1).await;
            c.get(&path).await;
            let tok = c.csrf.clone();
            for v in mine {
                let r = c
                    .http
                    .post(format!("{base}{path}/paper"))
                    .form(&[
                        ("voter", v.as_str()),
                        ("choice", "agree"),
                        ("_csrf", tok.as_str()),
                    ])
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status() == StatusCode::SEE_OTHER => acked.lock().unwrap().push(v),
                    _ => break, // the server is gone
                }
            }
        }));
    }
    // Kill it midway.
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if acked.lock().unwrap().len() >= voters.len() / 3 {
            break;
        }
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    for t in tasks {
        let _ = t.await;
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        !acked.is_empty() && acked.len() < voters.len(),
        "killed midway: {} of {}",
        acked.len(),
        voters.len()
    );

    // Restart on the same file.
    let mut child = spawn(&db, port);
    wait_ready(&base).await;
    let c = rusqlite::Connection::open(&db).unwrap();
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let stored: std::collections::HashSet<String> = c
        .prepare("SELECT voter FROM ballots WHERE vote_id = ?1")
        .unwrap()
        .query_map([&id], |r| r.get(0))
        .unwrap()
        .map(|x| x.unwrap())
        .collect();
    for v in &acked {
        assert!(stored.contains(v), "acknowledged ballot for {v} was lost");
    }
    // Nothing half-written: every ballot is whole and audited in the same transaction.
    let audited: i64 = c
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'vote.paper' AND target = ?1",
            [format!("vote:{id}")],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        audited as usize,
        stored.len(),
        "one audit entry per stored ballot"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_teahouse"))
        .args(["verify", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // The vote goes on after the restart.
    let mut com = client_for(&base);
    com.login(VILLAGE_COMMITTEE.0, VILLAGE_COMMITTEE.1).await;
    com.get(&path).await;
    let last = voters.iter().find(|v| !stored.contains(*v)).unwrap();
    let r = com
        .post(
            &format!("{path}/paper"),
            &[("voter", last), ("choice", "disagree")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    child.kill().unwrap();
    child.wait().unwrap();
}

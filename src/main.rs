//! The `teahouse` command: serve, and the tools an operator runs beside it.

use clap::{Parser, Subcommand};
use std::io::BufRead;
use std::path::PathBuf;
use teahouse::{Config, cli, demo, web};

#[derive(Parser)]
#[command(
    name = "teahouse",
    version,
    about = "议事茶馆 Teahouse: open community self-governance"
)]
struct Cli {
    /// Log as JSON lines (for log collectors) instead of text.
    #[arg(long, global = true, env = "TEAHOUSE_LOG_JSON")]
    log_json: bool,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve the web application.
    Serve {
        /// The SQLite database file (created if missing).
        #[arg(long, env = "TEAHOUSE_DB", default_value = "data/teahouse.sqlite3")]
        db: PathBuf,
        /// Address to listen on.
        #[arg(long, env = "TEAHOUSE_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Seed the demo village and compound into an empty database and print the demo logins.
        #[arg(long, env = "TEAHOUSE_DEMO")]
        demo: bool,
        /// The public address, for QR codes on printed slips (e.g. https://teahouse.example.cn).
        #[arg(long, env = "TEAHOUSE_PUBLIC_URL")]
        public_url: Option<String>,
        /// Read-only database connections.
        #[arg(long, env = "TEAHOUSE_READERS", default_value_t = 4)]
        readers: usize,
        /// Mark cookies Secure (when served over HTTPS).
        #[arg(long, env = "TEAHOUSE_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Login/activation attempts allowed in a burst from one address.
        #[arg(long, env = "TEAHOUSE_LOGIN_BURST", default_value_t = 10)]
        login_burst: u32,
        /// The reverse proxy's address: from this peer only, the client address
        /// is taken from the last X-Forwarded-For hop (rate limits, audit log).
        #[arg(long, env = "TEAHOUSE_TRUSTED_PROXY", value_name = "ADDR")]
        trusted_proxy: Option<std::net::IpAddr>,
        /// Default outgoing mail server for notices: smtp://host:port or smtps://user:pass@host:port
        #[arg(long, env = "TEAHOUSE_SMTP_URL")]
        smtp_url: Option<String>,
        /// Serve /metrics to everyone (default: the operator, or from this machine).
        #[arg(long, env = "TEAHOUSE_METRICS_PUBLIC")]
        metrics_public: bool,
    },
    /// Create (or reset) the global operator account. The password is read
    /// from TEAHOUSE_OPERATOR_PASSWORD or the first line of standard input.
    CreateOperator {
        #[arg(long, env = "TEAHOUSE_DB", default_value = "data/teahouse.sqlite3")]
        db: PathBuf,
        #[arg(long)]
        login: String,
        #[arg(long, default_value = "运维")]
        name: String,
    },
    /// Write a consistent copy of the database, safe while the server runs.
    Backup {
        out: PathBuf,
        #[arg(long, env = "TEAHOUSE_DB", default_value = "data/teahouse.sqlite3")]
        db: PathBuf,
    },
    /// Check the ledger's hash chain and that every published record still
    /// matches its entry. Exit 1 naming the first broken entry.
    Verify {
        #[arg(long, env = "TEAHOUSE_DB", conflicts_with = "ledger")]
        db: Option<PathBuf>,
        /// A downloaded ledger (JSON lines) instead of a database.
        #[arg(long)]
        ledger: Option<PathBuf>,
    },
    /// Recompute a vote from its export (teahouse.vote/1), without the server,
    /// and compare the figures its published result states (those it leaves
    /// out are listed as not published). Exit 1 if a stated figure differs,
    /// 2 if the file is malformed.
    Recount { file: PathBuf },
    /// Decide a Pabulib election (.pb) by a round's rule and print
    /// {"rule", "selected" (project ids in file order), "cost"} as JSON.
    /// Exit 2 if the file is malformed.
    PbTally {
        file: PathBuf,
        /// greedy (by approvals) or mes (Method of Equal Shares, add1).
        #[arg(long, value_parser = ["greedy", "mes"])]
        rule: String,
    },
    /// Import a roll file (XLSX/CSV) into a community, as the web import does.
    ImportRoll {
        file: PathBuf,
        #[arg(long)]
        community: String,
        #[arg(long, env = "TEAHOUSE_DB", default_value = "data/teahouse.sqlite3")]
        db: PathBuf,
    },
}

fn init_logs(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "teahouse=info,tower_http=warn".into());
    let b = tracing_subscriber::fmt().with_env_filter(filter);
    if json {
        b.json().init();
    } else {
        b.init();
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

fn fail(e: impl std::fmt::Display) -> ! {
    eprintln!("teahouse: {e}");
    std::process::exit(2)
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    init_logs(cli.log_json);
    match cli.cmd {
        Cmd::Serve {
            db,
            bind,
            demo,
            public_url,
            readers,
            secure_cookies,
            login_burst,
            trusted_proxy,
            metrics_public,
            smtp_url,
        } => {
            serve(Config {
                db,
                bind,
                demo,
                public_url,
                readers,
                secure_cookies,
                login_burst,
                trusted_proxy,
                metrics_public,
                smtp_url,
                ..Config::default()
            })
            .await
        }
        Cmd::CreateOperator { db, login, name } => create_operator(&db, &login, &name).await,
        Cmd::Backup { out, db } => {
            cli::backup(&db, &out).unwrap_or_else(|e| fail(e));
            println!("backup written to {}", out.display());
        }
        Cmd::Verify { db, ledger } => verify(db, ledger),
        Cmd::Recount { file } => recount(&file),
        Cmd::PbTally { file, rule } => match cli::pb_tally(&file, &rule) {
            Ok(json) => println!("{json}"),
            Err(m) => {
                eprintln!("teahouse pb-tally: {m}");
                std::process::exit(2);
            }
        },
        Cmd::ImportRoll {
            file,
            community,
            db,
        } => {
            let s = cli::import_roll(&db, &community, &file)
                .await
                .unwrap_or_else(|e| fail(e));
            println!("{}", serde_json::to_string_pretty(&s).unwrap_or_default());
        }
    }
}

/// `serve`: start, print where (and the demo's logins), run until a signal.
async fn serve(cfg: Config) {
    let running = web::start(cfg.clone()).await.unwrap_or_else(|e| fail(e));
    let url = format!("http://{}", running.addr);
    println!(
        "议事茶馆 Teahouse is serving {url}  (database: {})",
        cfg.db.display()
    );
    if cfg.demo {
        println!("Demo logins (登录名 / 密码):");
        for (role, login, pw, page) in demo::LOGINS {
            println!("  {role:<36} {login:<10} {pw:<22} {url}{page}");
        }
    }
    println!("Stop with Ctrl+C.");
    tracing::info!(%url, "listening");
    shutdown_signal().await;
    tracing::info!("shutting down: finishing requests in flight");
    running.stop().await;
}

/// `create-operator`: the password from TEAHOUSE_OPERATOR_PASSWORD, else
/// one line of standard input.
async fn create_operator(db: &std::path::Path, login: &str, name: &str) {
    let pw = match std::env::var("TEAHOUSE_OPERATOR_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            eprintln!("Password for {login} (8 characters or more), then Enter:");
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .unwrap_or_else(|e| fail(e));
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    cli::create_operator(db, login, name, &pw)
        .await
        .unwrap_or_else(|e| fail(e));
    println!("operator {login} is ready");
}

/// `verify`: a database or a downloaded ledger; exit 1 if anything broke.
fn verify(db: Option<std::path::PathBuf>, ledger: Option<std::path::PathBuf>) {
    let res = match (db, ledger) {
        (_, Some(file)) => cli::verify_ledger_file(&file),
        (Some(db), None) => cli::verify_db(&db),
        (None, None) => cli::verify_db(std::path::Path::new("data/teahouse.sqlite3")),
    };
    match res {
        Ok((lines, ok)) => {
            for l in lines {
                println!("{l}");
            }
            if !ok {
                std::process::exit(1);
            }
        }
        Err(e) => fail(e),
    }
}

/// `recount`: the result as JSON, notes on standard error; exit 1 if the
/// file's published result differs, 2 if the file cannot be read.
fn recount(file: &std::path::Path) {
    match cli::recount(file) {
        Ok(r) => {
            println!("{}", r.json);
            for line in r.notes() {
                eprintln!("{line}");
            }
            if r.differs() {
                std::process::exit(1);
            }
        }
        Err(m) => {
            eprintln!("teahouse recount: {} / {}", m.zh, m.en);
            std::process::exit(2);
        }
    }
}

//! `lifeline-collector`: `serve`, `site add`, `site token`, `rules check`.

// A command-line program: printing is what it is for.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use lifeline_collector::store::{self, Site, Store, StoreError};
use lifeline_collector::{server, site, token};

// glibc's allocator spends its time on its own locks under load; mimalloc does not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Lifeline's collector.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serves the agent, rules, reports and the admin API.
    Serve(Serve),
    /// Sites: add one, or replace its admin token.
    Site {
        #[command(subcommand)]
        command: SiteCommand,
    },
    /// Rules files.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// The shop's staff: accounts with their own tokens, for the live dashboard.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Adds a member of staff to a site and prints their token (shown once).
    Add {
        /// The site id.
        site: String,
        /// Their name (a-z, 0-9, - _ .).
        name: String,
        /// `agent` (alerts, conversations) or `owner` (everything).
        #[arg(long, default_value = "agent")]
        role: String,
        #[command(flatten)]
        database: Database,
    },
    /// Removes a member of staff (their token stops working).
    Remove {
        /// The site id.
        site: String,
        /// Their name.
        name: String,
        #[command(flatten)]
        database: Database,
    },
    /// Lists a site's staff and where they are.
    List {
        /// The site id.
        site: String,
        #[command(flatten)]
        database: Database,
    },
}

#[derive(clap::Args)]
struct Database {
    /// Where data is kept: sqlite://PATH, or postgres://USER:PASSWORD@HOST/NAME (several
    /// collectors may share one PostgreSQL database).
    #[arg(
        long,
        env = "LIFELINE_DATABASE",
        default_value = "sqlite://data/lifeline.db"
    )]
    database: String,
}

#[derive(clap::Args)]
struct Serve {
    /// Address to listen on.
    #[arg(long, env = "LIFELINE_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    #[command(flatten)]
    database: Database,
    /// Where pages reach this collector (https://lifeline.example); its own pages may use
    /// every site.
    #[arg(long, env = "LIFELINE_PUBLIC_URL")]
    public_url: Option<String>,
    /// Static files served at / (the demo shop and the dashboard).
    #[arg(long, env = "LIFELINE_WWW_DIR", default_value = "www")]
    www: PathBuf,
    /// The agent's files, from `make agent`.
    #[arg(long, env = "LIFELINE_AGENT_DIR", default_value = "target/agent")]
    agent: PathBuf,
    /// Reports older than this many days are deleted (0: kept for ever).
    #[arg(long, env = "LIFELINE_RETENTION_DAYS", default_value_t = 180)]
    retention_days: u32,
    /// Report requests per minute per client address and site (0: no limit).
    #[arg(long, env = "LIFELINE_REPORTS_PER_MINUTE", default_value_t = 120)]
    reports_per_minute: u32,
    /// Chat messages per minute per conversation and side (0: no limit).
    #[arg(long, env = "LIFELINE_CHAT_PER_MINUTE", default_value_t = 30)]
    chat_per_minute: u32,
    /// Reverse proxies (a load balancer) whose X-Forwarded-For gives the client's address:
    /// addresses or networks, `10.0.0.0/8,192.168.1.7`. None by default.
    #[arg(long, env = "LIFELINE_TRUSTED_PROXIES", default_value = "", value_parser = trusted_proxies)]
    trusted_proxies: lifeline_collector::proxy::TrustedProxies,
    /// Seconds a client has to send a request's headers before its connection is closed.
    #[arg(long, env = "LIFELINE_HEADER_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    header_timeout: u64,
    /// Seconds a client has to send a request's body.
    #[arg(long, env = "LIFELINE_BODY_TIMEOUT", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    body_timeout: u64,
    /// Seconds requests in flight get to finish when the collector stops.
    #[arg(long, env = "LIFELINE_GRACE", default_value_t = 10, value_parser = clap::value_parser!(u64).range(0..=3600))]
    grace: u64,
}

#[derive(Subcommand)]
enum SiteCommand {
    /// Adds a site and prints its admin token (shown once; only its hash is kept).
    Add {
        /// The site id (data-site).
        name: String,
        /// Origins whose pages use it (https://shop.example), one or more.
        #[arg(long = "origin", required = true)]
        origins: Vec<String>,
        #[command(flatten)]
        database: Database,
    },
    /// Replaces the origins whose pages may use a site (list every one).
    Origins {
        /// The site id.
        name: String,
        /// Origins whose pages use it (https://shop.example), one or more.
        #[arg(long = "origin", required = true)]
        origins: Vec<String>,
        #[command(flatten)]
        database: Database,
    },
    /// Replaces a site's admin token and prints the new one.
    Token {
        /// The site id.
        name: String,
        /// Make a new token (the old one stops working).
        #[arg(long)]
        rotate: bool,
        #[command(flatten)]
        database: Database,
    },
    /// Prints the secret the shop's backend signs visitor attributes with
    /// (`lifeline.identify(attrs, signature)`) and webhooks are signed with.
    Secret {
        /// The site id.
        name: String,
        /// Make a new secret (signatures made with the old one stop being accepted).
        #[arg(long)]
        rotate: bool,
        #[command(flatten)]
        database: Database,
    },
}

#[derive(Subcommand)]
enum RulesCommand {
    /// Checks a rules file; prints every problem with its JSON path.
    Check {
        /// The rules JSON.
        file: PathBuf,
    },
    /// Replays recorded sessions (JSON lines) against a rules file: per session, the signals
    /// that fire, the score, the prompts that would show, and why every other rule did not.
    Try {
        /// The rules JSON.
        file: PathBuf,
        /// Recorded sessions, one JSON event per line (shared/fixtures/*.jsonl).
        #[arg(required = true)]
        sessions: Vec<PathBuf>,
    },
    /// Checks a rules file and serves it for a site as a new version (nothing changes when
    /// it is the version served already).
    Put {
        /// The site id.
        site: String,
        /// The rules JSON.
        file: PathBuf,
        #[command(flatten)]
        database: Database,
    },
}

/// Reads and checks a rules file; prints every problem with its path.
fn read_rules(
    file: &std::path::Path,
) -> Result<Result<(String, lifeline_shared::Rules), usize>, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    match lifeline_shared::Rules::from_json_str(&text) {
        Ok(rules) => {
            // Valid, but hard to read: said, not refused.
            for w in rules.contrast_warnings() {
                println!("{}: warning: {w}", file.display());
            }
            Ok(Ok((text, rules)))
        }
        Err(errors) => {
            for e in &errors.0 {
                println!("{}: {e}", file.display());
            }
            eprintln!("{}: {} problem(s)", file.display(), errors.0.len());
            Ok(Err(errors.0.len()))
        }
    }
}

/// A store error as the command line says it, about `site`.
fn explain(e: StoreError, site: &str) -> String {
    match e {
        StoreError::SiteExists => format!("site {site} exists already"),
        StoreError::UnknownSite => format!("no site {site}"),
        other => other.to_string(),
    }
}

fn open_store(database: &Database) -> Result<store::Database, String> {
    store::Database::open(&database.database, None).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LIFELINE_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    // Blocking work is the store's reads (a few milliseconds each): a small pool, not
    // tokio's 512 threads, each with its stack and its own SQLite connection, when thousands
    // of chats open at once.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(32)
        .build();
    let runtime = match runtime {
        Ok(r) => r,
        Err(e) => {
            eprintln!("lifeline-collector: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli.command));
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("lifeline-collector: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn staff(command: StaffCommand) -> Result<ExitCode, String> {
    use lifeline_collector::store::{NewStaff, Role, staff::name_ok};
    match command {
        StaffCommand::Add {
            site,
            name,
            role,
            database,
        } => {
            if !name_ok(&name) {
                return Err(format!("{name:?}: a name is 1 to 64 of a-z, 0-9, - _ ."));
            }
            let role = Role::from_name(&role)
                .ok_or_else(|| format!("{role:?}: the role is agent or owner"))?;
            let store = open_store(&database)?;
            let (token, token_hash) = token::new_token().map_err(|e| e.to_string())?;
            let added = store.add_staff(
                &site,
                NewStaff {
                    name: name.clone(),
                    role,
                    token_hash,
                },
            );
            added.await.map_err(|e| explain(e, &site))?;
            store.close();
            eprintln!(
                "{name} added to {site} as {}. Their token (shown once):",
                role.as_str()
            );
            println!("{token}");
        }
        StaffCommand::Remove {
            site,
            name,
            database,
        } => {
            let store = open_store(&database)?;
            store
                .remove_staff(&site, &name)
                .await
                .map_err(|e| explain(e, &site))?;
            store.close();
            eprintln!("{name} removed from {site}; their token no longer works");
        }
        StaffCommand::List { site, database } => {
            let store = open_store(&database)?;
            let staff = store
                .staff(&site, lifeline_collector::now_ms())
                .await
                .map_err(|e| explain(e, &site))?;
            store.close();
            for (m, _) in staff {
                println!("{}\t{}\t{}", m.name, m.role.as_str(), m.status.as_str());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn run(command: Command) -> Result<ExitCode, String> {
    match command {
        Command::Serve(serve) => self::serve(serve).await.map(|()| ExitCode::SUCCESS),
        Command::Staff { command } => staff(command).await,
        Command::Site {
            command:
                SiteCommand::Add {
                    name,
                    origins,
                    database,
                },
        } => {
            site::check_name(&name)?;
            let origins = origins
                .iter()
                .map(|o| site::check_origin(o))
                .collect::<Result<Vec<_>, _>>()?;
            let store = open_store(&database)?;
            let (token, token_hash) = token::new_token().map_err(|e| e.to_string())?;
            store
                .add_site(Site {
                    name: name.clone(),
                    origins,
                    token_hash,
                    active_rules: None,
                    secret: Vec::new(),
                })
                .await
                .map_err(|e| explain(e, &name))?;
            store.close();
            eprintln!("site {name} added. Its admin token (shown once; keep it secret):");
            println!("{token}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Site {
            command:
                SiteCommand::Origins {
                    name,
                    origins,
                    database,
                },
        } => {
            let origins = origins
                .iter()
                .map(|o| site::check_origin(o))
                .collect::<Result<Vec<_>, _>>()?;
            let store = open_store(&database)?;
            store
                .set_origins(&name, origins.clone())
                .await
                .map_err(|e| explain(e, &name))?;
            store.close();
            eprintln!(
                "site {name} now takes pages from {} (a running collector sees it within 5 s)",
                origins.join(", ")
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Site {
            command:
                SiteCommand::Token {
                    name,
                    rotate,
                    database,
                },
        } => {
            if !rotate {
                return Err(
                    "tokens are kept only as hashes and cannot be shown again; pass --rotate to replace it"
                        .into(),
                );
            }
            let store = open_store(&database)?;
            let (token, token_hash) = token::new_token().map_err(|e| e.to_string())?;
            store
                .set_token(&name, token_hash)
                .await
                .map_err(|e| explain(e, &name))?;
            store.close();
            eprintln!("site {name}: new admin token (the old one no longer works):");
            println!("{token}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Site {
            command:
                SiteCommand::Secret {
                    name,
                    rotate,
                    database,
                },
        } => {
            let store = open_store(&database)?;
            let secret = store
                .secret(&name, rotate)
                .await
                .map_err(|e| explain(e, &name))?;
            store.close();
            eprintln!(
                "site {name}: signing secret{} (keep it on your servers; a running collector uses it within 5 s):",
                if rotate { " (new)" } else { "" }
            );
            println!("{}", hex(&secret));
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules {
            command: RulesCommand::Try { file, sessions },
        } => {
            let Ok((_, rules)) = read_rules(&file)? else {
                return Ok(ExitCode::FAILURE);
            };
            let rules = Arc::new(rules);
            // A session that cannot be read is named with its problem; the others are
            // still tried, and the run fails at the end.
            let mut failed = false;
            for session in &sessions {
                let name = session.display().to_string();
                let lines = std::fs::read_to_string(session)
                    .map_err(|e| e.to_string())
                    .and_then(|text| {
                        lifeline_shared::replay::parse(&text).map_err(|e| e.to_string())
                    });
                match lines {
                    Ok(lines) => {
                        let trial = lifeline_shared::replay::trial(rules.clone(), &name, &lines);
                        print!(
                            "{}",
                            lifeline_collector::trial::render(&rules, &name, &trial)
                        );
                    }
                    Err(e) => {
                        eprintln!("{name}: {e}");
                        failed = true;
                    }
                }
            }
            Ok(if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Rules {
            command: RulesCommand::Check { file },
        } => Ok(match read_rules(&file)? {
            Ok(_) => {
                eprintln!("{}: the rules are valid", file.display());
                ExitCode::SUCCESS
            }
            Err(_) => ExitCode::FAILURE,
        }),
        Command::Rules {
            command:
                RulesCommand::Put {
                    site,
                    file,
                    database,
                },
        } => {
            let Ok((text, rules)) = read_rules(&file)? else {
                return Ok(ExitCode::FAILURE);
            };
            let store = open_store(&database)?;
            let served = store.rules(&site, None).await.map_err(|e| e.to_string())?;
            let compiled = rules.to_compiled();
            if let Some(served) = served.filter(|s| s.compiled == compiled) {
                eprintln!(
                    "site {site}: these rules are served already (version {})",
                    served.version
                );
                return Ok(ExitCode::SUCCESS);
            }
            let version = store
                .put_rules(&site, text, compiled)
                .await
                .map_err(|e| explain(e, &site))?;
            store.close();
            eprintln!("site {site}: rules version {version} served");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn trusted_proxies(list: &str) -> Result<lifeline_collector::proxy::TrustedProxies, String> {
    lifeline_collector::proxy::TrustedProxies::parse(list).map_err(|e| e.to_string())
}

async fn serve(args: Serve) -> Result<(), String> {
    let config = server::Config {
        database: args.database.database,
        public_url: args.public_url,
        www: args.www,
        agent: args.agent,
        retention_days: args.retention_days,
        reports_per_minute: args.reports_per_minute,
        chat_per_minute: args.chat_per_minute,
        trusted_proxies: args.trusted_proxies,
        header_timeout: Duration::from_secs(args.header_timeout),
        body_timeout: Duration::from_secs(args.body_timeout),
        grace: Duration::from_secs(args.grace),
    };
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(address = %local, database = %store::redacted(&config.database), "lifeline collector listening");
    eprintln!("listening on http://{local}");
    server::serve(config, listener, shutdown())
        .await
        .map_err(|e| e.to_string())
}

async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

//! The subcommands: serve, migrate, openapi, create-admin, seed-demo.

use crate::domain::password::PasswordHasher;
use std::io::Read;
use std::net::TcpListener;

use chrono::{Days, NaiveTime, TimeZone, Utc};
use clap::{Parser, Subcommand};
use diesel_async::AsyncConnection;

use crate::config::{
    AuthSettings, DatabaseSettings, LogSettings, NotifySettings, RetentionSettings, ServeSettings,
};
use crate::domain::accounts::{self, NewAccount, Role};
use crate::domain::conferences::{self, ConferenceStatus, NewConference, RegistrationMode};
use crate::domain::sessions::{self, NewSession, SessionKind};
use crate::error::ApiError;

#[derive(Debug, Parser)]
#[command(
    name = "hoithao",
    version,
    about = "Registration and attendance API for workshops and conferences"
)]
pub struct Cli {
    #[command(flatten)]
    pub log: LogSettings,
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per process and consumed at once: the size of its largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending migrations (unless --no-migrate), then serve the API.
    Serve {
        #[command(flatten)]
        database: DatabaseSettings,
        #[command(flatten)]
        serve: ServeSettings,
        #[command(flatten)]
        retention: RetentionSettings,
        #[command(flatten)]
        notify: NotifySettings,
        /// Do not apply migrations; /readyz reports 503 until they are applied.
        #[arg(long)]
        no_migrate: bool,
    },
    /// See and retry the notification queue.
    Outbox {
        #[command(flatten)]
        database: DatabaseSettings,
        #[command(subcommand)]
        command: crate::outbox_cli::OutboxCommand,
    },
    /// Create the database if missing and apply pending migrations.
    Migrate {
        #[command(flatten)]
        database: DatabaseSettings,
    },
    /// Print the OpenAPI document as pretty JSON.
    Openapi,
    /// Create an admin account. The password is read from HOITHAO_ADMIN_PASSWORD or stdin.
    CreateAdmin {
        #[command(flatten)]
        database: DatabaseSettings,
        #[command(flatten)]
        auth: AuthSettings,
        /// Email address to log in with.
        #[arg(long)]
        email: String,
        /// Name shown in the API.
        #[arg(long, default_value = "Administrator")]
        display_name: String,
    },
    /// Erase the personal data of every conference whose retention period has passed (the
    /// aggregates stay), and delete expired login throttle rows. Prints what it did as JSON.
    Purge {
        #[command(flatten)]
        database: DatabaseSettings,
        #[command(flatten)]
        retention: RetentionSettings,
        #[command(flatten)]
        auth: AuthSettings,
        /// Only say what would be erased.
        #[arg(long)]
        dry_run: bool,
    },
    /// Create a published demo conference modelled on the 2018 Vĩnh Phúc cleaner-production workshop.
    SeedDemo {
        #[command(flatten)]
        database: DatabaseSettings,
    },
    /// Exit 0 when the local server answers /healthz (or /readyz) with 2xx: a health check for
    /// containers without curl.
    Probe {
        /// Probe /readyz (the database answers and is migrated) instead of /healthz.
        #[arg(long)]
        ready: bool,
        /// URL to probe instead, `http://host:port/path`.
        #[arg(long)]
        url: Option<String>,
        /// Address the server listens on; a wildcard address is probed on loopback.
        #[arg(long, env = "HOITHAO_LISTEN", default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
    },
}

impl Command {
    /// Reads the secrets given as files (`DATABASE_URL_FILE`, `HOITHAO_JWT_SECRET_FILE`, ...)
    /// before anything connects, so a bad file stops the command with one line.
    fn load_secret_files(&mut self) -> Result<(), String> {
        match self {
            Command::Serve {
                database,
                serve,
                notify,
                ..
            } => {
                database.load_secret_files()?;
                serve.load_secret_files()?;
                notify.load_secret_files()
            }
            Command::Outbox { database, .. } => database.load_secret_files(),
            Command::Migrate { database }
            | Command::CreateAdmin { database, .. }
            | Command::SeedDemo { database }
            | Command::Purge { database, .. } => database.load_secret_files(),
            Command::Openapi | Command::Probe { .. } => Ok(()),
        }
    }
}

pub async fn run(mut cli: Cli) -> Result<(), String> {
    cli.command.load_secret_files()?;
    match cli.command {
        Command::Serve {
            database,
            serve,
            retention,
            notify,
            no_migrate,
        } => run_serve(database, serve, retention, notify, no_migrate).await,
        Command::Outbox { database, command } => crate::outbox_cli::run(&database, command).await,
        Command::Migrate { database } => {
            prepare_database(&database, true).await?;
            Ok(())
        }
        Command::Openapi => {
            let json = serde_json::to_string_pretty(&crate::openapi::spec_json())
                .map_err(|e| e.to_string())?;
            println!("{json}");
            Ok(())
        }
        Command::CreateAdmin {
            database,
            auth,
            email,
            display_name,
        } => {
            prepare_database(&database, true).await?;
            create_admin(&database, &auth, email, display_name).await
        }
        Command::Purge {
            database,
            retention,
            auth,
            dry_run,
        } => {
            prepare_database(&database, true).await?;
            purge(&database, &retention, &auth, dry_run).await
        }
        Command::SeedDemo { database } => {
            prepare_database(&database, true).await?;
            seed_demo(&database).await
        }
        Command::Probe { ready, url, listen } => {
            let url = match url {
                Some(url) => crate::probe::ProbeUrl::parse(&url)?,
                None => crate::probe::ProbeUrl::local(listen, ready),
            };
            let answer = tokio::task::spawn_blocking(move || crate::probe::probe(&url))
                .await
                .map_err(|e| e.to_string())??;
            println!("{answer}");
            Ok(())
        }
    }
}

/// Statement timeouts, deadlocks and terminated backends are told apart by PostgreSQL's English
/// messages (diesel-async passes no SQLSTATE for them), so say so when the server speaks
/// another language: those faults would then be answered as 500 instead of 503.
async fn warn_unless_english_messages(pool: &crate::db::DbPool) {
    let Ok(mut conn) = pool.get().await else {
        return;
    };
    if let Ok(locale) = crate::db::message_locale(&mut conn).await
        && !crate::db::is_english_locale(&locale)
    {
        tracing::warn!(
            lc_messages = %locale,
            "PostgreSQL reports errors in another language; set lc_messages to 'C' or an \
             English locale so database timeouts and deadlocks are answered as 503"
        );
    }
}

/// Checks the server answers (creating the database if asked) and applies migrations.
async fn prepare_database(database: &DatabaseSettings, migrate: bool) -> Result<(), String> {
    crate::db::ensure_database(database, true).await?;
    if migrate {
        let applied = crate::db::run_migrations(database.database_url.expose())
            .await
            .map_err(|e| {
                format!(
                    "migrations failed at {}: {e}",
                    crate::db::describe_target(database.database_url.expose())
                )
            })?;
        tracing::info!(count = applied.len(), versions = ?applied, "migrations applied");
    }
    Ok(())
}

async fn run_serve(
    database: DatabaseSettings,
    serve: ServeSettings,
    retention: RetentionSettings,
    notify: NotifySettings,
    no_migrate: bool,
) -> Result<(), String> {
    crate::domain::notifications::worker::check_settings(&notify)
        .map_err(|e| format!("cannot start: {e}"))?;
    prepare_database(&database, !no_migrate).await?;
    let mut state = crate::startup::build_state(
        &database,
        serve.jwt_secret.as_ref(),
        &serve.auth,
        serve.trust_forwarded_for,
        chrono::Duration::minutes(i64::from(serve.checkin_window_margin_minutes)),
    )
    .await
    .map_err(|e| format!("cannot start: {e}"))?;
    warn_unless_english_messages(&state.pool).await;
    let worker = crate::domain::notifications::worker::Worker::from_settings(
        state.pool.clone(),
        &notify,
        serve.webhook_allow_private,
    )
    .map_err(|e| format!("cannot start: {e}"))?;
    state.email_configured = worker.sends_email();
    if !state.email_configured {
        tracing::warn!(
            "HOITHAO_SMTP_URL is not set: emails are queued in the outbox (state pending) and \
             none is sent until a server with SMTP configured runs"
        );
    }
    actix_web::rt::spawn(worker.run(state.shutdown.clone()));
    let listener = TcpListener::bind(serve.listen)
        .map_err(|e| format!("cannot listen on {}: {e}", serve.listen))?;
    tracing::info!(address = %serve.listen, "listening");
    let shutdown = state.shutdown.clone();
    actix_web::rt::spawn(crate::domain::privacy::retention::run_periodically(
        state.pool.clone(),
        retention_days(&retention),
        throttle_window(&serve.auth),
        std::time::Duration::from_secs(retention.purge_interval_secs),
    ));
    let metrics = match serve.metrics_listen {
        Some(address) => {
            let listener = TcpListener::bind(address)
                .map_err(|e| format!("cannot listen on {address} (HOITHAO_METRICS_LISTEN): {e}"))?;
            tracing::info!(%address, "metrics listening");
            let server = crate::http::metrics::serve_metrics(state.clone(), listener)
                .map_err(|e| e.to_string())?;
            let handle = server.handle();
            actix_web::rt::spawn(server);
            Some(handle)
        }
        None => None,
    };
    let server = crate::startup::serve(state, &serve, listener).map_err(|e| e.to_string())?;
    actix_web::rt::spawn(crate::startup::stop_on_signal(shutdown, server.handle()));
    server.await.map_err(|e| e.to_string())?;
    // Scrapes go on while the API drains, so the last figures are collected.
    if let Some(metrics) = metrics {
        metrics.stop(true).await;
    }
    tracing::info!("stopped");
    Ok(())
}

fn retention_days(settings: &RetentionSettings) -> i32 {
    i32::try_from(settings.retention_days).unwrap_or(i32::MAX)
}

fn throttle_window(auth: &AuthSettings) -> i64 {
    i64::try_from(auth.login_window_secs).unwrap_or(i64::MAX)
}

async fn purge(
    database: &DatabaseSettings,
    retention: &RetentionSettings,
    auth: &AuthSettings,
    dry_run: bool,
) -> Result<(), String> {
    let pool = crate::db::build_pool(database).map_err(|e| format!("cannot start: {e}"))?;
    let mut conn = pool.get().await.map_err(|e| e.to_string())?;
    let report = crate::domain::privacy::retention::purge(
        &mut conn,
        retention_days(retention),
        throttle_window(auth),
        dry_run,
    )
    .await
    .map_err(describe)?;
    let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    println!("{json}");
    Ok(())
}

async fn create_admin(
    database: &DatabaseSettings,
    auth: &AuthSettings,
    email: String,
    display_name: String,
) -> Result<(), String> {
    let password = match std::env::var("HOITHAO_ADMIN_PASSWORD") {
        Ok(password) => password,
        Err(_) => {
            let mut input = String::new();
            std::io::stdin()
                .read_to_string(&mut input)
                .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
            input.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let pool = crate::db::build_pool(database).map_err(|e| format!("cannot start: {e}"))?;
    let passwords = PasswordHasher::new(auth.argon2_memory_kib, auth.argon2_iterations)
        .map_err(|e| format!("invalid argon2 parameters: {e}"))?;
    let account = accounts::create(
        &pool,
        &passwords,
        NewAccount {
            email,
            display_name,
            password,
            role: Some(Role::Admin),
        },
    )
    .await
    .map_err(describe)?;
    println!("created admin {} ({})", account.email, account.id);
    Ok(())
}

fn describe(error: ApiError) -> String {
    let problem = error.problem();
    let fields: Vec<String> = problem
        .errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect();
    if fields.is_empty() {
        problem.detail
    } else {
        format!("{} ({})", problem.detail, fields.join("; "))
    }
}

pub const DEMO_CODE: &str = "sxsh-vinh-phuc-demo";

/// Vĩnh Phúc's district-level units with their economic offices and some communes, the
/// Department of Industry and Trade and its divisions, and enterprises (synthetic names).
const DEMO_UNITS: &str = include_str!("seed/units.csv");

/// The demo conference, dated 30 days from now so that registration is open.
async fn seed_demo(database: &DatabaseSettings) -> Result<(), String> {
    let pool = crate::db::build_pool(database).map_err(|e| e.to_string())?;
    let mut conn = pool.get().await.map_err(|e| e.to_string())?;
    let tz = chrono_tz::Asia::Ho_Chi_Minh;
    let day = (Utc::now().with_timezone(&tz).date_naive())
        .checked_add_days(Days::new(30))
        .ok_or("date overflow")?;
    let at = |h: u32, m: u32| {
        let time = NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
        tz.from_local_datetime(&day.and_time(time))
            .single()
            .map(|t| t.fixed_offset())
            .ok_or("bad local time")
    };
    let conference = NewConference {
        code: DEMO_CODE.to_owned(),
        title: "Hội nghị, hội thảo chuyên đề phát triển CN-TTCN, sản xuất sạch hơn, tiết kiệm nguyên liệu".to_owned(),
        description: Some(
            "Giới thiệu phương pháp luận, kỹ thuật áp dụng sản xuất sạch hơn (SXSH), các mô hình điển hình \
             và cơ chế hỗ trợ tài chính cho cơ quan quản lý và cơ sở sản xuất kinh doanh tỉnh Vĩnh Phúc."
                .to_owned(),
        ),
        venue_name: Some("Trung tâm Khuyến công và Tư vấn phát triển công nghiệp Vĩnh Phúc".to_owned()),
        venue_address: Some("Vĩnh Yên, Vĩnh Phúc".to_owned()),
        starts_at: at(7, 30)?,
        ends_at: at(11, 30)?,
        time_zone: Some("Asia/Ho_Chi_Minh".to_owned()),
        registration_opens_at: None,
        registration_closes_at: Some(at(7, 0)?),
        capacity: Some(150),
        waitlist_enabled: Some(true),
        registration_mode: Some(RegistrationMode::InvitationOnly),
        host_organization: Some("Trung tâm Khuyến công và Tư vấn phát triển công nghiệp Vĩnh Phúc".to_owned()),
        co_host_organizations: Some(vec!["Công ty TNHH xanh GANAM".to_owned()]),
        sender_email: None,
    };
    let agenda = [
        (
            (7, 30),
            (8, 0),
            SessionKind::Opening,
            "Khai mạc hội nghị",
            vec!["Nguyễn Minh Trung", "Nguyễn Xuân Bình"],
        ),
        (
            (8, 0),
            (9, 0),
            SessionKind::Presentation,
            "Phương pháp luận và kỹ thuật sản xuất sạch hơn",
            vec![],
        ),
        (
            (9, 0),
            (9, 45),
            SessionKind::Presentation,
            "Mô hình điển hình áp dụng SXSH tại doanh nghiệp",
            vec![],
        ),
        ((9, 45), (10, 0), SessionKind::Break, "Giải lao", vec![]),
        (
            (10, 0),
            (10, 30),
            SessionKind::Presentation,
            "Cơ chế hỗ trợ tài chính cho SXSH",
            vec![],
        ),
        (
            (10, 30),
            (10, 50),
            SessionKind::Film,
            "Trình chiếu phim về sản xuất sạch hơn",
            vec![],
        ),
        (
            (10, 50),
            (11, 30),
            SessionKind::Discussion,
            "Thảo luận, chia sẻ kinh nghiệm và giải đáp",
            vec![],
        ),
    ];
    let mut sessions_input = Vec::new();
    for ((sh, sm), (eh, em), kind, title, speakers) in agenda {
        sessions_input.push(NewSession {
            title: title.to_owned(),
            description: None,
            kind,
            room: Some("Hội trường".to_owned()),
            speakers: Some(speakers.into_iter().map(str::to_owned).collect()),
            starts_at: at(sh, sm)?,
            ends_at: at(eh, em)?,
            capacity: None,
            signup_required: Some(false),
        });
    }
    let created = conn
        .transaction::<_, ApiError, _>(async |conn| {
            if crate::db::conferences::find_by_code(conn, DEMO_CODE)
                .await?
                .is_some()
            {
                return Ok(false);
            }
            let admin = crate::db::accounts::first_admin(conn).await?;
            let row = conferences::insert_validated(conn, admin, &conference).await?;
            for session in &sessions_input {
                sessions::insert_validated(conn, &row, session).await?;
            }
            crate::db::conferences::set_status(conn, row.id, ConferenceStatus::Published).await?;
            if crate::db::units::directory(conn).await?.is_empty() {
                crate::domain::units::import_csv_with(
                    conn,
                    "text/csv",
                    DEMO_UNITS.as_bytes(),
                    false,
                )
                .await?;
            }
            Ok(true)
        })
        .await
        .map_err(describe)?;
    if created {
        println!(
            "created the published demo conference `{DEMO_CODE}` with {} sessions (and the demo units directory if it was empty)",
            sessions_input.len()
        );
    } else {
        println!("the demo conference `{DEMO_CODE}` exists already; nothing changed");
    }
    Ok(())
}

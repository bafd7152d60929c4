//! Command line: serve (default), `rotate-key`, `generate-api-key`. Every flag also reads the env variable shown.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::config::{dev_app, AppConfig, ConfigFile};
use crate::state::AppState;
use crate::{db, ids, tokens};

#[derive(Debug, Parser)]
#[command(
    name = "auth-server",
    version,
    about = "Self-hosted, Passage-compatible auth API"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Apps to serve, from a TOML file (see config.example.toml).
    #[arg(long, env = "AUTH_CONFIG", conflicts_with = "dev")]
    pub config: Option<PathBuf>,

    /// Serve the development app `dev-app` instead of a config file.
    #[arg(long)]
    pub dev: bool,

    /// The SPA origin the dev app serves (its host is the WebAuthn RP ID).
    #[arg(long, env = "DEV_ORIGIN", default_value = "http://localhost:8080")]
    pub dev_origin: String,

    /// Management API key of the dev app (default: random, printed at start).
    #[arg(long, env = "DEV_API_KEY")]
    pub dev_api_key: Option<String>,

    /// Address to listen on (port 0 picks a free port; the chosen address is printed).
    #[arg(long, env = "BIND", default_value = "127.0.0.1:8081")]
    pub bind: SocketAddr,

    /// sqlite://FILE (created if missing) or postgres://...
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://.data/auth.sqlite3",
        global = true
    )]
    pub database_url: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a new signing key; the previous one stays in the JWKS so issued tokens keep verifying.
    RotateKey,
    /// Print a new random management API key and the SHA-256 to put in the config file.
    GenerateApiKey,
}

/// Run the command line. Errors are returned as text for `main` to print.
pub async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Some(Command::RotateKey) => {
            let pool = db::connect(&cli.database_url)
                .await
                .map_err(|e| e.to_string())?;
            // Make sure a first key exists, so rotation always leaves a previous key behind.
            tokens::SigningKeys::load_or_create(&pool)
                .await
                .map_err(|e| e.to_string())?;
            let kid = tokens::rotate(&pool).await.map_err(|e| e.to_string())?;
            println!("new signing key: kid {kid} (the previous key stays in the JWKS; running servers pick it up within a minute)");
            Ok(())
        }
        Some(Command::GenerateApiKey) => {
            let key = ids::random_secret();
            println!("api key:   {key}");
            println!("sha256:    {}", ids::sha256_hex(&key));
            println!(
                "config:    management_api_key_sha256 = [\"{}\"]",
                ids::sha256_hex(&key)
            );
            Ok(())
        }
        None => serve(cli).await,
    }
}

fn apps_from(cli: &Cli) -> Result<Vec<AppConfig>, String> {
    if cli.dev {
        let key = cli.dev_api_key.clone().unwrap_or_else(ids::random_secret);
        let app = dev_app(&cli.dev_origin, &key);
        app.validate().map_err(|e| format!("--dev-origin: {e}"))?;
        println!(
            "dev app `{}` for {} (RP ID {}); management API key: {key}",
            app.id,
            app.normalized_origin(),
            app.rp_id().map_err(|e| e.to_string())?
        );
        Ok(vec![app])
    } else if let Some(path) = &cli.config {
        Ok(ConfigFile::load(path).map_err(|e| e.to_string())?.apps)
    } else {
        Err("nothing to serve: pass --config FILE (or AUTH_CONFIG) or --dev".into())
    }
}

async fn serve(cli: Cli) -> Result<(), String> {
    let apps = apps_from(&cli)?;
    let pool = db::connect(&cli.database_url)
        .await
        .map_err(|e| e.to_string())?;
    let state = AppState::new(pool, apps).await.map_err(|e| e.to_string())?;
    spawn_housekeeping(state.clone());
    let listener = tokio::net::TcpListener::bind(cli.bind)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", cli.bind))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!(
        "auth-server listening on http://{addr} (apps: {})",
        state.app_ids().join(", ")
    );
    axum::serve(listener, crate::app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| e.to_string())
}

/// Every minute: drop expired WebAuthn handshakes and pick up rotated signing keys.
fn spawn_housekeeping(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Err(err) = crate::store::challenges::sweep_expired(state.db()).await {
                tracing::warn!(%err, "sweeping expired handshakes failed");
            }
            if let Err(err) = state.reload_keys().await {
                tracing::warn!(%err, "reloading signing keys failed");
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut sig) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            sig.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}

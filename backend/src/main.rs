//! `backend`: parses flags (each also read from its environment variable), logs with `RUST_LOG`, serves the API
//! until Ctrl-C or SIGTERM.

use std::io::IsTerminal;

use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

use backend::{db::redact_url, AppState, Config};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        // Colours only on a terminal: log files and collectors get plain text.
        .with_ansi(std::io::stdout().is_terminal())
        .init();
    let config = Config::load();
    match run(config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error:#}");
            eprintln!("backend: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> anyhow::Result<()> {
    for warning in config.startup_warnings() {
        tracing::warn!("{warning}");
    }
    let state = AppState::from_config(&config).await?;
    let listener = TcpListener::bind(config.bind)
        .await
        .map_err(|error| anyhow::anyhow!("cannot listen on {}: {error}", config.bind))?;
    let address = listener.local_addr()?;
    tracing::info!(
        "backend listening on http://{address} · database {} ({}) · auth server {} · app {} · token iss {}",
        redact_url(&config.database_url),
        state.db.kind(),
        config.auth_url,
        config.app_id,
        state.required_issuer.as_deref().unwrap_or("not checked")
    );
    let db = state.db.clone();
    backend::serve(listener, state, shutdown_signal()).await?;
    db.close().await;
    tracing::info!("backend stopped");
    Ok(())
}

/// Completes on Ctrl-C or, on Unix, SIGTERM (what `docker stop`, systemd and `cargo xtask dev` send).
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}

//! `backend`: parses flags (each also read from its environment variable), logs with `RUST_LOG` as text or JSON,
//! serves the API (and, with `--metrics-bind`, Prometheus metrics on their own listener) until Ctrl-C or SIGTERM.

use tokio::net::TcpListener;

use backend::{db::redact_url, AppState, Config};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = Config::load();
    ops::logging::init(config.log_format, "info");
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
    let shutdown = ops::Shutdown::on_signals();
    let state = AppState::from_config(&config).await?;
    let listener = bind(config.bind).await?;
    let metrics_listener = match config.metrics_bind {
        Some(address) => Some(bind(address).await?),
        None => None,
    };
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
    let metrics = async {
        let Some(listener) = metrics_listener else { return Ok(()) };
        tracing::info!("backend metrics on http://{}/metrics", listener.local_addr()?);
        let handle = ops::metrics::recorder();
        ops::metrics::spawn_upkeep(handle.clone());
        let db = db.clone();
        let sample_pool = move || {
            let (open, idle) = db.pool_use();
            ops::metrics::set_pool_gauges(open, idle);
        };
        let router = ops::metrics::router(handle, sample_pool);
        ops::serve(listener, router, config.header_read_timeout, shutdown.wait()).await
    };
    tokio::try_join!(backend::serve(listener, state, shutdown.wait()), metrics)?;
    db.close().await;
    tracing::info!("backend stopped");
    Ok(())
}

async fn bind(address: std::net::SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(address).await.map_err(|error| anyhow::anyhow!("cannot listen on {address}: {error}"))
}

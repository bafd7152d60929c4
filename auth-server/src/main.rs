use clap::Parser;

/// Without `RUST_LOG`: the server's own lines and the request span (which carries the request id) at info,
/// tower-http's per-request lines only when something fails.
const DEFAULT_LOG_FILTER: &str = "auth_server=info,ops=info,tower_http=warn";

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = auth_server::cli::Cli::parse();
    // Colour codes only on a terminal (see `ops::logging`). Values from requests are escaped where they are
    // logged, see `log_text`.
    ops::logging::init(cli.log_format, DEFAULT_LOG_FILTER);
    match auth_server::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("auth-server: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}

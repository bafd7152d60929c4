use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "auth_server=info,tower_http=warn".into()),
        )
        // Colour codes only on a terminal: a log file or collector gets plain lines. (Values from requests are
        // escaped where they are logged, see `log_text`.)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
    match auth_server::cli::run(auth_server::cli::Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("auth-server: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}

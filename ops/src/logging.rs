//! Log set-up of both servers: `RUST_LOG` filtering (else the server's default), text for people or JSON lines
//! for a collector (`--log-format`), colours only on a terminal.

use std::io::IsTerminal;

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

/// `--log-format` (env `LOG_FORMAT`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One human-readable line per event, span fields in front (`request{request_id=… route=…}: …`).
    #[default]
    Text,
    /// One JSON object per line: `timestamp`, `level`, `target`, `fields`, and `span`/`spans` with the request's
    /// `request_id`, `method`, `route` and `uri`.
    Json,
}

/// Installs the global subscriber writing to stdout. `default_filter` applies when `RUST_LOG` is unset or
/// invalid.
pub fn init(format: LogFormat, default_filter: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    // Colours only on a terminal: log files and collectors get plain text.
    let ansi = std::io::stdout().is_terminal();
    // `try_init` also forwards the `log` crate's records (dependencies that use it) into tracing.
    let _ = subscriber(format, filter, std::io::stdout, ansi).try_init();
}

/// The subscriber [`init`] installs, writing to `writer` (tests give a buffer).
pub fn subscriber<W>(
    format: LogFormat,
    filter: EnvFilter,
    writer: W,
    ansi: bool,
) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer);
    match format {
        LogFormat::Text => Box::new(builder.with_ansi(ansi).finish()),
        LogFormat::Json => Box::new(builder.json().with_current_span(true).with_span_list(true).finish()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    use axum::body::Body;
    use axum::http::Request;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Buffer {
        type Writer = Buffer;
        fn make_writer(&'a self) -> Buffer {
            self.clone()
        }
    }

    async fn log_of_one_request(format: LogFormat) -> String {
        let buffer = Buffer::default();
        let subscriber = subscriber(format, EnvFilter::new("info"), buffer.clone(), false);
        let _guard = tracing::subscriber::set_default(subscriber);
        let app = crate::observe(
            Router::new().route(
                "/users/{id}",
                get(|| async {
                    tracing::warn!("handler line");
                    "ok"
                }),
            ),
            "api",
        );
        let request = Request::get("/users/7\u{2028}x").header("x-request-id", "lb-req-42").body(Body::empty());
        let response = app.oneshot(request.unwrap()).await.unwrap();
        assert_eq!(response.headers()["x-request-id"], "lb-req-42");
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        text
    }

    #[tokio::test]
    async fn json_lines_carry_the_request_id_route_and_escaped_uri() {
        let log = log_of_one_request(LogFormat::Json).await;
        let line = log.lines().find(|line| line.contains("handler line")).unwrap_or_else(|| panic!("{log}"));
        let event: serde_json::Value = serde_json::from_str(line).expect("one JSON object per line");
        assert_eq!(event["level"], "WARN");
        assert_eq!(event["fields"]["message"], "handler line");
        assert_eq!(event["span"]["request_id"], "lb-req-42", "{line}");
        assert_eq!(event["span"]["route"], "/users/{id}");
        assert_eq!(event["span"]["method"], "GET");
        assert_eq!(event["span"]["uri"], "/users/7\\u{2028}x", "escaped before JSON: {line}");
    }

    #[tokio::test]
    async fn text_lines_show_the_span_fields_in_front() {
        let log = log_of_one_request(LogFormat::Text).await;
        let line = log.lines().find(|line| line.contains("handler line")).unwrap_or_else(|| panic!("{log}"));
        assert!(line.contains("request{request_id=lb-req-42 method=GET route=/users/{id}"), "{line}");
        assert!(line.contains(r"uri=/users/7\u{2028}x"), "{line}");
        assert!(!log.contains('\u{2028}'));
    }
}

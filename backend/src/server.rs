//! Serves a router over HTTP/1.1 with time limits on slow clients, until a shutdown signal; then lets the
//! requests under way finish.
//!
//! `axum::serve` has no header read timeout, so a client that opens connections and sends its headers a byte at
//! a time (slow loris) could hold them open forever. OWASP ASVS 5.0 V15.2.2 asks that the application defend
//! against loss of availability due to resource-demanding work; the limits here are: the request line and headers
//! must arrive within `header_read_timeout` (hyper's timer also runs while a keep-alive connection waits for its
//! next request, so idle connections are closed after the same time), and at most [`MAX_HEAD_BYTES`] are
//! buffered per connection. The whole request, body included, is bounded by the router's `TimeoutLayer`.
//!
//! Only HTTP/1.1 is spoken: browsers never use cleartext HTTP/2 (h2c), and a TLS proxy in front can speak HTTP/2
//! to them.

use std::future::Future;
use std::io;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

/// Read buffer per connection, which bounds the request line plus headers (hyper answers 431 beyond it). A real
/// request with its bearer token (at most 8 KiB, see `token::MAX_TOKEN_BYTES`) is far smaller; hyper's default
/// (about 400 KiB) would let each slow connection pin that much memory.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Accepts connections on `listener` and serves `app` on each until `shutdown` completes. Then it stops
/// accepting, lets every connection finish the request it is on (idle ones close at once) and returns.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    header_read_timeout: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(header_read_timeout).max_buf_size(MAX_HEAD_BYTES);
    let connections = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(error) => {
                    wait_after_accept_error(error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let connection =
            connections.watch(http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone())));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                // Header timeouts, clients that went away, malformed requests: the client's problem, and logging
                // each at a higher level would let a flood of them flood the log.
                tracing::debug!(%error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    connections.shutdown().await;
    Ok(())
}

/// Errors of one connection (reset before it was accepted) are skipped; others, such as running out of file
/// descriptors, are logged and followed by a pause so the loop does not spin (what `axum::serve` does too).
async fn wait_after_accept_error(error: io::Error) {
    if matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "cannot accept a connection; retrying in 1 s");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

//! Serves a router over HTTP/1.1 with time limits on slow clients, until a shutdown signal; then lets the
//! requests under way finish.
//!
//! `axum::serve` has no header read timeout, so a client that opens connections and sends its headers a byte at
//! a time (slow loris) could hold them open forever. OWASP ASVS 5.0 V15.2.2 asks that the application defend
//! against loss of availability due to resource-demanding work; the limits here are: the request line and headers
//! must arrive within `header_read_timeout` (hyper's timer also runs while a keep-alive connection waits for its
//! next request, so idle connections are closed after the same time), and at most [`MAX_HEAD_BYTES`] are
//! buffered per connection. The whole request, body included, is bounded by each server's own timeout layer.
//!
//! Only HTTP/1.1 is spoken: browsers never use cleartext HTTP/2 (h2c), a TLS proxy in front can speak HTTP/2 to
//! them, and it needs no protocol sniffing (which would wait, without a timeout, for the first bytes).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// Read buffer per connection, which bounds the request line plus headers (hyper answers 431 beyond it). A real
/// request with its bearer token (at most 8 KiB) is far smaller; hyper's default (about 400 KiB) would let each
/// slow connection pin that much memory.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Accepts connections on `listener` and serves `router` on each until `shutdown` completes. Then it stops
/// accepting (the listener is closed: new connections are refused), lets every connection finish the request it
/// is on (idle ones close at once) and returns.
///
/// Each request carries its socket peer as `ConnectInfo<SocketAddr>` (the auth server's per-network limits read
/// it; behind a proxy it is the proxy's address).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    header_read_timeout: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(header_read_timeout).max_buf_size(MAX_HEAD_BYTES);
    let connections = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    wait_after_accept_error(error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let router = router.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
            let mut request = request.map(axum::body::Body::new);
            request.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            router.clone().oneshot(request)
        });
        let connection = connections.watch(http.serve_connection(TokioIo::new(stream), service));
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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use std::io::{Read, Write};
    use tokio::sync::oneshot;

    fn raw_get(addr: SocketAddr, path: &str) -> String {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }

    /// SIGTERM while a request is being answered: that request still gets its full answer, and once the server
    /// has stopped accepting, a new connection is refused.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn shutdown_lets_the_request_in_flight_finish_and_refuses_new_connections() {
        let (entered_tx, entered_rx) = oneshot::channel::<()>();
        let (release_tx, release_rx) = oneshot::channel::<()>();
        let gates = std::sync::Arc::new(std::sync::Mutex::new(Some((entered_tx, release_rx))));
        let router = Router::new()
            .route(
                "/slow",
                get(move || {
                    let gates = gates.lock().unwrap().take();
                    async move {
                        let (entered, release) = gates.expect("one slow request");
                        entered.send(()).unwrap();
                        release.await.unwrap();
                        "finished"
                    }
                }),
            )
            .route("/peer", get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.ip().to_string() }));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (trigger, shutdown) = crate::Shutdown::manual();
        let server = tokio::spawn(serve(listener, router, Duration::from_secs(5), shutdown.wait()));

        let peer = tokio::task::spawn_blocking(move || raw_get(addr, "/peer")).await.unwrap();
        assert!(peer.ends_with("127.0.0.1"), "ConnectInfo is the socket peer: {peer}");

        let in_flight = tokio::task::spawn_blocking(move || raw_get(addr, "/slow"));
        entered_rx.await.unwrap();
        trigger.trigger();
        // The accept loop has stopped (and closed its listener) while the slow request is still open.
        tokio::time::timeout(Duration::from_secs(10), async {
            while tokio::net::TcpStream::connect(addr).await.is_ok() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await
        .expect("new connections are refused after shutdown");
        assert!(!server.is_finished(), "the server waits for the request in flight");
        release_tx.send(()).unwrap();
        let response = in_flight.await.unwrap();
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        assert!(response.ends_with("finished"), "{response}");
        tokio::time::timeout(Duration::from_secs(10), server).await.expect("drained").unwrap().unwrap();
    }

    /// A client that never finishes its headers is disconnected after the header read timeout.
    #[tokio::test]
    async fn headers_that_never_finish_are_cut_off() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (_trigger, shutdown) = crate::Shutdown::manual();
        tokio::spawn(serve(listener, Router::new(), Duration::from_millis(300), shutdown.wait()));
        let received = tokio::task::spawn_blocking(move || {
            let mut stream = std::net::TcpStream::connect(addr).unwrap();
            stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
            stream.write_all(b"GET / HTTP/1.1\r\nHost: test\r\nX-Slow: ").unwrap();
            let mut received = Vec::new();
            match stream.read_to_end(&mut received) {
                Ok(_) => {}
                Err(error) if error.kind() == io::ErrorKind::ConnectionReset => {}
                Err(error) => panic!("the connection stayed open: {error}"),
            }
            received
        })
        .await
        .unwrap();
        assert!(!String::from_utf8_lossy(&received).contains("200"));
    }
}

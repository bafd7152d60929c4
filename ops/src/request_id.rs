//! The request id: one value per request that the load balancer's access log, both servers' log lines and the
//! client's error report share. A well-formed incoming `X-Request-Id` (what nginx's `$request_id` and most load
//! balancers send) is kept; anything else is replaced by a fresh random id, so a client cannot put arbitrary text
//! (line breaks, a megabyte) into every log line of its request. The id goes back in the response's
//! `X-Request-Id`.

use std::fmt;

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest incoming id accepted (a UUID is 36 characters, nginx's `$request_id` 32).
pub const MAX_LEN: usize = 128;

/// A request id: 1 to [`MAX_LEN`] characters of `A-Z a-z 0-9 . _ : -`. Safe to log and to send as a header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    /// `text` if it is a well-formed id.
    pub fn parse(text: &str) -> Option<RequestId> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-');
        ((1..=MAX_LEN).contains(&text.len()) && text.chars().all(allowed)).then(|| RequestId(text.to_owned()))
    }

    /// 16 bytes from the OS's randomness as 32 hex digits (the shape of nginx's `$request_id`).
    pub fn random() -> RequestId {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).expect("the OS random number generator is available");
        RequestId(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
    }

    /// The incoming header's id when it is well formed, else a fresh one.
    pub fn from_headers(headers: &HeaderMap) -> RequestId {
        headers
            .get(X_REQUEST_ID)
            .and_then(|value| value.to_str().ok())
            .and_then(RequestId::parse)
            .unwrap_or_else(RequestId::random)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn header_value(&self) -> HeaderValue {
        HeaderValue::from_str(&self.0).expect("a request id is a valid header value")
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Middleware: decides the request's id, stores it as a request extension (the log span reads it there) and
/// in the request's own `X-Request-Id` (so a handler forwarding the request passes on the same id), and echoes it
/// in the response.
pub async fn assign(mut request: Request, next: Next) -> Response {
    let id = RequestId::from_headers(request.headers());
    request.headers_mut().insert(X_REQUEST_ID, id.header_value());
    request.extensions_mut().insert(id.clone());
    let mut response = next.run(request).await;
    response.headers_mut().insert(X_REQUEST_ID, id.header_value());
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use axum::{Extension, Router};
    use tower::ServiceExt;

    #[test]
    fn well_formed_ids_are_kept_and_others_refused() {
        for good in ["a", "0f8fad5b-d9cb-469f-a165-70867728950e", "lb-1:req.42_x", &"x".repeat(MAX_LEN)] {
            assert_eq!(RequestId::parse(good).unwrap().as_str(), good);
        }
        for bad in ["", "with space", "line\nbreak", "caf\u{e9}", "semi;colon", "a/b", &"x".repeat(MAX_LEN + 1)] {
            assert_eq!(RequestId::parse(bad), None, "{bad:?}");
        }
        let fresh = RequestId::random();
        assert_eq!(fresh.as_str().len(), 32);
        assert!(RequestId::parse(fresh.as_str()).is_some());
        assert_ne!(fresh, RequestId::random());
    }

    async fn ids_seen(sent: Option<&[u8]>) -> (String, String) {
        let app = Router::new()
            .route("/", get(|Extension(id): Extension<RequestId>| async move { id.to_string() }))
            .layer(axum::middleware::from_fn(assign));
        let mut request = axum::http::Request::get("/");
        if let Some(sent) = sent {
            request = request.header(X_REQUEST_ID, HeaderValue::from_bytes(sent).unwrap());
        }
        let response = app.oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
        let echoed = response.headers()[X_REQUEST_ID].to_str().unwrap().to_owned();
        let bytes = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
        (String::from_utf8(bytes.to_vec()).unwrap(), echoed)
    }

    #[tokio::test]
    async fn the_load_balancers_id_is_used_and_echoed() {
        let (seen, echoed) = ids_seen(Some(b"7d3f0c1e-lb")).await;
        assert_eq!((seen.as_str(), echoed.as_str()), ("7d3f0c1e-lb", "7d3f0c1e-lb"));
    }

    #[tokio::test]
    async fn a_missing_or_malformed_id_is_replaced_by_a_fresh_one() {
        for sent in [None, Some(&b"evil id\twith tab"[..]), Some(&[0xe2, 0x80, 0xa8][..]), Some(&[b'a'; 129][..])] {
            let (seen, echoed) = ids_seen(sent).await;
            assert_eq!(seen, echoed, "the handler and the response see one id");
            assert_eq!(seen.len(), 32, "{sent:?} replaced by a random id: {seen}");
            assert!(seen.chars().all(|c| c.is_ascii_hexdigit()));
        }
    }
}

//! A backend under test, driven with `app(state).oneshot(request)`, and helpers to build requests and read replies.

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use backend::{app, AppState, Config};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use super::{test_config, FakeAuthServer, TestDb};

/// One backend under test with its fake auth server and database.
pub struct Harness {
    pub auth: FakeAuthServer,
    pub state: AppState,
    pub db: TestDb,
}

impl Harness {
    pub async fn start(db: TestDb) -> Harness {
        Harness::start_with(db, |_| {}).await
    }

    pub async fn start_with(db: TestDb, tune: impl FnOnce(&mut Config)) -> Harness {
        let auth = FakeAuthServer::start().await;
        let mut config = test_config(&auth.url, db.url());
        tune(&mut config);
        let state = AppState::from_config(&config).await.expect("backend state");
        Harness { auth, state, db }
    }

    pub fn app(&self) -> Router {
        app(self.state.clone())
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        send(self.app(), request).await
    }

    pub async fn post_name(&self, token: &str, name: &str) -> Reply {
        self.send(post_json("/user", Some(token), &json!({ "name": name }).to_string())).await
    }

    pub async fn get_user(&self, token: &str) -> Reply {
        self.send(get("/user", Some(token))).await
    }

    pub async fn delete_user(&self, token: Option<&str>) -> Reply {
        self.send(delete("/user", token)).await
    }

    pub async fn finish(self) {
        self.state.db.close().await;
        self.db.cleanup().await;
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    /// Asserts the API's error shape and returns the code.
    pub fn error_code(&self) -> &str {
        assert_eq!(
            self.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()),
            Some("application/json"),
            "error responses are JSON: {:?}",
            self.body
        );
        let message = self.body["error"]["message"].as_str().expect("error.message is a string");
        assert!(!message.is_empty());
        self.body["error"]["code"].as_str().expect("error.code is a string")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub async fn send(app: Router, request: Request<Body>) -> Reply {
    let response = app.oneshot(request).await.expect("the router is infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| panic!("body is not JSON: {:?}", String::from_utf8_lossy(&bytes)))
    };
    Reply { status, headers, body }
}

pub fn get(path: &str, token: Option<&str>) -> Request<Body> {
    without_body(Method::GET, path, token)
}

pub fn delete(path: &str, token: Option<&str>) -> Request<Body> {
    without_body(Method::DELETE, path, token)
}

fn without_body(method: Method, path: &str, token: Option<&str>) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    builder.body(Body::empty()).unwrap()
}

pub fn post_json(path: &str, token: Option<&str>, body: &str) -> Request<Body> {
    let mut builder =
        Request::builder().method(Method::POST).uri(path).header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    builder.body(Body::from(body.to_owned())).unwrap()
}

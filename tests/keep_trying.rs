//! `api::keep_trying`, the loop behind the dashboard's "retrying…" (loading the profile and finishing a pending
//! one), with scripted attempts instead of a network, in headless Chromium (its waits are real timers).
#![cfg(target_arch = "wasm32")]

use std::cell::{Cell, RefCell};

use leptos_passage::api::{keep_trying, ApiFailure};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn network() -> ApiFailure {
    ApiFailure::Network("TypeError: Failed to fetch".into())
}

fn status(status: u16) -> ApiFailure {
    ApiFailure::Status { status, message: format!("status {status}") }
}

/// Runs `keep_trying` over `script` (one outcome per attempt); returns the result, the attempts made and the
/// failures reported while waiting.
async fn run(
    script: Vec<Result<&'static str, ApiFailure>>,
    wanted: impl Fn() -> bool,
) -> (Result<&'static str, ApiFailure>, usize, Vec<ApiFailure>) {
    let script = RefCell::new(script.into_iter());
    let attempts = Cell::new(0);
    let reported = RefCell::new(Vec::new());
    let result = keep_trying(
        || {
            attempts.set(attempts.get() + 1);
            let next = script.borrow_mut().next().expect("no more attempts were scripted");
            async move { next }
        },
        |failure| reported.borrow_mut().push(failure.clone()),
        wanted,
    )
    .await;
    (result, attempts.get(), reported.into_inner())
}

#[wasm_bindgen_test]
async fn retries_network_errors_and_server_trouble_until_an_answer() {
    let (result, attempts, reported) =
        run(vec![Err(network()), Err(status(503)), Err(network()), Ok("user")], || true).await;
    assert_eq!(result, Ok("user"));
    assert_eq!(attempts, 4);
    assert_eq!(reported, [network(), status(503), network()], "each transient failure is reported for the page");
}

#[wasm_bindgen_test]
async fn stops_at_a_failure_that_retrying_cannot_fix() {
    let (result, attempts, reported) = run(vec![Err(network()), Err(status(401))], || true).await;
    assert_eq!(result, Err(status(401)));
    assert_eq!(attempts, 2);
    assert_eq!(reported, [network()]);
}

#[wasm_bindgen_test]
async fn stops_when_the_page_is_gone() {
    let (result, attempts, _) = run(vec![Err(network()), Ok("never asked")], || false).await;
    assert_eq!(result, Err(network()), "no second request once nobody wants the answer");
    assert_eq!(attempts, 1);
}

//! `GET /dev/mailbox?to=<address>`: what the dev server "sent", newest first. Routed only in `--dev` mode.

use axum::extract::{RawQuery, State};
use axum::Json;
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::state::AppState;

pub async fn list(State(state): State<AppState>, RawQuery(query): RawQuery) -> Result<Json<Value>, ApiError> {
    // The route exists only when a dev mailbox does; this is a second guard.
    let mailbox = state
        .dev_mailbox()
        .ok_or_else(|| ApiError::new(axum::http::StatusCode::NOT_FOUND, "not_found", "No such endpoint."))?;
    let to = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(key, _)| key == "to")
        .map(|(_, value)| value.into_owned());
    Ok(Json(json!({ "messages": mailbox.messages(to.as_deref()) })))
}

//! E11 / E12 (send a magic link for registration or login), E13 (the requesting tab polls) and E14 (the tab that
//! opened the link activates it).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::email_auth::{self, Purpose, Requester};
use crate::error::{ApiError, ApiJson};
use crate::limits::ClientIp;
use crate::mail;
use crate::metrics::Ceremony;
use crate::state::{AppState, RegisteredApp};
use crate::store::magic_links::{self, Activated};
use crate::store::refresh_tokens::SignInMethod;

/// The query parameter the elements look for on page load (spec §3.0).
const LINK_PARAM: &str = "psg_magic_link";
/// The parameter of an e-mail change link (PROFILE-API.md §2.5); the auth elements send it to E14 as well.
pub const VERIFY_LINK_PARAM: &str = "psg_verify_link";
/// Every parameter name that makes the elements activate a link on page load (E14 also fires for this one).
const ACTIVATING_PARAMS: [&str; 2] = [LINK_PARAM, VERIFY_LINK_PARAM];
/// Longer paths are refused (a URL in an e-mail must stay usable).
const MAX_PATH_LEN: usize = 2048;

#[derive(Deserialize)]
pub struct SendLink {
    identifier: String,
    /// The element's UI language (the first part of its locale): the mail's, and the user's once the code or link is
    /// used (for later notices).
    #[serde(default)]
    language: Option<String>,
    /// The requesting page's `pathname + search + hash`; the link opens the same page.
    #[serde(default)]
    magic_link_path: Option<String>,
}

fn link_ttl(app: &RegisteredApp) -> Result<u64, ApiError> {
    app.config.auth_methods.magic_link.as_ref().map(|m| m.ttl).ok_or_else(|| ApiError::method_disabled("magic link"))
}

fn invalid_path() -> ApiError {
    ApiError::bad_request(
        "invalid_magic_link_path",
        "magic_link_path must be a path on this app's origin, starting with a single \"/\".",
    )
}

fn path_carries_token() -> ApiError {
    ApiError::bad_request(
        "magic_link_path_has_token",
        "magic_link_path must not contain psg_magic_link or psg_verify_link: the server adds the one link token.",
    )
}

/// Whether `path` names a link parameter anywhere (path, query or fragment), in any letter case and under any
/// number of percent-encodings. A second `psg_magic_link` would be read by the element instead of (or besides) the
/// real one: an attacker who asks for a link to the victim's address with `?psg_magic_link=<attacker's token>`
/// would have the victim's browser sign in to the attacker's account (login CSRF). ASVS 5.0 V1.2.2: "when
/// dynamically building URLs, untrusted data is encoded according to its context"; a link parameter the server
/// owns cannot be encoded safely, so it is refused.
fn names_link_param(path: &str) -> bool {
    let mut text = path.to_ascii_lowercase().into_bytes();
    // Each round undoes one layer of %XX; a few rounds cover any real double encoding, and the loop stops as soon
    // as nothing changes.
    for _ in 0..8 {
        let seen = String::from_utf8_lossy(&text);
        if ACTIVATING_PARAMS.iter().any(|param| seen.contains(param)) {
            return true;
        }
        let decoded = percent_decode(&text).to_ascii_lowercase();
        if decoded == text {
            break;
        }
        text = decoded;
    }
    false
}

/// One round of `%XX` decoding (invalid escapes stay as they are).
fn percent_decode(input: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if let (b'%', Some(hi), Some(lo)) =
            (input[i], input.get(i + 1).and_then(|&b| hex(b)), input.get(i + 2).and_then(|&b| hex(b)))
        {
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(input[i]);
            i += 1;
        }
    }
    out
}

/// `origin + path` with `psg_magic_link=<token>` added to the query, before any `#fragment` (spec E11/E12).
///
/// The path must start with exactly one `/` and contain no whitespace, control characters or `\`: anything else
/// could make the result point to another host (`//evil.example`, `@evil.example`), and the link must only ever
/// open this app. The result is parsed and its origin compared with the app's, as a last check. A path that already
/// carries a link parameter is refused (see [`names_link_param`]).
pub fn build_link(origin: &str, path: &str, token: &str) -> Result<String, ApiError> {
    build_link_with(origin, path, LINK_PARAM, token)
}

/// [`build_link`] with another link parameter (`psg_verify_link` for e-mail changes).
pub fn build_link_with(origin: &str, path: &str, param: &str, token: &str) -> Result<String, ApiError> {
    if names_link_param(path) {
        return Err(path_carries_token());
    }
    if !path.starts_with('/')
        || path.starts_with("//")
        || path.len() > MAX_PATH_LEN
        || path.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return Err(invalid_path());
    }
    let (before_fragment, fragment) = match path.split_once('#') {
        Some((before, fragment)) => (before, Some(fragment)),
        None => (path, None),
    };
    let separator = if !before_fragment.contains('?') {
        "?"
    } else if before_fragment.ends_with('?') || before_fragment.ends_with('&') {
        ""
    } else {
        "&"
    };
    let mut link = format!("{origin}{before_fragment}{separator}{param}={token}");
    if let Some(fragment) = fragment {
        link.push('#');
        link.push_str(fragment);
    }
    let parsed = url::Url::parse(&link).map_err(|_| invalid_path())?;
    let expected = url::Url::parse(origin).map_err(ApiError::internal)?;
    if parsed.origin() != expected.origin() {
        return Err(invalid_path());
    }
    Ok(link)
}

/// E11: `POST /register/magic-link` → `{"magic_link": {"id"}}`.
pub async fn register(
    state: State<AppState>,
    path: Path<String>,
    requester: Requester,
    body: ApiJson<SendLink>,
) -> Result<Json<Value>, ApiError> {
    send(state, path, requester, body, Purpose::Register).await
}

/// E12: `POST /login/magic-link` → `{"magic_link": {"id"}}` (also for pending users: "Resend").
pub async fn login(
    state: State<AppState>,
    path: Path<String>,
    requester: Requester,
    body: ApiJson<SendLink>,
) -> Result<Json<Value>, ApiError> {
    send(state, path, requester, body, Purpose::Login).await
}

async fn send(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    Requester(requested): Requester,
    ApiJson(body): ApiJson<SendLink>,
    purpose: Purpose,
) -> Result<Json<Value>, ApiError> {
    let app = state.app(&app_id)?;
    let ttl = link_ttl(&app)?;
    let path = body.magic_link_path.as_deref().unwrap_or("/");
    // Checked before anything is stored or counted: a bad path is a client bug, not an attempt.
    build_link(&app.origin, path, "check")?;
    // The budgets count the same client the message names (the extractor read it once).
    let ip = ClientIp(requested.ip);
    let user = email_auth::recipient(&state, &app, &ip, &body.identifier, purpose).await?;
    let (language, to_remember) = email_auth::requested_language(&app, body.language.as_deref());
    let (id, token) =
        magic_links::create(state.db(), &app.config.id, &user.id, to_remember, ttl as i64, state.now()).await?;
    let link = build_link(&app.origin, path, &token)?;
    // The link signs in the tab that asked for it (E13), wherever it is opened: the message says who asked, so the
    // owner can tell a request that was not theirs. ASVS 5.0 V6.3.5: "users are notified of suspicious
    // authentication attempts ... from an unusual location or client"; the message itself is that notice.
    let message = mail::magic_link_mail(&user.email, &app.config.name, &link, ttl, &requested, language);
    email_auth::deliver(&state, &message).await?;
    crate::metrics::code_sent();
    crate::metrics::ceremony_started(Ceremony::MagicLink);
    Ok(Json(json!({ "magic_link": { "id": id } })))
}

#[derive(Deserialize)]
pub struct LinkStatus {
    id: String,
}

/// E13: `POST /magic-link/status {"id"}` → 404 until the link is activated, then once `{"auth_result"}` (a fresh
/// session for the polling tab). The element polls every 5 s and ignores errors; the id is 144 random bits and
/// yields nothing until the secret link was opened. Polls are budgeted per client network (`Bucket::Poll`, generous
/// enough for ten waiting tabs) in `routes/mod.rs`, like every endpoint that needs no account.
pub async fn status(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    ip: ClientIp,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LinkStatus>,
) -> Result<Json<Value>, ApiError> {
    let app = state.app(&app_id)?;
    let ttl = link_ttl(&app)?;
    let user_id = magic_links::collect(state.db(), &app.config.id, &body.id, ttl as i64, state.now())
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "magic_link_not_activated", "Magic link not activated."))?;
    let agent = email_auth::session_user_agent(&headers);
    let auth_result = email_auth::login_by_email(&state, &app, &user_id, &ip, SignInMethod::MagicLink, agent).await?;
    Ok(Json(json!({ "auth_result": auth_result })))
}

#[derive(Deserialize)]
pub struct ActivateLink {
    magic_link: String,
}

/// E14: `PATCH /magic-link/activate {"magic_link"}` → `{"auth_result"}`; 404 for an unknown, expired or used link
/// (the element then offers a new link). An e-mail change link (P8, `psg_verify_link`) is accepted in every app,
/// also one without magic-link sign-in: opening it moves the account to the new address
/// (`email_change::apply`) and signs in, as the elements expect of a verify link (PROFILE-API.md §2.5).
pub async fn activate(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    ip: ClientIp,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ActivateLink>,
) -> Result<Json<Value>, ApiError> {
    let app = state.app(&app_id)?;
    state.limit_activation_by_ip(&ip).await?;
    // Claimed in a transaction: an e-mail change that cannot be applied (the address was taken meanwhile) rolls
    // back, link included; so does a sign-in link of an app that no longer offers them.
    let mut tx = state.db().begin().await?;
    let activated = magic_links::activate(&mut *tx, &app.config.id, body.magic_link.trim(), state.now())
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "magic_link_not_found",
                "The link is not valid, has expired, or was already used.",
            )
        })?;
    let agent = email_auth::session_user_agent(&headers);
    let auth_result = match activated {
        Activated::SignIn { user_id, language } => {
            link_ttl(&app)?;
            tx.commit().await?;
            email_auth::remember_language(&state, &user_id, language.as_deref()).await?;
            let auth_result =
                email_auth::login_by_email(&state, &app, &user_id, &ip, SignInMethod::MagicLink, agent).await?;
            crate::metrics::ceremony_finished(Ceremony::MagicLink);
            auth_result
        }
        Activated::EmailChange { user_id, new_email } => {
            super::email_change::apply(&state, &app, tx, &user_id, &new_email, &ip, agent).await?
        }
    };
    Ok(Json(json!({ "auth_result": auth_result })))
}

#[cfg(test)]
mod tests {
    use super::build_link;

    const ORIGIN: &str = "http://localhost:8080";

    #[test]
    fn the_token_goes_into_the_query_before_the_fragment() {
        let cases = [
            ("/", "http://localhost:8080/?psg_magic_link=T"),
            ("/register", "http://localhost:8080/register?psg_magic_link=T"),
            ("/?el=register", "http://localhost:8080/?el=register&psg_magic_link=T"),
            ("/a?", "http://localhost:8080/a?psg_magic_link=T"),
            ("/a?x=1&", "http://localhost:8080/a?x=1&psg_magic_link=T"),
            ("/a#top", "http://localhost:8080/a?psg_magic_link=T#top"),
            ("/a?b=c#f?g=h", "http://localhost:8080/a?b=c&psg_magic_link=T#f?g=h"),
        ];
        for (path, expected) in cases {
            assert_eq!(build_link(ORIGIN, path, "T").unwrap(), expected, "{path}");
        }
    }

    #[test]
    fn paths_that_could_leave_the_origin_are_refused() {
        for path in ["", "register", "//evil.example/", "@evil.example/", "/\\evil.example", "/a b", "/a\nb"] {
            let err = build_link(ORIGIN, path, "T").unwrap_err();
            assert_eq!(err.code, "invalid_magic_link_path", "{path:?}");
        }
        assert!(build_link(ORIGIN, &format!("/{}", "a".repeat(3000)), "T").is_err());
    }

    #[test]
    fn paths_that_carry_a_link_token_are_refused() {
        for path in [
            "/?psg_magic_link=planted",
            "/login?x=1&PSG_Magic_Link=planted",
            "/#/login?psg_magic_link=planted",
            "/%70sg_magic_link",
            "/?psg%5Fmagic%5Flink=planted",
            "/?psg%255Fmagic%255Flink=planted",
            "/psg_magic_link/",
            "/?psg_verify_link=planted",
        ] {
            assert_eq!(build_link(ORIGIN, path, "T").unwrap_err().code, "magic_link_path_has_token", "{path}");
        }
        assert!(build_link(ORIGIN, "/?psg_magic=1&link=2#psg", "T").is_ok());
    }
}

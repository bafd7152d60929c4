//! Where the abuse limits meet HTTP: the client IP extractor, the budget checks the handlers call, and
//! `per_network`, the route wrapper that puts a per-network budget in front of an unauthenticated endpoint
//! (OWASP ASVS 5.0 V2.4.1: anti-automation on every function an attacker can call without an account).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::handler::Handler;
use axum::http::request::Parts;
use axum::response::IntoResponse;
use axum::routing::{on, MethodFilter, MethodRouter};

use crate::error::ApiError;
use crate::limits::{Bucket, ClientIp, Refusal};
use crate::state::AppState;

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if state.trust_forwarded_for() {
            // The right-most entry is the one our own proxy appended (the address it saw); entries to its left
            // were sent by the client and can be anything.
            // A right-most entry that is not an IP is ignored (the socket peer is used), never skipped over.
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .next_back()
                .and_then(|entry| entry.trim().parse::<std::net::IpAddr>().ok());
            if let Some(ip) = forwarded {
                return Ok(Self(Some(ip)));
            }
        }
        Ok(Self(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip())))
    }
}

impl AppState {
    async fn limit(&self, bucket: Bucket, parts: &[&str]) -> Result<(), ApiError> {
        self.rate_limiter().check(bucket, parts, self.now()).await.map_err(|refusal| match refusal {
            Refusal::OverBudget { retry_after_secs } => {
                crate::metrics::rate_limited(bucket);
                ApiError::too_many_requests(retry_after_secs)
            }
            Refusal::StoreUnavailable => ApiError::limit_store_unavailable(),
        })
    }

    /// Count one request of `bucket` from the client's network; 429 over the budget.
    pub async fn limit_per_network(&self, bucket: Bucket, ip: &ClientIp) -> Result<(), ApiError> {
        self.limit(bucket, &[&ip.network()]).await
    }

    /// Count a send of a code or link to `email` from `ip`; 429 when a budget is used up. Budgets: per network,
    /// per (address, network), and a larger one per address from all networks. A stranger on another network
    /// uses up only their own (address, network) budget, so the owner's network still gets codes (NIST SP
    /// 800-63B §5.2.2: rate limiting must not let an attacker lock the subscriber out).
    pub async fn limit_send(&self, ip: &ClientIp, app_id: &str, email: &str) -> Result<(), ApiError> {
        let network = ip.network();
        self.limit(Bucket::Send, &[&network]).await?;
        self.limit(Bucket::SendToAddressFromNetwork, &[app_id, email, &network]).await?;
        self.limit(Bucket::SendToAddress, &[app_id, email]).await
    }

    /// Count an e-mail change request (P8): the new address gets a mail (the send budgets above), and so does the
    /// account's own address, at most `sends_per_identifier` times per window per account.
    pub async fn limit_email_change(
        &self,
        ip: &ClientIp,
        app_id: &str,
        user_id: &str,
        new_email: &str,
    ) -> Result<(), ApiError> {
        self.limit_send(ip, app_id, new_email).await?;
        self.limit(Bucket::EmailChangeForAccount, &[app_id, user_id]).await
    }

    /// Count an activation attempt from `ip`; 429 when the per-network limit is used up.
    pub async fn limit_activation_by_ip(&self, ip: &ClientIp) -> Result<(), ApiError> {
        self.limit_per_network(Bucket::Activate, ip).await
    }

    /// Count a code activation attempt for a user from `ip`'s network; 429 when that budget is used up.
    pub async fn limit_activation_by_user(&self, app_id: &str, user_id: &str, ip: &ClientIp) -> Result<(), ApiError> {
        self.limit(Bucket::ActivateAccountFromNetwork, &[app_id, user_id, &ip.network()]).await
    }
}

/// `handler` for requests matching `filter`, behind the per-network budget `bucket`: over the budget the answer
/// is 429 `too_many_requests` with `Retry-After`, before the handler reads the body or the database.
pub fn per_network<H, T>(filter: MethodFilter, bucket: Bucket, handler: H) -> MethodRouter<AppState>
where
    H: Handler<T, AppState>,
    T: 'static,
{
    on(filter, move |State(state): State<AppState>, ip: ClientIp, request: Request| async move {
        match state.limit_per_network(bucket, &ip).await {
            Ok(()) => handler.call(request, state).await,
            Err(refused) => refused.into_response(),
        }
    })
}

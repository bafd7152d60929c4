//! Automation against the endpoints anyone can call (OWASP ASVS 5.0 V2.4.1: anti-automation controls against
//! excessive calls): enumeration through E2, floods of E3/E4/E6/E13/E18, IPv6 clients hopping addresses inside
//! their /64, and a flood of distinct clients that must not grow the limiter's memory.

use auth_server::limits::Limits;
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use super::code_guessing::{uri, with_limits};
use crate::common::{assert_error, Backend, Ctx};

/// `n` requests from `ip` (IPv6 in brackets); the statuses.
async fn statuses(ctx: &Ctx, ip: &str, method: Method, path: &str, body: Option<Value>, n: usize) -> Vec<StatusCode> {
    let mut out = Vec::new();
    for _ in 0..n {
        let (status, headers, answer) = ctx.request_from(ip, &[], method.clone(), &uri(path), body.clone(), None).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert_error(status, &answer, StatusCode::TOO_MANY_REQUESTS, "too_many_requests");
            assert!(headers.contains_key("retry-after"), "429 without Retry-After");
        }
        out.push(status);
    }
    out
}

fn refused(statuses: &[StatusCode]) -> usize {
    statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count()
}

/// Old behaviour: E2 was not limited; a script could test any number of addresses.
async fn enumerating_accounts_through_lookup_is_rate_limited_per_network(backend: Backend) {
    let limits = Limits { lookups_per_ip: 5, ..Limits::default() };
    with_limits(backend, limits, async |ctx: &Ctx| {
        let lookup = "/users?identifier=someone%40example.com";
        let answers = statuses(ctx, "203.0.113.5", Method::GET, lookup, None, 6).await;
        assert_eq!(&answers[..5], &[StatusCode::OK; 5]);
        assert_eq!(answers[5], StatusCode::TOO_MANY_REQUESTS);
        // The same client written as an IPv4-mapped IPv6 address is the same client.
        assert_eq!(
            statuses(ctx, "[::ffff:203.0.113.5]", Method::GET, lookup, None, 1).await,
            [StatusCode::TOO_MANY_REQUESTS]
        );
        // Another client is not affected.
        assert_eq!(statuses(ctx, "203.0.113.6", Method::GET, lookup, None, 1).await, [StatusCode::OK]);
        // An IPv6 client hopping addresses inside its /64 is one client; the next /64 is another.
        for host in 1..=5 {
            assert_eq!(
                statuses(ctx, &format!("[2001:db8:1:1::{host}]"), Method::GET, lookup, None, 1).await,
                [StatusCode::OK]
            );
        }
        assert_eq!(
            statuses(ctx, "[2001:db8:1:1:ffff::9]", Method::GET, lookup, None, 1).await,
            [StatusCode::TOO_MANY_REQUESTS]
        );
        assert_eq!(statuses(ctx, "[2001:db8:1:2::1]", Method::GET, lookup, None, 1).await, [StatusCode::OK]);
        // The window ends.
        ctx.state.clock().advance(600);
        assert_eq!(statuses(ctx, "203.0.113.5", Method::GET, lookup, None, 1).await, [StatusCode::OK]);
    })
    .await;
}

/// Old behaviour: none of E3, E4, E6, E13, E18 was limited.
async fn flooding_each_unauthenticated_endpoint_is_rate_limited(backend: Backend) {
    let limits = Limits {
        user_creations_per_ip: 3,
        ceremony_starts_per_ip: 3,
        polls_per_ip: 3,
        refreshes_per_ip: 3,
        ..Limits::default()
    };
    with_limits(backend, limits, async |ctx: &Ctx| {
        let ip = "203.0.113.9";
        let email = json!({ "identifier": "flood@example.com" });
        let cases: [(&str, Value); 5] = [
            ("/users", email.clone()),
            ("/register/webauthn/start", email.clone()),
            ("/login/webauthn/start", email.clone()),
            ("/magic-link/status", json!({ "id": "nope" })),
            ("/tokens", json!({ "refresh_token": "nope" })),
        ];
        for (path, body) in &cases {
            // E4 and E6 share one budget (ceremony starts), so E6 is refused at once after E4 used it up.
            let n = if *path == "/login/webauthn/start" { 1 } else { 4 };
            let answers = statuses(ctx, ip, Method::POST, path, Some(body.clone()), n).await;
            assert_eq!(answers.last(), Some(&StatusCode::TOO_MANY_REQUESTS), "{path}: {answers:?}");
            assert_eq!(refused(&answers), 1, "{path}: {answers:?}");
        }
    })
    .await;
}

/// A flood of requests from distinct networks (a botnet, or one IPv6 user walking many /64s) keeps the limiter at
/// its capacity, and the flooding network's own counter survives it (OWASP ASVS 5.0 V2.4: the control itself
/// must not be exhausted).
async fn a_flood_of_distinct_networks_keeps_the_limiter_bounded(backend: Backend) {
    let limits = Limits { max_tracked_keys: 500, lookups_per_ip: 30, ..Limits::default() };
    with_limits(backend, limits, async |ctx: &Ctx| {
        let lookup = "/users?identifier=someone%40example.com";
        let hot = "198.51.100.200";
        let mut hot_statuses = Vec::new();
        for n in 0..3_000u32 {
            let ip = format!("[2001:db8:{:x}:{:x}::1]", n >> 16, n & 0xffff);
            let (status, _, _) = ctx.request_from(&ip, &[], Method::GET, &uri(lookup), None, None).await;
            assert_eq!(status, StatusCode::OK);
            if n % 100 == 0 {
                hot_statuses.extend(statuses(ctx, hot, Method::GET, lookup, None, 1).await);
            }
        }
        ctx.state.rate_limiter().sweep();
        let kept = ctx.state.rate_limiter().store().entry_count();
        assert!(kept <= 500, "{kept} counters kept");
        // The hot network made 30 requests during the flood: its budget is used up, not restarted.
        assert_eq!(refused(&hot_statuses), 0);
        assert_eq!(statuses(ctx, hot, Method::GET, lookup, None, 1).await, [StatusCode::TOO_MANY_REQUESTS]);
    })
    .await;
}

per_database!(
    enumerating_accounts_through_lookup_is_rate_limited_per_network,
    flooding_each_unauthenticated_endpoint_is_rate_limited,
    a_flood_of_distinct_networks_keeps_the_limiter_bounded,
);

//! Security tests: each test plays one attack against the real router and is named after it (issue 9).

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod account_flows;
mod pre_account_hijacking;
mod sign_counter;
mod stale_session_adds_passkey;

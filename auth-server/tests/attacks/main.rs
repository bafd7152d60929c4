//! Security tests: each test plays one attack against the real router (or the real binary) and is named after it
//! (issue 9).

#[macro_use]
#[path = "../common/mod.rs"]
#[allow(unused_macros)]
mod common;

mod account_flows;
mod account_page;
mod code_guessing;
mod dev_mode_leaks;
mod enumeration_and_floods;
mod lockout_by_stranger;
mod log_forging;
mod magic_link_planting;
mod mail_language_by_stranger;
mod pre_account_hijacking;
mod sign_counter;
mod slow_clients;
mod stale_session_adds_passkey;
mod stolen_database_dump;

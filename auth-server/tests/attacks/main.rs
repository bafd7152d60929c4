//! Security tests: each test plays one attack and is named after it.

#[path = "../common/mod.rs"]
#[allow(unused_macros)]
mod common;

mod code_guessing;
mod enumeration_and_floods;
mod lockout_by_stranger;
mod slow_clients;

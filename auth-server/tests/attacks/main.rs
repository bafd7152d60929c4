//! Security tests: each plays an attack on the auth server and is named after it (issue 9).

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod dev_mode_leaks;
mod log_forging;
mod magic_link_planting;
mod stolen_database_dump;

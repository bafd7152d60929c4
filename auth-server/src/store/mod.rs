//! Persistence, one module per table. Plain SQL that SQLite and Postgres both accept (`$n` placeholders).

pub mod challenges;
pub mod credentials;
pub mod keys;
pub mod magic_links;
pub mod notices;
pub mod otp_failures;
pub mod otps;
pub mod refresh_tokens;
pub mod user_import;
pub mod user_list;
pub mod users;

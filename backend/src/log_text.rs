//! Text from outside made safe for one log line: the shared [`ops::log_text`] (the request span escapes the URI
//! with the same rule), under this crate's name so its modules keep `crate::log_text::Untrusted`.

pub use ops::log_text::{Untrusted, MAX_LOGGED_CHARS};

//! What the SPA and the backend must agree on: the JSON bodies of `/user` and the rules for a profile name.
//!
//! This crate knows nothing about HTTP, databases or the DOM, so both sides can depend on it (the SPA compiles it
//! to wasm). The name rules live here once: the SPA checks before the element proceeds, the backend checks again
//! because a client can be bypassed, and both give the same message.

mod name;
mod wire;

pub use name::{validate_name, NameError, NAME_MAX_CHARS};
pub use wire::{ApiError, ApiErrorBody, CurrentUser, SaveName, SavedProfile};

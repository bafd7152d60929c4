//! Reusable view pieces.

pub mod name_field;
pub mod passage_host;

//! Reusable view pieces.

pub mod language_picker;
pub mod name_field;
pub mod passage_host;
pub mod site_header;

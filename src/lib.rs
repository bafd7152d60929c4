//! leptos-passage: a Leptos client-side app for passwordless sign-up with the Passage elements plus a name.
//!
//! Pure logic (configuration, cookie, backoff, JWT expiry, outbox format, paths) sits in DOM-free modules with
//! native unit tests; browser glue and pages build on them and are tested in Chromium (`tests/`).
//!
//! Start-up: [`app::App`] fetches `config.json` ([`config_loader`], validated by [`config`]), applies its
//! [`branding`] (title, theme, primary colour: [`branding_style`]), then renders the router under the document's
//! base path ([`app_path`]). Each auth page loads only its own element
//! ([`passage_elements`]) and creates it with its callbacks ([`components::passage_host`]), or takes over the
//! register element the built page created before the wasm ran ([`early_element`]); if the element can only
//! say "invalid app", [`auth_server_check`] finds out why and says so. The register page shows
//! its name field while the element's shadow root holds the e-mail view ([`email_view`]); on both auth pages
//! focus follows the element's views ([`view_focus`]) and its link buttons work by keyboard
//! ([`keyboard_link_buttons`]); the elements' unlabelled inputs get names ([`element_input_labels`]); `beforeAuth` keeps the
//! typed name in the [`profile_outbox`]; `onSuccess` ([`auth_success`]) rewrites the auth cookie ([`auth_cookie`],
//! [`session`]) and saves the name through [`api`] with the [`retry`] schedule. The signed-in pages share a parent
//! route ([`pages::signed_in`]) that gets a usable token ([`session::usable_token`], renewing it per
//! [`token_refresh`]), loads the profile and finishes any unsent name ([`profile_save`]), retrying while the servers
//! are away ([`api::keep_trying`]). The dashboard greets and signs out; the account page ([`pages::account`])
//! edits the name, hosts `<passage-profile>`, lists the [`sessions`] and deletes the account ([`account_deletion`]).

pub mod account_deletion;
pub mod api;
pub mod app;
pub mod app_path;
pub mod auth_cookie;
pub mod auth_server_check;
pub mod auth_success;
pub mod branding;
pub mod branding_style;
pub mod browser;
pub mod components;
pub mod config;
pub mod config_loader;
pub mod early_element;
pub mod element_input_labels;
pub mod email_view;
pub mod i18n;
pub mod jwt;
pub mod keyboard_link_buttons;
pub mod pages;
pub mod passage_elements;
pub mod profile_outbox;
pub mod profile_save;
pub mod retry;
pub mod routes;
pub mod session;
pub mod sessions;
pub mod shadow_root_watch;
pub mod token_refresh;
pub mod user_agent;
pub mod view_focus;

pub use app::{mount, App};

//! The auth server's own counters (beside `ops`' request metrics): ceremonies started and finished, codes and
//! links sent, requests refused by a rate limit. Every label comes from a fixed set, never from a request.
//!
//! Recorded through the `metrics` facade: they go to the Prometheus recorder that `--metrics-bind` installs
//! (`ops::metrics`), and nowhere otherwise.

use crate::limits::Bucket;

/// A sign-in or registration ceremony, the `kind` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ceremony {
    PasskeyRegister,
    PasskeyLogin,
    /// A one-time code sent (started) and activated (finished).
    Otp,
    /// A magic link sent (started) and opened (finished).
    MagicLink,
}

impl Ceremony {
    fn label(self) -> &'static str {
        match self {
            Ceremony::PasskeyRegister => "passkey_register",
            Ceremony::PasskeyLogin => "passkey_login",
            Ceremony::Otp => "otp",
            Ceremony::MagicLink => "magic_link",
        }
    }
}

/// `ceremonies_started_total{kind}`: a ceremony's first step succeeded (options issued, code or link sent).
pub fn ceremony_started(ceremony: Ceremony) {
    metrics::counter!("ceremonies_started_total", "kind" => ceremony.label()).increment(1);
}

/// `ceremonies_finished_total{kind}`: a ceremony ended with a session.
pub fn ceremony_finished(ceremony: Ceremony) {
    metrics::counter!("ceremonies_finished_total", "kind" => ceremony.label()).increment(1);
}

/// `codes_sent_total{channel}`: a one-time code or magic link handed to the mail transport. `email` is the only
/// channel today.
pub fn code_sent() {
    metrics::counter!("codes_sent_total", "channel" => "email").increment(1);
}

/// `rate_limited_total{bucket}`: a request answered 429 by the limiter (`send_to_address`, `ceremony_start`, ...).
pub fn rate_limited(bucket: Bucket) {
    metrics::counter!("rate_limited_total", "bucket" => snake_case(&format!("{bucket:?}"))).increment(1);
}

/// `rate_limited_total{bucket="otp_backoff"}`: a code activation made to wait after consecutive wrong codes.
pub fn otp_backoff() {
    metrics::counter!("rate_limited_total", "bucket" => "otp_backoff").increment(1);
}

/// `SendToAddress` → `send_to_address`: the bucket's variant name as its label, so a new bucket needs no entry
/// here.
fn snake_case(name: &str) -> String {
    let mut label = String::with_capacity(name.len() + 4);
    for (i, c) in name.char_indices() {
        if c.is_ascii_uppercase() && i > 0 {
            label.push('_');
        }
        label.push(c.to_ascii_lowercase());
    }
    label
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_labels_are_snake_case_variant_names() {
        assert_eq!(snake_case(&format!("{:?}", Bucket::SendToAddressFromNetwork)), "send_to_address_from_network");
        assert_eq!(snake_case(&format!("{:?}", Bucket::Poll)), "poll");
    }
}

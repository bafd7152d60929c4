//! When to try saving the profile again: a bounded exponential backoff, as pure functions.
//!
//! Saving the name right after sign-up races the network and a backend that may be restarting. Retrying a few
//! times covers blips; bounding the total (about 15 s) keeps the user from staring at "Saving your profile…"
//! (the outbox keeps the name, and the dashboard tries again). The dashboard, which cannot do anything without the
//! backend, keeps going at the longest delay while it is open ([`delay_before_unbounded`]).

/// Waits between attempts, in milliseconds: 0.5 + 1 + 2 + 4 + 8 = 15.5 s in total, so at most six attempts.
use crate::i18n::Msg;

pub const SAVE_DELAYS_MS: [u32; 5] = [500, 1_000, 2_000, 4_000, 8_000];

/// How long one attempt may take before it counts as a network error (a stalled connection must not hold the
/// whole flow).
pub const ATTEMPT_TIMEOUT_MS: u32 = 8_000;

/// What one attempt's outcome means for the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// 2xx: done.
    Saved,
    /// Network error, timeout, 5xx or 429: worth another try.
    Retry,
    /// Any other status (400 invalid name, 401 bad token, 413, ...): the same request would fail again.
    GiveUp,
}

/// Classifies an attempt by its HTTP status (`None` = no response at all).
pub fn verdict(status: Option<u16>) -> Verdict {
    match status {
        None => Verdict::Retry,
        Some(200..=299) => Verdict::Saved,
        Some(429) | Some(500..=599) => Verdict::Retry,
        Some(_) => Verdict::GiveUp,
    }
}

/// The wait before attempt number `next_attempt` (1-based; attempt 1 starts at once), or `None` when the schedule
/// is used up.
pub fn delay_before(next_attempt: usize) -> Option<u32> {
    match next_attempt {
        0 | 1 => Some(0),
        n => SAVE_DELAYS_MS.get(n - 2).copied(),
    }
}

/// The wait before attempt number `next_attempt` for calls that keep trying while their page is open (loading the
/// dashboard, finishing a pending profile): the same schedule, then its longest delay again and again, so a
/// backend that comes back is noticed within [`SAVE_DELAYS_MS`]'s last step.
pub fn delay_before_unbounded(next_attempt: usize) -> u32 {
    delay_before(next_attempt).unwrap_or(SAVE_DELAYS_MS[SAVE_DELAYS_MS.len() - 1])
}

/// What to tell the user while such a call waits to try again after a transient failure (`status` `None` = no
/// response). While a typed name is still unsent, that is what they care about; otherwise say what is happening,
/// in words rather than the browser's error text.
pub fn waiting_message(status: Option<u16>, name_pending: bool) -> Msg {
    Msg::new(match (name_pending, status) {
        (true, _) => "common.saving_profile",
        (false, None) => "waiting.unreachable",
        (false, Some(_)) => "waiting.failing",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_doubles_and_is_bounded() {
        let delays: Vec<u32> = (1..).map_while(delay_before).collect();
        assert_eq!(delays, [0, 500, 1_000, 2_000, 4_000, 8_000]);
        let total: u32 = delays.iter().sum();
        assert!((10_000..=20_000).contains(&total), "total wait {total} ms");
        assert_eq!(delay_before(7), None);
        assert_eq!(delay_before(usize::MAX), None);
    }

    #[test]
    fn unbounded_schedule_keeps_the_longest_delay() {
        let delays: Vec<u32> = (1..=9).map(delay_before_unbounded).collect();
        assert_eq!(delays, [0, 500, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000, 8_000]);
        assert_eq!(delay_before_unbounded(usize::MAX), 8_000);
    }

    #[test]
    fn waiting_messages_are_for_people() {
        let english = |status, pending| crate::i18n::english(&waiting_message(status, pending));
        assert_eq!(english(None, true), "Saving your profile…");
        assert_eq!(english(Some(503), true), "Saving your profile…");
        assert_eq!(english(None, false), "Can't reach the server right now; retrying…");
        assert_eq!(english(Some(503), false), "The server is having trouble right now; retrying…");
    }

    #[test]
    fn classifies_statuses() {
        assert_eq!(verdict(Some(200)), Verdict::Saved);
        assert_eq!(verdict(Some(201)), Verdict::Saved);
        assert_eq!(verdict(None), Verdict::Retry);
        assert_eq!(verdict(Some(429)), Verdict::Retry);
        assert_eq!(verdict(Some(500)), Verdict::Retry);
        assert_eq!(verdict(Some(503)), Verdict::Retry);
        assert_eq!(verdict(Some(400)), Verdict::GiveUp);
        assert_eq!(verdict(Some(401)), Verdict::GiveUp);
        assert_eq!(verdict(Some(413)), Verdict::GiveUp);
        assert_eq!(verdict(Some(302)), Verdict::GiveUp);
    }
}

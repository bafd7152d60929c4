//! The app's routes in one place: each route's path segment (what the router matches) and its `href` (what links
//! carry, with the router base), so pages never spell a path.

use leptos::prelude::*;
use leptos_router::StaticSegment;

use crate::app_path;

/// The router base (see [`app_path::router_base`]), provided by the app for building links.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouterBase(pub String);

/// A page of the app. `/` is not one: it redirects to [`AppRoute::Login`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppRoute {
    Login,
    Register,
    /// Signed in: who you are, a pending name finished.
    Dashboard,
    /// Signed in: name, passkeys and e-mail (`<passage-profile>`), sessions, deleting the account.
    Account,
}

impl AppRoute {
    /// The path relative to the router base, as `navigate` takes it: `/login`.
    pub fn path(self) -> &'static str {
        match self {
            AppRoute::Login => "/login",
            AppRoute::Register => "/register",
            AppRoute::Dashboard => "/dashboard",
            AppRoute::Account => "/account",
        }
    }

    /// The segment the router matches for this route.
    pub fn segment(self) -> StaticSegment<&'static str> {
        StaticSegment(self.path().trim_start_matches('/'))
    }

    /// The `href` of the route, including the router base (`/login` → `/sub/login` under `/sub/`).
    pub fn href(self) -> String {
        let base = use_context::<RouterBase>().unwrap_or_default();
        app_path::href(&base.0, self.path())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_absolute_and_distinct() {
        let all = [AppRoute::Login, AppRoute::Register, AppRoute::Dashboard, AppRoute::Account];
        for route in all {
            assert!(route.path().starts_with('/') && route.path().len() > 1, "{route:?}");
            assert_eq!(route.segment().0, &route.path()[1..]);
        }
        let paths: std::collections::HashSet<_> = all.iter().map(|r| r.path()).collect();
        assert_eq!(paths.len(), all.len());
    }
}

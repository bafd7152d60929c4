//! Paths inside the app when it is served under a sub-path (`trunk build --public-url /sub/`).
//!
//! Trunk writes the public URL into `<base href>`, so the document base is the single source of truth: the
//! router's base, `config.json`, the element modules and the post-login redirect are all resolved against it.
//! Pure string functions; the DOM supplies `document.baseURI` and `location`.

/// The router base for a document base URL: its path without the trailing slash (`""` at the site root).
///
/// `https://example.com/sub/` → `/sub`; `http://localhost:8080/` → `""`.
pub fn router_base(document_base: &str) -> String {
    let after_scheme = document_base.find("://").map_or(document_base, |i| &document_base[i + 3..]);
    let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    let path = path.split(['?', '#']).next().unwrap_or("/");
    // The base is a directory; a file name at its end (`/sub/index.html`) is not part of the route prefix.
    let directory = match path.rfind('/') {
        Some(i) => &path[..i],
        None => "",
    };
    directory.trim_end_matches('/').to_owned()
}

/// The `href` for an app route under the router base: `("/sub", "/login")` → `/sub/login`.
///
/// Leptos' `<A>` leaves absolute paths untouched (it does not prepend the router base), and its click handler only
/// takes over links under the base, so links must carry the base themselves.
pub fn href(base: &str, route: &str) -> String {
    format!("{}/{}", base.trim_end_matches('/'), route.trim_start_matches('/'))
}

/// Where to go after a successful sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A route of this app, relative to the router base (starts with `/`); navigate client-side.
    Route(String),
    /// Anywhere else: a full page load.
    External(String),
}

/// Maps the auth server's `redirectUrl` onto this app.
///
/// The dev app's redirect is `/dashboard`, an app route. A path under the router base (`/sub/dashboard`) or a
/// relative path (`dashboard`) means the same. A full URL on this page's origin is treated like its path; a URL on
/// another origin is left alone (a full navigation), since the app does not own that page.
pub fn destination(redirect_url: &str, page_origin: &str, base: &str) -> Destination {
    let redirect = redirect_url.trim();
    let lower = redirect.to_ascii_lowercase();
    let path = if lower.starts_with("http://") || lower.starts_with("https://") || redirect.starts_with("//") {
        match redirect.strip_prefix(page_origin) {
            Some(rest) if rest.is_empty() || rest.starts_with(['/', '?', '#']) => rest,
            _ => return Destination::External(redirect.to_owned()),
        }
    } else {
        redirect
    };
    let route = if !base.is_empty() && (path == base || path.starts_with(&format!("{base}/"))) {
        &path[base.len()..]
    } else {
        path
    };
    let route = route.trim_start_matches("./");
    if route.is_empty() || route.starts_with(['?', '#']) {
        return Destination::Route(format!("/{route}"));
    }
    if route.starts_with('/') {
        Destination::Route(route.to_owned())
    } else {
        Destination::Route(format!("/{route}"))
    }
}

/// Whether a `location.search` belongs to a tab that opened an e-mailed magic link (the element then activates
/// it). Such a tab has no name field filled in, so it must never post an empty name.
pub fn is_magic_link_tab(search: &str) -> bool {
    search.trim_start_matches('?').split('&').any(|pair| pair.split('=').next() == Some("psg_magic_link"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn router_base_from_document_base() {
        assert_eq!(router_base("http://localhost:8080/"), "");
        assert_eq!(router_base("http://localhost:8080"), "");
        assert_eq!(router_base("https://example.com/sub/"), "/sub");
        assert_eq!(router_base("https://example.com/a/b/"), "/a/b");
        assert_eq!(router_base("https://example.com/sub/index.html"), "/sub");
        assert_eq!(router_base("https://example.com/sub/?x=/y/"), "/sub");
    }

    #[test]
    fn hrefs_carry_the_base() {
        assert_eq!(href("", "/login"), "/login");
        assert_eq!(href("/sub", "/login"), "/sub/login");
        assert_eq!(href("/sub/", "login"), "/sub/login");
        assert_eq!(href("", "/"), "/");
    }

    #[test]
    fn redirect_paths_become_routes() {
        let origin = "https://example.com";
        assert_eq!(destination("/dashboard", origin, ""), Destination::Route("/dashboard".into()));
        assert_eq!(destination("/dashboard", origin, "/sub"), Destination::Route("/dashboard".into()));
        assert_eq!(destination("/sub/dashboard", origin, "/sub"), Destination::Route("/dashboard".into()));
        assert_eq!(destination("dashboard", origin, "/sub"), Destination::Route("/dashboard".into()));
        assert_eq!(destination("./dashboard?x=1", origin, ""), Destination::Route("/dashboard?x=1".into()));
        assert_eq!(destination("/subway", origin, "/sub"), Destination::Route("/subway".into()));
        assert_eq!(destination("/sub", origin, "/sub"), Destination::Route("/".into()));
        assert_eq!(destination("", origin, ""), Destination::Route("/".into()));
    }

    #[test]
    fn same_origin_urls_become_routes_and_others_stay_external() {
        let origin = "https://example.com";
        assert_eq!(
            destination("https://example.com/sub/dashboard", origin, "/sub"),
            Destination::Route("/dashboard".into())
        );
        assert_eq!(
            destination("https://other.example/dashboard", origin, ""),
            Destination::External("https://other.example/dashboard".into())
        );
        // A look-alike host that merely starts with our origin is another origin.
        assert_eq!(
            destination("https://example.com.evil.example/x", origin, ""),
            Destination::External("https://example.com.evil.example/x".into())
        );
        assert_eq!(destination("//cdn.example/x", origin, ""), Destination::External("//cdn.example/x".into()));
    }

    #[test]
    fn detects_magic_link_tabs() {
        assert!(is_magic_link_tab("?psg_magic_link=abc"));
        assert!(is_magic_link_tab("?x=1&psg_magic_link=abc"));
        assert!(is_magic_link_tab("psg_magic_link"));
        assert!(!is_magic_link_tab(""));
        assert!(!is_magic_link_tab("?psg_magic_link_id=1"));
        assert!(!is_magic_link_tab("?x=psg_magic_link"));
    }
}

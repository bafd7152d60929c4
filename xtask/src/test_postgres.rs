//! Which PostgreSQL the server tests of `cargo xtask test` use: the one named by `TEST_DATABASE_URL`, else the one
//! the project's machines run at the standard local address, else none (the Postgres variants are then skipped and
//! reported as skipped).

use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Result};

/// The project machines' PostgreSQL: local, default port, user `postgres` with trust auth. The test harnesses of
/// auth-server and backend fall back to the same URL when run by plain `cargo test`.
pub const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const DEFAULT_ADDR: &str = "127.0.0.1:5432";

/// The variable the test harnesses read, and the one a caller sets to choose another server.
pub const URL_VAR: &str = "TEST_DATABASE_URL";

#[derive(Debug, PartialEq, Eq)]
pub enum TestPostgres {
    /// Pass this URL to the test processes as `TEST_DATABASE_URL`.
    Use { url: String, how: String },
    /// No usable server: leave the Postgres variants out and say why.
    Absent { why: String },
}

/// Decides from the caller's `TEST_DATABASE_URL` (an empty value counts as unset). A URL the caller gave that does
/// not accept a connection is an error: they asked for that server, so skipping its tests would hide their mistake.
pub fn find() -> Result<TestPostgres> {
    let requested = std::env::var(URL_VAR).ok().filter(|url| !url.trim().is_empty());
    choose(requested, default_answers, connects)
}

/// The decision, with the probes passed in so it can be tested without a server.
fn choose(
    requested: Option<String>,
    default_answers: impl Fn() -> Result<(), String>,
    connects: impl Fn(&str) -> Result<Connects, String>,
) -> Result<TestPostgres> {
    if let Some(url) = requested {
        return match connects(&url) {
            Ok(Connects::Yes) => Ok(TestPostgres::Use { how: format!("{URL_VAR} ({})", redacted(&url)), url }),
            Ok(Connects::NotChecked) => {
                Ok(TestPostgres::Use { how: format!("{URL_VAR} ({}), not checked: no psql", redacted(&url)), url })
            }
            Err(err) => bail!(
                "{URL_VAR}={} does not accept a connection: {err}\n(unset it to use the local PostgreSQL at \
                 {DEFAULT_ADDR} if there is one, or to skip the Postgres variants)",
                redacted(&url)
            ),
        };
    }
    if let Err(err) = default_answers() {
        return Ok(TestPostgres::Absent { why: format!("no PostgreSQL at {DEFAULT_ADDR} ({err})") });
    }
    match connects(DEFAULT_URL) {
        Ok(Connects::Yes) => Ok(TestPostgres::Use { url: DEFAULT_URL.to_owned(), how: format!("found {DEFAULT_URL}") }),
        // Something listens on the PostgreSQL port and nothing can tell more: the tests fail loudly if it is not
        // a trusting PostgreSQL, which is better than skipping on a guess.
        Ok(Connects::NotChecked) => Ok(TestPostgres::Use {
            url: DEFAULT_URL.to_owned(),
            how: format!("{DEFAULT_ADDR} answers (not checked further: no psql)"),
        }),
        Err(err) => Ok(TestPostgres::Absent { why: format!("{DEFAULT_URL} refuses a connection: {err}") }),
    }
}

#[derive(Debug)]
enum Connects {
    Yes,
    /// `psql` is not installed, so only the caller's word (or the open port) vouches for the server.
    NotChecked,
}

/// A TCP connect to the default address: "nothing there" in a few milliseconds, without psql.
fn default_answers() -> Result<(), String> {
    let addr: SocketAddr = DEFAULT_ADDR.parse().expect("a socket address");
    TcpStream::connect_timeout(&addr, Duration::from_secs(2)).map(drop).map_err(|e| e.to_string())
}

/// A real connection with psql (it understands every URL form and auth method the tests' sqlx does): `SELECT 1`.
fn connects(url: &str) -> Result<Connects, String> {
    let output = Command::new("psql")
        .args(["--no-psqlrc", "--no-password", "--tuples-only", "--no-align", "--command", "SELECT 1", "--dbname"])
        .arg(url)
        .env("PGCONNECT_TIMEOUT", "5")
        .stdin(Stdio::null())
        .output();
    match output {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Connects::NotChecked),
        Err(err) => Err(format!("could not run psql: {err}")),
        Ok(out) if out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "1" => Ok(Connects::Yes),
        // psql's message spans lines with a tab-indented hint: one line for ours.
        Ok(out) => Err(String::from_utf8_lossy(&out.stderr).split_whitespace().collect::<Vec<_>>().join(" ")),
    }
}

/// `url` with its password, if any, replaced: it is printed in logs.
fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else { return url.to_owned() };
    match rest[..at].split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***{}", &rest[at..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers() -> Result<(), String> {
        Ok(())
    }
    fn refused() -> Result<(), String> {
        Err("Connection refused (os error 111)".into())
    }
    fn unreachable(_: &str) -> Result<Connects, String> {
        panic!("must not connect when the port is closed")
    }

    #[test]
    fn the_local_server_is_used_without_a_variable_when_it_accepts_a_connection() {
        let found = choose(None, answers, |url| {
            assert_eq!(url, DEFAULT_URL);
            Ok(Connects::Yes)
        })
        .unwrap();
        assert!(matches!(found, TestPostgres::Use { ref url, .. } if url == DEFAULT_URL), "{found:?}");
    }

    #[test]
    fn without_a_local_server_the_variants_are_left_out_and_the_reason_given() {
        let found = choose(None, refused, unreachable).unwrap();
        assert!(matches!(found, TestPostgres::Absent { ref why } if why.contains("127.0.0.1:5432")), "{found:?}");
        // A port that answers but a server that refuses (a password asked, another program) is absent as well.
        let found = choose(None, answers, |_| Err("password authentication failed".into())).unwrap();
        assert!(matches!(found, TestPostgres::Absent { ref why } if why.contains("password")), "{found:?}");
    }

    #[test]
    fn the_variable_overrides_the_local_server_and_is_not_probed_by_port() {
        let url = "postgres://ci@db.internal:6543/ci_1";
        let found = choose(Some(url.into()), refused, |u| {
            assert_eq!(u, url);
            Ok(Connects::Yes)
        })
        .unwrap();
        assert!(matches!(found, TestPostgres::Use { url: ref u, .. } if u == url), "{found:?}");
    }

    #[test]
    fn a_variable_that_does_not_answer_is_an_error_not_a_skip() {
        let err = choose(Some("postgres://postgres:hunter2@127.0.0.1:1/x".into()), answers, |_| {
            Err("connection refused".into())
        })
        .unwrap_err()
        .to_string();
        assert!(err.contains("does not accept a connection: connection refused"), "{err}");
        assert!(!err.contains("hunter2"), "the password is printed: {err}");
    }

    #[test]
    fn the_real_probes_tell_a_closed_port() {
        // A port that was just free: nothing listens there.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
        match connects(&url) {
            Err(err) => assert!(!err.is_empty()),
            Ok(Connects::NotChecked) => {} // no psql on this machine
            Ok(Connects::Yes) => panic!("psql connected to a closed port"),
        }
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redacted("postgres://u:secret@h:1/db?x=y"), "postgres://u:***@h:1/db?x=y");
        assert_eq!(redacted("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redacted("postgres://h/db?user=a@b"), "postgres://h/db?user=a@b");
        assert_eq!(redacted("not a url"), "not a url");
    }
}

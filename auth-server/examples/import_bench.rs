//! Benchmark: `auth-server import` of a Passage CSV export of 100,000 users, on a SQLite file and on a fresh
//! Postgres database (`BENCH_POSTGRES_URL`, default the machine's `postgres://postgres@127.0.0.1:5432/postgres`;
//! `--sqlite-only` leaves it out). Each database: three imports into a fresh database (the median is reported) and
//! one re-run over the imported users (everything "unchanged").
//!
//! `cargo run --release -p auth-server --example import_bench [-- --users N] [--sqlite-only]`. Prints a table and
//! writes `target/bench/import.json`. Reads times, asserts none (machines are noisy).

mod support;

use support::{admin_execute, write_report};

use std::time::Instant;

use auth_server::import::{import_text, Format, ImportOptions, Policy};
use auth_server::{db, ids};
use serde_json::{json, Value};

const RUNS: usize = 3;

/// A CSV export as Passage's console wrote it, with metadata on every user.
fn export(users: usize) -> String {
    let mut csv = String::from(
        "ID,Email,Email Verified,Phone,Phone Verified,Status,Created At,Updated At,Last Login At,Login Count,\
         user_metadata.full_name\n",
    );
    for n in 0..users {
        let id = ids::random_id();
        let status = if n % 50 == 0 { "inactive" } else { "active" };
        csv.push_str(&format!(
            "{id},user{n}@bench.example,{},,false,{status},2024-05-01T12:00:00Z,2024-06-01T08:30:00Z,\
             2024-06-01T08:30:00Z,{},Bench User {n}\n",
            n % 3 != 0,
            n % 17
        ));
    }
    csv
}

/// A fresh database of this kind: its URL and, for Postgres, the database to drop afterwards.
async fn fresh(kind: &str, dir: &std::path::Path, run: usize, admin: &str) -> (String, Option<String>) {
    if kind == "sqlite" {
        return (format!("sqlite://{}", dir.join(format!("import{run}.sqlite3")).display()), None);
    }
    let name = format!("auth_server_import_bench_{}", ids::hex_lower(&ids::random_bytes(6)));
    admin_execute(admin, &format!("CREATE DATABASE {name}")).await;
    let mut url = url::Url::parse(admin).expect("BENCH_POSTGRES_URL is a URL");
    url.set_path(&format!("/{name}"));
    (url.to_string(), Some(name))
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let users = args
        .iter()
        .position(|a| a == "--users")
        .and_then(|i| args.get(i + 1))
        .map_or(100_000, |n| n.parse().expect("--users N"));
    let kinds: &[&str] = if args.iter().any(|a| a == "--sqlite-only") { &["sqlite"] } else { &["sqlite", "postgres"] };
    let admin = std::env::var("BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let text = export(users);
    let options =
        ImportOptions { app_id: "dev-app".into(), dry_run: false, batch_size: 1000, policy: Policy::default() };

    let mut results = Vec::new();
    println!("import of {users} users ({} MB of CSV), batches of {}", text.len() / 1_000_000, options.batch_size);
    println!("{:<10} {:>14} {:>14} {:>16}", "database", "import s (med)", "users/s", "re-run s");
    for &kind in kinds {
        let (seconds, rerun) = runtime.block_on(async {
            let mut seconds = Vec::new();
            let mut rerun = 0.0;
            for run in 0..RUNS {
                let (url, postgres_db) = fresh(kind, dir.path(), run, &admin).await;
                let pool = db::connect(&url).await.expect("database");
                let started = Instant::now();
                let report = import_text(&pool, &text, Format::Csv, &options, ids::now()).await.expect("import");
                seconds.push(started.elapsed().as_secs_f64());
                assert_eq!(report.imported as usize, users, "{report}");
                if run == 0 {
                    let started = Instant::now();
                    let again = import_text(&pool, &text, Format::Csv, &options, ids::now()).await.expect("re-run");
                    rerun = started.elapsed().as_secs_f64();
                    assert_eq!(again.unchanged as usize, users, "{again}");
                }
                pool.close().await;
                if let Some(name) = postgres_db {
                    admin_execute(&admin, &format!("DROP DATABASE {name} WITH (FORCE)")).await;
                }
            }
            (median(seconds), rerun)
        });
        println!("{kind:<10} {seconds:>14.2} {:>14.0} {rerun:>16.2}", users as f64 / seconds);
        results.push(json!({
            "database": kind,
            "users": users,
            "import_seconds_median": seconds,
            "users_per_second": users as f64 / seconds,
            "rerun_seconds": rerun,
        }));
    }
    write_report("import.json", &json!({ "import": Value::Array(results) }));
}

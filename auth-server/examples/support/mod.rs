//! What the auth-server benchmarks share: a statement on the Postgres of `BENCH_POSTGRES_URL` (to create and drop
//! their throwaway databases) and the JSON report under `target/bench/`.

use serde_json::Value;

pub async fn admin_execute(admin_url: &str, statement: &str) {
    use sqlx::{Connection, Executor};
    sqlx::any::install_default_drivers();
    let mut admin = sqlx::AnyConnection::connect(admin_url).await.expect("connect to BENCH_POSTGRES_URL");
    admin.execute(statement).await.expect(statement);
    admin.close().await.ok();
}

pub fn write_report(file: &str, report: &Value) {
    let out_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    std::fs::create_dir_all(&out_dir).expect("create target/bench");
    let path = out_dir.join(file);
    std::fs::write(&path, serde_json::to_string_pretty(report).unwrap()).expect("write bench json");
    println!("wrote {}", path.display());
}

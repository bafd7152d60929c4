//! `auth-server import`: users exported from Passage (or another provider, mapped to Passage's user object) become
//! users of one app **with their original ids**, so the tables a team keyed by Passage user id stay valid.
//!
//! `read` turns the file into rows, `record` checks each row, `store::user_import` writes a batch in one
//! transaction. Every row is taken whole or refused whole with its line number and every reason; a re-run changes
//! nothing (users whose id is already in the app are left as they are); a dry run does all of it and rolls back.
//! No passkey comes along (Passage never exported public keys): imported users sign in with a code or link to
//! their address, and the elements then offer to add a passkey.

pub mod read;
pub mod record;

use std::collections::HashMap;
use std::fmt;

use crate::db::Db;
use crate::log_text::Untrusted;
use crate::store::user_import::{self, ImportedUser, RowOutcome};
use crate::store::users::UserStatus;
pub use read::{FileError, Format};
pub use record::Policy;

#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub app_id: String,
    pub dry_run: bool,
    /// Rows per transaction.
    pub batch_size: usize,
    pub policy: Policy,
}

/// A refused row: its line and every reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub line: u64,
    pub reasons: Vec<String>,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub dry_run: bool,
    pub imported: u64,
    /// Already in the app from an earlier run: left as they are.
    pub unchanged: u64,
    pub refused: Vec<Refusal>,
    /// Imported users for whom Passage listed passkeys (they add a passkey after their first code or link).
    pub had_passkeys: u64,
    /// Imported users still pending (never finished registering): forgotten like any unfinished registration.
    pub pending: u64,
    /// Imported users whose phone number or external id was left out (`--drop-unsupported`).
    pub dropped_fields: u64,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for refusal in &self.refused {
            writeln!(f, "line {}: refused: {}", refusal.line, refusal.reasons.join("; "))?;
        }
        let verb = if self.dry_run { "would be imported" } else { "imported" };
        write!(
            f,
            "{} {verb}, {} unchanged (already in the app), {} refused",
            self.imported,
            self.unchanged,
            self.refused.len()
        )?;
        if self.had_passkeys > 0 {
            write!(
                f,
                "\n{} of them had passkeys at Passage: passkeys cannot be exported, so they sign in with a code or \
                 link first and are then offered to add a passkey",
                self.had_passkeys
            )?;
        }
        if self.pending > 0 {
            write!(
                f,
                "\n{} of them never finished registering (status pending, address not verified): they are forgotten \
                 at the next housekeeping, as any unfinished registration, and register again",
                self.pending
            )?;
        }
        if self.dropped_fields > 0 {
            write!(
                f,
                "\n{} of them without their phone number or external id (--drop-unsupported)",
                self.dropped_fields
            )?;
        }
        if self.dry_run {
            write!(f, "\ndry run: nothing was written")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    File(#[from] FileError),
    #[error("line 1: unknown column {column} (known: the fields of Passage's user object, and user_metadata.FIELD)")]
    UnknownColumn { column: String },
    /// A batch failed in the database: it was rolled back; the batches before it are in (a re-run is safe).
    #[error("the batch of lines {first_line}-{last_line} was rolled back: {source}; {done} users were imported before it (run the import again: it continues where it stopped)")]
    Database { first_line: u64, last_line: u64, done: u64, source: sqlx::Error },
}

/// Import the text of an export file. `now` fills missing creation times.
pub async fn import_text(
    db: &Db,
    text: &str,
    format: Format,
    options: &ImportOptions,
    now: i64,
) -> Result<Report, ImportError> {
    let rows = read::rows(text, format)?;
    if format == Format::Csv {
        if let Some(row) = rows.first() {
            if let Some((column, _)) = row.fields.iter().find(|(name, _)| !record::known_column(name)) {
                return Err(ImportError::UnknownColumn { column: Untrusted(column).to_string() });
            }
        }
    }
    let mut report = Report { dry_run: options.dry_run, ..Report::default() };
    let mut accepted = Vec::new();
    let mut lines_of_ids: HashMap<String, u64> = HashMap::new();
    let mut lines_of_emails: HashMap<String, u64> = HashMap::new();
    for row in &rows {
        match record::accept(row, options.policy, now) {
            Err(reasons) => report.refused.push(Refusal { line: row.line, reasons }),
            Ok(user) => {
                // The first of two rows for one user or one address wins; the later one is refused.
                let mut reasons = Vec::new();
                if let Some(line) = lines_of_ids.get(&user.user.id) {
                    reasons.push(format!("id {} is also on line {line}", Untrusted(&user.user.id)));
                }
                if let Some(line) = lines_of_emails.get(&user.user.email) {
                    reasons
                        .push(format!("duplicate identifier: {} is also on line {line}", Untrusted(&user.user.email)));
                }
                if reasons.is_empty() {
                    lines_of_ids.insert(user.user.id.clone(), row.line);
                    lines_of_emails.insert(user.user.email.clone(), row.line);
                    accepted.push((row.line, user));
                } else {
                    report.refused.push(Refusal { line: row.line, reasons });
                }
            }
        }
    }
    for batch in accepted.chunks(options.batch_size.max(1)) {
        let users: Vec<ImportedUser> = batch.iter().map(|(_, accepted)| accepted.user.clone()).collect();
        let outcomes =
            user_import::import_batch(db, &options.app_id, &users, now, !options.dry_run).await.map_err(|source| {
                ImportError::Database {
                    first_line: batch.first().map_or(0, |(line, _)| *line),
                    last_line: batch.last().map_or(0, |(line, _)| *line),
                    done: report.imported,
                    source,
                }
            })?;
        for ((line, accepted), outcome) in batch.iter().zip(outcomes) {
            match outcome {
                RowOutcome::Inserted => {
                    report.imported += 1;
                    report.had_passkeys += u64::from(accepted.had_passkeys);
                    report.dropped_fields += u64::from(!accepted.dropped.is_empty());
                    report.pending +=
                        u64::from(accepted.user.status == UserStatus::Pending && !accepted.user.email_verified);
                }
                RowOutcome::AlreadyPresent => report.unchanged += 1,
                RowOutcome::IdOfAnotherApp => report.refused.push(Refusal {
                    line: *line,
                    reasons: vec![format!("id {} belongs to a user of another app", Untrusted(&accepted.user.id))],
                }),
                RowOutcome::EmailTaken { holder } => report.refused.push(Refusal {
                    line: *line,
                    reasons: vec![format!(
                        "duplicate identifier: {} already belongs to user {} of this app",
                        Untrusted(&accepted.user.email),
                        Untrusted(&holder)
                    )],
                }),
            }
        }
    }
    report.refused.sort_by_key(|refusal| refusal.line);
    Ok(report)
}

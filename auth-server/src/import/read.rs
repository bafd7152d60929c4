//! Reading an export file into rows of named fields, each with the line it starts on. Two formats:
//! - CSV with a header row (Passage's console export; column names are the fields of Passage's user object, matched
//!   without regard to case, spaces or hyphens, e.g. `Email Verified`; metadata as a `user_metadata` column of JSON
//!   or one `user_metadata.<field>` column per field);
//! - JSON as the management API's list call returns it (`{"users": [...]}`, one page or an array of pages, or JSON
//!   Lines with a page or a user per line), a bare array of users, or a single `{"user": {...}}`.
//!
//! What the fields mean is `record`'s job; here only the shape of the file is checked.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

/// One field's value as the file gave it: CSV cells are text, JSON values keep their type.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Json(Value),
}

/// One user's fields in the file's order, and the 1-based line the user starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRow {
    pub line: u64,
    pub fields: Vec<(String, Cell)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

impl Format {
    /// JSON when the first character that is not white space opens an object or an array; CSV otherwise.
    pub fn detect(text: &str) -> Self {
        match text.trim_start_matches('\u{feff}').trim_start().chars().next() {
            Some('{' | '[') => Self::Json,
            _ => Self::Csv,
        }
    }
}

/// The file as a whole could not be read: nothing is imported.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("line {line}: {message}")]
pub struct FileError {
    pub line: u64,
    pub message: String,
}

impl FileError {
    fn at(line: u64, message: impl Into<String>) -> Self {
        Self { line, message: message.into() }
    }
}

pub fn rows(text: &str, format: Format) -> Result<Vec<SourceRow>, FileError> {
    let text = text.trim_start_matches('\u{feff}');
    match format {
        Format::Csv => csv_rows(text),
        Format::Json => json_rows(text),
    }
}

/// The canonical name of a CSV column: lower case, spaces and hyphens as underscores (`Created At` →
/// `created_at`); the part after `user_metadata.` keeps its spelling (it is the app's own field name).
pub fn column_name(header: &str) -> String {
    let header = header.trim();
    if let Some((prefix, field)) = header.split_once('.') {
        return format!("{}.{}", canonical(prefix), field.trim());
    }
    canonical(header)
}

fn canonical(text: &str) -> String {
    text.trim().to_lowercase().replace([' ', '-'], "_")
}

fn csv_rows(text: &str) -> Result<Vec<SourceRow>, FileError> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|err| csv_error(&err))?.clone();
    let names: Vec<String> = headers.iter().map(column_name).collect();
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) {
            return Err(FileError::at(1, format!("column {:?} appears twice", headers.get(i).unwrap_or(""))));
        }
    }
    let lines = LineIndex::new(text);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|err| csv_error(&err))?;
        // From the byte offset, past the blank lines the reader skipped (its position, and its own line count,
        // are those of the end of the previous record).
        let line = record.position().map_or(0, |p| {
            let start = p.byte() as usize;
            let blank = text.get(start..).map_or(0, |rest| rest.len() - rest.trim_start_matches(['\r', '\n']).len());
            lines.line_at(start + blank)
        });
        // A row of nothing but empty cells (a trailing blank line a spreadsheet added) is not a user.
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        let fields = names.iter().cloned().zip(record.iter().map(|cell| Cell::Text(cell.to_owned()))).collect();
        rows.push(SourceRow { line, fields });
    }
    Ok(rows)
}

fn csv_error(err: &csv::Error) -> FileError {
    let line = err.position().map_or(1, |p| p.line());
    let message = match err.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("{len} cells where the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "not UTF-8 text".to_owned(),
        _ => format!("not CSV: {err}"),
    };
    FileError::at(line, message)
}

/// The keys that tell a page (`users`) or a user answer (`user`) from a bare user object. (Plain structs: serde's
/// untagged enums cannot hold a `RawValue`.)
#[derive(Deserialize)]
struct Wrapper<'a> {
    #[serde(borrow, default)]
    users: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default)]
    user: Option<&'a RawValue>,
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
}

fn json_rows(text: &str) -> Result<Vec<SourceRow>, FileError> {
    let mut users = Vec::new();
    let stream = serde_json::Deserializer::from_str(text).into_iter::<&RawValue>();
    // One document, or JSON Lines: several top-level values one after the other.
    for value in stream {
        let value = value.map_err(|err| FileError::at(err.line() as u64, format!("not JSON: {err}")))?;
        collect_users(text, value, 0, &mut users)?;
    }
    let lines = LineIndex::new(text);
    users
        .into_iter()
        .map(|raw| {
            let line = lines.line_at(offset_in(text, raw));
            match serde_json::from_str::<Value>(raw.get()) {
                Ok(Value::Object(object)) => {
                    Ok(SourceRow { line, fields: object.into_iter().map(|(k, v)| (k, Cell::Json(v))).collect() })
                }
                _ => Err(FileError::at(line, "a user must be a JSON object")),
            }
        })
        .collect()
}

/// The users of one value: a page of the list call, a user answer, a user, or an array of any of these (an array of
/// arrays is not a shape anyone saves, so only one level of arrays is looked into).
fn collect_users<'a>(
    text: &'a str,
    value: &'a RawValue,
    depth: usize,
    out: &mut Vec<&'a RawValue>,
) -> Result<(), FileError> {
    let shape_error = || {
        FileError::at(
            line_of(text, value),
            "expected the management API's list answer {\"users\": [...]}, a user answer {\"user\": {...}}, users, \
             or an array of these",
        )
    };
    match value.get().trim_start().as_bytes().first() {
        Some(b'[') if depth == 0 => {
            let items: Vec<&RawValue> = serde_json::from_str(value.get()).map_err(|_| shape_error())?;
            for item in items {
                collect_users(text, item, depth + 1, out)?;
            }
        }
        Some(b'{') => match serde_json::from_str::<Wrapper>(value.get()) {
            Ok(Wrapper { users: Some(users), id: None, .. }) => out.extend(users),
            Ok(Wrapper { user: Some(user), users: None, id: None }) => out.push(user),
            // A user object itself (or something that is not one: its fields are judged by `record`).
            _ => out.push(value),
        },
        // Not an object: refused as a user, with its line.
        _ if depth > 0 => out.push(value),
        _ => return Err(shape_error()),
    }
    Ok(())
}

/// Where `part` (a slice borrowed from `text`) starts in it.
fn offset_in(text: &str, part: &RawValue) -> usize {
    (part.get().as_ptr() as usize).saturating_sub(text.as_ptr() as usize)
}

/// The 1-based line where `part` starts (for one error; many lookups use a [`LineIndex`]).
fn line_of(text: &str, part: &RawValue) -> u64 {
    LineIndex::new(text).line_at(offset_in(text, part))
}

/// The offsets of a text's line breaks, so the line of an offset is a binary search, not a scan from the start
/// (a scan per row made a 100,000-row file quadratic).
struct LineIndex {
    breaks: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        Self { breaks: text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i).collect() }
    }

    /// The 1-based line of byte `offset`.
    fn line_at(&self, offset: usize) -> u64 {
        self.breaks.partition_point(|&at| at < offset) as u64 + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(cell: &Cell) -> &str {
        match cell {
            Cell::Text(text) => text,
            Cell::Json(Value::String(text)) => text,
            other => panic!("not text: {other:?}"),
        }
    }

    #[test]
    fn csv_columns_are_matched_loosely_and_rows_keep_their_line() {
        let rows = rows(
            "ID,Email,Email Verified,user_metadata.fullName\n\
             u1,a@example.com,true,Ada\n\
             \n\
             u2,\"b@example.com\",false,\"Line\nbreak\"\n\
             u3,c@example.com,,\n",
            Format::Csv,
        )
        .unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[1].line, 4);
        assert_eq!(rows[2].line, 6, "the quoted line break counts");
        let names: Vec<&str> = rows[0].fields.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["id", "email", "email_verified", "user_metadata.fullName"]);
        assert_eq!(text(&rows[1].fields[3].1), "Line\nbreak");
    }

    #[test]
    fn a_csv_row_with_a_missing_cell_names_its_line() {
        let err = rows("id,email\nu1,a@example.com\nu2\n", Format::Csv).unwrap_err();
        assert_eq!(err, FileError::at(3, "1 cells where the header has 2"));
        let err = rows("id,Email,EMAIL\n", Format::Csv).unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.contains("twice"), "{err}");
    }

    #[test]
    fn json_pages_arrays_and_lines_give_each_user_its_line() {
        let page = "{\"_links\": {},\n \"users\": [\n  {\"id\": \"u1\", \"email\": \"a@example.com\"},\n  {\"id\": \"u2\"}\n ]}";
        let rows_of_page = rows(page, Format::Json).unwrap();
        assert_eq!(rows_of_page.iter().map(|r| r.line).collect::<Vec<_>>(), [3, 4]);
        assert!(rows_of_page[0].fields.contains(&("id".to_owned(), Cell::Json(Value::String("u1".into())))));

        let lines = "{\"users\": [{\"id\": \"u1\"}]}\n{\"users\": [{\"id\": \"u2\"}, {\"id\": \"u3\"}]}\n";
        assert_eq!(rows(lines, Format::Json).unwrap().iter().map(|r| r.line).collect::<Vec<_>>(), [1, 2, 2]);

        let pages = "[\n{\"users\": [{\"id\": \"u1\"}]},\n{\"users\": [{\"id\": \"u2\"}]}\n]";
        assert_eq!(rows(pages, Format::Json).unwrap().len(), 2);
        let users = "[\n{\"id\": \"u1\"},\n{\"id\": \"u2\"}\n]";
        assert_eq!(rows(users, Format::Json).unwrap().iter().map(|r| r.line).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(rows("{\"user\": {\"id\": \"u1\"}}", Format::Json).unwrap().len(), 1);
    }

    #[test]
    fn json_that_is_not_a_user_list_is_refused_with_its_line() {
        let err = rows("{\"users\": [\n{\"id\": 1},\n 7]}", Format::Json).unwrap_err();
        assert_eq!(err, FileError::at(3, "a user must be a JSON object"));
        let err = rows("\n7", Format::Json).unwrap_err();
        assert_eq!(err.line, 2);
        assert_eq!(rows("{\"id\": \"u1\"}\n{\"id\": \"u2\"}", Format::Json).unwrap().len(), 2, "JSON Lines of users");
        let err = rows("{\"users\": [\n{\"id\": ", Format::Json).unwrap_err();
        assert!(err.message.starts_with("not JSON"), "{err}");
    }

    #[test]
    fn the_format_is_told_by_the_first_character() {
        assert_eq!(Format::detect("\u{feff}  [{}]"), Format::Json);
        assert_eq!(Format::detect("{\"users\": []}"), Format::Json);
        assert_eq!(Format::detect("id,email\n"), Format::Csv);
    }
}

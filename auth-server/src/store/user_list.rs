//! The management API's user list: filters, order and a page of an app's users, and how many match.
//!
//! Everything a caller chooses arrives here as typed values (fields and operators are enums, values are bound
//! parameters), so no text of the request is ever part of the SQL.

use sqlx::Row;

use crate::db::Db;
use crate::store::users::{self, User, PENDING_USER_TTL_SECS};

/// A user field the list filters on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterField {
    /// E-mail or phone; this server keeps no phone numbers, so the address.
    Identifier,
    Id,
    LoginCount,
    Status,
    CreatedAt,
    UpdatedAt,
    LastLoginAt,
}

impl FilterField {
    fn column(self) -> &'static str {
        match self {
            Self::Identifier => "email",
            Self::Id => "id",
            Self::LoginCount => "login_count",
            Self::Status => "status",
            Self::CreatedAt => "created_at",
            Self::UpdatedAt => "updated_at",
            Self::LastLoginAt => "last_login_at",
        }
    }
}

/// Passage's filter operators (`identifier=<ne:val>` …). `Like` / `NotLike` match a part of the value, ignoring
/// letter case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterOp {
    Eq,
    Ne,
    Gt,
    Lt,
    Like,
    NotLike,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterValue {
    Text(String),
    /// A count, or a time in Unix seconds.
    Int(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub field: FilterField,
    pub op: FilterOp,
    pub value: FilterValue,
}

/// A field the list can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderField {
    Id,
    Email,
    Status,
    CreatedAt,
    UpdatedAt,
    LastLoginAt,
    LoginCount,
}

impl OrderField {
    /// Never-signed-in users (NULL `last_login_at`) sort as the oldest on both databases (SQLite and Postgres place
    /// NULLs at opposite ends).
    fn expression(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Email => "email",
            Self::Status => "status",
            Self::CreatedAt => "created_at",
            Self::UpdatedAt => "updated_at",
            Self::LastLoginAt => "COALESCE(last_login_at, 0)",
            Self::LoginCount => "login_count",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order {
    pub field: OrderField,
    pub descending: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub filters: Vec<Filter>,
    /// Empty: newest first.
    pub order: Vec<Order>,
    /// Only users created at or before this time (Unix seconds): the anchor that keeps pages stable while users
    /// are added.
    pub created_before: i64,
    pub limit: i64,
    pub offset: i64,
}

/// One page of the app's users and the number of users matching (all pages). Expired pending users are absent,
/// as everywhere else (`users::PENDING_USER_TTL_SECS`).
pub async fn list(db: &Db, app_id: &str, query: &ListQuery, now: i64) -> Result<(Vec<User>, i64), sqlx::Error> {
    let mut binds = vec![FilterValue::Text(app_id.to_owned()), FilterValue::Int(query.created_before)];
    binds.push(FilterValue::Int(now - PENDING_USER_TTL_SECS));
    let mut condition = format!("app_id = $1 AND created_at <= $2 AND NOT ({})", users::expired_pending("$3"));
    for filter in &query.filters {
        binds.push(match (&filter.value, filter.op) {
            (FilterValue::Text(text), FilterOp::Like | FilterOp::NotLike) => {
                FilterValue::Text(format!("%{}%", escape_like(&text.to_lowercase())))
            }
            (value, _) => value.clone(),
        });
        let column = filter.field.column();
        let n = binds.len();
        condition.push_str(&match filter.op {
            FilterOp::Eq => format!(" AND {column} = ${n}"),
            FilterOp::Ne => format!(" AND {column} <> ${n}"),
            FilterOp::Gt => format!(" AND {column} > ${n}"),
            FilterOp::Lt => format!(" AND {column} < ${n}"),
            FilterOp::Like => format!(" AND LOWER({column}) LIKE ${n} ESCAPE '\\'"),
            FilterOp::NotLike => format!(" AND LOWER({column}) NOT LIKE ${n} ESCAPE '\\'"),
        });
    }
    let default_order = [Order { field: OrderField::CreatedAt, descending: true }];
    let order = if query.order.is_empty() { &default_order[..] } else { &query.order[..] };
    // The id last: a total order, so no user appears on two pages or on none.
    let order_by = order
        .iter()
        .map(|o| format!("{} {}", o.field.expression(), if o.descending { "DESC" } else { "ASC" }))
        .chain(std::iter::once("id ASC".to_owned()))
        .collect::<Vec<_>>()
        .join(", ");

    let count_sql = format!("SELECT COUNT(*) AS n FROM users WHERE {condition}");
    let total: i64 = bind_all(sqlx::query(&count_sql), &binds).fetch_one(db).await?.try_get("n")?;
    let page_sql = format!(
        "SELECT {} FROM users WHERE {condition} ORDER BY {order_by} LIMIT {} OFFSET {}",
        users::COLUMNS,
        query.limit.max(0),
        query.offset.max(0)
    );
    let rows = bind_all(sqlx::query(&page_sql), &binds).fetch_all(db).await?;
    let users = rows.iter().map(users::from_row).collect::<Result<Vec<_>, _>>()?;
    Ok((users, total))
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

fn bind_all<'q>(mut query: AnyQuery<'q>, binds: &[FilterValue]) -> AnyQuery<'q> {
    for value in binds {
        query = match value {
            FilterValue::Text(text) => query.bind(text.clone()),
            FilterValue::Int(int) => query.bind(*int),
        };
    }
    query
}

/// `%`, `_` and the escape character itself match literally (`ESCAPE '\'`).
fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

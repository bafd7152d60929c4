//! `GET /v1/apps/{app_id}/users`: the paginated, filtered, ordered user list (`list_paginated_users` of the SDK;
//! `get_by_identifier` calls it with `limit=1&identifier=`). The query's text is parsed here into the typed
//! [`ListQuery`] of the store; every bad parameter is a 400 naming it.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use super::invalid;
use super::wire::{Link, ListedUser, PageLinks, UserList};
use crate::error::{ApiError, ApiQuery};
use crate::routes::extract::ApiKey;
use crate::state::AppState;
use crate::store::user_list::{self, Filter, FilterField, FilterOp, FilterValue, ListQuery, Order, OrderField};

pub const DEFAULT_LIMIT: i64 = 20;
/// The SDK documents "max=500".
pub const MAX_LIMIT: i64 = 500;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    page: Option<String>,
    limit: Option<String>,
    created_before: Option<String>,
    order_by: Option<String>,
    identifier: Option<String>,
    id: Option<String>,
    login_count: Option<String>,
    status: Option<String>,
    created_at: Option<String>,
    updated_at: Option<String>,
    last_login_at: Option<String>,
}

fn whole_number(field: &str, text: &str) -> Result<i64, ApiError> {
    text.trim().parse::<i64>().map_err(|_| invalid(field, "must be a whole number"))
}

/// `<op:value>` or a bare value (equality). Passage's operators: `ne`, `gt`, `lt`, `like`, `not_like`.
fn split_operator(text: &str) -> (FilterOp, &str) {
    for (prefix, op) in [
        ("ne:", FilterOp::Ne),
        ("gt:", FilterOp::Gt),
        ("lt:", FilterOp::Lt),
        ("like:", FilterOp::Like),
        ("not_like:", FilterOp::NotLike),
    ] {
        if let Some(value) = text.strip_prefix(prefix) {
            return (op, value);
        }
    }
    (FilterOp::Eq, text)
}

/// `2006-01-02T15:04:05.000000Z` (any RFC 3339 time) → Unix seconds.
fn rfc3339_secs(field: &str, text: &str) -> Result<i64, ApiError> {
    time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339)
        .map(|at| at.unix_timestamp())
        .map_err(|_| invalid(field, "must be an RFC 3339 time such as 2006-01-02T15:04:05.000000Z"))
}

enum Kind {
    Text,
    Count,
    Time,
}

fn filter(field_name: &str, field: FilterField, kind: Kind, raw: &str) -> Result<Filter, ApiError> {
    let (op, value) = split_operator(raw);
    let value = match kind {
        Kind::Text => FilterValue::Text(value.trim().to_owned()),
        _ if matches!(op, FilterOp::Like | FilterOp::NotLike) => {
            return Err(invalid(field_name, "like and not_like apply to text fields only"))
        }
        Kind::Count => FilterValue::Int(whole_number(field_name, value)?),
        Kind::Time => FilterValue::Int(rfc3339_secs(field_name, value)?),
    };
    let value = match (field, value) {
        // Addresses are stored lower-cased (the SDK lower-cases too).
        (FilterField::Identifier, FilterValue::Text(text)) => FilterValue::Text(text.to_lowercase()),
        (FilterField::Status, FilterValue::Text(text))
            if matches!(op, FilterOp::Eq | FilterOp::Ne)
                && !["active", "inactive", "pending"].contains(&text.as_str()) =>
        {
            return Err(invalid(field_name, "must be active, inactive or pending"))
        }
        (_, value) => value,
    };
    Ok(Filter { field, op, value })
}

fn order(text: &str) -> Result<Vec<Order>, ApiError> {
    text.split(',')
        .filter(|part| !part.trim().is_empty())
        .map(|part| {
            let (name, direction) = part.trim().split_once(':').unwrap_or((part.trim(), "ASC"));
            let field = match name {
                "id" => OrderField::Id,
                "email" => OrderField::Email,
                "status" => OrderField::Status,
                "created_at" => OrderField::CreatedAt,
                "updated_at" => OrderField::UpdatedAt,
                "last_login_at" => OrderField::LastLoginAt,
                "login_count" => OrderField::LoginCount,
                "identifier" => return Err(invalid("order_by", "cannot order by identifier")),
                _ => {
                    return Err(invalid(
                        "order_by",
                        "fields are id, email, status, created_at, updated_at, last_login_at, login_count",
                    ))
                }
            };
            let descending = match direction.to_ascii_uppercase().as_str() {
                "ASC" => false,
                "DESC" => true,
                _ => return Err(invalid("order_by", "the direction is ASC or DESC (field:ASC)")),
            };
            Ok(Order { field, descending })
        })
        .collect()
}

/// The caller's filter and order parameters as given, repeated in every `_links` href.
type Repeated = Vec<(&'static str, String)>;

/// The typed query, the page and the parameters to repeat in the `_links`.
fn parse(params: &ListParams, now: i64) -> Result<(ListQuery, i64, Repeated), ApiError> {
    let page = params.page.as_deref().map(|p| whole_number("page", p)).transpose()?.unwrap_or(1);
    if page < 1 {
        return Err(invalid("page", "must be 1 or more"));
    }
    let limit = params.limit.as_deref().map(|l| whole_number("limit", l)).transpose()?.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(invalid("limit", &format!("must be 1 to {MAX_LIMIT}")));
    }
    let created_before =
        params.created_before.as_deref().map(|c| whole_number("created_before", c)).transpose()?.unwrap_or(now);
    let mut filters = Vec::new();
    let mut repeated = Vec::new();
    let fields = [
        ("identifier", &params.identifier, FilterField::Identifier, Kind::Text),
        ("id", &params.id, FilterField::Id, Kind::Text),
        ("login_count", &params.login_count, FilterField::LoginCount, Kind::Count),
        ("status", &params.status, FilterField::Status, Kind::Text),
        ("created_at", &params.created_at, FilterField::CreatedAt, Kind::Time),
        ("updated_at", &params.updated_at, FilterField::UpdatedAt, Kind::Time),
        ("last_login_at", &params.last_login_at, FilterField::LastLoginAt, Kind::Time),
    ];
    for (name, raw, field, kind) in fields {
        if let Some(raw) = raw {
            filters.push(filter(name, field, kind, raw)?);
            repeated.push((name, raw.clone()));
        }
    }
    let order = params.order_by.as_deref().map(order).transpose()?.unwrap_or_default();
    if let Some(order_by) = &params.order_by {
        repeated.push(("order_by", order_by.clone()));
    }
    let query = ListQuery { filters, order, created_before, limit, offset: (page - 1).saturating_mul(limit) };
    Ok((query, page, repeated))
}

/// `/v1/apps/{app}/users?page=…&limit=…&created_before=…` plus the caller's filters and order.
fn page_href(app_id: &str, page: i64, query: &ListQuery, repeated: &[(&str, String)]) -> String {
    let mut params = url::form_urlencoded::Serializer::new(String::new());
    params.append_pair("page", &page.to_string());
    params.append_pair("limit", &query.limit.to_string());
    params.append_pair("created_before", &query.created_before.to_string());
    for (name, value) in repeated {
        params.append_pair(name, value);
    }
    format!("/v1/apps/{app_id}/users?{}", params.finish())
}

/// → `ListPaginatedUsersResponse`. Newest first unless `order_by` says otherwise; users created after
/// `created_before` (default: now) are left out, so the pages of one listing stay stable. A page past the end is
/// empty (200), with `next` `""`.
pub async fn list(
    State(state): State<AppState>,
    ApiKey(app): ApiKey,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<UserList>, ApiError> {
    let (query, page, repeated) = parse(&params, state.now())?;
    let (users, total) = user_list::list(state.db(), &app.config.id, &query, state.now()).await?;
    let last = ((total + query.limit - 1) / query.limit).max(1);
    let href = |page: i64| Link { href: page_href(&app.config.id, page, &query, &repeated) };
    let none = || Link { href: String::new() };
    let links = PageLinks {
        first: href(1),
        last: href(last),
        next: if page < last { href(page + 1) } else { none() },
        previous: if page > 1 { href((page - 1).min(last)) } else { none() },
        this: href(page),
    };
    Ok(Json(UserList {
        links,
        created_before: query.created_before,
        limit: query.limit,
        page,
        total_users: total,
        users: users.iter().map(ListedUser::from).collect(),
    }))
}

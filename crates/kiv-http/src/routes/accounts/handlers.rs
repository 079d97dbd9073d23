//! The account endpoints: each parses, makes one store call and renders.

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use kiv_domain::access::check_roles;
use kiv_domain::Tagged;
use kiv_store::accounts::{self, AccountChanges, AccountFilter};
use kiv_store::credentials::generate_secret;
use utoipa_actix_web::service_config::ServiceConfig;

use super::views::{
    AccountPatch, AccountQuery, AccountView, AccountWithSecret, Me, NewAccountRequest,
};
use crate::auth::{Admin, Auth};
use crate::extract::{expected_version, page_and_sort, required, ApiJson, ApiPatch, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::problem_responses::{
    IfMatchRequired, InvalidInput, MalformedOrOutOfRange, NotAdministrator,
};
use crate::respond::{single, Collection};
use crate::views::OrganisationView;
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_own_account)
        .service(list_accounts)
        .service(create_account)
        .service(get_account)
        .service(update_account)
        .service(rotate_secret);
}

/// Who am I?
///
/// The account the access token belongs to, its organisation and the roles the token carries.
#[utoipa::path(
    tag = "Accounts",
    responses((status = 200, description = "The caller", body = Me))
)]
#[get("/me")]
async fn get_own_account(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.caller().clone();
    let login = caller.login.clone();
    let (account, organisation) = state
        .run(move |conn| accounts::with_organisation(conn, &login))
        .await?
        .ok_or_else(|| ApiError::not_found("account", &caller.login))?;
    Ok(HttpResponse::Ok().json(Me {
        account: AccountView::new(&req, account),
        organisation: OrganisationView::new(&req, organisation),
        roles: caller.roles,
    }))
}

/// List the accounts
///
/// Administrators only. Sorted by username or client id.
#[utoipa::path(
    tag = "Accounts",
    params(AccountQuery),
    responses(
        NotAdministrator,
        (status = 200, description = "One page of accounts", body = Collection<AccountView>),
        MalformedOrOutOfRange,
    )
)]
#[get("/accounts")]
async fn list_accounts(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: Admin,
    ApiQuery(query): ApiQuery<AccountQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, _) = page_and_sort::<()>(&req, query.page, query.page_size, None, &[])?;
    let filter = AccountFilter {
        organisation_id: query.organisation_id,
        kind: query.kind,
        disabled: query.disabled,
    };
    let found = state
        .run(move |conn| accounts::list(conn, &filter, page))
        .await?;
    Ok(Collection::new(&req, page, found, |a| AccountView::new(&req, a)).respond())
}

/// Create an account
///
/// Administrators only. A client's secret, or a person's password when none is given, is in
/// the answer, once: kiv keeps only its hash.
#[utoipa::path(
    tag = "Accounts",
    request_body = NewAccountRequest,
    responses(
        NotAdministrator,
        (status = 201, description = "The account, with its secret shown once", body = AccountWithSecret,
         headers(("Location" = String, description = "The new account"))),
        (status = 400, description = "Invalid input, or an unknown organisation", body = Problem,
         content_type = "application/problem+json"),
        (status = 409, description = "The username or client id is taken", body = Problem,
         content_type = "application/problem+json"),
    )
)]
#[post("/accounts")]
async fn create_account(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    ApiJson(body): ApiJson<NewAccountRequest>,
) -> Result<HttpResponse, ApiError> {
    let (new, secret, generated) = body.validate()?;
    let shown = generated.then(|| secret.clone());
    let account = state
        .run({
            let admin = admin.0.clone();
            move |conn| accounts::create(conn, &admin, new, &secret)
        })
        .await?;
    tracing::info!(admin = %admin.0.login, login = %account.login, "created an account");
    let validator = account.validator();
    Ok(AccountWithSecret::new(&req, account, shown)
        .respond(actix_web::http::StatusCode::CREATED, validator))
}

/// Read an account
///
/// Administrators read every account; anyone else only their own (others answer 404).
#[utoipa::path(
    tag = "Accounts",
    params(("accountId" = String, Path, description = "UUID of the account")),
    responses(
        (status = 200, description = "The account", body = AccountView,
         headers(("ETag" = String, description = "Entity tag of this version"))),
        (status = 404, description = "No such account (or not yours)", body = Problem,
         content_type = "application/problem+json"),
    )
)]
#[get("/accounts/{accountId}")]
async fn get_account(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    account_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let account_id = account_id.into_inner();
    let key = account_id.clone();
    let account = state
        .run(move |conn| accounts::get(conn, &key))
        .await?
        .filter(|a| auth.caller().may_read_account(&a.login))
        .ok_or_else(|| ApiError::not_found("account", &account_id))?;
    let validator = account.validator();
    Ok(single(&req, validator, &AccountView::new(&req, account)))
}

/// Change an account
///
/// Administrators only: disable or enable it, or replace its roles (a JSON merge patch: what is
/// left out stays). Needs `If-Match` with the account's `ETag`. An administrator cannot disable
/// their own account or take away their own admin role (somebody must remain able to
/// administer).
///
/// Rights are withdrawn at once, not when tokens expire: disabling the account or changing its
/// roles makes every token it holds answer `401 invalidAccessToken` within a few seconds on
/// every node (at once on the node that made the change), and an account that may no longer
/// pull reports loses its report links (`410 revokedLink`). A patch that changes nothing keeps
/// the tokens.
#[utoipa::path(
    tag = "Accounts",
    params(
        ("accountId" = String, Path, description = "UUID of the account"),
        ("If-Match" = String, Header, description = "The account's ETag"),
    ),
    request_body(content = AccountPatch, content_type = "application/merge-patch+json"),
    responses(
        NotAdministrator,
        (status = 200, description = "The changed account", body = AccountView),
        InvalidInput,
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The change would lock the administrator out", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The account changed since its ETag was read", body = Problem, content_type = "application/problem+json"),
        IfMatchRequired,
    )
)]
#[patch("/accounts/{accountId}")]
async fn update_account(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    account_id: web::Path<String>,
    ApiPatch(patch): ApiPatch<AccountPatch>,
) -> Result<HttpResponse, ApiError> {
    let caller = admin.0;
    let mut issues = Vec::new();
    let changes = AccountChanges {
        disabled: required("disabled", patch.disabled, &mut issues),
        roles: required("roles", patch.roles, &mut issues),
    };
    if let Some(roles) = &changes.roles {
        issues.extend(check_roles(roles));
    }
    if !issues.is_empty() {
        return Err(ApiError::bad_request(issues));
    }
    let expected = expected_version(&req)?;
    let account_id = account_id.into_inner();
    let account = state
        .run(move |conn| accounts::update(conn, &caller, &account_id, expected, changes))
        .await?;
    // This node sees the change at once; the others within the access check's TTL.
    state.access.forget(&account.login);
    let validator = account.validator();
    Ok(single(&req, validator, &AccountView::new(&req, account)))
}

/// Rotate an account's secret
///
/// Administrators only. Replaces a client's secret (or a person's password) by a new generated
/// one, shown once in the answer; the old one stops working at once, and so do the tokens
/// obtained with it (within a few seconds on every node). Needs `If-Match`.
#[utoipa::path(
    tag = "Accounts",
    params(
        ("accountId" = String, Path, description = "UUID of the account"),
        ("If-Match" = String, Header, description = "The account's ETag"),
    ),
    responses(
        NotAdministrator,
        (status = 200, description = "The account, with its new secret shown once", body = AccountWithSecret),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The account changed since its ETag was read", body = Problem, content_type = "application/problem+json"),
        IfMatchRequired,
    )
)]
#[post("/accounts/{accountId}/secret")]
async fn rotate_secret(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    account_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let expected = expected_version(&req)?;
    let secret = generate_secret();
    let stored = secret.clone();
    let account_id = account_id.into_inner();
    let account = state
        .run({
            let admin = admin.0.clone();
            move |conn| accounts::set_secret(conn, &admin, &account_id, expected, &stored)
        })
        .await?;
    state.access.forget(&account.login);
    tracing::info!(admin = %admin.0.login, login = %account.login, "rotated a secret");
    let validator = account.validator();
    Ok(AccountWithSecret::new(&req, account, Some(secret))
        .respond(actix_web::http::StatusCode::OK, validator))
}

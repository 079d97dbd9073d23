//! `/accounts` and `/me`: the people and agency systems that use kiv.

use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use kiv_domain::access::{check_login, check_password, check_roles};
use kiv_domain::Tagged;
use kiv_domain::{Account, AccountKind, InputIssue, IssueLocation, Role};
use kiv_store::accounts::{self, AccountChanges, AccountFilter, NewAccount};
use kiv_store::credentials::generate_secret;
use kiv_store::reference::organisations;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::collection_query;
use crate::auth::{Admin, Auth};
use crate::extract::{
    expected_version, page_and_sort, patch_field, required, ApiJson, ApiPatch, ApiQuery,
};
use crate::problem::{ApiError, Problem};
use crate::respond::{href, single, utc, Collection};
use crate::views::OrganisationView;
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(me)
        .service(list_accounts)
        .service(create_account)
        .service(get_account)
        .service(update_account)
        .service(rotate_secret);
}

/// A person or an agency system. Its password or client secret is never shown, except once in
/// the answer that creates or rotates it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    /// UUID.
    pub id: String,
    pub href: String,
    pub kind: AccountKind,
    /// A person's username (persons only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// An agency system's client id (clients only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    pub organisation_id: String,
    pub roles: Vec<Role>,
    /// A disabled account cannot obtain tokens, and those it has stop working within seconds.
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl crate::respond::Representation for AccountView {}

impl AccountView {
    fn new(req: &HttpRequest, account: Account) -> Self {
        let Account {
            id,
            kind,
            login,
            organisation_id,
            roles,
            disabled,
            version: _,
            access_version: _,
            created_at,
            updated_at,
        } = account;
        let (username, client_id) = match kind {
            AccountKind::Person => (Some(login), None),
            AccountKind::Client => (None, Some(login)),
        };
        AccountView {
            href: href(req, &format!("accounts/{id}")),
            id,
            kind,
            username,
            client_id,
            organisation_id,
            roles,
            disabled,
            created_at: utc(created_at),
            updated_at: utc(updated_at),
        }
    }
}

/// An account with its new secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountWithSecret {
    #[serde(flatten)]
    pub account: AccountView,
    /// A person's password, when kiv generated it. Store it now: it is not shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// A client's secret. Store it now: it is not shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

impl AccountWithSecret {
    fn new(req: &HttpRequest, account: Account, generated: Option<String>) -> Self {
        let kind = account.kind;
        let account = AccountView::new(req, account);
        let (password, client_secret) = match kind {
            AccountKind::Person => (generated, None),
            AccountKind::Client => (None, generated),
        };
        Self {
            account,
            password,
            client_secret,
        }
    }

    /// A secret must not linger in caches.
    fn respond(
        self,
        status: actix_web::http::StatusCode,
        version: kiv_domain::Validator,
    ) -> HttpResponse {
        let mut response = HttpResponse::build(status);
        if status == actix_web::http::StatusCode::CREATED {
            response.insert_header((header::LOCATION, self.account.href.clone()));
        }
        response
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header(header::ETag(header::EntityTag::new_strong(
                version.to_string(),
            )))
            .json(self)
    }
}

/// The caller: account, organisation and roles.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub account: AccountView,
    pub organisation: OrganisationView,
    /// The roles of the token in use: the account's own, as a token stops working when they
    /// change.
    pub roles: Vec<Role>,
}

/// Who am I?
///
/// The account the access token belongs to, its organisation and the roles the token carries.
#[utoipa::path(
    tag = "Accounts",
    responses((status = 200, description = "The caller", body = Me))
)]
#[get("/me")]
async fn me(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.caller().clone();
    let login = caller.login.clone();
    let (account, organisation) = state
        .run(move |conn| {
            let account = accounts::find_by_login(conn, &login)?;
            let organisation = match &account {
                Some(a) => organisations::get(conn, &a.organisation_id)?,
                None => None,
            };
            Ok(account.zip(organisation))
        })
        .await?
        .ok_or_else(|| ApiError::not_found("account", &caller.login))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(Me {
            account: AccountView::new(&req, account),
            organisation: OrganisationView::new(&req, organisation),
            roles: caller.roles,
        }))
}

collection_query! {
    /// Filters of the account collection.
    pub struct AccountQuery {
        /// Only the accounts of this organisation.
        pub organisation_id: Option<String>,
        /// Only persons or only clients.
        pub kind: Option<AccountKind>,
        /// Only disabled (`true`) or only enabled (`false`) accounts.
        pub disabled: Option<bool>,
    }
}

/// List the accounts
///
/// Administrators only. Sorted by username or client id.
#[utoipa::path(
    tag = "Accounts",
    params(AccountQuery),
    responses(
        (status = 403, description = "The caller is not an administrator (missingScope)", body = Problem,
         content_type = "application/problem+json"),
        (status = 200, description = "One page of accounts", body = Collection<AccountView>),
        (status = 400, description = "A parameter is malformed or out of range", body = Problem,
         content_type = "application/problem+json"),
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

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"kind": "client", "clientId": "pz-gent", "organisationId": "pz-demo", "roles": ["reporter"]}))]
pub struct NewAccountRequest {
    pub kind: AccountKind,
    /// A person's username: 3 to 64 lowercase letters, digits, `.`, `_` or `-`.
    pub username: Option<String>,
    /// An agency system's client id, same rules as a username.
    pub client_id: Option<String>,
    pub organisation_id: String,
    #[schema(schema_with = roles_schema)]
    pub roles: Vec<Role>,
    /// A person's password (at least 12 characters); when omitted, kiv generates one and shows
    /// it once. Clients never choose their secret.
    pub password: Option<String>,
}

impl NewAccountRequest {
    /// The account to create and its secret (chosen or generated), or every issue at once.
    fn validate(self) -> Result<(NewAccount, String, bool), ApiError> {
        let mut issues: Vec<InputIssue> = Vec::new();
        let unexpected = |name: &str| {
            InputIssue::invalid(
                IssueLocation::Body,
                name,
                None,
                format!("{name} does not apply to this kind of account"),
            )
        };
        let missing = |name: &str| {
            InputIssue::invalid(
                IssueLocation::Body,
                name,
                None,
                format!("{name} is required for this kind of account"),
            )
        };
        let (field, login) = match self.kind {
            AccountKind::Person => {
                issues.extend(self.client_id.as_ref().map(|_| unexpected("clientId")));
                ("username", self.username)
            }
            AccountKind::Client => {
                issues.extend(self.username.as_ref().map(|_| unexpected("username")));
                issues.extend(self.password.as_ref().map(|_| unexpected("password")));
                ("clientId", self.client_id)
            }
        };
        match &login {
            Some(login) => issues.extend(check_login(field, login)),
            None => issues.push(missing(field)),
        }
        issues.extend(check_roles(&self.roles));
        if self.kind == AccountKind::Person {
            issues.extend(self.password.as_deref().and_then(check_password));
        }
        match login {
            Some(login) if issues.is_empty() => {
                let (secret, generated) = match self.password {
                    Some(password) if self.kind == AccountKind::Person => (password, false),
                    _ => (generate_secret(), true),
                };
                let new = NewAccount {
                    kind: self.kind,
                    login,
                    organisation_id: self.organisation_id,
                    roles: self.roles,
                };
                Ok((new, secret, generated))
            }
            _ => Err(ApiError::bad_request(issues)),
        }
    }
}

/// Create an account
///
/// Administrators only. A client's secret, or a person's password when none is given, is in
/// the answer, once: kiv keeps only its hash.
#[utoipa::path(
    tag = "Accounts",
    request_body = NewAccountRequest,
    responses(
        (status = 403, description = "The caller is not an administrator (missingScope)", body = Problem,
         content_type = "application/problem+json"),
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
        .filter(|a| auth.caller().has(Role::Admin) || a.login == auth.caller().login)
        .ok_or_else(|| ApiError::not_found("account", &account_id))?;
    let validator = account.validator();
    Ok(single(&req, validator, &AccountView::new(&req, account)))
}

/// Changes to an account: a JSON merge patch (RFC 7396). Properties left out stay as they are;
/// neither can be removed (`null` is refused).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"disabled": true}))]
pub struct AccountPatch {
    /// `true` stops the account from obtaining tokens; the tokens it has stop working within
    /// seconds, and its report links at once.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = bool)]
    pub disabled: Option<Option<bool>>,
    /// Replaces the account's roles. Tokens issued under the old roles stop working within
    /// seconds (the account logs in again to receive the new ones); when no role left may pull
    /// reports, its report links are revoked.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(schema_with = roles_schema)]
    pub roles: Option<Option<Vec<Role>>>,
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
        (status = 403, description = "The caller is not an administrator (missingScope)", body = Problem,
         content_type = "application/problem+json"),
        (status = 200, description = "The changed account", body = AccountView),
        (status = 400, description = "Invalid input", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The change would lock the administrator out", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The account changed since its ETag was read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
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
    let admin = caller.login.clone();
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
        .run(move |conn| {
            let current = accounts::get(conn, &account_id)?.ok_or(kiv_store::StoreError::NotFound)?;
            let locks_out = current.login == admin
                && (changes.disabled == Some(true)
                    || changes.roles.as_ref().is_some_and(|r| !r.contains(&Role::Admin)));
            if locks_out {
                return Err(kiv_store::StoreError::Conflict(
                    "an administrator cannot disable their own account or drop their own admin role".into(),
                ));
            }
            accounts::update(conn, &caller, &account_id, expected, changes)
        })
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
        (status = 403, description = "The caller is not an administrator (missingScope)", body = Problem,
         content_type = "application/problem+json"),
        (status = 200, description = "The account, with its new secret shown once", body = AccountWithSecret),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The account changed since its ETag was read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
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

/// Roles as accounts take them: at least one, none twice.
fn roles_array() -> utoipa::openapi::schema::ArrayBuilder {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(utoipa::openapi::Ref::from_schema_name("Role"))
        .min_items(Some(1))
        .unique_items(true)
}

fn roles_schema() -> utoipa::openapi::schema::Array {
    roles_array().build()
}

//! What the account endpoints read and answer: the representations (an account, with its secret
//! once, the caller), the query parameters and the request bodies.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use kiv_domain::access::{check_login, check_password, check_roles};
use kiv_domain::{Account, AccountKind, InputIssue, IssueLocation, Role};
use kiv_store::accounts::NewAccount;
use kiv_store::credentials::generate_secret;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::extract::patch_field;
use crate::problem::ApiError;
use crate::respond::{href, utc};
use crate::routes::collection_query;
use crate::views::OrganisationView;

/// A person or an agency system. Its password or client secret is never shown, except once in
/// the answer that creates or rotates it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "91339f82-5e17-4df6-a80e-56cd7d10730b",
    "href": "http://127.0.0.1:8080/kiv/v1/accounts/91339f82-5e17-4df6-a80e-56cd7d10730b",
    "version": "1",
    "kind": "client",
    "clientId": "pz-gent",
    "organisationId": "pz-gent",
    "organisationHref": "http://127.0.0.1:8080/kiv/v1/organisations/pz-gent",
    "roles": ["reporter"],
    "disabled": false,
    "createdAt": "2017-01-09T08:15:00Z",
    "updatedAt": "2017-01-09T08:15:00Z"
}))]
pub struct AccountView {
    /// UUID.
    pub id: String,
    pub href: String,
    /// This representation's version, the `ETag` without its quotes: send it back in `If-Match`
    /// (quoted or not) so that a change applies only to what was read.
    #[schema(example = "3")]
    pub version: String,
    pub kind: AccountKind,
    /// A person's username (persons only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// An agency system's client id (clients only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    pub organisation_id: String,
    /// The link to `organisationId`.
    pub organisation_href: String,
    pub roles: Vec<Role>,
    /// A disabled account cannot obtain tokens, and those it has stop working within seconds.
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl crate::respond::Representation for AccountView {}

impl AccountView {
    pub(super) fn new(req: &HttpRequest, account: Account) -> Self {
        let version = kiv_domain::Tagged::validator(&account).to_string();
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
            version,
            href: href(req, &format!("accounts/{id}")),
            id,
            kind,
            username,
            client_id,
            organisation_href: href(req, &format!("organisations/{organisation_id}")),
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
#[schema(example = json!({
    "id": "91339f82-5e17-4df6-a80e-56cd7d10730b",
    "href": "http://127.0.0.1:8080/kiv/v1/accounts/91339f82-5e17-4df6-a80e-56cd7d10730b",
    "version": "1",
    "kind": "client",
    "clientId": "pz-gent",
    "organisationId": "pz-gent",
    "organisationHref": "http://127.0.0.1:8080/kiv/v1/organisations/pz-gent",
    "roles": ["reporter"],
    "disabled": false,
    "createdAt": "2017-01-09T08:15:00Z",
    "updatedAt": "2017-01-09T08:15:00Z",
    "clientSecret": "q5Vd2J0sXkR8mWb3T7nYc1LzHf4GpA6e"
}))]
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
    pub(super) fn new(req: &HttpRequest, account: Account, generated: Option<String>) -> Self {
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
    pub(super) fn respond(
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
#[schema(example = json!({
    "account": {"id": "91339f82-5e17-4df6-a80e-56cd7d10730b", "href": "http://127.0.0.1:8080/kiv/v1/accounts/91339f82-5e17-4df6-a80e-56cd7d10730b", "version": "1", "kind": "person", "clientId": "pz-gent", "organisationId": "fod-justitie", "organisationHref": "http://127.0.0.1:8080/kiv/v1/organisations/fod-justitie", "roles": ["coordinator"], "disabled": false, "createdAt": "2017-01-09T08:15:00Z", "updatedAt": "2017-01-09T08:15:00Z", "username": "jan.peeters"},
    "organisation": {"id": "fod-justitie", "href": "http://127.0.0.1:8080/kiv/v1/organisations/fod-justitie", "version": "1", "name": {"nl": "FOD Justitie", "fr": "SPF Justice"}, "kind": "federalService", "coordinator": true},
    "roles": ["coordinator"]
}))]
pub struct Me {
    pub account: AccountView,
    pub organisation: OrganisationView,
    /// The roles of the token in use: the account's own, as a token stops working when they
    /// change.
    pub roles: Vec<Role>,
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
    pub(super) fn validate(self) -> Result<(NewAccount, String, bool), ApiError> {
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

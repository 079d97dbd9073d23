//! Declares in the OpenAPI document how to authenticate, on every operation that needs it, so
//! that the document (and the Swagger UI's Authorize button) always matches the routes.

use utoipa::openapi::path::Operation;
use utoipa::openapi::response::Response;
use utoipa::openapi::security::{
    ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Password, Scopes,
    SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{Content, OpenApi, Ref};

use crate::BASE_PATH;

/// Operations anyone may call: health, metrics, the token endpoint and the public keys.
pub const PUBLIC_PATHS: [&str; 4] = ["/health", "/metrics", "/auth/token", "/auth/jwks.json"];

pub fn declare(document: &mut OpenApi) {
    let token_url = format!("{BASE_PATH}/auth/token");
    let components = document.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearerAuth",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some(
                    "An access token from POST /kiv/v1/auth/token, as `Authorization: Bearer <token>`.",
                ))
                .build(),
        ),
    );
    components.add_security_scheme(
        "oauth2",
        SecurityScheme::OAuth2(OAuth2::with_description(
            [
                Flow::ClientCredentials(ClientCredentials::new(token_url.clone(), Scopes::new())),
                Flow::Password(Password::new(token_url, Scopes::new())),
            ],
            "Agency systems use the client credentials flow, people the password flow.",
        )),
    );
    let unauthorized = Response::builder()
        .description(
            "No access token (`noAccessToken`), or one that is invalid (`invalidAccessToken`; \
             also a token withdrawn because its account was disabled or its roles or secret \
             changed since it was issued) or expired (`expiredAccessToken`); with a \
             `WWW-Authenticate: Bearer` header",
        )
        .content(
            "application/problem+json",
            Content::new(Some(Ref::from_schema_name("Problem"))),
        )
        .build();
    for (path, item) in document.paths.paths.iter_mut() {
        let relative = path.strip_prefix(BASE_PATH).unwrap_or(path);
        if PUBLIC_PATHS.contains(&relative) {
            continue;
        }
        let operations: [&mut Option<Operation>; 5] = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        for operation in operations.into_iter().flatten() {
            operation.security = Some(vec![
                SecurityRequirement::new("bearerAuth", Vec::<String>::new()),
                SecurityRequirement::new("oauth2", Vec::<String>::new()),
            ]);
            operation
                .responses
                .responses
                .entry("401".into())
                .or_insert_with(|| unauthorized.clone().into());
        }
    }
}

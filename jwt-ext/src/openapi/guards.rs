//! What `rocket_okapi` asks of each guard and responder.

use std::any::TypeId;

use rocket_okapi::gen::OpenApiGenerator;
use rocket_okapi::okapi::openapi3::{
    MediaType, RequestBody, Responses, SecurityRequirement, SecurityScheme, SecuritySchemeData,
};
use rocket_okapi::request::{OpenApiFromData, OpenApiFromRequest, RequestHeaderInput};
use rocket_okapi::response::OpenApiResponderInner;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;

use super::{documented, marker, refusals, responses, REFUSALS};
use crate::__private::{JwtRequired, RouteAttribute};
use crate::auth::Auth;
use crate::claims::Claims;
use crate::error::{AuthError, IssueError};
use crate::guard::{CurrentUser, JsonToken, OptionalToken, Token};
use crate::policy::{Policy, Requirement};
use crate::rotation::RotateError;

use rocket_okapi::okapi::schemars;

type Result<T> = rocket_okapi::Result<T>;

/// The marker requirement of a guard, with its placeholder scheme (an HTTP bearer JWT, which
/// is what the default configuration accepts, until [`describe`](super::describe) replaces it).
fn security(
    gen: &mut OpenApiGenerator,
    policy: Option<&Policy>,
    optional: bool,
) -> RequestHeaderInput {
    let name = marker(policy, optional);
    let scheme = SecurityScheme {
        description: Some(
            "A jwt-ext token; `jwt_ext::openapi::describe` states where the app reads it".into(),
        ),
        data: SecuritySchemeData::Http {
            scheme: "bearer".into(),
            bearer_format: Some("JWT".into()),
        },
        extensions: Default::default(),
    };
    gen.add_security_scheme(name.clone(), scheme.clone());
    let mut requirement = SecurityRequirement::new();
    requirement.insert(name.clone(), Vec::new());
    RequestHeaderInput::Security(name, scheme, requirement)
}

fn validates<C: 'static>() -> bool {
    TypeId::of::<C>() != TypeId::of::<()>()
}

impl<'r> OpenApiFromRequest<'r> for &'r Auth {
    fn from_request_input(
        _: &mut OpenApiGenerator,
        _: String,
        _: bool,
    ) -> Result<RequestHeaderInput> {
        Ok(RequestHeaderInput::None)
    }
}

impl<'r, C: Claims, P: Requirement> OpenApiFromRequest<'r> for Token<C, P> {
    fn from_request_input(
        gen: &mut OpenApiGenerator,
        _: String,
        _: bool,
    ) -> Result<RequestHeaderInput> {
        Ok(security(gen, P::documented().as_ref(), false))
    }

    fn get_responses(_: &mut OpenApiGenerator) -> Result<Responses> {
        Ok(refusals(P::documented().as_ref(), validates::<C>()))
    }
}

impl<'r, C: Claims, P: Requirement> OpenApiFromRequest<'r> for OptionalToken<C, P> {
    fn from_request_input(
        gen: &mut OpenApiGenerator,
        _: String,
        _: bool,
    ) -> Result<RequestHeaderInput> {
        Ok(security(gen, P::documented().as_ref(), true))
    }

    fn get_responses(_: &mut OpenApiGenerator) -> Result<Responses> {
        Ok(refusals(P::documented().as_ref(), validates::<C>()))
    }
}

impl<'r, U: Send + Sync + 'static, P: Requirement> OpenApiFromRequest<'r> for CurrentUser<U, P> {
    fn from_request_input(
        gen: &mut OpenApiGenerator,
        _: String,
        _: bool,
    ) -> Result<RequestHeaderInput> {
        Ok(security(gen, P::documented().as_ref(), false))
    }

    fn get_responses(_: &mut OpenApiGenerator) -> Result<Responses> {
        Ok(refusals(P::documented().as_ref(), false))
    }
}

impl<'r, A: RouteAttribute> OpenApiFromRequest<'r> for JwtRequired<A> {
    fn from_request_input(
        gen: &mut OpenApiGenerator,
        _: String,
        _: bool,
    ) -> Result<RequestHeaderInput> {
        Ok(security(gen, Some(&A::POLICY), false))
    }

    fn get_responses(_: &mut OpenApiGenerator) -> Result<Responses> {
        Ok(refusals(Some(&A::POLICY), false))
    }
}

/// The body, as `B` describes it, with the token under the JSON key (`access_token` by
/// default, `json_key`).
impl<'r, C, P, B> OpenApiFromData<'r> for JsonToken<C, P, B>
where
    C: Claims,
    P: Requirement,
    B: DeserializeOwned + JsonSchema + Send + 'static,
{
    fn request_body(gen: &mut OpenApiGenerator) -> Result<RequestBody> {
        let media = MediaType {
            schema: Some(gen.json_schema::<B>()),
            ..MediaType::default()
        };
        let mut body = RequestBody {
            description: Some(
                "JSON carrying the token under the configured key (`json_key`, `access_token` by \
                 default; `refresh_json_key` for refresh tokens)"
                    .into(),
            ),
            required: true,
            ..RequestBody::default()
        };
        body.content.insert("application/json".into(), media);
        Ok(body)
    }
}

impl OpenApiResponderInner for AuthError {
    fn responses(_: &mut OpenApiGenerator) -> Result<Responses> {
        Ok(documented(&REFUSALS))
    }
}

impl OpenApiResponderInner for IssueError {
    fn responses(_: &mut OpenApiGenerator) -> Result<Responses> {
        Ok(responses(&[("500", "Could not issue a token")]))
    }
}

impl OpenApiResponderInner for RotateError {
    fn responses(gen: &mut OpenApiGenerator) -> Result<Responses> {
        let mut all = AuthError::responses(gen)?;
        rocket_okapi::okapi::merge::merge_responses(&mut all, &IssueError::responses(gen)?)?;
        Ok(all)
    }
}

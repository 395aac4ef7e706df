//! The policy's steps on a decoded token (SPEC §4): type, freshness, revocation, the
//! verification hook, then the route's authorization.

use rocket::tokio::sync::OnceCell;

use crate::auth::Auth;
use crate::authorize;
use crate::error::AuthError;
use crate::kind::TokenType;
use crate::policy::Policy;
use crate::telemetry;
use crate::token::TokenData;

/// The policy's steps on a decoded token, in SPEC §4's order: type, freshness, revocation
/// (answered once per token through `revocation`), the verification hook; then, the token
/// being valid, the route's authorization.
pub(crate) async fn judge(
    auth: &Auth,
    policy: &Policy,
    data: &TokenData,
    revocation: &OnceCell<Result<(), AuthError>>,
) -> Result<(), AuthError> {
    match (policy.kind, data.token_type()) {
        (Some(TokenType::Access), TokenType::Refresh) => return Err(AuthError::RefreshNotAllowed),
        (Some(TokenType::Refresh), TokenType::Access) => return Err(AuthError::RefreshRequired),
        _ => {}
    }
    if policy.fresh && !data.freshness().is_fresh_at(auth.settings.clock.now_f64()) {
        return Err(AuthError::NeedsFresh);
    }
    if policy.check_revocation {
        revocation
            .get_or_init(|| async {
                let started = std::time::Instant::now();
                let answer = auth.blocklist.is_revoked(data).await;
                telemetry::store(auth.store, started.elapsed(), answer.is_err());
                match answer {
                    Ok(false) => Ok(()),
                    Ok(true) => Err(AuthError::Revoked),
                    Err(e) => Err(AuthError::from(e)),
                }
            })
            .await
            .clone()?;
    }
    if let Some(verify) = &auth.hooks.token_verification {
        if !verify(data) {
            return Err(AuthError::ClaimsVerification);
        }
    }
    if policy.authorizes() {
        authorize(&auth.settings.roles_claim, policy, data)?;
    }
    Ok(())
}

/// Roles (any of them), scopes (all of them), then each check.
fn authorize(roles_claim: &str, policy: &Policy, data: &TokenData) -> Result<(), AuthError> {
    if !policy.roles.is_empty() && !authorize::has_any_role(data, roles_claim, policy.roles) {
        rocket::debug!(
            "jwt-ext: the token holds none of the roles {:?}",
            policy.roles
        );
        return Err(AuthError::forbidden());
    }
    if !policy.scopes.is_empty() && !authorize::has_scopes(data, policy.scopes) {
        rocket::debug!(
            "jwt-ext: the token lacks one of the scopes {:?}",
            policy.scopes
        );
        return Err(AuthError::Forbidden {
            scopes: policy.scopes,
        });
    }
    policy.checks.iter().try_for_each(|check| check.run(data))
}

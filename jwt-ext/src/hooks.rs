//! The equivalents of Flask-JWT-Extended's callbacks (SPEC §6).
//!
//! | Flask | here |
//! |---|---|
//! | `user_identity_loader` | [`ToIdentity`], implemented by the type you issue tokens for |
//! | `user_lookup_loader` | [`UserLoader`], registered with [`AuthFairing::user_loader`](crate::AuthFairing::user_loader) |
//! | `additional_claims_loader` | [`AuthFairing::additional_claims`](crate::AuthFairing::additional_claims) |
//! | `additional_headers_loader` | [`AuthFairing::additional_headers`](crate::AuthFairing::additional_headers) |
//! | `token_in_blocklist_loader` | [`Blocklist`](crate::Blocklist), set with [`AuthFairing::blocklist`](crate::AuthFairing::blocklist) |
//! | `token_verification_loader` | [`AuthFairing::token_verification`](crate::AuthFairing::token_verification) |
//! | `encode_key_loader` | [`AuthFairing::encode_key`](crate::AuthFairing::encode_key) (async) |
//! | `decode_key_loader` | [`AuthFairing::decode_key`](crate::AuthFairing::decode_key) (async) |
//! | `*_loader` error callbacks | [`AuthFairing::on_error`](crate::AuthFairing::on_error) |

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

use rocket::{Request, Response};
use serde_json::{Map, Value};

use crate::config::Settings;
use crate::error::{AuthError, ErrorKind};
use crate::keys::KeyChoice;
use crate::kind::TokenType;
use crate::token::{self, DecodeOptions, TokenData};

/// Turns the object a token is issued for into the identity stored in the token (Flask's
/// `user_identity_loader`). Implemented for strings and integers; implement it for your user
/// type to pass users straight to [`Auth::access_token`](crate::Auth::access_token).
///
/// ```
/// use jwt_ext::ToIdentity;
///
/// struct User { id: u64, name: String }
///
/// impl ToIdentity for User {
///     fn to_identity(&self) -> String { self.id.to_string() }
/// }
/// ```
pub trait ToIdentity {
    /// The identity to store in the identity claim.
    fn to_identity(&self) -> String;
}

impl ToIdentity for str {
    fn to_identity(&self) -> String {
        self.to_owned()
    }
}

impl ToIdentity for String {
    fn to_identity(&self) -> String {
        self.clone()
    }
}

impl<T: ToIdentity + ?Sized> ToIdentity for &T {
    fn to_identity(&self) -> String {
        (**self).to_identity()
    }
}

macro_rules! integer_identity {
    ($($t:ty),*) => {$(
        impl ToIdentity for $t {
            fn to_identity(&self) -> String { self.to_string() }
        }
    )*};
}
integer_identity!(u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize);

/// Loads the user a verified token speaks for (Flask's `user_lookup_loader`); the
/// [`CurrentUser<U>`](crate::CurrentUser) guard calls it once per request.
///
/// Returning `None` answers 401 `Error loading the user <identity>`.
///
/// ```
/// use jwt_ext::{TokenData, UserLoader};
/// use rocket::Request;
///
/// struct User { name: String }
/// struct Users;
///
/// #[rocket::async_trait]
/// impl UserLoader for Users {
///     type User = User;
///
///     async fn load_user(&self, token: &TokenData, _req: &Request<'_>) -> Option<User> {
///         (token.identity() == "alice").then(|| User { name: "alice".into() })
///     }
/// }
/// ```
#[rocket::async_trait]
pub trait UserLoader: Send + Sync + 'static {
    /// The user type, read by `CurrentUser<Self::User>`.
    type User: Send + Sync + 'static;

    /// The user for this token, or `None` when there is none. The request gives access to
    /// managed state (a database pool, say).
    async fn load_user(&self, token: &TokenData, req: &Request<'_>) -> Option<Self::User>;
}

/// Extra claims or headers for a new token, from its identity and type.
pub(crate) type IssueHook = Box<dyn Fn(&str, TokenType) -> Map<String, Value> + Send + Sync>;
/// Accepts or refuses a verified token.
pub(crate) type VerifyHook = Box<dyn Fn(&TokenData) -> bool + Send + Sync>;
/// Replaces the default error response of one [`ErrorKind`].
pub(crate) type ErrorHook =
    Box<dyn Fn(&AuthError, &Request<'_>) -> Response<'static> + Send + Sync>;

/// What a key hook returns: a future of its answer; an `Err` (a reason for the log) refuses
/// the token as a bad signature would (422), or the issue (500).
pub type KeyFuture<T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, String>> + Send>>;
/// Chooses the key of a received token from its unverified header and payload.
pub(crate) type DecodeKeyHook =
    Box<dyn Fn(&Map<String, Value>, &Map<String, Value>) -> KeyFuture<KeyChoice> + Send + Sync>;
/// Chooses the `kid` that signs a new token (`None`: the signing key).
pub(crate) type EncodeKeyHook =
    Box<dyn Fn(&str, TokenType) -> KeyFuture<Option<String>> + Send + Sync>;

/// Decodes `token` with the key `hook` chose from its unverified header and payload; a hook
/// that fails refuses the token as a bad signature would.
pub(crate) async fn decode_with(
    settings: &Settings,
    hook: &DecodeKeyHook,
    token: &str,
) -> Result<TokenData, AuthError> {
    let header = token::unverified_header(settings, token)?;
    let payload = token::unverified_payload(settings, token)?;
    let choice = hook(&header, &payload).await.map_err(|reason| {
        rocket::debug!("jwt-ext: the decode-key hook refused a token: {reason}");
        AuthError::invalid("Signature verification failed")
    })?;
    let options = DecodeOptions {
        allow_expired: false,
        key: Some(&choice),
        external: None,
    };
    token::decode(settings, token, settings.clock.now(), options)
}

/// A type-erased `Arc<dyn UserLoader<User = U>>`, keyed by `TypeId::of::<U>()`.
type AnyLoader = Box<dyn Any + Send + Sync>;

/// The registered hooks.
#[derive(Default)]
pub(crate) struct Hooks {
    pub(crate) user_loaders: HashMap<TypeId, AnyLoader>,
    pub(crate) additional_claims: Option<IssueHook>,
    pub(crate) additional_headers: Option<IssueHook>,
    pub(crate) token_verification: Option<VerifyHook>,
    pub(crate) decode_key: Option<DecodeKeyHook>,
    pub(crate) encode_key: Option<EncodeKeyHook>,
    pub(crate) errors: HashMap<ErrorKind, ErrorHook>,
}

impl Hooks {
    pub(crate) fn add_user_loader<L: UserLoader>(&mut self, loader: L) {
        let loader: Arc<dyn UserLoader<User = L::User>> = Arc::new(loader);
        self.user_loaders
            .insert(TypeId::of::<L::User>(), Box::new(loader));
    }

    pub(crate) fn user_loader<U: Send + Sync + 'static>(
        &self,
    ) -> Option<&Arc<dyn UserLoader<User = U>>> {
        self.user_loaders
            .get(&TypeId::of::<U>())
            .and_then(|loader| loader.downcast_ref())
    }
}

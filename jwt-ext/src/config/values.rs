//! The typed values of the configuration: lifetimes, one-or-many lists, `SameSite`, methods.

use std::fmt;

use rocket::http::Method;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

/// A token lifetime: whole seconds, or `false` for tokens that never expire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// Expire this many seconds after issue.
    Seconds(u64),
    /// Never expire (`false` in the configuration).
    Never,
}

impl Expiry {
    /// The lifetime in seconds, `None` when tokens never expire.
    pub fn seconds(self) -> Option<i64> {
        match self {
            Expiry::Seconds(s) => Some(i64::try_from(s).unwrap_or(i64::MAX)),
            Expiry::Never => None,
        }
    }
}

impl Serialize for Expiry {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Expiry::Seconds(s) => serializer.serialize_u64(*s),
            Expiry::Never => serializer.serialize_bool(false),
        }
    }
}

impl<'de> Deserialize<'de> for Expiry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ExpiryVisitor;

        impl Visitor<'_> for ExpiryVisitor {
            type Value = Expiry;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number of seconds or `false`")
            }

            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Expiry, E> {
                if v {
                    Err(E::invalid_value(de::Unexpected::Bool(true), &self))
                } else {
                    Ok(Expiry::Never)
                }
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Expiry, E> {
                Ok(Expiry::Seconds(v))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Expiry, E> {
                u64::try_from(v)
                    .map(Expiry::Seconds)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
            }
        }

        deserializer.deserialize_any(ExpiryVisitor)
    }
}

/// One value or a list of them (`token_location`, audiences).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum OneOrMany<T = String> {
    /// A single value.
    One(T),
    /// Several values.
    Many(Vec<T>),
}

/// A string is one value, a list several; the values' own errors are kept (an untagged enum
/// would only say that nothing matched).
impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OneOrManyVisitor<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for OneOrManyVisitor<T> {
            type Value = OneOrMany<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                T::deserialize(de::value::StrDeserializer::<E>::new(v)).map(OneOrMany::One)
            }

            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Vec::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(OneOrMany::Many)
            }
        }

        deserializer.deserialize_any(OneOrManyVisitor(std::marker::PhantomData))
    }
}

impl<T> OneOrMany<T> {
    pub(crate) fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        }
    }
}

/// `cookie_samesite`: `Strict`, `Lax` or `None`, in any case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CookieSameSite {
    /// Sent only to the site that set it.
    Strict,
    /// Also on top-level navigations from other sites.
    Lax,
    /// Always sent; needs `cookie_secure = true`.
    None,
}

impl<'de> Deserialize<'de> for CookieSameSite {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        [
            CookieSameSite::Strict,
            CookieSameSite::Lax,
            CookieSameSite::None,
        ]
        .into_iter()
        .find(|v| format!("{v:?}").eq_ignore_ascii_case(&value))
        .ok_or_else(|| {
            de::Error::custom(format!("`{value}` is not one of `Strict`, `Lax`, `None`"))
        })
    }
}

/// `csrf_methods`: HTTP method names, in any case.
pub(super) fn methods<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Method>, D::Error> {
    Vec::<String>::deserialize(deserializer)?
        .iter()
        .map(|name| {
            name.parse::<Method>().map_err(|()| {
                de::Error::custom(format!(
                    "`{name}` is not an HTTP method; use names such as `POST`, `PUT`, `PATCH`, \
                     `DELETE`"
                ))
            })
        })
        .collect()
}

/// `failure_log_level`: the level authentication failures are logged at, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailureLogLevel {
    /// Not logged.
    Off,
    /// At `error`.
    Error,
    /// At `warn`.
    Warn,
    /// At `info` (the default).
    Info,
    /// At `debug`.
    Debug,
}

impl FailureLogLevel {
    pub(crate) fn level(self) -> Option<log::Level> {
        match self {
            FailureLogLevel::Off => None,
            FailureLogLevel::Error => Some(log::Level::Error),
            FailureLogLevel::Warn => Some(log::Level::Warn),
            FailureLogLevel::Info => Some(log::Level::Info),
            FailureLogLevel::Debug => Some(log::Level::Debug),
        }
    }
}

/// "unknown key `secrt_key`; did you mean `secret_key`?", or the valid keys when none is close.
pub(super) fn unknown_key(name: &str, valid: &[&str]) -> String {
    let closest = valid
        .iter()
        .map(|candidate| (edit_distance(name, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.len() / 3).max(2))
        .min_by_key(|(distance, _)| *distance);
    match closest {
        Some((_, guess)) => format!("unknown key `{name}`; did you mean `{guess}`?"),
        None => format!("unknown key `{name}`; the keys are listed in the configuration reference (`jwt_ext::config::Config`)"),
    }
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, left) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, right) in b.iter().enumerate() {
            let replaced = diagonal + usize::from(left != *right);
            diagonal = row[j + 1];
            row[j + 1] = replaced.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

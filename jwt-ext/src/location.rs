//! Where tokens travel (SPEC §8): the [`Location`] vocabulary, shared by configuration, the
//! route attributes and extraction. A leaf: it imports nothing from the crate.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A place a token can travel in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Location {
    /// The configured header (`Authorization: Bearer <JWT>` by default).
    Headers,
    /// The access or refresh cookie, with CSRF double-submit protection.
    Cookies,
    /// A query parameter (`?jwt=<JWT>` by default).
    QueryString,
    /// A key of a JSON request body; read by the [`JsonToken`](crate::JsonToken) data guard.
    Json,
}

impl Location {
    /// The configuration name of this location.
    pub const fn as_str(self) -> &'static str {
        match self {
            Location::Headers => "headers",
            Location::Cookies => "cookies",
            Location::QueryString => "query_string",
            Location::Json => "json",
        }
    }

    /// Every location, in the order of their configuration names.
    const ALL: [Location; 4] = [
        Location::Headers,
        Location::Cookies,
        Location::QueryString,
        Location::Json,
    ];
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Location {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Location::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown location `{s}`; use `headers`, `cookies`, `query_string` or `json`"
                )
            })
    }
}

/// Written as its configuration name, `"headers"`, `"cookies"`, ...
impl Serialize for Location {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Read from its configuration name; another name is an error that lists the valid ones.
impl<'de> Deserialize<'de> for Location {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

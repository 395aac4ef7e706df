//! [`scan`]: the rules of [`super`] checked without building the value, parsing only the
//! top-level members the pipeline reads.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::HashSet;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::{Refusal, Strict};

/// Checks `bytes` as one strict JSON object and parses the top-level members `wanted` names
/// into `found` (same indices; the first of equal names wins); every other member is only
/// checked.
pub(crate) fn scan(
    bytes: &[u8],
    wanted: &[&str],
    found: &mut [Option<Value>],
) -> Result<(), Refusal> {
    let refusal = Cell::new(Refusal::Syntax);
    let strict = Strict {
        depth: 1,
        refusal: &refusal,
    };
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let top = Top {
        strict,
        wanted,
        found,
    };
    match (deserializer.deserialize_map(top), deserializer.end()) {
        (Ok(()), Ok(())) => Ok(()),
        (Err(_), _) => Err(refusal.get()),
        _ => Err(Refusal::Syntax),
    }
}

/// The member names of one object, to refuse a duplicate as soon as it is read.
#[derive(Default)]
struct Names<'de> {
    few: Vec<Cow<'de, str>>,
    many: HashSet<Cow<'de, str>>,
}

impl<'de> Names<'de> {
    /// Objects up to this size are searched linearly; larger ones are hashed.
    const FEW: usize = 16;

    /// False when `name` was already there.
    fn insert(&mut self, name: Cow<'de, str>) -> bool {
        if self.few.len() < Self::FEW {
            if self.few.contains(&name) {
                return false;
            }
            self.few.push(name);
            return true;
        }
        if self.many.is_empty() {
            self.many.extend(self.few.iter().cloned());
        }
        self.many.insert(name)
    }
}

/// A member name, borrowed from the input unless it holds escapes.
struct Name;

impl<'de> DeserializeSeed<'de> for Name {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Name {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

/// The top object of [`scan`].
struct Top<'w, 'r> {
    strict: Strict<'r>,
    wanted: &'w [&'w str],
    found: &'w mut [Option<Value>],
}

impl<'de> Visitor<'de> for Top<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let strict = self.strict;
        let inner = strict.members().map_err(|r| strict.refuse(r))?;
        let mut names = Names::default();
        while let Some(name) = map.next_key_seed(Name)? {
            let slot = self.wanted.iter().position(|w| *w == name);
            if !names.insert(name) {
                return Err(strict.refuse(Refusal::Duplicate));
            }
            match slot {
                Some(i) => self.found[i] = Some(map.next_value_seed(inner)?),
                None => map.next_value_seed(Check(inner))?,
            }
        }
        Ok(())
    }
}

/// A value checked by the rules and dropped: nothing is built but the member names.
#[derive(Clone, Copy)]
struct Check<'r>(Strict<'r>);

impl<'de> DeserializeSeed<'de> for Check<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Check<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let strict = self.0;
        let inner = Check(strict.members().map_err(|r| strict.refuse(r))?);
        while seq.next_element_seed(inner)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let strict = self.0;
        let inner = Check(strict.members().map_err(|r| strict.refuse(r))?);
        let mut names = Names::default();
        while let Some(name) = map.next_key_seed(Name)? {
            if !names.insert(name) {
                return Err(strict.refuse(Refusal::Duplicate));
            }
            map.next_value_seed(inner)?;
        }
        Ok(())
    }
}

//! The one spelling of a token's JSON (SPEC §4): UTF-8 objects without duplicate member names,
//! nested at most [`MAX_DEPTH`] levels, every string valid Unicode (no lone surrogates).
//!
//! `serde_json` alone keeps the last of two equal names, skips strings it is told to ignore
//! without checking their escapes, and allows 128 levels; a JWT parsed that way can mean one
//! thing to us and another to a peer. Two readers enforce the rules: [`object`] builds the
//! [`Map`] (headers, and [`TokenData::payload`](crate::TokenData::payload) when asked for), and
//! [`scan`] checks a payload without building it, parsing only the members the pipeline reads.
//! Both run the same [`Names`] and depth checks, so they accept exactly the same texts.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

mod scan;

pub(crate) use scan::scan;

/// The deepest nesting accepted anywhere in a header or payload; the top object is level 1.
pub(crate) const MAX_DEPTH: usize = 64;

/// Why a segment was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Not a JSON object, not UTF-8, bad syntax, or a string with an invalid escape.
    Syntax,
    /// A member name appears twice in one object.
    Duplicate,
    /// Nested deeper than [`MAX_DEPTH`].
    TooDeep,
}

/// Parses `bytes` as one strict JSON object.
pub(crate) fn object(bytes: &[u8]) -> Result<Map<String, Value>, Refusal> {
    // Anything but an object is refused as such, before what it holds is looked at (as
    // `scan` does).
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(Refusal::Syntax);
    }
    let refusal = Cell::new(Refusal::Syntax);
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = Strict {
        depth: 1,
        refusal: &refusal,
    }
    .deserialize(&mut deserializer);
    match (value, deserializer.end()) {
        (Ok(Value::Object(map)), Ok(())) => Ok(map),
        (Err(_), _) => Err(refusal.get()),
        _ => Err(Refusal::Syntax),
    }
}

/// One value at `depth`; a rule it breaks is written to `refusal` before failing.
#[derive(Clone, Copy)]
pub(super) struct Strict<'a> {
    depth: usize,
    refusal: &'a Cell<Refusal>,
}

impl Strict<'_> {
    /// The seed of a container's members; the container itself must not be too deep.
    pub(super) fn members(self) -> Result<Self, Refusal> {
        if self.depth > MAX_DEPTH {
            return Err(Refusal::TooDeep);
        }
        Ok(Strict {
            depth: self.depth + 1,
            ..self
        })
    }

    pub(super) fn refuse<E: de::Error>(self, refusal: Refusal) -> E {
        self.refusal.set(refusal);
        E::custom("refused")
    }
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let inner = self.members().map_err(|r| self.refuse(r))?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(inner)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let inner = self.members().map_err(|r| self.refuse(r))?;
        let mut members = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            match members.entry(name) {
                serde_json::map::Entry::Vacant(entry) => {
                    entry.insert(map.next_value_seed(inner)?);
                }
                serde_json::map::Entry::Occupied(_) => return Err(self.refuse(Refusal::Duplicate)),
            }
        }
        Ok(Value::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn nested(depth: usize) -> String {
        // `depth` objects, the innermost empty: {"a":{"a":{}}} is depth 3.
        format!(
            "{}{{}}{}",
            r#"{"a":"#.repeat(depth - 1),
            "}".repeat(depth - 1)
        )
    }

    /// Both readers on `text`: they must agree, and `scan` must capture what `object` built.
    fn strict(text: impl AsRef<[u8]>) -> Result<(), Refusal> {
        let text = text.as_ref();
        let wanted = ["b", "a", "z"];
        let mut found = [None, None, None];
        let scanned = scan(text, &wanted, &mut found);
        let built = object(text);
        assert_eq!(scanned, built.as_ref().map(|_| ()).map_err(|r| *r));
        if let Ok(map) = built {
            for (name, value) in wanted.iter().zip(&found) {
                assert_eq!(map.get(*name), value.as_ref());
            }
        }
        scanned
    }

    #[test]
    fn the_rules() {
        assert!(strict(br#"{"a":[1,{"b":null}],"c":"\u00e9","b":{"x":[true]}}"#).is_ok());
        assert_eq!(strict(br#"{"a":1,"a":2}"#), Err(Refusal::Duplicate));
        assert_eq!(strict(br#"{"a":1,"\u0061":2}"#), Err(Refusal::Duplicate));
        assert_eq!(strict(br#"{"x":{"a":1,"a":1}}"#), Err(Refusal::Duplicate));
        assert_eq!(strict(br#"{"x":[{"a":1,"a":1}]}"#), Err(Refusal::Duplicate));
        assert_eq!(strict(br#"{"a":"\ud800"}"#), Err(Refusal::Syntax));
        assert_eq!(strict(br#"{"x":"\ud800"}"#), Err(Refusal::Syntax));
        assert_eq!(strict(br#"{"\udc00":1}"#), Err(Refusal::Syntax));
        assert_eq!(strict(b"[1]"), Err(Refusal::Syntax));
        assert_eq!(strict(b"{} {}"), Err(Refusal::Syntax));
        assert_eq!(strict(b"{\"a\":\"\xff\"}"), Err(Refusal::Syntax));
        assert!(strict(nested(MAX_DEPTH)).is_ok());
        assert_eq!(strict(nested(MAX_DEPTH + 1)), Err(Refusal::TooDeep));
        assert_eq!(strict(nested(2000)), Err(Refusal::TooDeep));
        let deep_array = format!(r#"{{"a":{}{}}}"#, "[".repeat(63), "]".repeat(63));
        assert!(strict(deep_array).is_ok());
        let deep_array = format!(r#"{{"x":{}{}}}"#, "[".repeat(64), "]".repeat(64));
        assert_eq!(strict(deep_array), Err(Refusal::TooDeep));
    }

    #[test]
    fn large_objects_are_hashed_with_the_same_answers() {
        let members = |n: usize| (0..n).map(|i| format!(r#""k{i}":{i}"#)).collect::<Vec<_>>();
        for n in [15, 16, 17, 40] {
            let unique = format!("{{{}}}", members(n).join(","));
            assert!(strict(&unique).is_ok(), "{n} members");
            let mut repeated = members(n);
            repeated.push(r#""k0":"again""#.into());
            assert_eq!(
                strict(format!("{{{}}}", repeated.join(","))),
                Err(Refusal::Duplicate)
            );
            let nested = format!(r#"{{"z":{unique},"y":[{unique}]}}"#);
            assert!(strict(nested).is_ok());
        }
    }

    /// JSON texts built from pieces that matter to the rules: names that repeat (also through
    /// escapes), nesting, lone surrogates, trailing data. Both readers must agree on each.
    fn texts() -> impl Strategy<Value = String> {
        let name = prop_oneof![
            Just("a".to_owned()),
            Just("b".to_owned()),
            Just("\\u0061".to_owned()),
            Just("z".to_owned()),
            "[a-c]{1,3}",
        ];
        let leaf = prop_oneof![
            Just("1".to_owned()),
            Just("-2.5e3".to_owned()),
            Just("true".to_owned()),
            Just("null".to_owned()),
            Just(r#""x""#.to_owned()),
            Just(r#""\ud800""#.to_owned()),
            Just(r#""\u00e9\n""#.to_owned()),
        ];
        let value = leaf.prop_recursive(6, 40, 5, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4)
                    .prop_map(|v| format!("[{}]", v.join(","))),
                prop::collection::vec((name.clone(), inner), 0..5).prop_map(|members| {
                    let members: Vec<String> = members
                        .into_iter()
                        .map(|(n, v)| format!(r#""{n}":{v}"#))
                        .collect();
                    format!("{{{}}}", members.join(","))
                }),
            ]
        });
        (
            value,
            prop_oneof![Just(""), Just(" "), Just(" {}"), Just(",")],
        )
            .prop_map(|(text, tail)| format!("{text}{tail}"))
    }

    proptest::proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn the_scan_and_the_map_accept_the_same_texts(text in texts()) {
            strict(&text).ok();
        }
    }
}

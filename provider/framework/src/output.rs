//! `Output<T>`: a typed value that comes from another resource, like an
//! SDK's `Output<T>`, and the way component inputs, child inputs and
//! component outputs are wired together.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserialize, DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::wire::sig;

/// The name under which [`Output`] asks a deserializer for its whole wire
/// value. The framework's property-value deserializer answers it with a map
/// of `value`, `secret` and `dependencies`; any other deserializer sees an
/// ordinary newtype and hands over the plain value.
pub(crate) const OUTPUT_NEWTYPE: &str = "$pulumi_provider_framework::Output";

/// The key of the value in that map: not a property of the user's (a
/// decoding failure's path leaves it out).
pub(crate) const OUTPUT_VALUE_KEY: &str = "$pulumi_provider_framework::Output::value";

/// A value produced by a resource: known or not yet known (while
/// previewing, before the resource exists), maybe secret, and carrying the
/// URNs of the resources it comes from.
///
/// Use it for every input that another resource can provide (a role ARN, a
/// bucket name). Decoded from the engine's inputs it keeps the wire value's
/// secretness and dependencies; handed to a child resource it keeps them
/// too, so the engine orders the child after those resources and stores the
/// value encrypted. In the schema it is the plain `T`.
///
/// Custom resources are always created, updated and read with known values:
/// [`Output::get`] is `Some` there. Components see unknowns while
/// previewing and pass them on with [`Output::map`] and [`Output::zip`].
#[derive(Debug, Clone, PartialEq)]
pub struct Output<T> {
    value: Option<T>,
    secret: bool,
    dependencies: Vec<String>,
}

impl<T> Output<T> {
    /// A known, plain value that depends on nothing.
    pub fn new(value: T) -> Self {
        Output {
            value: Some(value),
            secret: false,
            dependencies: Vec::new(),
        }
    }

    /// A value not known yet.
    pub fn unknown() -> Self {
        Output {
            value: None,
            secret: false,
            dependencies: Vec::new(),
        }
    }

    /// A value with all of its wire metadata.
    pub fn from_parts(value: Option<T>, secret: bool, mut dependencies: Vec<String>) -> Self {
        dependencies.sort();
        dependencies.dedup();
        Output {
            value,
            secret,
            dependencies,
        }
    }

    /// The value, when it is known.
    pub fn get(&self) -> Option<&T> {
        self.value.as_ref()
    }

    /// The value, when it is known.
    pub fn into_value(self) -> Option<T> {
        self.value
    }

    /// True when the value is known.
    pub fn is_known(&self) -> bool {
        self.value.is_some()
    }

    /// True when the value must never be shown or stored in plain text.
    pub fn is_secret(&self) -> bool {
        self.secret
    }

    /// URNs of the resources the value comes from, sorted.
    pub fn dependencies(&self) -> &[String] {
        &self.dependencies
    }

    /// The same value, secret.
    pub fn into_secret(mut self) -> Self {
        self.secret = true;
        self
    }

    /// The same value, also depending on the resource `urn`.
    pub fn depending_on(mut self, urn: impl Into<String>) -> Self {
        self.dependencies.push(urn.into());
        self.dependencies.sort();
        self.dependencies.dedup();
        self
    }

    /// True when the value is known, not secret and depends on nothing: it
    /// travels as the plain value.
    pub fn is_plain(&self) -> bool {
        self.value.is_some() && !self.secret && self.dependencies.is_empty()
    }

    /// Applies `f` to the value once it is known; secretness and
    /// dependencies carry over.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Output<U> {
        Output {
            value: self.value.map(f),
            secret: self.secret,
            dependencies: self.dependencies,
        }
    }

    /// Both values together: known when both are, secret when either is,
    /// depending on what both depend on.
    pub fn zip<U>(self, other: Output<U>) -> Output<(T, U)> {
        let value = self.value.zip(other.value);
        let mut dependencies = self.dependencies;
        dependencies.extend(other.dependencies);
        Output::from_parts(value, self.secret || other.secret, dependencies)
    }

    /// Every value together, in order (like [`Output::zip`] for a list).
    pub fn all(outputs: impl IntoIterator<Item = Output<T>>) -> Output<Vec<T>> {
        let mut values = Some(Vec::new());
        let mut secret = false;
        let mut dependencies = Vec::new();
        for output in outputs {
            secret |= output.secret;
            dependencies.extend(output.dependencies);
            values = values.zip(output.value).map(|(mut list, value)| {
                list.push(value);
                list
            });
        }
        Output::from_parts(values, secret, dependencies)
    }
}

impl<T: Clone> Output<Vec<T>> {
    /// Element `index` of a list value, with the list's secretness and
    /// dependencies; unknown while the list is, or when it is too short.
    pub fn element(&self, index: usize) -> Output<T> {
        Output {
            value: self
                .value
                .as_ref()
                .and_then(|items| items.get(index).cloned()),
            secret: self.secret,
            dependencies: self.dependencies.clone(),
        }
    }
}

impl Output<String> {
    /// The string; empty while unknown. Custom resources may rely on it: the
    /// framework refuses to create or update with unknown inputs, so they
    /// only ever see known values.
    pub fn as_str(&self) -> &str {
        self.value.as_deref().unwrap_or_default()
    }
}

/// The string itself, for APIs that take strings (empty while unknown; see
/// [`Output::as_str`]).
impl From<&Output<String>> for String {
    fn from(output: &Output<String>) -> Self {
        output.as_str().to_owned()
    }
}

impl PartialEq<String> for Output<String> {
    fn eq(&self, other: &String) -> bool {
        self.value.as_ref() == Some(other)
    }
}

impl PartialEq<Output<String>> for String {
    fn eq(&self, other: &Output<String>) -> bool {
        other == self
    }
}

impl PartialEq<&str> for Output<String> {
    fn eq(&self, other: &&str) -> bool {
        self.value.as_deref() == Some(*other)
    }
}

/// The value for messages: `[secret]` when secret (so that no error or log
/// line carries it), `[unknown]` while unknown.
impl<T: fmt::Display> fmt::Display for Output<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            _ if self.secret => f.write_str("[secret]"),
            Some(value) => value.fmt(f),
            None => f.write_str("[unknown]"),
        }
    }
}

impl From<&str> for Output<String> {
    fn from(value: &str) -> Self {
        Output::new(value.to_owned())
    }
}

impl<T> From<T> for Output<T> {
    fn from(value: T) -> Self {
        Output::new(value)
    }
}

impl<T: Default> Default for Output<T> {
    fn default() -> Self {
        Output::new(T::default())
    }
}

/// Serialized as the plain value when it is one; otherwise as Pulumi's
/// output-value object (`4dabf…` = `d0e6…`, `value`, `secret`,
/// `dependencies`), which the framework turns back into an output value.
impl<T: Serialize> Serialize for Output<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.is_plain() {
            return self.value.serialize(serializer);
        }
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry(sig::SPECIAL_KEY, sig::OUTPUT_VALUE)?;
        if let Some(value) = &self.value {
            map.serialize_entry("value", value)?;
        }
        map.serialize_entry("secret", &self.secret)?;
        map.serialize_entry("dependencies", &self.dependencies)?;
        map.end()
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Output<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_newtype_struct(OUTPUT_NEWTYPE, OutputVisitor(PhantomData))
    }
}

struct OutputVisitor<T>(PhantomData<T>);

impl<'de, T: DeserializeOwned> Visitor<'de> for OutputVisitor<T> {
    type Value = Output<T>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a value, maybe an output value")
    }

    /// Any deserializer but the framework's: the plain value, or Pulumi's
    /// output-value object as [`Output`] serializes it.
    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let is_output = value
            .get(sig::SPECIAL_KEY)
            .is_some_and(|kind| kind == sig::OUTPUT_VALUE);
        if !is_output {
            return T::deserialize(value)
                .map(Output::new)
                .map_err(de::Error::custom);
        }
        let known = value.get("value").cloned();
        let secret = value.get("secret").and_then(serde_json::Value::as_bool);
        let dependencies = value
            .get("dependencies")
            .and_then(|deps| Vec::<String>::deserialize(deps).ok())
            .unwrap_or_default();
        let known = known
            .map(T::deserialize)
            .transpose()
            .map_err(de::Error::custom)?;
        Ok(Output::from_parts(
            known,
            secret.unwrap_or(false),
            dependencies,
        ))
    }

    /// The framework's deserializer: `value` (absent when unknown),
    /// `secret`, `dependencies`.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut value = None;
        let mut secret = false;
        let mut dependencies = Vec::new();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                OUTPUT_VALUE_KEY => value = Some(map.next_value::<T>()?),
                "secret" => secret = map.next_value()?,
                "dependencies" => dependencies = map.next_value()?,
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        Ok(Output::from_parts(value, secret, dependencies))
    }
}

impl<T: JsonSchema> JsonSchema for Output<T> {
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }

    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(urn: &str, value: Option<&str>) -> Output<String> {
        Output::from_parts(value.map(str::to_owned), false, vec![urn.to_owned()])
    }

    #[test]
    fn zip_is_known_only_when_both_are_and_keeps_every_dependency() {
        let both = from("u2", Some("b")).zip(from("u1", Some("a")));
        assert_eq!(both.get(), Some(&("b".to_owned(), "a".to_owned())));
        assert_eq!(both.dependencies(), ["u1".to_owned(), "u2".to_owned()]);
        let partly = from("u1", Some("a")).zip(from("u2", None));
        assert!(!partly.is_known());
        assert_eq!(partly.dependencies().len(), 2);
    }

    #[test]
    fn secretness_spreads_through_map_zip_and_all() {
        let secret = Output::new("s".to_owned()).into_secret();
        assert!(secret.clone().map(|s| s.len()).is_secret());
        assert!(Output::new(1).zip(secret.clone()).is_secret());
        assert!(Output::all([Output::new("a".to_owned()), secret]).is_secret());
    }

    #[test]
    fn element_of_a_list_keeps_its_metadata() {
        let list = Output::from_parts(Some(vec![1, 2]), true, vec!["u".into()]);
        assert_eq!(list.element(1).get(), Some(&2));
        assert!(list.element(1).is_secret());
        assert_eq!(list.element(1).dependencies(), ["u".to_owned()]);
        assert!(!list.element(5).is_known());
    }

    #[test]
    fn plain_values_serialize_as_themselves() {
        let json = serde_json::to_value(Output::new("arn")).unwrap();
        assert_eq!(json, serde_json::json!("arn"));
        let back: Output<String> = serde_json::from_value(json).unwrap();
        assert!(back.is_plain());
        assert_eq!(back.get().map(String::as_str), Some("arn"));
    }

    #[test]
    fn wired_values_round_trip_through_json() {
        for output in [
            Output::from_parts(Some("arn".to_owned()), true, vec!["urn:a".into()]),
            Output::from_parts(None, false, vec!["urn:b".into()]),
        ] {
            let json = serde_json::to_value(&output).unwrap();
            assert_eq!(json[sig::SPECIAL_KEY], sig::OUTPUT_VALUE);
            let back: Output<String> = serde_json::from_value(json).unwrap();
            assert_eq!(back, output);
        }
    }
}

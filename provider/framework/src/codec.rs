//! Typed values <-> property maps. Decoding reads the property values
//! themselves (no detour through plain JSON), so an [`crate::Output`] field
//! receives the wire value's secretness, dependencies and unknownness,
//! while every other field sees the plain value.

use serde::Serialize;
use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, DeserializeOwned, Deserializer, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;

use crate::check::CheckFailure;
use crate::error::{ProviderError, Result};
use crate::output::OUTPUT_NEWTYPE;
use crate::wire::{PropertyMap, PropertyValue, properties_from_json, properties_to_json};

/// Reads a typed value out of a property map, naming the failing path.
pub fn decode<T: DeserializeOwned>(map: &PropertyMap) -> std::result::Result<T, CheckFailure> {
    serde_path_to_error::deserialize(MapValue(map)).map_err(path_failure)
}

/// Reads a typed value out of one property value.
pub fn decode_value<T: DeserializeOwned>(
    value: &PropertyValue,
) -> std::result::Result<T, CheckFailure> {
    serde_path_to_error::deserialize(Value(value)).map_err(path_failure)
}

/// A decoding error as a failure of the property at its path.
fn path_failure(error: serde_path_to_error::Error<DecodeError>) -> CheckFailure {
    let path = error.path().to_string();
    let property = if path == "." { String::new() } else { path };
    CheckFailure::new(property, error.into_inner().to_string())
}

/// Writes a typed value as a property map: [`crate::Output`] fields become
/// output values (secret, unknown, with dependencies) and `secret_keys` are
/// marked secret.
pub fn encode_wired<T: Serialize>(value: &T, secret_keys: &[String]) -> Result<PropertyMap> {
    let json = serde_json::to_value(value)
        .map_err(|error| ProviderError::Internal(format!("cannot encode properties: {error}")))?;
    Ok(properties_from_json(&json, secret_keys))
}

/// Writes a typed value as state: like [`encode_wired`], with output values
/// reduced to their value (secret when they were).
pub fn encode<T: Serialize>(value: &T, secret_keys: &[String]) -> Result<PropertyMap> {
    Ok(encode_wired(value, secret_keys)?
        .into_iter()
        .map(|(key, value)| (key, flatten_outputs(value)))
        .collect())
}

/// Writes a typed value as a plain property map (no secrets).
pub fn encode_plain<T: Serialize>(value: &T) -> Result<PropertyMap> {
    encode(value, &[])
}

/// Top-level keys whose values are or hold secrets.
pub fn secret_keys(map: &PropertyMap) -> Vec<String> {
    properties_to_json(map).secret_keys
}

/// Output values become their plain value (or unknown), secret when they
/// were secret; their dependencies travel separately.
pub fn flatten_outputs(value: PropertyValue) -> PropertyValue {
    match value {
        PropertyValue::Output(out) => {
            let inner = match out.value {
                Some(inner) => flatten_outputs(*inner),
                None => PropertyValue::Unknown(crate::wire::UnknownKind::Generic),
            };
            if out.secret {
                inner.into_secret()
            } else {
                inner
            }
        }
        PropertyValue::Secret(inner) => PropertyValue::Secret(Box::new(flatten_outputs(*inner))),
        PropertyValue::Array(items) => {
            PropertyValue::Array(items.into_iter().map(flatten_outputs).collect())
        }
        PropertyValue::Object(map) => PropertyValue::Object(
            map.into_iter()
                .map(|(k, v)| (k, flatten_outputs(v)))
                .collect(),
        ),
        other => other,
    }
}

/// The deserializer's error: serde's own messages.
#[derive(Debug)]
pub struct DecodeError(String);

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DecodeError {}

impl de::Error for DecodeError {
    fn custom<M: std::fmt::Display>(message: M) -> Self {
        DecodeError(message.to_string())
    }
}

/// A property map as a deserializer (an object).
#[derive(Clone, Copy)]
struct MapValue<'a>(&'a PropertyMap);

impl<'de, 'a> Deserializer<'de> for MapValue<'a> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_map(MapDeserializer::new(
            self.0
                .iter()
                .map(|(key, value)| (key.as_str(), Value(value))),
        ))
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// One property value as a deserializer. Secrets and output values are
/// transparent, unknowns read as null, resource references as their id (or
/// URN), assets and archives as their fields; an [`crate::Output`] asks for
/// the wire metadata too.
#[derive(Clone, Copy)]
struct Value<'a>(&'a PropertyValue);

impl<'a> Value<'a> {
    /// The value with secrets, output values and references looked through:
    /// `None` when it is not known.
    fn plain(self) -> Option<&'a PropertyValue> {
        match self.0 {
            PropertyValue::Secret(inner) => Value(inner).plain(),
            PropertyValue::Output(out) => out.value.as_deref().and_then(|v| Value(v).plain()),
            PropertyValue::Unknown(_) => None,
            PropertyValue::ResourceReference(reference) => match reference.id.as_deref() {
                // The engine sends an unknown id as "": not known yet.
                Some(PropertyValue::String(text)) if text.is_empty() => None,
                Some(id) => Value(id).plain(),
                None => Some(self.0),
            },
            other => Some(other),
        }
    }

    /// An [`crate::Output`]'s view: its value (when fully known), secretness
    /// and dependencies.
    fn output_fields(self) -> Vec<(&'static str, OutputField<'a>)> {
        let secret = self.0.contains_secrets();
        let dependencies = self.0.dependencies();
        let mut fields = Vec::with_capacity(3);
        if !self.0.contains_unknowns() {
            fields.push(("value", OutputField::Value(self)));
        }
        fields.push(("secret", OutputField::Secret(secret)));
        fields.push(("dependencies", OutputField::Dependencies(dependencies)));
        fields
    }
}

impl<'de, 'a> Deserializer<'de> for Value<'a> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let Some(plain) = self.plain() else {
            return visitor.visit_unit();
        };
        match plain {
            PropertyValue::Null | PropertyValue::Unknown(_) => visitor.visit_unit(),
            PropertyValue::Bool(flag) => visitor.visit_bool(*flag),
            PropertyValue::Number(number) => visit_number(*number, visitor),
            PropertyValue::String(text) => visitor.visit_str(text),
            PropertyValue::Array(items) => {
                visitor.visit_seq(SeqDeserializer::new(items.iter().map(Value)))
            }
            PropertyValue::Object(map)
            | PropertyValue::Asset(map)
            | PropertyValue::Archive(map) => MapValue(map).deserialize_any(visitor),
            PropertyValue::ResourceReference(reference) => visitor.visit_str(&reference.urn),
            PropertyValue::Secret(_) | PropertyValue::Output(_) => {
                unreachable!("plain() looks through secrets and output values")
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.plain() {
            None | Some(PropertyValue::Null) => visitor.visit_none(),
            Some(_) => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        if name == OUTPUT_NEWTYPE {
            visitor.visit_map(MapDeserializer::new(self.output_fields().into_iter()))
        } else {
            visitor.visit_newtype_struct(self)
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        match self.plain() {
            Some(PropertyValue::String(text)) => {
                visitor.visit_enum(text.as_str().into_deserializer())
            }
            Some(PropertyValue::Object(map)) if map.len() == 1 => {
                MapValue(map).deserialize_enum(name, variants, visitor)
            }
            _ => self.deserialize_any(visitor),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

/// Numbers travel as doubles: integral ones are read as integers, so that
/// integer fields accept them.
fn visit_number<'de, V: Visitor<'de>>(number: f64, visitor: V) -> Result<V::Value, DecodeError> {
    if number.fract() == 0.0 && number.abs() < 9.0e15 {
        if number >= 0.0 {
            visitor.visit_u64(number as u64)
        } else {
            visitor.visit_i64(number as i64)
        }
    } else {
        visitor.visit_f64(number)
    }
}

/// One entry of the map an [`crate::Output`] reads.
enum OutputField<'a> {
    Value(Value<'a>),
    Secret(bool),
    Dependencies(Vec<String>),
}

impl<'de, 'a> IntoDeserializer<'de, DecodeError> for OutputField<'a> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de, 'a> Deserializer<'de> for OutputField<'a> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self {
            OutputField::Value(value) => value.deserialize_any(visitor),
            OutputField::Secret(flag) => visitor.visit_bool(flag),
            OutputField::Dependencies(urns) => {
                visitor.visit_seq(SeqDeserializer::new(urns.into_iter()))
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self {
            OutputField::Value(value) => value.deserialize_option(visitor),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        match self {
            OutputField::Value(value) => value.deserialize_newtype_struct(name, visitor),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        match self {
            OutputField::Value(value) => value.deserialize_enum(name, variants, visitor),
            other => other.deserialize_any(visitor),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

impl<'de, 'a> IntoDeserializer<'de, DecodeError> for Value<'a> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Output;
    use crate::wire::{OutputValue, UnknownKind};
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase")]
    struct Args {
        role_arn: Output<String>,
        names: Output<Vec<String>>,
        #[serde(default)]
        key: Option<Output<String>>,
        count: u32,
        ratio: f64,
        #[serde(default)]
        mode: Option<Mode>,
    }

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    enum Mode {
        Fast,
        Safe,
    }

    fn map(entries: Vec<(&str, PropertyValue)>) -> PropertyMap {
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect()
    }

    fn output(value: Option<PropertyValue>, secret: bool, deps: &[&str]) -> PropertyValue {
        PropertyValue::Output(OutputValue {
            value: value.map(Box::new),
            secret,
            dependencies: deps.iter().map(|d| d.to_string()).collect(),
        })
    }

    fn props_with_role(role: PropertyValue) -> PropertyMap {
        map(vec![
            ("roleArn", role),
            ("names", PropertyValue::Array(vec!["a".into(), "b".into()])),
            ("count", PropertyValue::Number(3.0)),
            ("ratio", PropertyValue::Number(0.5)),
            ("mode", "Safe".into()),
        ])
    }

    #[test]
    fn an_output_field_keeps_secretness_and_dependencies() {
        let role = output(Some("arn:role".into()), true, &["urn:role"]);
        let args: Args = decode(&props_with_role(role)).unwrap();
        assert_eq!(args.role_arn.get().map(String::as_str), Some("arn:role"));
        assert!(args.role_arn.is_secret());
        assert_eq!(args.role_arn.dependencies(), ["urn:role".to_owned()]);
        assert_eq!(args.count, 3);
        assert_eq!(args.mode, Some(Mode::Safe));
        assert!(args.names.is_plain());
    }

    #[test]
    fn an_unknown_output_field_is_unknown_with_its_dependencies() {
        let role = output(None, false, &["urn:role"]);
        let args: Args = decode(&props_with_role(role)).unwrap();
        assert!(!args.role_arn.is_known());
        assert_eq!(args.role_arn.dependencies(), ["urn:role".to_owned()]);
        let bare: Args = decode(&props_with_role(PropertyValue::Unknown(
            UnknownKind::Generic,
        )))
        .unwrap();
        assert!(!bare.role_arn.is_known());
    }

    #[test]
    fn a_list_with_one_unknown_element_is_unknown() {
        let mut props = props_with_role("arn".into());
        props.insert(
            "names".into(),
            PropertyValue::Array(vec![
                "a".into(),
                PropertyValue::Unknown(UnknownKind::Generic),
            ]),
        );
        let args: Args = decode(&props).unwrap();
        assert!(!args.names.is_known());
    }

    #[test]
    fn a_secret_plain_field_is_read_as_its_value() {
        let mut props = props_with_role("arn".into());
        props.insert(
            "count".into(),
            PropertyValue::Secret(Box::new(PropertyValue::Number(7.0))),
        );
        let args: Args = decode(&props).unwrap();
        assert_eq!(args.count, 7);
    }

    #[test]
    fn outputs_survive_encoding_for_a_child() {
        let role = output(Some("arn:role".into()), true, &["urn:role"]);
        let decoded: Args = decode(&props_with_role(role)).unwrap();
        let encoded = encode_wired(&decoded, &[]).unwrap();
        let PropertyValue::Output(role) = &encoded["roleArn"] else {
            panic!("expected an output value, got {:?}", encoded["roleArn"]);
        };
        assert!(role.secret);
        assert_eq!(role.dependencies, vec!["urn:role".to_owned()]);
        assert_eq!(
            role.value.as_deref(),
            Some(&PropertyValue::from("arn:role"))
        );
        // Plain fields stay plain.
        assert_eq!(encoded["count"], PropertyValue::Number(3.0));
        // As state, the output value becomes a secret.
        let state = encode(&decoded, &[]).unwrap();
        assert_eq!(
            state["roleArn"],
            PropertyValue::Secret(Box::new("arn:role".into()))
        );
        let again: Args = decode(&encoded).unwrap();
        assert_eq!(again, decoded);
    }

    #[test]
    fn an_unknown_output_is_encoded_unknown_with_its_dependencies() {
        let decoded: Args = decode(&props_with_role(output(None, false, &["urn:role"]))).unwrap();
        let encoded = encode_wired(&decoded, &[]).unwrap();
        assert!(encoded["roleArn"].contains_unknowns());
        assert_eq!(
            encoded["roleArn"].dependencies(),
            vec!["urn:role".to_owned()]
        );
    }

    #[test]
    fn failures_name_the_path() {
        let mut props = props_with_role("arn".into());
        props.insert("count".into(), "many".into());
        let failure = decode::<Args>(&props).unwrap_err();
        assert_eq!(failure.property, "count");
        let failure = decode::<Args>(&BTreeMap::new()).unwrap_err();
        assert!(failure.reason.contains("missing field"), "{failure}");
    }
}

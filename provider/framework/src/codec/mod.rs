//! Typed values <-> property maps. Decoding reads the property values
//! themselves (no detour through plain JSON), so an [`crate::Output`] field
//! receives the wire value's secretness, dependencies and unknownness,
//! while every other field sees the plain value.

mod decode_error;
mod deserializer;
mod located;

use serde::Serialize;
use serde::de::DeserializeOwned;

use deserializer::{Unknowns, Value};
pub(crate) use located::all_failures;
use located::decode_located;

use crate::check::CheckFailure;
use crate::error::{ProviderError, Result};
use crate::wire::{PropertyMap, PropertyValue, properties_from_json, properties_to_json};

/// Reads a typed value out of a property map, naming the failing path (a
/// missing property by its own path). A value not known yet reads as null:
/// only an `Option` or an [`crate::Output`] accepts it.
pub fn decode<T: DeserializeOwned>(map: &PropertyMap) -> std::result::Result<T, CheckFailure> {
    decode_located(map, Unknowns::AsNull).map_err(|located| located.failure)
}

/// Reads a typed value out of a property map, or reports every reason it
/// does not read, each naming its path (an unknown key of a type that
/// denies unknown fields too), not just the first.
pub fn decode_all<T: DeserializeOwned>(
    map: &PropertyMap,
) -> std::result::Result<T, Vec<CheckFailure>> {
    decode::<T>(map).map_err(|first| {
        let failures = all_failures::<T>(map);
        if failures.is_empty() {
            vec![first]
        } else {
            failures
        }
    })
}

/// Reads a typed value out of one property value.
pub fn decode_value<T: DeserializeOwned>(
    value: &PropertyValue,
) -> std::result::Result<T, CheckFailure> {
    serde_path_to_error::deserialize(Value::new(value, Unknowns::AsNull))
        .map_err(|error| located::locate(error).failure)
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
    fn an_enum_value_not_allowed_is_quoted_unless_it_is_secret() {
        let mut props = props_with_role("arn".into());
        props.insert("mode".into(), "Slow".into());
        let failure = decode::<Args>(&props).unwrap_err();
        assert_eq!(failure.property, "mode");
        assert_eq!(failure.reason, "must be one of `Fast`, `Safe`, not `Slow`");
        props.insert(
            "mode".into(),
            PropertyValue::Secret(Box::new("hunter2".into())),
        );
        let failure = decode::<Args>(&props).unwrap_err();
        assert_eq!(failure.reason, "must be one of `Fast`, `Safe`");
    }

    #[test]
    fn failures_name_the_path() {
        let mut props = props_with_role("arn".into());
        props.insert("count".into(), "many".into());
        let failure = decode::<Args>(&props).unwrap_err();
        assert_eq!(failure.property, "count");
        assert!(!failure.reason.contains("many"), "{failure}");
        let failure = decode::<Args>(&BTreeMap::new()).unwrap_err();
        assert_eq!(failure, CheckFailure::new("roleArn", "is required"));
    }
}

//! Property maps <-> plain JSON, the bridge to typed (serde) inputs and
//! outputs. The plain view drops wire metadata; what it drops (unknowns,
//! secretness) is reported so callers can restore it.

use serde_json::{Map, Number, Value};

use super::sig;
use super::value::{OutputValue, PropertyMap, PropertyValue};

/// A property map seen as plain JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonView {
    /// The plain value: secrets unwrapped, unknowns as `null`, resource
    /// references as their id (or URN for components).
    pub value: Value,
    /// True when some value was unknown (and so is `null` in `value`).
    pub has_unknowns: bool,
    /// Top-level keys whose values were secret.
    pub secret_keys: Vec<String>,
}

/// Converts a property map to its plain JSON view.
pub fn properties_to_json(map: &PropertyMap) -> JsonView {
    let mut has_unknowns = false;
    let mut object = Map::new();
    let mut secret_keys = Vec::new();
    for (key, value) in map {
        if value.contains_secrets() {
            secret_keys.push(key.clone());
        }
        object.insert(key.clone(), plain(value, &mut has_unknowns));
    }
    JsonView {
        value: Value::Object(object),
        has_unknowns,
        secret_keys,
    }
}

/// One property value as plain JSON (see [`JsonView`]).
pub fn value_to_json(value: &PropertyValue) -> Value {
    plain(value, &mut false)
}

fn plain(value: &PropertyValue, has_unknowns: &mut bool) -> Value {
    match value {
        PropertyValue::Null => Value::Null,
        PropertyValue::Bool(flag) => Value::Bool(*flag),
        PropertyValue::Number(number) => number_to_json(*number),
        PropertyValue::String(text) => Value::String(text.clone()),
        PropertyValue::Array(items) => {
            Value::Array(items.iter().map(|item| plain(item, has_unknowns)).collect())
        }
        PropertyValue::Object(map) | PropertyValue::Asset(map) | PropertyValue::Archive(map) => {
            Value::Object(
                map.iter()
                    .map(|(key, item)| (key.clone(), plain(item, has_unknowns)))
                    .collect(),
            )
        }
        PropertyValue::Secret(inner) => plain(inner, has_unknowns),
        PropertyValue::Unknown(_) => {
            *has_unknowns = true;
            Value::Null
        }
        PropertyValue::Output(OutputValue { value, .. }) => match value {
            Some(inner) => plain(inner, has_unknowns),
            None => {
                *has_unknowns = true;
                Value::Null
            }
        },
        PropertyValue::ResourceReference(reference) => match reference.id.as_deref() {
            None => Value::String(reference.urn.clone()),
            // The engine sends an unknown id as "": not known yet.
            Some(PropertyValue::String(text)) if text.is_empty() => {
                *has_unknowns = true;
                Value::Null
            }
            Some(PropertyValue::String(text)) => Value::String(text.clone()),
            Some(other) => plain(other, has_unknowns),
        },
    }
}

/// JSON numbers keep integers integral so that serde can read them into
/// integer fields.
fn number_to_json(number: f64) -> Value {
    if number.fract() == 0.0 && number.abs() < 9.0e15 {
        Value::Number(Number::from(number as i64))
    } else {
        Number::from_f64(number).map_or(Value::Null, Value::Number)
    }
}

/// Converts a plain JSON object to a property map; `secret_keys` are wrapped
/// as secrets. A non-object yields an empty map.
pub fn properties_from_json(value: &Value, secret_keys: &[String]) -> PropertyMap {
    let Value::Object(object) = value else {
        return PropertyMap::new();
    };
    object
        .iter()
        .map(|(key, item)| {
            let converted = value_from_json(item);
            let converted = if secret_keys.iter().any(|secret| secret == key) {
                converted.into_secret()
            } else {
                converted
            };
            (key.clone(), converted)
        })
        .collect()
}

/// One JSON value as a property value. Objects in Pulumi's wire shape for
/// an output value or a secret (the `4dabf…` key) become those values, so a
/// typed [`crate::Output`] written as JSON keeps its metadata.
pub fn value_from_json(value: &Value) -> PropertyValue {
    match value {
        Value::Null => PropertyValue::Null,
        Value::Bool(flag) => PropertyValue::Bool(*flag),
        Value::Number(number) => PropertyValue::Number(number.as_f64().unwrap_or_default()),
        Value::String(text) => PropertyValue::String(text.clone()),
        Value::Array(items) => PropertyValue::Array(items.iter().map(value_from_json).collect()),
        Value::Object(object) => match object.get(sig::SPECIAL_KEY).and_then(Value::as_str) {
            Some(sig::OUTPUT_VALUE) => PropertyValue::Output(OutputValue {
                value: object.get("value").map(|v| Box::new(value_from_json(v))),
                secret: object.get("secret").and_then(Value::as_bool) == Some(true),
                dependencies: object
                    .get("dependencies")
                    .and_then(Value::as_array)
                    .map(|urns| {
                        urns.iter()
                            .filter_map(|urn| urn.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default(),
            }),
            Some(sig::SECRET) => object
                .get("value")
                .map_or(PropertyValue::Null, value_from_json)
                .into_secret(),
            _ => PropertyValue::Object(
                object
                    .iter()
                    .map(|(key, item)| (key.clone(), value_from_json(item)))
                    .collect(),
            ),
        },
    }
}

//! protobuf `Struct` <-> [`PropertyValue`].

use prost_types::{ListValue, Struct, Value, value::Kind};

use super::sig;
use super::value::{OutputValue, PropertyMap, PropertyValue, ResourceReference, UnknownKind};

/// Decodes a protobuf struct (absent = empty) into a property map.
pub fn struct_to_properties(source: Option<&Struct>) -> PropertyMap {
    source
        .map(|s| {
            s.fields
                .iter()
                .map(|(key, value)| (key.clone(), value_from_proto(value)))
                .collect()
        })
        .unwrap_or_default()
}

/// Encodes a property map as a protobuf struct.
pub fn properties_to_struct(map: &PropertyMap) -> Struct {
    Struct {
        fields: map
            .iter()
            .map(|(key, value)| (key.clone(), value_to_proto(value)))
            .collect(),
    }
}

/// Decodes one protobuf value.
pub fn value_from_proto(value: &Value) -> PropertyValue {
    match &value.kind {
        None | Some(Kind::NullValue(_)) => PropertyValue::Null,
        Some(Kind::BoolValue(flag)) => PropertyValue::Bool(*flag),
        Some(Kind::NumberValue(number)) => PropertyValue::Number(*number),
        Some(Kind::StringValue(text)) => match UnknownKind::from_sentinel(text) {
            Some(kind) => PropertyValue::Unknown(kind),
            None => PropertyValue::String(text.clone()),
        },
        Some(Kind::ListValue(list)) => {
            PropertyValue::Array(list.values.iter().map(value_from_proto).collect())
        }
        Some(Kind::StructValue(object)) => object_from_proto(object),
    }
}

fn object_from_proto(object: &Struct) -> PropertyValue {
    let fields = &object.fields;
    let special = fields.get(sig::SPECIAL_KEY).and_then(|v| match &v.kind {
        Some(Kind::StringValue(text)) => Some(text.as_str()),
        _ => None,
    });
    let field = |name: &str| fields.get(name).map(value_from_proto);
    let text_field = |name: &str| match fields.get(name).map(|v| &v.kind) {
        Some(Some(Kind::StringValue(text))) => text.clone(),
        _ => String::new(),
    };
    match special {
        Some(sig::SECRET) => {
            PropertyValue::Secret(Box::new(field("value").unwrap_or(PropertyValue::Null)))
        }
        Some(sig::OUTPUT_VALUE) => PropertyValue::Output(OutputValue {
            value: field("value").map(Box::new),
            secret: matches!(
                fields.get("secret").map(|v| &v.kind),
                Some(Some(Kind::BoolValue(true)))
            ),
            dependencies: match fields.get("dependencies").map(|v| &v.kind) {
                Some(Some(Kind::ListValue(list))) => list
                    .values
                    .iter()
                    .filter_map(|v| match &v.kind {
                        Some(Kind::StringValue(urn)) => Some(urn.clone()),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            },
        }),
        Some(sig::RESOURCE_REFERENCE) => PropertyValue::ResourceReference(ResourceReference {
            urn: text_field("urn"),
            id: field("id").map(Box::new),
            package_version: text_field("packageVersion"),
        }),
        Some(sig::ASSET) => PropertyValue::Asset(plain_fields(object)),
        Some(sig::ARCHIVE) => PropertyValue::Archive(plain_fields(object)),
        _ => PropertyValue::Object(
            fields
                .iter()
                .map(|(key, value)| (key.clone(), value_from_proto(value)))
                .collect(),
        ),
    }
}

/// The fields of a special object other than its signature key.
fn plain_fields(object: &Struct) -> PropertyMap {
    object
        .fields
        .iter()
        .filter(|(key, _)| key.as_str() != sig::SPECIAL_KEY)
        .map(|(key, value)| (key.clone(), value_from_proto(value)))
        .collect()
}

/// Encodes one value.
pub fn value_to_proto(value: &PropertyValue) -> Value {
    let kind = match value {
        PropertyValue::Null => Kind::NullValue(0),
        PropertyValue::Bool(flag) => Kind::BoolValue(*flag),
        PropertyValue::Number(number) => Kind::NumberValue(*number),
        PropertyValue::String(text) => Kind::StringValue(text.clone()),
        PropertyValue::Unknown(kind) => Kind::StringValue(kind.sentinel().to_owned()),
        PropertyValue::Array(items) => Kind::ListValue(ListValue {
            values: items.iter().map(value_to_proto).collect(),
        }),
        PropertyValue::Object(map) => Kind::StructValue(properties_to_struct(map)),
        PropertyValue::Secret(inner) => {
            special(sig::SECRET, [("value".to_owned(), value_to_proto(inner))])
        }
        PropertyValue::Output(out) => {
            let mut entries = Vec::new();
            if let Some(inner) = &out.value {
                entries.push(("value".to_owned(), value_to_proto(inner)));
            }
            if out.secret {
                entries.push(("secret".to_owned(), bool_value(true)));
            }
            if !out.dependencies.is_empty() {
                entries.push((
                    "dependencies".to_owned(),
                    Value {
                        kind: Some(Kind::ListValue(ListValue {
                            values: out.dependencies.iter().map(|d| string_value(d)).collect(),
                        })),
                    },
                ));
            }
            special(sig::OUTPUT_VALUE, entries)
        }
        PropertyValue::ResourceReference(reference) => {
            let mut entries = vec![("urn".to_owned(), string_value(&reference.urn))];
            if let Some(id) = &reference.id {
                entries.push(("id".to_owned(), value_to_proto(id)));
            }
            if !reference.package_version.is_empty() {
                entries.push((
                    "packageVersion".to_owned(),
                    string_value(&reference.package_version),
                ));
            }
            special(sig::RESOURCE_REFERENCE, entries)
        }
        PropertyValue::Asset(map) => special(sig::ASSET, encode_entries(map)),
        PropertyValue::Archive(map) => special(sig::ARCHIVE, encode_entries(map)),
    };
    Value { kind: Some(kind) }
}

fn encode_entries(map: &PropertyMap) -> Vec<(String, Value)> {
    map.iter()
        .map(|(key, value)| (key.clone(), value_to_proto(value)))
        .collect()
}

fn special(signature: &str, entries: impl IntoIterator<Item = (String, Value)>) -> Kind {
    let mut fields: std::collections::BTreeMap<String, Value> = entries.into_iter().collect();
    fields.insert(sig::SPECIAL_KEY.to_owned(), string_value(signature));
    Kind::StructValue(Struct { fields })
}

fn string_value(text: &str) -> Value {
    Value {
        kind: Some(Kind::StringValue(text.to_owned())),
    }
}

fn bool_value(flag: bool) -> Value {
    Value {
        kind: Some(Kind::BoolValue(flag)),
    }
}

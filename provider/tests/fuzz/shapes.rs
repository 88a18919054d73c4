//! What each input may hold, read from the package schema (the one the
//! provider serves): the fuzzer builds well-typed inputs from it and then
//! breaks them.

use std::collections::BTreeMap;

use serde_json::Value;

/// The type of one property.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    String,
    Integer,
    Number,
    Boolean,
    /// One of these strings.
    Enum(Vec<String>),
    List(Box<Shape>),
    /// String keys, values of one shape.
    Map(Box<Shape>),
    Object(ObjectShape),
    /// Anything (an untyped property, or a type nested too deep to follow).
    Any,
}

/// An object type: its properties and which of them are required.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ObjectShape {
    pub properties: Vec<(String, Shape)>,
    pub required: Vec<String>,
}

/// How deep `$ref`s are followed (types may refer to themselves).
const MAX_REF_DEPTH: usize = 6;

/// The input shape of `token` (a resource or component) in `schema`.
pub fn inputs_of(schema: &Value, token: &str) -> Option<ObjectShape> {
    let resource = schema.get("resources")?.get(token)?;
    Some(object_of(
        schema,
        resource.get("inputProperties"),
        resource.get("requiredInputs"),
        0,
    ))
}

/// The shape of the provider configuration.
pub fn config_of(schema: &Value) -> ObjectShape {
    let config = &schema["config"];
    object_of(schema, config.get("variables"), config.get("required"), 0)
}

fn object_of(
    schema: &Value,
    properties: Option<&Value>,
    required: Option<&Value>,
    depth: usize,
) -> ObjectShape {
    let properties: BTreeMap<String, Shape> = properties
        .and_then(Value::as_object)
        .map(|props| {
            props
                .iter()
                .map(|(name, spec)| (name.clone(), shape_of(schema, spec, depth)))
                .collect()
        })
        .unwrap_or_default();
    let required = required
        .and_then(Value::as_array)
        .map(|names| {
            names
                .iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    ObjectShape {
        properties: properties.into_iter().collect(),
        required,
    }
}

fn shape_of(schema: &Value, spec: &Value, depth: usize) -> Shape {
    if let Some(reference) = spec.get("$ref").and_then(Value::as_str) {
        let Some(name) = reference.strip_prefix("#/types/") else {
            return Shape::Any;
        };
        if depth >= MAX_REF_DEPTH {
            return Shape::Any;
        }
        let Some(target) = schema["types"].get(name) else {
            return Shape::Any;
        };
        return shape_of(schema, target, depth + 1);
    }
    if let Some(values) = spec.get("enum").and_then(Value::as_array) {
        return Shape::Enum(
            values
                .iter()
                .filter_map(|v| v["value"].as_str().map(str::to_owned))
                .collect(),
        );
    }
    match spec.get("type").and_then(Value::as_str) {
        Some("string") => Shape::String,
        Some("integer") => Shape::Integer,
        Some("number") => Shape::Number,
        Some("boolean") => Shape::Boolean,
        Some("array") => Shape::List(Box::new(shape_of(schema, &spec["items"], depth))),
        Some("object") => match spec.get("additionalProperties") {
            Some(values) if spec.get("properties").is_none() => {
                Shape::Map(Box::new(shape_of(schema, values, depth)))
            }
            _ => Shape::Object(object_of(
                schema,
                spec.get("properties"),
                spec.get("required"),
                depth,
            )),
        },
        _ => Shape::Any,
    }
}

impl Shape {
    /// True when a value of JSON kind `kind` is of this shape's kind.
    pub fn admits_kind(&self, kind: Kind) -> bool {
        match self {
            Shape::Any => true,
            Shape::String | Shape::Enum(_) => kind == Kind::String,
            Shape::Integer => kind == Kind::Integer,
            Shape::Number => matches!(kind, Kind::Integer | Kind::Fraction),
            Shape::Boolean => kind == Kind::Bool,
            Shape::List(_) => kind == Kind::List,
            Shape::Map(_) | Shape::Object(_) => kind == Kind::Object,
        }
    }
}

/// The kinds of value a wrong-kind mutation puts in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Integer,
    Fraction,
    Bool,
    List,
    Object,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::String,
        Kind::Integer,
        Kind::Fraction,
        Kind::Bool,
        Kind::List,
        Kind::Object,
    ];
}

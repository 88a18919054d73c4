//! A model's parameters as an AppConfig document: read from the program,
//! checked at preview, and the JSON Schema AppConfig validates them with.
//!
//! Two rules give the parameters their meaning: a number whose key (or a
//! parent's key) names a threshold is a probability, between 0 and 1; a
//! key naming a batch size is a whole number of at least 1. They are checked
//! at preview, with the JSON path of the offending value, and written into
//! the derived schema so that AppConfig refuses such a version too.

use serde_json::{Map, Value, json};

/// Why the parameters cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParameterError {
    /// The document is not a JSON object (or JSON text of one).
    #[error("must be a JSON object (or JSON text of one), got {0}")]
    NotAnObject(&'static str),
    /// JSON text that does not parse.
    #[error("is not JSON: {0}")]
    NotJson(String),
    /// A value breaks one of the rules, at a JSON path.
    #[error("{path}: {rule}")]
    Rule { path: String, rule: String },
}

/// The parameters document: its text as AppConfig will host it, and its
/// value.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameters {
    /// The JSON text: JSON text given by the program is kept byte for byte
    /// (key order included); an object is written compactly.
    pub text: String,
    /// The parsed document.
    pub value: Value,
}

/// JSON type names, for messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Reads the program's `modelParameters`: an object, or JSON text of one.
pub fn parse(given: &Value) -> Result<Parameters, ParameterError> {
    let (text, value) = match given {
        Value::String(text) => {
            let value: Value =
                serde_json::from_str(text).map_err(|e| ParameterError::NotJson(e.to_string()))?;
            (text.clone(), value)
        }
        other => (other.to_string(), other.clone()),
    };
    if !value.is_object() {
        return Err(ParameterError::NotAnObject(kind(&value)));
    }
    Ok(Parameters { text, value })
}

/// True for a key that names a threshold (`thresholds`, `confidenceThreshold`).
fn names_threshold(key: &str) -> bool {
    key.to_ascii_lowercase().contains("threshold")
}

/// True for a key that names a batch size (`batchSize`, `batch_size`).
fn names_batch_size(key: &str) -> bool {
    key.to_ascii_lowercase().replace(['_', '-'], "") == "batchsize"
}

/// Every rule broken in `value`, as failures at JSON paths from `path`
/// (`$.inference.thresholds.classification`).
pub fn rule_failures(value: &Value) -> Vec<ParameterError> {
    let mut failures = Vec::new();
    walk(value, "$", false, &mut failures);
    failures
}

fn walk(value: &Value, path: &str, in_threshold: bool, failures: &mut Vec<ParameterError>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let child_path = format!("{path}.{key}");
                if names_batch_size(key) && !is_batch_size(child) {
                    failures.push(ParameterError::Rule {
                        path: child_path.clone(),
                        rule: format!(
                            "a batch size must be a whole number of at least 1, got {}",
                            shown(child)
                        ),
                    });
                    continue;
                }
                walk(
                    child,
                    &child_path,
                    in_threshold || names_threshold(key),
                    failures,
                );
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, &format!("{path}[{i}]"), in_threshold, failures);
            }
        }
        leaf if in_threshold => {
            let ok = leaf.as_f64().is_some_and(|n| (0.0..=1.0).contains(&n));
            if !ok {
                failures.push(ParameterError::Rule {
                    path: path.to_owned(),
                    rule: format!(
                        "a threshold must be a number between 0 and 1, got {}",
                        shown(leaf)
                    ),
                });
            }
        }
        _ => {}
    }
}

fn is_batch_size(value: &Value) -> bool {
    value.as_u64().is_some_and(|n| n >= 1)
}

fn shown(value: &Value) -> String {
    match value {
        Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null => {
            format!("{value} ({})", kind(value))
        }
        other => kind(other).to_owned(),
    }
}

/// The JSON Schema (draft 4, what AppConfig's validators read) of the
/// document's shape: every key required with its type, thresholds between 0
/// and 1, batch sizes whole and at least 1.
pub fn derived_schema(value: &Value) -> Value {
    let mut schema = shape(value, false);
    if let Value::Object(map) = &mut schema {
        map.insert(
            "$schema".to_owned(),
            json!("http://json-schema.org/draft-04/schema#"),
        );
    }
    schema
}

fn shape(value: &Value, in_threshold: bool) -> Value {
    match value {
        Value::Object(map) => {
            let mut properties = Map::new();
            for (key, child) in map {
                let schema = if names_batch_size(key) {
                    json!({"type": "integer", "minimum": 1})
                } else {
                    shape(child, in_threshold || names_threshold(key))
                };
                properties.insert(key.clone(), schema);
            }
            let required: Vec<&String> = map.keys().collect();
            if required.is_empty() {
                json!({"type": "object"})
            } else {
                json!({"type": "object", "properties": properties, "required": required})
            }
        }
        Value::Array(items) => match items.first() {
            Some(first) => json!({"type": "array", "items": shape(first, in_threshold)}),
            None => json!({"type": "array"}),
        },
        Value::Number(_) if in_threshold => json!({"type": "number", "minimum": 0, "maximum": 1}),
        Value::Number(_) => json!({"type": "number"}),
        Value::Bool(_) => json!({"type": "boolean"}),
        Value::String(_) => json!({"type": "string"}),
        Value::Null => json!({"type": "null"}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed's `modelParameters`.
    fn seed() -> Value {
        json!({
            "preprocessing": {
                "normalization": true,
                "featureEngineering": {"textTokenization": true, "stopwordRemoval": true}
            },
            "inference": {
                "thresholds": {"classification": 0.5, "confidence": 0.7},
                "batchSize": 10
            }
        })
    }

    #[test]
    fn the_seed_parameters_break_no_rule() {
        assert_eq!(rule_failures(&seed()), []);
    }

    #[test]
    fn a_threshold_above_one_and_a_string_batch_size_are_named_by_path() {
        let mut bad = seed();
        bad["inference"]["thresholds"]["classification"] = json!(1.5);
        bad["inference"]["batchSize"] = json!("10");
        let failures: Vec<String> = rule_failures(&bad).iter().map(|f| f.to_string()).collect();
        assert_eq!(
            failures,
            [
                "$.inference.thresholds.classification: a threshold must be a number between 0 and 1, got 1.5 (a number)",
                "$.inference.batchSize: a batch size must be a whole number of at least 1, got \"10\" (a string)",
            ]
        );
        let named = json!({"fraudThreshold": -0.1});
        assert_eq!(rule_failures(&named).len(), 1);
    }

    #[test]
    fn json_text_is_kept_byte_for_byte() {
        let text = r#"{"z": 1, "a": {"threshold": 0.2}}"#;
        let parsed = parse(&json!(text)).unwrap();
        assert_eq!(parsed.text, text);
        assert_eq!(
            parse(&json!("[1]")),
            Err(ParameterError::NotAnObject("an array"))
        );
        assert!(matches!(
            parse(&json!("{")),
            Err(ParameterError::NotJson(_))
        ));
    }

    #[test]
    fn the_derived_schema_types_every_leaf_and_bounds_thresholds() {
        let schema = derived_schema(&seed());
        assert_eq!(schema["$schema"], "http://json-schema.org/draft-04/schema#");
        let inference = &schema["properties"]["inference"];
        assert_eq!(
            inference["properties"]["thresholds"]["properties"]["confidence"],
            json!({"type": "number", "minimum": 0, "maximum": 1})
        );
        assert_eq!(
            inference["properties"]["batchSize"],
            json!({"type": "integer", "minimum": 1})
        );
        assert_eq!(
            schema["properties"]["preprocessing"]["properties"]["normalization"],
            json!({"type": "boolean"})
        );
        assert_eq!(inference["required"], json!(["thresholds", "batchSize"]));
    }
}

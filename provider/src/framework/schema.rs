//! The Pulumi package schema, derived from the Rust types: schemars describes
//! each type as JSON Schema, and this module rewrites that into Pulumi's
//! dialect (properties, `$ref`s to `#/types/...`, required lists, enums).

use std::collections::BTreeMap;

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value, json};

use crate::aws::ProviderConfig;

/// Pulumi's "any value" type.
const ANY: &str = "pulumi.json#/Any";

fn generator() -> SchemaGenerator {
    let settings = SchemaSettings::draft2020_12().with(|s| {
        s.meta_schema = None;
    });
    settings.into_generator()
}

/// Names of the top-level properties of `T`.
pub fn top_level_fields<T: JsonSchema>() -> Vec<String> {
    let root = generator().into_root_schema_for::<T>();
    root.as_value()
        .get("properties")
        .and_then(Value::as_object)
        .map(|props| props.keys().cloned().collect())
        .unwrap_or_default()
}

/// Accumulates resources and their types into one package schema.
pub struct SchemaBuilder {
    resources: BTreeMap<String, Value>,
    types: BTreeMap<String, Value>,
}

impl Default for SchemaBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl SchemaBuilder {
    pub fn new() -> Self {
        SchemaBuilder {
            resources: BTreeMap::new(),
            types: BTreeMap::new(),
        }
    }

    /// Adds a resource (or component) with its input and output types.
    pub fn add_resource<I: JsonSchema, O: JsonSchema>(&mut self, token: &str, component: bool) {
        let (inputs, input_defs) = root_of::<I>();
        let (outputs, output_defs) = root_of::<O>();
        self.add_types(&input_defs);
        self.add_types(&output_defs);
        let mut resource = Map::new();
        if let Some(text) = inputs.get("description").and_then(Value::as_str) {
            resource.insert("description".into(), json!(text));
        }
        resource.insert("inputProperties".into(), self.properties(&inputs));
        resource.insert("requiredInputs".into(), required(&inputs));
        resource.insert("properties".into(), self.properties(&outputs));
        resource.insert("required".into(), required(&outputs));
        if component {
            resource.insert("isComponent".into(), json!(true));
        }
        self.resources
            .insert(token.to_owned(), Value::Object(resource));
    }

    fn add_types(&mut self, defs: &Map<String, Value>) {
        for (name, def) in defs {
            let token = type_token(name);
            if self.types.contains_key(&token) {
                continue;
            }
            let converted = if let Some(values) = enum_values(def) {
                let mut ty = Map::new();
                ty.insert("type".into(), json!("string"));
                if let Some(text) = def.get("description") {
                    ty.insert("description".into(), text.clone());
                }
                ty.insert("enum".into(), Value::Array(values));
                Value::Object(ty)
            } else {
                let mut ty = Map::new();
                ty.insert("type".into(), json!("object"));
                if let Some(text) = def.get("description") {
                    ty.insert("description".into(), text.clone());
                }
                ty.insert("properties".into(), self.properties(def));
                let req = required(def);
                if req.as_array().is_some_and(|r| !r.is_empty()) {
                    ty.insert("required".into(), req);
                }
                Value::Object(ty)
            };
            self.types.insert(token, converted);
        }
    }

    fn properties(&self, schema: &Value) -> Value {
        let Some(props) = schema.get("properties").and_then(Value::as_object) else {
            return json!({});
        };
        Value::Object(
            props
                .iter()
                .map(|(name, prop)| (name.clone(), property(prop)))
                .collect(),
        )
    }

    /// The finished schema document.
    pub fn finish(self) -> String {
        let (config, _) = root_of::<ProviderConfig>();
        let mut builder = SchemaBuilder::new();
        let (_, config_defs) = root_of::<ProviderConfig>();
        builder.add_types(&config_defs);
        let mut types = self.types;
        types.extend(builder.types);
        let schema = json!({
            "name": crate::PACKAGE,
            "displayName": "SageMaker Deployment",
            "version": crate::VERSION,
            "description": "Deploys machine-learning models on Amazon SageMaker: base infrastructure, models, real-time, asynchronous and serverless endpoints with verified rollouts.",
            "keywords": ["pulumi", "aws", "sagemaker", "machine-learning", "category/cloud", "kind/component"],
            "license": "Apache-2.0",
            "publisher": "sagemaker-deployment",
            "meta": { "moduleFormat": "(.*)", "supportPack": true },
            "config": { "variables": builder_properties(&config) },
            "provider": {
                "description": "The provider type for the sagemaker-deployment package.",
                "inputProperties": builder_properties(&config),
            },
            "resources": self.resources,
            "types": types,
            "language": {
                "nodejs": {
                    "packageName": "@sagemaker-deployment/sdk",
                    "packageDescription": "Deploy machine-learning models on Amazon SageMaker with Pulumi.",
                    "respectSchemaVersion": true,
                    "dependencies": { "@pulumi/pulumi": "^3.0.0" }
                },
                "python": {
                    "packageName": "pulumi_sagemaker_deployment",
                    "respectSchemaVersion": true,
                    "requires": { "pulumi": ">=3.0.0,<4.0.0" },
                    "pyproject": { "enabled": true }
                },
                "go": {
                    "importBasePath": "github.com/sagemaker-deployment/sagemaker-deployment/sdk/go/sagemakerdeployment",
                    "generateResourceContainerTypes": true,
                    "respectSchemaVersion": true
                }
            }
        });
        let mut text = serde_json::to_string_pretty(&schema).expect("schema serialises");
        text.push('\n');
        text
    }
}

fn builder_properties(schema: &Value) -> Value {
    SchemaBuilder::new().properties(schema)
}

/// The root schema of `T` and its definitions.
fn root_of<T: JsonSchema>() -> (Value, Map<String, Value>) {
    let root = generator().into_root_schema_for::<T>();
    let mut value = root.to_value();
    let defs = value
        .as_object_mut()
        .and_then(|o| o.remove("$defs"))
        .and_then(|d| d.as_object().cloned())
        .unwrap_or_default();
    (value, defs)
}

fn type_token(name: &str) -> String {
    format!("{}:index:{name}", crate::PACKAGE)
}

fn required(schema: &Value) -> Value {
    let mut names: Vec<Value> = schema
        .get("required")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    names.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    Value::Array(names)
}

/// String enum values of a definition, if it is a string enum.
fn enum_values(def: &Value) -> Option<Vec<Value>> {
    if let Some(values) = def.get("enum").and_then(Value::as_array) {
        return Some(values.iter().map(|v| json!({ "value": v })).collect());
    }
    let variants = def.get("oneOf").and_then(Value::as_array)?;
    variants
        .iter()
        .map(|variant| {
            let value = variant
                .get("const")
                .cloned()
                .or_else(|| variant.get("enum")?.as_array()?.first().cloned())?;
            let mut entry = Map::new();
            entry.insert("value".into(), value);
            if let Some(text) = variant.get("description") {
                entry.insert("description".into(), text.clone());
            }
            Some(Value::Object(entry))
        })
        .collect()
}

/// One property's schema in Pulumi's dialect.
fn property(schema: &Value) -> Value {
    let mut out = type_spec(schema);
    if let (Some(obj), Some(text)) = (out.as_object_mut(), schema.get("description")) {
        obj.insert("description".into(), text.clone());
    }
    if let (Some(obj), Some(true)) = (
        out.as_object_mut(),
        schema.get("secret").and_then(Value::as_bool),
    ) {
        obj.insert("secret".into(), json!(true));
    }
    out
}

/// The type part of a property schema.
fn type_spec(schema: &Value) -> Value {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        return json!({ "$ref": format!("#/types/{}", type_token(name)) });
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(options) = schema.get(key).and_then(Value::as_array) {
            let non_null: Vec<&Value> = options
                .iter()
                .filter(|o| o.get("type").and_then(Value::as_str) != Some("null"))
                .collect();
            if non_null.len() == 1 {
                return type_spec(non_null[0]);
            }
        }
    }
    let ty = match schema.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    };
    match ty {
        Some("string") => json!({ "type": "string" }),
        Some("integer") => json!({ "type": "integer" }),
        Some("number") => json!({ "type": "number" }),
        Some("boolean") => json!({ "type": "boolean" }),
        Some("array") => {
            let items = schema
                .get("items")
                .map(type_spec)
                .unwrap_or(json!({ "$ref": ANY }));
            json!({ "type": "array", "items": items })
        }
        Some("object") => match schema.get("additionalProperties") {
            Some(Value::Object(_)) => json!({
                "type": "object",
                "additionalProperties": type_spec(&schema["additionalProperties"]),
            }),
            _ => json!({ "$ref": ANY }),
        },
        _ => json!({ "$ref": ANY }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    /// A thing with a name.
    #[derive(Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    struct ThingInputs {
        /// The thing's name.
        name: String,
        /// How many.
        count: Option<u32>,
        tags: Option<BTreeMap<String, String>>,
        mode: Option<Mode>,
        parts: Vec<Part>,
        document: Option<serde_json::Value>,
    }

    /// The way it runs.
    #[derive(Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "lowercase")]
    enum Mode {
        Fast,
        Slow,
    }

    /// One part.
    #[derive(Serialize, Deserialize, JsonSchema)]
    struct Part {
        size: f64,
    }

    #[test]
    fn rust_types_become_pulumi_properties_types_and_required_lists() {
        let mut builder = SchemaBuilder::new();
        builder.add_resource::<ThingInputs, ThingInputs>("sagemaker-deployment:test:Thing", false);
        let thing = &builder.resources["sagemaker-deployment:test:Thing"];
        assert_eq!(thing["description"], "A thing with a name.");
        assert_eq!(thing["requiredInputs"], json!(["name", "parts"]));
        let props = &thing["inputProperties"];
        assert_eq!(
            props["name"],
            json!({"type": "string", "description": "The thing's name."})
        );
        assert_eq!(props["count"]["type"], "integer");
        assert_eq!(
            props["tags"],
            json!({"type": "object", "additionalProperties": {"type": "string"}})
        );
        assert_eq!(
            props["mode"]["$ref"],
            "#/types/sagemaker-deployment:index:Mode"
        );
        assert_eq!(
            props["parts"]["items"]["$ref"],
            "#/types/sagemaker-deployment:index:Part"
        );
        assert_eq!(props["document"]["$ref"], ANY);
        let mode = &builder.types["sagemaker-deployment:index:Mode"];
        assert_eq!(mode["type"], "string");
        assert_eq!(mode["enum"], json!([{"value": "fast"}, {"value": "slow"}]));
        let part = &builder.types["sagemaker-deployment:index:Part"];
        assert_eq!(part["properties"]["size"]["type"], "number");
        assert_eq!(part["required"], json!(["size"]));
    }
}

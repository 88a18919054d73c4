//! The Pulumi package schema, derived from the Rust types: schemars describes
//! each type as JSON Schema, and this module rewrites that into Pulumi's
//! dialect (properties, `$ref`s to `#/types/...`, required lists, enums).

use std::collections::BTreeMap;

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value, json};

use crate::error::{ProviderError, Result};
use crate::package::Package;

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

/// Names of the top-level properties of `T` whose type is a string: a
/// `String`, or an enum of strings (a `$ref` to one, optional or not).
pub fn string_fields<T: JsonSchema>() -> Vec<String> {
    let root = generator().into_root_schema_for::<T>();
    let root = root.as_value();
    let Some(props) = root.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    props
        .iter()
        .filter(|(_, schema)| is_string_schema(schema, root))
        .map(|(name, _)| name.clone())
        .collect()
}

/// Whether `schema` describes a string, following `$ref`s into `root`'s
/// definitions and the alternatives of an `anyOf`/`oneOf` (an `Option`
/// adds a `null` one).
fn is_string_schema(schema: &Value, root: &Value) -> bool {
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if types.contains(&"string") {
        return true;
    }
    if let Some(target) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|reference| reference.strip_prefix("#/"))
        .and_then(|path| root.pointer(&format!("/{path}")))
    {
        return is_string_schema(target, root);
    }
    ["anyOf", "oneOf"].iter().any(|key| {
        schema
            .get(*key)
            .and_then(Value::as_array)
            .is_some_and(|alternatives| {
                alternatives
                    .iter()
                    .any(|alternative| is_string_schema(alternative, root))
            })
    })
}

/// Names of the required top-level properties of `T`.
pub fn required_fields<T: JsonSchema>() -> Vec<String> {
    let root = generator().into_root_schema_for::<T>();
    root.as_value()
        .get("required")
        .and_then(Value::as_array)
        .map(|names| {
            names
                .iter()
                .filter_map(|name| name.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Accumulates resources and their types into one package schema.
pub struct SchemaBuilder {
    package: &'static str,
    resources: BTreeMap<String, Value>,
    functions: BTreeMap<String, Value>,
    types: BTreeMap<String, Value>,
}

impl SchemaBuilder {
    /// An empty schema for the package `package`.
    pub fn new(package: &'static str) -> Self {
        SchemaBuilder {
            package,
            resources: BTreeMap::new(),
            functions: BTreeMap::new(),
            types: BTreeMap::new(),
        }
    }

    /// Adds a resource (or component) with its input and output types.
    pub fn add_resource<I: JsonSchema, O: JsonSchema>(
        &mut self,
        token: &str,
        component: bool,
    ) -> Result<()> {
        let (inputs, input_defs) = root_of::<I>();
        let (outputs, output_defs) = root_of::<O>();
        self.add_types(&input_defs)?;
        self.add_types(&output_defs)?;
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
        Ok(())
    }

    /// Adds a function (an invoke) with its input and output types; the
    /// description of the inputs type is the function's.
    pub fn add_function<I: JsonSchema, O: JsonSchema>(&mut self, token: &str) -> Result<()> {
        let (inputs, input_defs) = root_of::<I>();
        let (outputs, output_defs) = root_of::<O>();
        self.add_types(&input_defs)?;
        self.add_types(&output_defs)?;
        let object = |schema: &Value| {
            let mut spec = Map::new();
            spec.insert("properties".into(), self.properties(schema));
            spec.insert("required".into(), required(schema));
            spec.insert("type".into(), json!("object"));
            Value::Object(spec)
        };
        let mut function = Map::new();
        if let Some(text) = inputs.get("description").and_then(Value::as_str) {
            function.insert("description".into(), json!(text));
        }
        function.insert("inputs".into(), object(&inputs));
        function.insert("outputs".into(), object(&outputs));
        self.functions
            .insert(token.to_owned(), Value::Object(function));
        Ok(())
    }

    /// Adds named types. A name already taken by a different type is an
    /// error: two Rust types must not share one schema type.
    fn add_types(&mut self, defs: &Map<String, Value>) -> Result<()> {
        for (name, def) in defs {
            let token = self.type_token(name);
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
            match self.types.get(&token) {
                Some(existing) if *existing != converted => {
                    return Err(ProviderError::Internal(format!(
                        "two different types are both named `{name}` in the schema: rename one \
                         (#[schemars(rename = \"...\")])"
                    )));
                }
                Some(_) => {}
                None => {
                    self.types.insert(token, converted);
                }
            }
        }
        Ok(())
    }

    fn type_token(&self, name: &str) -> String {
        format!("{}:index:{name}", self.package)
    }

    fn properties(&self, schema: &Value) -> Value {
        let Some(props) = schema.get("properties").and_then(Value::as_object) else {
            return json!({});
        };
        Value::Object(
            props
                .iter()
                .map(|(name, prop)| (name.clone(), self.property(prop)))
                .collect(),
        )
    }

    /// The finished schema document of package `P`: its metadata, its
    /// configuration, resources and types.
    pub fn finish<P: Package>(mut self) -> Result<String> {
        let (config, config_defs) = root_of::<P::Config>();
        self.add_types(&config_defs)?;
        let config_properties = self.properties(&config);
        let mut schema = Map::new();
        schema.insert("name".into(), json!(P::NAME));
        schema.insert("version".into(), json!(P::VERSION));
        if !P::PLUGIN_DOWNLOAD_URL.is_empty() {
            schema.insert("pluginDownloadURL".into(), json!(P::PLUGIN_DOWNLOAD_URL));
        }
        schema.extend(P::schema_metadata());
        schema.insert(
            "config".into(),
            json!({ "variables": config_properties.clone() }),
        );
        let provider = json!({
            "description": format!("The provider type for the {} package.", P::NAME),
            "inputProperties": config_properties,
        });
        schema.insert("provider".into(), provider);
        schema.insert("resources".into(), json!(self.resources));
        if !self.functions.is_empty() {
            schema.insert("functions".into(), json!(self.functions));
        }
        schema.insert("types".into(), json!(self.types));
        let mut text = serde_json::to_string_pretty(&Value::Object(schema))
            .map_err(|e| ProviderError::Internal(format!("cannot write the schema: {e}")))?;
        text.push('\n');
        Ok(text)
    }
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

impl SchemaBuilder {
    /// One property's schema in Pulumi's dialect.
    fn property(&self, schema: &Value) -> Value {
        let mut out = self.type_spec(schema);
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
    fn type_spec(&self, schema: &Value) -> Value {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let name = reference.rsplit('/').next().unwrap_or(reference);
            return json!({ "$ref": format!("#/types/{}", self.type_token(name)) });
        }
        for key in ["anyOf", "oneOf", "allOf"] {
            if let Some(options) = schema.get(key).and_then(Value::as_array) {
                let non_null: Vec<&Value> = options
                    .iter()
                    .filter(|o| o.get("type").and_then(Value::as_str) != Some("null"))
                    .collect();
                if non_null.len() == 1 {
                    return self.type_spec(non_null[0]);
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
                    .map(|items| self.type_spec(items))
                    .unwrap_or(json!({ "$ref": ANY }));
                json!({ "type": "array", "items": items })
            }
            Some("object") => match schema.get("additionalProperties") {
                Some(Value::Object(_)) => json!({
                    "type": "object",
                    "additionalProperties": self.type_spec(&schema["additionalProperties"]),
                }),
                _ => json!({ "$ref": ANY }),
            },
            _ => json!({ "$ref": ANY }),
        }
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
        let mut builder = SchemaBuilder::new("example");
        builder
            .add_resource::<ThingInputs, ThingInputs>("example:test:Thing", false)
            .unwrap();
        let thing = &builder.resources["example:test:Thing"];
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
        assert_eq!(props["mode"]["$ref"], "#/types/example:index:Mode");
        assert_eq!(
            props["parts"]["items"]["$ref"],
            "#/types/example:index:Part"
        );
        assert_eq!(props["document"]["$ref"], ANY);
        let mode = &builder.types["example:index:Mode"];
        assert_eq!(mode["type"], "string");
        assert_eq!(mode["enum"], json!([{"value": "fast"}, {"value": "slow"}]));
        let part = &builder.types["example:index:Part"];
        assert_eq!(part["properties"]["size"]["type"], "number");
        assert_eq!(part["required"], json!(["size"]));
    }

    #[test]
    fn string_fields_include_enums_of_strings_optional_or_not() {
        #[allow(dead_code)]
        #[derive(JsonSchema)]
        struct Required {
            mode: Mode,
            size: u32,
        }
        let mut strings = string_fields::<ThingInputs>();
        strings.sort();
        assert_eq!(strings, vec!["mode", "name"]);
        assert_eq!(string_fields::<Required>(), vec!["mode"]);
    }

    mod other {
        /// A different type that is also called `Part`.
        #[allow(dead_code)]
        #[derive(schemars::JsonSchema)]
        pub struct Part {
            pub label: String,
        }
    }

    #[allow(dead_code)]
    #[derive(JsonSchema)]
    struct OtherInputs {
        part: other::Part,
    }

    #[test]
    fn two_types_with_one_name_are_an_error() {
        let mut builder = SchemaBuilder::new("example");
        builder
            .add_resource::<ThingInputs, ThingInputs>("example:test:Thing", false)
            .unwrap();
        // The same type again is fine.
        builder
            .add_resource::<ThingInputs, ThingInputs>("example:test:Again", false)
            .unwrap();
        let error = builder
            .add_resource::<OtherInputs, OtherInputs>("example:test:Other", false)
            .unwrap_err();
        assert!(error.to_string().contains("`Part`"), "{error}");
    }
}

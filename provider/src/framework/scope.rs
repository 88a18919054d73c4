//! Where a component registers its children with the engine.

use std::collections::HashMap;

use serde::Serialize;
use tonic::transport::Channel;

use super::erased::encode;
use super::resource::CustomResource;
use crate::error::{ProviderError, Result};
use crate::proto::RegisterResourceRequest;
use crate::proto::register_resource_request::{CustomTimeouts, PropertyDependencies};
use crate::proto::resource_monitor_client::ResourceMonitorClient;
use crate::wire::{
    OutputValue, PropertyMap, PropertyValue, properties_to_struct, struct_to_properties,
};

/// Options a component passes to each child.
#[derive(Debug, Clone, Default)]
pub struct ChildOptions {
    pub protect: Option<bool>,
    pub retain_on_delete: Option<bool>,
    pub custom_timeouts: Option<CustomTimeouts>,
    /// Extra resources this child must wait for.
    pub depends_on: Vec<String>,
    pub delete_before_replace: bool,
}

/// A registered child resource.
#[derive(Debug, Clone)]
pub struct Child {
    pub urn: String,
    /// The child's outputs; unknown values while previewing.
    pub outputs: PropertyMap,
}

impl Child {
    /// One output, as an output value that depends on this child.
    pub fn output(&self, key: &str) -> PropertyValue {
        let value = self
            .outputs
            .get(key)
            .cloned()
            .unwrap_or(PropertyValue::Null);
        let (value, secret) = match value {
            PropertyValue::Secret(inner) => (*inner, true),
            other => (other, false),
        };
        PropertyValue::Output(OutputValue {
            value: (!value.contains_unknowns()).then(|| Box::new(value)),
            secret,
            dependencies: vec![self.urn.clone()],
        })
    }

    /// One output as a known string, when it is one.
    pub fn known_str(&self, key: &str) -> Option<&str> {
        self.outputs.get(key).and_then(PropertyValue::as_str)
    }
}

/// The component being constructed and its connection to the engine.
pub struct Scope {
    monitor: ResourceMonitorClient<Channel>,
    /// URN of the component: the parent of every child.
    pub parent_urn: String,
    /// Provider reference for this package's children, when one was given.
    provider: Option<String>,
    providers: HashMap<String, String>,
    version: String,
    /// Options inherited by every child.
    pub inherited: ChildOptions,
    /// True while previewing.
    pub dry_run: bool,
    /// The Pulumi stack name.
    pub stack: String,
    /// The Pulumi project name.
    pub project: String,
}

impl Scope {
    pub(crate) fn new(
        monitor: ResourceMonitorClient<Channel>,
        parent_urn: String,
        providers: HashMap<String, String>,
        inherited: ChildOptions,
        dry_run: bool,
        stack: String,
        project: String,
    ) -> Self {
        Scope {
            monitor,
            parent_urn,
            provider: providers.get(crate::PACKAGE).cloned(),
            providers,
            version: crate::VERSION.to_owned(),
            inherited,
            dry_run,
            stack,
            project,
        }
    }

    /// Registers a child custom resource of type `R` from typed inputs plus
    /// `wired` values (output values of other children or of the component's
    /// inputs, which carry unknowns, secrets and dependencies).
    pub async fn resource<R: CustomResource>(
        &self,
        name: &str,
        known: &impl Serialize,
        wired: PropertyMap,
        options: ChildOptions,
    ) -> Result<Child> {
        let mut inputs = encode(known, &[])?;
        inputs.retain(|_, value| *value != PropertyValue::Null);
        inputs.extend(wired);
        self.register(R::TOKEN, name, true, inputs, options).await
    }

    /// Registers a child (custom resource or component) by token.
    pub async fn register(
        &self,
        token: &str,
        name: &str,
        custom: bool,
        inputs: PropertyMap,
        options: ChildOptions,
    ) -> Result<Child> {
        let mut dependencies: Vec<String> = options
            .depends_on
            .iter()
            .chain(&self.inherited.depends_on)
            .cloned()
            .collect();
        let mut property_dependencies = HashMap::new();
        let mut plain = PropertyMap::new();
        for (key, value) in inputs {
            let deps = value.dependencies();
            dependencies.extend(deps.iter().cloned());
            if !deps.is_empty() {
                property_dependencies.insert(key.clone(), PropertyDependencies { urns: deps });
            }
            plain.insert(key, flatten_outputs(value));
        }
        dependencies.sort();
        dependencies.dedup();
        let request = RegisterResourceRequest {
            r#type: token.to_owned(),
            name: name.to_owned(),
            parent: self.parent_urn.clone(),
            custom,
            object: Some(properties_to_struct(&plain)),
            protect: options.protect.or(self.inherited.protect),
            dependencies,
            provider: if custom {
                self.provider.clone().unwrap_or_default()
            } else {
                String::new()
            },
            providers: if custom {
                HashMap::new()
            } else {
                self.providers.clone()
            },
            property_dependencies,
            delete_before_replace: options.delete_before_replace,
            delete_before_replace_defined: options.delete_before_replace,
            version: self.version.clone(),
            accept_secrets: true,
            accept_resources: true,
            supports_partial_values: true,
            custom_timeouts: options
                .custom_timeouts
                .clone()
                .or_else(|| self.inherited.custom_timeouts.clone()),
            retain_on_delete: options.retain_on_delete.or(self.inherited.retain_on_delete),
            ..Default::default()
        };
        let response = self
            .monitor
            .clone()
            .register_resource(request)
            .await
            .map_err(|status| ProviderError::ChildFailed {
                token: token.to_owned(),
                name: name.to_owned(),
                message: status.message().to_owned(),
            })?
            .into_inner();
        Ok(Child {
            urn: response.urn,
            outputs: struct_to_properties(response.object.as_ref()),
        })
    }
}

/// Awaits every registration, even when one fails, so that no child is left
/// being created behind the component's back; reports every failure.
pub async fn all_children<T, F>(registrations: impl IntoIterator<Item = F>) -> Result<Vec<T>>
where
    F: std::future::Future<Output = Result<T>>,
{
    let results = futures::future::join_all(registrations).await;
    let mut children = Vec::with_capacity(results.len());
    let mut failures = Vec::new();
    for result in results {
        match result {
            Ok(child) => children.push(child),
            Err(error) => failures.push(error),
        }
    }
    match failures.len() {
        0 => Ok(children),
        1 => Err(failures.remove(0)),
        _ => Err(ProviderError::failed(
            failures
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
        )),
    }
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

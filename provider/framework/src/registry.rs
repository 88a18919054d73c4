//! Resources and components by type token.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use crate::adapter::{ComponentAdapter, DynComponent, DynResource, ResourceAdapter};
use crate::component::Component;
use crate::error::{ProviderError, Result};
use crate::package::Package;
use crate::resource::CustomResource;
use crate::schema::SchemaBuilder;

type SchemaStep = Box<dyn Fn(&mut SchemaBuilder) -> Result<()> + Send + Sync>;

/// Everything package `P` serves, looked up by token.
pub struct Registry<P: Package> {
    resources: HashMap<&'static str, Arc<dyn DynResource<P>>>,
    components: HashMap<&'static str, Arc<dyn DynComponent<P>>>,
    schema_steps: Vec<SchemaStep>,
    schema: OnceLock<Result<String, String>>,
}

/// Collects resources and components into a [`Registry`].
pub struct RegistryBuilder<P: Package> {
    resources: HashMap<&'static str, Arc<dyn DynResource<P>>>,
    components: HashMap<&'static str, Arc<dyn DynComponent<P>>>,
    schema_steps: Vec<SchemaStep>,
}

impl<P: Package> Default for RegistryBuilder<P> {
    fn default() -> Self {
        RegistryBuilder {
            resources: HashMap::new(),
            components: HashMap::new(),
            schema_steps: Vec::new(),
        }
    }
}

impl<P: Package> RegistryBuilder<P> {
    /// Adds a custom resource.
    pub fn resource<R: CustomResource<Provider = P>>(mut self, resource: R) -> Self {
        self.resources
            .insert(R::TOKEN, Arc::new(ResourceAdapter::new(resource)));
        self.schema_steps.push(Box::new(|schema| {
            schema.add_resource::<R::Inputs, R::Outputs>(R::TOKEN, false)
        }));
        self
    }

    /// Adds a component resource.
    pub fn component<C: Component<Provider = P>>(mut self, component: C) -> Self {
        self.components
            .insert(C::TOKEN, Arc::new(ComponentAdapter::new(component)));
        self.schema_steps.push(Box::new(|schema| {
            schema.add_resource::<C::Inputs, C::Outputs>(C::TOKEN, true)
        }));
        self
    }

    pub fn build(self) -> Registry<P> {
        Registry {
            resources: self.resources,
            components: self.components,
            schema_steps: self.schema_steps,
            schema: OnceLock::new(),
        }
    }
}

impl<P: Package> Registry<P> {
    pub fn builder() -> RegistryBuilder<P> {
        RegistryBuilder::default()
    }

    pub fn resource(&self, token: &str) -> Option<Arc<dyn DynResource<P>>> {
        self.resources.get(token).cloned()
    }

    pub fn component(&self, token: &str) -> Option<Arc<dyn DynComponent<P>>> {
        self.components.get(token).cloned()
    }

    /// The package schema as pretty JSON; built once, on first request. Two
    /// different Rust types that would share a schema type name are an
    /// error, not a silent first-wins.
    pub fn schema_json(&self) -> Result<&str> {
        self.schema
            .get_or_init(|| {
                let mut builder = SchemaBuilder::new(P::NAME);
                for step in &self.schema_steps {
                    step(&mut builder).map_err(|e| e.to_string())?;
                }
                builder.finish::<P>().map_err(|e| e.to_string())
            })
            .as_deref()
            .map_err(|message| ProviderError::Internal(message.clone()))
    }
}

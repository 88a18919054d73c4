//! Resources and components by type token.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use super::component::Component;
use super::erased::{ComponentAdapter, DynComponent, DynResource, ResourceAdapter};
use super::resource::CustomResource;
use super::schema::SchemaBuilder;

type SchemaStep = Box<dyn Fn(&mut SchemaBuilder) + Send + Sync>;

/// Everything this provider serves, looked up by token.
pub struct Registry {
    resources: HashMap<&'static str, Arc<dyn DynResource>>,
    components: HashMap<&'static str, Arc<dyn DynComponent>>,
    schema_steps: Vec<SchemaStep>,
    schema: OnceLock<String>,
}

/// Collects resources and components into a [`Registry`].
#[derive(Default)]
pub struct RegistryBuilder {
    resources: HashMap<&'static str, Arc<dyn DynResource>>,
    components: HashMap<&'static str, Arc<dyn DynComponent>>,
    schema_steps: Vec<SchemaStep>,
}

impl RegistryBuilder {
    /// Adds a custom resource.
    pub fn resource<R: CustomResource>(mut self, resource: R) -> Self {
        self.resources
            .insert(R::TOKEN, Arc::new(ResourceAdapter::new(resource)));
        self.schema_steps.push(Box::new(|schema| {
            schema.add_resource::<R::Inputs, R::Outputs>(R::TOKEN, false)
        }));
        self
    }

    /// Adds a component resource.
    pub fn component<C: Component>(mut self, component: C) -> Self {
        self.components
            .insert(C::TOKEN, Arc::new(ComponentAdapter::new(component)));
        self.schema_steps.push(Box::new(|schema| {
            schema.add_resource::<C::Inputs, C::Outputs>(C::TOKEN, true)
        }));
        self
    }

    pub fn build(self) -> Registry {
        Registry {
            resources: self.resources,
            components: self.components,
            schema_steps: self.schema_steps,
            schema: OnceLock::new(),
        }
    }
}

impl Registry {
    pub fn builder() -> RegistryBuilder {
        RegistryBuilder::default()
    }

    pub fn resource(&self, token: &str) -> Option<Arc<dyn DynResource>> {
        self.resources.get(token).cloned()
    }

    pub fn component(&self, token: &str) -> Option<Arc<dyn DynComponent>> {
        self.components.get(token).cloned()
    }

    /// The package schema as pretty JSON; built once, on first request.
    pub fn schema_json(&self) -> &str {
        self.schema.get_or_init(|| {
            let mut builder = SchemaBuilder::new();
            for step in &self.schema_steps {
                step(&mut builder);
            }
            builder.finish()
        })
    }
}

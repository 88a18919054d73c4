//! Resources and components by type token.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use crate::adapter::{
    ComponentAdapter, DynComponent, DynFunction, DynResource, FunctionAdapter, ResourceAdapter,
};
use crate::component::Component;
use crate::error::{ProviderError, Result};
use crate::function::Function;
use crate::package::Package;
use crate::resource::CustomResource;
use crate::schema::{SchemaBuilder, top_level_fields};

type SchemaStep = Box<dyn Fn(&mut SchemaBuilder) -> Result<()> + Send + Sync>;

/// Everything package `P` serves, looked up by token.
pub struct Registry<P: Package> {
    resources: HashMap<&'static str, Arc<dyn DynResource<P>>>,
    components: HashMap<&'static str, Arc<dyn DynComponent<P>>>,
    functions: HashMap<&'static str, Arc<dyn DynFunction<P>>>,
    schema_steps: Vec<SchemaStep>,
    schema: OnceLock<Result<String, String>>,
}

/// Collects resources and components into a [`Registry`].
pub struct RegistryBuilder<P: Package> {
    resources: HashMap<&'static str, Arc<dyn DynResource<P>>>,
    components: HashMap<&'static str, Arc<dyn DynComponent<P>>>,
    functions: HashMap<&'static str, Arc<dyn DynFunction<P>>>,
    schema_steps: Vec<SchemaStep>,
}

impl<P: Package> Default for RegistryBuilder<P> {
    fn default() -> Self {
        RegistryBuilder {
            resources: HashMap::new(),
            components: HashMap::new(),
            functions: HashMap::new(),
            schema_steps: Vec::new(),
        }
    }
}

impl<P: Package> RegistryBuilder<P> {
    /// Adds a custom resource.
    pub fn resource<R: CustomResource<Provider = P>>(mut self, resource: R) -> Self {
        let duplicate = self
            .resources
            .insert(R::TOKEN, Arc::new(ResourceAdapter::new(resource)))
            .is_some();
        self.schema_steps.push(Box::new(move |schema| {
            if duplicate {
                return Err(ProviderError::Internal(format!(
                    "{} is registered twice",
                    R::TOKEN
                )));
            }
            check_field_lists::<R>()?;
            schema.add_resource::<R::Inputs, R::Outputs>(R::TOKEN, false)
        }));
        self
    }

    /// Adds a component resource.
    pub fn component<C: Component<Provider = P>>(mut self, component: C) -> Self {
        let duplicate = self
            .components
            .insert(C::TOKEN, Arc::new(ComponentAdapter::new(component)))
            .is_some();
        self.schema_steps.push(Box::new(move |schema| {
            if duplicate {
                return Err(ProviderError::Internal(format!(
                    "{} is registered twice",
                    C::TOKEN
                )));
            }
            schema.add_resource::<C::Inputs, C::Outputs>(C::TOKEN, true)
        }));
        self
    }

    /// Adds a provider function (an invoke).
    pub fn function<F: Function<Provider = P>>(mut self, function: F) -> Self {
        let duplicate = self
            .functions
            .insert(F::TOKEN, Arc::new(FunctionAdapter::new(function)))
            .is_some();
        self.schema_steps.push(Box::new(move |schema| {
            if duplicate {
                return Err(ProviderError::Internal(format!(
                    "{} is registered twice",
                    F::TOKEN
                )));
            }
            schema.add_function::<F::Inputs, F::Outputs>(F::TOKEN)
        }));
        self
    }

    pub fn build(self) -> Registry<P> {
        Registry {
            resources: self.resources,
            components: self.components,
            functions: self.functions,
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

    pub fn function(&self, token: &str) -> Option<Arc<dyn DynFunction<P>>> {
        self.functions.get(token).cloned()
    }

    /// The tokens of every function, sorted.
    pub fn function_tokens(&self) -> Vec<&'static str> {
        let mut tokens: Vec<&'static str> = self.functions.keys().copied().collect();
        tokens.sort_unstable();
        tokens
    }

    /// The tokens of every custom resource, sorted.
    pub fn resource_tokens(&self) -> Vec<&'static str> {
        let mut tokens: Vec<&'static str> = self.resources.keys().copied().collect();
        tokens.sort_unstable();
        tokens
    }

    /// The tokens of every component, sorted.
    pub fn component_tokens(&self) -> Vec<&'static str> {
        let mut tokens: Vec<&'static str> = self.components.keys().copied().collect();
        tokens.sort_unstable();
        tokens
    }

    /// The package schema as pretty JSON; built once, on first request.
    /// These are errors, not silent first-wins: two different Rust types
    /// that would share a schema type name, a token registered twice, and a
    /// resource whose `UPDATABLE`, `IGNORED_IN_DIFF` or `VOLATILE_OUTPUTS`
    /// list names a field its inputs or outputs do not have.
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

/// Fails when one of `R`'s field lists names a field that does not exist:
/// a renamed input would otherwise silently turn from updatable into
/// replace-on-change.
fn check_field_lists<R: CustomResource>() -> Result<()> {
    let inputs = top_level_fields::<R::Inputs>();
    let outputs = top_level_fields::<R::Outputs>();
    let lists = [
        ("UPDATABLE", R::UPDATABLE, &inputs, "input"),
        ("IGNORED_IN_DIFF", R::IGNORED_IN_DIFF, &inputs, "input"),
        ("VOLATILE_OUTPUTS", R::VOLATILE_OUTPUTS, &outputs, "output"),
    ];
    let problems: Vec<String> = lists
        .iter()
        .flat_map(|(list, names, fields, kind)| {
            names
                .iter()
                .filter(|name| !fields.iter().any(|field| field == *name))
                .map(move |name| format!("{list} names `{name}`, which is not an {kind} field"))
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ProviderError::Internal(format!(
            "{}: {}",
            R::TOKEN,
            problems.join("; ")
        )))
    }
}

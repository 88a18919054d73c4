//! Where a component registers its children with the engine.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use tonic::transport::Channel;

use crate::codec::{decode_value, encode_wired, flatten_outputs};
use crate::component::Component;
use crate::error::{ProviderError, Result};
use crate::output::Output;
use crate::package::Package;
use crate::proto::register_resource_request::{CustomTimeouts, PropertyDependencies};
use crate::proto::resource_monitor_client::ResourceMonitorClient;
use crate::proto::{RegisterResourceOutputsRequest, RegisterResourceRequest};
use crate::redact::SecretTexts;
use crate::resource::CustomResource;
use crate::wire::{PropertyMap, PropertyValue, properties_to_struct, struct_to_properties};

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

/// A registered child custom resource of type `R`.
#[derive(Debug, Clone)]
pub struct Child<R> {
    pub urn: String,
    /// The child's outputs; unknown values while previewing.
    pub outputs: PropertyMap,
    resource: PhantomData<fn() -> R>,
}

impl<R: CustomResource> Child<R> {
    /// The output `key` (a wire name of `R::Outputs`), typed, depending on
    /// this child: unknown while previewing, secret when the child made it
    /// secret.
    pub fn output<T: DeserializeOwned>(&self, key: &str) -> Output<T> {
        debug_assert!(
            crate::schema::top_level_fields::<R::Outputs>()
                .iter()
                .any(|field| field == key),
            "{} has no output `{key}`",
            R::TOKEN
        );
        let value = self.outputs.get(key).unwrap_or(&PropertyValue::Null);
        let known = if value.contains_unknowns() {
            None
        } else {
            match decode_value::<T>(value) {
                Ok(typed) => Some(typed),
                // Only the path: serde's reason may quote the value, which
                // can be secret.
                Err(failure) => {
                    tracing::error!(
                        "{} output `{key}` at `{}` is not of the type the component expects",
                        R::TOKEN,
                        failure.property
                    );
                    None
                }
            }
        };
        Output::from_parts(known, value.contains_secrets(), vec![self.urn.clone()])
    }
}

/// The component being constructed and its connection to the engine.
pub struct Scope<P: Package> {
    monitor: ResourceMonitorClient<Channel>,
    /// URN of the component: the parent of every child.
    pub parent_urn: String,
    /// Provider reference for this package's children, when one was given.
    provider: Option<String>,
    providers: HashMap<String, String>,
    /// Options inherited by every child.
    pub inherited: ChildOptions,
    /// True while previewing.
    pub dry_run: bool,
    /// The Pulumi stack name.
    pub stack: String,
    /// The Pulumi project name.
    pub project: String,
    /// The package's clients, when the provider was configured.
    clients: Option<Arc<P::Clients>>,
    /// The secret values of the component's inputs: a string a child gets,
    /// or the component returns, that holds one is sent secret.
    secrets: SecretTexts,
    package: PhantomData<fn() -> P>,
}

/// The program a Construct request comes from.
pub(crate) struct Program {
    /// True while previewing.
    pub dry_run: bool,
    /// The Pulumi stack name.
    pub stack: String,
    /// The Pulumi project name.
    pub project: String,
}

impl<P: Package> Scope<P> {
    pub(crate) fn new(
        monitor: ResourceMonitorClient<Channel>,
        parent_urn: String,
        providers: HashMap<String, String>,
        inherited: ChildOptions,
        Program {
            dry_run,
            stack,
            project,
        }: Program,
        clients: Option<Arc<P::Clients>>,
    ) -> Self {
        Scope {
            monitor,
            parent_urn,
            provider: providers.get(P::NAME).cloned(),
            providers,
            inherited,
            dry_run,
            stack,
            project,
            clients,
            secrets: SecretTexts::default(),
            package: PhantomData,
        }
    }

    /// The same scope, keeping `secrets` (the component's secret input
    /// values) secret in whatever it registers.
    pub(crate) fn with_secrets(mut self, secrets: SecretTexts) -> Self {
        self.secrets = secrets;
        self
    }

    /// The package's clients (built at Configure), for what a component
    /// derives from the configured provider: its region, its account.
    pub fn clients(&self) -> Result<&P::Clients> {
        self.clients.as_deref().ok_or(ProviderError::NotConfigured)
    }

    /// A scope for the children of the component at `urn`, itself a child
    /// of this one.
    fn nested(&self, urn: String) -> Self {
        Scope {
            monitor: self.monitor.clone(),
            parent_urn: urn,
            provider: self.provider.clone(),
            providers: self.providers.clone(),
            inherited: self.inherited.clone(),
            dry_run: self.dry_run,
            stack: self.stack.clone(),
            project: self.project.clone(),
            clients: self.clients.clone(),
            secrets: self.secrets.clone(),
            package: PhantomData,
        }
    }

    /// Registers an explicit provider of this package
    /// (`pulumi:providers:<package>`) as a child, configured with `config`,
    /// and returns a scope whose children (resources and components, all
    /// the way down) it manages, and whose [`Scope::clients`] are
    /// `clients`, built from the same configuration: a component can so put
    /// its children in another region than the provider's default.
    pub async fn with_provider<C: serde::Serialize>(
        &self,
        name: &str,
        config: &C,
        clients: P::Clients,
    ) -> Result<Self> {
        let mut inputs = crate::codec::encode_plain(config)?;
        inputs.retain(|_, value| *value != PropertyValue::Null);
        let (urn, id) = self
            .register_provider(&format!("pulumi:providers:{}", P::NAME), name, inputs)
            .await?;
        let reference = format!(
            "{urn}::{}",
            if id.is_empty() {
                crate::wire::sig::UNKNOWN_STRING
            } else {
                id.as_str()
            }
        );
        let mut scope = self.nested(self.parent_urn.clone());
        scope.provider = Some(reference.clone());
        scope.providers.insert(P::NAME.to_owned(), reference);
        scope.clients = Some(Arc::new(clients));
        Ok(scope)
    }

    /// Registers a provider resource; returns its URN and id.
    async fn register_provider(
        &self,
        token: &str,
        name: &str,
        inputs: PropertyMap,
    ) -> Result<(String, String)> {
        let request = RegisterResourceRequest {
            r#type: token.to_owned(),
            name: name.to_owned(),
            parent: self.parent_urn.clone(),
            custom: true,
            object: Some(properties_to_struct(&inputs)),
            protect: self.inherited.protect,
            dependencies: self.inherited.depends_on.clone(),
            version: P::VERSION.to_owned(),
            plugin_download_url: P::PLUGIN_DOWNLOAD_URL.to_owned(),
            accept_secrets: true,
            accept_resources: true,
            supports_partial_values: true,
            retain_on_delete: self.inherited.retain_on_delete,
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
        Ok((response.urn, response.id))
    }

    /// Registers a child custom resource of type `R`. Its [`Output`] inputs
    /// travel with their secretness and unknownness, and their dependencies
    /// become the child's property dependencies.
    pub async fn resource<R: CustomResource<Provider = P>>(
        &self,
        name: &str,
        inputs: &R::Inputs,
        options: ChildOptions,
    ) -> Result<Child<R>> {
        let mut inputs = encode_wired(inputs, &[])?;
        inputs.retain(|_, value| *value != PropertyValue::Null);
        let (urn, outputs) = self
            .register(R::TOKEN, name, true, inputs, &options)
            .await?;
        Ok(Child {
            urn,
            outputs,
            resource: PhantomData,
        })
    }

    /// Builds a component of this same package as a child of this one, and
    /// returns its outputs.
    ///
    /// The child component is built here, in this process, rather than
    /// registered as a remote component for the engine to Construct again:
    /// its inputs stay typed (no trip through the wire, so nothing is lost
    /// or re-validated differently), its check failures and errors come back
    /// as values, the whole tree is built within the one Construct call the
    /// engine already made, and the result is the same tree of URNs the
    /// engine would have produced.
    pub async fn component<C: Component<Provider = P>>(
        &self,
        component: &C,
        name: &str,
        inputs: C::Inputs,
        options: ChildOptions,
    ) -> Result<C::Outputs> {
        let failures = component.check(&inputs);
        if !failures.is_empty() {
            return Err(ProviderError::InvalidInputs(format!(
                "{} `{name}`:\n{}",
                C::TOKEN,
                failures.summary()
            )));
        }
        let (urn, _) = self
            .register(C::TOKEN, name, false, PropertyMap::new(), &options)
            .await?;
        let scope = self.nested(urn.clone());
        let outputs = component.construct(&scope, name, inputs).await?;
        scope
            .register_outputs(&encode_wired(&outputs, &[])?)
            .await?;
        Ok(outputs)
    }

    /// Records the component's outputs with the engine (output values
    /// reduced to their values; secrets, and strings holding a secret
    /// input's value, secret).
    pub(crate) async fn register_outputs(&self, outputs: &PropertyMap) -> Result<()> {
        let plain: PropertyMap = outputs
            .iter()
            .map(|(k, v)| (k.clone(), self.secrets.mark(flatten_outputs(v.clone()))))
            .collect();
        self.monitor
            .clone()
            .register_resource_outputs(RegisterResourceOutputsRequest {
                urn: self.parent_urn.clone(),
                outputs: Some(properties_to_struct(&plain)),
            })
            .await
            .map_err(|status| ProviderError::Monitor(status.message().to_owned()))?;
        Ok(())
    }

    /// Registers a child (custom resource or component) by token; returns
    /// its URN and outputs.
    async fn register(
        &self,
        token: &str,
        name: &str,
        custom: bool,
        inputs: PropertyMap,
        options: &ChildOptions,
    ) -> Result<(String, PropertyMap)> {
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
            plain.insert(key, self.secrets.mark(flatten_outputs(value)));
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
            version: P::VERSION.to_owned(),
            plugin_download_url: P::PLUGIN_DOWNLOAD_URL.to_owned(),
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
        Ok((response.urn, struct_to_properties(response.object.as_ref())))
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

//! The ResourceProvider gRPC service: decodes requests, dispatches by token
//! to the registry, encodes results. No resource logic lives here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::RwLock;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use crate::adapter::DynResource;
use crate::check::{CheckFailure, Failures};
use crate::codec::{all_failures, decode};
use crate::construct::construct_component;
use crate::context::{Context, custom_timeout};
use crate::diff::{diff_config, diff_to_proto};
use crate::engine::EngineLogger;
use crate::error::ProviderError;
use crate::package::Package;
use crate::proto::{self, resource_provider_server::ResourceProvider};
use crate::redact::SecretTexts;
use crate::registry::Registry;
use crate::wire::{PropertyMap, PropertyValue, properties_to_struct, struct_to_properties};

/// The gRPC service of package `P`.
pub struct ProviderService<P: Package> {
    registry: Arc<Registry<P>>,
    engine: Arc<EngineLogger>,
    clients: RwLock<Option<Arc<P::Clients>>>,
    cancel: CancellationToken,
    /// Per URN, whether its last Check was given old inputs (the engine
    /// holds a state for it): see [`Context::first_create`].
    checked_with_olds: Mutex<HashMap<String, bool>>,
}

impl<P: Package> ProviderService<P> {
    /// A service for `registry`, logging to the engine at `engine_address`.
    pub fn new(registry: Arc<Registry<P>>, engine_address: Option<String>) -> Self {
        ProviderService {
            registry,
            engine: Arc::new(EngineLogger::new(engine_address)),
            clients: RwLock::new(None),
            cancel: CancellationToken::new(),
            checked_with_olds: Mutex::new(HashMap::new()),
        }
    }

    async fn context(&self, urn: &str, timeout_seconds: f64) -> Result<Context<P>, ProviderError> {
        let clients = self
            .clients
            .read()
            .await
            .clone()
            .ok_or(ProviderError::NotConfigured)?;
        Ok(Context {
            clients,
            engine: self.engine.clone(),
            urn: urn.to_owned(),
            cancel: self.cancel.clone(),
            timeout: custom_timeout(timeout_seconds),
            secrets: Default::default(),
            first_create: false,
        })
    }

    /// Whether `urn`'s last Check in this process had no old inputs: a
    /// resource new to the state. Unknown (no Check seen) counts as not.
    fn first_create(&self, urn: &str) -> bool {
        self.checked_with_olds
            .lock()
            .map(|checked| checked.get(urn) == Some(&false))
            .unwrap_or(false)
    }

    /// The resource a request is about: by its type, or (from older
    /// engines, which send no type) by the type in its URN.
    fn resource(&self, r#type: &str, urn: &str) -> Result<Arc<dyn DynResource<P>>, ProviderError> {
        let token = if r#type.is_empty() {
            type_of_urn(urn)
        } else {
            r#type
        };
        self.registry
            .resource(token)
            .ok_or_else(|| ProviderError::UnknownType(token.to_owned()))
    }
}

/// The resource type of a URN: `urn:pulumi:stack::project::parent$type::name`.
pub fn type_of_urn(urn: &str) -> &str {
    let mut parts = urn.splitn(4, "::");
    let type_path = parts.nth(2).unwrap_or_default();
    type_path.rsplit('$').next().unwrap_or(type_path)
}

/// Failures as the engine receives them, with no secret in their text.
fn failures_to_proto(
    failures: Vec<CheckFailure>,
    secrets: &SecretTexts,
) -> Vec<proto::CheckFailure> {
    failures
        .into_iter()
        .map(|f| secrets.failure(f))
        .map(|f| proto::CheckFailure {
            property: f.property,
            reason: f.reason,
        })
        .collect()
}

/// The answer to a request: its result, or its error with no secret of the
/// request (`secrets`) in the text.
fn answer<T>(
    result: Result<T, ProviderError>,
    secrets: &SecretTexts,
) -> Result<Response<T>, Status> {
    result
        .map(Response::new)
        .map_err(|error| secrets.error(error).into())
}

/// Provider configuration from Configure/CheckConfig values. Keys may carry
/// their `<package>:` prefix; a setting that is not a string in the schema
/// may arrive as JSON text (the engine's legacy encoding of config values).
/// Every failure is reported, each naming its setting.
pub fn decode_config<C: serde::de::DeserializeOwned + schemars::JsonSchema>(
    values: &PropertyMap,
) -> Result<C, Vec<CheckFailure>> {
    let normalised = normalise_config::<C>(values)?;
    decode(&normalised).map_err(|first| {
        let failures = all_failures::<C>(&normalised);
        if failures.is_empty() {
            vec![first]
        } else {
            failures
        }
    })
}

/// What is wrong with configuration `values`, known values only: a setting
/// not known yet stands for any value of its type.
fn config_failures<C: serde::de::DeserializeOwned + schemars::JsonSchema>(
    values: &PropertyMap,
) -> Vec<CheckFailure> {
    match normalise_config::<C>(values) {
        Ok(normalised) => all_failures::<C>(&normalised),
        Err(failures) => failures,
    }
}

/// Configuration keys without their package prefix, and settings sent as
/// JSON text read as values.
fn normalise_config<C: schemars::JsonSchema>(
    values: &PropertyMap,
) -> Result<PropertyMap, Vec<CheckFailure>> {
    let strings = crate::schema::string_fields::<C>();
    let mut normalised = PropertyMap::new();
    let mut failures = Vec::new();
    for (key, value) in values {
        let key = key.rsplit(':').next().unwrap_or(key).to_owned();
        if key == "version" {
            continue;
        }
        let value = match value.as_str() {
            Some(text) if !strings.contains(&key) => {
                match serde_json::from_str::<serde_json::Value>(text) {
                    Ok(json) => {
                        let read = crate::wire::value_from_json(&json);
                        if value.is_secret() {
                            read.into_secret()
                        } else {
                            read
                        }
                    }
                    Err(error) => {
                        failures.push(CheckFailure::new(
                            key.clone(),
                            format!("is not valid JSON: {error}"),
                        ));
                        continue;
                    }
                }
            }
            _ => value.clone(),
        };
        normalised.insert(key, value);
    }
    if failures.is_empty() {
        Ok(normalised)
    } else {
        Err(failures)
    }
}

#[tonic::async_trait]
impl<P: Package> ResourceProvider for ProviderService<P> {
    async fn handshake(
        &self,
        request: Request<proto::ProviderHandshakeRequest>,
    ) -> Result<Response<proto::ProviderHandshakeResponse>, Status> {
        let request = request.into_inner();
        if !request.engine_address.is_empty() {
            self.engine.set_address(request.engine_address);
        }
        Ok(Response::new(proto::ProviderHandshakeResponse {
            accept_secrets: true,
            accept_resources: true,
            accept_outputs: true,
            supports_autonaming_configuration: false,
        }))
    }

    async fn get_schema(
        &self,
        _request: Request<proto::GetSchemaRequest>,
    ) -> Result<Response<proto::GetSchemaResponse>, Status> {
        Ok(Response::new(proto::GetSchemaResponse {
            schema: self.registry.schema_json()?.to_owned(),
        }))
    }

    async fn check_config(
        &self,
        request: Request<proto::CheckRequest>,
    ) -> Result<Response<proto::CheckResponse>, Status> {
        let request = request.into_inner();
        let news = struct_to_properties(request.news.as_ref());
        let secrets = SecretTexts::of([&news]);
        let mut failures = config_failures::<P::Config>(&news);
        if failures.is_empty() {
            // The package's own rules, once every setting is known and
            // well-formed (an unknown one stands for any value).
            if let Ok(config) = decode_config::<P::Config>(&news) {
                failures = P::check_config(&config).into_vec();
            }
        }
        Ok(Response::new(proto::CheckResponse {
            inputs: request.news,
            failures: failures_to_proto(failures, &secrets),
        }))
    }

    async fn diff_config(
        &self,
        request: Request<proto::DiffRequest>,
    ) -> Result<Response<proto::DiffResponse>, Status> {
        let request = request.into_inner();
        let olds = struct_to_properties(request.old_inputs.as_ref().or(request.olds.as_ref()));
        let news = struct_to_properties(request.news.as_ref());
        let outcome = diff_config(&olds, &news, P::REPLACE_ON_CHANGE);
        Ok(Response::new(diff_to_proto(&outcome)))
    }

    async fn configure(
        &self,
        request: Request<proto::ConfigureRequest>,
    ) -> Result<Response<proto::ConfigureResponse>, Status> {
        let request = request.into_inner();
        let mut values = struct_to_properties(request.args.as_ref());
        if values.is_empty() {
            values = request
                .variables
                .iter()
                .map(|(k, v)| (k.clone(), PropertyValue::String(v.clone())))
                .collect();
        }
        let secrets = SecretTexts::of([&values]);
        let configured = async {
            let config = decode_config::<P::Config>(&values)
                .map_err(|failures| ProviderError::InvalidConfig(Failures(failures).summary()))?;
            let failures = P::check_config(&config);
            if !failures.is_empty() {
                return Err(ProviderError::InvalidConfig(failures.summary()));
            }
            let clients = P::configure(&config).await?;
            *self.clients.write().await = Some(Arc::new(clients));
            Ok(proto::ConfigureResponse {
                accept_secrets: true,
                supports_preview: true,
                accept_resources: true,
                accept_outputs: true,
                supports_autonaming_configuration: false,
            })
        };
        answer(configured.await, &secrets)
    }

    async fn invoke(
        &self,
        request: Request<proto::InvokeRequest>,
    ) -> Result<Response<proto::InvokeResponse>, Status> {
        let request = request.into_inner();
        let function = self
            .registry
            .function(&request.tok)
            .ok_or_else(|| ProviderError::UnknownFunction(request.tok.clone()))?;
        let args = struct_to_properties(request.args.as_ref());
        let secrets = SecretTexts::of([&args]);
        let clients = self.clients.read().await.clone();
        let invoked = async {
            Ok(match function.invoke(clients.as_deref(), &args).await? {
                Ok(outputs) => proto::InvokeResponse {
                    r#return: Some(properties_to_struct(&outputs)),
                    failures: Vec::new(),
                },
                Err(failures) => proto::InvokeResponse {
                    r#return: None,
                    failures: failures_to_proto(failures, &secrets),
                },
            })
        };
        answer(invoked.await, &secrets)
    }

    async fn check(
        &self,
        request: Request<proto::CheckRequest>,
    ) -> Result<Response<proto::CheckResponse>, Status> {
        let request = request.into_inner();
        let resource = self.resource(&request.r#type, &request.urn)?;
        let news = struct_to_properties(request.news.as_ref());
        let olds = struct_to_properties(request.olds.as_ref());
        let secrets = SecretTexts::of([&news, &olds]);
        let clients = self.clients.read().await.clone();
        if let Ok(mut checked) = self.checked_with_olds.lock() {
            checked.insert(request.urn.clone(), !olds.is_empty());
        }
        let (inputs, mut failures) = resource.check(&news, clients.as_deref());
        if !olds.is_empty() {
            failures.extend(resource.check_change(&olds, &inputs));
        }
        Ok(Response::new(proto::CheckResponse {
            inputs: Some(properties_to_struct(&inputs)),
            failures: failures_to_proto(failures, &secrets),
        }))
    }

    async fn diff(
        &self,
        request: Request<proto::DiffRequest>,
    ) -> Result<Response<proto::DiffResponse>, Status> {
        let request = request.into_inner();
        let resource = self.resource(&request.r#type, &request.urn)?;
        let old_inputs = match request.old_inputs.as_ref() {
            Some(inputs) if !inputs.fields.is_empty() => struct_to_properties(Some(inputs)),
            _ => struct_to_properties(request.olds.as_ref()),
        };
        let old_outputs = struct_to_properties(request.olds.as_ref());
        let news = struct_to_properties(request.news.as_ref());
        let outcome = resource.diff_with_state(&old_inputs, &old_outputs, &news);
        Ok(Response::new(diff_to_proto(&outcome)))
    }

    async fn create(
        &self,
        request: Request<proto::CreateRequest>,
    ) -> Result<Response<proto::CreateResponse>, Status> {
        let request = request.into_inner();
        let resource = self.resource(&request.r#type, &request.urn)?;
        let news = struct_to_properties(request.properties.as_ref());
        let secrets = SecretTexts::of([&news]);
        let created = async {
            let (id, outputs) = if request.preview {
                (String::new(), resource.preview_outputs(&news))
            } else {
                let mut ctx = self.context(&request.urn, request.timeout).await?;
                ctx.first_create = self.first_create(&request.urn);
                resource
                    .create(&ctx, &news)
                    .await
                    .map_err(|e| e.on_resource("creating", &request.urn, ""))?
            };
            Ok(proto::CreateResponse {
                id,
                properties: Some(properties_to_struct(&outputs)),
            })
        };
        answer(created.await, &secrets)
    }

    async fn read(
        &self,
        request: Request<proto::ReadRequest>,
    ) -> Result<Response<proto::ReadResponse>, Status> {
        let request = request.into_inner();
        let resource = self.resource(&request.r#type, &request.urn)?;
        let state = struct_to_properties(request.properties.as_ref());
        let inputs = struct_to_properties(request.inputs.as_ref());
        let secrets = SecretTexts::of([&state, &inputs]);
        let read = async {
            let ctx = self.context(&request.urn, 0.0).await?;
            let found = resource
                .read(&ctx, &request.id, &state, &inputs)
                .await
                .map_err(|e| e.on_resource("reading", &request.urn, &request.id))?;
            Ok(match found {
                None => proto::ReadResponse::default(),
                Some((id, inputs, outputs)) => proto::ReadResponse {
                    id,
                    properties: Some(properties_to_struct(&outputs)),
                    inputs: Some(properties_to_struct(&inputs)),
                },
            })
        };
        answer(read.await, &secrets)
    }

    async fn update(
        &self,
        request: Request<proto::UpdateRequest>,
    ) -> Result<Response<proto::UpdateResponse>, Status> {
        let request = request.into_inner();
        let resource = self.resource(&request.r#type, &request.urn)?;
        let olds = struct_to_properties(request.olds.as_ref());
        let news = struct_to_properties(request.news.as_ref());
        let secrets = SecretTexts::of([&olds, &news]);
        let updated = async {
            let ctx = self.context(&request.urn, request.timeout).await?;
            let outputs = resource
                .update(&ctx, &request.id, &olds, &news, request.preview)
                .await
                .map_err(|e| e.on_resource("updating", &request.urn, &request.id))?;
            Ok(proto::UpdateResponse {
                properties: Some(properties_to_struct(&outputs)),
            })
        };
        answer(updated.await, &secrets)
    }

    async fn delete(&self, request: Request<proto::DeleteRequest>) -> Result<Response<()>, Status> {
        let request = request.into_inner();
        let resource = self.resource(&request.r#type, &request.urn)?;
        let olds = struct_to_properties(request.properties.as_ref());
        let secrets = SecretTexts::of([&olds]);
        let deleted = async {
            let ctx = self.context(&request.urn, request.timeout).await?;
            resource
                .delete(&ctx, &request.id, &olds)
                .await
                .map_err(|e| e.on_resource("deleting", &request.urn, &request.id))
        };
        answer(deleted.await, &secrets)
    }

    async fn construct(
        &self,
        request: Request<proto::ConstructRequest>,
    ) -> Result<Response<proto::ConstructResponse>, Status> {
        let request = request.into_inner();
        let component = self
            .registry
            .component(&request.r#type)
            .ok_or_else(|| ProviderError::UnknownType(request.r#type.clone()))?;
        let inputs = struct_to_properties(request.inputs.as_ref());
        let secrets = SecretTexts::of([&inputs]);
        let clients = self.clients.read().await.clone();
        answer(
            construct_component(&*component, request, clients).await,
            &secrets,
        )
    }

    async fn cancel(&self, _request: Request<()>) -> Result<Response<()>, Status> {
        self.cancel.cancel();
        Ok(Response::new(()))
    }

    async fn get_plugin_info(
        &self,
        _request: Request<()>,
    ) -> Result<Response<proto::PluginInfo>, Status> {
        Ok(Response::new(proto::PluginInfo {
            version: P::VERSION.to_owned(),
        }))
    }
}

//! Construct: build a component through the engine's resource monitor.

use std::collections::HashMap;
use std::sync::Arc;

use tonic::transport::Endpoint;

use crate::adapter::DynComponent;
use crate::check::Failures;
use crate::codec::flatten_outputs;
use crate::error::{ProviderError, Result};
use crate::package::Package;
use crate::proto::resource_monitor_client::ResourceMonitorClient;
use crate::proto::{
    ConstructRequest, ConstructResponse, RegisterResourceRequest, construct_response,
    register_resource_request,
};
use crate::scope::{ChildOptions, Program, Scope};
use crate::wire::{
    OutputValue, PropertyMap, PropertyValue, properties_to_struct, struct_to_properties,
};

/// Validates the inputs, registers the component and its children, records
/// its outputs, and answers the engine.
pub async fn construct_component<P: Package>(
    component: &dyn DynComponent<P>,
    request: ConstructRequest,
    clients: Option<Arc<P::Clients>>,
) -> Result<ConstructResponse> {
    let inputs = with_input_dependencies(
        struct_to_properties(request.inputs.as_ref()),
        &request.input_dependencies,
    );
    let failures = component.check(&inputs);
    if !failures.is_empty() {
        return Err(ProviderError::InvalidInputs(format!(
            "{} `{}`:\n{}",
            component.token(),
            request.name,
            Failures(failures).summary()
        )));
    }

    let endpoint = format!("http://{}", request.monitor_endpoint);
    let channel = Endpoint::from_shared(endpoint)
        .map_err(|e| ProviderError::Monitor(e.to_string()))?
        .connect()
        .await
        .map_err(|e| ProviderError::Monitor(e.to_string()))?;
    let mut monitor = ResourceMonitorClient::new(channel)
        .max_decoding_message_size(crate::MAX_MESSAGE_BYTES)
        .max_encoding_message_size(crate::MAX_MESSAGE_BYTES);

    let timeouts =
        request
            .custom_timeouts
            .clone()
            .map(|t| register_resource_request::CustomTimeouts {
                create: t.create,
                update: t.update,
                delete: t.delete,
                read: t.read,
            });
    let registration = RegisterResourceRequest {
        r#type: request.r#type.clone(),
        name: request.name.clone(),
        parent: request.parent.clone(),
        custom: false,
        object: Some(Default::default()),
        protect: request.protect,
        dependencies: request.dependencies.clone(),
        providers: request.providers.clone(),
        delete_before_replace: request.delete_before_replace.unwrap_or(false),
        delete_before_replace_defined: request.delete_before_replace.is_some(),
        version: P::VERSION.to_owned(),
        ignore_changes: request.ignore_changes.clone(),
        accept_secrets: true,
        accept_resources: true,
        additional_secret_outputs: request.additional_secret_outputs.clone(),
        custom_timeouts: timeouts.clone(),
        replace_on_changes: request.replace_on_changes.clone(),
        retain_on_delete: request.retain_on_delete,
        aliases: request.aliases.clone(),
        alias_specs: true,
        deleted_with: request.deleted_with.clone(),
        ..Default::default()
    };
    let registered = monitor
        .register_resource(registration)
        .await
        .map_err(|status| ProviderError::Monitor(status.message().to_owned()))?
        .into_inner();

    let inherited = ChildOptions {
        protect: request.protect,
        retain_on_delete: request.retain_on_delete,
        custom_timeouts: timeouts,
        depends_on: Vec::new(),
        delete_before_replace: false,
    };
    let scope = Scope::<P>::new(
        monitor.clone(),
        registered.urn.clone(),
        request.providers.clone(),
        inherited,
        Program {
            dry_run: request.dry_run,
            stack: request.stack.clone(),
            project: request.project.clone(),
        },
        clients,
    );
    let outputs = component.construct(&scope, &request.name, &inputs).await?;

    scope.register_outputs(&outputs).await?;

    let state_dependencies = outputs
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                construct_response::PropertyDependencies {
                    urns: v.dependencies(),
                },
            )
        })
        .collect();
    let state = if request.accepts_output_values {
        outputs
    } else {
        outputs
            .into_iter()
            .map(|(k, v)| (k, flatten_outputs(v)))
            .collect()
    };
    Ok(ConstructResponse {
        urn: registered.urn,
        state: Some(properties_to_struct(&state)),
        state_dependencies,
    })
}

/// Attaches each input's dependencies (sent beside the inputs) to the value
/// itself, so they follow it to the children that use it.
fn with_input_dependencies(
    inputs: PropertyMap,
    dependencies: &HashMap<String, crate::proto::construct_request::PropertyDependencies>,
) -> PropertyMap {
    inputs
        .into_iter()
        .map(|(key, value)| {
            let deps = dependencies
                .get(&key)
                .map(|d| d.urns.clone())
                .unwrap_or_default();
            let value = match value {
                PropertyValue::Output(mut out) => {
                    out.dependencies.extend(deps);
                    out.dependencies.sort();
                    out.dependencies.dedup();
                    PropertyValue::Output(out)
                }
                other if !deps.is_empty() || other.contains_unknowns() => {
                    let (inner, secret) = match other {
                        PropertyValue::Secret(inner) => (*inner, true),
                        plain => (plain, false),
                    };
                    PropertyValue::Output(OutputValue {
                        value: (!matches!(inner, PropertyValue::Unknown(_)))
                            .then(|| Box::new(inner)),
                        secret,
                        dependencies: deps,
                    })
                }
                other => other,
            };
            (key, value)
        })
        .collect()
}

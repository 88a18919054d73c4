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
use crate::redact::SecretTexts;
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
    let inputs: PropertyMap = with_input_dependencies(
        struct_to_properties(request.inputs.as_ref()),
        &request.input_dependencies,
    )
    .into_iter()
    .map(|(key, value)| (key, secret_at_the_leaves(value, false)))
    .collect();
    let secrets = SecretTexts::of([&inputs]);
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
        plugin_download_url: P::PLUGIN_DOWNLOAD_URL.to_owned(),
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
    )
    .with_secrets(secrets.clone());
    let outputs: PropertyMap = component
        .construct(&scope, &request.name, &inputs)
        .await?
        .into_iter()
        .map(|(key, value)| (key, secrets.mark(value)))
        .collect();

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

/// `value` with the secretness of a secret list or object moved onto each
/// value inside it (`secret`: inside a secret already), so that every field
/// the component reads from inside it, an [`crate::Output`] one included,
/// sees a secret value.
fn secret_at_the_leaves(value: PropertyValue, secret: bool) -> PropertyValue {
    match value {
        PropertyValue::Secret(inner) => secret_at_the_leaves(*inner, true),
        PropertyValue::Output(mut out) => {
            let inside = secret || out.secret;
            out.value = out
                .value
                .map(|inner| Box::new(secret_at_the_leaves(*inner, inside)));
            out.secret = inside;
            PropertyValue::Output(out)
        }
        PropertyValue::Array(items) => PropertyValue::Array(
            items
                .into_iter()
                .map(|item| secret_at_the_leaves(item, secret))
                .collect(),
        ),
        PropertyValue::Object(map) => PropertyValue::Object(
            map.into_iter()
                .map(|(key, item)| (key, secret_at_the_leaves(item, secret)))
                .collect(),
        ),
        leaf if secret => PropertyValue::Secret(Box::new(leaf)),
        leaf => leaf,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_object_makes_each_value_inside_it_secret() {
        let secret_list =
            PropertyValue::Secret(Box::new(PropertyValue::Array(vec![PropertyValue::Object(
                [
                    ("name".to_owned(), "m".into()),
                    ("count".to_owned(), PropertyValue::Number(2.0)),
                ]
                .into(),
            )])));
        let PropertyValue::Array(items) = secret_at_the_leaves(secret_list, false) else {
            panic!("a list stays a list");
        };
        let PropertyValue::Object(entry) = &items[0] else {
            panic!("an object stays an object");
        };
        assert!(entry["name"].is_secret() && entry["count"].is_secret());
        // A secret output value: the same, and it stays secret itself.
        let output = PropertyValue::Output(OutputValue {
            value: Some(Box::new(PropertyValue::Object(
                [("key".to_owned(), "v".into())].into(),
            ))),
            secret: true,
            dependencies: vec!["urn:a".into()],
        });
        let PropertyValue::Output(out) = secret_at_the_leaves(output, false) else {
            panic!("an output value stays one");
        };
        assert!(out.secret);
        assert_eq!(out.dependencies, ["urn:a".to_owned()]);
        let Some(PropertyValue::Object(inner)) = out.value.as_deref() else {
            panic!("its value stays an object");
        };
        assert!(inner["key"].is_secret());
        // Plain values stay plain.
        assert_eq!(
            secret_at_the_leaves("plain".into(), false),
            PropertyValue::from("plain")
        );
    }
}

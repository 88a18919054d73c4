//! A program change that makes a new endpoint configuration while the
//! endpoint runs one a Workflow deployed (`<prefix>-wf-<UUID>`): the new
//! configuration is the program's, but each variant the Workflow deployed
//! a model to keeps that model, so that the change (a new instance type,
//! say) rolls out on top of the Workflow's model version instead of
//! reverting to the program's.
//!
//! The configuration switched to is the program's one as SageMaker
//! describes it (variants, data capture, asynchronous inference, KMS key
//! and the rest), with the Workflow's models put back in, created under a
//! Workflow name: `<prefix>-wf-<UUID>`, the prefix of the running
//! configuration, the UUID drawn from the two configurations' names (the
//! same change makes the same name, so a retried update finds what an
//! earlier attempt created). Refresh, diff and delete then treat it as
//! they treat the Workflow's own: it stands in for the program's
//! configuration, and it goes with the endpoint.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::Context;
use crate::aws::{AwsErrorKind, OrGone, ResultExt, Service};
use crate::naming::{WORKFLOW_MARK, is_workflow_made};
use crate::resources::sagemaker::sagemaker_tags;
use framework::Result;

/// The name of the configuration that carries the models of `running`
/// into `asked`: `<prefix of running>-wf-<UUID from both names>`.
pub(super) fn carried_name(running: &str, asked: &str) -> Option<String> {
    let (prefix, _) = running.rsplit_once(WORKFLOW_MARK)?;
    let digest = hex::encode(Sha256::digest(format!("{running}\n{asked}").as_bytes()));
    let uuid = format!(
        "{}-{}-{}-{}-{}",
        &digest[..8],
        &digest[8..12],
        &digest[12..16],
        &digest[16..20],
        &digest[20..32]
    );
    let name = format!("{prefix}{WORKFLOW_MARK}{uuid}");
    is_workflow_made(&name).then_some(name)
}

/// The models a Workflow deployed in configuration `running`, by variant.
async fn workflow_models(ctx: &Context, running: &str) -> Result<BTreeMap<String, String>> {
    let Some(described) = ctx
        .clients
        .sagemaker
        .describe_endpoint_config()
        .endpoint_config_name(running)
        .send()
        .await
        .aws(Service::SageMaker, "DescribeEndpointConfig")
        .or_gone()?
    else {
        return Ok(BTreeMap::new());
    };
    Ok(described
        .production_variants()
        .iter()
        .filter_map(|variant| {
            let model = variant.model_name()?;
            let variant_name = variant.variant_name()?;
            is_workflow_made(model).then(|| (variant_name.to_owned(), model.to_owned()))
        })
        .collect())
}

/// Creates the configuration to switch to instead of `asked` when the
/// endpoint runs the Workflow's configuration `running`: `asked` with the
/// Workflow's models kept. `None` when `running` serves no Workflow model
/// (or is gone): then `asked` is switched to as it is.
pub(super) async fn carry_workflow_models(
    ctx: &Context,
    running: &str,
    asked: &str,
) -> Result<Option<String>> {
    let Some(name) = carried_name(running, asked) else {
        return Ok(None);
    };
    let models = workflow_models(ctx, running).await?;
    if models.is_empty() {
        return Ok(None);
    }
    let program = ctx
        .clients
        .sagemaker
        .describe_endpoint_config()
        .endpoint_config_name(asked)
        .send()
        .await
        .aws(Service::SageMaker, "DescribeEndpointConfig")?;
    let variants = program
        .production_variants()
        .iter()
        .map(|variant| {
            let mut variant = variant.clone();
            if let Some(model) = models.get(variant.variant_name().unwrap_or_default()) {
                variant.model_name = Some(model.clone());
            }
            variant
        })
        .collect();
    let created = ctx
        .clients
        .sagemaker
        .create_endpoint_config()
        .endpoint_config_name(&name)
        .set_production_variants(Some(variants))
        // A DataCaptureConfig names its destination (API Reference,
        // required): one without stands for none.
        .set_data_capture_config(
            program
                .data_capture_config()
                .filter(|capture| {
                    capture
                        .destination_s3_uri()
                        .is_some_and(|uri| !uri.is_empty())
                })
                .cloned(),
        )
        .set_kms_key_id(program.kms_key_id().map(str::to_owned))
        .set_async_inference_config(program.async_inference_config().cloned())
        .set_explainer_config(program.explainer_config().cloned())
        .set_shadow_production_variants(
            Some(program.shadow_production_variants().to_vec()).filter(|v| !v.is_empty()),
        )
        .set_execution_role_arn(program.execution_role_arn().map(str::to_owned))
        .set_vpc_config(program.vpc_config().cloned())
        .set_enable_network_isolation(program.enable_network_isolation())
        .set_tags(Some(sagemaker_tags(
            &ctx.clients.tags_with(&Default::default()),
        )))
        .send()
        .await
        .aws(Service::SageMaker, "CreateEndpointConfig");
    match created {
        Ok(_) => Ok(Some(name)),
        // An earlier attempt of the same change made it.
        Err(error) if error.kind == AwsErrorKind::AlreadyExists => Ok(Some(name)),
        Err(error) => Err(error.into()),
    }
}

/// Deletes configuration `name`, one the provider or a Workflow made that
/// no program records, best effort: the endpoint no longer runs it (the
/// models it served are still in use, and stay).
pub(super) async fn delete_config(ctx: &Context, name: &str) {
    let deleted = ctx
        .clients
        .sagemaker
        .delete_endpoint_config()
        .endpoint_config_name(name)
        .send()
        .await
        .aws(Service::SageMaker, "DeleteEndpointConfig")
        .or_gone();
    if let Err(error) = deleted {
        ctx.warn(format!(
            "endpoint configuration {name} is no longer used, but could not be deleted: {error}"
        ))
        .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUNNING: &str = "fraud-dev-wf-123e4567-e89b-12d3-a456-426614174000";

    #[test]
    fn the_carried_configuration_is_named_as_the_workflow_names_its_own() {
        let name = carried_name(RUNNING, "fraud-config-0123456789").unwrap();
        assert!(name.starts_with("fraud-dev-wf-"), "{name}");
        assert!(is_workflow_made(&name), "{name}");
        assert_eq!(name.len(), RUNNING.len());
        // The same change, the same name; another change, another.
        assert_eq!(
            carried_name(RUNNING, "fraud-config-0123456789").unwrap(),
            name
        );
        assert_ne!(
            carried_name(RUNNING, "fraud-config-9876543210").unwrap(),
            name
        );
        assert_eq!(carried_name("fraud-config-0123456789", "x"), None);
    }
}

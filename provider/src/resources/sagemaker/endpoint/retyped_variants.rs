//! A new instance type for autoscaled variants: deregistered first.
//!
//! "When you update an endpoint, Application Auto Scaling checks to see
//! whether any of the models on that endpoint are targets for auto scaling.
//! If the update would change the instance type for any model that is a
//! target for auto scaling, the update fails. ... Before you update the
//! endpoint, delete any scaling policies configured for it and deregister
//! the variant as a scalable target ... After you update the endpoint, you
//! can register the updated variant as a scalable target and attach a
//! scaling policy." (Developer Guide, "Update endpoints that use auto
//! scaling"). Deregistering a target deletes its policies (API Reference,
//! DeregisterScalableTarget). So the endpoint deregisters those variants
//! before UpdateEndpoint; registering them again is the job of their
//! `ScalableTarget` resources, which a new `instanceType` replaces after
//! the endpoint's update (their policies with them).

use aws_sdk_applicationautoscaling::types::{ScalableDimension, ServiceNamespace};

use super::EndpointInputs;
use crate::Context;
use crate::aws::{OrGone, ResultExt, Service};
use framework::Result;

/// The scaled dimension of an instance-backed variant.
const INSTANCE_COUNT: &str = "sagemaker:variant:DesiredInstanceCount";

/// The autoscaled variants whose instance type `news` changes from `old`
/// (a variant only one of them knows the type of is not one).
pub(super) fn retyped_variants(old: &EndpointInputs, news: &EndpointInputs) -> Vec<String> {
    if !news.autoscaling_managed {
        return Vec::new();
    }
    news.variant_instance_types
        .iter()
        .filter(|(variant, new_type)| {
            old.variant_instance_types
                .get(*variant)
                .is_some_and(|old_type| old_type != *new_type)
        })
        .map(|(variant, _)| variant.clone())
        .collect()
}

/// Deregisters `variants` of endpoint `endpoint` from Application Auto
/// Scaling (with their scaling policies); a variant not registered is
/// fine.
pub(super) async fn deregister(ctx: &Context, endpoint: &str, variants: &[String]) -> Result<()> {
    for variant in variants {
        ctx.clients
            .autoscaling
            .deregister_scalable_target()
            .service_namespace(ServiceNamespace::Sagemaker)
            .resource_id(format!("endpoint/{endpoint}/variant/{variant}"))
            .scalable_dimension(ScalableDimension::from(INSTANCE_COUNT))
            .send()
            .await
            .aws(Service::ApplicationAutoScaling, "DeregisterScalableTarget")
            .or_gone()?;
    }
    ctx.info(format!(
        "endpoint {endpoint}: variant(s) {} deregistered from Application Auto Scaling for their \
         new instance type; they are registered again after the update",
        variants.join(", ")
    ))
    .await;
    Ok(())
}

/// The warning when the update fails after the deregistration.
pub(super) fn still_deregistered(endpoint: &str, variants: &[String]) -> String {
    format!(
        "endpoint {endpoint}: variant(s) {} stay deregistered from Application Auto Scaling \
         until a `pulumi up` completes the instance type change (it registers them again)",
        variants.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::super::test_fixtures::running;
    use super::*;

    #[test]
    fn only_autoscaled_variants_with_a_known_new_type_count() {
        let old = running("config-v1").inputs;
        let mut news = old.clone();
        assert!(retyped_variants(&old, &news).is_empty());
        news.variant_instance_types
            .insert("primary".into(), "ml.m5.xlarge".into());
        assert_eq!(retyped_variants(&old, &news), ["primary"]);
        // A new variant has no old type; state recorded before the types
        // were has none either.
        news.variant_instance_types
            .insert("canary".into(), "ml.m5.large".into());
        assert_eq!(retyped_variants(&old, &news), ["primary"]);
        let unrecorded = EndpointInputs {
            variant_instance_types: Default::default(),
            ..old.clone()
        };
        assert!(retyped_variants(&unrecorded, &news).is_empty());
        // Without autoscaling there is nothing to deregister.
        news.autoscaling_managed = false;
        assert!(retyped_variants(&old, &news).is_empty());
    }
}

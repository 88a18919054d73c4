//! `sagemaker-deployment:sagemaker:ModelPackageGroup`: a group of model
//! versions in the SageMaker Model Registry.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::sagemaker_tags;
use crate::Context;
use crate::aws::{OrGone, ResultExt, Service};
use crate::naming::sagemaker_name_problem;
use crate::resources::Tags;
use framework::Result;
use framework::{Created, CustomResource, Failures, ReadOutcome};

/// A model package group: the versions a workflow registers, each approved
/// or rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModelPackageGroupInputs {
    /// The group name (SageMaker's name pattern, at most 63 characters).
    pub model_package_group_name: String,
    /// What the group holds.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Tags on the group.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// The group as created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModelPackageGroupOutputs {
    #[serde(flatten)]
    pub inputs: ModelPackageGroupInputs,
    /// The group ARN.
    pub arn: String,
}

/// The model package group resource. Deleting it deletes the versions
/// registered in it first: SageMaker refuses to delete a group that still
/// holds versions (API Reference, DeleteModelPackageGroup).
pub struct ModelPackageGroup;

#[async_trait]
impl CustomResource for ModelPackageGroup {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:sagemaker:ModelPackageGroup";
    const UPDATABLE: &'static [&'static str] = &["tags"];

    type Inputs = ModelPackageGroupInputs;
    type Outputs = ModelPackageGroupOutputs;

    fn check(&self, inputs: &ModelPackageGroupInputs) -> Failures {
        let mut failures = Failures::new();
        if let Some(problem) = sagemaker_name_problem(&inputs.model_package_group_name) {
            failures.push("modelPackageGroupName", problem);
        }
        failures.require(
            inputs.description.len() <= 1024,
            "description",
            "must be at most 1024 characters",
        );
        failures
    }

    async fn create(
        &self,
        ctx: &Context,
        inputs: &ModelPackageGroupInputs,
    ) -> Result<Created<ModelPackageGroupOutputs>> {
        let tags = ctx.clients.tags_with(&inputs.tags);
        let created = ctx
            .clients
            .sagemaker
            .create_model_package_group()
            .model_package_group_name(&inputs.model_package_group_name)
            .set_model_package_group_description(
                (!inputs.description.is_empty()).then(|| inputs.description.clone()),
            )
            .set_tags((!tags.is_empty()).then(|| sagemaker_tags(&tags)))
            .send()
            .await
            .aws(Service::SageMaker, "CreateModelPackageGroup")?;
        Ok(Created {
            id: inputs.model_package_group_name.clone(),
            outputs: ModelPackageGroupOutputs {
                inputs: inputs.clone(),
                arn: created
                    .model_package_group_arn()
                    .unwrap_or_default()
                    .to_owned(),
            },
        })
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &ModelPackageGroupOutputs,
    ) -> Result<ReadOutcome<ModelPackageGroupInputs, ModelPackageGroupOutputs>> {
        let Some(found) = ctx
            .clients
            .sagemaker
            .describe_model_package_group()
            .model_package_group_name(id)
            .send()
            .await
            .aws(Service::SageMaker, "DescribeModelPackageGroup")
            .or_gone()?
        else {
            return Ok(ReadOutcome::Gone);
        };
        let inputs = ModelPackageGroupInputs {
            model_package_group_name: id.to_owned(),
            description: found
                .model_package_group_description()
                .unwrap_or_default()
                .to_owned(),
            ..outputs.inputs.clone()
        };
        Ok(ReadOutcome::Found {
            id: id.to_owned(),
            outputs: ModelPackageGroupOutputs {
                inputs: inputs.clone(),
                arn: found
                    .model_package_group_arn()
                    .unwrap_or(&outputs.arn)
                    .to_owned(),
            },
            inputs,
        })
    }

    async fn update(
        &self,
        ctx: &Context,
        _id: &str,
        olds: &ModelPackageGroupOutputs,
        news: &ModelPackageGroupInputs,
    ) -> Result<ModelPackageGroupOutputs> {
        super::retag(ctx, &olds.arn, &olds.inputs.tags, &news.tags).await?;
        Ok(ModelPackageGroupOutputs {
            inputs: news.clone(),
            arn: olds.arn.clone(),
        })
    }

    async fn delete(
        &self,
        ctx: &Context,
        id: &str,
        _outputs: &ModelPackageGroupOutputs,
    ) -> Result<()> {
        for version in versions(ctx, id).await? {
            ctx.clients
                .sagemaker
                .delete_model_package()
                .model_package_name(&version)
                .send()
                .await
                .aws(Service::SageMaker, "DeleteModelPackage")
                .or_gone()?;
        }
        ctx.clients
            .sagemaker
            .delete_model_package_group()
            .model_package_group_name(id)
            .send()
            .await
            .aws(Service::SageMaker, "DeleteModelPackageGroup")
            .or_gone()?;
        Ok(())
    }
}

/// ARNs of every version registered in group `name`.
async fn versions(ctx: &Context, name: &str) -> Result<Vec<String>> {
    let mut arns = Vec::new();
    let mut token = None;
    loop {
        let Some(page) = ctx
            .clients
            .sagemaker
            .list_model_packages()
            .model_package_group_name(name)
            .set_next_token(token)
            .send()
            .await
            .aws(Service::SageMaker, "ListModelPackages")
            .or_gone()?
        else {
            return Ok(arns);
        };
        arns.extend(
            page.model_package_summary_list()
                .iter()
                .filter_map(|summary| summary.model_package_arn().map(str::to_owned)),
        );
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return Ok(arns);
        }
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_sagemaker::Client;
    use aws_sdk_sagemaker::operation::delete_model_package::DeleteModelPackageOutput;
    use aws_sdk_sagemaker::operation::delete_model_package_group::DeleteModelPackageGroupOutput;
    use aws_sdk_sagemaker::operation::list_model_packages::ListModelPackagesOutput;
    use aws_sdk_sagemaker::types::ModelPackageSummary;
    use aws_smithy_mocks::mock;

    use super::*;
    use crate::resources::mock::mock_context;

    fn summary(arn: &str) -> ModelPackageSummary {
        ModelPackageSummary::builder()
            .model_package_arn(arn)
            .model_package_status("Completed".into())
            .creation_time(aws_smithy_types::DateTime::from_secs(0))
            .model_package_name("fraud-models")
            .build()
    }

    #[tokio::test]
    async fn deleting_the_group_deletes_its_versions_first() {
        let list = mock!(Client::list_model_packages)
            .match_requests(|req| req.model_package_group_name() == Some("fraud-models"))
            .then_output(|| {
                ListModelPackagesOutput::builder()
                    .model_package_summary_list(summary("arn:mp/fraud-models/1"))
                    .model_package_summary_list(summary("arn:mp/fraud-models/2"))
                    .build()
            });
        let delete_version = mock!(Client::delete_model_package)
            .then_output(|| DeleteModelPackageOutput::builder().build());
        let delete_group = mock!(Client::delete_model_package_group)
            .then_output(|| DeleteModelPackageGroupOutput::builder().build());
        let ctx = mock_context::<ModelPackageGroup>(&[&list, &delete_version, &delete_group]).await;
        let outputs = ModelPackageGroupOutputs {
            inputs: ModelPackageGroupInputs {
                model_package_group_name: "fraud-models".into(),
                description: String::new(),
                tags: Tags::new(),
            },
            arn: "arn:group".into(),
        };
        ModelPackageGroup
            .delete(&ctx, "fraud-models", &outputs)
            .await
            .unwrap();
        assert_eq!(delete_version.num_calls(), 2);
        assert_eq!(delete_group.num_calls(), 1);
    }

    #[test]
    fn a_name_sagemaker_refuses_is_refused_at_preview() {
        let inputs = ModelPackageGroupInputs {
            model_package_group_name: "fraud_models".into(),
            description: String::new(),
            tags: Tags::new(),
        };
        let failures = ModelPackageGroup.check(&inputs).into_vec();
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].property, "modelPackageGroupName");
    }
}

//! `sagemaker-deployment:sagemaker:Model`: one SageMaker model.

use std::collections::BTreeMap;
use std::time::SystemTime;

use async_trait::async_trait;
use aws_sdk_sagemaker::types::{ContainerDefinition, VpcConfig as SdkVpcConfig};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::image::cross_region_problem;
use super::model_data;
use super::{check_naming, sagemaker_tags};
use crate::Context;
use crate::aws::lost_answers::{RequestClock, create_or_find, system_time};
use crate::aws::propagation::{
    IAM_PROPAGATION_WINDOW, retry_while_pending, role_not_assumable_yet,
};
use crate::aws::{AwsClients, AwsError, OrGone, ResultExt, Service};
use crate::naming::{content_hashed, sagemaker_name_problem};
use crate::resources::Tags;
use framework::Output;
use framework::{Created, CustomResource, Failures, ReadOutcome};
use framework::{ProviderError, Result};

/// Subnets and security groups a model's containers run in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VpcConfig {
    /// Security group ids (1-5).
    pub security_group_ids: Vec<String>,
    /// Subnet ids (1-16).
    pub subnets: Vec<String>,
}

/// True for an environment that is known, plain and empty: nothing to send.
pub fn is_plain_and_empty(environment: &Output<BTreeMap<String, String>>) -> bool {
    environment.is_plain() && environment.get().is_some_and(BTreeMap::is_empty)
}

/// A SageMaker model: an inference image, its artifact and its settings.
/// Models are immutable: the name is `namePrefix-<hash of the content>`, so
/// a new version gets a new model, created before the old one is deleted.
/// Tags are not part of the content: changing them retags the model in place.
/// A model named with `modelName` instead (say, one imported) keeps its
/// content: new content needs a new name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModelInputs {
    /// Prefix of the generated model name; set this or `modelName`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name_prefix: String,
    /// ARN of the role SageMaker assumes to run the model.
    pub execution_role_arn: Output<String>,
    /// The inference container image URI.
    pub image: String,
    /// S3 URL of the model artifact (`model.tar.gz`). It must exist when
    /// the model is created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_data_url: Option<Output<String>>,
    /// A digest of the artifact's content, e.g. an `s3:BucketObject`'s
    /// `sourceHash`: part of the name hash, not sent to SageMaker, so that
    /// new content at the same URL makes a new model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_data_hash: Option<Output<String>>,
    /// Environment variables of the container. When any value is secret,
    /// the whole environment is kept secret.
    #[serde(default, skip_serializing_if = "is_plain_and_empty")]
    pub environment: Output<BTreeMap<String, String>>,
    /// Run the containers in these subnets and security groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_config: Option<VpcConfig>,
    /// Block all network access from the containers.
    #[serde(default)]
    pub enable_network_isolation: bool,
    /// Tags on the model.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
    /// The model name: `namePrefix-<hash of the content>` when unset
    /// (computed), or this name, e.g. of a model to import; set this or
    /// `namePrefix`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_name: Option<String>,
}

impl ModelInputs {
    /// `namePrefix-<hash>` over everything but the tags and the name. The
    /// environment counts by its variables alone: marking a value secret
    /// does not make a new model.
    pub fn derived_name(&self) -> String {
        let content = ModelInputs {
            tags: Tags::new(),
            model_name: None,
            environment: Output::new(self.environment.get().cloned().unwrap_or_default()),
            ..self.clone()
        };
        content_hashed(
            &self.name_prefix,
            &serde_json::to_vec(&content).unwrap_or_default(),
        )
    }

    fn name(&self) -> String {
        self.model_name
            .clone()
            .unwrap_or_else(|| self.derived_name())
    }

    /// What SageMaker cannot change in a model: all but the name and tags
    /// (the environment by its variables alone, as in the derived name).
    fn content(&self) -> ModelInputs {
        ModelInputs {
            name_prefix: String::new(),
            tags: Tags::new(),
            model_name: None,
            environment: Output::new(self.environment.get().cloned().unwrap_or_default()),
            ..self.clone()
        }
    }
}

/// The model as created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModelOutputs {
    /// The inputs the model was created with (tags as last updated).
    #[serde(flatten)]
    pub inputs: ModelInputs,
    /// The model ARN.
    pub arn: String,
}

/// The SageMaker model resource.
pub struct Model;

#[async_trait]
impl CustomResource for Model {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:sagemaker:Model";
    const UPDATABLE: &'static [&'static str] = &["tags"];
    /// The name hashes everything but the tags (and itself): tags not known
    /// at preview do not make the name unknown.
    const NOT_IN_COMPUTED_INPUTS: &'static [&'static str] = &["tags", "modelName"];

    type Inputs = ModelInputs;
    type Outputs = ModelOutputs;

    fn computed_inputs(&self, inputs: &ModelInputs) -> Vec<(&'static str, serde_json::Value)> {
        if inputs.model_name.is_some() {
            return Vec::new();
        }
        vec![(
            "modelName",
            serde_json::Value::String(inputs.derived_name()),
        )]
    }

    fn check(&self, inputs: &ModelInputs) -> Failures {
        let mut failures = Failures::new();
        check_naming(
            &inputs.name_prefix,
            inputs.model_name.as_deref(),
            ["namePrefix", "modelName"],
            &mut failures,
        );
        if !inputs.name_prefix.is_empty()
            && let Some(problem) = sagemaker_name_problem(&inputs.name_prefix)
        {
            failures.push("namePrefix", problem);
        }
        failures.require(
            !inputs.image.is_empty(),
            "image",
            "must name a container image",
        );
        if let Some(url) = &inputs.model_data_url {
            failures.require(
                url.get().is_none_or(|url| url.starts_with("s3://")),
                "modelDataUrl",
                "must be an s3:// URL",
            );
        }
        if let Some(vpc) = &inputs.vpc_config {
            failures.require(
                (1..=5).contains(&vpc.security_group_ids.len()),
                "vpcConfig.securityGroupIds",
                "must list 1 to 5 security groups",
            );
            failures.require(
                (1..=16).contains(&vpc.subnets.len()),
                "vpcConfig.subnets",
                "must list 1 to 16 subnets",
            );
        }
        failures
    }

    fn check_change(&self, olds: &ModelInputs, news: &ModelInputs) -> Failures {
        let mut failures = Failures::new();
        // A generated name changes with the content; a set one does not.
        if olds.name() == news.name() {
            let changed = super::changed_fields(&olds.content(), &news.content());
            failures.require(
                changed.is_empty(),
                "modelName",
                format!(
                    "SageMaker models cannot change, and model {} would keep its name \
                     while its {} changed: give the new content a new modelName, or leave \
                     modelName unset (with a namePrefix) to name it by its content",
                    news.name(),
                    changed.join(", ")
                ),
            );
        }
        failures
    }

    fn check_configured(&self, inputs: &ModelInputs, clients: &AwsClients) -> Failures {
        let mut failures = Failures::new();
        if let Some(problem) = cross_region_problem(&inputs.image, &clients.region) {
            failures.push("image", problem);
        }
        failures
    }

    async fn create(&self, ctx: &Context, inputs: &ModelInputs) -> Result<Created<ModelOutputs>> {
        if let Some(url) = &inputs.model_data_url {
            model_data::ensure_exists(ctx, url.as_str()).await?;
        }
        let name = inputs.name();
        let mut container = ContainerDefinition::builder()
            .image(&inputs.image)
            .set_environment(Some(
                inputs
                    .environment
                    .get()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .collect(),
            ));
        if let Some(url) = &inputs.model_data_url {
            container = container.model_data_url(url);
        }
        let mut request = ctx
            .clients
            .sagemaker
            .create_model()
            .model_name(&name)
            .execution_role_arn(&inputs.execution_role_arn)
            .primary_container(container.build())
            .enable_network_isolation(inputs.enable_network_isolation)
            .set_tags(Some(sagemaker_tags(&ctx.clients.tags_with(&inputs.tags))));
        if let Some(vpc) = &inputs.vpc_config {
            request = request.vpc_config(
                SdkVpcConfig::builder()
                    .set_security_group_ids(Some(vpc.security_group_ids.clone()))
                    .set_subnets(Some(vpc.subnets.clone()))
                    .build(),
            );
        }
        // A role created in the same `up` may not be assumable for seconds.
        let clock = RequestClock::start();
        let arn = retry_while_pending(
            ctx,
            "creating model",
            IAM_PROPAGATION_WINDOW,
            role_not_assumable_yet,
            || {
                let request = request.clone();
                let name = &name;
                async move {
                    let created = request
                        .send()
                        .await
                        .aws(Service::SageMaker, "CreateModel")
                        .map(|created| created.model_arn().unwrap_or_default().to_owned());
                    create_or_find(clock, created, || find_model(ctx, name)).await
                }
            },
        )
        .await?;
        Ok(Created {
            id: name.clone(),
            outputs: ModelOutputs {
                inputs: ModelInputs {
                    model_name: Some(name),
                    ..inputs.clone()
                },
                arn,
            },
        })
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &ModelOutputs,
    ) -> Result<ReadOutcome<ModelInputs, ModelOutputs>> {
        // Models are immutable: existence is all that can drift. Rebuilding
        // the inputs from DescribeModel would report differences in form
        // only (subnet order, defaults), and a diff on them would replace
        // the model under the same content-hashed name.
        let found = ctx
            .clients
            .sagemaker
            .describe_model()
            .model_name(id)
            .send()
            .await
            .aws(Service::SageMaker, "DescribeModel")
            .or_gone()?;
        Ok(match found {
            None => ReadOutcome::Gone,
            Some(_) => ReadOutcome::Found {
                id: id.to_owned(),
                inputs: outputs.inputs.clone(),
                outputs: outputs.clone(),
            },
        })
    }

    /// Rebuilds the model from DescribeModel, named by its name, with its
    /// tags (the provider's default tags left out). Only single-container
    /// models can be imported.
    async fn import(
        &self,
        ctx: &Context,
        id: &str,
    ) -> Result<ReadOutcome<ModelInputs, ModelOutputs>> {
        let Some(found) = ctx
            .clients
            .sagemaker
            .describe_model()
            .model_name(id)
            .send()
            .await
            .aws(Service::SageMaker, "DescribeModel")
            .or_gone()?
        else {
            return Ok(ReadOutcome::Gone);
        };
        let Some(container) = found
            .primary_container()
            .filter(|_| found.containers().is_empty())
        else {
            return Err(ProviderError::failed(format!(
                "model {id} has {} containers; {} manages models with one primary container",
                found.containers().len(),
                Self::TOKEN
            )));
        };
        let arn = found.model_arn().unwrap_or_default().to_owned();
        let inputs = ModelInputs {
            name_prefix: String::new(),
            execution_role_arn: Output::new(
                found.execution_role_arn().unwrap_or_default().to_owned(),
            ),
            image: container.image().unwrap_or_default().to_owned(),
            model_data_url: container
                .model_data_url()
                .map(|url| Output::new(url.to_owned())),
            model_data_hash: None,
            environment: Output::new(
                container
                    .environment()
                    .map(|variables| variables.clone().into_iter().collect())
                    .unwrap_or_default(),
            ),
            // A VpcConfig has 1-16 subnets and 1-5 security groups (API
            // Reference, VpcConfig): an empty one stands for none.
            vpc_config: found
                .vpc_config()
                .filter(|vpc| !vpc.subnets().is_empty() || !vpc.security_group_ids().is_empty())
                .map(|vpc| VpcConfig {
                    security_group_ids: vpc.security_group_ids().to_vec(),
                    subnets: vpc.subnets().to_vec(),
                }),
            enable_network_isolation: found.enable_network_isolation().unwrap_or(false),
            tags: ctx.clients.own_tags(super::live_tags(ctx, &arn).await?),
            model_name: Some(found.model_name().unwrap_or(id).to_owned()),
        };
        Ok(ReadOutcome::Found {
            id: id.to_owned(),
            outputs: ModelOutputs {
                inputs: inputs.clone(),
                arn,
            },
            inputs,
        })
    }

    async fn update(
        &self,
        ctx: &Context,
        _id: &str,
        olds: &ModelOutputs,
        news: &ModelInputs,
    ) -> Result<ModelOutputs> {
        // Only the tags are updatable; everything else stays as created.
        super::retag(ctx, &olds.arn, &olds.inputs.tags, &news.tags).await?;
        let mut outputs = olds.clone();
        outputs.inputs.tags = news.tags.clone();
        Ok(outputs)
    }

    async fn delete(&self, ctx: &Context, id: &str, _outputs: &ModelOutputs) -> Result<()> {
        ctx.clients
            .sagemaker
            .delete_model()
            .model_name(id)
            .send()
            .await
            .aws(Service::SageMaker, "DeleteModel")
            .or_gone()?;
        Ok(())
    }
}

/// The model named `name` and when it was created, if it exists.
async fn find_model(
    ctx: &Context,
    name: &str,
) -> std::result::Result<Option<(String, SystemTime)>, AwsError> {
    let found = ctx
        .clients
        .sagemaker
        .describe_model()
        .model_name(name)
        .send()
        .await
        .aws(Service::SageMaker, "DescribeModel")
        .or_gone()?;
    Ok(found.map(|model| {
        (
            model.model_arn().unwrap_or_default().to_owned(),
            system_time(model.creation_time()),
        )
    }))
}

#[cfg(test)]
pub(super) mod tests {
    use aws_sdk_sagemaker::Client;
    use aws_sdk_sagemaker::error::ErrorMetadata;
    use aws_sdk_sagemaker::operation::add_tags::AddTagsOutput;
    use aws_sdk_sagemaker::operation::create_model::{CreateModelError, CreateModelOutput};
    use aws_sdk_sagemaker::operation::delete_tags::DeleteTagsOutput;
    use aws_sdk_sagemaker::operation::describe_model::{DescribeModelError, DescribeModelOutput};
    use aws_sdk_sagemaker::operation::list_tags::ListTagsOutput;
    use aws_sdk_sagemaker::types::Tag;
    use aws_smithy_mocks::{Rule, mock};

    use super::*;
    use crate::aws::scripted_aws::{Answer, ScriptedAws};
    use crate::resources::mock::{context_with, mock_context_tagged};
    use framework::wire::PropertyValue;
    use framework::{CustomResource, DiffOutcome, FieldChange, Registry, encode_plain};

    /// A context whose SageMaker client answers with `rules` only, and
    /// whose provider adds the default tag `team=ml`.
    pub(in crate::resources::sagemaker) async fn context(rules: &[&Rule]) -> Context {
        mock_context_tagged::<Model>(rules, [("team".to_owned(), "ml".to_owned())].into()).await
    }

    /// "Not found", as SageMaker says it.
    pub(in crate::resources::sagemaker) fn could_not_find(what: &str) -> ErrorMetadata {
        ErrorMetadata::builder()
            .code("ValidationException")
            .message(format!("Could not find {what}."))
            .build()
    }

    /// The engine's diff between two sets of inputs, each checked first
    /// (so computed names are filled in as the engine records them).
    pub(in crate::resources::sagemaker) fn checked_diff<R: CustomResource>(
        resource: R,
        olds: &R::Inputs,
        news: &R::Inputs,
    ) -> DiffOutcome {
        let registry = Registry::builder().resource(resource).build();
        let erased = registry.resource(R::TOKEN).unwrap();
        let (olds, failures) = erased.check(&encode_plain(olds).unwrap(), None);
        assert!(failures.is_empty(), "{failures:?}");
        let (news, failures) = erased.check(&encode_plain(news).unwrap(), None);
        assert!(failures.is_empty(), "{failures:?}");
        erased.diff(&olds, &news)
    }

    /// A tag change that the engine must apply in place.
    pub(in crate::resources::sagemaker) fn tags_updated_in_place() -> Vec<FieldChange> {
        vec![FieldChange {
            field: "tags".into(),
            replace: false,
        }]
    }

    /// SageMaker's refusal of a second model of the same name.
    const ALREADY_EXISTS: &str = r#"{"__type":"ValidationException","message":"Cannot create already existing model \"arn:aws:sagemaker:us-east-1:123456789012:model/fraud\"."}"#;

    /// A stand-in SageMaker whose first CreateModel is applied but loses its
    /// answer, and whose DescribeModel shows a model created `age_seconds` ago.
    async fn losing_the_first_answer(age_seconds: f64) -> ScriptedAws {
        let creates = std::sync::atomic::AtomicUsize::new(0);
        ScriptedAws::start(move |operation, _| match operation {
            "CreateModel" if creates.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 => {
                Answer::Drop
            }
            "CreateModel" => Answer::Json(400, ALREADY_EXISTS.into()),
            "DescribeModel" => {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_secs_f64();
                Answer::Json(
                    200,
                    format!(
                        r#"{{"ModelName":"fraud","ModelArn":"arn:aws:sagemaker:us-east-1:123456789012:model/found","CreationTime":{}}}"#,
                        now - age_seconds
                    ),
                )
            }
            other => Answer::Json(400, format!(r#"{{"__type":"Unexpected","message":"{other}"}}"#)),
        })
        .await
    }

    fn without_model_data() -> ModelInputs {
        ModelInputs {
            model_data_url: None,
            ..inputs()
        }
    }

    #[tokio::test]
    async fn a_create_whose_answer_was_lost_records_the_model_it_made() {
        let aws = losing_the_first_answer(0.0).await;
        let ctx = context_with::<Model>(aws.clients(3).await);
        let created = Model.create(&ctx, &without_model_data()).await.unwrap();
        assert_eq!(
            created.outputs.arn,
            "arn:aws:sagemaker:us-east-1:123456789012:model/found"
        );
        assert_eq!(created.id, without_model_data().name());
        assert_eq!(aws.calls(), ["CreateModel", "CreateModel", "DescribeModel"]);
    }

    #[tokio::test]
    async fn an_older_model_of_the_same_name_is_not_taken_for_the_one_created() {
        let aws = losing_the_first_answer(86_400.0).await;
        let ctx = context_with::<Model>(aws.clients(3).await);
        let error = Model
            .create(&ctx, &without_model_data())
            .await
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("sagemaker CreateModel failed after 2 attempts: Cannot create already existing model"),
            "{error}"
        );
    }

    fn inputs() -> ModelInputs {
        ModelInputs {
            name_prefix: "fraud-model".into(),
            execution_role_arn: "arn:aws:iam::123456789012:role/sagemaker".into(),
            image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1".into(),
            model_data_url: Some("s3://artifacts/fraud/model.tar.gz".into()),
            model_data_hash: None,
            environment: Output::new([("MODE".to_owned(), "fast".to_owned())].into()),
            vpc_config: Some(VpcConfig {
                security_group_ids: vec!["sg-1".into()],
                subnets: vec!["subnet-a".into(), "subnet-b".into()],
            }),
            enable_network_isolation: true,
            tags: [("env".to_owned(), "dev".to_owned())].into(),
            model_name: None,
        }
    }

    fn created() -> ModelOutputs {
        let inputs = inputs();
        ModelOutputs {
            inputs: ModelInputs {
                model_name: Some(inputs.derived_name()),
                ..inputs
            },
            arn: "arn:aws:sagemaker:us-east-1:123456789012:model/fraud-model-x".into(),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn create_waits_for_a_new_role_to_become_assumable() {
        let not_yet = || {
            CreateModelError::generic(
                ErrorMetadata::builder()
                    .code("ValidationException")
                    .message(
                        "The execution role ARN \"arn:aws:iam::123456789012:role/sagemaker\" \
                         is invalid. Please ensure that the role exists and that its trust \
                         relationship policy allows the action \"sts:AssumeRole\" for the \
                         service principal \"sagemaker.amazonaws.com\".",
                    )
                    .build(),
            )
        };
        let create = mock!(Client::create_model)
            .sequence()
            .error(not_yet)
            .times(2)
            .output(|| {
                CreateModelOutput::builder()
                    .model_arn("arn:aws:sagemaker:us-east-1:123456789012:model/fraud-model-x")
                    .build()
            })
            .build();
        let artifact = mock!(aws_sdk_s3::Client::head_object).then_output(|| {
            aws_sdk_s3::operation::head_object::HeadObjectOutput::builder()
                .content_length(3)
                .build()
        });
        let ctx = context(&[&artifact, &create]).await;
        let created = Model.create(&ctx, &inputs()).await.unwrap();
        assert_eq!(create.num_calls(), 3);
        assert_eq!(
            created.outputs.arn,
            "arn:aws:sagemaker:us-east-1:123456789012:model/fraud-model-x"
        );
    }

    #[tokio::test]
    async fn an_image_from_another_region_fails_the_configured_check() {
        let clients = &context(&[]).await.clients;
        assert!(Model.check_configured(&inputs(), clients).is_empty());
        let elsewhere = ModelInputs {
            image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/xgboost:1".into(),
            ..inputs()
        };
        let failures = Model.check_configured(&elsewhere, clients).into_vec();
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].property, "image");
        assert!(
            failures[0].reason.contains("eu-west-1") && failures[0].reason.contains("us-east-1"),
            "{}",
            failures[0].reason
        );
    }

    /// The engine's preview diff of a recorded model against inputs whose
    /// field `field` holds a value not known yet (`unknown`).
    fn preview_diff_with_unknown(field: &str, unknown: PropertyValue) -> DiffOutcome {
        let registry = Registry::builder().resource(Model).build();
        let erased = registry.resource(Model::TOKEN).unwrap();
        let (olds, failures) = erased.check(&encode_plain(&inputs()).unwrap(), None);
        assert!(failures.is_empty(), "{failures:?}");
        let mut news = encode_plain(&inputs()).unwrap();
        news.insert(field.to_owned(), unknown);
        let (news, _) = erased.check(&news, None);
        erased.diff(&olds, &news)
    }

    #[test]
    fn tags_not_known_at_preview_retag_the_model_without_replacing_it() {
        use framework::wire::UnknownKind;
        // A tag value from another resource's output, and the whole map.
        let one_unknown = PropertyValue::Object(
            [(
                "env".to_owned(),
                PropertyValue::Unknown(UnknownKind::Generic),
            )]
            .into_iter()
            .collect(),
        );
        for tags in [one_unknown, PropertyValue::Unknown(UnknownKind::Generic)] {
            let outcome = preview_diff_with_unknown("tags", tags);
            assert_eq!(outcome.changes, tags_updated_in_place(), "{outcome:?}");
        }
    }

    #[test]
    fn content_not_known_at_preview_may_replace_the_model() {
        use framework::wire::UnknownKind;
        // The image or the artifact's digest decide the name: a value not
        // known yet may be another model.
        let unknown = PropertyValue::Unknown(UnknownKind::Generic);
        for field in ["image", "modelDataHash"] {
            let outcome = preview_diff_with_unknown(field, unknown.clone());
            assert!(outcome.replaces(), "{field}: {outcome:?}");
            assert!(
                outcome
                    .changes
                    .iter()
                    .any(|c| c.field == "modelName" && c.replace),
                "{field}: {outcome:?}"
            );
        }
    }

    #[test]
    fn the_name_hashes_the_content_but_not_the_tags() {
        let a = inputs();
        let retagged = ModelInputs {
            tags: [("env".to_owned(), "prod".to_owned())].into(),
            ..a.clone()
        };
        let new_image = ModelInputs {
            image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:2".into(),
            ..a.clone()
        };
        assert_eq!(a.derived_name(), retagged.derived_name());
        assert_ne!(a.derived_name(), new_image.derived_name());
        assert!(a.derived_name().starts_with("fraud-model-"));
        assert!(a.derived_name().len() <= 63);
    }

    #[test]
    fn a_tag_change_updates_in_place_and_a_content_change_replaces() {
        let retagged = ModelInputs {
            tags: Tags::new(),
            ..inputs()
        };
        assert_eq!(
            checked_diff(Model, &inputs(), &retagged).changes,
            tags_updated_in_place()
        );
        let new_image = ModelInputs {
            image: "other:2".into(),
            ..inputs()
        };
        let changes = checked_diff(Model, &inputs(), &new_image).changes;
        assert!(changes.iter().any(|c| c.field == "image" && c.replace));
        assert!(changes.iter().any(|c| c.field == "modelName" && c.replace));
    }

    #[test]
    fn check_still_catches_bad_inputs() {
        assert!(Model.check(&inputs()).is_empty());
        let bad = ModelInputs {
            name_prefix: "-bad".into(),
            image: String::new(),
            model_data_url: Some("https://example.com/model.tar.gz".into()),
            vpc_config: Some(VpcConfig {
                security_group_ids: Vec::new(),
                subnets: (0..17).map(|i| format!("subnet-{i}")).collect(),
            }),
            ..inputs()
        };
        let properties: Vec<String> = Model
            .check(&bad)
            .0
            .iter()
            .map(|f| f.property.clone())
            .collect();
        assert_eq!(
            properties,
            [
                "namePrefix",
                "image",
                "modelDataUrl",
                "vpcConfig.securityGroupIds",
                "vpcConfig.subnets"
            ]
        );
    }

    #[tokio::test]
    async fn read_reports_existence_and_keeps_the_recorded_inputs() {
        // SageMaker lists the subnets in another order and adds a variable:
        // differences in form only, which must not cause a replacement.
        let describe = mock!(Client::describe_model).then_output(|| {
            DescribeModelOutput::builder()
                .model_name("fraud-model-x")
                .vpc_config(
                    SdkVpcConfig::builder()
                        .security_group_ids("sg-1")
                        .subnets("subnet-b")
                        .subnets("subnet-a")
                        .build(),
                )
                .primary_container(
                    ContainerDefinition::builder()
                        .image("other")
                        .environment("EXTRA", "1")
                        .build(),
                )
                .build()
        });
        let ctx = context(&[&describe]).await;
        let recorded = created();
        let id = recorded.inputs.model_name.clone().unwrap();
        match Model.read(&ctx, &id, &recorded).await.unwrap() {
            ReadOutcome::Found {
                id: found,
                inputs,
                outputs,
            } => {
                assert_eq!(found, id);
                assert_eq!(inputs, recorded.inputs);
                assert_eq!(outputs, recorded);
            }
            ReadOutcome::Gone => panic!("the model exists"),
        }
    }

    fn named(name: &str) -> ModelInputs {
        ModelInputs {
            name_prefix: String::new(),
            model_name: Some(name.into()),
            ..inputs()
        }
    }

    #[test]
    fn a_model_is_named_by_its_prefix_or_by_hand_never_both() {
        let registry = Registry::builder().resource(Model).build();
        let erased = registry.resource(Model::TOKEN).unwrap();
        // A name given is kept, not replaced by the generated one.
        let (checked, failures) = erased.check(&encode_plain(&named("fraud-v1")).unwrap(), None);
        assert!(failures.is_empty(), "{failures:?}");
        assert_eq!(checked["modelName"], "fraud-v1".into());

        let both = ModelInputs {
            model_name: Some("fraud-v1".into()),
            ..inputs()
        };
        let neither = ModelInputs {
            name_prefix: String::new(),
            ..inputs()
        };
        let bad_name = named("fraud_v1");
        let failed = |inputs: &ModelInputs| -> Vec<(String, String)> {
            Model
                .check(inputs)
                .0
                .into_iter()
                .map(|f| (f.property, f.reason))
                .collect()
        };
        assert_eq!(
            failed(&both),
            [(
                "namePrefix".to_owned(),
                "must not be set with modelName: the name is given, not generated".to_owned()
            )]
        );
        assert_eq!(failed(&neither)[0].0, "namePrefix");
        assert!(failed(&neither)[0].1.contains("or else modelName"));
        assert_eq!(failed(&bad_name)[0].0, "modelName");
    }

    #[test]
    fn a_model_named_by_hand_keeps_its_content_and_says_what_changed() {
        let new_environment = ModelInputs {
            environment: Output::new([("MODE".to_owned(), "slow".to_owned())].into()),
            ..named("fraud-v1")
        };
        let failures = Model.check_change(&named("fraud-v1"), &new_environment).0;
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].property, "modelName");
        assert!(
            failures[0]
                .reason
                .contains("model fraud-v1 would keep its name while its environment changed"),
            "{}",
            failures[0].reason
        );
        // New tags, or new content under a new name, are fine.
        let retagged = ModelInputs {
            tags: Tags::new(),
            ..named("fraud-v1")
        };
        assert!(Model.check_change(&named("fraud-v1"), &retagged).is_empty());
        let renamed = ModelInputs {
            model_name: Some("fraud-v2".into()),
            ..new_environment
        };
        assert!(Model.check_change(&named("fraud-v1"), &renamed).is_empty());
        // A generated name follows the content: never refused.
        let recorded = created().inputs;
        let new_image = ModelInputs {
            image: "other:2".into(),
            model_name: Some(
                ModelInputs {
                    image: "other:2".into(),
                    ..inputs()
                }
                .derived_name(),
            ),
            ..inputs()
        };
        assert!(Model.check_change(&recorded, &new_image).is_empty());
    }

    #[tokio::test]
    async fn import_rebuilds_the_inputs_from_the_live_model() {
        let arn = "arn:aws:sagemaker:us-east-1:123456789012:model/fraud-v1";
        let describe = mock!(Client::describe_model)
            .match_requests(|req| req.model_name() == Some("fraud-v1"))
            .then_output(move || {
                DescribeModelOutput::builder()
                    .model_name("fraud-v1")
                    .model_arn(arn)
                    .execution_role_arn("arn:aws:iam::123456789012:role/sagemaker")
                    .primary_container(
                        ContainerDefinition::builder()
                            .image("123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1")
                            .model_data_url("s3://artifacts/fraud/model.tar.gz")
                            .environment("MODE", "fast")
                            .build(),
                    )
                    // An empty VpcConfig, as some SDKs and emulators show
                    // "none": no VPC.
                    .vpc_config(SdkVpcConfig::builder().build())
                    .enable_network_isolation(true)
                    .build()
            });
        let tags = mock!(Client::list_tags)
            .match_requests(move |req| req.resource_arn() == Some(arn))
            .then_output(|| {
                ListTagsOutput::builder()
                    .tags(Tag::builder().key("team").value("ml").build())
                    .tags(Tag::builder().key("env").value("dev").build())
                    .build()
            });
        let ctx = context(&[&describe, &tags]).await;
        let ReadOutcome::Found {
            id,
            inputs: imported,
            outputs,
        } = Model.import(&ctx, "fraud-v1").await.unwrap()
        else {
            panic!("the model exists");
        };
        let expected = ModelInputs {
            vpc_config: None,
            // The provider's default tag team=ml is left out.
            tags: [("env".to_owned(), "dev".to_owned())].into(),
            ..named("fraud-v1")
        };
        assert_eq!((id.as_str(), &imported), ("fraud-v1", &expected));
        assert_eq!(outputs.arn, arn);
    }

    #[tokio::test]
    async fn import_of_a_missing_model_finds_it_gone() {
        let describe = mock!(Client::describe_model)
            .then_error(|| DescribeModelError::generic(could_not_find("model \"nope\"")));
        let ctx = context(&[&describe]).await;
        assert!(matches!(
            Model.import(&ctx, "nope").await.unwrap(),
            ReadOutcome::Gone
        ));
    }

    #[tokio::test]
    async fn create_refuses_model_data_that_is_not_in_s3_before_calling_sagemaker() {
        use aws_sdk_s3::operation::head_object::{HeadObjectError, HeadObjectOutput};
        let missing = mock!(aws_sdk_s3::Client::head_object)
            .match_requests(|req| {
                req.bucket() == Some("artifacts") && req.key() == Some("fraud/model.tar.gz")
            })
            .then_error(|| {
                HeadObjectError::generic(
                    aws_sdk_s3::error::ErrorMetadata::builder()
                        .code("NotFound")
                        .build(),
                )
            });
        let create = mock!(Client::create_model).then_output(|| {
            CreateModelOutput::builder()
                .model_arn("arn:aws:sagemaker:us-east-1:123456789012:model/m")
                .build()
        });
        let ctx = context(&[&missing, &create]).await;
        let error = Model.create(&ctx, &inputs()).await.unwrap_err().to_string();
        assert!(
            error.contains("model data s3://artifacts/fraud/model.tar.gz does not exist"),
            "{error}"
        );
        assert_eq!(create.num_calls(), 0);

        let present = mock!(aws_sdk_s3::Client::head_object)
            .then_output(|| HeadObjectOutput::builder().content_length(3).build());
        let create = mock!(Client::create_model).then_output(|| {
            CreateModelOutput::builder()
                .model_arn("arn:aws:sagemaker:us-east-1:123456789012:model/m")
                .build()
        });
        let ctx = context(&[&present, &create]).await;
        let created = Model.create(&ctx, &inputs()).await.unwrap();
        assert_eq!(create.num_calls(), 1);
        assert_eq!(created.id, inputs().derived_name());
    }

    #[tokio::test]
    async fn new_content_at_the_same_url_is_a_new_model() {
        let v1 = ModelInputs {
            model_data_hash: Some("aaaa".into()),
            ..inputs()
        };
        let v2 = ModelInputs {
            model_data_hash: Some("bbbb".into()),
            ..inputs()
        };
        assert_ne!(v1.derived_name(), v2.derived_name());
        // Models without a hash keep the names they had.
        assert_ne!(inputs().derived_name(), v1.derived_name());
        let changes = checked_diff(Model, &v1, &v2).changes;
        assert!(
            changes
                .iter()
                .any(|c| c.field == "modelDataHash" && c.replace)
        );
    }

    #[tokio::test]
    async fn a_secret_environment_reaches_sagemaker_and_stays_secret() {
        use framework::wire::PropertyValue;
        let create = mock!(Client::create_model)
            .match_requests(|req| {
                let environment = req.primary_container().and_then(|c| c.environment());
                environment
                    .and_then(|e| e.get("API_KEY"))
                    .map(String::as_str)
                    == Some("sk-live-1234")
            })
            .then_output(|| {
                CreateModelOutput::builder()
                    .model_arn("arn:aws:sagemaker:us-east-1:123456789012:model/m")
                    .build()
            });
        let artifact = mock!(aws_sdk_s3::Client::head_object).then_output(|| {
            aws_sdk_s3::operation::head_object::HeadObjectOutput::builder()
                .content_length(3)
                .build()
        });
        let ctx = context(&[&artifact, &create]).await;
        let registry = Registry::builder().resource(Model).build();
        let erased = registry.resource(Model::TOKEN).unwrap();
        let mut news = encode_plain(&inputs()).unwrap();
        let environment = [("API_KEY".to_owned(), PropertyValue::from("sk-live-1234"))];
        news.insert(
            "environment".into(),
            PropertyValue::Object(environment.into()).into_secret(),
        );
        let (checked, failures) = erased.check(&news, None);
        assert!(failures.is_empty(), "{failures:?}");
        let (_, outputs) = erased.create(&ctx, &checked).await.unwrap();
        assert_eq!(create.num_calls(), 1);
        assert!(
            outputs["environment"].is_secret(),
            "{:?}",
            outputs["environment"]
        );
        assert!(!outputs["arn"].is_secret());
    }

    #[test]
    fn marking_a_variable_secret_keeps_the_model_name() {
        let plain = inputs();
        let secret = ModelInputs {
            environment: plain.environment.clone().into_secret(),
            ..plain.clone()
        };
        assert_eq!(plain.derived_name(), secret.derived_name());
    }

    #[tokio::test]
    async fn read_reports_a_deleted_model_as_gone() {
        let describe = mock!(Client::describe_model)
            .then_error(|| DescribeModelError::generic(could_not_find("model \"fraud-model-x\"")));
        let ctx = context(&[&describe]).await;
        let outcome = Model.read(&ctx, "fraud-model-x", &created()).await.unwrap();
        assert!(matches!(outcome, ReadOutcome::Gone));
    }

    #[tokio::test]
    async fn read_fails_on_other_errors() {
        let describe = mock!(Client::describe_model).then_error(|| {
            DescribeModelError::generic(
                ErrorMetadata::builder()
                    .code("AccessDeniedException")
                    .message("not allowed")
                    .build(),
            )
        });
        let ctx = context(&[&describe]).await;
        let error = Model
            .read(&ctx, "fraud-model-x", &created())
            .await
            .unwrap_err();
        assert!(error.to_string().contains("not allowed"), "{error}");
    }

    #[tokio::test]
    async fn update_retags_the_model_by_arn() {
        let arn = created().arn;
        let delete = mock!(Client::delete_tags)
            .match_requests({
                let arn = arn.clone();
                move |req| req.resource_arn() == Some(arn.as_str()) && req.tag_keys() == ["env"]
            })
            .then_output(|| DeleteTagsOutput::builder().build());
        let add = mock!(Client::add_tags)
            .match_requests({
                let arn = arn.clone();
                move |req| {
                    let tags: Vec<(Option<&str>, Option<&str>)> =
                        req.tags().iter().map(|t| (t.key(), t.value())).collect();
                    req.resource_arn() == Some(arn.as_str())
                        && tags
                            == [
                                (Some("owner"), Some("fraud-team")),
                                (Some("team"), Some("ml")),
                            ]
                }
            })
            .then_output(|| AddTagsOutput::builder().build());
        let ctx = context(&[&delete, &add]).await;
        let olds = created();
        let news = ModelInputs {
            tags: [("owner".to_owned(), "fraud-team".to_owned())].into(),
            ..olds.inputs.clone()
        };
        let outputs = Model
            .update(&ctx, "fraud-model-x", &olds, &news)
            .await
            .unwrap();
        assert_eq!(delete.num_calls(), 1);
        assert_eq!(add.num_calls(), 1);
        assert_eq!(outputs.inputs.tags, news.tags);
        assert_eq!(outputs.inputs.model_name, olds.inputs.model_name);
        assert_eq!(outputs.arn, olds.arn);
    }

    #[tokio::test]
    async fn removing_a_tag_the_provider_defaults_keeps_the_default() {
        let delete = mock!(Client::delete_tags).then_output(|| DeleteTagsOutput::builder().build());
        let add = mock!(Client::add_tags)
            .match_requests(|req| {
                req.tags().len() == 1
                    && req.tags()[0].key() == Some("team")
                    && req.tags()[0].value() == Some("ml")
            })
            .then_output(|| AddTagsOutput::builder().build());
        let ctx = context(&[&delete, &add]).await;
        let olds = Tags::from([("team".to_owned(), "fraud".to_owned())]);
        super::super::retag(&ctx, "arn:model", &olds, &Tags::new())
            .await
            .unwrap();
        assert_eq!(delete.num_calls(), 0);
        assert_eq!(add.num_calls(), 1);
    }
}

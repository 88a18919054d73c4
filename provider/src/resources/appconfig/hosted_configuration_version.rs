//! `sagemaker-deployment:appconfig:HostedConfigurationVersion`: one
//! immutable version of a hosted profile's data, e.g. a model's parameters.
//!
//! Every input replaces the version, so an unchanged document makes no new
//! version (diff compares the recorded inputs, without calling AWS) and a
//! changed one makes exactly one. The version replaced is deleted once the
//! update is over (after the new version's deployment completed, since the
//! engine deletes replaced objects last): a profile with versions left
//! cannot be deleted (`DeleteConfigurationProfile` refuses), and the
//! deployment history keeps what was served; AppConfig keeps serving a
//! deployed version's data after it is deleted from the hosted store.

use async_trait::async_trait;
use aws_smithy_types::Blob;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::lost_creates::{CreationToken, Sibling, made_for, settle};
use crate::Context;
use crate::aws::{AttemptLog, OrGone, ResultExt, Service};
use framework::Result;
use framework::{Created, CustomResource, Failures, Output, ReadOutcome};

/// The content type of JSON data.
pub const JSON: &str = "application/json";

/// Largest hosted configuration (AWS AppConfig quotas, "Maximum size of a
/// configuration stored in the hosted configuration store": 2 MB by default).
pub const MAX_CONTENT_BYTES: usize = 2 * 1024 * 1024;

fn json_content_type() -> String {
    JSON.to_owned()
}

/// A version of a hosted configuration profile's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HostedConfigurationVersionInputs {
    /// Id of the application.
    pub application_id: Output<String>,
    /// Id of the hosted configuration profile.
    pub configuration_profile_id: Output<String>,
    /// The data, as text (JSON for `application/json`, kept byte for byte:
    /// key order included).
    pub content: String,
    /// The data's media type; `application/json` by default.
    #[serde(default = "json_content_type")]
    pub content_type: String,
    /// A description of the version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The version as created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HostedConfigurationVersionOutputs {
    /// The inputs the version was created with.
    #[serde(flatten)]
    pub inputs: HostedConfigurationVersionInputs,
    /// The version number AppConfig gave it (1, 2, ...), as text: what
    /// StartDeployment's `ConfigurationVersion` takes.
    pub version_number: String,
    /// SHA-256 of the content, hex.
    pub content_hash: String,
}

/// The hosted configuration version resource.
pub struct HostedConfigurationVersion;

/// SHA-256 of `content`, hex.
pub fn content_hash(content: &str) -> String {
    hex::encode(Sha256::digest(content.as_bytes()))
}

/// The start of the label a version is created with, followed by the
/// create's token (API reference, CreateHostedConfigurationVersion
/// `VersionLabel`: 1-64 characters, at least one not a digit).
pub const LABEL_PREFIX: &str = "created-";

/// The versions of `profile` labelled `label` (made by one create), oldest
/// first.
async fn labelled(
    ctx: &Context,
    application: &str,
    profile: &str,
    label: &str,
) -> Result<Vec<Sibling>> {
    let numbers = versions_labelled(ctx, application, profile, |found| found == label).await?;
    Ok(numbers
        .into_iter()
        .map(|number| Sibling {
            id: number.to_string(),
            arn: String::new(),
        })
        .collect())
}

/// The numbers of the hosted versions of `profile` whose label `keep`
/// accepts, oldest first.
pub(super) async fn versions_labelled(
    ctx: &Context,
    application: &str,
    profile: &str,
    keep: impl Fn(&str) -> bool,
) -> Result<Vec<i32>> {
    let mut numbers = Vec::new();
    let mut pages = ctx
        .clients
        .appconfig
        .list_hosted_configuration_versions()
        .application_id(application)
        .configuration_profile_id(profile)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.aws(Service::AppConfig, "ListHostedConfigurationVersions")?;
        numbers.extend(
            page.items()
                .iter()
                .filter(|v| v.version_label().is_some_and(&keep))
                .map(|v| v.version_number()),
        );
    }
    numbers.sort_unstable();
    Ok(numbers)
}

#[async_trait]
impl CustomResource for HostedConfigurationVersion {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:awsappconfig:HostedConfigurationVersion";

    type Inputs = HostedConfigurationVersionInputs;
    type Outputs = HostedConfigurationVersionOutputs;

    fn check(&self, inputs: &HostedConfigurationVersionInputs) -> Failures {
        let mut failures = Failures::new();
        failures.require(
            inputs.content.len() <= MAX_CONTENT_BYTES,
            "content",
            format!(
                "AppConfig hosts at most {MAX_CONTENT_BYTES} bytes, got {}",
                inputs.content.len()
            ),
        );
        if inputs.content_type == JSON
            && let Err(error) = serde_json::from_str::<serde_json::Value>(&inputs.content)
        {
            failures.push("content", format!("not JSON ({JSON}): {error}"));
        }
        failures
    }

    async fn create(
        &self,
        ctx: &Context,
        inputs: &HostedConfigurationVersionInputs,
    ) -> Result<Created<HostedConfigurationVersionOutputs>> {
        let application = inputs.application_id.as_str();
        let profile = inputs.configuration_profile_id.as_str();
        // Versions take no tags: the token is the version's label.
        let label = format!("{LABEL_PREFIX}{}", CreationToken::new(&ctx.urn).value());
        let log = AttemptLog::default();
        let created = ctx
            .clients
            .appconfig
            .create_hosted_configuration_version()
            .application_id(application)
            .configuration_profile_id(profile)
            .content(Blob::new(inputs.content.as_bytes()))
            .content_type(&inputs.content_type)
            .set_description(inputs.description.clone())
            .version_label(&label)
            .customize()
            .interceptor(log.clone())
            .send()
            .await
            .aws(Service::AppConfig, "CreateHostedConfigurationVersion")
            .map(|created| created.version_number().to_string());
        let version = settle(
            ctx,
            "hosted configuration version",
            &log,
            created,
            || labelled(ctx, application, profile, &label),
            |number| async move {
                ctx.clients
                    .appconfig
                    .delete_hosted_configuration_version()
                    .application_id(application)
                    .configuration_profile_id(profile)
                    .version_number(number.parse::<i32>().unwrap_or_default())
                    .send()
                    .await
                    .aws(Service::AppConfig, "DeleteHostedConfigurationVersion")
                    .map(|_| ())
            },
        )
        .await?;
        ctx.info(format!(
            "hosted configuration version {version} of profile {profile} created"
        ))
        .await;
        Ok(Created {
            id: format!("{application}/{profile}/{version}"),
            outputs: HostedConfigurationVersionOutputs {
                inputs: inputs.clone(),
                version_number: version,
                content_hash: content_hash(&inputs.content),
            },
        })
    }

    /// A pending create's object, found by the id given to `pulumi refresh
    /// --import-pending-creates`: read as if the create had answered.
    /// The oldest version of the profile whose label holds a creation token
    /// made for this resource: an earlier create of it, interrupted, made it.
    async fn left_by_an_interrupted_create(
        &self,
        ctx: &Context,
        inputs: &HostedConfigurationVersionInputs,
    ) -> Result<Option<String>> {
        let application = inputs.application_id.as_str();
        let profile = inputs.configuration_profile_id.as_str();
        let made = versions_labelled(ctx, application, profile, |label| {
            label
                .strip_prefix(LABEL_PREFIX)
                .is_some_and(|token| made_for(token, &ctx.urn))
        })
        .await?;
        // The oldest is taken; the others (the same create's retries, or
        // more interrupted creates) are copies nobody records: deleted.
        let Some((&taken, copies)) = made.split_first() else {
            return Ok(None);
        };
        for &number in copies {
            let deleted = ctx
                .clients
                .appconfig
                .delete_hosted_configuration_version()
                .application_id(application)
                .configuration_profile_id(profile)
                .version_number(number)
                .send()
                .await
                .aws(Service::AppConfig, "DeleteHostedConfigurationVersion")
                .or_gone();
            match deleted {
                Ok(_) => {
                    ctx.info(format!(
                        "hosted configuration version {number} of profile {profile} was a copy \
                         made by an interrupted create of this resource; it is deleted"
                    ))
                    .await
                }
                Err(error) => {
                    ctx.warn(format!(
                        "hosted configuration version {number} of profile {profile} was a copy \
                         made by an interrupted create of this resource, and deleting it failed \
                         ({error}): delete it by hand"
                    ))
                    .await
                }
            }
        }
        Ok(Some(format!("{application}/{profile}/{taken}")))
    }

    async fn adopt(
        &self,
        ctx: &Context,
        id: &str,
        inputs: &HostedConfigurationVersionInputs,
    ) -> Result<ReadOutcome<HostedConfigurationVersionInputs, HostedConfigurationVersionOutputs>>
    {
        // The id is `<application>/<profile>/<version number>`.
        let outputs = HostedConfigurationVersionOutputs {
            inputs: inputs.clone(),
            version_number: id.rsplit('/').next().unwrap_or_default().to_owned(),
            content_hash: content_hash(&inputs.content),
        };
        self.read(ctx, id, &outputs).await
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &HostedConfigurationVersionOutputs,
    ) -> Result<ReadOutcome<HostedConfigurationVersionInputs, HostedConfigurationVersionOutputs>>
    {
        let Ok(number) = outputs.version_number.parse::<i32>() else {
            return Ok(ReadOutcome::Gone);
        };
        let Some(found) = ctx
            .clients
            .appconfig
            .get_hosted_configuration_version()
            .application_id(outputs.inputs.application_id.as_str())
            .configuration_profile_id(outputs.inputs.configuration_profile_id.as_str())
            .version_number(number)
            .send()
            .await
            .aws(Service::AppConfig, "GetHostedConfigurationVersion")
            .or_gone()?
        else {
            return Ok(ReadOutcome::Gone);
        };
        let content = found
            .content()
            .map(|blob| String::from_utf8_lossy(blob.as_ref()).into_owned())
            .unwrap_or_default();
        let inputs = HostedConfigurationVersionInputs {
            content,
            content_type: found
                .content_type()
                .map_or_else(|| outputs.inputs.content_type.clone(), str::to_owned),
            ..outputs.inputs.clone()
        };
        Ok(ReadOutcome::Found {
            id: id.to_owned(),
            outputs: HostedConfigurationVersionOutputs {
                content_hash: content_hash(&inputs.content),
                inputs: inputs.clone(),
                ..outputs.clone()
            },
            inputs,
        })
    }

    async fn delete(
        &self,
        ctx: &Context,
        _id: &str,
        outputs: &HostedConfigurationVersionOutputs,
    ) -> Result<()> {
        let Ok(number) = outputs.version_number.parse::<i32>() else {
            return Ok(());
        };
        ctx.clients
            .appconfig
            .delete_hosted_configuration_version()
            .application_id(outputs.inputs.application_id.as_str())
            .configuration_profile_id(outputs.inputs.configuration_profile_id.as_str())
            .version_number(number)
            .send()
            .await
            .aws(Service::AppConfig, "DeleteHostedConfigurationVersion")
            .or_gone()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_appconfig::Client;
    use aws_sdk_appconfig::operation::create_hosted_configuration_version::CreateHostedConfigurationVersionOutput;
    use aws_smithy_mocks::mock;

    use super::*;
    use crate::resources::mock::mock_context;
    use framework::{Registry, encode_plain};

    const PARAMETERS: &str = r#"{"threshold":0.5,"batchSize":8,"alpha":true}"#;

    fn inputs(content: &str) -> HostedConfigurationVersionInputs {
        HostedConfigurationVersionInputs {
            application_id: "abc1234".into(),
            configuration_profile_id: "prof901".into(),
            content: content.into(),
            content_type: JSON.into(),
            description: None,
        }
    }

    /// The engine's diff of a version recorded with `olds` against `news`;
    /// the registry holds no AWS client, so it cannot call AWS.
    fn diff(
        olds: &HostedConfigurationVersionInputs,
        news: &HostedConfigurationVersionInputs,
    ) -> framework::DiffOutcome {
        let registry = Registry::builder()
            .resource(HostedConfigurationVersion)
            .build();
        let erased = registry
            .resource(HostedConfigurationVersion::TOKEN)
            .unwrap();
        let recorded = HostedConfigurationVersionOutputs {
            inputs: olds.clone(),
            version_number: "1".into(),
            content_hash: content_hash(&olds.content),
        };
        erased.diff_with_state(
            &encode_plain(olds).unwrap(),
            &encode_plain(&recorded).unwrap(),
            &encode_plain(news).unwrap(),
        )
    }

    #[test]
    fn unchanged_content_is_no_change_and_new_content_one_replacement() {
        assert!(!diff(&inputs(PARAMETERS), &inputs(PARAMETERS)).has_changes());
        let changed = diff(
            &inputs(PARAMETERS),
            &inputs(r#"{"threshold":0.7,"batchSize":8,"alpha":true}"#),
        );
        assert!(changed.replaces(), "{changed:?}");
        assert!(
            !changed.delete_before_replace,
            "the new version comes first"
        );
    }

    #[tokio::test]
    async fn the_content_is_sent_byte_for_byte_as_json() {
        let create = mock!(Client::create_hosted_configuration_version)
            .match_requests(|req| {
                req.content().map(|b| b.as_ref()) == Some(PARAMETERS.as_bytes())
                    && req.content_type() == Some(JSON)
            })
            .then_output(|| {
                CreateHostedConfigurationVersionOutput::builder()
                    .version_number(3)
                    .build()
            });
        let ctx = mock_context::<HostedConfigurationVersion>(&[&create]).await;
        let created = HostedConfigurationVersion
            .create(&ctx, &inputs(PARAMETERS))
            .await
            .unwrap();
        assert_eq!(created.id, "abc1234/prof901/3");
        assert_eq!(created.outputs.version_number, "3");
        assert_eq!(created.outputs.content_hash, content_hash(PARAMETERS));
        assert_eq!(create.num_calls(), 1);
    }

    #[test]
    fn json_content_must_parse() {
        let failures: Vec<String> = HostedConfigurationVersion
            .check(&inputs("{\"threshold\": "))
            .into_vec()
            .into_iter()
            .map(|f| f.to_string())
            .collect();
        assert_eq!(failures.len(), 1);
        assert!(
            failures[0].starts_with("content: not JSON (application/json)"),
            "{failures:?}"
        );
    }

    #[tokio::test]
    async fn a_version_made_by_an_attempt_whose_answer_was_lost_is_deleted() {
        use crate::aws::scripted_aws::{Answer, ScriptedAws, header};
        use std::sync::{Arc, Mutex};
        const VERSIONS: &str =
            "/applications/abc1234/configurationprofiles/prof901/hostedconfigurationversions";
        // (number, label) of the versions made; version 1 is someone else's.
        let made = Arc::new(Mutex::new(vec![(1, "v1".to_owned())]));
        let deleted = Arc::new(Mutex::new(Vec::new()));
        let seen = deleted.clone();
        let aws = ScriptedAws::start_with_head(move |operation, head, _body| {
            let mut made = made.lock().unwrap();
            if operation == format!("POST {VERSIONS}") {
                // Version 2 is made, its answer lost; version 3 answered.
                let number = made.len() + 1;
                let label = header(head, "versionlabel").unwrap_or_default();
                made.push((number, label.to_owned()));
                return if number == 2 {
                    Answer::Drop
                } else {
                    Answer::WithHeaders(
                        201,
                        vec![("Version-Number".into(), number.to_string())],
                        String::new(),
                    )
                };
            }
            if operation == format!("GET {VERSIONS}") {
                let items: Vec<String> = made
                    .iter()
                    .map(|(n, label)| {
                        format!(r#"{{"VersionNumber":{n},"VersionLabel":"{label}"}}"#)
                    })
                    .collect();
                return Answer::Json(200, format!(r#"{{"Items":[{}]}}"#, items.join(",")));
            }
            if let Some(number) = operation.strip_prefix(&format!("DELETE {VERSIONS}/")) {
                seen.lock().unwrap().push(number.to_owned());
                return Answer::Json(204, String::new());
            }
            Answer::Json(400, format!(r#"{{"Message":"unexpected {operation}"}}"#))
        })
        .await;
        let ctx = crate::resources::mock::context_with::<HostedConfigurationVersion>(
            aws.clients(3).await,
        );
        let created = HostedConfigurationVersion
            .create(&ctx, &inputs(PARAMETERS))
            .await
            .unwrap();
        assert_eq!(created.outputs.version_number, "3");
        assert_eq!(created.id, "abc1234/prof901/3");
        // Version 2 is ours and deleted; version 1 carries another label.
        assert_eq!(*deleted.lock().unwrap(), vec!["2".to_owned()]);
    }
}

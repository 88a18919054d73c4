//! `sagemaker-deployment:iam:Role`: an IAM role with inline policies.

use std::collections::BTreeMap;

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Tags;
use crate::Context;
use crate::aws::lost_answers::{RequestClock, create_or_find, system_time};
use crate::aws::{OrGone, ResultExt, Service};
use framework::Output;
use framework::{Created, CustomResource, Failures, ReadOutcome};
use framework::{ProviderError, Result};

/// An IAM role: who may assume it, and inline policies saying what it may do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoleInputs {
    /// The role name (at most 64 characters).
    pub role_name: String,
    /// The trust policy document, as JSON.
    pub assume_role_policy: String,
    /// The role's description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Inline policies: policy name to policy document (JSON).
    #[serde(default)]
    pub inline_policies: BTreeMap<String, Output<String>>,
    /// Tags on the role.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// The role as created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoleOutputs {
    #[serde(flatten)]
    pub inputs: RoleInputs,
    /// The role ARN.
    pub arn: String,
    /// The role's unique id.
    pub role_id: String,
}

/// The IAM role resource.
pub struct Role;

/// A policy document in canonical form (sorted keys, no whitespace), so that
/// documents that mean the same compare equal.
pub fn canonical_policy(document: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(&live_text(document))
        .ok()
        .map(|value| sorted(&value).to_string())
}

/// The value with every object's keys in sorted order.
fn sorted(value: &serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            serde_json::Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted(&map[k])))
                    .collect(),
            )
        }
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.iter().map(sorted).collect())
        }
        other => other.clone(),
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        // Byte by byte: a `%` followed by anything but two hex digits (a
        // multi-byte character, say) is kept as it is.
        if bytes[i] == b'%'
            && let (Some(high), Some(low)) = (
                bytes.get(i + 1).and_then(|b| hex_digit(*b)),
                bytes.get(i + 2).and_then(|b| hex_digit(*b)),
            )
        {
            out.push(high * 16 + low);
            i += 3;
            continue;
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The value of one hexadecimal digit.
fn hex_digit(byte: u8) -> Option<u8> {
    char::from(byte)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

#[async_trait]
impl CustomResource for Role {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:iam:Role";
    const UPDATABLE: &'static [&'static str] =
        &["assumeRolePolicy", "description", "inlinePolicies", "tags"];
    const DELETE_BEFORE_REPLACE: bool = true;

    type Inputs = RoleInputs;
    type Outputs = RoleOutputs;

    fn check(&self, inputs: &RoleInputs) -> Failures {
        let mut failures = Failures::new();
        let name = &inputs.role_name;
        failures.require(
            !name.is_empty()
                && name.len() <= 64
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)),
            "roleName",
            "must be 1-64 letters, digits or `+=,.@_-`",
        );
        failures.require(
            canonical_policy(&inputs.assume_role_policy).is_some(),
            "assumeRolePolicy",
            "must be a JSON policy document",
        );
        for (policy, document) in &inputs.inline_policies {
            failures.require(
                document.get().is_none_or(|d| canonical_policy(d).is_some()),
                format!("inlinePolicies.{policy}"),
                "must be a JSON policy document",
            );
        }
        failures
    }

    async fn create(&self, ctx: &Context, inputs: &RoleInputs) -> Result<Created<RoleOutputs>> {
        let iam = &ctx.clients.iam;
        let mut request = iam
            .create_role()
            .role_name(&inputs.role_name)
            .assume_role_policy_document(&inputs.assume_role_policy);
        if !inputs.description.is_empty() {
            request = request.description(&inputs.description);
        }
        for (key, value) in ctx.clients.tags_with(&inputs.tags) {
            request = request.tags(
                aws_sdk_iam::types::Tag::builder()
                    .key(key)
                    .value(value)
                    .build()
                    .map_err(|e| ProviderError::Internal(e.to_string()))?,
            );
        }
        let clock = RequestClock::start();
        let created = request
            .send()
            .await
            .aws(Service::Iam, "CreateRole")
            .map(|created| created.role().cloned());
        let role = create_or_find(clock, created, || async {
            let found = iam
                .get_role()
                .role_name(&inputs.role_name)
                .send()
                .await
                .aws(Service::Iam, "GetRole")
                .or_gone()?;
            Ok(found.and_then(|found| found.role().cloned()).map(|role| {
                let made = system_time(Some(role.create_date()));
                (Some(role), made)
            }))
        })
        .await?
        .ok_or_else(|| ProviderError::failed("IAM CreateRole returned no role"))?;
        let outputs = RoleOutputs {
            inputs: inputs.clone(),
            arn: role.arn().to_owned(),
            role_id: role.role_id().to_owned(),
        };
        for (policy, document) in &inputs.inline_policies {
            if let Err(error) = put_policy(ctx, &inputs.role_name, policy, document.as_str()).await
            {
                return Err(ProviderError::PartialFailure {
                    id: inputs.role_name.clone(),
                    outputs: Box::new(framework::encode_plain(&outputs)?),
                    inputs: Box::new(framework::encode_plain(inputs)?),
                    reason: format!(
                        "role {} was created but policy {policy} failed: {error}",
                        inputs.role_name
                    ),
                });
            }
        }
        Ok(Created {
            id: inputs.role_name.clone(),
            outputs,
        })
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &RoleOutputs,
    ) -> Result<ReadOutcome<RoleInputs, RoleOutputs>> {
        let iam = &ctx.clients.iam;
        let found = match iam
            .get_role()
            .role_name(id)
            .send()
            .await
            .aws(Service::Iam, "GetRole")
        {
            Ok(found) => found,
            Err(error) if error.is_not_found() => return Ok(ReadOutcome::Gone),
            Err(error) => return Err(error.into()),
        };
        let Some(role) = found.role() else {
            return Ok(ReadOutcome::Gone);
        };
        let trust = role
            .assume_role_policy_document()
            .and_then(canonical_policy)
            .unwrap_or_default();
        // Only the policies this role declares: inline policies attached by
        // other resources (iam:RolePolicy) are theirs to manage.
        let mut inline_policies = BTreeMap::new();
        for (name, recorded) in &outputs.inputs.inline_policies {
            let found = iam
                .get_role_policy()
                .role_name(id)
                .policy_name(name)
                .send()
                .await
                .aws(Service::Iam, "GetRolePolicy")
                .or_gone()?;
            if let Some(policy) = found {
                let live = canonical_policy(policy.policy_document()).unwrap_or_default();
                inline_policies.insert(name.clone(), same_or_live(recorded.as_str(), live).into());
            }
        }
        let inputs = RoleInputs {
            role_name: role.role_name().to_owned(),
            assume_role_policy: same_or_live(&outputs.inputs.assume_role_policy, trust),
            description: role.description().unwrap_or_default().to_owned(),
            inline_policies,
            tags: outputs.inputs.tags.clone(),
        };
        Ok(ReadOutcome::Found {
            id: id.to_owned(),
            outputs: RoleOutputs {
                inputs: inputs.clone(),
                arn: role.arn().to_owned(),
                role_id: role.role_id().to_owned(),
            },
            inputs,
        })
    }

    /// Rebuilds the role from IAM: trust policy, description, every inline
    /// policy and the tags (the provider's default tags left out). Policy
    /// documents come back as IAM returns them: a program that declares
    /// the same documents in another layout shows them as changed.
    async fn import(
        &self,
        ctx: &Context,
        id: &str,
    ) -> Result<ReadOutcome<RoleInputs, RoleOutputs>> {
        let iam = &ctx.clients.iam;
        let Some(found) = iam
            .get_role()
            .role_name(id)
            .send()
            .await
            .aws(Service::Iam, "GetRole")
            .or_gone()?
        else {
            return Ok(ReadOutcome::Gone);
        };
        let Some(role) = found.role() else {
            return Ok(ReadOutcome::Gone);
        };
        let mut inline_policies = BTreeMap::new();
        let mut names = iam
            .list_role_policies()
            .role_name(id)
            .into_paginator()
            .items()
            .send();
        while let Some(name) = names.next().await {
            let name = name.aws(Service::Iam, "ListRolePolicies")?;
            let document = iam
                .get_role_policy()
                .role_name(id)
                .policy_name(&name)
                .send()
                .await
                .aws(Service::Iam, "GetRolePolicy")?;
            inline_policies.insert(name, live_text(document.policy_document()).into());
        }
        let mut tags = Vec::new();
        let mut pages = iam
            .list_role_tags()
            .role_name(id)
            .into_paginator()
            .items()
            .send();
        while let Some(tag) = pages.next().await {
            let tag = tag.aws(Service::Iam, "ListRoleTags")?;
            tags.push((tag.key().to_owned(), tag.value().to_owned()));
        }
        let inputs = RoleInputs {
            role_name: role.role_name().to_owned(),
            assume_role_policy: role
                .assume_role_policy_document()
                .map(live_text)
                .unwrap_or_default(),
            description: role.description().unwrap_or_default().to_owned(),
            inline_policies,
            tags: ctx.clients.own_tags(tags),
        };
        Ok(ReadOutcome::Found {
            id: inputs.role_name.clone(),
            outputs: RoleOutputs {
                inputs: inputs.clone(),
                arn: role.arn().to_owned(),
                role_id: role.role_id().to_owned(),
            },
            inputs,
        })
    }

    async fn update(
        &self,
        ctx: &Context,
        id: &str,
        olds: &RoleOutputs,
        news: &RoleInputs,
    ) -> Result<RoleOutputs> {
        let iam = &ctx.clients.iam;
        if canonical_policy(&olds.inputs.assume_role_policy)
            != canonical_policy(&news.assume_role_policy)
        {
            iam.update_assume_role_policy()
                .role_name(id)
                .policy_document(&news.assume_role_policy)
                .send()
                .await
                .aws(Service::Iam, "UpdateAssumeRolePolicy")?;
        }
        if olds.inputs.description != news.description {
            iam.update_role()
                .role_name(id)
                .description(&news.description)
                .send()
                .await
                .aws(Service::Iam, "UpdateRole")?;
        }
        // With nothing changed, the engine is resuming a create that failed
        // half-way (a policy was not put): every policy is put again.
        let resumed = olds.inputs == *news;
        for (policy, document) in &news.inline_policies {
            let old = olds.inputs.inline_policies.get(policy);
            if resumed
                || old.and_then(|d| canonical_policy(d.as_str()))
                    != canonical_policy(document.as_str())
            {
                put_policy(ctx, id, policy, document.as_str()).await?;
            }
        }
        for policy in olds.inputs.inline_policies.keys() {
            if !news.inline_policies.contains_key(policy) {
                iam.delete_role_policy()
                    .role_name(id)
                    .policy_name(policy)
                    .send()
                    .await
                    .aws(Service::Iam, "DeleteRolePolicy")
                    .or_gone()?;
            }
        }
        Ok(RoleOutputs {
            inputs: news.clone(),
            ..olds.clone()
        })
    }

    async fn delete(&self, ctx: &Context, id: &str, _outputs: &RoleOutputs) -> Result<()> {
        let iam = &ctx.clients.iam;
        let names = match iam
            .list_role_policies()
            .role_name(id)
            .send()
            .await
            .aws(Service::Iam, "ListRolePolicies")
        {
            Ok(names) => names,
            Err(error) if error.is_not_found() => return Ok(()),
            Err(error) => return Err(error.into()),
        };
        // A policy already gone (say, deleted by an attempt whose answer was
        // lost) is what deleting it asks for.
        for name in names.policy_names() {
            iam.delete_role_policy()
                .role_name(id)
                .policy_name(name)
                .send()
                .await
                .aws(Service::Iam, "DeleteRolePolicy")
                .or_gone()?;
        }
        let attached = iam
            .list_attached_role_policies()
            .role_name(id)
            .send()
            .await
            .aws(Service::Iam, "ListAttachedRolePolicies")?;
        for policy in attached.attached_policies() {
            if let Some(arn) = policy.policy_arn() {
                iam.detach_role_policy()
                    .role_name(id)
                    .policy_arn(arn)
                    .send()
                    .await
                    .aws(Service::Iam, "DetachRolePolicy")
                    .or_gone()?;
            }
        }
        iam.delete_role()
            .role_name(id)
            .send()
            .await
            .aws(Service::Iam, "DeleteRole")
            .or_gone()?;
        Ok(())
    }
}

/// A policy document as IAM returns it (URL-encoded in its API answers),
/// decoded but otherwise as written.
fn live_text(document: &str) -> String {
    if document.trim_start().starts_with('%') || document.contains("%22") {
        percent_decode(document)
    } else {
        document.to_owned()
    }
}

/// Keeps the recorded text when it means the same as the live document, so
/// that formatting alone never shows as drift.
fn same_or_live(recorded: &str, live: String) -> String {
    if canonical_policy(recorded).as_deref() == Some(live.as_str()) {
        recorded.to_owned()
    } else {
        live
    }
}

async fn put_policy(ctx: &Context, role: &str, policy: &str, document: &str) -> Result<()> {
    ctx.clients
        .iam
        .put_role_policy()
        .role_name(role)
        .policy_name(policy)
        .policy_document(document)
        .send()
        .await
        .aws(Service::Iam, "PutRolePolicy")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use aws_sdk_iam::Client;
    use aws_sdk_iam::operation::put_role_policy::PutRolePolicyOutput;
    use aws_smithy_mocks::mock;

    use super::*;
    use crate::resources::mock::mock_context;

    #[tokio::test]
    async fn a_role_whose_policy_is_gone_already_is_deleted() {
        use aws_sdk_iam::operation::delete_role::DeleteRoleOutput;
        use aws_sdk_iam::operation::delete_role_policy::DeleteRolePolicyError;
        use aws_sdk_iam::operation::list_attached_role_policies::ListAttachedRolePoliciesOutput;
        use aws_sdk_iam::operation::list_role_policies::ListRolePoliciesOutput;
        let listed = mock!(Client::list_role_policies).then_output(|| {
            ListRolePoliciesOutput::builder()
                .policy_names("read-artifacts")
                .is_truncated(false)
                .build()
                .unwrap()
        });
        // The first DeleteRolePolicy took effect but its answer was lost.
        let gone = mock!(Client::delete_role_policy).then_error(|| {
            DeleteRolePolicyError::generic(
                aws_sdk_iam::error::ErrorMetadata::builder()
                    .code("NoSuchEntity")
                    .message("The role policy with name read-artifacts cannot be found.")
                    .build(),
            )
        });
        let attached = mock!(Client::list_attached_role_policies).then_output(|| {
            ListAttachedRolePoliciesOutput::builder()
                .is_truncated(false)
                .build()
        });
        let deleted =
            mock!(Client::delete_role).then_output(|| DeleteRoleOutput::builder().build());
        let ctx = mock_context::<Role>(&[&listed, &gone, &attached, &deleted]).await;
        let recorded = RoleOutputs {
            inputs: RoleInputs {
                role_name: "exec".into(),
                assume_role_policy: "{}".into(),
                description: String::new(),
                inline_policies: Default::default(),
                tags: Tags::new(),
            },
            arn: "arn:aws:iam::123456789012:role/exec".into(),
            role_id: "AROA1".into(),
        };
        Role.delete(&ctx, "exec", &recorded).await.unwrap();
        assert_eq!(deleted.num_calls(), 1);
    }

    #[tokio::test]
    async fn an_update_with_nothing_changed_puts_every_policy_again() {
        let put = mock!(Client::put_role_policy)
            .match_requests(|req| req.policy_name() == Some("read-artifacts"))
            .then_output(|| PutRolePolicyOutput::builder().build());
        let ctx = mock_context::<Role>(&[&put]).await;
        let inputs = RoleInputs {
            role_name: "exec".into(),
            assume_role_policy: r#"{"Version":"2012-10-17","Statement":[]}"#.into(),
            description: String::new(),
            inline_policies: [(
                "read-artifacts".to_owned(),
                Output::new(r#"{"Version":"2012-10-17","Statement":[]}"#.to_owned()),
            )]
            .into(),
            tags: Tags::new(),
        };
        // A create whose policy failed recorded the role with the inputs
        // asked; the next `up` resumes it with the same inputs.
        let recorded = RoleOutputs {
            inputs: inputs.clone(),
            arn: "arn:aws:iam::123456789012:role/exec".into(),
            role_id: "AROA1".into(),
        };
        Role.update(&ctx, "exec", &recorded, &inputs).await.unwrap();
        assert_eq!(put.num_calls(), 1);
    }

    #[test]
    fn policies_compare_by_meaning_not_formatting() {
        let a = r#"{"Version": "2012-10-17", "Statement": []}"#;
        let b = r#"{"Statement":[],"Version":"2012-10-17"}"#;
        assert_eq!(canonical_policy(a), canonical_policy(b));
        assert_eq!(same_or_live(a, canonical_policy(b).unwrap()), a);
    }

    #[test]
    fn a_percent_before_a_multi_byte_character_is_not_an_escape() {
        // `%aé` and `%2é` once cut `é` (written `\u{e9}`) in two and panicked.
        for document in [
            "%a\u{e9}", "%\u{e9}", "%", "%a", "\u{e9}%", "%%22", "%2\u{e9}",
        ] {
            assert_eq!(canonical_policy(document), None, "{document}");
        }
        assert_eq!(percent_decode("%a\u{e9}%22"), "%a\u{e9}\"");
        assert_eq!(percent_decode("%C3%A9"), "\u{e9}");
    }

    #[test]
    fn url_encoded_documents_are_decoded() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%7D";
        assert_eq!(
            canonical_policy(encoded).unwrap(),
            r#"{"Version":"2012-10-17"}"#
        );
    }
}

/// An inline policy added to an existing role, e.g. by a component that
/// creates objects the role must reach (the async endpoint's SNS topics).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RolePolicyInputs {
    /// The role the policy is attached to.
    pub role_name: Output<String>,
    /// The policy name, unique within the role.
    pub policy_name: String,
    /// The policy document, as JSON.
    pub policy_document: Output<String>,
}

/// The attached policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RolePolicyOutputs {
    #[serde(flatten)]
    pub inputs: RolePolicyInputs,
}

/// The inline role policy resource; its id is `role:policy`.
pub struct RolePolicy;

#[async_trait]
impl CustomResource for RolePolicy {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:iam:RolePolicy";
    const UPDATABLE: &'static [&'static str] = &["policyDocument"];
    const DELETE_BEFORE_REPLACE: bool = true;

    type Inputs = RolePolicyInputs;
    type Outputs = RolePolicyOutputs;

    fn check(&self, inputs: &RolePolicyInputs) -> Failures {
        let mut failures = Failures::new();
        failures.require(
            !inputs.policy_name.is_empty()
                && inputs.policy_name.len() <= 128
                && inputs
                    .policy_name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)),
            "policyName",
            "must be 1-128 letters, digits or `+=,.@_-`",
        );
        failures.require(
            inputs
                .policy_document
                .get()
                .is_none_or(|d| canonical_policy(d).is_some()),
            "policyDocument",
            "must be a JSON policy document",
        );
        failures
    }

    async fn create(
        &self,
        ctx: &Context,
        inputs: &RolePolicyInputs,
    ) -> Result<Created<RolePolicyOutputs>> {
        put_policy(
            ctx,
            inputs.role_name.as_str(),
            &inputs.policy_name,
            inputs.policy_document.as_str(),
        )
        .await?;
        Ok(Created {
            id: format!("{}:{}", inputs.role_name, inputs.policy_name),
            outputs: RolePolicyOutputs {
                inputs: inputs.clone(),
            },
        })
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &RolePolicyOutputs,
    ) -> Result<ReadOutcome<RolePolicyInputs, RolePolicyOutputs>> {
        let recorded = &outputs.inputs;
        let found = ctx
            .clients
            .iam
            .get_role_policy()
            .role_name(&recorded.role_name)
            .policy_name(&recorded.policy_name)
            .send()
            .await
            .aws(Service::Iam, "GetRolePolicy")
            .or_gone()?;
        let Some(policy) = found else {
            return Ok(ReadOutcome::Gone);
        };
        let live = canonical_policy(policy.policy_document()).unwrap_or_default();
        let inputs = RolePolicyInputs {
            policy_document: same_or_live(recorded.policy_document.as_str(), live).into(),
            ..recorded.clone()
        };
        Ok(ReadOutcome::Found {
            id: id.to_owned(),
            outputs: RolePolicyOutputs {
                inputs: inputs.clone(),
            },
            inputs,
        })
    }

    async fn update(
        &self,
        ctx: &Context,
        _id: &str,
        _olds: &RolePolicyOutputs,
        news: &RolePolicyInputs,
    ) -> Result<RolePolicyOutputs> {
        put_policy(
            ctx,
            news.role_name.as_str(),
            &news.policy_name,
            news.policy_document.as_str(),
        )
        .await?;
        Ok(RolePolicyOutputs {
            inputs: news.clone(),
        })
    }

    async fn delete(&self, ctx: &Context, _id: &str, outputs: &RolePolicyOutputs) -> Result<()> {
        ctx.clients
            .iam
            .delete_role_policy()
            .role_name(&outputs.inputs.role_name)
            .policy_name(&outputs.inputs.policy_name)
            .send()
            .await
            .aws(Service::Iam, "DeleteRolePolicy")
            .or_gone()?;
        Ok(())
    }
}

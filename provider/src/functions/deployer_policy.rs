//! `sagemaker-deployment:index:deployerPolicy`: the seed's SecurityUtils
//! for the identity that deploys.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::aws::AwsClients;
use crate::aws::permissions::{PERMISSIONS, deployer_policy, distinct_actions};
use framework::{Function, ProviderError, Result};

/// The IAM policy the identity that runs `pulumi up` with this provider
/// needs: every action of every AWS call the provider makes, each on the
/// resources it can be narrowed to (the README shows the same policy).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeployerPolicyArgs {}

/// The deployer policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeployerPolicyResult {
    /// The policy document as JSON text, ready for `aws iam create-policy`.
    pub policy_json: String,
    /// The policy document as an object.
    pub policy: serde_json::Value,
    /// How many IAM actions the policy allows.
    pub action_count: u32,
    /// How many AWS API operations the provider calls.
    pub operation_count: u32,
}

/// The deployerPolicy function.
pub struct DeployerPolicy;

#[async_trait]
impl Function for DeployerPolicy {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:index:deployerPolicy";

    type Inputs = DeployerPolicyArgs;
    type Outputs = DeployerPolicyResult;

    async fn invoke(
        &self,
        _clients: Option<&AwsClients>,
        _args: DeployerPolicyArgs,
    ) -> Result<DeployerPolicyResult> {
        let policy = deployer_policy().map_err(|e| ProviderError::Internal(e.to_string()))?;
        let document = serde_json::to_value(&policy)
            .map_err(|e| ProviderError::Internal(format!("cannot write the policy: {e}")))?;
        Ok(DeployerPolicyResult {
            policy_json: policy.to_pretty_json(),
            policy: document,
            action_count: distinct_actions().len() as u32,
            operation_count: PERMISSIONS.len() as u32,
        })
    }
}

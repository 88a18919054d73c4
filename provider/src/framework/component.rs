//! The typed component trait: a group of child resources built from inputs.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;

use super::check::Failures;
use super::scope::Scope;
use crate::error::Result;
use crate::wire::PropertyMap;

/// A component resource. `construct` registers children through the
/// [`Scope`] and returns the component's outputs (output values carry the
/// dependencies on the children they come from).
#[async_trait]
pub trait Component: Send + Sync + 'static {
    /// Pulumi type token, `sagemaker-deployment:index:<Name>`.
    const TOKEN: &'static str;

    type Inputs: DeserializeOwned + JsonSchema + Send + Sync;
    /// Only used for the schema: the outputs `construct` returns.
    type Outputs: JsonSchema;

    /// Validates inputs without calling AWS; runs at preview, before any
    /// child is registered.
    fn check(&self, inputs: &Self::Inputs) -> Failures;

    /// Registers the children. `raw` holds the inputs as sent, with
    /// unknowns, secrets and dependencies, for passing values through.
    async fn construct(
        &self,
        scope: &Scope,
        name: &str,
        inputs: &Self::Inputs,
        raw: &PropertyMap,
    ) -> Result<PropertyMap>;
}

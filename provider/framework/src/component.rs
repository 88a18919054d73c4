//! The typed component trait: a group of child resources built from inputs.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::check::Failures;
use crate::error::Result;
use crate::package::Package;
use crate::scope::Scope;

/// A component resource. `construct` registers children through the
/// [`Scope`] and returns the component's outputs.
///
/// Inputs that other resources provide are [`crate::Output`] fields: they
/// arrive with their secretness, dependencies and (while previewing)
/// unknownness, and are handed to children as they are. Outputs are
/// [`crate::Output`] fields taken from the children
/// ([`crate::Child::output`]), so they carry the dependencies on them.
#[async_trait]
pub trait Component: Send + Sync + 'static {
    /// The package this component belongs to.
    type Provider: Package;
    /// Pulumi type token, `<package>:index:<Name>`.
    const TOKEN: &'static str;

    type Inputs: DeserializeOwned + JsonSchema + Send + Sync;
    /// What `construct` returns; also the component's outputs in the schema.
    type Outputs: Serialize + JsonSchema + Send + Sync;

    /// Validates inputs without calling the cloud; runs at preview, before
    /// any child is registered.
    fn check(&self, inputs: &Self::Inputs) -> Failures;

    /// Registers the children and returns the outputs.
    async fn construct(
        &self,
        scope: &Scope<Self::Provider>,
        name: &str,
        inputs: Self::Inputs,
    ) -> Result<Self::Outputs>;
}

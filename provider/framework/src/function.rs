//! The typed function trait: a provider function (a Pulumi invoke), inputs
//! in, outputs out, no resource made.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::check::Failures;
use crate::error::Result;
use crate::package::Package;

/// A provider function, callable from every SDK (`pulumi.runtime.invoke`
/// underneath) and described under `functions` in the schema. The doc
/// comment of `Inputs` becomes the function's description.
#[async_trait]
pub trait Function: Send + Sync + 'static {
    /// The package this function belongs to.
    type Provider: Package;
    /// Pulumi function token, `<package>:index:<name>` (lower camel case).
    const TOKEN: &'static str;

    type Inputs: DeserializeOwned + JsonSchema + Send + Sync;
    type Outputs: Serialize + JsonSchema + Send + Sync;

    /// Validates the arguments; failures go back to the caller, naming the
    /// argument, and the function is not run.
    fn check(&self, _inputs: &Self::Inputs) -> Failures {
        Failures::new()
    }

    /// Runs the function. `clients` are the package's clients when the
    /// provider was configured.
    async fn invoke(
        &self,
        clients: Option<&<Self::Provider as Package>::Clients>,
        inputs: Self::Inputs,
    ) -> Result<Self::Outputs>;
}

//! The typed custom-resource trait: one AWS object, its inputs and outputs.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::check::Failures;
use crate::context::Context;
use crate::error::{ProviderError, Result};
use crate::package::Package;
use crate::wire::PropertyMap;

/// A created object: its id and its outputs.
#[derive(Debug, Clone)]
pub struct Created<O> {
    pub id: String,
    pub outputs: O,
}

/// What reading a live object found.
#[derive(Debug, Clone)]
pub enum ReadOutcome<I, O> {
    /// The object no longer exists.
    Gone,
    /// The object as it is now, described as inputs and outputs.
    Found { id: String, inputs: I, outputs: O },
}

/// One kind of cloud object managed by a provider.
///
/// Inputs are what a program sets; outputs are the recorded state and
/// include the inputs (usually through `#[serde(flatten)]`). A resource that
/// lists no [`CustomResource::UPDATABLE`] fields is replaced on any change.
#[async_trait]
pub trait CustomResource: Send + Sync + 'static {
    /// The package this resource belongs to.
    type Provider: Package;
    /// Pulumi type token, `<package>:<module>:<Name>`.
    const TOKEN: &'static str;
    /// Input fields (camelCase wire names) that `update` changes in place;
    /// a change to any other input replaces the object.
    const UPDATABLE: &'static [&'static str] = &[];
    /// Input fields owned by someone else once created (e.g. instance counts
    /// an autoscaler manages): changes to them are not reported by diff.
    const IGNORED_IN_DIFF: &'static [&'static str] = &[];
    /// Output fields whose value an update may change: unknown in a preview.
    const VOLATILE_OUTPUTS: &'static [&'static str] = &[];
    /// When true, a replacement deletes the old object before creating the
    /// new one (for objects with user-chosen unique names).
    const DELETE_BEFORE_REPLACE: bool = false;

    type Inputs: Serialize + DeserializeOwned + JsonSchema + Clone + Send + Sync;
    type Outputs: Serialize + DeserializeOwned + JsonSchema + Clone + Send + Sync;

    /// Input fields diff ignores for these new inputs (as sent: they may
    /// hold unknowns); by default [`CustomResource::IGNORED_IN_DIFF`].
    fn ignored_in_diff(&self, _news: &PropertyMap) -> Vec<&'static str> {
        Self::IGNORED_IN_DIFF.to_vec()
    }

    /// Input fields diff ignores for these new inputs given the recorded
    /// state `olds`: say, a configuration someone else deployed on purpose,
    /// which the recorded state shows stands in for the one asked for. None
    /// by default.
    fn ignored_in_diff_against(
        &self,
        _olds: &Self::Outputs,
        _news: &PropertyMap,
    ) -> Vec<&'static str> {
        Vec::new()
    }

    /// Input fields (wire names) that [`CustomResource::computed_inputs`]
    /// do not derive from (e.g. tags, which a content hash leaves out).
    /// Fields not listed count as sources: forgetting one is safe.
    const NOT_IN_COMPUTED_INPUTS: &'static [&'static str] = &[];

    /// Inputs this resource derives from the others at check time (e.g. a
    /// name hashed from the content), by wire name. They are unknown while
    /// any input they derive from is unknown: every input but those in
    /// [`CustomResource::NOT_IN_COMPUTED_INPUTS`], which are left out (as if
    /// unset, so they need a default) when they hold unknowns.
    fn computed_inputs(&self, _inputs: &Self::Inputs) -> Vec<(&'static str, serde_json::Value)> {
        Vec::new()
    }

    /// Validates inputs without calling the cloud; runs at preview.
    fn check(&self, _inputs: &Self::Inputs) -> Failures {
        Failures::new()
    }

    /// Validates a change of an existing object's inputs, from `olds` (as
    /// recorded) to `news`, still without calling the cloud; runs at
    /// preview after [`CustomResource::check`]. It also runs for changes
    /// that will replace the object: rules about changing in place must
    /// tell those apart themselves.
    fn check_change(&self, _olds: &Self::Inputs, _news: &Self::Inputs) -> Failures {
        Failures::new()
    }

    /// Output fields of the recorded state that rule out changing the object
    /// in place, whatever the inputs: say, the status of an object that its
    /// service now allows only to be deleted. Diff then replaces the object,
    /// deleting it first: it serves nothing, and its successor may need its
    /// name. None by default.
    fn replacement_forced_by(&self, _olds: &Self::Outputs) -> Vec<&'static str> {
        Vec::new()
    }

    /// Validates inputs against the configured package (its region, say),
    /// still without calling the cloud; runs at preview after
    /// [`CustomResource::check`], once the provider is configured.
    fn check_configured(
        &self,
        _inputs: &Self::Inputs,
        _clients: &<Self::Provider as Package>::Clients,
    ) -> Failures {
        Failures::new()
    }

    /// Creates the object.
    async fn create(
        &self,
        ctx: &Context<Self::Provider>,
        inputs: &Self::Inputs,
    ) -> Result<Created<Self::Outputs>>;

    /// Reads the live object recorded with `outputs` (a refresh).
    async fn read(
        &self,
        ctx: &Context<Self::Provider>,
        id: &str,
        outputs: &Self::Outputs,
    ) -> Result<ReadOutcome<Self::Inputs, Self::Outputs>>;

    /// Reads an object this program did not create (`pulumi import`, or the
    /// `import` resource option): only its id is known, with no recorded
    /// inputs or outputs, so both are rebuilt from the live object, as
    /// close to what a program would declare for it as the cloud tells.
    /// Refused by default: a resource must opt in.
    async fn import(
        &self,
        _ctx: &Context<Self::Provider>,
        id: &str,
    ) -> Result<ReadOutcome<Self::Inputs, Self::Outputs>> {
        Err(ProviderError::failed(format!(
            "{} cannot be imported (id `{id}`): the provider cannot rebuild its inputs from the cloud",
            Self::TOKEN
        )))
    }

    /// Reads an object whose create took effect but whose answer never
    /// reached the engine (the CLI was interrupted): the engine recorded a
    /// pending create, and `pulumi refresh --import-pending-creates <urn>
    /// <id>` names the object. Its id and the inputs it was created with are
    /// known, its outputs are not. By default, as an import
    /// ([`CustomResource::import`]).
    async fn adopt(
        &self,
        ctx: &Context<Self::Provider>,
        id: &str,
        _inputs: &Self::Inputs,
    ) -> Result<ReadOutcome<Self::Inputs, Self::Outputs>> {
        self.import(ctx, id).await
    }

    /// The id of an object an earlier create of this same resource made and
    /// no state records: the CLI was stopped while that create ran, and the
    /// pending create it left was cleared or never written. Asked only
    /// before the create of a resource the engine holds no state for
    /// ([`Context::first_create`]), so never of an object being updated or
    /// replaced. The create then takes the object over instead of making a
    /// second one: it is adopted ([`CustomResource::adopt`]) and, when it
    /// differs from the inputs in [`CustomResource::UPDATABLE`] fields only,
    /// updated. None by default: resources whose names are unique in the
    /// account meet such an object as "already exists" instead.
    async fn left_by_an_interrupted_create(
        &self,
        _ctx: &Context<Self::Provider>,
        _inputs: &Self::Inputs,
    ) -> Result<Option<String>> {
        Ok(None)
    }

    /// Changes the object in place; only called for changes limited to
    /// [`CustomResource::UPDATABLE`] fields.
    async fn update(
        &self,
        _ctx: &Context<Self::Provider>,
        _id: &str,
        _olds: &Self::Outputs,
        _news: &Self::Inputs,
    ) -> Result<Self::Outputs> {
        Err(ProviderError::Internal(format!(
            "{} has no in-place update; the engine should have replaced it",
            Self::TOKEN
        )))
    }

    /// Deletes the object; deleting one that is already gone succeeds.
    async fn delete(
        &self,
        ctx: &Context<Self::Provider>,
        id: &str,
        outputs: &Self::Outputs,
    ) -> Result<()>;
}

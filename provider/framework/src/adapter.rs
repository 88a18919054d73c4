//! Type erasure: every typed resource and component behind one object-safe
//! interface that speaks property maps, so the registry can hold them all.

use std::marker::PhantomData;

use async_trait::async_trait;
use serde::Serialize;

use crate::check::CheckFailure;
use crate::codec::{all_failures, decode, encode, encode_wired, secret_keys};
use crate::component::Component;
use crate::context::Context;
use crate::diff::{DiffOutcome, diff_inputs};
use crate::error::{ProviderError, Result};
use crate::function::Function;
use crate::package::Package;
use crate::redact::SecretTexts;
use crate::resource::{Created, CustomResource, ReadOutcome};
use crate::scope::Scope;
use crate::wire::{PropertyMap, PropertyValue, UnknownKind};

/// A custom resource of package `P`, seen through property maps.
#[async_trait]
pub trait DynResource<P: Package>: Send + Sync {
    fn token(&self) -> &'static str;
    /// Validates `news` (also against `clients`, once configured); returns
    /// the inputs to record (with computed inputs filled in) and the failures.
    fn check(
        &self,
        news: &PropertyMap,
        clients: Option<&P::Clients>,
    ) -> (PropertyMap, Vec<CheckFailure>);
    fn diff(&self, old_inputs: &PropertyMap, news: &PropertyMap) -> DiffOutcome;
    /// Validates a change of an existing object's inputs, from the
    /// recorded `olds` to `news`.
    fn check_change(&self, _olds: &PropertyMap, _news: &PropertyMap) -> Vec<CheckFailure> {
        Vec::new()
    }
    /// [`DynResource::diff`], also replacing the object when its recorded
    /// outputs (`old_outputs`) rule out an update in place.
    fn diff_with_state(
        &self,
        old_inputs: &PropertyMap,
        _old_outputs: &PropertyMap,
        news: &PropertyMap,
    ) -> DiffOutcome {
        self.diff(old_inputs, news)
    }
    /// Outputs a create would produce, for a preview: inputs as given,
    /// computed outputs unknown.
    fn preview_outputs(&self, news: &PropertyMap) -> PropertyMap;
    async fn create(&self, ctx: &Context<P>, news: &PropertyMap) -> Result<(String, PropertyMap)>;
    /// Reads the live object: a refresh with the recorded `state`; when
    /// `state` is empty, the adoption of a pending create with its
    /// `inputs` (`CustomResource::adopt`), or an import
    /// (`CustomResource::import`) when there are none.
    async fn read(
        &self,
        ctx: &Context<P>,
        id: &str,
        state: &PropertyMap,
        inputs: &PropertyMap,
    ) -> Result<Option<(String, PropertyMap, PropertyMap)>>;
    async fn update(
        &self,
        ctx: &Context<P>,
        id: &str,
        olds: &PropertyMap,
        news: &PropertyMap,
        preview: bool,
    ) -> Result<PropertyMap>;
    async fn delete(&self, ctx: &Context<P>, id: &str, olds: &PropertyMap) -> Result<()>;
}

/// A component of package `P`, seen through property maps.
#[async_trait]
pub trait DynComponent<P: Package>: Send + Sync {
    fn token(&self) -> &'static str;
    fn check(&self, inputs: &PropertyMap) -> Vec<CheckFailure>;
    async fn construct(
        &self,
        scope: &Scope<P>,
        name: &str,
        inputs: &PropertyMap,
    ) -> Result<PropertyMap>;
}

/// Wraps a typed resource.
pub struct ResourceAdapter<R: CustomResource> {
    resource: R,
    /// Names of the output fields, computed on first use (schema work is
    /// kept off the start-up path).
    output_fields: std::sync::OnceLock<Vec<String>>,
    /// Names of the input fields, likewise.
    input_fields: std::sync::OnceLock<Vec<String>>,
}

impl<R: CustomResource> ResourceAdapter<R> {
    /// The computed inputs for `news`: derived from the inputs they come
    /// from, unknown while one of those is unknown (see
    /// `CustomResource::NOT_IN_COMPUTED_INPUTS`); none when the inputs
    /// cannot be read yet.
    fn computed(&self, news: &PropertyMap) -> Vec<(String, PropertyValue)> {
        let outside = |key: &str| R::NOT_IN_COMPUTED_INPUTS.contains(&key);
        let sources_unknown = news
            .iter()
            .any(|(key, value)| !outside(key) && value.contains_unknowns());
        let decoded = decode::<R::Inputs>(news).or_else(|_| {
            let known: PropertyMap = news
                .iter()
                .filter(|(key, value)| !(outside(key) && value.contains_unknowns()))
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect();
            decode::<R::Inputs>(&known)
        });
        let Ok(inputs) = decoded else {
            return Vec::new();
        };
        self.resource
            .computed_inputs(&inputs)
            .into_iter()
            .map(|(key, value)| {
                let value = if sources_unknown {
                    PropertyValue::Unknown(UnknownKind::Generic)
                } else {
                    crate::wire::value_from_json(&value)
                };
                (key.to_owned(), value)
            })
            .collect()
    }

    pub fn new(resource: R) -> Self {
        ResourceAdapter {
            resource,
            output_fields: std::sync::OnceLock::new(),
            input_fields: std::sync::OnceLock::new(),
        }
    }

    fn output_fields(&self) -> &[String] {
        self.output_fields
            .get_or_init(super::schema::top_level_fields::<R::Outputs>)
    }

    fn input_fields(&self) -> &[String] {
        self.input_fields
            .get_or_init(super::schema::top_level_fields::<R::Inputs>)
    }
}

/// Inputs with their defaults filled in (an omitted `false` and an explicit
/// one are the same input) when they are well-formed; otherwise as they are.
/// Secrets stay secret.
fn normalized<T: serde::de::DeserializeOwned + Serialize>(map: &PropertyMap) -> PropertyMap {
    match decode::<T>(map) {
        Ok(typed) => encode(&typed, &secret_keys(map)).unwrap_or_else(|_| map.clone()),
        Err(_) => map.clone(),
    }
}

/// `value` as state: the `secrets` keys secret, and so is every other
/// value that holds the text of a secret in `sources` (a name or ARN made
/// from a secret input).
fn encode_state<T: Serialize>(
    value: &T,
    secrets: &[String],
    sources: &PropertyMap,
) -> Result<PropertyMap> {
    let encoded = encode(value, secrets)?;
    let texts = SecretTexts::of([sources]);
    if texts.is_empty() {
        return Ok(encoded);
    }
    Ok(encoded
        .into_iter()
        .map(|(key, value)| {
            let value = if texts.revealed_by(&value) {
                value.into_secret()
            } else {
                value
            };
            (key, value)
        })
        .collect())
}

/// A partial failure's recorded properties, with the inputs' secrets kept
/// secret (and values made from them, as in [`encode_state`]): the state
/// never holds a secret in plain text.
fn keep_secrets(error: ProviderError, secrets: &[String], sources: &PropertyMap) -> ProviderError {
    match error {
        ProviderError::PartialFailure {
            id,
            outputs,
            inputs,
            reason,
        } => {
            let texts = SecretTexts::of([sources]);
            let resecret = |map: PropertyMap| -> Box<PropertyMap> {
                Box::new(
                    map.into_iter()
                        .map(|(key, value)| {
                            let value = if secrets.contains(&key) || texts.revealed_by(&value) {
                                value.into_secret()
                            } else {
                                value
                            };
                            (key, value)
                        })
                        .collect(),
                )
            };
            ProviderError::PartialFailure {
                id,
                outputs: resecret(*outputs),
                inputs: resecret(*inputs),
                reason,
            }
        }
        other => other,
    }
}

/// The engine creates and updates only with known inputs; anything else is
/// refused before the resource sees it, so resources never meet unknowns.
fn refuse_unknowns(token: &str, news: &PropertyMap) -> Result<()> {
    let unknown: Vec<&str> = news
        .iter()
        .filter(|(_, value)| value.contains_unknowns())
        .map(|(key, _)| key.as_str())
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(ProviderError::InvalidInputs(format!(
            "{token}: inputs not known yet: {}",
            unknown.join(", ")
        )))
    }
}

fn invalid(token: &str, failure: CheckFailure) -> ProviderError {
    ProviderError::InvalidInputs(format!("{token}: {failure}"))
}

impl<R: CustomResource> ResourceAdapter<R> {
    /// The diff of `news` against `old_inputs`, leaving out the fields the
    /// resource ignores for `news` and `also_ignored`.
    fn diff_ignoring(
        &self,
        old_inputs: &PropertyMap,
        news: &PropertyMap,
        also_ignored: Vec<&'static str>,
    ) -> DiffOutcome {
        let mut ignored = self.resource.ignored_in_diff(news);
        ignored.extend(also_ignored);
        // Old inputs may be recorded outputs (older engines send no old
        // inputs): only input fields take part.
        let inputs = self.input_fields();
        let old_inputs: PropertyMap = old_inputs
            .iter()
            .filter(|(key, _)| inputs.contains(key))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        let (old_inputs, news) = if news.values().any(PropertyValue::contains_unknowns) {
            (old_inputs, news.clone())
        } else {
            (
                normalized::<R::Inputs>(&old_inputs),
                normalized::<R::Inputs>(news),
            )
        };
        diff_inputs(
            &old_inputs,
            &news,
            R::UPDATABLE,
            &ignored,
            R::DELETE_BEFORE_REPLACE,
        )
    }
}

impl<R: CustomResource> ResourceAdapter<R> {
    /// The object an earlier, interrupted create of this resource left
    /// behind, made to match `inputs` (see
    /// [`CustomResource::left_by_an_interrupted_create`]); None when there
    /// is none, or when it differs in a field only a replacement changes
    /// (then it is left alone, with a warning, and a new object is made).
    async fn take_over(
        &self,
        ctx: &Context<R::Provider>,
        inputs: &R::Inputs,
        news: &PropertyMap,
    ) -> Result<Option<Created<R::Outputs>>> {
        if !ctx.first_create {
            return Ok(None);
        }
        let Some(id) = self
            .resource
            .left_by_an_interrupted_create(ctx, inputs)
            .await?
        else {
            return Ok(None);
        };
        let ReadOutcome::Found {
            id,
            inputs: found,
            outputs,
        } = self.resource.adopt(ctx, &id, inputs).await?
        else {
            return Ok(None);
        };
        let diff = self.diff_with_state(
            &crate::encode_plain(&found)?,
            &crate::encode_plain(&outputs)?,
            news,
        );
        if diff.replaces() {
            let fields: Vec<&str> = diff.changes.iter().map(|c| c.field.as_str()).collect();
            ctx.warn(format!(
                "{id} was made by an earlier create of this resource that was interrupted, but \
                 differs in {} (only a new object changes that): it is left as it is, and a new \
                 one is made",
                fields.join(", ")
            ))
            .await;
            return Ok(None);
        }
        ctx.info(format!(
            "taking over {id}, made by an earlier create of this resource that was interrupted"
        ))
        .await;
        let outputs = if diff.has_changes() {
            self.resource.update(ctx, &id, &outputs, inputs).await?
        } else {
            outputs
        };
        Ok(Some(Created { id, outputs }))
    }
}

#[async_trait]
impl<R: CustomResource> DynResource<R::Provider> for ResourceAdapter<R> {
    fn token(&self) -> &'static str {
        R::TOKEN
    }

    fn check(
        &self,
        news: &PropertyMap,
        clients: Option<&<R::Provider as Package>::Clients>,
    ) -> (PropertyMap, Vec<CheckFailure>) {
        let has_unknowns = news.values().any(PropertyValue::contains_unknowns);
        let failures = match decode::<R::Inputs>(news) {
            Ok(inputs) => {
                let mut failures = self.resource.check(&inputs).into_vec();
                if let Some(clients) = clients {
                    failures.extend(self.resource.check_configured(&inputs, clients).into_vec());
                }
                let secrets = SecretTexts::of([news]);
                failures
                    .into_iter()
                    .map(|failure| secrets.failure(failure))
                    .collect()
            }
            // Every known value that breaks the types fails; a value not
            // known yet stands for any value of its type (Check runs again
            // with every value known before anything is created).
            Err(first) => {
                let failures = all_failures::<R::Inputs>(news);
                if failures.is_empty() && !has_unknowns {
                    vec![first]
                } else if failures.is_empty() {
                    failures
                } else {
                    return (news.clone(), failures);
                }
            }
        };
        // A computed input is made from the others: secret when any is.
        let any_secret = news.values().any(PropertyValue::contains_secrets);
        let mut checked = news.clone();
        for (key, value) in self.computed(news) {
            let value = if any_secret {
                value.into_secret()
            } else {
                value
            };
            checked.insert(key, value);
        }
        (checked, failures)
    }

    fn diff(&self, old_inputs: &PropertyMap, news: &PropertyMap) -> DiffOutcome {
        self.diff_ignoring(old_inputs, news, Vec::new())
    }

    fn check_change(&self, olds: &PropertyMap, news: &PropertyMap) -> Vec<CheckFailure> {
        // Only inputs that decode can be compared (as in `check`, a value
        // not known yet may be what keeps them from decoding): the rest is
        // for Check, which runs again with every value known.
        let secrets = SecretTexts::of([olds, news]);
        match (decode::<R::Inputs>(olds), decode::<R::Inputs>(news)) {
            (Ok(olds), Ok(news)) => self
                .resource
                .check_change(&olds, &news)
                .into_vec()
                .into_iter()
                .map(|failure| secrets.failure(failure))
                .collect(),
            _ => Vec::new(),
        }
    }

    fn diff_with_state(
        &self,
        old_inputs: &PropertyMap,
        old_outputs: &PropertyMap,
        news: &PropertyMap,
    ) -> DiffOutcome {
        let (forced, ignored) = match decode::<R::Outputs>(old_outputs) {
            Ok(outputs) => (
                self.resource
                    .replacement_forced_by(&outputs)
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
                self.resource.ignored_in_diff_against(&outputs, news),
            ),
            // State this version cannot read forces and excuses nothing.
            Err(_) => (Vec::new(), Vec::new()),
        };
        self.diff_ignoring(old_inputs, news, ignored)
            .forced_by(forced)
    }

    fn preview_outputs(&self, news: &PropertyMap) -> PropertyMap {
        let mut outputs = news.clone();
        for field in self.output_fields() {
            outputs
                .entry(field.clone())
                .or_insert(PropertyValue::Unknown(UnknownKind::Generic));
        }
        outputs
    }

    async fn create(
        &self,
        ctx: &Context<R::Provider>,
        news: &PropertyMap,
    ) -> Result<(String, PropertyMap)> {
        refuse_unknowns(R::TOKEN, news)?;
        let inputs: R::Inputs = decode(news).map_err(|f| invalid(R::TOKEN, f))?;
        let secrets = secret_keys(news);
        let texts = SecretTexts::of([news]);
        let ctx = ctx.with_secrets(texts.clone());
        let created = match self.take_over(&ctx, &inputs, news).await {
            Ok(Some(taken)) => Ok(taken),
            Ok(None) => self.resource.create(&ctx, &inputs).await,
            Err(error) => Err(error),
        }
        .map_err(|error| keep_secrets(error, &secrets, news).redacted(&texts))?;
        Ok((created.id, encode_state(&created.outputs, &secrets, news)?))
    }

    async fn read(
        &self,
        ctx: &Context<R::Provider>,
        id: &str,
        state: &PropertyMap,
        inputs: &PropertyMap,
    ) -> Result<Option<(String, PropertyMap, PropertyMap)>> {
        // The engine reads with no recorded state to import an object: one
        // made by hand (no inputs), or one a create made whose answer never
        // reached the engine (`refresh --import-pending-creates`: the
        // create's inputs).
        let (found, secrets, state) = if state.is_empty() && !inputs.is_empty() {
            let decoded: R::Inputs = decode(inputs).map_err(|f| invalid(R::TOKEN, f))?;
            let secrets = secret_keys(inputs);
            let texts = SecretTexts::of([inputs]);
            let found = self
                .resource
                .adopt(&ctx.with_secrets(texts.clone()), id, &decoded)
                .await
                .map_err(|error| keep_secrets(error, &secrets, inputs).redacted(&texts))?;
            (found, secrets, inputs)
        } else if state.is_empty() {
            (self.resource.import(ctx, id).await?, Vec::new(), state)
        } else {
            let outputs: R::Outputs = decode(state).map_err(|f| invalid(R::TOKEN, f))?;
            let secrets = secret_keys(state);
            let texts = SecretTexts::of([state]);
            // An object found in a state it cannot be used in is reported as
            // a partial failure, with its recorded properties: secrets stay
            // secret.
            let found = self
                .resource
                .read(&ctx.with_secrets(texts.clone()), id, &outputs)
                .await
                .map_err(|error| keep_secrets(error, &secrets, state).redacted(&texts))?;
            (found, secrets, state)
        };
        match found {
            ReadOutcome::Gone => Ok(None),
            ReadOutcome::Found {
                id,
                inputs,
                outputs,
            } => Ok(Some((
                id,
                encode_state(&inputs, &secrets, state)?,
                encode_state(&outputs, &secrets, state)?,
            ))),
        }
    }

    async fn update(
        &self,
        ctx: &Context<R::Provider>,
        id: &str,
        olds: &PropertyMap,
        news: &PropertyMap,
        preview: bool,
    ) -> Result<PropertyMap> {
        if preview {
            let mut outputs = olds.clone();
            outputs.extend(news.iter().map(|(k, v)| (k.clone(), v.clone())));
            for field in R::VOLATILE_OUTPUTS {
                outputs.insert(
                    field.to_string(),
                    PropertyValue::Unknown(UnknownKind::Generic),
                );
            }
            return Ok(outputs);
        }
        refuse_unknowns(R::TOKEN, news)?;
        let old_outputs: R::Outputs = decode(olds).map_err(|f| invalid(R::TOKEN, f))?;
        let inputs: R::Inputs = decode(news).map_err(|f| invalid(R::TOKEN, f))?;
        let secrets = secret_keys(news);
        let texts = SecretTexts::of([olds, news]);
        let outputs = self
            .resource
            .update(&ctx.with_secrets(texts.clone()), id, &old_outputs, &inputs)
            .await
            .map_err(|error| keep_secrets(error, &secrets, news).redacted(&texts))?;
        encode_state(&outputs, &secrets, news)
    }

    async fn delete(&self, ctx: &Context<R::Provider>, id: &str, olds: &PropertyMap) -> Result<()> {
        let outputs: R::Outputs = decode(olds).map_err(|f| invalid(R::TOKEN, f))?;
        let texts = SecretTexts::of([olds]);
        self.resource
            .delete(&ctx.with_secrets(texts.clone()), id, &outputs)
            .await
            .map_err(|error| error.redacted(&texts))
    }
}

/// Wraps a typed component.
pub struct ComponentAdapter<C: Component> {
    component: C,
    _marker: PhantomData<C>,
}

impl<C: Component> ComponentAdapter<C> {
    pub fn new(component: C) -> Self {
        ComponentAdapter {
            component,
            _marker: PhantomData,
        }
    }
}

#[async_trait]
impl<C: Component> DynComponent<C::Provider> for ComponentAdapter<C> {
    fn token(&self) -> &'static str {
        C::TOKEN
    }

    fn check(&self, inputs: &PropertyMap) -> Vec<CheckFailure> {
        match decode::<C::Inputs>(inputs) {
            Ok(typed) => {
                let secrets = SecretTexts::of([inputs]);
                self.component
                    .check(&typed)
                    .into_vec()
                    .into_iter()
                    .map(|failure| secrets.failure(failure))
                    .collect()
            }
            // Every known value that breaks the types; when only values not
            // known yet keep the inputs from reading, the first of those
            // (a component builds its children from its inputs).
            Err(first) => {
                let failures = all_failures::<C::Inputs>(inputs);
                if failures.is_empty() {
                    vec![first]
                } else {
                    failures
                }
            }
        }
    }

    async fn construct(
        &self,
        scope: &Scope<C::Provider>,
        name: &str,
        inputs: &PropertyMap,
    ) -> Result<PropertyMap> {
        let typed: C::Inputs = decode(inputs).map_err(|f| invalid(C::TOKEN, f))?;
        let outputs = self
            .component
            .construct(scope, name, typed)
            .await
            .map_err(|error| error.redacted(&SecretTexts::of([inputs])))?;
        let outputs = encode_wired(&outputs, &[])?;
        let missing = missing_outputs::<C::Outputs>(&outputs);
        if !missing.is_empty() {
            return Err(ProviderError::Internal(format!(
                "{} did not set its outputs {}",
                C::TOKEN,
                missing.join(", ")
            )));
        }
        Ok(outputs)
    }
}

/// Required fields of the outputs schema `O` that `outputs` lacks.
pub(crate) fn missing_outputs<O: schemars::JsonSchema>(outputs: &PropertyMap) -> Vec<String> {
    crate::schema::required_fields::<O>()
        .into_iter()
        .filter(|field| outputs.get(field).is_none_or(|v| *v == PropertyValue::Null))
        .collect()
}

/// A function behind its token, typed inputs and outputs erased.
#[async_trait]
pub trait DynFunction<P: Package>: Send + Sync {
    /// Runs the function on `args`: its outputs, or the arguments'
    /// failures (every one, each with its path).
    async fn invoke(
        &self,
        clients: Option<&P::Clients>,
        args: &PropertyMap,
    ) -> Result<std::result::Result<PropertyMap, Vec<CheckFailure>>>;
}

/// Wraps a typed function.
pub struct FunctionAdapter<F: Function> {
    function: F,
}

impl<F: Function> FunctionAdapter<F> {
    pub fn new(function: F) -> Self {
        FunctionAdapter { function }
    }
}

#[async_trait]
impl<F: Function> DynFunction<F::Provider> for FunctionAdapter<F> {
    async fn invoke(
        &self,
        clients: Option<&<F::Provider as Package>::Clients>,
        args: &PropertyMap,
    ) -> Result<std::result::Result<PropertyMap, Vec<CheckFailure>>> {
        let inputs = match crate::codec::decode_all::<F::Inputs>(args) {
            Ok(inputs) => inputs,
            Err(failures) => return Ok(Err(failures)),
        };
        let failures = self.function.check(&inputs);
        if !failures.is_empty() {
            return Ok(Err(failures.into_vec()));
        }
        let outputs = self.function.invoke(clients, inputs).await?;
        Ok(Ok(crate::codec::encode_plain(&outputs)?))
    }
}

#[cfg(test)]
mod taking_over_an_interrupted_create {
    use std::sync::Arc;

    use async_trait::async_trait;
    use tokio_util::sync::CancellationToken;

    use super::*;
    use crate::testing::{Note, NoteInputs, NoteOutputs, Store, TestPackage};
    use crate::{EngineLogger, Output};

    /// A note whose earlier, interrupted create left `note-1` in the store,
    /// written by `left_by`.
    struct LeftNote {
        left_by: &'static str,
    }

    #[async_trait]
    impl CustomResource for LeftNote {
        type Provider = TestPackage;
        const TOKEN: &'static str = "example:index:LeftNote";
        const UPDATABLE: &'static [&'static str] = &["text"];
        type Inputs = NoteInputs;
        type Outputs = NoteOutputs;

        async fn create(
            &self,
            ctx: &Context<TestPackage>,
            inputs: &NoteInputs,
        ) -> Result<Created<NoteOutputs>> {
            Note.create(ctx, inputs).await
        }

        async fn read(
            &self,
            ctx: &Context<TestPackage>,
            id: &str,
            outputs: &NoteOutputs,
        ) -> Result<ReadOutcome<NoteInputs, NoteOutputs>> {
            Note.read(ctx, id, outputs).await
        }

        async fn left_by_an_interrupted_create(
            &self,
            ctx: &Context<TestPackage>,
            _inputs: &NoteInputs,
        ) -> Result<Option<String>> {
            let store = ctx.clients.lock().expect("store");
            Ok(store.contains_key("note-1").then(|| "note-1".to_owned()))
        }

        async fn adopt(
            &self,
            ctx: &Context<TestPackage>,
            id: &str,
            inputs: &NoteInputs,
        ) -> Result<ReadOutcome<NoteInputs, NoteOutputs>> {
            let left = NoteOutputs {
                inputs: NoteInputs {
                    text: inputs.text.clone(),
                    author: Output::new(self.left_by.to_owned()),
                },
                note_id: id.to_owned(),
            };
            Note.read(ctx, id, &left).await
        }

        async fn update(
            &self,
            ctx: &Context<TestPackage>,
            id: &str,
            olds: &NoteOutputs,
            news: &NoteInputs,
        ) -> Result<NoteOutputs> {
            Note.update(ctx, id, olds, news).await
        }

        async fn delete(
            &self,
            ctx: &Context<TestPackage>,
            id: &str,
            outputs: &NoteOutputs,
        ) -> Result<()> {
            Note.delete(ctx, id, outputs).await
        }
    }

    fn context(first_create: bool, store: &[(&str, &str)]) -> Context<TestPackage> {
        let notes = store
            .iter()
            .map(|(id, text)| (id.to_string(), text.to_string()))
            .collect();
        Context {
            clients: Arc::new(Store::new(notes)),
            engine: Arc::new(EngineLogger::new(None)),
            urn: "urn:pulumi:dev::p::example:index:LeftNote::n".into(),
            cancel: CancellationToken::new(),
            timeout: None,
            secrets: SecretTexts::default(),
            first_create,
        }
    }

    fn note(text: &str) -> PropertyMap {
        [
            ("text".to_owned(), PropertyValue::from(text)),
            ("author".to_owned(), PropertyValue::from("ada")),
        ]
        .into()
    }

    fn stored(ctx: &Context<TestPackage>) -> Vec<(String, String)> {
        let store = ctx.clients.lock().expect("store");
        store.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    #[tokio::test]
    async fn a_new_resource_takes_over_the_object_its_interrupted_create_left() {
        let adapter = ResourceAdapter::new(LeftNote { left_by: "ada" });
        let ctx = context(true, &[("note-1", "hello")]);
        let (id, _) = adapter.create(&ctx, &note("hello")).await.unwrap();
        assert_eq!(id, "note-1");
        assert_eq!(stored(&ctx), [("note-1".into(), "hello".into())]);
    }

    #[tokio::test]
    async fn a_left_object_that_differs_in_an_updatable_field_is_updated() {
        let adapter = ResourceAdapter::new(LeftNote { left_by: "ada" });
        let ctx = context(true, &[("note-1", "hello")]);
        let (id, outputs) = adapter.create(&ctx, &note("hello world")).await.unwrap();
        assert_eq!(id, "note-1");
        assert_eq!(stored(&ctx), [("note-1".into(), "hello world".into())]);
        assert_eq!(outputs["text"], PropertyValue::from("hello world"));
    }

    #[tokio::test]
    async fn a_left_object_only_a_replacement_would_change_is_left_alone() {
        // It was written by someone else: a new note is made beside it.
        let adapter = ResourceAdapter::new(LeftNote { left_by: "grace" });
        let ctx = context(true, &[("note-1", "hello")]);
        let (id, _) = adapter.create(&ctx, &note("hello")).await.unwrap();
        assert_eq!(id, "note-2");
        assert_eq!(stored(&ctx).len(), 2);
    }

    #[tokio::test]
    async fn an_update_or_a_replacement_never_takes_anything_over() {
        let adapter = ResourceAdapter::new(LeftNote { left_by: "ada" });
        let ctx = context(false, &[("note-1", "hello")]);
        let (id, _) = adapter.create(&ctx, &note("hello")).await.unwrap();
        assert_eq!(id, "note-2");
    }
}

//! A complete small provider for the framework's own tests: a package whose
//! clients are an in-memory store, a `Note` resource kept in it, and a
//! `Notebook` component.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{
    Component, Context, Created, CustomResource, Failures, Output, Package, ReadOutcome, Result,
    Scope,
};

/// The example package.
pub struct TestPackage;

/// The example package's configuration.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TestConfig {
    /// Where the notes live.
    pub region: Option<String>,
    /// Labels on every note.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// The most notes kept, 1 to 100.
    pub max_notes: Option<u32>,
}

/// Notes by id.
pub type Store = Mutex<BTreeMap<String, String>>;

#[async_trait]
impl Package for TestPackage {
    const NAME: &'static str = "example";
    const VERSION: &'static str = "0.0.1";
    const PLUGIN_DOWNLOAD_URL: &'static str = "https://plugins.example.com/example/v${VERSION}";
    const REPLACE_ON_CHANGE: &'static [&'static str] = &["region"];
    type Config = TestConfig;
    type Clients = Store;

    fn check_config(config: &TestConfig) -> Failures {
        let mut failures = Failures::new();
        if let Some(max) = config.max_notes {
            failures.require(
                (1..=100).contains(&max),
                "maxNotes",
                format!("must be between 1 and 100, got {max}"),
            );
        }
        failures
    }

    async fn configure(_config: &TestConfig) -> Result<Store> {
        Ok(Mutex::new(BTreeMap::new()))
    }

    fn schema_metadata() -> serde_json::Map<String, serde_json::Value> {
        let mut meta = serde_json::Map::new();
        meta.insert("displayName".into(), "Example".into());
        meta
    }
}

/// A note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NoteInputs {
    /// What the note says.
    pub text: String,
    /// Who wrote it (often another resource's output).
    pub author: Output<String>,
}

/// A note, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NoteOutputs {
    #[serde(flatten)]
    pub inputs: NoteInputs,
    /// The note's id.
    pub note_id: String,
}

/// The note resource.
pub struct Note;

#[async_trait]
impl CustomResource for Note {
    type Provider = TestPackage;
    const TOKEN: &'static str = "example:index:Note";
    const UPDATABLE: &'static [&'static str] = &["text"];
    type Inputs = NoteInputs;
    type Outputs = NoteOutputs;

    fn computed_inputs(&self, inputs: &NoteInputs) -> Vec<(&'static str, serde_json::Value)> {
        vec![("wordCount", inputs.text.split_whitespace().count().into())]
    }

    fn check(&self, inputs: &NoteInputs) -> Failures {
        let mut failures = Failures::new();
        failures.require(!inputs.text.is_empty(), "text", "must not be empty");
        failures
    }

    fn check_change(&self, olds: &NoteInputs, news: &NoteInputs) -> Failures {
        let mut failures = Failures::new();
        failures.require(
            news.text.starts_with(&olds.text),
            "text",
            "a note is only added to",
        );
        failures
    }

    fn replacement_forced_by(&self, olds: &NoteOutputs) -> Vec<&'static str> {
        // A note recorded without its id cannot be found to be edited.
        if olds.note_id.is_empty() {
            vec!["noteId"]
        } else {
            Vec::new()
        }
    }

    fn check_configured(&self, inputs: &NoteInputs, store: &Store) -> Failures {
        let mut failures = Failures::new();
        let taken = store
            .lock()
            .expect("store")
            .values()
            .any(|text| *text == inputs.text);
        failures.require(!taken, "text", "another note already says this");
        failures
    }

    async fn create(
        &self,
        ctx: &Context<TestPackage>,
        inputs: &NoteInputs,
    ) -> Result<Created<NoteOutputs>> {
        let mut store = ctx.clients.lock().expect("store");
        let id = format!("note-{}", store.len() + 1);
        store.insert(id.clone(), inputs.text.clone());
        Ok(Created {
            id: id.clone(),
            outputs: NoteOutputs {
                inputs: inputs.clone(),
                note_id: id,
            },
        })
    }

    async fn read(
        &self,
        ctx: &Context<TestPackage>,
        id: &str,
        outputs: &NoteOutputs,
    ) -> Result<ReadOutcome<NoteInputs, NoteOutputs>> {
        let store = ctx.clients.lock().expect("store");
        Ok(match store.get(id) {
            None => ReadOutcome::Gone,
            Some(text) => {
                let inputs = NoteInputs {
                    text: text.clone(),
                    author: outputs.inputs.author.clone(),
                };
                ReadOutcome::Found {
                    id: id.to_owned(),
                    inputs: inputs.clone(),
                    outputs: NoteOutputs {
                        inputs,
                        note_id: id.to_owned(),
                    },
                }
            }
        })
    }

    async fn import(
        &self,
        ctx: &Context<TestPackage>,
        id: &str,
    ) -> Result<ReadOutcome<NoteInputs, NoteOutputs>> {
        // The store keeps the text only: an imported note has no author.
        let recorded = NoteOutputs {
            inputs: NoteInputs {
                text: String::new(),
                author: Output::new(String::new()),
            },
            note_id: id.to_owned(),
        };
        self.read(ctx, id, &recorded).await
    }

    async fn adopt(
        &self,
        ctx: &Context<TestPackage>,
        id: &str,
        inputs: &NoteInputs,
    ) -> Result<ReadOutcome<NoteInputs, NoteOutputs>> {
        // A pending create: its inputs name the author.
        let recorded = NoteOutputs {
            inputs: inputs.clone(),
            note_id: id.to_owned(),
        };
        self.read(ctx, id, &recorded).await
    }

    async fn update(
        &self,
        ctx: &Context<TestPackage>,
        id: &str,
        _olds: &NoteOutputs,
        news: &NoteInputs,
    ) -> Result<NoteOutputs> {
        ctx.clients
            .lock()
            .expect("store")
            .insert(id.to_owned(), news.text.clone());
        Ok(NoteOutputs {
            inputs: news.clone(),
            note_id: id.to_owned(),
        })
    }

    async fn delete(&self, ctx: &Context<TestPackage>, id: &str, _: &NoteOutputs) -> Result<()> {
        ctx.clients.lock().expect("store").remove(id);
        Ok(())
    }
}

/// Notes by one author.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotebookArgs {
    /// The author of every note.
    pub author: Output<String>,
    /// One note per entry.
    pub texts: Vec<String>,
}

/// What a notebook made.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotebookOutputs {
    /// The notes' ids.
    pub note_ids: Output<Vec<String>>,
}

/// The notebook component.
pub struct Notebook;

/// Notebooks on a shelf: a component made of components.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShelfArgs {
    /// The author of every note.
    pub author: Output<String>,
}

/// What a shelf holds.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShelfOutputs {
    /// The first notebook's note ids.
    pub note_ids: Output<Vec<String>>,
}

/// The shelf component.
pub struct Shelf;

#[async_trait]
impl Component for Shelf {
    type Provider = TestPackage;
    const TOKEN: &'static str = "example:index:Shelf";
    type Inputs = ShelfArgs;
    type Outputs = ShelfOutputs;

    fn check(&self, _args: &ShelfArgs) -> Failures {
        Failures::new()
    }

    async fn construct(
        &self,
        scope: &Scope<TestPackage>,
        name: &str,
        args: ShelfArgs,
    ) -> Result<ShelfOutputs> {
        let book = scope
            .component(
                &Notebook,
                &format!("{name}-book"),
                NotebookArgs {
                    author: args.author,
                    texts: vec!["one".into(), "two".into()],
                },
                Default::default(),
            )
            .await?;
        Ok(ShelfOutputs {
            note_ids: book.note_ids,
        })
    }
}

#[async_trait]
impl Component for Notebook {
    type Provider = TestPackage;
    const TOKEN: &'static str = "example:index:Notebook";
    type Inputs = NotebookArgs;
    type Outputs = NotebookOutputs;

    fn check(&self, args: &NotebookArgs) -> Failures {
        let mut failures = Failures::new();
        failures.require(
            !args.texts.is_empty(),
            "texts",
            "must name at least one note",
        );
        failures
    }

    async fn construct(
        &self,
        scope: &Scope<TestPackage>,
        name: &str,
        args: NotebookArgs,
    ) -> Result<NotebookOutputs> {
        let mut ids = Vec::new();
        for (index, text) in args.texts.iter().enumerate() {
            let note = scope
                .resource::<Note>(
                    &format!("{name}-{index}"),
                    &NoteInputs {
                        text: text.clone(),
                        author: args.author.clone(),
                    },
                    Default::default(),
                )
                .await?;
            ids.push(note.output::<String>("noteId"));
        }
        Ok(NotebookOutputs {
            note_ids: Output::all(ids),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tokio_util::sync::CancellationToken;

    use super::*;
    use crate::adapter::{DynResource, ResourceAdapter, missing_outputs};
    use crate::wire::{OutputValue, PropertyMap, PropertyValue, UnknownKind};
    use crate::{EngineLogger, ProviderError, Registry, decode_config, diff_config};

    fn registry() -> Registry<TestPackage> {
        Registry::builder()
            .resource(Note)
            .component(Notebook)
            .build()
    }

    fn context() -> Context<TestPackage> {
        Context {
            clients: Arc::new(Store::default()),
            engine: Arc::new(EngineLogger::new(None)),
            urn: "urn:pulumi:dev::p::example:index:Note::n".into(),
            cancel: CancellationToken::new(),
            timeout: None,
            secrets: Default::default(),
            first_create: false,
        }
    }

    fn note(author: PropertyValue) -> PropertyMap {
        [
            ("text".to_owned(), PropertyValue::from("hello")),
            ("author".to_owned(), author),
        ]
        .into()
    }

    #[test]
    fn the_schema_has_the_package_its_config_resources_and_components() {
        let schema: serde_json::Value =
            serde_json::from_str(registry().schema_json().unwrap()).unwrap();
        assert_eq!(schema["name"], "example");
        assert_eq!(schema["displayName"], "Example");
        assert_eq!(
            schema["pluginDownloadURL"],
            "https://plugins.example.com/example/v${VERSION}"
        );
        assert_eq!(schema["config"]["variables"]["region"]["type"], "string");
        let note = &schema["resources"]["example:index:Note"];
        assert_eq!(note["inputProperties"]["author"]["type"], "string");
        assert_eq!(
            note["requiredInputs"],
            serde_json::json!(["author", "text"])
        );
        let book = &schema["resources"]["example:index:Notebook"];
        assert_eq!(book["isComponent"], true);
        assert_eq!(book["properties"]["noteIds"]["type"], "array");
    }

    /// A note whose field lists went stale: `txt` was renamed `text`, and
    /// `noteId` is an output, not an input.
    struct StaleNote;

    #[async_trait]
    impl CustomResource for StaleNote {
        type Provider = TestPackage;
        const TOKEN: &'static str = "example:index:StaleNote";
        const UPDATABLE: &'static [&'static str] = &["txt"];
        const IGNORED_IN_DIFF: &'static [&'static str] = &["noteId"];
        const VOLATILE_OUTPUTS: &'static [&'static str] = &["noteId"];
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

        async fn delete(
            &self,
            ctx: &Context<TestPackage>,
            id: &str,
            outputs: &NoteOutputs,
        ) -> Result<()> {
            Note.delete(ctx, id, outputs).await
        }
    }

    #[test]
    fn a_field_list_naming_no_field_fails_the_schema() {
        let registry = Registry::<TestPackage>::builder()
            .resource(StaleNote)
            .build();
        let error = registry.schema_json().unwrap_err().to_string();
        assert!(error.contains("example:index:StaleNote"), "{error}");
        assert!(
            error.contains("UPDATABLE names `txt`, which is not an input field"),
            "{error}"
        );
        assert!(
            error.contains("IGNORED_IN_DIFF names `noteId`, which is not an input field"),
            "{error}"
        );
        // `noteId` is an output, so the volatile list is right.
        assert!(!error.contains("VOLATILE_OUTPUTS"), "{error}");
    }

    #[test]
    fn a_token_registered_twice_fails_the_schema() {
        let registry = Registry::<TestPackage>::builder()
            .resource(Note)
            .resource(Note)
            .build();
        let error = registry.schema_json().unwrap_err().to_string();
        assert!(
            error.contains("example:index:Note is registered twice"),
            "{error}"
        );
    }

    #[test]
    fn a_configured_check_runs_only_once_the_package_is_configured() {
        let adapter = ResourceAdapter::new(Note);
        let news = note("ann".into());
        let store = Store::default();
        store
            .lock()
            .unwrap()
            .insert("note-1".into(), "hello".into());
        assert!(DynResource::check(&adapter, &news, None).1.is_empty());
        let (_, failures) = DynResource::check(&adapter, &news, Some(&store));
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].property, "text");
        assert_eq!(failures[0].reason, "another note already says this");
    }

    #[test]
    fn check_reports_the_property_and_the_rule() {
        let adapter = ResourceAdapter::new(Note);
        let mut inputs = note("ann".into());
        inputs.insert("text".into(), "".into());
        let (_, failures) = DynResource::check(&adapter, &inputs, None);
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].property, "text");
    }

    #[test]
    fn a_change_is_checked_against_the_recorded_inputs() {
        let adapter = ResourceAdapter::new(Note);
        let olds = note("ann".into());
        let mut news = note(PropertyValue::Unknown(UnknownKind::Generic));
        news.insert("text".into(), "hello, world".into());
        assert!(adapter.check_change(&olds, &news).is_empty());
        news.insert("text".into(), "bye".into());
        let failures = adapter.check_change(&olds, &news);
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].property, "text");
        assert_eq!(failures[0].reason, "a note is only added to");
        // Inputs that do not decode are left to Check.
        assert!(adapter.check_change(&PropertyMap::new(), &news).is_empty());
    }

    #[test]
    fn recorded_state_can_force_a_replacement_that_deletes_first() {
        let adapter = ResourceAdapter::new(Note);
        let inputs = note("ann".into());
        let mut outputs = inputs.clone();
        outputs.insert("noteId".into(), "note-1".into());
        let outcome = adapter.diff_with_state(&inputs, &outputs, &inputs);
        assert!(!outcome.has_changes());
        outputs.insert("noteId".into(), "".into());
        let outcome = adapter.diff_with_state(&inputs, &outputs, &inputs);
        assert!(outcome.replaces() && outcome.delete_before_replace);
        assert_eq!(outcome.forced_by_state, ["noteId"]);
        // State this version cannot read forces nothing.
        let outcome = adapter.diff_with_state(&inputs, &PropertyMap::new(), &inputs);
        assert!(!outcome.has_changes());
    }

    #[tokio::test]
    async fn a_secret_output_input_stays_secret_in_the_state() {
        let adapter = ResourceAdapter::new(Note);
        let author = PropertyValue::Output(OutputValue {
            value: Some(Box::new("ann".into())),
            secret: true,
            dependencies: vec!["urn:author".into()],
        });
        let (id, state) = adapter.create(&context(), &note(author)).await.unwrap();
        assert_eq!(id, "note-1");
        assert_eq!(
            state["author"],
            PropertyValue::Secret(Box::new("ann".into()))
        );
        assert_eq!(state["noteId"], PropertyValue::from("note-1"));
    }

    #[tokio::test]
    async fn a_read_with_no_recorded_state_imports_the_object() {
        let adapter = ResourceAdapter::new(Note);
        let ctx = context();
        ctx.clients
            .lock()
            .expect("store")
            .insert("note-7".into(), "made by hand".into());
        let (id, inputs, outputs) = adapter
            .read(&ctx, "note-7", &PropertyMap::new(), &PropertyMap::new())
            .await
            .unwrap()
            .expect("the note exists");
        assert_eq!(id, "note-7");
        assert_eq!(inputs["text"], PropertyValue::from("made by hand"));
        assert_eq!(outputs["noteId"], PropertyValue::from("note-7"));
        // An id naming nothing is gone: the engine says it does not exist.
        let missing = adapter
            .read(&ctx, "note-8", &PropertyMap::new(), &PropertyMap::new())
            .await;
        assert!(missing.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_read_of_a_pending_create_adopts_the_object_with_its_inputs() {
        let adapter = ResourceAdapter::new(Note);
        let ctx = context();
        ctx.clients
            .lock()
            .expect("store")
            .insert("note-3".into(), "interrupted".into());
        // `refresh --import-pending-creates`: no recorded outputs, the
        // inputs the create was sent with.
        let mut inputs = PropertyMap::new();
        inputs.insert("text".into(), PropertyValue::from("interrupted"));
        inputs.insert("author".into(), PropertyValue::from("ada"));
        let (id, inputs, outputs) = adapter
            .read(&ctx, "note-3", &PropertyMap::new(), &inputs)
            .await
            .unwrap()
            .expect("the note exists");
        assert_eq!(id, "note-3");
        assert_eq!(inputs["author"], PropertyValue::from("ada"));
        assert_eq!(outputs["author"], PropertyValue::from("ada"));
        assert_eq!(outputs["noteId"], PropertyValue::from("note-3"));
    }

    #[tokio::test]
    async fn a_resource_that_cannot_rebuild_its_inputs_refuses_an_import() {
        let adapter = ResourceAdapter::new(StaleNote);
        let error = adapter
            .read(
                &context(),
                "note-1",
                &PropertyMap::new(),
                &PropertyMap::new(),
            )
            .await
            .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("example:index:StaleNote cannot be imported (id `note-1`)"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn create_refuses_inputs_that_are_not_known() {
        let adapter = ResourceAdapter::new(Note);
        let error = adapter
            .create(
                &context(),
                &note(PropertyValue::Unknown(UnknownKind::Generic)),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(&error, ProviderError::InvalidInputs(m) if m.contains("author")),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn any_custom_timeout_is_served_without_panicking() {
        use crate::proto::{self, resource_provider_server::ResourceProvider};
        use crate::wire::properties_to_struct;
        use tonic::Request;

        let service = crate::ProviderService::new(Arc::new(registry()), None);
        service
            .configure(Request::new(proto::ConfigureRequest::default()))
            .await
            .expect("configured");
        let urn = "urn:pulumi:dev::p::example:index:Note::n".to_owned();
        let inputs = Some(properties_to_struct(&note("ada".into())));
        // 1e20 s and infinity once panicked converting to a Duration.
        for timeout in [1e20, f64::INFINITY, f64::MAX, f64::NAN, -1.0, 30.0] {
            let created = service
                .create(Request::new(proto::CreateRequest {
                    urn: urn.clone(),
                    r#type: Note::TOKEN.into(),
                    properties: inputs.clone(),
                    timeout,
                    ..Default::default()
                }))
                .await
                .unwrap_or_else(|status| panic!("create with {timeout}: {status:?}"))
                .into_inner();
            service
                .update(Request::new(proto::UpdateRequest {
                    id: created.id.clone(),
                    urn: urn.clone(),
                    r#type: Note::TOKEN.into(),
                    olds: created.properties.clone(),
                    news: inputs.clone(),
                    timeout,
                    ..Default::default()
                }))
                .await
                .unwrap_or_else(|status| panic!("update with {timeout}: {status:?}"));
            service
                .delete(Request::new(proto::DeleteRequest {
                    id: created.id,
                    urn: urn.clone(),
                    r#type: Note::TOKEN.into(),
                    properties: created.properties,
                    timeout,
                    ..Default::default()
                }))
                .await
                .unwrap_or_else(|status| panic!("delete with {timeout}: {status:?}"));
        }
    }

    #[test]
    fn check_reports_every_type_error_and_a_computed_input_of_secrets_is_secret() {
        let adapter = ResourceAdapter::new(Note);
        let news: PropertyMap = [
            ("text".to_owned(), PropertyValue::Number(7.0)),
            ("author".to_owned(), PropertyValue::Bool(true)),
        ]
        .into();
        let (_, failures) = adapter.check(&news, None);
        let properties: Vec<&str> = failures.iter().map(|f| f.property.as_str()).collect();
        assert_eq!(properties, ["author", "text"]);
        let secret_author = note(PropertyValue::Secret(Box::new("ada".into())));
        let (checked, failures) = adapter.check(&secret_author, None);
        assert!(failures.is_empty(), "{failures:?}");
        assert!(checked["wordCount"].is_secret(), "{checked:?}");
        let (checked, _) = adapter.check(&note("ada".into()), None);
        assert_eq!(checked["wordCount"], PropertyValue::Number(1.0));
    }

    #[tokio::test]
    async fn a_state_value_that_holds_a_secret_text_is_secret() {
        let adapter = ResourceAdapter::new(Note);
        // The author is secret, and the (plain) text names her.
        let mut news = note(PropertyValue::Secret(Box::new("ada-lovelace".into())));
        news.insert("text".into(), "notes by ada-lovelace".into());
        let (id, outputs) = adapter.create(&context(), &news).await.unwrap();
        assert!(outputs["author"].is_secret(), "{outputs:?}");
        assert!(outputs["text"].is_secret(), "{outputs:?}");
        assert!(!outputs["noteId"].is_secret(), "{id}: {outputs:?}");
    }

    #[test]
    fn a_component_output_never_set_is_named() {
        assert_eq!(
            missing_outputs::<NotebookOutputs>(&PropertyMap::new()),
            vec!["noteIds".to_owned()]
        );
        let set: PropertyMap = [("noteIds".to_owned(), PropertyValue::Array(vec![]))].into();
        assert!(missing_outputs::<NotebookOutputs>(&set).is_empty());
    }

    #[test]
    fn config_objects_may_arrive_as_json_text() {
        let values: PropertyMap = [
            ("example:region".to_owned(), PropertyValue::from("north")),
            (
                "example:labels".to_owned(),
                PropertyValue::from(r#"{"team":"ml"}"#),
            ),
        ]
        .into();
        let config: TestConfig = decode_config(&values).unwrap();
        assert_eq!(config.region.as_deref(), Some("north"));
        assert_eq!(config.labels["team"], "ml");
        let bad: PropertyMap = [("labels".to_owned(), PropertyValue::from("{"))].into();
        let failures = decode_config::<TestConfig>(&bad).unwrap_err();
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert_eq!(failures[0].property, "labels");
    }

    fn service() -> crate::ProviderService<TestPackage> {
        let registry = Registry::builder()
            .resource(Note)
            .resource(FailingNote)
            .build();
        crate::ProviderService::new(Arc::new(registry), None)
    }

    fn config_struct(max_notes: f64) -> prost_types::Struct {
        crate::wire::properties_to_struct(
            &[(
                "example:maxNotes".to_owned(),
                PropertyValue::Number(max_notes),
            )]
            .into(),
        )
    }

    #[tokio::test]
    async fn check_config_reports_the_package_rules_and_configure_refuses_them() {
        use crate::proto::resource_provider_server::ResourceProvider;
        let service = service();
        let checked = service
            .check_config(tonic::Request::new(crate::proto::CheckRequest {
                news: Some(config_struct(500.0)),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(checked.failures.len(), 1);
        assert_eq!(checked.failures[0].property, "maxNotes");
        assert_eq!(
            checked.failures[0].reason,
            "must be between 1 and 100, got 500"
        );
        let refused = service
            .configure(tonic::Request::new(crate::proto::ConfigureRequest {
                args: Some(config_struct(500.0)),
                ..Default::default()
            }))
            .await
            .unwrap_err();
        assert_eq!(refused.code(), tonic::Code::InvalidArgument);
        assert!(
            refused
                .message()
                .contains("maxNotes: must be between 1 and 100"),
            "{refused:?}"
        );
        let fine = service
            .check_config(tonic::Request::new(crate::proto::CheckRequest {
                news: Some(config_struct(20.0)),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(fine.failures.is_empty(), "{:?}", fine.failures);
    }

    /// A note whose store is out of reach: every create fails the way a
    /// cloud API call does.
    struct FailingNote;

    #[async_trait]
    impl CustomResource for FailingNote {
        type Provider = TestPackage;
        const TOKEN: &'static str = "example:index:FailingNote";
        type Inputs = NoteInputs;
        type Outputs = NoteOutputs;

        async fn create(
            &self,
            _ctx: &Context<TestPackage>,
            inputs: &NoteInputs,
        ) -> Result<Created<NoteOutputs>> {
            // As a cloud API's refusal, it quotes what it was sent.
            Err(ProviderError::Service(Box::new(std::io::Error::other(
                format!(
                    "store PutNote failed after 3 attempts: note by '{}' not stored: connection reset",
                    inputs.author.as_str()
                ),
            ))))
        }

        async fn read(
            &self,
            ctx: &Context<TestPackage>,
            id: &str,
            outputs: &NoteOutputs,
        ) -> Result<ReadOutcome<NoteInputs, NoteOutputs>> {
            Note.read(ctx, id, outputs).await
        }

        async fn delete(
            &self,
            _ctx: &Context<TestPackage>,
            _id: &str,
            _outputs: &NoteOutputs,
        ) -> Result<()> {
            Err(ProviderError::Service(Box::new(std::io::Error::other(
                "store DeleteNote failed: timeout",
            ))))
        }
    }

    #[tokio::test]
    async fn a_cloud_call_error_names_the_resource_operation_it_failed() {
        use crate::proto::resource_provider_server::ResourceProvider;
        let service = service();
        service
            .configure(tonic::Request::new(
                crate::proto::ConfigureRequest::default(),
            ))
            .await
            .unwrap();
        let urn = "urn:pulumi:dev::p::example:index:FailingNote::journal";
        let created = service
            .create(tonic::Request::new(crate::proto::CreateRequest {
                urn: urn.into(),
                r#type: FailingNote::TOKEN.into(),
                properties: Some(crate::wire::properties_to_struct(&note("ann".into()))),
                ..Default::default()
            }))
            .await
            .unwrap_err();
        assert_eq!(
            created.message(),
            "creating example:index:FailingNote \"journal\": \
             store PutNote failed after 3 attempts: note by 'ann' not stored: connection reset"
        );
        let mut stored = note("ann".into());
        stored.insert("noteId".into(), "note-7".into());
        let deleted = service
            .delete(tonic::Request::new(crate::proto::DeleteRequest {
                urn: urn.into(),
                id: "note-7".into(),
                r#type: FailingNote::TOKEN.into(),
                properties: Some(crate::wire::properties_to_struct(&stored)),
                ..Default::default()
            }))
            .await
            .unwrap_err();
        assert_eq!(
            deleted.message(),
            "deleting example:index:FailingNote \"journal\" (id note-7): \
             store DeleteNote failed: timeout"
        );
    }

    #[tokio::test]
    async fn a_cloud_call_given_up_on_names_its_operation_but_not_a_secret_it_quotes() {
        use crate::proto::resource_provider_server::ResourceProvider;
        let service = service();
        service
            .configure(tonic::Request::new(
                crate::proto::ConfigureRequest::default(),
            ))
            .await
            .unwrap();
        let created = service
            .create(tonic::Request::new(crate::proto::CreateRequest {
                urn: "urn:pulumi:dev::p::example:index:FailingNote::journal".into(),
                r#type: FailingNote::TOKEN.into(),
                properties: Some(crate::wire::properties_to_struct(&note(
                    PropertyValue::Secret(Box::new("agent-007".into())),
                ))),
                ..Default::default()
            }))
            .await
            .unwrap_err();
        assert_eq!(
            created.message(),
            "creating example:index:FailingNote \"journal\": \
             store PutNote failed after 3 attempts: note by '[secret]' not stored: connection reset"
        );
    }

    #[test]
    fn errors_that_are_not_cloud_calls_keep_their_message() {
        let error = ProviderError::failed("the note is too long").on_resource(
            "creating",
            "urn:pulumi:dev::p::example:index:Note::n",
            "",
        );
        assert_eq!(error.to_string(), "the note is too long");
    }

    #[test]
    fn a_replacing_config_key_replaces() {
        let olds: PropertyMap = [("region".to_owned(), PropertyValue::from("a"))].into();
        let news: PropertyMap = [("region".to_owned(), PropertyValue::from("b"))].into();
        assert!(diff_config(&olds, &news, TestPackage::REPLACE_ON_CHANGE).replaces());
    }

    /// An engine's resource monitor that records registrations and answers
    /// custom resources with their inputs plus a `noteId`.
    #[derive(Default)]
    struct RecordingMonitor {
        registered: std::sync::Mutex<Vec<crate::proto::RegisterResourceRequest>>,
        outputs: std::sync::Mutex<Vec<crate::proto::RegisterResourceOutputsRequest>>,
    }

    #[tonic::async_trait]
    impl crate::proto::resource_monitor_server::ResourceMonitor for Arc<RecordingMonitor> {
        async fn supports_feature(
            &self,
            _: tonic::Request<crate::proto::SupportsFeatureRequest>,
        ) -> std::result::Result<
            tonic::Response<crate::proto::SupportsFeatureResponse>,
            tonic::Status,
        > {
            Ok(tonic::Response::new(Default::default()))
        }

        async fn register_resource(
            &self,
            request: tonic::Request<crate::proto::RegisterResourceRequest>,
        ) -> std::result::Result<
            tonic::Response<crate::proto::RegisterResourceResponse>,
            tonic::Status,
        > {
            let request = request.into_inner();
            let urn = format!("urn:pulumi:dev::p::{}::{}", request.r#type, request.name);
            let mut object = request.object.clone().unwrap_or_default();
            if request.custom {
                object.fields.insert(
                    "noteId".into(),
                    prost_types::Value {
                        kind: Some(prost_types::value::Kind::StringValue(format!(
                            "id-{}",
                            request.name
                        ))),
                    },
                );
            }
            self.registered.lock().unwrap().push(request);
            Ok(tonic::Response::new(
                crate::proto::RegisterResourceResponse {
                    urn,
                    object: Some(object),
                    ..Default::default()
                },
            ))
        }

        async fn register_resource_outputs(
            &self,
            request: tonic::Request<crate::proto::RegisterResourceOutputsRequest>,
        ) -> std::result::Result<tonic::Response<()>, tonic::Status> {
            self.outputs.lock().unwrap().push(request.into_inner());
            Ok(tonic::Response::new(()))
        }
    }

    #[tokio::test]
    async fn a_nested_component_registers_under_its_parent_and_wires_outputs() {
        let monitor = Arc::new(RecordingMonitor::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let server = tonic::transport::Server::builder()
            .add_service(
                crate::proto::resource_monitor_server::ResourceMonitorServer::new(monitor.clone()),
            )
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener));
        tokio::spawn(server);

        let channel = tonic::transport::Endpoint::from_shared(format!("http://{address}"))
            .unwrap()
            .connect()
            .await
            .unwrap();
        let scope = Scope::<TestPackage>::new(
            crate::proto::resource_monitor_client::ResourceMonitorClient::new(channel),
            "urn:shelf".into(),
            Default::default(),
            Default::default(),
            crate::scope::Program {
                dry_run: false,
                stack: "dev".into(),
                project: "p".into(),
            },
            Some(Arc::new(Store::default())),
        );
        assert!(scope.clients().is_ok());
        let author = Output::from_parts(Some("ann".to_owned()), true, vec!["urn:author".into()]);
        let outputs = Shelf
            .construct(&scope, "shelf", ShelfArgs { author })
            .await
            .unwrap();

        assert_eq!(
            outputs.note_ids.get(),
            Some(&vec![
                "id-shelf-book-0".to_owned(),
                "id-shelf-book-1".to_owned()
            ])
        );
        let registered = monitor.registered.lock().unwrap();
        let book = registered.iter().find(|r| r.name == "shelf-book").unwrap();
        assert_eq!(book.r#type, "example:index:Notebook");
        assert!(!book.custom);
        assert_eq!(book.parent, "urn:shelf");
        assert_eq!(book.version, "0.0.1");
        assert_eq!(
            book.plugin_download_url,
            "https://plugins.example.com/example/v${VERSION}"
        );
        let notes: Vec<_> = registered.iter().filter(|r| r.custom).collect();
        assert_eq!(notes.len(), 2);
        for note in notes {
            assert_eq!(
                note.parent,
                "urn:pulumi:dev::p::example:index:Notebook::shelf-book"
            );
            // The author's dependency and secretness travel to the child.
            assert_eq!(
                note.property_dependencies["author"].urns,
                vec!["urn:author".to_owned()]
            );
            let author = crate::wire::struct_to_properties(note.object.as_ref())["author"].clone();
            assert!(author.is_secret(), "{author:?}");
            assert_eq!(note.version, "0.0.1");
            // With the download URL, as the program's resources: the same default provider.
            assert_eq!(
                note.plugin_download_url,
                "https://plugins.example.com/example/v${VERSION}"
            );
        }
        // The nested component recorded its outputs.
        let outputs = monitor.outputs.lock().unwrap();
        assert!(
            outputs
                .iter()
                .any(|o| o.urn.ends_with("Notebook::shelf-book"))
        );
    }
}

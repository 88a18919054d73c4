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
}

/// Notes by id.
pub type Store = Mutex<BTreeMap<String, String>>;

#[async_trait]
impl Package for TestPackage {
    const NAME: &'static str = "example";
    const VERSION: &'static str = "0.0.1";
    const REPLACE_ON_CHANGE: &'static [&'static str] = &["region"];
    type Config = TestConfig;
    type Clients = Store;

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

    fn check(&self, inputs: &NoteInputs) -> Failures {
        let mut failures = Failures::new();
        failures.require(!inputs.text.is_empty(), "text", "must not be empty");
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

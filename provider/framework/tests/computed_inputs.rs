//! Computed inputs (a name hashed from the content) at preview: unknown
//! while an input they derive from is unknown, known while only inputs they
//! leave out are (`CustomResource::NOT_IN_COMPUTED_INPUTS`). A preview must
//! not show a replacement that `up` will not make.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use pulumi_provider_framework::wire::{PropertyMap, PropertyValue, UnknownKind};
use pulumi_provider_framework::{
    Context, Created, CustomResource, DynResource, Output, Package, ReadOutcome, Registry, Result,
    encode_plain,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

struct Shelf;

#[derive(Debug, Default, Deserialize, JsonSchema)]
struct ShelfConfig {}

#[async_trait]
impl Package for Shelf {
    const NAME: &'static str = "shelf";
    const VERSION: &'static str = "0.0.1";
    type Config = ShelfConfig;
    type Clients = ();

    async fn configure(_config: &ShelfConfig) -> Result<()> {
        Ok(())
    }

    fn schema_metadata() -> serde_json::Map<String, serde_json::Value> {
        serde_json::Map::new()
    }
}

/// A box named after its content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct BoxInputs {
    /// What the box holds: part of the name.
    content: String,
    /// Who packed it: part of the name too (not listed as left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    packer: Option<Output<String>>,
    /// Labels on the box: not part of the name.
    #[serde(default)]
    labels: BTreeMap<String, String>,
    /// The computed name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    box_name: Option<String>,
}

struct PackedBox;

#[async_trait]
impl CustomResource for PackedBox {
    type Provider = Shelf;
    const TOKEN: &'static str = "shelf:index:Box";
    const UPDATABLE: &'static [&'static str] = &["labels"];
    const NOT_IN_COMPUTED_INPUTS: &'static [&'static str] = &["labels", "boxName"];
    type Inputs = BoxInputs;
    type Outputs = BoxInputs;

    fn computed_inputs(&self, inputs: &BoxInputs) -> Vec<(&'static str, serde_json::Value)> {
        let packer = inputs
            .packer
            .as_ref()
            .and_then(|p| p.get().cloned())
            .unwrap_or_default();
        vec![("boxName", format!("box-{}-{packer}", inputs.content).into())]
    }

    async fn create(
        &self,
        _ctx: &Context<Shelf>,
        inputs: &BoxInputs,
    ) -> Result<Created<BoxInputs>> {
        Ok(Created {
            id: "box".into(),
            outputs: inputs.clone(),
        })
    }

    async fn read(
        &self,
        _ctx: &Context<Shelf>,
        id: &str,
        outputs: &BoxInputs,
    ) -> Result<ReadOutcome<BoxInputs, BoxInputs>> {
        Ok(ReadOutcome::Found {
            id: id.into(),
            inputs: outputs.clone(),
            outputs: outputs.clone(),
        })
    }

    async fn delete(&self, _ctx: &Context<Shelf>, _id: &str, _outputs: &BoxInputs) -> Result<()> {
        Ok(())
    }
}

fn unknown() -> PropertyValue {
    PropertyValue::Unknown(UnknownKind::Generic)
}

fn recorded() -> BoxInputs {
    BoxInputs {
        content: "books".into(),
        packer: Some(Output::new("ann".into())),
        labels: [("room".to_owned(), "attic".to_owned())].into(),
        box_name: None,
    }
}

/// Checks `news` (the recorded inputs with `field` set to `value`) as at
/// preview; the checked inputs and their diff against the recorded ones.
fn preview(
    field: &str,
    value: PropertyValue,
) -> (PropertyMap, pulumi_provider_framework::DiffOutcome) {
    let registry = Registry::builder().resource(PackedBox).build();
    let erased: Arc<dyn DynResource<Shelf>> = registry.resource(PackedBox::TOKEN).unwrap();
    let (olds, failures) = erased.check(&encode_plain(&recorded()).unwrap(), None);
    assert!(failures.is_empty(), "{failures:?}");
    assert_eq!(
        olds["boxName"],
        PropertyValue::String("box-books-ann".into())
    );
    let mut news = encode_plain(&recorded()).unwrap();
    news.insert(field.to_owned(), value);
    let (news, _) = erased.check(&news, None);
    let diff = erased.diff(&olds, &news);
    (news, diff)
}

#[test]
fn a_left_out_input_not_known_yet_keeps_the_computed_input_known() {
    let one_label = PropertyValue::Object([("room".to_owned(), unknown())].into_iter().collect());
    for labels in [one_label, unknown()] {
        let (checked, diff) = preview("labels", labels);
        assert_eq!(
            checked["boxName"],
            PropertyValue::String("box-books-ann".into())
        );
        assert!(!diff.replaces(), "{diff:?}");
        assert_eq!(diff.changes.len(), 1, "{diff:?}");
        assert_eq!(diff.changes[0].field, "labels");
    }
}

#[test]
fn a_source_not_known_yet_makes_the_computed_input_unknown() {
    // `content` does not even decode while unknown; `packer` does (an
    // Output), and is not listed as left out: both are sources.
    for field in ["content", "packer"] {
        let (checked, diff) = preview(field, unknown());
        assert!(
            checked.get("boxName").is_none_or(|name| *name == unknown()),
            "{field}: {checked:?}"
        );
        assert!(diff.replaces(), "{field}: {diff:?}");
    }
}

//! Pure, generic diffing of inputs: no AWS calls.

use serde_json::Value;

use crate::wire::{PropertyMap, properties_to_json};

/// One changed input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: String,
    /// True when the change forces a replacement.
    pub replace: bool,
}

/// The result of comparing recorded inputs with new ones.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DiffOutcome {
    pub changes: Vec<FieldChange>,
    pub delete_before_replace: bool,
    /// Output fields of the recorded state that force a replacement
    /// whatever the inputs (see `CustomResource::replacement_forced_by`):
    /// the old object is deleted first.
    pub forced_by_state: Vec<String>,
}

impl DiffOutcome {
    pub fn has_changes(&self) -> bool {
        !self.changes.is_empty() || !self.forced_by_state.is_empty()
    }

    pub fn replaces(&self) -> bool {
        self.changes.iter().any(|change| change.replace) || !self.forced_by_state.is_empty()
    }

    /// This outcome, also replacing because of the recorded state's
    /// `fields` (when there are any), deleting the old object first.
    pub fn forced_by(mut self, fields: Vec<String>) -> Self {
        if !fields.is_empty() {
            self.delete_before_replace = true;
            self.forced_by_state = fields;
        }
        self
    }
}

/// Compares inputs field by field. A field whose new value is unknown counts
/// as changed. Secretness alone is not a change.
pub fn diff_inputs(
    olds: &PropertyMap,
    news: &PropertyMap,
    updatable: &[&str],
    ignored: &[&str],
    delete_before_replace: bool,
) -> DiffOutcome {
    let old_view = properties_to_json(olds).value;
    let new_view = properties_to_json(news).value;
    let mut fields: Vec<&String> = olds.keys().chain(news.keys()).collect();
    fields.sort();
    fields.dedup();
    let changes: Vec<FieldChange> = fields
        .into_iter()
        .filter(|field| !ignored.contains(&field.as_str()))
        .filter(|field| {
            let unknown = news.get(*field).is_some_and(|v| v.contains_unknowns());
            unknown || !same(old_view.get(field.as_str()), new_view.get(field.as_str()))
        })
        .map(|field| FieldChange {
            field: field.clone(),
            replace: !updatable.contains(&field.as_str()),
        })
        .collect();
    let replaces = changes.iter().any(|c| c.replace);
    DiffOutcome {
        changes,
        delete_before_replace: replaces && delete_before_replace,
        forced_by_state: Vec::new(),
    }
}

/// The keys the engine itself adds to a provider resource's inputs: which
/// plugin serves it (`version`, `pluginDownloadURL`, and the `__internal`
/// map that holds them in newer engines), not how it is configured.
const ENGINE_PROVIDER_KEYS: &[&str] = &["version", "pluginDownloadURL", "__internal"];

/// Diff of provider configuration: a change to one of `replacing` (say, the
/// region: the resources live in the old one, and the old provider must
/// delete them there) replaces the resources; anything else updates in
/// place. Keys may come with or without their `<package>:` prefix. The
/// engine's own keys are no configuration: a new release of the plugin
/// (a new `version`) changes nothing, and the engine records the new
/// version with the unchanged provider.
pub fn diff_config(olds: &PropertyMap, news: &PropertyMap, replacing: &[&str]) -> DiffOutcome {
    let replaces = |key: &str| replacing.contains(&key.rsplit(':').next().unwrap_or(key));
    let updatable: Vec<&str> = olds
        .keys()
        .chain(news.keys())
        .map(String::as_str)
        .filter(|key| !replaces(key))
        .collect();
    diff_inputs(olds, news, &updatable, ENGINE_PROVIDER_KEYS, false)
}

/// The engine's view of a diff.
pub fn diff_to_proto(outcome: &DiffOutcome) -> crate::proto::DiffResponse {
    use crate::proto::{PropertyDiff, diff_response::DiffChanges, property_diff::Kind};
    let changes = if outcome.has_changes() {
        DiffChanges::DiffSome
    } else {
        DiffChanges::DiffNone
    };
    let input_changes = outcome.changes.iter().map(|c| (&c.field, c.replace, true));
    // A replacement forced by the state is a difference of outputs, not of
    // inputs: the engine shows it from the recorded outputs.
    let state_changes = outcome.forced_by_state.iter().map(|f| (f, true, false));
    let all: Vec<(&String, bool, bool)> = input_changes.chain(state_changes).collect();
    crate::proto::DiffResponse {
        replaces: all
            .iter()
            .filter(|(_, replace, _)| *replace)
            .map(|(field, _, _)| (*field).clone())
            .collect(),
        stables: Vec::new(),
        delete_before_replace: outcome.delete_before_replace,
        changes: changes as i32,
        diffs: all.iter().map(|(field, _, _)| (*field).clone()).collect(),
        detailed_diff: all
            .iter()
            .map(|(field, replace, input_diff)| {
                let kind = if *replace {
                    Kind::UpdateReplace
                } else {
                    Kind::Update
                };
                (
                    (*field).clone(),
                    PropertyDiff {
                        kind: kind as i32,
                        input_diff: *input_diff,
                    },
                )
            })
            .collect(),
        has_detailed_diff: true,
    }
}

/// Absent and null are the same; numbers compare by value.
fn same(old: Option<&Value>, new: Option<&Value>) -> bool {
    match (old, new) {
        (None | Some(Value::Null), None | Some(Value::Null)) => true,
        (Some(Value::Number(a)), Some(Value::Number(b))) => a.as_f64() == b.as_f64(),
        (Some(Value::Array(a)), Some(Value::Array(b))) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(Some(x), Some(y)))
        }
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let keys = a.keys().chain(b.keys());
            keys.into_iter().all(|k| same(a.get(k), b.get(k)))
        }
        (a, b) => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{PropertyValue, UnknownKind};

    fn map(entries: &[(&str, PropertyValue)]) -> PropertyMap {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn a_new_region_replaces_and_new_tags_update() {
        let olds = map(&[("region", "us-east-1".into()), ("profile", "a".into())]);
        let news = map(&[("region", "eu-west-1".into()), ("profile", "b".into())]);
        let outcome = diff_config(&olds, &news, &["region"]);
        assert_eq!(
            outcome.changes,
            vec![
                FieldChange {
                    field: "profile".into(),
                    replace: false
                },
                FieldChange {
                    field: "region".into(),
                    replace: true
                },
            ]
        );
    }

    #[test]
    fn a_new_plugin_version_is_no_configuration_change() {
        let olds = map(&[("region", "us-east-1".into()), ("version", "0.1.0".into())]);
        let news = map(&[("region", "us-east-1".into()), ("version", "0.2.0".into())]);
        assert!(!diff_config(&olds, &news, &["region"]).has_changes());
        let news = map(&[("region", "eu-west-1".into()), ("version", "0.2.0".into())]);
        assert!(diff_config(&olds, &news, &["region"]).replaces());
    }

    #[test]
    fn equal_inputs_have_no_changes() {
        let olds = map(&[("name", "a".into()), ("count", 1.0.into())]);
        let outcome = diff_inputs(&olds, &olds.clone(), &[], &[], false);
        assert!(!outcome.has_changes());
    }

    #[test]
    fn updatable_fields_update_and_others_replace() {
        let olds = map(&[("name", "a".into()), ("rotation", true.into())]);
        let news = map(&[("name", "b".into()), ("rotation", false.into())]);
        let outcome = diff_inputs(&olds, &news, &["rotation"], &[], true);
        assert_eq!(
            outcome.changes,
            vec![
                FieldChange {
                    field: "name".into(),
                    replace: true
                },
                FieldChange {
                    field: "rotation".into(),
                    replace: false
                },
            ]
        );
        assert!(outcome.delete_before_replace);
    }

    #[test]
    fn unknown_new_values_count_as_changes_and_ignored_fields_do_not() {
        let olds = map(&[("arn", "x".into()), ("count", 1.0.into())]);
        let news = map(&[
            ("arn", PropertyValue::Unknown(UnknownKind::Generic)),
            ("count", 5.0.into()),
        ]);
        let outcome = diff_inputs(&olds, &news, &["arn"], &["count"], false);
        assert_eq!(
            outcome.changes,
            vec![FieldChange {
                field: "arn".into(),
                replace: false
            }]
        );
    }

    #[test]
    fn a_replacement_forced_by_the_state_deletes_first_and_diffs_outputs() {
        let olds = map(&[("name", "a".into())]);
        let outcome = diff_inputs(&olds, &olds.clone(), &[], &[], false);
        assert!(!outcome.has_changes());
        let outcome = outcome.forced_by(vec!["status".into()]);
        assert!(outcome.has_changes() && outcome.replaces());
        assert!(outcome.delete_before_replace);
        let response = diff_to_proto(&outcome);
        assert_eq!(response.replaces, ["status"]);
        assert_eq!(response.diffs, ["status"]);
        assert!(response.delete_before_replace);
        let status = &response.detailed_diff["status"];
        assert!(!status.input_diff);
        assert_eq!(
            status.kind,
            crate::proto::property_diff::Kind::UpdateReplace as i32
        );
        // Nothing forced: the outcome stays as it was.
        let plain = diff_inputs(&olds, &olds.clone(), &[], &[], false).forced_by(Vec::new());
        assert!(!plain.has_changes() && !plain.delete_before_replace);
    }

    #[test]
    fn secretness_alone_is_not_a_change_and_null_equals_absent() {
        let olds = map(&[("token", "s".into()), ("extra", PropertyValue::Null)]);
        let news = map(&[("token", PropertyValue::Secret(Box::new("s".into())))]);
        assert!(!diff_inputs(&olds, &news, &[], &[], false).has_changes());
    }
}

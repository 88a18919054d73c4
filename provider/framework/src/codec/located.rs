//! Decoding failures located in the property map: the path of the property
//! each is about (a missing property named too, never the empty path), and
//! every failure at once rather than the first.

use serde::de::DeserializeOwned;
use serde_path_to_error::Segment;

use super::decode_error::{DecodeError, FieldProblem};
use super::deserializer::{MapValue, Unknowns};
use crate::check::CheckFailure;
use crate::output::OUTPUT_VALUE_KEY;
use crate::wire::{PropertyMap, PropertyValue, UnknownKind};

/// Most failures one decoding reports: past these, the rest are left for
/// the next Check.
const MAX_FAILURES: usize = 20;

/// One step of a property path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    Key(String),
    Index(usize),
}

/// A decoding failure and where it is.
#[derive(Debug)]
pub(crate) struct Located {
    pub failure: CheckFailure,
    steps: Vec<Step>,
    /// The property is one the type does not have (removed, not replaced,
    /// to read on).
    unknown_field: bool,
}

/// Reads `T` from `map`, locating a failure.
pub(crate) fn decode_located<T: DeserializeOwned>(
    map: &PropertyMap,
    unknowns: Unknowns,
) -> Result<T, Located> {
    serde_path_to_error::deserialize(MapValue::new(map, unknowns)).map_err(locate)
}

pub(crate) fn locate(error: serde_path_to_error::Error<DecodeError>) -> Located {
    let mut steps: Vec<Step> = error
        .path()
        .iter()
        .filter_map(|segment| match segment {
            Segment::Seq { index } => Some(Step::Index(*index)),
            // An [`crate::Output`] reads its value under a key of its own.
            Segment::Map { key } if key == OUTPUT_VALUE_KEY => None,
            Segment::Map { key } => Some(Step::Key(key.clone())),
            Segment::Enum { variant } => Some(Step::Key(variant.clone())),
            Segment::Unknown => None,
        })
        .collect();
    let error = error.into_inner();
    let mut unknown_field = false;
    match error.field() {
        Some(FieldProblem::Missing(field)) => steps.push(Step::Key((*field).to_owned())),
        Some(FieldProblem::Unknown(field)) => {
            // The path may already end at the unknown key.
            if steps.last() != Some(&Step::Key(field.clone())) {
                steps.push(Step::Key(field.clone()));
            }
            unknown_field = true;
        }
        None => {}
    }
    Located {
        failure: CheckFailure::new(render(&steps), error.into_reason()),
        steps,
        unknown_field,
    }
}

/// A path as users write it: `modelList[2].variantName`.
fn render(steps: &[Step]) -> String {
    let mut path = String::new();
    for step in steps {
        match step {
            Step::Key(key) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Step::Index(index) => path.push_str(&format!("[{index}]")),
        }
    }
    path
}

/// Every reason `map` does not read as `T`, known values only: a value not
/// known yet stands for any value of the right type. Empty when `map`
/// reads (or would, once its unknowns are known).
pub(crate) fn all_failures<T: DeserializeOwned>(map: &PropertyMap) -> Vec<CheckFailure> {
    let mut map = map.clone();
    let mut failures = Vec::new();
    while failures.len() < MAX_FAILURES {
        let Err(located) = decode_located::<T>(&map, Unknowns::AsPlaceholders) else {
            break;
        };
        // A failure where a value is not known is the placeholder's, not
        // the user's (a type that checks its values itself).
        if reaches_unknown(&map, &located.steps) {
            break;
        }
        let read_on = if located.unknown_field {
            remove(&mut map, &located.steps)
        } else {
            mark_unknown(&mut map, &located.steps)
        };
        failures.push(located.failure);
        if !read_on {
            break;
        }
    }
    failures
}

/// The value itself, looking through secrets and output values; `None`
/// when it is not known.
fn known(value: &PropertyValue) -> Option<&PropertyValue> {
    match value {
        PropertyValue::Secret(inner) => known(inner),
        PropertyValue::Output(out) => out.value.as_deref().and_then(known),
        PropertyValue::Unknown(_) => None,
        other => Some(other),
    }
}

/// True when the path passes through, or ends at, a value not known yet.
fn reaches_unknown(map: &PropertyMap, steps: &[Step]) -> bool {
    let Some((Step::Key(first), rest)) = steps.split_first() else {
        return false;
    };
    let mut current = match map.get(first) {
        Some(value) => value,
        None => return false,
    };
    for step in rest {
        let Some(plain) = known(current) else {
            return true;
        };
        let next = match (plain, step) {
            (PropertyValue::Object(map), Step::Key(key)) => map.get(key),
            (PropertyValue::Array(items), Step::Index(index)) => items.get(*index),
            _ => None,
        };
        match next {
            Some(value) => current = value,
            None => return false,
        }
    }
    known(current).is_none()
}

/// The value itself for changing, looking through secrets and known
/// output values.
fn known_mut(value: &mut PropertyValue) -> Option<&mut PropertyValue> {
    match value {
        PropertyValue::Secret(inner) => known_mut(inner),
        PropertyValue::Output(out) => out.value.as_deref_mut().and_then(known_mut),
        PropertyValue::Unknown(_) => None,
        other => Some(other),
    }
}

/// The value that holds the last step of `steps`, and that step.
fn parent<'m>(
    map: &'m mut PropertyMap,
    steps: &'m [Step],
) -> Option<(&'m mut PropertyValue, &'m Step)> {
    let (last, parents) = steps.split_last()?;
    let (Step::Key(first), rest) = parents.split_first()? else {
        return None;
    };
    let mut current = map.get_mut(first)?;
    for step in rest {
        current = match (known_mut(current)?, step) {
            (PropertyValue::Object(map), Step::Key(key)) => map.get_mut(key)?,
            (PropertyValue::Array(items), Step::Index(index)) => items.get_mut(*index)?,
            _ => return None,
        };
    }
    Some((known_mut(current)?, last))
}

/// Makes the value at `steps` unknown (adding it when it is missing), so
/// that reading on passes it. False when the path cannot be followed.
fn mark_unknown(map: &mut PropertyMap, steps: &[Step]) -> bool {
    let unknown = PropertyValue::Unknown(UnknownKind::Generic);
    if let [Step::Key(key)] = steps {
        map.insert(key.clone(), unknown);
        return true;
    }
    match parent(map, steps) {
        Some((PropertyValue::Object(object), Step::Key(key))) => {
            object.insert(key.clone(), unknown);
            true
        }
        Some((PropertyValue::Array(items), Step::Index(index))) => match items.get_mut(*index) {
            Some(item) => {
                *item = unknown;
                true
            }
            None => false,
        },
        _ => false,
    }
}

/// Removes the property at `steps` from its object.
fn remove(map: &mut PropertyMap, steps: &[Step]) -> bool {
    if let [Step::Key(key)] = steps {
        return map.remove(key).is_some();
    }
    match parent(map, steps) {
        Some((PropertyValue::Object(object), Step::Key(key))) => object.remove(key).is_some(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Inputs {
        alias_name: String,
        description: String,
        #[serde(default)]
        deletion_window_in_days: Option<u32>,
        #[serde(default)]
        rules: Vec<Rule>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Rule {
        name: String,
        weight: f64,
    }

    fn map(json: serde_json::Value) -> PropertyMap {
        crate::wire::properties_from_json(&json, &[])
    }

    #[test]
    fn a_missing_property_is_named_by_its_path() {
        let failures = all_failures::<Inputs>(&map(serde_json::json!({
            "aliasName": "a",
            "rules": [{ "name": "r", "weight": 1 }, { "weight": 2 }],
        })));
        let properties: Vec<&str> = failures.iter().map(|f| f.property.as_str()).collect();
        assert_eq!(properties, ["rules[1].name", "description"]);
        assert!(failures.iter().all(|f| f.reason == "is required"));
    }

    #[test]
    fn every_bad_known_value_is_reported_beside_an_unknown_one() {
        let mut news = map(serde_json::json!({
            "description": 12345,
            "deletionWindowInDays": "abc",
        }));
        news.insert(
            "aliasName".into(),
            PropertyValue::Unknown(UnknownKind::Generic),
        );
        let failures = all_failures::<Inputs>(&news);
        let properties: Vec<&str> = failures.iter().map(|f| f.property.as_str()).collect();
        assert_eq!(properties, ["deletionWindowInDays", "description"]);
    }

    #[test]
    fn unknown_values_of_any_type_and_depth_pass() {
        let mut news = map(serde_json::json!({ "description": "d" }));
        news.insert(
            "aliasName".into(),
            PropertyValue::Unknown(UnknownKind::Generic),
        );
        news.insert(
            "rules".into(),
            PropertyValue::Array(vec![PropertyValue::Unknown(UnknownKind::Object)]),
        );
        assert_eq!(all_failures::<Inputs>(&news), Vec::new());
    }

    #[test]
    fn a_list_is_not_read_as_an_object() {
        let failures = all_failures::<Inputs>(&map(serde_json::json!({
            "aliasName": "a", "description": "d", "rules": [["r", 1]],
        })));
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert_eq!(failures[0].property, "rules[0]");
        assert_eq!(failures[0].reason, "must be an object, not a list");
    }
}

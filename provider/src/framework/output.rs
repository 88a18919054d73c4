//! Combining output values, like an SDK's `Output.apply`.

use crate::wire::{OutputValue, PropertyValue};

/// Applies `f` to the known strings of `values`; the result depends on all
/// of them, is secret when any is, and is unknown when any is unknown.
pub fn apply_strings(
    values: &[&PropertyValue],
    f: impl FnOnce(&[&str]) -> String,
) -> PropertyValue {
    let mut dependencies: Vec<String> = values.iter().flat_map(|v| v.dependencies()).collect();
    dependencies.sort();
    dependencies.dedup();
    let secret = values.iter().any(|v| v.contains_secrets());
    let known: Option<Vec<&str>> = values.iter().map(|v| v.as_str()).collect();
    PropertyValue::Output(OutputValue {
        value: known.map(|strings| Box::new(PropertyValue::String(f(&strings)))),
        secret,
        dependencies,
    })
}

/// Applies `f` to the plain JSON of `values` once all are known; like
/// [`apply_strings`] for any shape of value.
pub fn apply_json(
    values: &[&PropertyValue],
    f: impl FnOnce(&[serde_json::Value]) -> serde_json::Value,
) -> PropertyValue {
    let mut dependencies: Vec<String> = values.iter().flat_map(|v| v.dependencies()).collect();
    dependencies.sort();
    dependencies.dedup();
    let secret = values.iter().any(|v| v.contains_secrets());
    let known = !values.iter().any(|v| v.contains_unknowns());
    let value = known.then(|| {
        let plain: Vec<serde_json::Value> = values
            .iter()
            .map(|v| crate::wire::value_to_json(v))
            .collect();
        Box::new(crate::wire::value_from_json(&f(&plain)))
    });
    PropertyValue::Output(OutputValue {
        value,
        secret,
        dependencies,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::UnknownKind;

    fn output(value: Option<&str>, dep: &str) -> PropertyValue {
        PropertyValue::Output(OutputValue {
            value: value.map(|v| Box::new(PropertyValue::String(v.into()))),
            secret: false,
            dependencies: vec![dep.into()],
        })
    }

    #[test]
    fn known_values_combine_and_keep_every_dependency() {
        let joined = apply_strings(&[&output(Some("a"), "u1"), &output(Some("b"), "u2")], |s| {
            s.join("+")
        });
        assert_eq!(joined.as_str(), Some("a+b"));
        assert_eq!(
            joined.dependencies(),
            vec!["u1".to_string(), "u2".to_string()]
        );
    }

    #[test]
    fn an_unknown_input_makes_the_result_unknown() {
        let unknown = PropertyValue::Unknown(UnknownKind::Generic);
        let joined = apply_strings(&[&output(Some("a"), "u1"), &unknown], |s| s.join("+"));
        assert!(joined.contains_unknowns());
        assert_eq!(joined.dependencies(), vec!["u1".to_string()]);
    }
}

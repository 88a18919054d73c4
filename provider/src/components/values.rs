//! Small helpers for building children's inputs and components' outputs.

use crate::framework::Child;
use crate::wire::{PropertyMap, PropertyValue};

/// A property map from `(key, value)` pairs.
pub fn props<const N: usize>(entries: [(&str, PropertyValue); N]) -> PropertyMap {
    entries
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value))
        .collect()
}

/// Component outputs copied from children: `(output name, child, child output)`.
pub fn outputs_from<const N: usize>(entries: [(&str, &Child, &str); N]) -> PropertyMap {
    entries
        .into_iter()
        .map(|(name, child, key)| (name.to_owned(), child.output(key)))
        .collect()
}

//! Resource tags, as every AWS API spells them.

use std::collections::BTreeMap;

/// Tags on an AWS object: key to value.
pub type Tags = BTreeMap<String, String>;

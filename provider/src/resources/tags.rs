//! Resource tags, as every AWS API spells them.

use std::collections::BTreeMap;

/// Tags on an AWS object: key to value.
pub type Tags = BTreeMap<String, String>;

/// Keys in `olds` that `news` no longer has: what an untag call must remove.
pub fn removed_keys(olds: &Tags, news: &Tags) -> Vec<String> {
    olds.keys()
        .filter(|key| !news.contains_key(*key))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removed_keys_are_the_ones_gone() {
        let olds: Tags = [("a".into(), "1".into()), ("b".into(), "2".into())].into();
        let news: Tags = [("b".into(), "3".into())].into();
        assert_eq!(removed_keys(&olds, &news), ["a"]);
    }
}

//! Inputs for the fuzzer: well-typed inputs built from a shape, then broken
//! by mutations (a value of the wrong kind, unknowns, secrets, NaN and
//! infinities, huge strings, deep nesting, missing and extra properties),
//! or random property maps that ignore the schema.

use framework::wire::{OutputValue, PropertyMap, PropertyValue, ResourceReference, UnknownKind};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::sample::{Index, select};

use super::shapes::{Kind, ObjectShape, Shape};

/// How deep generated values nest (deep-nesting mutations go further).
const MAX_DEPTH: u32 = 5;

/// One step of a path into a property map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// A path as the provider names properties: `a.b[2].c`.
pub fn render(path: &[Step]) -> String {
    let mut text = String::new();
    for step in path {
        match step {
            Step::Key(key) => {
                if !text.is_empty() {
                    text.push('.');
                }
                text.push_str(key);
            }
            Step::Index(index) => text.push_str(&format!("[{index}]")),
        }
    }
    text
}

/// What one mutation does at the path it is applied to.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// A value of a kind the property's type does not admit (chosen among
    /// those by the index).
    WrongKind(Index),
    /// A value not known yet, as one of the typed sentinels.
    Unknown(UnknownKind),
    /// An output value without a value (unknown), maybe secret.
    UnknownOutput {
        secret: bool,
    },
    /// The value made secret, its strings and numbers replaced by marker
    /// texts the fuzzer looks for in everything the provider answers.
    Secret,
    /// NaN or an infinity.
    NonFinite(f64),
    Null,
    Remove,
    /// A string of this many characters.
    Huge(usize),
    /// Objects nested this deep.
    Deep(usize),
    /// Any value at all.
    Chaos(PropertyValue),
    /// An extra property the type does not have.
    ExtraKey(String, PropertyValue),
}

/// A mutation as applied: where, and what.
#[derive(Debug, Clone)]
pub struct Applied {
    pub path: Vec<Step>,
    pub mutation: Mutation,
    /// The property's type at the path.
    pub shape: Shape,
}

/// One fuzz case for one token.
#[derive(Debug, Clone)]
pub struct Case {
    /// Index of the target (resource, component or config).
    pub target: usize,
    /// The well-typed inputs before mutation (`None` for random inputs).
    pub valid: Option<PropertyMap>,
    pub news: PropertyMap,
    pub applied: Vec<Applied>,
    /// Marker texts that are secret in `news`: none may appear in plain
    /// text in anything the provider answers.
    pub secrets: Vec<String>,
}

/// Marker texts for secrets: distinctive, so that finding one in an
/// answer can only mean it leaked.
fn marker_texts() -> impl Strategy<Value = Vec<String>> {
    vec("[A-Za-z0-9]{6}", 4).prop_map(|tails| {
        tails
            .into_iter()
            .map(|tail| format!("Zsec{tail}"))
            .collect()
    })
}

fn marker_numbers() -> impl Strategy<Value = Vec<f64>> {
    vec(900_000u32..999_999, 2).prop_map(|n| n.into_iter().map(f64::from).collect())
}

/// A string as programs write them, now and then a tricky one.
fn string() -> BoxedStrategy<String> {
    prop_oneof![
        6 => "[a-z][a-z0-9-]{0,14}",
        1 => "arn:aws:[a-z]{2,9}:us-east-1:123456789012:[a-z]{1,8}/[a-z0-9-]{1,12}",
        1 => "s3://[a-z][a-z0-9-]{2,12}/[a-z0-9/.-]{0,16}",
        1 => "\\PC{0,12}",
        1 => select(vec![
            "",
            "%aé",
            "%",
            "%%22",
            "{\"Version\":\"2012-10-17\",\"Statement\":[]}",
            "{not json",
            "04da6b54",
            "ml.m5.large",
        ])
        .prop_map(str::to_owned),
    ]
    .boxed()
}

fn integer() -> BoxedStrategy<f64> {
    prop_oneof![
        4 => (0i64..=10).prop_map(|n| n as f64),
        2 => (0i64..=5000).prop_map(|n| n as f64),
        1 => any::<i32>().prop_map(f64::from),
    ]
    .boxed()
}

fn number() -> BoxedStrategy<f64> {
    prop_oneof![
        3 => 0.0f64..100.0,
        1 => -1e6f64..1e6,
        1 => integer(),
    ]
    .boxed()
}

/// A well-typed value of `shape`.
pub fn valid(shape: &Shape, depth: u32) -> BoxedStrategy<PropertyValue> {
    match shape {
        Shape::String => string().prop_map(PropertyValue::String).boxed(),
        Shape::Integer => integer().prop_map(PropertyValue::Number).boxed(),
        Shape::Number => number().prop_map(PropertyValue::Number).boxed(),
        Shape::Boolean => any::<bool>().prop_map(PropertyValue::Bool).boxed(),
        Shape::Enum(values) if !values.is_empty() => select(values.clone())
            .prop_map(PropertyValue::String)
            .boxed(),
        Shape::Enum(_) => string().prop_map(PropertyValue::String).boxed(),
        Shape::List(_) | Shape::Map(_) | Shape::Object(_) if depth >= MAX_DEPTH => {
            Just(PropertyValue::Null).boxed()
        }
        Shape::List(item) => vec(valid(item, depth + 1), 0..3)
            .prop_map(PropertyValue::Array)
            .boxed(),
        Shape::Map(item) => btree_map("[a-zA-Z][a-zA-Z0-9]{0,6}", valid(item, depth + 1), 0..3)
            .prop_map(PropertyValue::Object)
            .boxed(),
        Shape::Object(object) => valid_object(object, depth + 1)
            .prop_map(PropertyValue::Object)
            .boxed(),
        Shape::Any => chaos(2),
    }
}

/// A well-typed object: every required property, each optional one half
/// of the time.
pub fn valid_object(shape: &ObjectShape, depth: u32) -> BoxedStrategy<PropertyMap> {
    let properties: Vec<BoxedStrategy<Option<(String, PropertyValue)>>> = shape
        .properties
        .iter()
        .map(|(name, property)| {
            let name = name.clone();
            let value = valid(property, depth);
            if shape.required.contains(&name) {
                value.prop_map(move |v| Some((name.clone(), v))).boxed()
            } else {
                proptest::option::of(value.prop_map(move |v| (name.clone(), v))).boxed()
            }
        })
        .collect();
    properties
        .prop_map(|entries| entries.into_iter().flatten().collect())
        .boxed()
}

fn unknown_kind() -> impl Strategy<Value = UnknownKind> {
    select(vec![
        UnknownKind::Generic,
        UnknownKind::Bool,
        UnknownKind::Number,
        UnknownKind::Array,
        UnknownKind::Object,
        UnknownKind::Asset,
        UnknownKind::Archive,
    ])
}

fn non_finite() -> impl Strategy<Value = f64> {
    select(vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY])
}

/// Any property value at all, nested up to `depth`.
pub fn chaos(depth: u32) -> BoxedStrategy<PropertyValue> {
    let leaf = prop_oneof![
        Just(PropertyValue::Null),
        any::<bool>().prop_map(PropertyValue::Bool),
        any::<f64>().prop_map(PropertyValue::Number),
        non_finite().prop_map(PropertyValue::Number),
        integer().prop_map(PropertyValue::Number),
        string().prop_map(PropertyValue::String),
        unknown_kind().prop_map(PropertyValue::Unknown),
        (
            "urn:pulumi:dev::p::[a-z:]{3,20}::[a-z]{1,6}",
            proptest::option::of(string())
        )
            .prop_map(
                |(urn, id)| PropertyValue::ResourceReference(ResourceReference {
                    urn,
                    id: id.map(|id| Box::new(PropertyValue::String(id))),
                    package_version: String::new(),
                })
            ),
    ];
    leaf.prop_recursive(depth, 24, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(PropertyValue::Array),
            btree_map("[a-zA-Z]{1,6}", inner.clone(), 0..4).prop_map(PropertyValue::Object),
            inner
                .clone()
                .prop_map(|v| PropertyValue::Secret(Box::new(v))),
            (proptest::option::of(inner), any::<bool>()).prop_map(|(value, secret)| {
                PropertyValue::Output(OutputValue {
                    value: value.map(Box::new),
                    secret,
                    dependencies: vec!["urn:pulumi:dev::p::x:y:Z::dep".to_owned()],
                })
            }),
        ]
    })
    .boxed()
}

fn mutation() -> BoxedStrategy<Mutation> {
    prop_oneof![
        6 => any::<Index>().prop_map(Mutation::WrongKind),
        4 => unknown_kind().prop_map(Mutation::Unknown),
        2 => any::<bool>().prop_map(|secret| Mutation::UnknownOutput { secret }),
        6 => Just(Mutation::Secret),
        3 => non_finite().prop_map(Mutation::NonFinite),
        2 => Just(Mutation::Null),
        3 => Just(Mutation::Remove),
        1 => prop_oneof![
            20 => 1_000usize..100_000,
            2 => Just(1_000_000usize),
            1 => Just(5_000_000usize),
        ]
        .prop_map(Mutation::Huge),
        1 => (10usize..70).prop_map(Mutation::Deep),
        3 => chaos(3).prop_map(Mutation::Chaos),
        1 => ("[a-zA-Z]{1,10}", chaos(1)).prop_map(|(key, value)| Mutation::ExtraKey(key, value)),
    ]
    .boxed()
}

/// Cases for target `target` of input shape `shape`: well-typed inputs,
/// mutated ones, and random ones.
pub fn cases(target: usize, shape: &ObjectShape) -> BoxedStrategy<Case> {
    let names: Vec<String> = shape.properties.iter().map(|(n, _)| n.clone()).collect();
    let object = shape.clone();
    let mutated = (
        valid_object(shape, 0),
        vec((any::<Index>(), mutation()), 0..4),
        marker_texts(),
        marker_numbers(),
    )
        .prop_map(move |(valid, mutations, texts, numbers)| {
            let mut markers = Markers::new(texts, numbers);
            let mut news = valid.clone();
            let mut applied = Vec::new();
            for (at, mutation) in mutations {
                if let Some(done) = apply(&mut news, &object, &at, mutation, &mut markers) {
                    applied.push(done);
                }
            }
            Case {
                target,
                valid: Some(valid),
                news,
                applied,
                secrets: markers.used,
            }
        });
    let key = if names.is_empty() {
        "[a-zA-Z]{1,8}".boxed()
    } else {
        prop_oneof![3 => select(names), 1 => "[a-zA-Z]{1,8}"].boxed()
    };
    let random = btree_map(key, chaos(3), 0..6).prop_map(move |news| Case {
        target,
        valid: None,
        secrets: Vec::new(),
        news,
        applied: Vec::new(),
    });
    prop_oneof![17 => mutated, 3 => random].boxed()
}

/// The marker texts a case may use, and those it used.
struct Markers {
    texts: Vec<String>,
    numbers: Vec<f64>,
    used: Vec<String>,
    next: usize,
}

impl Markers {
    fn new(texts: Vec<String>, numbers: Vec<f64>) -> Self {
        Markers {
            texts,
            numbers,
            used: Vec::new(),
            next: 0,
        }
    }

    fn text(&mut self) -> String {
        let text = self.texts[self.next % self.texts.len()].clone();
        self.next += 1;
        if !self.used.contains(&text) {
            self.used.push(text.clone());
        }
        text
    }

    fn number(&mut self) -> f64 {
        let number = self.numbers[self.next % self.numbers.len()];
        self.next += 1;
        let text = format!("{}", number as i64);
        if !self.used.contains(&text) {
            self.used.push(text);
        }
        number
    }

    /// `value` with its strings and integral numbers replaced by markers.
    fn mark(&mut self, value: PropertyValue) -> PropertyValue {
        match value {
            PropertyValue::String(_) => PropertyValue::String(self.text()),
            PropertyValue::Number(n) if n.fract() == 0.0 => PropertyValue::Number(self.number()),
            PropertyValue::Array(items) => {
                PropertyValue::Array(items.into_iter().map(|v| self.mark(v)).collect())
            }
            PropertyValue::Object(map) => {
                PropertyValue::Object(map.into_iter().map(|(k, v)| (k, self.mark(v))).collect())
            }
            other => other,
        }
    }
}

/// Every path in `map` (to a property or anything inside one) with its type.
fn paths(map: &PropertyMap, shape: &ObjectShape) -> Vec<(Vec<Step>, Shape)> {
    let mut found = Vec::new();
    // Properties the shape has, present or not (a mutation may add one).
    for (name, property) in &shape.properties {
        let path = vec![Step::Key(name.clone())];
        found.push((path.clone(), property.clone()));
        if let Some(value) = map.get(name) {
            walk(value, property, path, &mut found);
        }
    }
    found
}

fn walk(
    value: &PropertyValue,
    shape: &Shape,
    path: Vec<Step>,
    found: &mut Vec<(Vec<Step>, Shape)>,
) {
    match (value, shape) {
        (PropertyValue::Array(items), Shape::List(item)) => {
            for (index, value) in items.iter().enumerate() {
                let mut here = path.clone();
                here.push(Step::Index(index));
                found.push((here.clone(), (**item).clone()));
                walk(value, item, here, found);
            }
        }
        (PropertyValue::Object(map), Shape::Map(item)) => {
            for (key, value) in map {
                let mut here = path.clone();
                here.push(Step::Key(key.clone()));
                found.push((here.clone(), (**item).clone()));
                walk(value, item, here, found);
            }
        }
        (PropertyValue::Object(map), Shape::Object(object)) => {
            for (name, property) in &object.properties {
                let mut here = path.clone();
                here.push(Step::Key(name.clone()));
                found.push((here.clone(), property.clone()));
                if let Some(value) = map.get(name) {
                    walk(value, property, here, found);
                }
            }
        }
        _ => {}
    }
}

/// The slot at `path` (its parent must exist and be a plain object or
/// list): the map and key, or the list and index.
fn slot<'m>(map: &'m mut PropertyMap, path: &[Step]) -> Option<Slot<'m>> {
    let (last, parents) = path.split_last()?;
    if parents.is_empty() {
        let Step::Key(key) = last else { return None };
        return Some(Slot::Key(map, key.clone()));
    }
    let Step::Key(first) = &parents[0] else {
        return None;
    };
    let mut current = map.get_mut(first)?;
    for step in &parents[1..] {
        current = match (current, step) {
            (PropertyValue::Object(map), Step::Key(key)) => map.get_mut(key)?,
            (PropertyValue::Array(items), Step::Index(index)) => items.get_mut(*index)?,
            _ => return None,
        };
    }
    match (current, last) {
        (PropertyValue::Object(map), Step::Key(key)) => Some(Slot::Key(map, key.clone())),
        (PropertyValue::Array(items), Step::Index(index)) if *index < items.len() => {
            Some(Slot::Index(items, *index))
        }
        _ => None,
    }
}

enum Slot<'m> {
    Key(&'m mut PropertyMap, String),
    Index(&'m mut Vec<PropertyValue>, usize),
}

impl Slot<'_> {
    fn take(&mut self) -> Option<PropertyValue> {
        match self {
            Slot::Key(map, key) => map.get(key.as_str()).cloned(),
            Slot::Index(items, index) => items.get(*index).cloned(),
        }
    }

    fn put(self, value: PropertyValue) {
        match self {
            Slot::Key(map, key) => {
                map.insert(key, value);
            }
            Slot::Index(items, index) => items[index] = value,
        }
    }

    fn remove(self) {
        match self {
            Slot::Key(map, key) => {
                map.remove(&key);
            }
            Slot::Index(items, index) => {
                items.remove(index);
            }
        }
    }
}

/// A value of `kind`.
fn of_kind(kind: Kind) -> PropertyValue {
    match kind {
        Kind::String => PropertyValue::String("not-of-this-type".into()),
        Kind::Integer => PropertyValue::Number(12345.0),
        Kind::Fraction => PropertyValue::Number(1.5),
        Kind::Bool => PropertyValue::Bool(true),
        Kind::List => PropertyValue::Array(vec![PropertyValue::Number(1.0)]),
        Kind::Object => {
            PropertyValue::Object([("unexpected".to_owned(), PropertyValue::Number(1.0))].into())
        }
    }
}

fn nested(depth: usize) -> PropertyValue {
    let mut value = PropertyValue::String("bottom".into());
    for _ in 0..depth {
        value = PropertyValue::Object([("nested".to_owned(), value)].into());
    }
    value
}

/// Applies `mutation` at the path `at` picks; `None` when it does nothing.
fn apply(
    news: &mut PropertyMap,
    shape: &ObjectShape,
    at: &Index,
    mutation: Mutation,
    markers: &mut Markers,
) -> Option<Applied> {
    if let Mutation::ExtraKey(key, value) = &mutation {
        if shape.properties.iter().any(|(name, _)| name == key) {
            return None;
        }
        news.insert(key.clone(), value.clone());
        return Some(Applied {
            path: vec![Step::Key(key.clone())],
            mutation,
            shape: Shape::Any,
        });
    }
    let candidates = paths(news, shape);
    if candidates.is_empty() {
        return None;
    }
    let (path, property) = candidates[at.index(candidates.len())].clone();
    let mut slot = slot(news, &path)?;
    let current = slot.take();
    let value = match &mutation {
        Mutation::WrongKind(which) => {
            let wrong: Vec<Kind> = Kind::ALL
                .into_iter()
                .filter(|kind| !property.admits_kind(*kind))
                .collect();
            if wrong.is_empty() {
                return None;
            }
            of_kind(wrong[which.index(wrong.len())])
        }
        Mutation::Unknown(kind) => PropertyValue::Unknown(*kind),
        Mutation::UnknownOutput { secret } => PropertyValue::Output(OutputValue {
            value: None,
            secret: *secret,
            dependencies: vec!["urn:pulumi:dev::p::x:y:Z::dep".to_owned()],
        }),
        Mutation::Secret => {
            let plain = current?;
            if matches!(plain, PropertyValue::Secret(_) | PropertyValue::Unknown(_)) {
                return None;
            }
            PropertyValue::Secret(Box::new(markers.mark(plain)))
        }
        Mutation::NonFinite(number) => PropertyValue::Number(*number),
        Mutation::Null => PropertyValue::Null,
        Mutation::Remove => {
            current?;
            slot.remove();
            return Some(Applied {
                path,
                mutation,
                shape: property,
            });
        }
        Mutation::Huge(length) => PropertyValue::String("h".repeat(*length)),
        Mutation::Deep(depth) => nested(*depth),
        Mutation::Chaos(value) => value.clone(),
        Mutation::ExtraKey(..) => unreachable!("handled above"),
    };
    slot.put(value);
    Some(Applied {
        path,
        mutation,
        shape: property,
    })
}

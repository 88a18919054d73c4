//! Tests of the wire layer: protobuf `Struct` <-> [`PropertyValue`] for
//! every kind of value the engine sends, and the plain JSON view.
//!
//! Wire messages are written out by hand with the literal signature strings
//! of the Pulumi protocol (not the constants in [`sig`]), so a typo in a
//! constant shows up here.

use std::collections::BTreeMap;

use proptest::prelude::*;
use prost::Message;
use prost_types::{ListValue, Struct, Value, value::Kind};
use serde_json::json;

use super::sig;
use super::*;

const SPECIAL: &str = "4dabf18193072939515e22adb298388d";
const SECRET: &str = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE: &str = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT: &str = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const ASSET: &str = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE: &str = "0def7320c3a5731c473e5ecbe6d01bc7";

/// Every typed unknown sentinel of `sdk/go/common/resource/plugin/rpc.go`.
const SENTINELS: [(&str, UnknownKind); 7] = [
    ("1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", UnknownKind::Bool),
    ("3eeb2bf0-c639-47a8-9e75-3b44932eb421", UnknownKind::Number),
    ("04da6b54-80e4-46f7-96ec-b56ff0331ba9", UnknownKind::Generic),
    ("6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", UnknownKind::Array),
    ("030794c1-ac77-496b-92df-f27374a8bd58", UnknownKind::Asset),
    ("e48ece36-62e2-4504-bad9-02848725956a", UnknownKind::Archive),
    ("dd056dcd-154b-4c76-9bd3-c8f88648b5ff", UnknownKind::Object),
];

const URN: &str = "urn:pulumi:dev::proj::sagemaker-deployment:s3:Bucket::artifacts";
const URN2: &str = "urn:pulumi:dev::proj::sagemaker-deployment:kms:Key::key";

// ---------------------------------------------------------------------------
// Helpers

/// A protobuf value written as JSON (numbers become doubles, as on the wire).
fn pb(json: serde_json::Value) -> Value {
    let kind = match json {
        serde_json::Value::Null => Kind::NullValue(0),
        serde_json::Value::Bool(flag) => Kind::BoolValue(flag),
        serde_json::Value::Number(number) => Kind::NumberValue(number.as_f64().unwrap()),
        serde_json::Value::String(text) => Kind::StringValue(text),
        serde_json::Value::Array(items) => Kind::ListValue(ListValue {
            values: items.into_iter().map(pb).collect(),
        }),
        serde_json::Value::Object(object) => Kind::StructValue(pb_struct_of(object)),
    };
    Value { kind: Some(kind) }
}

fn pb_struct_of(object: serde_json::Map<String, serde_json::Value>) -> Struct {
    Struct {
        fields: object.into_iter().map(|(k, v)| (k, pb(v))).collect(),
    }
}

/// A protobuf struct written as a JSON object.
fn pb_struct(json: serde_json::Value) -> Struct {
    match json {
        serde_json::Value::Object(object) => pb_struct_of(object),
        other => panic!("not an object: {other}"),
    }
}

fn map(entries: impl IntoIterator<Item = (&'static str, PropertyValue)>) -> PropertyMap {
    entries
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
}

fn s(text: &str) -> PropertyValue {
    PropertyValue::String(text.to_owned())
}

fn secret(inner: PropertyValue) -> PropertyValue {
    PropertyValue::Secret(Box::new(inner))
}

fn unknown() -> PropertyValue {
    PropertyValue::Unknown(UnknownKind::Generic)
}

/// Decodes `wire`, checks it against `expected`, then encodes it again and
/// checks that exactly the same struct comes back, also through protobuf
/// bytes.
fn assert_round_trip(wire: serde_json::Value, expected: PropertyMap) {
    let wire = pb_struct(wire);
    let decoded = struct_to_properties(Some(&wire));
    assert_eq!(decoded, expected, "decoded value");
    let encoded = properties_to_struct(&decoded);
    assert_eq!(encoded, wire, "re-encoded struct");
    let bytes = encoded.encode_to_vec();
    let reparsed = Struct::decode(bytes.as_slice()).expect("valid protobuf");
    assert_eq!(
        struct_to_properties(Some(&reparsed)),
        expected,
        "after bytes"
    );
}

// ---------------------------------------------------------------------------
// Signature constants

#[test]
fn signature_constants_match_the_pulumi_protocol() {
    assert_eq!(sig::SPECIAL_KEY, SPECIAL);
    assert_eq!(sig::SECRET, SECRET);
    assert_eq!(sig::RESOURCE_REFERENCE, RESOURCE);
    assert_eq!(sig::OUTPUT_VALUE, OUTPUT);
    assert_eq!(sig::ASSET, ASSET);
    assert_eq!(sig::ARCHIVE, ARCHIVE);
    for (sentinel, kind) in SENTINELS {
        assert_eq!(kind.sentinel(), sentinel);
        assert_eq!(UnknownKind::from_sentinel(sentinel), Some(kind));
    }
    assert_eq!(UnknownKind::from_sentinel("04da6b54"), None);
    assert_eq!(UnknownKind::from_sentinel(""), None);
}

// ---------------------------------------------------------------------------
// Plain values

#[test]
fn absent_and_empty_structs_decode_to_empty_maps() {
    assert!(struct_to_properties(None).is_empty());
    assert!(struct_to_properties(Some(&Struct::default())).is_empty());
    assert_eq!(properties_to_struct(&PropertyMap::new()), Struct::default());
}

#[test]
fn null_round_trips_and_a_value_without_kind_is_null() {
    assert_round_trip(json!({ "n": null }), map([("n", PropertyValue::Null)]));
    assert_eq!(value_from_proto(&Value { kind: None }), PropertyValue::Null);
}

#[test]
fn booleans_round_trip() {
    assert_round_trip(
        json!({ "t": true, "f": false }),
        map([("t", true.into()), ("f", false.into())]),
    );
}

#[test]
fn numbers_round_trip_as_doubles() {
    assert_round_trip(
        json!({ "zero": 0, "int": 42, "neg": -7, "frac": 2.5, "big": 1.0e300, "tiny": 5e-324 }),
        map([
            ("zero", 0.0.into()),
            ("int", 42.0.into()),
            ("neg", (-7.0).into()),
            ("frac", 2.5.into()),
            ("big", 1.0e300.into()),
            ("tiny", 5e-324.into()),
        ]),
    );
    for number in [
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MAX,
        f64::MIN_POSITIVE,
    ] {
        let value = PropertyValue::Number(number);
        assert_eq!(value_from_proto(&value_to_proto(&value)), value);
    }
    let nan = value_from_proto(&value_to_proto(&PropertyValue::Number(f64::NAN)));
    assert!(matches!(nan, PropertyValue::Number(n) if n.is_nan()));
}

#[test]
fn strings_round_trip_including_empty_unicode_and_near_sentinels() {
    assert_round_trip(
        json!({
            "empty": "",
            "text": "hello",
            "unicode": "größe ☃ 日本",
            "almost": "04da6b54-80e4-46f7-96ec-b56ff0331ba",
            "upper": "04DA6B54-80E4-46F7-96EC-B56FF0331BA9",
            "sig": SPECIAL,
        }),
        map([
            ("empty", s("")),
            ("text", s("hello")),
            ("unicode", s("größe ☃ 日本")),
            ("almost", s("04da6b54-80e4-46f7-96ec-b56ff0331ba")),
            ("upper", s("04DA6B54-80E4-46F7-96EC-B56FF0331BA9")),
            ("sig", s(SPECIAL)),
        ]),
    );
}

#[test]
fn arrays_round_trip_with_mixed_and_nested_items() {
    assert_round_trip(
        json!({ "empty": [], "mixed": [1, "a", true, null, [2, [3]], { "k": "v" }] }),
        map([
            ("empty", PropertyValue::Array(vec![])),
            (
                "mixed",
                PropertyValue::Array(vec![
                    1.0.into(),
                    s("a"),
                    true.into(),
                    PropertyValue::Null,
                    PropertyValue::Array(vec![2.0.into(), PropertyValue::Array(vec![3.0.into()])]),
                    PropertyValue::Object(map([("k", s("v"))])),
                ]),
            ),
        ]),
    );
}

#[test]
fn objects_round_trip_with_nesting_and_odd_keys() {
    assert_round_trip(
        json!({
            "empty": {},
            "outer": { "inner": { "deep": 1 }, "list": [{}], "with space": "x", "": "blank key" },
        }),
        map([
            ("empty", PropertyValue::Object(PropertyMap::new())),
            (
                "outer",
                PropertyValue::Object(map([
                    ("inner", PropertyValue::Object(map([("deep", 1.0.into())]))),
                    (
                        "list",
                        PropertyValue::Array(vec![PropertyValue::Object(PropertyMap::new())]),
                    ),
                    ("with space", s("x")),
                    ("", s("blank key")),
                ])),
            ),
        ]),
    );
}

#[test]
fn an_object_with_an_unrecognised_signature_stays_a_plain_object() {
    assert_round_trip(
        json!({ "o": { SPECIAL: "not-a-known-signature", "value": 1 } }),
        map([(
            "o",
            PropertyValue::Object(map([
                (SPECIAL, s("not-a-known-signature")),
                ("value", 1.0.into()),
            ])),
        )]),
    );
}

// ---------------------------------------------------------------------------
// Secrets

#[test]
fn secrets_round_trip_for_every_inner_kind() {
    assert_round_trip(
        json!({
            "s": { SPECIAL: SECRET, "value": "hunter2" },
            "n": { SPECIAL: SECRET, "value": 3 },
            "b": { SPECIAL: SECRET, "value": true },
            "z": { SPECIAL: SECRET, "value": null },
            "a": { SPECIAL: SECRET, "value": [1, 2] },
            "o": { SPECIAL: SECRET, "value": { "k": "v" } },
        }),
        map([
            ("s", secret(s("hunter2"))),
            ("n", secret(3.0.into())),
            ("b", secret(true.into())),
            ("z", secret(PropertyValue::Null)),
            (
                "a",
                secret(PropertyValue::Array(vec![1.0.into(), 2.0.into()])),
            ),
            ("o", secret(PropertyValue::Object(map([("k", s("v"))])))),
        ]),
    );
}

#[test]
fn nested_secrets_round_trip_and_are_found() {
    let wire = json!({
        "outer": { SPECIAL: SECRET, "value": {
            "plain": "p",
            "inner": { SPECIAL: SECRET, "value": "very secret" },
            "list": [ { SPECIAL: SECRET, "value": 1 }, 2 ],
        }},
        "inObject": { "password": { SPECIAL: SECRET, "value": "pw" } },
        "inArray": [ "a", { SPECIAL: SECRET, "value": "b" } ],
        "double": { SPECIAL: SECRET, "value": { SPECIAL: SECRET, "value": "x" } },
        "unknownSecret": { SPECIAL: SECRET, "value": "04da6b54-80e4-46f7-96ec-b56ff0331ba9" },
    });
    let expected = map([
        (
            "outer",
            secret(PropertyValue::Object(map([
                ("plain", s("p")),
                ("inner", secret(s("very secret"))),
                (
                    "list",
                    PropertyValue::Array(vec![secret(1.0.into()), 2.0.into()]),
                ),
            ]))),
        ),
        (
            "inObject",
            PropertyValue::Object(map([("password", secret(s("pw")))])),
        ),
        (
            "inArray",
            PropertyValue::Array(vec![s("a"), secret(s("b"))]),
        ),
        ("double", secret(secret(s("x")))),
        ("unknownSecret", secret(unknown())),
    ]);
    assert_round_trip(wire, expected.clone());
    for (key, value) in &expected {
        assert!(value.contains_secrets(), "{key} contains a secret");
    }
    assert!(expected["outer"].is_secret());
    assert!(!expected["inObject"].is_secret());
    assert!(expected["unknownSecret"].contains_unknowns());
}

#[test]
fn a_secret_without_a_value_decodes_as_a_secret_null() {
    let decoded = value_from_proto(&pb(json!({ SPECIAL: SECRET })));
    assert_eq!(decoded, secret(PropertyValue::Null));
}

// ---------------------------------------------------------------------------
// Unknowns

#[test]
fn every_typed_unknown_sentinel_comes_back_as_the_same_sentinel() {
    for (sentinel, kind) in SENTINELS {
        let wire = json!({
            "top": sentinel,
            "inArray": [sentinel, "x"],
            "inObject": { "k": sentinel },
            "inSecret": { SPECIAL: SECRET, "value": sentinel },
        });
        let value = PropertyValue::Unknown(kind);
        assert_round_trip(
            wire,
            map([
                ("top", value.clone()),
                ("inArray", PropertyValue::Array(vec![value.clone(), s("x")])),
                (
                    "inObject",
                    PropertyValue::Object(map([("k", value.clone())])),
                ),
                ("inSecret", secret(value.clone())),
            ]),
        );
        assert!(value.contains_unknowns());
        let encoded = value_to_proto(&value);
        assert_eq!(
            encoded.kind,
            Some(Kind::StringValue(sentinel.to_owned())),
            "{kind:?}"
        );
    }
}

#[test]
fn unknowns_are_found_wherever_they_are() {
    let nested = PropertyValue::Object(map([(
        "a",
        PropertyValue::Array(vec![s("x"), PropertyValue::Unknown(UnknownKind::Number)]),
    )]));
    assert!(nested.contains_unknowns());
    assert!(secret(unknown()).contains_unknowns());
    assert!(!PropertyValue::Object(map([("a", s("x"))])).contains_unknowns());
    assert!(!s("04da6b54").contains_unknowns());
}

// ---------------------------------------------------------------------------
// Output values

fn output(value: Option<PropertyValue>, secret: bool, deps: &[&str]) -> PropertyValue {
    PropertyValue::Output(OutputValue {
        value: value.map(Box::new),
        secret,
        dependencies: deps.iter().map(|d| d.to_string()).collect(),
    })
}

#[test]
fn output_values_round_trip_known_unknown_secret_and_dependencies() {
    assert_round_trip(
        json!({
            "known": { SPECIAL: OUTPUT, "value": "v" },
            "unknown": { SPECIAL: OUTPUT },
            "secretKnown": { SPECIAL: OUTPUT, "value": 5, "secret": true },
            "secretUnknown": { SPECIAL: OUTPUT, "secret": true },
            "withDeps": { SPECIAL: OUTPUT, "value": [1], "dependencies": [URN, URN2] },
            "unknownWithDeps": { SPECIAL: OUTPUT, "secret": true, "dependencies": [URN] },
            "knownNull": { SPECIAL: OUTPUT, "value": null },
            "objectValue": { SPECIAL: OUTPUT, "value": { "a": { SPECIAL: SECRET, "value": "b" } } },
            "nested": { "x": { SPECIAL: OUTPUT, "value": "y", "dependencies": [URN2] } },
        }),
        map([
            ("known", output(Some(s("v")), false, &[])),
            ("unknown", output(None, false, &[])),
            ("secretKnown", output(Some(5.0.into()), true, &[])),
            ("secretUnknown", output(None, true, &[])),
            (
                "withDeps",
                output(
                    Some(PropertyValue::Array(vec![1.0.into()])),
                    false,
                    &[URN, URN2],
                ),
            ),
            ("unknownWithDeps", output(None, true, &[URN])),
            ("knownNull", output(Some(PropertyValue::Null), false, &[])),
            (
                "objectValue",
                output(
                    Some(PropertyValue::Object(map([("a", secret(s("b")))]))),
                    false,
                    &[],
                ),
            ),
            (
                "nested",
                PropertyValue::Object(map([("x", output(Some(s("y")), false, &[URN2]))])),
            ),
        ]),
    );
}

#[test]
fn output_value_flags_decode_leniently() {
    // `secret: false` and empty dependencies are the defaults; they decode
    // to the same value the encoder would write without them.
    let decoded = value_from_proto(&pb(json!({
        SPECIAL: OUTPUT, "value": "v", "secret": false, "dependencies": []
    })));
    assert_eq!(decoded, output(Some(s("v")), false, &[]));
    assert_eq!(
        value_to_proto(&decoded),
        pb(json!({ SPECIAL: OUTPUT, "value": "v" }))
    );
}

#[test]
fn output_values_report_unknowns_secrets_and_dependencies() {
    let unknown_output = output(None, false, &[URN]);
    assert!(unknown_output.contains_unknowns());
    assert!(!unknown_output.is_secret());
    assert_eq!(unknown_output.dependencies(), vec![URN.to_owned()]);

    let secret_output = output(Some(s("v")), true, &[URN2, URN, URN2]);
    assert!(secret_output.is_secret());
    assert!(!secret_output.contains_unknowns());
    assert_eq!(secret_output.as_str(), Some("v"));
    assert_eq!(
        secret_output.dependencies(),
        vec![URN2.to_owned(), URN.to_owned()]
    );

    let wrapped = output(Some(secret(s("v"))), false, &[]);
    assert!(wrapped.is_secret());
    assert_eq!(
        wrapped.clone().into_secret(),
        wrapped,
        "already secret: not wrapped again"
    );

    let nested = PropertyValue::Object(map([
        ("a", output(Some(s("x")), false, &[URN])),
        (
            "b",
            PropertyValue::Array(vec![output(None, false, &[URN2])]),
        ),
    ]));
    assert_eq!(nested.dependencies(), vec![URN2.to_owned(), URN.to_owned()]);
}

// ---------------------------------------------------------------------------
// Resource references

fn reference(urn: &str, id: Option<PropertyValue>, version: &str) -> PropertyValue {
    PropertyValue::ResourceReference(ResourceReference {
        urn: urn.to_owned(),
        id: id.map(Box::new),
        package_version: version.to_owned(),
    })
}

#[test]
fn resource_references_round_trip_with_and_without_id() {
    assert_round_trip(
        json!({
            "custom": { SPECIAL: RESOURCE, "urn": URN, "id": "bucket-1", "packageVersion": "0.1.0" },
            "noVersion": { SPECIAL: RESOURCE, "urn": URN, "id": "bucket-1" },
            "component": { SPECIAL: RESOURCE, "urn": URN2, "packageVersion": "1.2.3" },
            "unknownId": { SPECIAL: RESOURCE, "urn": URN, "id": "04da6b54-80e4-46f7-96ec-b56ff0331ba9" },
            "emptyId": { SPECIAL: RESOURCE, "urn": URN, "id": "" },
            "inArray": [{ SPECIAL: RESOURCE, "urn": URN2 }],
        }),
        map([
            ("custom", reference(URN, Some(s("bucket-1")), "0.1.0")),
            ("noVersion", reference(URN, Some(s("bucket-1")), "")),
            ("component", reference(URN2, None, "1.2.3")),
            ("unknownId", reference(URN, Some(unknown()), "")),
            ("emptyId", reference(URN, Some(s("")), "")),
            (
                "inArray",
                PropertyValue::Array(vec![reference(URN2, None, "")]),
            ),
        ]),
    );
}

#[test]
fn a_reference_with_an_unknown_id_is_unknown() {
    // The engine marshals an unknown id as "" (`ResourceReference.IDString`
    // in sdk/go/common/resource); SDKs send the unknown sentinel.
    assert!(reference(URN, Some(unknown()), "").contains_unknowns());
    assert!(reference(URN, Some(s("")), "").contains_unknowns());
    assert!(!reference(URN, Some(s("id")), "").contains_unknowns());
    assert!(!reference(URN, None, "").contains_unknowns());
}

// ---------------------------------------------------------------------------
// Assets and archives

#[test]
fn assets_round_trip_for_text_path_and_uri() {
    assert_round_trip(
        json!({
            "text": { SPECIAL: ASSET, "hash": "abc", "text": "print(1)" },
            "path": { SPECIAL: ASSET, "path": "./model/inference.py" },
            "uri": { SPECIAL: ASSET, "uri": "s3://bucket/key", "hash": "def" },
        }),
        map([
            (
                "text",
                PropertyValue::Asset(map([("hash", s("abc")), ("text", s("print(1)"))])),
            ),
            (
                "path",
                PropertyValue::Asset(map([("path", s("./model/inference.py"))])),
            ),
            (
                "uri",
                PropertyValue::Asset(map([("uri", s("s3://bucket/key")), ("hash", s("def"))])),
            ),
        ]),
    );
}

#[test]
fn archives_round_trip_with_nested_assets_and_archives() {
    assert_round_trip(
        json!({
            "archive": { SPECIAL: ARCHIVE, "hash": "h", "assets": {
                "code/inference.py": { SPECIAL: ASSET, "text": "def handler(): pass" },
                "weights": { SPECIAL: ASSET, "path": "./weights.bin" },
                "extra": { SPECIAL: ARCHIVE, "path": "./extra.tar.gz" },
                "nested": { SPECIAL: ARCHIVE, "assets": {
                    "deep.txt": { SPECIAL: ASSET, "text": "deep" },
                }},
            }},
            "fileArchive": { SPECIAL: ARCHIVE, "path": "./model.tar.gz" },
            "remoteArchive": { SPECIAL: ARCHIVE, "uri": "https://example.com/m.zip" },
            "secretAsset": { SPECIAL: SECRET, "value": { SPECIAL: ASSET, "text": "s" } },
        }),
        map([
            (
                "archive",
                PropertyValue::Archive(map([
                    ("hash", s("h")),
                    (
                        "assets",
                        PropertyValue::Object(map([
                            (
                                "code/inference.py",
                                PropertyValue::Asset(map([("text", s("def handler(): pass"))])),
                            ),
                            (
                                "weights",
                                PropertyValue::Asset(map([("path", s("./weights.bin"))])),
                            ),
                            (
                                "extra",
                                PropertyValue::Archive(map([("path", s("./extra.tar.gz"))])),
                            ),
                            (
                                "nested",
                                PropertyValue::Archive(map([(
                                    "assets",
                                    PropertyValue::Object(map([(
                                        "deep.txt",
                                        PropertyValue::Asset(map([("text", s("deep"))])),
                                    )])),
                                )])),
                            ),
                        ])),
                    ),
                ])),
            ),
            (
                "fileArchive",
                PropertyValue::Archive(map([("path", s("./model.tar.gz"))])),
            ),
            (
                "remoteArchive",
                PropertyValue::Archive(map([("uri", s("https://example.com/m.zip"))])),
            ),
            (
                "secretAsset",
                secret(PropertyValue::Asset(map([("text", s("s"))]))),
            ),
        ]),
    );
}

// ---------------------------------------------------------------------------
// Property-based round trips

/// Strings that are neither unknown sentinels nor signatures.
fn plain_string() -> impl Strategy<Value = String> {
    "\\PC{0,12}".prop_filter("not a sentinel", |text| {
        UnknownKind::from_sentinel(text).is_none()
    })
}

/// Object keys: never the special signature key.
fn key() -> BoxedStrategy<String> {
    prop_oneof![
        "[a-zA-Z][a-zA-Z0-9_]{0,8}",
        Just(String::new()),
        "\\PC{1,6}",
    ]
    .prop_filter("not the signature key", |k| k != SPECIAL)
    .boxed()
}

fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>().prop_filter("not NaN", |n| !n.is_nan()),
        (-1_000_000i64..1_000_000).prop_map(|n| n as f64),
    ]
}

fn unknown_kind() -> impl Strategy<Value = UnknownKind> {
    prop::sample::select(SENTINELS.iter().map(|(_, kind)| *kind).collect::<Vec<_>>())
}

fn urn() -> impl Strategy<Value = String> {
    "[a-z]{1,6}"
        .prop_map(|name| format!("urn:pulumi:dev::proj::sagemaker-deployment:s3:Bucket::{name}"))
}

fn leaf() -> impl Strategy<Value = PropertyValue> {
    prop_oneof![
        Just(PropertyValue::Null),
        any::<bool>().prop_map(PropertyValue::Bool),
        number().prop_map(PropertyValue::Number),
        plain_string().prop_map(PropertyValue::String),
        unknown_kind().prop_map(PropertyValue::Unknown),
    ]
}

/// Any property value the wire can carry.
fn property_value() -> impl Strategy<Value = PropertyValue> {
    leaf().prop_recursive(4, 48, 5, |inner| {
        let entries = prop::collection::btree_map(key(), inner.clone(), 0..5);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(PropertyValue::Array),
            entries.clone().prop_map(PropertyValue::Object),
            inner
                .clone()
                .prop_map(|v| PropertyValue::Secret(Box::new(v))),
            (
                prop::option::of(inner.clone()),
                any::<bool>(),
                prop::collection::vec(urn(), 0..3),
            )
                .prop_map(|(value, secret, dependencies)| {
                    PropertyValue::Output(OutputValue {
                        value: value.map(Box::new),
                        secret,
                        dependencies,
                    })
                }),
            (
                urn(),
                prop::option::of(inner.clone()),
                prop_oneof![Just(String::new()), "[0-9]\\.[0-9]\\.[0-9]"]
            )
                .prop_map(|(urn, id, package_version)| {
                    PropertyValue::ResourceReference(ResourceReference {
                        urn,
                        id: id.map(Box::new),
                        package_version,
                    })
                }),
            entries.clone().prop_map(PropertyValue::Asset),
            entries.prop_map(PropertyValue::Archive),
        ]
    })
}

fn property_map() -> impl Strategy<Value = PropertyMap> {
    prop::collection::btree_map(key(), property_value(), 0..6)
}

/// Values with a plain JSON view: no unknowns, outputs, references,
/// assets, non-finite numbers or nested secrets.
fn json_value() -> impl Strategy<Value = PropertyValue> {
    let leaf = prop_oneof![
        Just(PropertyValue::Null),
        any::<bool>().prop_map(PropertyValue::Bool),
        prop_oneof![
            any::<f64>().prop_filter("finite", |n| n.is_finite()),
            (-1_000_000i64..1_000_000).prop_map(|n| n as f64),
        ]
        .prop_map(PropertyValue::Number),
        plain_string().prop_map(PropertyValue::String),
    ];
    leaf.prop_recursive(3, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(PropertyValue::Array),
            prop::collection::btree_map(key(), inner, 0..4).prop_map(PropertyValue::Object),
        ]
    })
}

/// Removes every secret wrapper.
fn reveal(value: PropertyValue) -> PropertyValue {
    match value {
        PropertyValue::Secret(inner) => reveal(*inner),
        PropertyValue::Array(items) => {
            PropertyValue::Array(items.into_iter().map(reveal).collect())
        }
        PropertyValue::Object(map) => {
            PropertyValue::Object(map.into_iter().map(|(k, v)| (k, reveal(v))).collect())
        }
        other => other,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_value_round_trips_through_protobuf(value in property_value()) {
        let encoded = value_to_proto(&value);
        prop_assert_eq!(value_from_proto(&encoded), value.clone());
        let bytes = encoded.encode_to_vec();
        let reparsed = Value::decode(bytes.as_slice()).expect("valid protobuf");
        prop_assert_eq!(value_from_proto(&reparsed), value);
    }

    #[test]
    fn any_struct_round_trips_struct_to_properties_to_struct(props in property_map()) {
        let wire = properties_to_struct(&props);
        let bytes = wire.encode_to_vec();
        let received = Struct::decode(bytes.as_slice()).expect("valid protobuf");
        let decoded = struct_to_properties(Some(&received));
        prop_assert_eq!(&decoded, &props);
        prop_assert_eq!(properties_to_struct(&decoded), received);
    }

    #[test]
    fn the_json_view_round_trips_and_lifts_secrets_to_top_level_keys(
        props in prop::collection::btree_map(key(), json_value(), 0..6),
        secret_mask in prop::collection::vec(0u8..3, 6),
    ) {
        // Make some values secret: 0 = plain, 1 = secret, 2 = secret inside.
        let props: PropertyMap = props
            .into_iter()
            .zip(secret_mask.iter().cycle())
            .map(|((k, v), mask)| {
                let v = match mask {
                    1 => secret(v),
                    2 => PropertyValue::Array(vec![secret(v)]),
                    _ => v,
                };
                (k, v)
            })
            .collect();
        let view = properties_to_json(&props);
        prop_assert!(!view.has_unknowns);
        let expected_secret: Vec<String> = props
            .iter()
            .filter(|(_, v)| v.contains_secrets())
            .map(|(k, _)| k.clone())
            .collect();
        prop_assert_eq!(&view.secret_keys, &expected_secret);
        let back = properties_from_json(&view.value, &view.secret_keys);
        let expected: PropertyMap = props
            .into_iter()
            .map(|(k, v)| {
                let secret_key = expected_secret.contains(&k);
                let plain = reveal(v);
                (k, if secret_key { secret(plain) } else { plain })
            })
            .collect();
        prop_assert_eq!(back, expected);
    }

    #[test]
    fn the_json_view_reports_unknowns(props in property_map()) {
        let view = properties_to_json(&props);
        if props.values().any(PropertyValue::contains_unknowns) {
            prop_assert!(view.has_unknowns);
        }
    }
}

// ---------------------------------------------------------------------------
// JSON view

#[test]
fn integral_numbers_become_json_integers() {
    let props = map([
        ("count", 3.0.into()),
        ("negative", (-4.0).into()),
        ("zero", 0.0.into()),
        ("negativeZero", (-0.0).into()),
        ("large", 4_294_967_296.0.into()),
        ("fraction", 2.5.into()),
        ("huge", 1.0e20.into()),
        ("list", PropertyValue::Array(vec![1.0.into(), 1.5.into()])),
        (
            "nested",
            PropertyValue::Object(map([("port", 8080.0.into())])),
        ),
    ]);
    let view = properties_to_json(&props).value;
    assert!(view["count"].is_i64() && view["count"] == json!(3));
    assert_eq!(view["negative"], json!(-4));
    assert!(view["zero"].is_i64());
    assert_eq!(view["negativeZero"], json!(0));
    assert_eq!(view["large"], json!(4_294_967_296i64));
    assert!(view["fraction"].is_f64() && view["fraction"] == json!(2.5));
    assert!(view["huge"].is_f64());
    assert_eq!(view["list"], json!([1, 1.5]));
    assert!(view["nested"]["port"].is_i64());

    // So serde reads them into integer fields.
    #[derive(serde::Deserialize)]
    struct Counts {
        count: u32,
        negative: i8,
        large: u64,
        nested: BTreeMap<String, u16>,
    }
    let counts: Counts = serde_json::from_value(view).expect("integers deserialise");
    assert_eq!(
        (counts.count, counts.negative, counts.large),
        (3, -4, 4_294_967_296)
    );
    assert_eq!(counts.nested["port"], 8080);
}

#[test]
fn non_finite_numbers_have_no_json_form() {
    let view = properties_to_json(&map([
        ("inf", f64::INFINITY.into()),
        ("nan", f64::NAN.into()),
    ]))
    .value;
    assert_eq!(view, json!({ "inf": null, "nan": null }));
}

#[test]
fn secrets_are_reported_in_secret_keys_and_restored() {
    let props = map([
        ("password", secret(s("pw"))),
        (
            "config",
            PropertyValue::Object(map([("token", secret(s("t"))), ("name", s("n"))])),
        ),
        ("list", PropertyValue::Array(vec![s("a"), secret(s("b"))])),
        ("secretOutput", output(Some(s("o")), true, &[URN])),
        ("plain", s("visible")),
    ]);
    let view = properties_to_json(&props);
    assert_eq!(
        view.secret_keys,
        vec!["config", "list", "password", "secretOutput"]
    );
    assert!(!view.has_unknowns);
    assert_eq!(
        view.value,
        json!({
            "password": "pw",
            "config": { "token": "t", "name": "n" },
            "list": ["a", "b"],
            "secretOutput": "o",
            "plain": "visible",
        })
    );
    let restored = properties_from_json(&view.value, &view.secret_keys);
    assert_eq!(restored["password"], secret(s("pw")));
    assert_eq!(
        restored["config"],
        secret(PropertyValue::Object(map([
            ("token", s("t")),
            ("name", s("n"))
        ])))
    );
    assert_eq!(
        restored["list"],
        secret(PropertyValue::Array(vec![s("a"), s("b")]))
    );
    assert_eq!(restored["secretOutput"], secret(s("o")));
    assert_eq!(restored["plain"], s("visible"));
    assert!(restored.values().filter(|v| v.is_secret()).count() == 4);
}

#[test]
fn secret_keys_absent_from_the_json_are_ignored_and_non_objects_give_empty_maps() {
    let restored = properties_from_json(&json!({ "a": 1 }), &["missing".to_owned()]);
    assert_eq!(restored, map([("a", 1.0.into())]));
    assert!(properties_from_json(&json!([1, 2]), &[]).is_empty());
    assert!(properties_from_json(&json!("text"), &[]).is_empty());
    assert!(properties_from_json(&serde_json::Value::Null, &[]).is_empty());
}

#[test]
fn unknowns_become_null_and_are_flagged() {
    for (_, kind) in SENTINELS {
        let view = properties_to_json(&map([("x", PropertyValue::Unknown(kind))]));
        assert!(view.has_unknowns, "{kind:?}");
        assert_eq!(view.value, json!({ "x": null }));
    }
    let view = properties_to_json(&map([
        ("out", output(None, false, &[URN])),
        (
            "deep",
            PropertyValue::Object(map([("a", PropertyValue::Array(vec![unknown()]))])),
        ),
    ]));
    assert!(view.has_unknowns);
    assert_eq!(view.value, json!({ "out": null, "deep": { "a": [null] } }));

    let known = properties_to_json(&map([("out", output(Some(7.0.into()), false, &[URN]))]));
    assert!(!known.has_unknowns);
    assert_eq!(known.value, json!({ "out": 7 }));
}

#[test]
fn references_are_seen_as_their_id_or_urn_and_assets_as_their_fields() {
    let view = properties_to_json(&map([
        ("custom", reference(URN, Some(s("bucket-1")), "0.1.0")),
        ("component", reference(URN2, None, "")),
        ("asset", PropertyValue::Asset(map([("path", s("./a.py"))]))),
        (
            "archive",
            PropertyValue::Archive(map([("uri", s("s3://b/k"))])),
        ),
    ]));
    assert!(!view.has_unknowns);
    assert_eq!(
        view.value,
        json!({
            "custom": "bucket-1",
            "component": URN2,
            "asset": { "path": "./a.py" },
            "archive": { "uri": "s3://b/k" },
        })
    );
}

#[test]
fn a_reference_whose_id_is_unknown_is_unknown_in_the_json_view() {
    for id in [unknown(), s("")] {
        let view = properties_to_json(&map([("ref", reference(URN, Some(id.clone()), ""))]));
        assert!(view.has_unknowns, "id {id:?}");
        assert_eq!(
            view.value,
            json!({ "ref": null }),
            "id {id:?}: the URN is not an id"
        );
    }
}

#[test]
fn json_objects_become_plain_property_values() {
    let restored = properties_from_json(
        &json!({ "n": 1, "f": 1.5, "b": false, "z": null, "a": [1, "x"], "o": { "k": [true] } }),
        &[],
    );
    assert_eq!(
        restored,
        map([
            ("n", 1.0.into()),
            ("f", 1.5.into()),
            ("b", false.into()),
            ("z", PropertyValue::Null),
            ("a", PropertyValue::Array(vec![1.0.into(), s("x")])),
            (
                "o",
                PropertyValue::Object(map([("k", PropertyValue::Array(vec![true.into()]))]))
            ),
        ])
    );
}

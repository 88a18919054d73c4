//! Property values as a serde deserializer. Secrets and output values are
//! transparent, resource references read as their id (or URN), assets and
//! archives as their fields; an [`crate::Output`] asks for the wire metadata
//! too. Numbers must be finite, and an object is never read from a list.
//!
//! A value not known yet reads in one of two ways ([`Unknowns`]): as null
//! (an `Option` is `None`, an [`crate::Output`] unknown, anything else a
//! failure), or, for checking, as a placeholder of whatever type is asked
//! for, so that the known values around it are still checked.

use std::iter;

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, IntoDeserializer, Unexpected, VariantAccess,
    Visitor,
};
use serde::forward_to_deserialize_any;

use super::decode_error::DecodeError;
use crate::output::{OUTPUT_NEWTYPE, OUTPUT_VALUE_KEY};
use crate::wire::{PropertyMap, PropertyValue, UnknownKind};

/// How a value not known yet is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unknowns {
    /// As null: only an `Option` or an [`crate::Output`] accepts it.
    AsNull,
    /// As a placeholder of the type asked for (zero, empty, the first
    /// variant): reading never fails because of it.
    AsPlaceholders,
}

/// The value a placeholder stands for.
static UNKNOWN: PropertyValue = PropertyValue::Unknown(UnknownKind::Generic);

/// A property map as a deserializer (an object).
#[derive(Clone, Copy)]
pub(crate) struct MapValue<'a> {
    map: &'a PropertyMap,
    unknowns: Unknowns,
    /// The map is (inside) a secret.
    in_secret: bool,
}

impl<'a> MapValue<'a> {
    pub(crate) fn new(map: &'a PropertyMap, unknowns: Unknowns) -> Self {
        MapValue {
            map,
            unknowns,
            in_secret: false,
        }
    }

    fn entries(self) -> impl Iterator<Item = (&'a str, Value<'a>)> {
        self.map.iter().map(move |(key, value)| {
            (
                key.as_str(),
                Value {
                    value,
                    unknowns: self.unknowns,
                    in_secret: self.in_secret,
                },
            )
        })
    }
}

impl<'de, 'a> Deserializer<'de> for MapValue<'a> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_map(MapDeserializer::new(self.entries()))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        // Only called for a one-entry map: `{variant: content}`.
        match self.entries().next() {
            Some((variant, content)) => visitor.visit_enum(Variant { variant, content }),
            None => Err(de::Error::invalid_type(Unexpected::Map, &visitor)),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

/// One property value as a deserializer.
#[derive(Clone, Copy)]
pub(crate) struct Value<'a> {
    value: &'a PropertyValue,
    unknowns: Unknowns,
    /// The value is inside a secret (its own secretness aside).
    in_secret: bool,
}

impl<'a> Value<'a> {
    pub(crate) fn new(value: &'a PropertyValue, unknowns: Unknowns) -> Self {
        Value {
            value,
            unknowns,
            in_secret: false,
        }
    }

    /// True when the value is, holds or is inside a secret: an error may
    /// not quote it.
    fn is_secret(self) -> bool {
        self.in_secret || self.value.contains_secrets()
    }

    fn child(self, value: &'a PropertyValue) -> Self {
        Value {
            value,
            unknowns: self.unknowns,
            in_secret: self.is_secret(),
        }
    }

    fn map(self, map: &'a PropertyMap) -> MapValue<'a> {
        MapValue {
            map,
            unknowns: self.unknowns,
            in_secret: self.is_secret(),
        }
    }

    /// The value with secrets, output values and references looked through:
    /// `None` when it is not known.
    fn plain(self) -> Option<&'a PropertyValue> {
        match self.value {
            PropertyValue::Secret(inner) => self.child(inner).plain(),
            PropertyValue::Output(out) => out.value.as_deref().and_then(|v| self.child(v).plain()),
            PropertyValue::Unknown(_) => None,
            PropertyValue::ResourceReference(reference) => match reference.id.as_deref() {
                // The engine sends an unknown id as "": not known yet.
                Some(PropertyValue::String(text)) if text.is_empty() => None,
                Some(id) => self.child(id).plain(),
                None => Some(self.value),
            },
            other => Some(other),
        }
    }

    /// True when the value is not known and reads as a placeholder.
    fn is_placeholder(self) -> bool {
        self.unknowns == Unknowns::AsPlaceholders && self.plain().is_none()
    }

    /// The value for a typed read: an error while it is not known (a
    /// placeholder was already handled by the caller).
    fn known(self) -> Result<(), DecodeError> {
        match self.plain() {
            None => Err(DecodeError::not_known()),
            Some(_) => Ok(()),
        }
    }

    /// A placeholder standing for a value not known yet.
    fn placeholder() -> Self {
        Value::new(&UNKNOWN, Unknowns::AsPlaceholders)
    }

    /// An [`crate::Output`]'s view: its value (when fully known), secretness
    /// and dependencies.
    fn output_fields(self) -> Vec<(&'static str, OutputField<'a>)> {
        let secret = self.value.contains_secrets();
        let dependencies = self.value.dependencies();
        let mut fields = Vec::with_capacity(3);
        if !self.value.contains_unknowns() {
            fields.push((OUTPUT_VALUE_KEY, OutputField::Value(self)));
        }
        fields.push(("secret", OutputField::Secret(secret)));
        fields.push(("dependencies", OutputField::Dependencies(dependencies)));
        fields
    }
}

/// Typed reads: a placeholder when the value is not known and placeholders
/// are asked for, an error when it is not known otherwise, the value itself
/// when it is known.
macro_rules! typed_reads {
    ($($method:ident => |$visitor:ident| $placeholder:expr;)*) => {$(
        fn $method<V: Visitor<'de>>(self, $visitor: V) -> Result<V::Value, DecodeError> {
            if self.is_placeholder() {
                return $placeholder;
            }
            self.known()?;
            self.deserialize_any($visitor)
        }
    )*};
}

impl<'de, 'a> Deserializer<'de> for Value<'a> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let Some(plain) = self.plain() else {
            return visitor.visit_unit();
        };
        match plain {
            PropertyValue::Null | PropertyValue::Unknown(_) => visitor.visit_unit(),
            PropertyValue::Bool(flag) => visitor.visit_bool(*flag),
            PropertyValue::Number(number) => visit_number(*number, visitor),
            PropertyValue::String(text) => visitor.visit_str(text),
            PropertyValue::Array(items) => visitor.visit_seq(SeqDeserializer::new(
                items.iter().map(|item| self.child(item)),
            )),
            PropertyValue::Object(map)
            | PropertyValue::Asset(map)
            | PropertyValue::Archive(map) => self.map(map).deserialize_any(visitor),
            PropertyValue::ResourceReference(reference) => visitor.visit_str(&reference.urn),
            PropertyValue::Secret(_) | PropertyValue::Output(_) => {
                unreachable!("plain() looks through secrets and output values")
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.plain() {
            None | Some(PropertyValue::Null) => visitor.visit_none(),
            Some(_) => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        if name == OUTPUT_NEWTYPE {
            visitor.visit_map(MapDeserializer::new(self.output_fields().into_iter()))
        } else {
            visitor.visit_newtype_struct(self)
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        if self.is_placeholder() {
            return visitor.visit_map(MapDeserializer::new(
                fields.iter().map(|field| (*field, Value::placeholder())),
            ));
        }
        self.known()?;
        match self.plain() {
            // serde's structs also read lists, field by field in order: a
            // property value that is a list is never an object.
            Some(PropertyValue::Array(_)) => {
                Err(de::Error::invalid_type(Unexpected::Seq, &visitor))
            }
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        if self.is_placeholder() {
            return match variants.first() {
                Some(variant) => visitor.visit_enum(Variant {
                    variant,
                    content: Value::placeholder(),
                }),
                None => visitor.visit_unit(),
            };
        }
        self.known()?;
        match self.plain() {
            // A value not allowed is quoted, unless it is secret.
            Some(PropertyValue::String(text)) => visitor
                .visit_enum(text.as_str().into_deserializer())
                .map_err(|error: DecodeError| {
                    if self.is_secret() {
                        error
                    } else {
                        error.quoting_variant(text)
                    }
                }),
            Some(PropertyValue::Object(map)) if map.len() == 1 => {
                self.map(map).deserialize_enum(name, variants, visitor)
            }
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        if self.is_placeholder() {
            return visitor.visit_seq(SeqDeserializer::new(iter::repeat_n(
                Value::placeholder(),
                len,
            )));
        }
        self.known()?;
        self.deserialize_any(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_tuple(len, visitor)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_unit(visitor)
    }

    typed_reads! {
        deserialize_bool => |visitor| visitor.visit_bool(false);
        deserialize_i8 => |visitor| visitor.visit_i64(0);
        deserialize_i16 => |visitor| visitor.visit_i64(0);
        deserialize_i32 => |visitor| visitor.visit_i64(0);
        deserialize_i64 => |visitor| visitor.visit_i64(0);
        deserialize_i128 => |visitor| visitor.visit_i64(0);
        deserialize_u8 => |visitor| visitor.visit_u64(0);
        deserialize_u16 => |visitor| visitor.visit_u64(0);
        deserialize_u32 => |visitor| visitor.visit_u64(0);
        deserialize_u64 => |visitor| visitor.visit_u64(0);
        deserialize_u128 => |visitor| visitor.visit_u64(0);
        deserialize_f32 => |visitor| visitor.visit_f64(0.0);
        deserialize_f64 => |visitor| visitor.visit_f64(0.0);
        deserialize_char => |visitor| visitor.visit_char('?');
        deserialize_str => |visitor| visitor.visit_str("");
        deserialize_string => |visitor| visitor.visit_str("");
        deserialize_bytes => |visitor| visitor.visit_bytes(&[]);
        deserialize_byte_buf => |visitor| visitor.visit_bytes(&[]);
        deserialize_unit => |visitor| visitor.visit_unit();
        deserialize_seq => |visitor| visitor.visit_seq(SeqDeserializer::new(iter::empty::<Value>()));
        deserialize_map => |visitor| visitor.visit_map(MapDeserializer::new(iter::empty::<(&str, Value)>()));
    }

    forward_to_deserialize_any! {
        identifier ignored_any
    }
}

/// Numbers travel as doubles: integral ones are read as integers, so that
/// integer fields accept them. NaN and the infinities are refused.
fn visit_number<'de, V: Visitor<'de>>(number: f64, visitor: V) -> Result<V::Value, DecodeError> {
    if !number.is_finite() {
        return Err(DecodeError::not_finite());
    }
    if number.fract() == 0.0 && number.abs() < 9.0e15 {
        if number >= 0.0 {
            visitor.visit_u64(number as u64)
        } else {
            visitor.visit_i64(number as i64)
        }
    } else {
        visitor.visit_f64(number)
    }
}

/// An enum variant and its content: `{variant: content}`, or a placeholder.
struct Variant<'a> {
    variant: &'a str,
    content: Value<'a>,
}

impl<'de, 'a> EnumAccess<'de> for Variant<'a> {
    type Error = DecodeError;
    type Variant = Value<'a>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Value<'a>), DecodeError> {
        let variant = seed.deserialize(self.variant.into_deserializer())?;
        Ok((variant, self.content))
    }
}

impl<'de, 'a> VariantAccess<'de> for Value<'a> {
    type Error = DecodeError;

    fn unit_variant(self) -> Result<(), DecodeError> {
        match self.plain() {
            None | Some(PropertyValue::Null) => Ok(()),
            Some(_) => Err(de::Error::invalid_type(
                Unexpected::Map,
                &"a variant without content",
            )),
        }
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<S::Value, DecodeError> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_tuple(len, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_struct("", fields, visitor)
    }
}

/// One entry of the map an [`crate::Output`] reads.
enum OutputField<'a> {
    Value(Value<'a>),
    Secret(bool),
    Dependencies(Vec<String>),
}

impl<'de, 'a> IntoDeserializer<'de, DecodeError> for OutputField<'a> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de, 'a> Deserializer<'de> for OutputField<'a> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self {
            OutputField::Value(value) => value.deserialize_any(visitor),
            OutputField::Secret(flag) => visitor.visit_bool(flag),
            OutputField::Dependencies(urns) => {
                visitor.visit_seq(SeqDeserializer::new(urns.into_iter()))
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self {
            OutputField::Value(value) => value.deserialize_option(visitor),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        match self {
            OutputField::Value(value) => value.deserialize_newtype_struct(name, visitor),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        match self {
            OutputField::Value(value) => value.deserialize_enum(name, variants, visitor),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        match self {
            OutputField::Value(value) => value.deserialize_struct(name, fields, visitor),
            other => other.deserialize_any(visitor),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple
        tuple_struct map identifier ignored_any
    }
}

impl<'de, 'a> IntoDeserializer<'de, DecodeError> for Value<'a> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

//! The macros that declare the rules' spec types: from one declaration, the type itself, its
//! JSON Schema (through schemars' derive, which reads the same serde attributes) and its
//! [`FromJson`](super::read::FromJson) reader — so the three cannot drift apart.

/// Declares a rules object: the struct, its serde/schemars attributes and its [`FromJson`].
///
/// Two forms:
/// - `json_object! { #[defaults] pub struct S { pub f: T [min..=max] = default, .. } }`: every
///   field has a default, the whole object may be omitted, and `S: Default`.
/// - `json_object! { pub struct S { pub f: T, pub g: Option<U> = None, .. } }`: fields without
///   `= default` are required. Optional fields here must default to their type's `Default`
///   (`None`, empty, `false`, `0`) so the schema tells the truth.
///
/// `[min..=max]` bounds a number (or an `Option` of one); the schema carries the bounds too.
macro_rules! json_object {
    (
        #[defaults]
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                pub $field:ident : $ty:ty $([$min:literal ..= $max:literal])? = $default:expr
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(deny_unknown_fields, default)]
        pub struct $name {
            $(
                $(#[$fmeta])*
                $(#[cfg_attr(feature = "schema", schemars(range(min = $min, max = $max)))])?
                pub $field: $ty,
            )*
        }

        impl Default for $name {
            fn default() -> Self {
                Self { $($field: $default,)* }
            }
        }

        $crate::rules::declare::json_object!(@reader $name { $($field: $ty $([$min ..= $max])? = $default),* });
    };
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                pub $field:ident : $ty:ty $([$min:literal ..= $max:literal])? $(= $default:expr)?
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $(
                $(#[$fmeta])*
                $(#[cfg_attr(feature = "schema", schemars(range(min = $min, max = $max)))])?
                $(#[serde(default)] #[cfg_attr(any(), doc = stringify!($default))])?
                pub $field: $ty,
            )*
        }

        $crate::rules::declare::json_object!(@reader $name { $($field: $ty $([$min ..= $max])? $(= $default)?),* });
    };
    // The reader: every field read (a missing required one, or a bad one, is reported and
    // reading goes on), then ranges checked, then the struct built if all went well.
    (@reader $name:ident {
        $( $field:ident : $ty:ty $([$min:literal ..= $max:literal])? $(= $default:expr)? ),*
    }) => {
        impl $crate::rules::read::FromJson for $name {
            fn read(
                v: &$crate::json::Json,
                r: &mut $crate::rules::read::Reader,
            ) -> Option<Self> {
                const FIELDS: &[&str] = &[$(stringify!($field)),*];
                let entries = r.object(v, FIELDS)?;
                $(
                    let $field: Option<$ty> =
                        $crate::rules::declare::json_object!(@field r, entries, $field $(, $default)?);
                    $(let $field = $field.and_then(|x| r.range(stringify!($field), x, $min as f64, $max as f64));)?
                )*
                Some(Self { $($field: $field?,)* })
            }
        }
    };
    (@field $r:ident, $entries:ident, $field:ident) => {
        $r.required($entries, stringify!($field))
    };
    (@field $r:ident, $entries:ident, $field:ident, $default:expr) => {
        $r.optional($entries, stringify!($field), || $default)
    };
}
pub(crate) use json_object;

/// Declares a rules enum written as one of a few strings: `pub enum E { A = "a", .. }`.
macro_rules! json_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $json:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $json)] $variant, )*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            /// The names as written in the rules JSON.
            pub const NAMES: &'static [&'static str] = &[$($json),*];

            /// The name as written in the rules JSON.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $json,)* }
            }

            /// The value with this name.
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $($json => Some($name::$variant),)* _ => None }
            }
        }

        impl $crate::rules::read::FromJson for $name {
            fn read(
                v: &$crate::json::Json,
                r: &mut $crate::rules::read::Reader,
            ) -> Option<Self> {
                let $crate::json::Json::String(s) = v else {
                    return r.wrong_type("a string", v);
                };
                let found = Self::from_name(s);
                if found.is_none() {
                    r.error($crate::rules::error::RuleErrorKind::UnknownName {
                        found: s.clone(),
                        expected: Self::NAMES,
                    });
                }
                found
            }
        }

        $crate::codec::codec_enum!($name: $name::ALL);

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use json_enum;

#[cfg(test)]
#[allow(unreachable_pub)]
mod tests {
    use super::super::read::{FromJson, Reader};
    use crate::json::Json;
    use crate::prelude::*;
    use alloc::collections::BTreeMap;

    json_object! {
        #[defaults]
        /// A test object.
        pub struct Knobs {
            /// How many.
            pub count: u32 [1..=10] = 3,
            /// Whether.
            pub on: bool = true,
        }
    }

    json_object! {
        /// A test record.
        pub struct Item {
            /// Required.
            pub id: String,
            /// Optional.
            pub knobs: Option<Knobs> = None,
        }
    }

    fn read<T: FromJson>(text: &str) -> Result<T, Vec<String>> {
        let json = Json::parse(text).unwrap();
        let mut r = Reader::default();
        let out = T::read(&json, &mut r);
        match out {
            Some(x) if r.errors.is_empty() => Ok(x),
            _ => Err(r.errors.iter().map(ToString::to_string).collect()),
        }
    }

    #[test]
    fn defaults_fill_absent_fields() {
        assert_eq!(read::<Knobs>("{}").unwrap(), Knobs { count: 3, on: true });
        assert_eq!(read::<Knobs>(r#"{"count": 7}"#).unwrap().count, 7);
    }

    #[test]
    fn every_error_in_an_object_is_reported_with_its_path() {
        let errors =
            read::<Vec<Item>>(r#"[{"id": 1, "knobs": {"cuont": 2, "on": "yes"}}, {"idd": "x"}]"#)
                .unwrap_err();
        assert_eq!(
            errors,
            [
                "[0].id: expected a string, found a number",
                "[0].knobs.cuont: unknown field `cuont` (did you mean `count`?); expected one of: count, on",
                "[0].knobs.on: expected true or false, found a string",
                "[1].idd: unknown field `idd` (did you mean `id`?); expected one of: id, knobs",
                "[1]: missing field `id`",
            ]
        );
    }

    #[test]
    fn ranges_and_integers_are_checked() {
        let errors = read::<Knobs>(r#"{"count": 11}"#).unwrap_err();
        assert_eq!(errors, ["count: 11 is out of range; expected 1 to 10"]);
        let errors = read::<Knobs>(r#"{"count": 2.5}"#).unwrap_err();
        assert_eq!(errors, ["count: expected an integer, found 2.5"]);
        let errors = read::<Knobs>(r#"{"count": -1}"#).unwrap_err();
        assert_eq!(
            errors,
            ["count: -1 is out of range; expected 0 to 4294967295"]
        );
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let errors = read::<Knobs>(r#"{"on": true, "on": false}"#).unwrap_err();
        assert_eq!(errors, ["on: key `on` appears more than once"]);
    }

    #[test]
    fn odd_map_keys_are_quoted_in_paths() {
        let errors =
            read::<BTreeMap<String, Knobs>>(r#"{"a b": {"count": 0}, "ok": {}}"#).unwrap_err();
        assert_eq!(
            errors,
            [r#"["a b"].count: 0 is out of range; expected 1 to 10"#]
        );
    }
}

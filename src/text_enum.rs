//! Enums stored as text. `text_enum!` gives one serde, an OpenAPI schema, `as_str` and
//! `FromStr`; `stored_text!` lets a row struct hold it, diesel reading the text column straight
//! into the enum (an unknown stored value is a deserialization error, so an internal error, as
//! the `FromStr` of a parsed string was). Below `db` and `domain` so both can use them.

/// An enum stored as text: serde, OpenAPI schema, `as_str` and `FromStr` (an unknown stored
/// value is an internal error).
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, ::serde::Serialize, ::serde::Deserialize, ::utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl $name {
            /// Every accepted value, for error messages and documentation.
            pub const VALUES: &'static [&'static str] = &[$($text),+];

            /// Parses a value a client sent (a query parameter, say): an unknown value is a 422
            /// naming `field` and the accepted values.
            pub fn parse_field(field: &str, value: &str) -> ::std::result::Result<Self, $crate::error::FieldError> {
                match value {
                    $($text => Ok($name::$variant),)+
                    other => Err($crate::error::FieldError::new(
                        field,
                        $crate::error::FieldCode::UnknownValue,
                        format!("{field} must be one of {}, not {:?}", Self::VALUES.join(", "), other),
                    )),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::error::ApiError;
            fn from_str(s: &str) -> $crate::error::ApiResult<Self> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err($crate::error::ApiError::internal(format!(concat!("unknown ", stringify!($name), " {:?}"), other))),
                }
            }
        }
    };
}
pub(crate) use text_enum;

/// Lets diesel read a text column (or a nullable one, into an `Option`) into a `text_enum!`.
macro_rules! stored_text {
    ($name:ident) => {
        impl ::diesel::deserialize::FromSql<::diesel::sql_types::Text, ::diesel::pg::Pg> for $name {
            fn from_sql(bytes: ::diesel::pg::PgValue<'_>) -> ::diesel::deserialize::Result<Self> {
                let text = <String as ::diesel::deserialize::FromSql<
                    ::diesel::sql_types::Text,
                    ::diesel::pg::Pg,
                >>::from_sql(bytes)?;
                text.parse::<Self>().map_err(|_| {
                    format!(concat!("unknown ", stringify!($name), " {:?}"), text).into()
                })
            }
        }

        impl<DB, ST> ::diesel::deserialize::Queryable<ST, DB> for $name
        where
            DB: ::diesel::backend::Backend,
            ST: ::diesel::sql_types::SingleValue,
            Self: ::diesel::deserialize::FromSql<ST, DB>,
        {
            type Row = Self;
            fn build(row: Self) -> ::diesel::deserialize::Result<Self> {
                Ok(row)
            }
        }
    };
}
pub(crate) use stored_text;

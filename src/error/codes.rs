//! The stable codes clients branch on: `ErrorCode` for a whole problem, `FieldCode` for one
//! invalid field. Each code's string is written once, here; the spec lists them from the same
//! place.

use std::fmt;

use serde::{Serialize, Serializer};
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{Object, RefOr, Schema};

/// Defines a code enum from `Variant => "code"` pairs: the strings, `ALL` (in the order given),
/// `Display`, and `Serialize` as the string.
macro_rules! string_codes {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $code:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)*
        }

        impl $name {
            /// Every code, in alphabetical order.
            pub const ALL: &[$name] = &[$($name::$variant,)*];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)*
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

string_codes! {
    /// Every stable `code` of a problem response. Clients branch on these strings; a variant
    /// may be added, never renamed.
    ErrorCode {
        AccountDisabled => "account_disabled",
        AdminCodeTaken => "admin_code_taken",
        AlreadyCheckedIn => "already_checked_in",
        AlreadyExists => "already_exists",
        AlreadyInvited => "already_invited",
        AlreadyRegistered => "already_registered",
        AlreadyUndone => "already_undone",
        BodyTimeout => "body_timeout",
        CannotDisableSelf => "cannot_disable_self",
        CapacityReached => "capacity_reached",
        CodeTaken => "code_taken",
        ConcurrentUpdate => "concurrent_update",
        ConferenceCancelled => "conference_cancelled",
        DatabaseContention => "database_contention",
        DatabaseReadOnly => "database_read_only",
        DatabaseTimeout => "database_timeout",
        DatabaseUnavailable => "database_unavailable",
        EmailTaken => "email_taken",
        Erased => "erased",
        EtagMismatch => "etag_mismatch",
        Forbidden => "forbidden",
        IdempotencyKeyReused => "idempotency_key_reused",
        IllegalStatusTransition => "illegal_status_transition",
        InternalError => "internal_error",
        InvalidCredentials => "invalid_credentials",
        InvalidCsv => "invalid_csv",
        InvalidCursor => "invalid_cursor",
        InvalidPathParameter => "invalid_path_parameter",
        InvalidQueryParameter => "invalid_query_parameter",
        InvalidToken => "invalid_token",
        InvalidXlsx => "invalid_xlsx",
        InvitationExpired => "invitation_expired",
        InvitationOnly => "invitation_only",
        LastAdmin => "last_admin",
        LastOrganizer => "last_organizer",
        MalformedBody => "malformed_body",
        MalformedJson => "malformed_json",
        MethodNotAllowed => "method_not_allowed",
        MissingToken => "missing_token",
        NonceReused => "nonce_reused",
        NotAttended => "not_attended",
        NotFound => "not_found",
        NotInvited => "not_invited",
        NotReady => "not_ready",
        NoticeVersionNotCurrent => "notice_version_not_current",
        OverlappingSession => "overlapping_session",
        PayloadTooLarge => "payload_too_large",
        PreconditionRequired => "precondition_required",
        QuotaExceeded => "quota_exceeded",
        RateLimited => "rate_limited",
        RegistrationClosed => "registration_closed",
        RegistrationNotConfirmed => "registration_not_confirmed",
        RegistrationNotOpen => "registration_not_open",
        SessionFull => "session_full",
        SignupNotRequired => "signup_not_required",
        TokenExpired => "token_expired",
        UnitNameTaken => "unit_name_taken",
        UnsupportedMediaType => "unsupported_media_type",
        ValidationFailed => "validation_failed",
    }
}

string_codes! {
    /// Why one field of a request is invalid (`errors[].code` of a 422). Clients branch on these
    /// strings; a variant may be added, never renamed.
    FieldCode {
        AdminCodeTaken => "admin_code_taken",
        AfterConferenceEnd => "after_conference_end",
        AmbiguousUnit => "ambiguous_unit",
        BelowConfirmed => "below_confirmed",
        BelowSignups => "below_signups",
        CapacityReached => "capacity_reached",
        CodeOrRegistrationId => "code_or_registration_id",
        CommuneNeedsDistrict => "commune_needs_district",
        ConsentRequired => "consent_required",
        ConstraintViolated => "constraint_violated",
        ContactRequired => "contact_required",
        CredentialsInUrl => "credentials_in_url",
        Cycle => "cycle",
        Duplicate => "duplicate",
        InThePast => "in_the_past",
        InvalidCharacters => "invalid_characters",
        InvalidCsv => "invalid_csv",
        InvalidFormat => "invalid_format",
        InvalidLength => "invalid_length",
        InvalidPhone => "invalid_phone",
        InvalidUrl => "invalid_url",
        InvalidValue => "invalid_value",
        MustBeAfterOpen => "must_be_after_open",
        MustBeAfterStart => "must_be_after_start",
        MustBeHttps => "must_be_https",
        MustBeObject => "must_be_object",
        NotAllowed => "not_allowed",
        NotThisDevice => "not_this_device",
        OtherUnit => "other_unit",
        OutOfRange => "out_of_range",
        OutsideConference => "outside_conference",
        PrivateAddress => "private_address",
        Required => "required",
        RequiresCapacity => "requires_capacity",
        SessionsOutside => "sessions_outside",
        TooLong => "too_long",
        TooMany => "too_many",
        TooManyItems => "too_many_items",
        UnitNameTaken => "unit_name_taken",
        UnknownCategory => "unknown_category",
        UnknownKind => "unknown_kind",
        UnknownSession => "unknown_session",
        UnknownTimeZone => "unknown_time_zone",
        UnknownUnit => "unknown_unit",
        UnknownValue => "unknown_value",
        Unresolvable => "unresolvable",
    }
}

/// A `string` schema that lists `codes` as `x-extensible-enum`: clients and readers see every
/// value the server sends today, while generated clients keep a plain string, so a code added
/// later does not break them (a closed `enum` would).
fn open_enum(description: &str, example: Option<&str>, codes: &[&str]) -> RefOr<Schema> {
    let extensions: Extensions = [("x-extensible-enum", serde_json::json!(codes))]
        .into_iter()
        .collect();
    // `example`, as the derived schemas of the other fields write it.
    #[allow(deprecated)]
    let builder = ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .example(example.map(serde_json::Value::from))
        .extensions(Some(extensions));
    RefOr::T(Schema::Object(Object::from(builder)))
}

/// The schema of `Problem.code` (`schema_with`).
pub(super) fn error_code_schema() -> RefOr<Schema> {
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    open_enum(
        "Stable machine-readable code; clients branch on this.",
        None,
        &codes,
    )
}

/// The schema of `FieldError.code` (`schema_with`).
pub(super) fn field_code_schema() -> RefOr<Schema> {
    let codes: Vec<&str> = FieldCode::ALL.iter().map(|c| c.as_str()).collect();
    open_enum(
        "Stable machine-readable reason.",
        Some(FieldCode::MustBeAfterStart.as_str()),
        &codes,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distinct_snake_case_in_order(codes: Vec<&str>) {
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
        for code in codes {
            assert!(
                code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{code}"
            );
        }
    }

    #[test]
    fn error_codes_are_distinct_snake_case_and_listed_in_order() {
        distinct_snake_case_in_order(ErrorCode::ALL.iter().map(|c| c.as_str()).collect());
    }

    #[test]
    fn field_codes_are_distinct_snake_case_and_listed_in_order() {
        distinct_snake_case_in_order(FieldCode::ALL.iter().map(|c| c.as_str()).collect());
    }

    #[test]
    fn codes_serialize_as_their_strings() {
        assert_eq!(
            serde_json::to_value(FieldCode::MustBeAfterStart).ok(),
            Some(serde_json::json!("must_be_after_start"))
        );
        assert_eq!(
            serde_json::to_value(ErrorCode::ValidationFailed).ok(),
            Some(serde_json::json!("validation_failed"))
        );
    }
}

//! One table from database constraints to what their violation means to a client, and the
//! mapping of every diesel error to a response: transient trouble first, then listed
//! constraints, then a generic answer that keeps unlisted constraint names out of the body.

use super::ApiError;
use super::codes::{ErrorCode, FieldCode};
use super::problem::FieldError;
use super::transient::Transient;

/// What the violation of a named constraint means to a client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Violation {
    /// 409 with this code and detail.
    Conflict(ErrorCode, &'static str),
    /// 422 `validation_failed`, naming the request field the rule is about.
    Field {
        field: &'static str,
        code: FieldCode,
        message: &'static str,
    },
}

/// Every constraint a request can break that has a meaning of its own, wherever in the domain
/// it is broken. Unlisted unique and check constraints get a generic answer that does not name
/// them (the name goes to the log).
const CONSTRAINTS: &[(&str, Violation)] = &[
    (
        "accounts_email_key",
        Violation::Conflict(ErrorCode::EmailTaken, "an account with this email exists"),
    ),
    (
        "conferences_code_key",
        Violation::Conflict(ErrorCode::CodeTaken, "another conference uses this code"),
    ),
    (
        "invitations_one_per_unit",
        Violation::Conflict(
            ErrorCode::AlreadyInvited,
            "this unit is already invited; change or revoke that invitation",
        ),
    ),
    (
        "registrations_email_key",
        Violation::Conflict(ErrorCode::AlreadyRegistered, ALREADY_REGISTERED),
    ),
    (
        "registrations_phone_key",
        Violation::Conflict(ErrorCode::AlreadyRegistered, ALREADY_REGISTERED),
    ),
    (
        "registrations_stay_erased",
        Violation::Conflict(
            ErrorCode::Erased,
            "this registration's personal data was erased; it cannot be edited or substituted",
        ),
    ),
    (
        "units_admin_code_key",
        Violation::Conflict(
            ErrorCode::AdminCodeTaken,
            "another unit has this administrative code",
        ),
    ),
    (
        "units_name_per_parent_key",
        Violation::Conflict(
            ErrorCode::UnitNameTaken,
            "a unit with this name exists under the same parent",
        ),
    ),
    ("units_no_cycles", UNIT_CYCLE),
    ("units_not_own_parent", UNIT_CYCLE),
    (
        "units_parent_id_fkey",
        Violation::Field {
            field: "parent_id",
            code: FieldCode::UnknownUnit,
            message: "no such parent unit",
        },
    ),
];

const ALREADY_REGISTERED: &str =
    "someone with this email or phone is already registered for this conference";

const UNIT_CYCLE: Violation = Violation::Field {
    field: "parent_id",
    code: FieldCode::Cycle,
    message: "a unit cannot be placed under itself or one of its descendants",
};

impl Violation {
    fn of(constraint: &str) -> Option<Self> {
        CONSTRAINTS
            .iter()
            .find(|(name, _)| *name == constraint)
            .map(|&(_, violation)| violation)
    }

    fn into_error(self) -> ApiError {
        match self {
            Violation::Conflict(code, detail) => ApiError::conflict(code, detail),
            Violation::Field {
                field,
                code,
                message,
            } => ApiError::validation(vec![FieldError::new(field, code, message)]),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        if let Some(transient) = Transient::of(&error) {
            return transient.into_error(error);
        }
        if let Error::DatabaseError(_, info) = &error
            && let Some(violation) = info.constraint_name().and_then(Violation::of)
        {
            return violation.into_error();
        }
        // Unlisted constraints: the answer says what kind of rule was broken, the log which.
        match &error {
            Error::NotFound => ApiError::not_found("resource not found"),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => ApiError::conflict(
                ErrorCode::AlreadyExists,
                "a resource with the same unique value exists",
            )
            .with_cause(error),
            Error::DatabaseError(DatabaseErrorKind::CheckViolation, _) => {
                ApiError::validation(vec![FieldError::new(
                    "body",
                    FieldCode::ConstraintViolated,
                    "a value breaks a rule of the data model",
                )])
                .with_cause(error)
            }
            _ => ApiError::internal(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::ResponseError;
    use actix_web::http::StatusCode;
    use diesel::result::{DatabaseErrorInformation, DatabaseErrorKind, Error};

    use super::*;

    struct Info(&'static str);

    impl DatabaseErrorInformation for Info {
        fn message(&self) -> &str {
            "violates a constraint"
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            Some(self.0)
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    fn violation(kind: DatabaseErrorKind, constraint: &'static str) -> ApiError {
        Error::DatabaseError(kind, Box::new(Info(constraint))).into()
    }

    fn body(error: &ApiError) -> String {
        serde_json::to_string(&error.problem()).unwrap_or_default()
    }

    #[test]
    fn every_constraint_is_listed_once() {
        let mut names: Vec<&str> = CONSTRAINTS.iter().map(|(name, _)| *name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before);
    }

    #[test]
    fn a_listed_unique_constraint_is_a_conflict_with_its_own_code() {
        let error = violation(
            DatabaseErrorKind::UniqueViolation,
            "registrations_phone_key",
        );
        assert_eq!(error.status_code(), StatusCode::CONFLICT);
        assert_eq!(error.error_code(), ErrorCode::AlreadyRegistered);
    }

    #[test]
    fn a_listed_check_constraint_names_the_request_field() {
        let error = violation(DatabaseErrorKind::CheckViolation, "units_no_cycles");
        assert_eq!(error.status_code(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            error.errors(),
            [FieldError::new(
                "parent_id",
                FieldCode::Cycle,
                "a unit cannot be placed under itself or one of its descendants"
            )]
        );
    }

    #[test]
    fn unlisted_constraints_are_answered_without_their_names() {
        let unique = violation(DatabaseErrorKind::UniqueViolation, "internal_unique_key");
        assert_eq!(unique.status_code(), StatusCode::CONFLICT);
        assert_eq!(unique.error_code(), ErrorCode::AlreadyExists);
        assert!(!body(&unique).contains("internal_unique_key"));

        let check = violation(DatabaseErrorKind::CheckViolation, "internal_rule_check");
        assert_eq!(check.status_code(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(check.error_code(), ErrorCode::ValidationFailed);
        assert!(!body(&check).contains("internal_rule_check"));
        // The name still reaches the log, through the cause.
        assert!(format!("{check:?}").contains("violates a constraint"));
    }
}

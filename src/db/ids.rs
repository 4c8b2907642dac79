//! Typed ids: a `Uuid` that says which table's key it is, from the path to the row, so a
//! function taking a conference and an account cannot be handed the two the wrong way round.
//! They are written and read as PostgreSQL `uuid`, serialised as the bare UUID string, and
//! documented in the spec as `Uuid` (`value_type = Uuid`), so the wire format is unchanged.

use std::fmt;

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, Output, ToSql};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Defines an id newtype over `Uuid` with its SQL, serde and conversion impls.
macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
            AsExpression, FromSqlRow,
        )]
        #[serde(transparent)]
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        pub struct $name(pub Uuid);

        impl ToSql<diesel::sql_types::Uuid, Pg> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                <Uuid as ToSql<diesel::sql_types::Uuid, Pg>>::to_sql(&self.0, out)
            }
        }

        impl FromSql<diesel::sql_types::Uuid, Pg> for $name {
            fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
                <Uuid as FromSql<diesel::sql_types::Uuid, Pg>>::from_sql(bytes).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

typed_id! {
    /// The key of `conferences`.
    ConferenceId
}

typed_id! {
    /// The key of `accounts`.
    AccountId
}

typed_id! {
    /// The key of `registrations`.
    RegistrationId
}

typed_id! {
    /// The key of `conference_sessions`.
    SessionId
}

typed_id! {
    /// The key of `checkin_devices`.
    DeviceId
}

typed_id! {
    /// The key of `units`.
    UnitId
}

typed_id! {
    /// The key of `invitations`.
    InvitationId
}

typed_id! {
    /// The key of `checkins`.
    CheckinId
}

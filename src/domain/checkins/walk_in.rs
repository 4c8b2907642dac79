//! Walk-ins: a substitute at the door takes the seat of an invited delegate who did not come.

use super::*;

/// A walk-in at the door, taking the seat of a delegate of the same invited unit who did not come.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WalkIn {
    /// The invited delegate whose seat the walk-in takes.
    pub replaces_registration_id: Uuid,
    /// The person at the door; their unit is the replaced delegate's.
    pub person: crate::domain::registrations::PersonInput,
}

/// Substitutes a walk-in for an invited delegate who has not come today, keeping the unit's
/// quota and the seat; the substitution is recorded as made at the door.
pub async fn walk_in(
    conn: &mut AsyncPgConnection,
    device: &DeviceRow,
    input: WalkIn,
) -> ApiResult<crate::domain::registrations::RegistrationWithToken> {
    use crate::domain::registrations as regs;
    retrying_transaction!(conn, async |conn| {
        let (conference, _) =
            db::conferences::find_with_membership(conn, device.conference_id, None, Lock::Update)
                .await?
                .ok_or_else(|| ApiError::not_found("conference not found"))?;
        let current =
            db::registrations::find(conn, conference.id, input.replaces_registration_id, true)
                .await?
                .ok_or_else(|| ApiError::not_found("registration not found"))?;
        regs::ensure_live(&current)?;
        if current.invitation_id.is_none() {
            return Err(ApiError::conflict(
                ErrorCode::NotInvited,
                "walk-ins take the seat of a delegate named through a unit's invitation",
            ));
        }
        let today = local_day(Utc::now(), &conference.time_zone);
        if db::checkins::first_entry(conn, current.id, None, today)
            .await?
            .is_some()
        {
            return Err(ApiError::conflict(
                ErrorCode::AlreadyCheckedIn,
                "the delegate being replaced has come in today",
            ));
        }
        let person = crate::domain::registrations::PersonInput {
            unit_id: current.unit_id,
            ..input.person.clone()
        };
        let (row, delegate_token) = regs::substitute_locked(
            conn,
            &conference,
            &current,
            &person,
            crate::domain::substitutions::Substituter::Door(device.id.0),
        )
        .await?;
        let registration = regs::present_row(conn, row, &conference.code).await?.value;
        Ok(regs::RegistrationWithToken {
            registration,
            delegate_token,
        })
    })
}

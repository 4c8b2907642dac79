//! The seat rule: what a registration entering a conference gets (a seat, a place on the
//! waitlist, an organizer's review, or nothing because the conference is full). One pure
//! function, used by every path that admits people: organizer and self-registration, invitation
//! delegates, approval of a pending registration, and delegate imports. Also the seat keeping
//! that several modules share: waitlist promotion and freeing an invitation's seat.

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::db::{self, registrations::RegistrationRow, seats::Seats};
use crate::domain::common::RegistrationStatus;
use crate::error::{ApiError, ApiResult, ErrorCode};

/// The conference's seat counters, as the rule needs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeatCount {
    /// `None`: no limit.
    pub capacity: Option<i32>,
    pub confirmed: i32,
    pub waitlist_enabled: bool,
}

impl From<&Seats> for SeatCount {
    fn from(seats: &Seats) -> Self {
        SeatCount {
            capacity: seats.capacity,
            confirmed: seats.confirmed_count,
            waitlist_enabled: seats.waitlist_enabled,
        }
    }
}

/// Whether the registration still waits for an organizer's approval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Approval {
    /// Self-registration for an `approval_required` conference: no seat is taken yet.
    Required,
    /// Organizer, invitation and import registrations, and the approval itself.
    Granted,
}

/// What the seat rule decides for one registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeatDecision {
    /// Waits for an organizer; takes no seat until approved.
    Pending,
    /// Takes a free seat.
    Confirm,
    /// No seat is free: joins the waitlist (stamped with the database clock).
    Waitlist,
    /// No seat is free and the conference has no waitlist: `capacity_reached`.
    Refuse,
}

/// The seat rule. Pure: the caller holds the conference row lock and writes the outcome.
pub fn decide(count: SeatCount, approval: Approval) -> SeatDecision {
    if approval == Approval::Required {
        return SeatDecision::Pending;
    }
    let has_seat = count
        .capacity
        .is_none_or(|capacity| count.confirmed < capacity);
    if has_seat {
        SeatDecision::Confirm
    } else if count.waitlist_enabled {
        SeatDecision::Waitlist
    } else {
        SeatDecision::Refuse
    }
}

impl SeatCount {
    /// Decides for the next registration and counts the seat it takes, for callers admitting
    /// several people in a row (imports, in file order).
    pub fn take(&mut self, approval: Approval) -> SeatDecision {
        let decision = decide(*self, approval);
        self.confirmed += decision.seats_taken();
        decision
    }
}

impl SeatDecision {
    /// The registration's status, or the 409 a refusal is.
    pub fn status(self) -> ApiResult<RegistrationStatus> {
        match self {
            SeatDecision::Pending => Ok(RegistrationStatus::PendingApproval),
            SeatDecision::Confirm => Ok(RegistrationStatus::Confirmed),
            SeatDecision::Waitlist => Ok(RegistrationStatus::Waitlisted),
            SeatDecision::Refuse => Err(capacity_reached()),
        }
    }

    /// Seats the decision takes from the conference's capacity.
    pub fn seats_taken(self) -> i32 {
        i32::from(self == SeatDecision::Confirm)
    }
}

/// The 409 a refusal is: the conference is full and has no waitlist.
pub fn capacity_reached() -> ApiError {
    ApiError::conflict(ErrorCode::CapacityReached, "the conference is full")
}

/// Promotes waitlisted registrations, longest-waiting first, into every free seat (after the
/// capacity was raised or removed). Call with the conference row locked.
pub async fn fill_free_seats(conn: &mut AsyncPgConnection, conference_id: Uuid) -> ApiResult<()> {
    let seats = db::seats::lock(conn, conference_id).await?;
    let mut confirmed = seats.confirmed_count;
    while seats.capacity.is_none_or(|capacity| confirmed < capacity) {
        let Some(next) = db::registrations::first_waitlisted(conn, conference_id).await? else {
            break;
        };
        db::registrations::set_status(conn, next.id, RegistrationStatus::Confirmed, None).await?;
        confirmed += 1;
    }
    if confirmed != seats.confirmed_count {
        db::seats::set_counters(conn, conference_id, confirmed, seats.registration_seq).await?;
    }
    Ok(())
}

/// Frees the invitation seat of a registration that is no longer live.
pub async fn release_quota(conn: &mut AsyncPgConnection, row: &RegistrationRow) -> ApiResult<()> {
    if let Some(invitation_id) = row.invitation_id {
        db::invitations::add_used_seats(conn, invitation_id, -1).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(capacity: Option<i32>, confirmed: i32, waitlist_enabled: bool) -> SeatCount {
        SeatCount {
            capacity,
            confirmed,
            waitlist_enabled,
        }
    }

    #[test]
    fn every_combination_of_approval_room_and_waitlist() {
        use Approval::*;
        use SeatDecision::*;
        // (approval, capacity, confirmed, waitlist) -> decision
        let cases = [
            // No limit: always a seat once approved.
            (Required, None, 0, false, Pending),
            (Required, None, 500, true, Pending),
            (Granted, None, 0, false, Confirm),
            (Granted, None, 500, true, Confirm),
            // Room left.
            (Required, Some(10), 9, false, Pending),
            (Required, Some(10), 9, true, Pending),
            (Granted, Some(10), 0, false, Confirm),
            (Granted, Some(10), 9, false, Confirm),
            (Granted, Some(10), 9, true, Confirm),
            // Exactly full.
            (Required, Some(10), 10, false, Pending),
            (Required, Some(10), 10, true, Pending),
            (Granted, Some(10), 10, false, Refuse),
            (Granted, Some(10), 10, true, Waitlist),
            // Over full (capacity lowered below the confirmed count).
            (Required, Some(5), 10, false, Pending),
            (Granted, Some(5), 10, false, Refuse),
            (Granted, Some(5), 10, true, Waitlist),
            // No seats at all.
            (Granted, Some(0), 0, false, Refuse),
            (Granted, Some(0), 0, true, Waitlist),
            (Required, Some(0), 0, true, Pending),
        ];
        for (approval, capacity, confirmed, waitlist, expected) in cases {
            assert_eq!(
                decide(count(capacity, confirmed, waitlist), approval),
                expected,
                "{approval:?} capacity {capacity:?} confirmed {confirmed} waitlist {waitlist}"
            );
        }
    }

    #[test]
    fn only_a_confirmation_takes_a_seat() {
        assert_eq!(SeatDecision::Confirm.seats_taken(), 1);
        for decision in [
            SeatDecision::Pending,
            SeatDecision::Waitlist,
            SeatDecision::Refuse,
        ] {
            assert_eq!(decision.seats_taken(), 0);
        }
    }

    #[test]
    fn decisions_map_to_statuses_and_a_refusal_to_capacity_reached() {
        assert_eq!(
            SeatDecision::Pending.status().ok(),
            Some(RegistrationStatus::PendingApproval)
        );
        assert_eq!(
            SeatDecision::Confirm.status().ok(),
            Some(RegistrationStatus::Confirmed)
        );
        assert_eq!(
            SeatDecision::Waitlist.status().ok(),
            Some(RegistrationStatus::Waitlisted)
        );
        let refused = SeatDecision::Refuse.status().err();
        assert_eq!(refused.map(|e| e.code()), Some("capacity_reached"));
    }

    #[test]
    fn taking_in_a_row_fills_the_seats_then_the_waitlist() {
        let mut seats = count(Some(2), 1, true);
        let decisions: Vec<_> = (0..3).map(|_| seats.take(Approval::Granted)).collect();
        assert_eq!(
            decisions,
            [
                SeatDecision::Confirm,
                SeatDecision::Waitlist,
                SeatDecision::Waitlist
            ]
        );
        assert_eq!(seats.confirmed, 2);
    }

    #[test]
    fn taking_in_a_row_without_a_waitlist_refuses_past_capacity() {
        let mut seats = count(Some(1), 0, false);
        assert_eq!(seats.take(Approval::Granted), SeatDecision::Confirm);
        assert_eq!(seats.take(Approval::Granted), SeatDecision::Refuse);
        assert_eq!(seats.confirmed, 1);
    }

    #[test]
    fn pending_registrations_take_no_seat_in_a_row() {
        let mut seats = count(Some(1), 0, false);
        assert_eq!(seats.take(Approval::Required), SeatDecision::Pending);
        assert_eq!(seats.take(Approval::Required), SeatDecision::Pending);
        assert_eq!(seats.confirmed, 0);
    }
}

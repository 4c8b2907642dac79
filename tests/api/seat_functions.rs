//! The SQL the self-registration statement decides with, against the Rust it mirrors: the seat
//! rule (`domain::seats::decide` and `seat_decision`) and the reference format
//! (`domain::common::reference` and `registration_reference`). Every other path decides in
//! Rust; these checks keep the two definitions one rule.

use hoithao::domain::common::{reference, reference_prefix};
use hoithao::domain::seats::{Approval, SeatCount, SeatDecision, decide};

use crate::helpers::TestDatabase;

fn sql_name(decision: SeatDecision) -> &'static str {
    match decision {
        SeatDecision::Pending => "pending_approval",
        SeatDecision::Confirm => "confirmed",
        SeatDecision::Waitlist => "waitlisted",
        SeatDecision::Refuse => "refused",
    }
}

#[actix_web::test]
async fn the_sql_seat_rule_decides_as_the_rust_one_for_every_combination() {
    let db = TestDatabase::create().await;
    let client = db.client().await;
    let mut compared = 0;
    for capacity in [None, Some(0), Some(1), Some(5), Some(10)] {
        for confirmed in [0, 1, 4, 5, 9, 10, 11] {
            for waitlist_enabled in [false, true] {
                for approval in [Approval::Granted, Approval::Required] {
                    let count = SeatCount {
                        capacity,
                        confirmed,
                        waitlist_enabled,
                    };
                    let rust = sql_name(decide(count, approval));
                    let sql: String = client
                        .query_one(
                            "SELECT seat_decision($1, $2, $3, $4)",
                            &[
                                &capacity,
                                &confirmed,
                                &waitlist_enabled,
                                &(approval == Approval::Required),
                            ],
                        )
                        .await
                        .unwrap()
                        .get(0);
                    assert_eq!(sql, rust, "{count:?} {approval:?}");
                    compared += 1;
                }
            }
        }
    }
    assert_eq!(compared, 5 * 7 * 2 * 2);
}

#[actix_web::test]
async fn the_sql_reference_is_written_as_the_rust_one() {
    let db = TestDatabase::create().await;
    let client = db.client().await;
    for code in [
        "sxsh-vinh-phuc-2018",
        "hoithao",
        "abcdefghijklmno-2026",
        "a1",
    ] {
        for number in [1, 42, 999, 9_999, 10_000, 123_456] {
            let sql: String = client
                .query_one(
                    "SELECT registration_reference($1, $2)",
                    &[&reference_prefix(code), &number],
                )
                .await
                .unwrap()
                .get(0);
            assert_eq!(sql, reference(code, number), "{code} {number}");
        }
    }
}

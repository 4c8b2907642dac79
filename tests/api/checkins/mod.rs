//! Check-in at the door and per session, split by flow; the setup shared by these files (and by `arrivals`, `audit`, `bundles`) lives here.

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Conf, Reply, TestApp};

mod attendance;
mod batch;
mod bundle;
mod devices;
mod live;
mod manual;
mod scans;
mod search;
mod sessions;
mod undo;

pub(crate) struct Door {
    pub(crate) conference: Value,
    pub(crate) device: String,
}

/// A two-day published conference (19-20 July 2030, Hà Nội time) with one door device.
pub(crate) async fn door(app: &TestApp, organizer: &str, extra: Value) -> Door {
    let mut body = json!({"starts_at": "2030-07-19T08:00:00+07:00", "ends_at": "2030-07-20T17:00:00+07:00", "capacity": 1, "waitlist_enabled": true});
    crate::helpers::merge(&mut body, extra);
    let conference = app.published_conference(organizer, body).await;
    let device = device(app, organizer, &conference, json!({"name": "Cửa chính"})).await;
    Door { conference, device }
}

/// A conference running from `before` minutes before `now` to `after` minutes after it, in a
/// time zone where `now` is about midday. Door-day rules use the conference's local date, so
/// tests that scan "now" would otherwise change meaning when the suite runs near local midnight
/// (17:00 UTC in Hồ Chí Minh City time).
pub(crate) fn happening_now(now: chrono::DateTime<chrono::Utc>, before: i64, after: i64) -> Value {
    use chrono::Timelike;
    let offset_hours = 12 - now.hour() as i32; // -11..=12, so local time is 12:mm
    let time_zone = match offset_hours {
        0 => "Etc/UTC".to_owned(),
        // IANA's Etc zones are named with the sign reversed: Etc/GMT-7 is UTC+7.
        east if east > 0 => format!("Etc/GMT-{east}"),
        west => format!("Etc/GMT+{}", -west),
    };
    json!({
        "capacity": null,
        "waitlist_enabled": false,
        "time_zone": time_zone,
        "starts_at": (now - chrono::Duration::minutes(before)).to_rfc3339(),
        "ends_at": (now + chrono::Duration::minutes(after)).to_rfc3339(),
    })
}

pub(crate) async fn device(
    app: &TestApp,
    organizer: &str,
    conference: &Value,
    body: Value,
) -> String {
    let conf = Conf {
        organizer: organizer.to_owned(),
        conference: conference.clone(),
    };
    app.device(&conf, body).await
}

pub(crate) async fn register(app: &TestApp, conference: &Value, n: usize) -> Value {
    app.registration(conference, n).await
}

pub(crate) async fn scan(app: &TestApp, door: &Door, device: &str, body: Value) -> Reply {
    let path = format!(
        "/api/v1/conferences/{}/checkins",
        door.conference["id"].as_str().unwrap()
    );
    app.send(Method::POST, path, Some(device), Some(body)).await
}

pub(crate) fn by_code(registration: &Value, at: &str) -> Value {
    json!({"code": registration["qr_payload"], "direction": "in", "nonce": Uuid::new_v4(), "occurred_at": at})
}

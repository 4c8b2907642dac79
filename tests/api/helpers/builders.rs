//! Request bodies with defaults, and builders for the common setup (`app.open_conference()`, `app.registration(&conference, n)`, `app.device(&conf, body)`, `app.invitation(&conf, seats)`).

use super::*;

static CODE_COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

pub fn conference_body() -> Value {
    let n = CODE_COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    json!({
        "code": format!("sxsh-{n}"),
        "title": "Hội thảo sản xuất sạch hơn",
        "starts_at": "2030-07-19T08:00:00+07:00",
        "ends_at": "2030-07-19T17:00:00+07:00",
    })
}

pub fn session_body() -> Value {
    json!({
        "title": "Khai mạc",
        "kind": "opening",
        "starts_at": "2030-07-19T08:00:00+07:00",
        "ends_at": "2030-07-19T08:30:00+07:00",
    })
}

pub fn merge(target: &mut Value, overrides: Value) {
    if let (Some(target), Value::Object(overrides)) = (target.as_object_mut(), overrides) {
        for (key, value) in overrides {
            target.insert(key, value);
        }
    }
}

/// A self-registration body accepting the conference's privacy notice (version 1, the default
/// every conference starts with).
pub fn with_consent(mut body: Value) -> Value {
    body["consent"] = serde_json::json!({"notice_version": 1, "accepted": true});
    body
}

/// What most tests start from: an organizer and a published conference of theirs.
pub struct Conf {
    /// The organizer's access token.
    pub organizer: String,
    /// The conference as the API returned it.
    pub conference: Value,
}

impl Conf {
    pub fn id(&self) -> &str {
        self.conference["id"].as_str().expect("conference id")
    }

    /// `/api/v1/conferences/{id}{rest}`.
    pub fn path(&self, rest: &str) -> String {
        format!("/api/v1/conferences/{}{rest}", self.id())
    }
}

/// Builders for the common setup: each makes one thing through the API with defaults, asserts
/// it was made, and returns it, so a test states only what it asserts on.
impl TestApp {
    /// An organizer (`org@example.vn`, so once per test) and a published conference of theirs;
    /// `overrides` replace the defaults of `conference_body` field by field.
    pub async fn open_conference(&self, overrides: Value) -> Conf {
        let organizer = self.organizer("org").await;
        let conference = self.published_conference(&organizer, overrides).await;
        Conf {
            organizer,
            conference,
        }
    }

    /// Delegate number `n` registers themselves (`Nguyễn Văn {n}`, phone `09{n:08}`, the privacy
    /// notice accepted); returns the registration, with its `qr_payload`.
    pub async fn registration(&self, conference: &Value, n: usize) -> Value {
        let path = format!(
            "/api/v1/conferences/{}/self-registrations",
            conference["id"].as_str().expect("conference id")
        );
        let body = with_consent(json!({
            "full_name": format!("Nguyễn Văn {n}"), "position": "Chuyên viên",
            "category": "agency", "phone": format!("09{n:08}"),
        }));
        let reply = self.post(path, None, body).await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "self-registration: {}",
            reply.text
        );
        reply.body["registration"].clone()
    }

    /// A check-in device of the conference (`body` as `POST …/devices` takes it: `name`,
    /// `session_ids`); returns its token.
    pub async fn device(&self, conf: &Conf, body: Value) -> String {
        let reply = self
            .post(conf.path("/devices"), Some(&conf.organizer), body)
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "device: {}", reply.text);
        reply.body["token"]
            .as_str()
            .expect("device token")
            .to_owned()
    }

    /// A new agency unit invited to the conference with `seats`; returns the created body:
    /// `invitation` (with its `unit_id`) and the link `token`.
    pub async fn invitation(&self, conf: &Conf, seats: i32) -> Value {
        let unit = self
            .post(
                "/api/v1/units",
                Some(&conf.organizer),
                json!({"name": format!("Phòng Kinh tế {}", Uuid::new_v4().simple()), "kind": "agency"}),
            )
            .await;
        assert_eq!(unit.status, StatusCode::CREATED, "unit: {}", unit.text);
        let reply = self
            .post(
                conf.path("/invitations"),
                Some(&conf.organizer),
                json!({"unit_id": unit.body["id"], "seats": seats}),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "invitation: {}",
            reply.text
        );
        reply.body
    }
}

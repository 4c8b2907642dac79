//! Personal data (issue 12): consent and legal basis, a person's own data (export), erasure and
//! retention. `PERSONAL_COLUMNS` is the one list of where personal data lives; erasure and the
//! README's "Personal data" section follow it, and the erasure test scans every text column of
//! the database, so a new copy of personal data cannot hide.

pub mod consent;
pub mod erasure;
pub mod export;
pub mod retention;

/// What an erased name reads as.
pub const ERASED_NAME: &str = "Đã xoá";

/// Every table and column that holds personal data of delegates, and what erasure does to it.
pub const PERSONAL_COLUMNS: &[(&str, &str, &str)] = &[
    ("registrations", "full_name", "set to `Đã xoá`"),
    ("registrations", "name_folded", "set to `da xoa`"),
    ("registrations", "position", "cleared"),
    ("registrations", "organization", "cleared"),
    ("registrations", "email", "cleared"),
    ("registrations", "phone", "cleared"),
    (
        "registrations",
        "search_text, name_words, search_words",
        "cleared (the word vectors are derived)",
    ),
    (
        "registrations",
        "qr_secret, delegate_token_hash",
        "replaced by random values nobody holds",
    ),
    (
        "registration_substitutions",
        "previous_name, new_name",
        "set to `Đã xoá`",
    ),
    (
        "registration_substitutions",
        "previous_email, previous_phone, previous_position",
        "cleared",
    ),
    ("checkins", "undo_reason", "set to `Đã xoá` (free text)"),
    (
        "idempotency_keys",
        "response",
        "the person's values in stored responses replaced",
    ),
    (
        "login_throttle",
        "key",
        "rows keyed by the person's email deleted",
    ),
];

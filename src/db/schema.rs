// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "tsvector", schema = "pg_catalog"))]
    pub struct Tsvector;
}

diesel::table! {
    accounts (id) {
        id -> Uuid,
        email -> Text,
        display_name -> Text,
        password_hash -> Text,
        role -> Text,
        disabled_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    app_settings (key) {
        key -> Text,
        value -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Uuid,
        at -> Timestamptz,
        conference_id -> Nullable<Uuid>,
        entity -> Text,
        entity_id -> Nullable<Uuid>,
        action -> Text,
        fields -> Array<Nullable<Text>>,
        actor_kind -> Text,
        actor_id -> Nullable<Uuid>,
        actor_role -> Nullable<Text>,
        client_ip -> Nullable<Text>,
        request_id -> Nullable<Text>,
    }
}

diesel::table! {
    certificates (registration_id) {
        registration_id -> Uuid,
        conference_id -> Uuid,
        code -> Text,
        rule -> Text,
        min_sessions -> Nullable<Int4>,
        issued_at -> Timestamptz,
    }
}

diesel::table! {
    checkin_devices (id) {
        id -> Uuid,
        conference_id -> Uuid,
        name -> Text,
        gate -> Nullable<Text>,
        session_ids -> Array<Nullable<Uuid>>,
        token_hash -> Bytea,
        revoked_at -> Nullable<Timestamptz>,
        last_seen_at -> Nullable<Timestamptz>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    checkins (id) {
        id -> Uuid,
        conference_id -> Uuid,
        registration_id -> Nullable<Uuid>,
        session_id -> Nullable<Uuid>,
        device_id -> Nullable<Uuid>,
        nonce -> Uuid,
        direction -> Text,
        outcome -> Text,
        method -> Text,
        conflict -> Nullable<Text>,
        occurred_at -> Timestamptz,
        received_at -> Timestamptz,
        local_day -> Date,
        undone_at -> Nullable<Timestamptz>,
        undone_by -> Nullable<Uuid>,
        undo_reason -> Nullable<Text>,
        changed_xid -> Int8,
    }
}

diesel::table! {
    conference_organizers (conference_id, account_id) {
        conference_id -> Uuid,
        account_id -> Uuid,
        added_at -> Timestamptz,
    }
}

diesel::table! {
    conference_sessions (id) {
        id -> Uuid,
        conference_id -> Uuid,
        title -> Text,
        description -> Nullable<Text>,
        kind -> Text,
        room -> Nullable<Text>,
        speakers -> Array<Nullable<Text>>,
        starts_at -> Timestamptz,
        ends_at -> Timestamptz,
        capacity -> Nullable<Int4>,
        signup_required -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        signup_count -> Int4,
    }
}

diesel::table! {
    conference_seats (conference_id) {
        conference_id -> Uuid,
        confirmed_count -> Int4,
        registration_seq -> Int4,
        capacity -> Nullable<Int4>,
        waitlist_enabled -> Bool,
        status -> Text,
        registration_mode -> Text,
        registration_opens_at -> Nullable<Timestamptz>,
        registration_closes_at -> Timestamptz,
    }
}

diesel::table! {
    conferences (id) {
        id -> Uuid,
        code -> Text,
        title -> Text,
        description -> Nullable<Text>,
        venue_name -> Nullable<Text>,
        venue_address -> Nullable<Text>,
        starts_at -> Timestamptz,
        ends_at -> Timestamptz,
        time_zone -> Text,
        registration_opens_at -> Nullable<Timestamptz>,
        registration_closes_at -> Nullable<Timestamptz>,
        capacity -> Nullable<Int4>,
        waitlist_enabled -> Bool,
        registration_mode -> Text,
        host_organization -> Nullable<Text>,
        co_host_organizations -> Array<Nullable<Text>>,
        status -> Text,
        search_text -> Text,
        version -> Int4,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        retention_days -> Nullable<Int4>,
        personal_data_erased_at -> Nullable<Timestamptz>,
        sender_email -> Nullable<Text>,
    }
}

diesel::table! {
    idempotency_keys (scope, key) {
        scope -> Text,
        key -> Text,
        request_hash -> Bytea,
        status -> Int2,
        response -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    invitations (id) {
        id -> Uuid,
        conference_id -> Uuid,
        unit_id -> Uuid,
        seats -> Int4,
        used_seats -> Int4,
        expires_at -> Nullable<Timestamptz>,
        token_hash -> Bytea,
        revoked_at -> Nullable<Timestamptz>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    login_throttle (key) {
        key -> Text,
        window_started_at -> Timestamptz,
        failures -> Int4,
    }
}

diesel::table! {
    outbox (id) {
        id -> Uuid,
        conference_id -> Uuid,
        channel -> Text,
        event -> Text,
        registration_id -> Nullable<Uuid>,
        invitation_id -> Nullable<Uuid>,
        endpoint_id -> Nullable<Uuid>,
        data -> Jsonb,
        link_token -> Nullable<Text>,
        state -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    privacy_notices (conference_id, version) {
        conference_id -> Uuid,
        version -> Int4,
        text_vi -> Text,
        text_en -> Nullable<Text>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    registration_substitutions (id) {
        id -> Uuid,
        registration_id -> Uuid,
        previous_name -> Text,
        previous_email -> Nullable<Text>,
        previous_phone -> Nullable<Text>,
        new_name -> Text,
        substituted_by -> Text,
        substituted_at -> Timestamptz,
        conference_id -> Uuid,
        previous_position -> Nullable<Text>,
        previous_unit_id -> Nullable<Uuid>,
        invitation_id -> Nullable<Uuid>,
        device_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    qr_disclosures (id) {
        id -> Uuid,
        conference_id -> Uuid,
        account_id -> Nullable<Uuid>,
        scope -> Text,
        unit_id -> Nullable<Uuid>,
        registration_id -> Nullable<Uuid>,
        codes -> Int4,
        disclosed_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    registrations (id) {
        id -> Uuid,
        conference_id -> Uuid,
        number -> Int4,
        full_name -> Text,
        position -> Nullable<Text>,
        unit_id -> Nullable<Uuid>,
        organization -> Nullable<Text>,
        category -> Text,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        status -> Text,
        source -> Text,
        invitation_id -> Nullable<Uuid>,
        qr_secret -> Text,
        delegate_token_hash -> Bytea,
        search_text -> Text,
        waitlisted_at -> Nullable<Timestamptz>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        changed_xid -> Int8,
        name_folded -> Text,
        name_words -> Nullable<Tsvector>,
        search_words -> Nullable<Tsvector>,
        language -> Text,
        legal_basis -> Text,
        consent_notice_version -> Nullable<Int4>,
        consent_at -> Nullable<Timestamptz>,
        erased_at -> Nullable<Timestamptz>,
        erased_by -> Nullable<Text>,
        erased_by_account -> Nullable<Uuid>,
    }
}

diesel::table! {
    session_signups (registration_id, session_id) {
        registration_id -> Uuid,
        session_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    units (id) {
        id -> Uuid,
        name -> Text,
        kind -> Text,
        parent_id -> Nullable<Uuid>,
        admin_code -> Nullable<Text>,
        address -> Nullable<Text>,
        contact_person -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        search_name -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> Uuid,
        endpoint_id -> Uuid,
        outbox_id -> Uuid,
        attempted_at -> Timestamptz,
        status_code -> Nullable<Int4>,
        error -> Nullable<Text>,
        duration_ms -> Int4,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> Uuid,
        conference_id -> Uuid,
        url -> Text,
        events -> Array<Nullable<Text>>,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamptz>,
        enabled -> Bool,
        failing_since -> Nullable<Timestamptz>,
        disabled_reason -> Nullable<Text>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(certificates -> conferences (conference_id));
diesel::joinable!(certificates -> registrations (registration_id));
diesel::joinable!(checkin_devices -> accounts (created_by));
diesel::joinable!(checkin_devices -> conferences (conference_id));
diesel::joinable!(checkins -> accounts (undone_by));
diesel::joinable!(checkins -> checkin_devices (device_id));
diesel::joinable!(checkins -> conference_sessions (session_id));
diesel::joinable!(checkins -> conferences (conference_id));
diesel::joinable!(checkins -> registrations (registration_id));
diesel::joinable!(conference_organizers -> accounts (account_id));
diesel::joinable!(conference_organizers -> conferences (conference_id));
diesel::joinable!(conference_seats -> conferences (conference_id));
diesel::joinable!(conference_sessions -> conferences (conference_id));
diesel::joinable!(conferences -> accounts (created_by));
diesel::joinable!(invitations -> accounts (created_by));
diesel::joinable!(invitations -> conferences (conference_id));
diesel::joinable!(invitations -> units (unit_id));
diesel::joinable!(outbox -> conferences (conference_id));
diesel::joinable!(outbox -> invitations (invitation_id));
diesel::joinable!(outbox -> registrations (registration_id));
diesel::joinable!(outbox -> webhook_endpoints (endpoint_id));
diesel::joinable!(privacy_notices -> accounts (created_by));
diesel::joinable!(privacy_notices -> conferences (conference_id));
diesel::joinable!(qr_disclosures -> accounts (account_id));
diesel::joinable!(qr_disclosures -> conferences (conference_id));
diesel::joinable!(qr_disclosures -> registrations (registration_id));
diesel::joinable!(qr_disclosures -> units (unit_id));
diesel::joinable!(registration_substitutions -> checkin_devices (device_id));
diesel::joinable!(registration_substitutions -> conferences (conference_id));
diesel::joinable!(registration_substitutions -> invitations (invitation_id));
diesel::joinable!(registration_substitutions -> registrations (registration_id));
diesel::joinable!(registration_substitutions -> units (previous_unit_id));
diesel::joinable!(registrations -> conferences (conference_id));
diesel::joinable!(registrations -> invitations (invitation_id));
diesel::joinable!(registrations -> units (unit_id));
diesel::joinable!(session_signups -> conference_sessions (session_id));
diesel::joinable!(session_signups -> registrations (registration_id));
diesel::joinable!(webhook_attempts -> outbox (outbox_id));
diesel::joinable!(webhook_attempts -> webhook_endpoints (endpoint_id));
diesel::joinable!(webhook_endpoints -> accounts (created_by));
diesel::joinable!(webhook_endpoints -> conferences (conference_id));

diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    app_settings,
    audit_log,
    certificates,
    checkin_devices,
    checkins,
    conference_organizers,
    conference_seats,
    conference_sessions,
    conferences,
    idempotency_keys,
    invitations,
    login_throttle,
    outbox,
    privacy_notices,
    qr_disclosures,
    registration_substitutions,
    registrations,
    session_signups,
    units,
    webhook_attempts,
    webhook_endpoints,
);

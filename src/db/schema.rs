// @generated automatically by Diesel CLI.

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
    }
}

diesel::table! {
    login_throttle (key) {
        key -> Text,
        window_started_at -> Timestamptz,
        failures -> Int4,
    }
}

diesel::joinable!(conference_organizers -> accounts (account_id));
diesel::joinable!(conference_organizers -> conferences (conference_id));
diesel::joinable!(conference_sessions -> conferences (conference_id));
diesel::joinable!(conferences -> accounts (created_by));

diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    app_settings,
    conference_organizers,
    conference_sessions,
    conferences,
    login_throttle,
);

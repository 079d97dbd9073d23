// One schema for both backends; JSON columns use `crate::json::Json`.

diesel::table! {
    use diesel::sql_types::*;
    use crate::json::Json;

    plans (id) {
        id -> Text,
        kind -> Text,
        title -> Json,
        period_start -> Date,
        period_end -> Date,
        reporting_frequency -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::json::Json;

    clusters (id) {
        id -> Text,
        number -> Integer,
        code -> Text,
        name -> Json,
        sub_phenomena -> Json,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::json::Json;

    themes (id) {
        id -> Text,
        position -> Integer,
        name -> Json,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    plan_clusters (plan_id, cluster_id) {
        plan_id -> Text,
        cluster_id -> Text,
    }
}

diesel::table! {
    plan_themes (plan_id, theme_id) {
        plan_id -> Text,
        theme_id -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::json::Json;

    organisations (id) {
        id -> Text,
        name -> Json,
        kind -> Text,
        coordinator -> Bool,
        parent_id -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(plan_clusters -> plans (plan_id));
diesel::joinable!(plan_clusters -> clusters (cluster_id));
diesel::joinable!(plan_themes -> plans (plan_id));
diesel::joinable!(plan_themes -> themes (theme_id));

diesel::allow_tables_to_appear_in_same_query!(
    plans,
    clusters,
    themes,
    plan_clusters,
    plan_themes,
    organisations,
);

diesel::table! {
    use diesel::sql_types::*;
    use crate::json::Json;

    accounts (id) {
        id -> Text,
        kind -> Text,
        login -> Text,
        organisation_id -> Text,
        roles -> Json,
        secret_hash -> Text,
        disabled -> Bool,
        secret_changed_at -> Timestamp,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    login_failures (throttle_key) {
        throttle_key -> Text,
        failures -> Integer,
        window_started_at -> Timestamp,
        blocked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    server_secrets (name) {
        name -> Text,
        value -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(accounts -> organisations (organisation_id));
diesel::allow_tables_to_appear_in_same_query!(accounts, organisations);

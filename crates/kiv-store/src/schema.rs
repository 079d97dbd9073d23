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

diesel::table! {
    use diesel::sql_types::*;
    use crate::json::Json;

    objectives (id) {
        id -> Text,
        plan_id -> Text,
        cluster_id -> Nullable<Text>,
        parent_id -> Nullable<Text>,
        code -> Text,
        level -> Text,
        title -> Json,
        description -> Nullable<Json>,
        sort_title -> Text,
        search_text -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    objective_themes (objective_id, theme_id) {
        objective_id -> Text,
        theme_id -> Text,
    }
}

diesel::table! {
    objective_owners (objective_id, organisation_id) {
        objective_id -> Text,
        organisation_id -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::json::Json;

    actions (id) {
        id -> Text,
        objective_id -> Text,
        code -> Text,
        title -> Json,
        description -> Nullable<Json>,
        lead_organisation_id -> Text,
        planned_start -> Date,
        planned_end -> Date,
        weight -> Double,
        external_id -> Nullable<Text>,
        sort_title -> Text,
        search_text -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    action_partners (action_id, organisation_id) {
        action_id -> Text,
        organisation_id -> Text,
    }
}

diesel::table! {
    action_themes (action_id, theme_id) {
        action_id -> Text,
        theme_id -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::json::Json;

    indicators (id) {
        id -> Text,
        objective_id -> Nullable<Text>,
        action_id -> Nullable<Text>,
        name -> Json,
        unit -> Nullable<Text>,
        measure -> Text,
        direction -> Text,
        baseline -> Nullable<Json>,
        targets -> Json,
        sort_title -> Text,
        search_text -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::json::Json;

    audit_events (id) {
        id -> Text,
        occurred_at -> Timestamp,
        account_login -> Text,
        organisation_id -> Text,
        entity_type -> Text,
        entity_id -> Text,
        operation -> Text,
        before -> Nullable<Json>,
        after -> Nullable<Json>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::json::Json;

    idempotent_requests (account_login, idempotency_key) {
        account_login -> Text,
        idempotency_key -> Text,
        request_hash -> Text,
        status -> Nullable<Integer>,
        headers -> Nullable<Json>,
        body -> Nullable<Binary>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(objectives -> plans (plan_id));
diesel::joinable!(objective_themes -> objectives (objective_id));
diesel::joinable!(objective_owners -> objectives (objective_id));
diesel::joinable!(actions -> objectives (objective_id));
diesel::joinable!(action_partners -> actions (action_id));
diesel::joinable!(action_themes -> actions (action_id));

diesel::allow_tables_to_appear_in_same_query!(
    plans,
    clusters,
    themes,
    plan_clusters,
    plan_themes,
    organisations,
    accounts,
    login_failures,
    server_secrets,
    objectives,
    objective_themes,
    objective_owners,
    actions,
    action_partners,
    action_themes,
    indicators,
    audit_events,
    idempotent_requests,
);

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
        access_version -> Integer,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::json::Json;

    report_links (id) {
        id -> Text,
        report -> Text,
        parameters -> Json,
        created_by -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_by -> Nullable<Text>,
    }
}

diesel::table! {
    login_attempts (throttle_key) {
        throttle_key -> Text,
        failures -> Integer,
        last_failure_at -> Nullable<Timestamp>,
        wait_until -> Nullable<Timestamp>,
        last_success_at -> Nullable<Timestamp>,
        expires_at -> Timestamp,
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
        /// The objective's plan, kept here for the list's filters and indexes.
        plan_id -> Text,
        /// The objective's cluster, kept here for the list's filters and indexes.
        cluster_id -> Nullable<Text>,
        /// `action_states.status`, kept here for the list's filters and indexes (NULL: no
        /// approved follow-up yet).
        status -> Nullable<Text>,
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

diesel::table! {
    use diesel::sql_types::*;
    use crate::json::Json;

    follow_ups (id) {
        id -> Text,
        action_id -> Text,
        period -> Text,
        period_start -> Date,
        status -> Text,
        progress -> Nullable<Double>,
        narrative -> Nullable<Json>,
        state -> Text,
        organisation_id -> Text,
        created_by -> Text,
        submitted_at -> Nullable<Timestamp>,
        reviewed_by -> Nullable<Text>,
        reviewed_at -> Nullable<Timestamp>,
        review_note -> Nullable<Text>,
        revision -> Integer,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::json::Json;

    follow_up_contributions (id) {
        id -> Text,
        follow_up_id -> Text,
        organisation_id -> Text,
        narrative -> Json,
        indicator_values -> Json,
        version -> Integer,
        created_by -> Text,
        updated_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::json::Json;

    follow_up_values (follow_up_id, indicator_id) {
        follow_up_id -> Text,
        indicator_id -> Text,
        position -> Integer,
        number_value -> Nullable<Double>,
        text_value -> Nullable<Text>,
        comment -> Nullable<Json>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::json::Json;

    follow_up_events (id) {
        id -> Text,
        follow_up_id -> Text,
        revision -> Integer,
        event -> Text,
        account_login -> Text,
        organisation_id -> Text,
        occurred_at -> Timestamp,
        note -> Nullable<Text>,
        snapshot -> Json,
    }
}

diesel::table! {
    approved_follow_ups (id) {
        id -> Text,
        follow_up_id -> Text,
        revision -> Integer,
        action_id -> Text,
        period -> Text,
        period_start -> Date,
        status -> Text,
        progress -> Nullable<Double>,
        approved_at -> Timestamp,
        approved_by -> Text,
    }
}

diesel::table! {
    approved_values (approved_id, indicator_id) {
        approved_id -> Text,
        indicator_id -> Text,
        number_value -> Nullable<Double>,
        text_value -> Nullable<Text>,
    }
}

diesel::table! {
    action_states (action_id) {
        action_id -> Text,
        approved_id -> Text,
        status -> Text,
        progress -> Nullable<Double>,
        period -> Text,
        period_start -> Date,
        approved_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::json::Json;

    cluster_follow_ups (id) {
        id -> Text,
        plan_id -> Text,
        cluster_id -> Text,
        period -> Text,
        period_start -> Date,
        assessment -> Text,
        narrative -> Nullable<Json>,
        highlights -> Nullable<Json>,
        obstacles -> Nullable<Json>,
        next_steps -> Nullable<Json>,
        organisation_ids -> Json,
        state -> Text,
        figures -> Nullable<Json>,
        published_revision -> Nullable<Integer>,
        published_at -> Nullable<Timestamp>,
        published_by -> Nullable<Text>,
        revision -> Integer,
        version -> Integer,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::json::Json;

    evaluations (id) {
        id -> Text,
        plan_id -> Text,
        cluster_id -> Nullable<Text>,
        theme_id -> Nullable<Text>,
        subject -> Text,
        round -> Text,
        period_from -> Text,
        period_to -> Text,
        evaluating_organisation_ids -> Json,
        scores -> Json,
        overall_rating -> Nullable<Text>,
        findings -> Nullable<Json>,
        evidence -> Json,
        state -> Text,
        published_revision -> Nullable<Integer>,
        published_at -> Nullable<Timestamp>,
        published_by -> Nullable<Text>,
        revision -> Integer,
        version -> Integer,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::json::Json;

    recommendations (id) {
        id -> Text,
        evaluation_id -> Text,
        text -> Json,
        organisation_ids -> Json,
        priority -> Text,
        due_date -> Nullable<Date>,
        status -> Text,
        status_note -> Nullable<Json>,
        version -> Integer,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::json::Json;

    published_recommendations (id) {
        id -> Text,
        evaluation_id -> Text,
        revision -> Integer,
        text -> Json,
        organisation_ids -> Json,
        priority -> Text,
        due_date -> Nullable<Date>,
        status -> Text,
        status_note -> Nullable<Json>,
        version -> Integer,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    published_recommendation_organisations (recommendation_id, organisation_id) {
        recommendation_id -> Text,
        organisation_id -> Text,
    }
}

diesel::table! {
    recommendation_organisations (recommendation_id, organisation_id) {
        recommendation_id -> Text,
        organisation_id -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::json::Json;

    publication_events (id) {
        id -> Text,
        entity_type -> Text,
        entity_id -> Text,
        revision -> Integer,
        event -> Text,
        account_login -> Text,
        organisation_id -> Text,
        occurred_at -> Timestamp,
        note -> Nullable<Text>,
        snapshot -> Json,
    }
}

diesel::table! {
    published_assessments (id) {
        id -> Text,
        entity_type -> Text,
        entity_id -> Text,
        revision -> Integer,
        plan_id -> Text,
        cluster_id -> Nullable<Text>,
        theme_id -> Nullable<Text>,
        period -> Text,
        period_start -> Date,
        judgement -> Text,
        round -> Nullable<Text>,
        published_at -> Timestamp,
        period_from -> Nullable<Text>,
    }
}

diesel::joinable!(follow_ups -> actions (action_id));
diesel::joinable!(recommendations -> evaluations (evaluation_id));
diesel::joinable!(published_recommendations -> evaluations (evaluation_id));
diesel::joinable!(
    published_recommendation_organisations -> published_recommendations (recommendation_id)
);
diesel::joinable!(recommendation_organisations -> recommendations (recommendation_id));
diesel::joinable!(follow_up_values -> follow_ups (follow_up_id));
diesel::joinable!(follow_up_contributions -> follow_ups (follow_up_id));
diesel::joinable!(action_states -> actions (action_id));
diesel::joinable!(approved_values -> approved_follow_ups (approved_id));

diesel::allow_tables_to_appear_in_same_query!(
    plans,
    clusters,
    themes,
    plan_clusters,
    plan_themes,
    organisations,
    accounts,
    login_attempts,
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
    follow_ups,
    follow_up_values,
    follow_up_events,
    approved_follow_ups,
    approved_values,
    action_states,
    cluster_follow_ups,
    evaluations,
    recommendations,
    recommendation_organisations,
    published_recommendations,
    published_recommendation_organisations,
    follow_up_contributions,
    publication_events,
    published_assessments,
    report_links,
);

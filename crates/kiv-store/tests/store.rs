//! The store on the backend `KIV_TEST_DATABASE_URL` names (SQLite without it).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::BTreeSet;
use std::path::Path;

use diesel::connection::SimpleConnection;
use kiv_domain::paging::SortKey;
use kiv_domain::{Language, PageRequest};
use kiv_store::reference::clusters::{self, ClusterFilter, ClusterSort};
use kiv_store::reference::{organisations, plans, themes};
use kiv_store::seed::{self, ReferenceData};
use kiv_store::testing::TestDatabase;
use kiv_store::{migrations, StoreError};

fn migration_names(backend: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../migrations")
        .join(backend);
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.file_type().unwrap().is_dir())
        .map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            for file in ["up.sql", "down.sql"] {
                assert!(
                    entry.path().join(file).is_file(),
                    "{backend}/{name} lacks {file}"
                );
            }
            name
        })
        .collect()
}

#[test]
fn both_backends_have_the_same_migrations() {
    let sqlite = migration_names("sqlite");
    let postgres = migration_names("postgres");
    assert!(!sqlite.is_empty());
    assert_eq!(
        sqlite, postgres,
        "migrations/sqlite and migrations/postgres differ"
    );
}

#[test]
fn migrations_are_reversible() {
    let db = TestDatabase::new();
    let mut conn = db.connect();
    let applied = migrations::run_pending(&mut conn).unwrap();
    assert_eq!(applied.len(), migration_names("sqlite").len());
    let reverted = migrations::revert_all(&mut conn).unwrap();
    assert_eq!(reverted.len(), applied.len());
    assert_eq!(migrations::run_pending(&mut conn).unwrap(), applied);
    assert!(migrations::run_pending(&mut conn).unwrap().is_empty());
}

#[test]
fn seeding_is_idempotent_and_updates_what_changed() {
    let db = TestDatabase::new();
    let database = db.migrated();
    let mut conn = database.connection().unwrap();
    let data = ReferenceData::embedded().unwrap();

    assert!(!seed::is_seeded(&mut conn).unwrap());
    let first = seed::apply(&mut conn, &data).unwrap();
    assert_eq!(
        (
            first.clusters.inserted,
            first.themes.inserted,
            first.plans.inserted
        ),
        (10, 5, 2)
    );
    assert!(seed::is_seeded(&mut conn).unwrap());

    let second = seed::apply(&mut conn, &data).unwrap();
    assert!(second.changed_nothing(), "second load changed {second}");
    assert_eq!(clusters::get(&mut conn, "8").unwrap().unwrap().version, 1);

    let mut changed = data.clone();
    changed.clusters[7].name.en = Some("Environmental crime".into());
    changed.plans[1].theme_ids.pop();
    let third = seed::apply(&mut conn, &changed).unwrap();
    assert_eq!((third.clusters.updated, third.clusters.unchanged), (1, 9));
    assert_eq!((third.plans.updated, third.plans.unchanged), (1, 1));
    let environment = clusters::get(&mut conn, "environment").unwrap().unwrap();
    assert_eq!(environment.version, 2);
    assert_eq!(
        environment.name.get(Language::En),
        Some("Environmental crime")
    );
    assert_eq!(environment.name.get(Language::Nl), Some("Leefmilieu"));
    let nvp = plans::get(&mut conn, "nvp-2016-2019").unwrap().unwrap();
    assert_eq!((nvp.version, nvp.theme_ids.len()), (2, 4));
}

#[test]
fn a_broken_seed_changes_nothing() {
    let db = TestDatabase::new();
    let database = db.migrated();
    let mut conn = database.connection().unwrap();
    let mut data = ReferenceData::embedded().unwrap();
    data.plans[0].cluster_ids.push("11".into());
    data.clusters[0].code = "Radicalisation".into();
    let error = seed::apply(&mut conn, &data).unwrap_err();
    let StoreError::Seed(message) = error else {
        panic!("expected a seed error, got {error:?}")
    };
    assert!(
        message.contains("cluster \"11\" is not seeded"),
        "{message}"
    );
    assert!(message.contains("lowerCamelCase"), "{message}");
    assert!(!seed::is_seeded(&mut conn).unwrap());
}

#[test]
fn reads_reference_data_with_filters_sorting_and_pages() {
    let db = TestDatabase::new();
    let database = db.migrated();
    let mut conn = database.connection().unwrap();
    seed::apply(&mut conn, &ReferenceData::embedded().unwrap()).unwrap();

    let page = PageRequest::new(Some(2), Some(4), kiv_domain::MAX_PAGE_SIZE).unwrap();
    let second = clusters::list(&mut conn, &ClusterFilter::default(), &[], page).unwrap();
    assert_eq!(second.total, 10);
    let numbers: Vec<i32> = second.items.iter().map(|c| c.number).collect();
    assert_eq!(numbers, [5, 6, 7, 8]);

    let by_code = [SortKey {
        field: ClusterSort::Code,
        descending: true,
    }];
    let sorted = clusters::list(
        &mut conn,
        &ClusterFilter::default(),
        &by_code,
        PageRequest::default(),
    )
    .unwrap();
    assert_eq!(sorted.items[0].code, "violence");

    let violence = clusters::get(&mut conn, "6").unwrap().unwrap();
    assert_eq!(violence.sub_phenomena.len(), 3);
    assert_eq!(
        clusters::get(&mut conn, "violence").unwrap().unwrap().id,
        "6"
    );
    assert!(clusters::get(&mut conn, "11").unwrap().is_none());

    let unknown_plan = ClusterFilter {
        plan_id: Some("kiv-2020-2023".into()),
    };
    assert_eq!(
        clusters::list(&mut conn, &unknown_plan, &[], PageRequest::default())
            .unwrap()
            .total,
        0
    );

    let kiv = plans::get(&mut conn, "kiv-2016-2019").unwrap().unwrap();
    assert_eq!(kiv.cluster_ids.first().map(String::as_str), Some("1"));
    assert_eq!(kiv.cluster_ids.last().map(String::as_str), Some("10"));
    assert_eq!(
        kiv.theme_ids.first().map(String::as_str),
        Some("administrativeApproach")
    );

    let coordinators = organisations::OrganisationFilter {
        coordinator: Some(true),
        ..Default::default()
    };
    let found = organisations::list(&mut conn, &coordinators, &[], PageRequest::default()).unwrap();
    let ids: Vec<&str> = found.items.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["fod-binnenlandse-zaken", "fod-justitie"]);

    assert_eq!(
        themes::get(&mut conn, "proceedsOfCrime")
            .unwrap()
            .unwrap()
            .position,
        4
    );
}

#[test]
fn a_corrupt_row_is_reported_not_guessed() {
    let db = TestDatabase::new();
    let database = db.migrated();
    let mut conn = database.connection().unwrap();
    seed::apply(&mut conn, &ReferenceData::embedded().unwrap()).unwrap();
    conn.batch_execute("UPDATE organisations SET kind = 'ministry' WHERE id = 'fod-justitie'")
        .unwrap();
    assert!(matches!(
        organisations::get(&mut conn, "fod-justitie"),
        Err(StoreError::Corrupt(_))
    ));
}

/// A write the schema's own rules refuse (the checks before it having passed, as when another
/// write changed the data in between) is a reference or check violation, not a failed query:
/// the HTTP layer answers it as a conflict to retry, not as a server error.
#[test]
fn schema_rule_violations_are_named_not_internal() {
    use diesel::RunQueryDsl;

    let db = TestDatabase::new();
    let database = db.migrated();
    let mut conn = database.connection().unwrap();
    seed::apply(&mut conn, &ReferenceData::embedded().unwrap()).unwrap();
    let mut write = |sql: &str| {
        diesel::sql_query(sql)
            .execute(&mut **conn)
            .map_err(StoreError::from)
    };

    let dangling = write(
        "INSERT INTO plan_clusters (plan_id, cluster_id) VALUES ('kiv-2016-2019', 'no-such-cluster')",
    );
    assert!(
        matches!(dangling, Err(StoreError::Reference(_))),
        "{dangling:?}"
    );
    let still_named = write("DELETE FROM clusters WHERE id = '1'");
    assert!(
        matches!(still_named, Err(StoreError::Reference(_))),
        "{still_named:?}"
    );
    let backwards = write("UPDATE plans SET period_end = '2000-01-01' WHERE id = 'kiv-2016-2019'");
    assert!(
        matches!(backwards, Err(StoreError::Check(_))),
        "{backwards:?}"
    );
    let missing = write("UPDATE plans SET kind = NULL WHERE id = 'kiv-2016-2019'");
    assert!(matches!(missing, Err(StoreError::Query(_))), "{missing:?}");
}

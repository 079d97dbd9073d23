//! Reference data over HTTP: plans, clusters, themes and organisations, with paging, filters and
//! entity tags.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::common;

use common::{assert_problem, TestApp};
use kiv_store::seed::{self, ReferenceData};
use serde_json::{json, Value};

/// The clusters as the source text names them (its bullets, with a capital).
const CLUSTERS: [(&str, &str); 10] = [
    ("radicalisation", "Radicalisering, gewelddadig extremisme en terrorisme"),
    ("humanTrafficking", "Mensensmokkel en mensenhandel"),
    ("drugs", "Geactualiseerd integraal en geïntegreerd drugsbeleid"),
    ("fraud", "Sociale en fiscale fraude"),
    ("cybercrime", "Cybercrime en cybersecurity"),
    ("violence", "Geweldcriminaliteit, aantasting van de persoonlijke integriteit en discriminatie: intrafamiliaal geweld, seksueel geweld en kindermisbruik"),
    ("propertyCrime", "Georganiseerde eigendomscriminaliteit en illegale goederentrafieken"),
    ("environment", "Leefmilieu"),
    ("roadSafety", "Verkeersveiligheid"),
    ("nuisance", "Overlast"),
];

const THEMES: [&str; 5] = [
    "De bestuurlijke handhaving en informatie-uitwisseling: een essentieel onderdeel van de integrale aanpak van georganiseerde misdaad",
    "Het internet en ICT als facilitator voor criminaliteit maar ook voor veiligheidshandhaving en opsporing",
    "De identiteitsbepaling, identiteitsfraude en domiciliefraude",
    "De buitgerichte aanpak",
    "De internationale samenwerking op bestuurlijk en strafrechtelijk vlak",
];

fn strings(items: &Value, field: &str) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item[field].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn the_ten_clusters_carry_the_dutch_names_of_the_source_text() {
    let app = TestApp::spawn().await;
    let body = app.get_json("/clusters?pageSize=10", 200).await;
    assert_eq!(body["total"], 10);
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 10);
    for (number, (item, (code, dutch))) in (1..).zip(items.iter().zip(CLUSTERS)) {
        assert_eq!(item["id"], number.to_string());
        assert_eq!(item["number"], number);
        assert_eq!(item["code"], code);
        assert_eq!(item["name"]["nl"], dutch);
        for language in ["fr", "de", "en"] {
            assert!(!item["name"][language].as_str().unwrap().is_empty());
        }
        assert_eq!(item["href"], app.url(&format!("/clusters/{number}")));
    }
    let violence = app.get_json("/clusters/6", 200).await;
    let sub: Vec<&str> = violence["subPhenomena"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["nl"].as_str().unwrap())
        .collect();
    assert_eq!(
        sub,
        ["Intrafamiliaal geweld", "Seksueel geweld", "Kindermisbruik"]
    );
    // By code as well as by number.
    let drugs = app.get_json("/clusters/drugs", 200).await;
    assert_eq!(drugs["id"], "3");
    app.stop().await;
}

#[actix_web::test]
async fn the_five_themes_carry_the_dutch_names_of_the_source_text() {
    let app = TestApp::spawn().await;
    let body = app.get_json("/themes", 200).await;
    assert_eq!(body["total"], 5);
    let names: Vec<&str> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"]["nl"].as_str().unwrap())
        .collect();
    assert_eq!(names, THEMES);
    let theme = app.get_json("/themes/internationalCooperation", 200).await;
    assert_eq!(theme["position"], 5);
    app.stop().await;
}

#[actix_web::test]
async fn plans_cover_2016_2019_in_semesters() {
    let app = TestApp::spawn().await;
    let body = app.get_json("/plans", 200).await;
    assert_eq!(
        strings(&body["items"], "id"),
        ["kiv-2016-2019", "nvp-2016-2019"]
    );
    let nvp = app.get_json("/plans/nvp-2016-2019", 200).await;
    assert_eq!(nvp["kind"], "nationalSecurityPlan");
    assert_eq!(nvp["periodStart"], "2016-01-01");
    assert_eq!(nvp["periodEnd"], "2019-12-31");
    assert_eq!(nvp["reportingFrequency"], "semiannual");
    assert_eq!(
        nvp["reportingPeriods"],
        json!(["2016S1", "2016S2", "2017S1", "2017S2", "2018S1", "2018S2", "2019S1", "2019S2"])
    );
    assert_eq!(nvp["clusterIds"].as_array().unwrap().len(), 10);
    assert_eq!(nvp["themeIds"].as_array().unwrap().len(), 5);

    let frameworks = app.get_json("/plans?kind=frameworkNote", 200).await;
    assert_eq!(strings(&frameworks["items"], "id"), ["kiv-2016-2019"]);
    let later = app.get_json("/plans?activeOn=2021-01-01", 200).await;
    assert_eq!(later["total"], 0);
    app.stop().await;
}

#[actix_web::test]
async fn organisations_name_the_coordinators_and_the_police() {
    let app = TestApp::spawn().await;
    let coordinators = app.get_json("/organisations?coordinator=true", 200).await;
    assert_eq!(
        strings(&coordinators["items"], "id"),
        ["fod-binnenlandse-zaken", "fod-justitie"]
    );
    let justice = app.get_json("/organisations/fod-justitie", 200).await;
    assert_eq!(justice["name"]["nl"], "FOD Justitie");
    assert_eq!(justice["kind"], "federalService");
    assert_eq!(justice["coordinator"], true);
    let local = app.get_json("/organisations?kind=localPolice", 200).await;
    assert_eq!(
        strings(&local["items"], "id"),
        ["lokale-politie", "pz-demo"]
    );
    let zones = app
        .get_json("/organisations?parentId=lokale-politie", 200)
        .await;
    assert_eq!(strings(&zones["items"], "id"), ["pz-demo"]);
    let all = app.get_json("/organisations", 200).await;
    // The five seeded organisations and the demo police zone.
    assert_eq!(all["total"], 6);
    let names: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"]["nl"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"College van procureurs-generaal"));
    assert!(names.contains(&"Federale Politie"));
    app.stop().await;
}

#[actix_web::test]
async fn pages_link_to_each_other_and_keep_the_filters() {
    let app = TestApp::spawn().await;
    let first = app
        .get_json("/clusters?planId=kiv-2016-2019&pageSize=3", 200)
        .await;
    assert_eq!(
        (
            first["page"].clone(),
            first["pageSize"].clone(),
            first["total"].clone()
        ),
        (json!(1), json!(3), json!(10))
    );
    assert_eq!(
        first["self"],
        app.url("/clusters?planId=kiv-2016-2019&page=1&pageSize=3")
    );
    assert_eq!(
        first["next"],
        app.url("/clusters?planId=kiv-2016-2019&page=2&pageSize=3")
    );
    assert!(first.get("prev").is_none());

    // Following `next` visits every cluster once, in order, and the last page has no `next`.
    let mut seen = strings(&first["items"], "id");
    let mut next = first["next"].as_str().map(str::to_owned);
    let mut pages = 1;
    while let Some(url) = next {
        let page: Value = app
            .client
            .get(&url)
            .bearer_auth(&app.reader)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        seen.extend(strings(&page["items"], "id"));
        next = page["next"].as_str().map(str::to_owned);
        pages += 1;
        assert!(page["prev"].as_str().is_some());
    }
    assert_eq!(pages, 4);
    assert_eq!(seen, ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);

    let beyond = app.get_json("/clusters?page=5&pageSize=3", 200).await;
    assert_eq!(beyond["items"], json!([]));
    assert_eq!(beyond["total"], 10);

    let sorted = app.get_json("/clusters?sort=-number&pageSize=2", 200).await;
    assert_eq!(strings(&sorted["items"], "id"), ["10", "9"]);
    // `sort` repeated reads as its values joined by commas; the next page keeps the order.
    let sorted = app
        .get_json("/clusters?sort=-number&pageSize=2&sort=code", 200)
        .await;
    assert_eq!(strings(&sorted["items"], "id"), ["10", "9"]);
    let next = sorted["next"].as_str().unwrap().to_owned();
    let second: Value = app
        .client
        .get(&next)
        .bearer_auth(&app.reader)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(strings(&second["items"], "id"), ["8", "7"], "{next}");
    // No other parameter may be given twice.
    assert_eq!(
        app.get("/clusters?page=1&page=2").await.status().as_u16(),
        400
    );
    // A key named again cannot change the order and is left out, so a long sort is as quick as
    // a short one (each repeat used to double the database's work).
    let repeated = ["-number ", " code", "+number"].repeat(20).join(",");
    let started = std::time::Instant::now();
    let sorted = app
        .get_json(
            &format!("/clusters?planId=kiv-2016-2019&pageSize=2&sort={repeated}"),
            200,
        )
        .await;
    assert_eq!(strings(&sorted["items"], "id"), ["10", "9"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    app.stop().await;
}

#[actix_web::test]
async fn entity_tags_follow_changes() {
    let app = TestApp::spawn().await;
    let response = app.get("/clusters/8").await;
    let tag = response.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(tag, "\"1\"");

    let cached = app
        .client
        .get(app.url("/clusters/8"))
        .bearer_auth(&app.reader)
        .header("If-None-Match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status().as_u16(), 304);
    assert_eq!(cached.headers()["etag"], tag.as_str());
    assert!(cached.bytes().await.unwrap().is_empty());

    // A changed seed updates the cluster; the old tag no longer matches.
    let mut data = ReferenceData::embedded().unwrap();
    data.clusters[7].name.en = Some("Environmental crime".into());
    seed::apply(&mut app.database.connection().unwrap(), &data).unwrap();
    let changed = app
        .client
        .get(app.url("/clusters/8"))
        .bearer_auth(&app.reader)
        .header("If-None-Match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status().as_u16(), 200);
    assert_eq!(changed.headers()["etag"], "\"2\"");
    let body: Value = changed.json().await.unwrap();
    assert_eq!(body["name"]["en"], "Environmental crime");
    app.stop().await;
}

#[actix_web::test]
async fn unknown_ids_are_404_problems() {
    let app = TestApp::spawn().await;
    for path in [
        "/plans/kiv-2020-2023",
        "/clusters/11",
        "/clusters/Drugs",
        "/themes/terrorism",
        "/organisations/fod-financien",
    ] {
        let body = assert_problem(app.get(path).await, 404, "resourceNotFound").await;
        assert!(
            body["detail"].as_str().unwrap().starts_with("No "),
            "{path}: {body}"
        );
    }
    app.stop().await;
}

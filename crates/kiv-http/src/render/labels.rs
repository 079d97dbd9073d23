//! Every fixed text of a rendered report, in Dutch, French, German and English. Names that come
//! from data (clusters, objectives, organisations, indicators) are localized texts of their own.

use kiv_domain::Language;

/// The fixed texts of rendered reports in one language.
#[derive(Debug)]
pub struct Labels {
    pub progress_title: &'static str,
    pub trend_title: &'static str,
    pub compliance_title: &'static str,
    pub indicators_title: &'static str,
    pub plan: &'static str,
    pub period: &'static str,
    pub as_of: &'static str,
    pub method: &'static str,
    /// How the method is explained under the figures.
    pub method_note: &'static str,
    pub totals: &'static str,
    pub cluster: &'static str,
    pub clusters: &'static str,
    pub objective: &'static str,
    /// The group of objectives that belong to no cluster.
    pub transversal: &'static str,
    pub progress_per_cluster: &'static str,
    pub status_per_cluster: &'static str,
    pub progress_over_time: &'static str,
    pub no_data: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    statuses: [(&'static str, &'static str); 6],
    columns: &'static [(&'static str, &'static str)],
}

impl Labels {
    /// The label of an action status (`onTrack`), or the name itself for one it does not know.
    pub fn status<'a>(&'a self, name: &'a str) -> &'a str {
        self.statuses
            .iter()
            .find(|(key, _)| *key == name)
            .map_or(name, |(_, label)| label)
    }

    /// The heading of a table column named as in CSV (`reportingRate`); action statuses by
    /// [`Labels::status`]; an unknown column keeps its name.
    pub fn column<'a>(&'a self, name: &'a str) -> &'a str {
        self.columns
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, label)| *label)
            .unwrap_or_else(|| self.status(name))
    }
}

/// The labels in `language`.
pub fn labels(language: Language) -> &'static Labels {
    match language {
        Language::Nl => &NL,
        Language::Fr => &FR,
        Language::De => &DE,
        Language::En => &EN,
    }
}

static NL: Labels = Labels {
    progress_title: "Voortgangsrapport",
    trend_title: "Evolutie over de rapporteringsperiodes",
    compliance_title: "Rapportering per organisatie",
    indicators_title: "Indicatoren",
    plan: "Plan",
    period: "Periode",
    as_of: "Stand op",
    method: "Methode",
    method_note: "Voortgang is het gewogen gemiddelde over de acties; alleen goedgekeurde opvolgingen tellen. Geannuleerde acties en acties zonder voortgang worden weggelaten en geteld. Een streepje (–): geen gegevens.",
    totals: "Totaal",
    cluster: "Cluster",
    clusters: "Clusters en doelstellingen",
    objective: "Doelstelling",
    transversal: "Transversale doelstellingen",
    progress_per_cluster: "Voortgang per cluster",
    status_per_cluster: "Acties per status en cluster",
    progress_over_time: "Totale voortgang per rapporteringsperiode",
    no_data: "geen gegevens",
    yes: "ja",
    no: "nee",
    statuses: [
        ("notStarted", "Niet gestart"),
        ("onTrack", "Op schema"),
        ("delayed", "Vertraagd"),
        ("completed", "Afgerond"),
        ("cancelled", "Geannuleerd"),
        ("notReported", "Niet gerapporteerd"),
    ],
    columns: &[
        ("name", "Naam"),
        ("code", "Code"),
        ("actions", "Acties"),
        ("progress", "Voortgang"),
        ("reportingRate", "Rapporteringsgraad"),
        ("overdue", "Over tijd"),
        ("leftOutCancelled", "Weggelaten: geannuleerd"),
        ("leftOutNoProgress", "Weggelaten: zonder voortgang"),
        ("indicatorsOnTrack", "Indicatoren op koers"),
        ("indicatorsOffTrack", "Indicatoren niet op koers"),
        ("indicatorsNoData", "Indicatoren zonder gegevens"),
        ("period", "Periode"),
        ("asOf", "Stand op"),
        ("method", "Methode"),
        ("organisationId", "Organisatie-id"),
        ("due", "Verwacht"),
        ("submitted", "Ingediend"),
        ("approved", "Goedgekeurd"),
        ("missing", "Ontbrekend"),
        ("rate", "Graad"),
        ("indicatorId", "Indicator-id"),
        ("clusterId", "Cluster"),
        ("objectiveId", "Doelstelling-id"),
        ("actionId", "Actie-id"),
        ("unit", "Eenheid"),
        ("measure", "Meting"),
        ("direction", "Richting"),
        ("baseline", "Nulmeting"),
        ("baselineYear", "Jaar nulmeting"),
        ("value", "Waarde"),
        ("target", "Doel"),
        ("onTrack", "Op koers"),
        ("assessment", "Beoordeling FOD's"),
        ("evaluation", "Evaluatie"),
        ("attention", "Aandacht"),
        ("offTrack", "Niet op koers"),
        ("insufficient", "Onvoldoende"),
        ("partial", "Gedeeltelijk"),
        ("largelyAchieved", "Grotendeels bereikt"),
        ("achieved", "Bereikt"),
    ],
};

static FR: Labels = Labels {
    progress_title: "Rapport d'avancement",
    trend_title: "Évolution par période de rapportage",
    compliance_title: "Rapportage par organisation",
    indicators_title: "Indicateurs",
    plan: "Plan",
    period: "Période",
    as_of: "Situation au",
    method: "Méthode",
    method_note: "L'avancement est la moyenne pondérée des actions ; seuls les suivis approuvés comptent. Les actions annulées et celles sans avancement sont écartées et comptées. Un tiret (–) : pas de données.",
    totals: "Total",
    cluster: "Cluster",
    clusters: "Clusters et objectifs",
    objective: "Objectif",
    transversal: "Objectifs transversaux",
    progress_per_cluster: "Avancement par cluster",
    status_per_cluster: "Actions par statut et par cluster",
    progress_over_time: "Avancement total par période de rapportage",
    no_data: "pas de données",
    yes: "oui",
    no: "non",
    statuses: [
        ("notStarted", "Non commencée"),
        ("onTrack", "Dans les temps"),
        ("delayed", "En retard"),
        ("completed", "Terminée"),
        ("cancelled", "Annulée"),
        ("notReported", "Non rapportée"),
    ],
    columns: &[
        ("name", "Nom"),
        ("code", "Code"),
        ("actions", "Actions"),
        ("progress", "Avancement"),
        ("reportingRate", "Taux de rapportage"),
        ("overdue", "Échues"),
        ("leftOutCancelled", "Écartées : annulées"),
        ("leftOutNoProgress", "Écartées : sans avancement"),
        ("indicatorsOnTrack", "Indicateurs atteints"),
        ("indicatorsOffTrack", "Indicateurs non atteints"),
        ("indicatorsNoData", "Indicateurs sans données"),
        ("period", "Période"),
        ("asOf", "Situation au"),
        ("method", "Méthode"),
        ("organisationId", "Id. organisation"),
        ("due", "Attendus"),
        ("submitted", "Soumis"),
        ("approved", "Approuvés"),
        ("missing", "Manquants"),
        ("rate", "Taux"),
        ("indicatorId", "Id. indicateur"),
        ("clusterId", "Cluster"),
        ("objectiveId", "Id. objectif"),
        ("actionId", "Id. action"),
        ("unit", "Unité"),
        ("measure", "Mesure"),
        ("direction", "Sens"),
        ("baseline", "Valeur de référence"),
        ("baselineYear", "Année de référence"),
        ("value", "Valeur"),
        ("target", "Cible"),
        ("onTrack", "Atteint"),
        ("assessment", "Appréciation des SPF"),
        ("evaluation", "Évaluation"),
        ("attention", "Attention"),
        ("offTrack", "Hors trajectoire"),
        ("insufficient", "Insuffisant"),
        ("partial", "Partiel"),
        ("largelyAchieved", "Largement atteint"),
        ("achieved", "Atteint"),
    ],
};

static DE: Labels = Labels {
    progress_title: "Fortschrittsbericht",
    trend_title: "Entwicklung über die Berichtszeiträume",
    compliance_title: "Berichterstattung je Organisation",
    indicators_title: "Indikatoren",
    plan: "Plan",
    period: "Zeitraum",
    as_of: "Stand",
    method: "Methode",
    method_note: "Der Fortschritt ist der gewichtete Mittelwert der Maßnahmen; nur genehmigte Folgeberichte zählen. Abgebrochene Maßnahmen und Maßnahmen ohne Fortschritt bleiben außer Betracht und werden gezählt. Ein Strich (–): keine Daten.",
    totals: "Gesamt",
    cluster: "Cluster",
    clusters: "Cluster und Ziele",
    objective: "Ziel",
    transversal: "Transversale Ziele",
    progress_per_cluster: "Fortschritt je Cluster",
    status_per_cluster: "Maßnahmen je Status und Cluster",
    progress_over_time: "Gesamtfortschritt je Berichtszeitraum",
    no_data: "keine Daten",
    yes: "ja",
    no: "nein",
    statuses: [
        ("notStarted", "Nicht begonnen"),
        ("onTrack", "Im Plan"),
        ("delayed", "Verzögert"),
        ("completed", "Abgeschlossen"),
        ("cancelled", "Abgebrochen"),
        ("notReported", "Nicht berichtet"),
    ],
    columns: &[
        ("name", "Name"),
        ("code", "Code"),
        ("actions", "Maßnahmen"),
        ("progress", "Fortschritt"),
        ("reportingRate", "Berichtsquote"),
        ("overdue", "Überfällig"),
        ("leftOutCancelled", "Außer Betracht: abgebrochen"),
        ("leftOutNoProgress", "Außer Betracht: ohne Fortschritt"),
        ("indicatorsOnTrack", "Indikatoren auf Kurs"),
        ("indicatorsOffTrack", "Indikatoren nicht auf Kurs"),
        ("indicatorsNoData", "Indikatoren ohne Daten"),
        ("period", "Zeitraum"),
        ("asOf", "Stand"),
        ("method", "Methode"),
        ("organisationId", "Organisations-ID"),
        ("due", "Fällig"),
        ("submitted", "Eingereicht"),
        ("approved", "Genehmigt"),
        ("missing", "Fehlend"),
        ("rate", "Quote"),
        ("indicatorId", "Indikator-ID"),
        ("clusterId", "Cluster"),
        ("objectiveId", "Ziel-ID"),
        ("actionId", "Maßnahmen-ID"),
        ("unit", "Einheit"),
        ("measure", "Messung"),
        ("direction", "Richtung"),
        ("baseline", "Ausgangswert"),
        ("baselineYear", "Jahr des Ausgangswerts"),
        ("value", "Wert"),
        ("target", "Zielwert"),
        ("onTrack", "Auf Kurs"),
        ("assessment", "Einschätzung der FÖD"),
        ("evaluation", "Evaluierung"),
        ("attention", "Aufmerksamkeit"),
        ("offTrack", "Nicht im Plan"),
        ("insufficient", "Unzureichend"),
        ("partial", "Teilweise"),
        ("largelyAchieved", "Weitgehend erreicht"),
        ("achieved", "Erreicht"),
    ],
};

static EN: Labels = Labels {
    progress_title: "Progress report",
    trend_title: "Trend over the reporting periods",
    compliance_title: "Reporting per organisation",
    indicators_title: "Indicators",
    plan: "Plan",
    period: "Period",
    as_of: "As of",
    method: "Method",
    method_note: "Progress is the weighted mean over actions; only approved follow-ups count. Cancelled actions and actions without progress are left out, and counted. A dash (–): no data.",
    totals: "Total",
    cluster: "Cluster",
    clusters: "Clusters and objectives",
    objective: "Objective",
    transversal: "Transversal objectives",
    progress_per_cluster: "Progress per cluster",
    status_per_cluster: "Actions by status per cluster",
    progress_over_time: "Total progress per reporting period",
    no_data: "no data",
    yes: "yes",
    no: "no",
    statuses: [
        ("notStarted", "Not started"),
        ("onTrack", "On track"),
        ("delayed", "Delayed"),
        ("completed", "Completed"),
        ("cancelled", "Cancelled"),
        ("notReported", "Not reported"),
    ],
    columns: &[
        ("name", "Name"),
        ("code", "Code"),
        ("actions", "Actions"),
        ("progress", "Progress"),
        ("reportingRate", "Reporting rate"),
        ("overdue", "Overdue"),
        ("leftOutCancelled", "Left out: cancelled"),
        ("leftOutNoProgress", "Left out: no progress"),
        ("indicatorsOnTrack", "Indicators on track"),
        ("indicatorsOffTrack", "Indicators off track"),
        ("indicatorsNoData", "Indicators without data"),
        ("period", "Period"),
        ("asOf", "As of"),
        ("method", "Method"),
        ("organisationId", "Organisation id"),
        ("due", "Due"),
        ("submitted", "Submitted"),
        ("approved", "Approved"),
        ("missing", "Missing"),
        ("rate", "Rate"),
        ("indicatorId", "Indicator id"),
        ("clusterId", "Cluster"),
        ("objectiveId", "Objective id"),
        ("actionId", "Action id"),
        ("unit", "Unit"),
        ("measure", "Measure"),
        ("direction", "Direction"),
        ("baseline", "Baseline"),
        ("baselineYear", "Baseline year"),
        ("value", "Value"),
        ("target", "Target"),
        ("onTrack", "On track"),
        ("assessment", "FODs' assessment"),
        ("evaluation", "Evaluation"),
        ("attention", "Attention"),
        ("offTrack", "Off track"),
        ("insufficient", "Insufficient"),
        ("partial", "Partial"),
        ("largelyAchieved", "Largely achieved"),
        ("achieved", "Achieved"),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use kiv_domain::ActionStatus;

    #[test]
    fn every_language_names_every_status() {
        for language in Language::ALL {
            let l = labels(language);
            for status in ActionStatus::NAMES {
                assert_ne!(l.status(status), *status, "{language:?} {status}");
            }
            assert_eq!(l.column("somethingNew"), "somethingNew");
        }
    }
}

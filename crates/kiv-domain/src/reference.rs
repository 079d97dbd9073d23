//! Reference data: the plans, the ten clusters of security phenomena, the transversal themes and the
//! organisations that report. Plans are data: a new plan cycle is new rows, never new code.

use chrono::{NaiveDate, NaiveDateTime};

use crate::localized::{Language, LocalizedText};
use crate::period::ReportingPeriod;
use crate::validation::{InputIssue, IssueLocation};
use crate::vocabulary::{OrganisationKind, PlanKind, ReportingFrequency};

/// A policy plan (the Kadernota Integrale Veiligheid, the Nationaal Veiligheidsplan, ...).
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Readable id such as `kiv-2016-2019`.
    pub id: String,
    pub kind: PlanKind,
    pub title: LocalizedText,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub reporting_frequency: ReportingFrequency,
    /// Ids of the clusters the plan covers, by cluster number.
    pub cluster_ids: Vec<String>,
    /// Ids of the transversal themes of the plan.
    pub theme_ids: Vec<String>,
    /// Counts every change; the resource's entity tag.
    pub version: i32,
    pub updated_at: NaiveDateTime,
}

impl Plan {
    /// The periods in which the plan's actions are followed up, in order.
    pub fn reporting_periods(&self) -> Vec<ReportingPeriod> {
        self.schedule().reporting_periods()
    }

    /// The period a report of the plan covers: the one `asked` for, which must be one of the
    /// plan's (the one issue otherwise names the `period` parameter), or else the one `day` falls in,
    /// kept within the plan (its first period before it starts, its last after it ends). `None`
    /// only for a plan without periods.
    pub fn report_period(
        &self,
        asked: Option<ReportingPeriod>,
        day: NaiveDate,
    ) -> Result<Option<ReportingPeriod>, Vec<InputIssue>> {
        let periods = self.reporting_periods();
        if let Some(period) = asked {
            return if periods.contains(&period) {
                Ok(Some(period))
            } else {
                Err(vec![InputIssue::kiv(
                    "periodOutsidePlan",
                    "Period outside the plan",
                    IssueLocation::Query,
                    "period",
                    Some(serde_json::Value::from(period.to_string())),
                    format!("{period} is not a reporting period of plan {}", self.id),
                )])
            };
        }
        Ok(periods
            .iter()
            .rev()
            .find(|p| p.start() <= day)
            .or(periods.first())
            .copied())
    }

    /// When the plan runs and how often it is followed up.
    pub fn schedule(&self) -> PlanSchedule {
        PlanSchedule {
            plan_id: self.id.clone(),
            period_start: self.period_start,
            period_end: self.period_end,
            reporting_frequency: self.reporting_frequency,
        }
    }
}

/// When a plan runs and how often it is followed up: what a follow-up is checked against, read
/// without the rest of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanSchedule {
    pub plan_id: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub reporting_frequency: ReportingFrequency,
}

impl PlanSchedule {
    /// The periods in which the plan's actions are followed up, in order.
    pub fn reporting_periods(&self) -> Vec<ReportingPeriod> {
        ReportingPeriod::covering(self.period_start, self.period_end, self.reporting_frequency)
    }
}

/// A cluster of security phenomena: one of the policy priorities.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// The cluster's number as a string: `"1"` .. `"10"`.
    pub id: String,
    pub number: i32,
    /// lowerCamelCase code, accepted in paths in place of the id: `drugs`.
    pub code: String,
    pub name: LocalizedText,
    /// Named phenomena within the cluster (cluster 6: intrafamily violence, sexual violence, child abuse).
    pub sub_phenomena: Vec<LocalizedText>,
    pub version: i32,
    pub updated_at: NaiveDateTime,
}

/// A transversal theme: a challenge that cuts across the clusters.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// lowerCamelCase code: `internationalCooperation`.
    pub id: String,
    /// Order of the theme in the plan text.
    pub position: i32,
    pub name: LocalizedText,
    pub version: i32,
    pub updated_at: NaiveDateTime,
}

/// A body that leads, takes part in or coordinates the follow-up.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Organisation {
    pub id: String,
    pub name: LocalizedText,
    pub kind: OrganisationKind,
    /// Coordinating organisations (FOD Justitie, FOD Binnenlandse Zaken) review follow-ups and
    /// write evaluations.
    pub coordinator: bool,
    /// The organisation this one is part of: each police zone belongs to the local police.
    pub parent_id: Option<String>,
    pub version: i32,
    pub updated_at: NaiveDateTime,
}

/// Whether `code` is lowerCamelCase ASCII (`roadSafety`), the form of every readable code.
pub fn is_lower_camel_case(code: &str) -> bool {
    let mut chars = code.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}

/// Whether `id` is a readable identifier (`kiv-2016-2019`, `fod-justitie`): lowercase ASCII
/// letters, digits and single hyphens, starting with a letter.
pub fn is_readable_id(id: &str) -> bool {
    id.len() <= 64
        && id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Problems with a localized text that must at least be in Dutch (seeded reference data).
pub fn missing_dutch(text: &LocalizedText) -> bool {
    text.get(Language::Nl).is_none_or(|t| t.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_codes_and_ids() {
        assert!(is_lower_camel_case("roadSafety"));
        assert!(!is_lower_camel_case("RoadSafety"));
        assert!(!is_lower_camel_case("road-safety"));
        assert!(is_readable_id("kiv-2016-2019"));
        assert!(!is_readable_id("KIV"));
        assert!(!is_readable_id("kiv--x"));
        assert!(!is_readable_id("6"));
    }

    #[test]
    fn plan_knows_its_periods() {
        let plan = Plan {
            id: "kiv-2016-2019".into(),
            kind: PlanKind::FrameworkNote,
            title: LocalizedText::default(),
            period_start: NaiveDate::from_ymd_opt(2016, 1, 1).unwrap(),
            period_end: NaiveDate::from_ymd_opt(2019, 12, 31).unwrap(),
            reporting_frequency: ReportingFrequency::Semiannual,
            cluster_ids: vec![],
            theme_ids: vec![],
            version: 1,
            updated_at: NaiveDateTime::default(),
        };
        let periods = plan.reporting_periods();
        assert_eq!(periods.len(), 8);
        assert_eq!(periods.first().unwrap().to_string(), "2016S1");
        assert_eq!(periods.last().unwrap().to_string(), "2019S2");

        // A report covers the period asked for, if it is the plan's, or the one a day falls in.
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let period = |text: &str| text.parse::<ReportingPeriod>().unwrap();
        assert_eq!(
            plan.report_period(Some(period("2017S2")), day(2016, 3, 1)),
            Ok(Some(period("2017S2")))
        );
        let refused = plan
            .report_period(Some(period("2020S1")), day(2016, 3, 1))
            .unwrap_err();
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].name, "period");
        assert_eq!(
            plan.report_period(None, day(2018, 8, 1)),
            Ok(Some(period("2018S2")))
        );
        assert_eq!(
            plan.report_period(None, day(2015, 1, 1)),
            Ok(Some(period("2016S1"))),
            "before the plan: its first period"
        );
        assert_eq!(
            plan.report_period(None, day(2025, 1, 1)),
            Ok(Some(period("2019S2"))),
            "after the plan: its last period"
        );
    }
}

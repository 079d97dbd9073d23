//! Reporting periods: `2017` (a year), `2017S1`/`2017S2` (semesters), `2017Q3` (quarters).

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;

use crate::vocabulary::ReportingFrequency;

/// Which part of the year a reporting period covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeriodPart {
    Year,
    Semester(u8),
    Quarter(u8),
}

/// One reporting period, such as `2017S2`. Ordered by start date, then by length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReportingPeriod {
    year: i32,
    part: PeriodPart,
}

/// Why a text is not a reporting period.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a reporting period (expected a year such as 2017, a semester such as 2017S1 or a quarter such as 2017Q3)")]
pub struct InvalidPeriod(pub String);

/// Years kiv accepts at all; plans narrow this further.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2999;

impl ReportingPeriod {
    pub fn year(year: i32) -> Option<Self> {
        YEARS.contains(&year).then_some(Self {
            year,
            part: PeriodPart::Year,
        })
    }

    pub fn semester(year: i32, semester: u8) -> Option<Self> {
        (YEARS.contains(&year) && (1..=2).contains(&semester)).then_some(Self {
            year,
            part: PeriodPart::Semester(semester),
        })
    }

    pub fn quarter(year: i32, quarter: u8) -> Option<Self> {
        (YEARS.contains(&year) && (1..=4).contains(&quarter)).then_some(Self {
            year,
            part: PeriodPart::Quarter(quarter),
        })
    }

    pub fn calendar_year(&self) -> i32 {
        self.year
    }

    pub fn part(&self) -> PeriodPart {
        self.part
    }

    pub fn frequency(&self) -> ReportingFrequency {
        match self.part {
            PeriodPart::Year => ReportingFrequency::Annual,
            PeriodPart::Semester(_) => ReportingFrequency::Semiannual,
            PeriodPart::Quarter(_) => ReportingFrequency::Quarterly,
        }
    }

    /// First and last month (1-based) of the period.
    fn months(&self) -> (u32, u32) {
        match self.part {
            PeriodPart::Year => (1, 12),
            PeriodPart::Semester(s) => {
                let first = 1 + 6 * (u32::from(s) - 1);
                (first, first + 5)
            }
            PeriodPart::Quarter(q) => {
                let first = 1 + 3 * (u32::from(q) - 1);
                (first, first + 2)
            }
        }
    }

    /// The first day of the period.
    pub fn start(&self) -> NaiveDate {
        let (first, _) = self.months();
        NaiveDate::from_ymd_opt(self.year, first, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The last day of the period.
    pub fn end(&self) -> NaiveDate {
        let (_, last) = self.months();
        let next_month_start = if last == 12 {
            NaiveDate::from_ymd_opt(self.year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(self.year, last + 1, 1)
        };
        next_month_start
            .and_then(|d| d.pred_opt())
            .unwrap_or(NaiveDate::MAX)
    }

    /// The period of `frequency` that contains `date`.
    pub fn containing(date: NaiveDate, frequency: ReportingFrequency) -> Option<Self> {
        use chrono::Datelike;
        let month = date.month();
        match frequency {
            ReportingFrequency::Annual => Self::year(date.year()),
            ReportingFrequency::Semiannual => {
                Self::semester(date.year(), if month <= 6 { 1 } else { 2 })
            }
            ReportingFrequency::Quarterly => {
                Self::quarter(date.year(), u8::try_from((month - 1) / 3 + 1).ok()?)
            }
        }
    }

    /// The period that follows this one, of the same length.
    pub fn next(&self) -> Option<Self> {
        self.end()
            .succ_opt()
            .and_then(|d| Self::containing(d, self.frequency()))
    }

    /// Every period of `frequency` that overlaps `start..=end`, in order: the reporting periods
    /// of a plan with that period and frequency.
    pub fn covering(start: NaiveDate, end: NaiveDate, frequency: ReportingFrequency) -> Vec<Self> {
        let mut periods = Vec::new();
        let mut current = Self::containing(start, frequency);
        while let Some(period) = current {
            if period.start() > end {
                break;
            }
            periods.push(period);
            current = period.next();
        }
        periods
    }
}

impl fmt::Display for ReportingPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.part {
            PeriodPart::Year => write!(f, "{}", self.year),
            PeriodPart::Semester(s) => write!(f, "{}S{}", self.year, s),
            PeriodPart::Quarter(q) => write!(f, "{}Q{}", self.year, q),
        }
    }
}

impl FromStr for ReportingPeriod {
    type Err = InvalidPeriod;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidPeriod(text.to_owned());
        let year_part = text.get(..4).ok_or_else(invalid)?;
        if !year_part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        let year: i32 = year_part.parse().map_err(|_| invalid())?;
        let rest = text.get(4..).ok_or_else(invalid)?;
        let number = |digit: &str| -> Option<u8> {
            (digit.len() == 1).then(|| digit.parse().ok()).flatten()
        };
        let period = match rest.as_bytes().first() {
            None => Self::year(year),
            Some(b'S') => rest
                .get(1..)
                .and_then(number)
                .and_then(|s| Self::semester(year, s)),
            Some(b'Q') => rest
                .get(1..)
                .and_then(number)
                .and_then(|q| Self::quarter(year, q)),
            Some(_) => None,
        };
        period.ok_or_else(invalid)
    }
}

impl PartialOrd for ReportingPeriod {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ReportingPeriod {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.start(), self.end()).cmp(&(other.start(), other.end()))
    }
}

impl serde::Serialize for ReportingPeriod {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for ReportingPeriod {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn parses_and_prints() {
        for text in ["2017", "2017S1", "2017S2", "2017Q3"] {
            assert_eq!(text.parse::<ReportingPeriod>().unwrap().to_string(), text);
        }
        for bad in [
            "",
            "17",
            "2017S3",
            "2017Q5",
            "2017H1",
            "2017S",
            "2017S12",
            "20a7",
            "２０１７",
        ] {
            assert!(bad.parse::<ReportingPeriod>().is_err(), "{bad} parsed");
        }
    }

    #[test]
    fn knows_its_dates() {
        let s2: ReportingPeriod = "2016S2".parse().unwrap();
        assert_eq!(
            (s2.start(), s2.end()),
            (date(2016, 7, 1), date(2016, 12, 31))
        );
        let q1: ReportingPeriod = "2016Q1".parse().unwrap();
        assert_eq!(q1.end(), date(2016, 3, 31));
    }

    #[test]
    fn covers_a_plan_period() {
        let periods = ReportingPeriod::covering(
            date(2016, 1, 1),
            date(2019, 12, 31),
            ReportingFrequency::Semiannual,
        );
        let names: Vec<String> = periods.iter().map(ToString::to_string).collect();
        assert_eq!(
            names,
            ["2016S1", "2016S2", "2017S1", "2017S2", "2018S1", "2018S2", "2019S1", "2019S2"]
        );
        assert_eq!(
            ReportingPeriod::covering(
                date(2016, 3, 1),
                date(2016, 8, 1),
                ReportingFrequency::Quarterly
            )
            .len(),
            3
        );
    }
}

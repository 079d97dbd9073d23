//! Paging and sorting of collections, as the belgif guidelines describe them.

use serde_json::Value;

use crate::validation::{InputIssue, IssueLocation};

/// The largest page a client may ask for unless the service is configured otherwise; larger
/// pages are refused, not silently shortened, so a client never mistakes a short page for the end
/// of the collection.
pub const MAX_PAGE_SIZE: u32 = 100;
/// The page size when a client does not ask for one.
pub const DEFAULT_PAGE_SIZE: u32 = 20;

/// One page of a collection: `page` counts from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub page_size: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            page: 1,
            page_size: DEFAULT_PAGE_SIZE,
        }
    }
}

impl PageRequest {
    /// Checks the requested page against the largest page the service serves (`max_page_size`,
    /// [`MAX_PAGE_SIZE`] unless configured otherwise); every problem becomes an issue naming the
    /// parameter. The default page size never exceeds the cap.
    pub fn new(
        page: Option<i64>,
        page_size: Option<i64>,
        max_page_size: u32,
    ) -> Result<Self, Vec<InputIssue>> {
        let max_page_size = max_page_size.max(1);
        let mut issues = Vec::new();
        let page = match page {
            None => Some(1),
            Some(p) if p >= 1 && p <= i64::from(u32::MAX) => u32::try_from(p).ok(),
            Some(p) => {
                issues.push(InputIssue::invalid(
                    IssueLocation::Query,
                    "page",
                    Some(Value::from(p)),
                    "page must be 1 or more",
                ));
                None
            }
        };
        let page_size = match page_size {
            None => Some(DEFAULT_PAGE_SIZE.min(max_page_size)),
            Some(s) if (1..=i64::from(max_page_size)).contains(&s) => u32::try_from(s).ok(),
            Some(s) => {
                issues.push(InputIssue::invalid(
                    IssueLocation::Query,
                    "pageSize",
                    Some(Value::from(s)),
                    format!("pageSize must be between 1 and {max_page_size}"),
                ));
                None
            }
        };
        match (page, page_size) {
            (Some(page), Some(page_size)) if issues.is_empty() => Ok(Self { page, page_size }),
            _ => Err(issues),
        }
    }

    pub fn offset(&self) -> i64 {
        (i64::from(self.page) - 1) * i64::from(self.page_size)
    }

    pub fn limit(&self) -> i64 {
        i64::from(self.page_size)
    }

    /// Whether a page follows this one in a collection of `total` items.
    pub fn has_next(&self, total: i64) -> bool {
        self.offset() + self.limit() < total
    }
}

/// One sort key of a `sort` parameter: `code` ascending, `-code` descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey<F> {
    pub field: F,
    pub descending: bool,
}

/// Reads a `sort` parameter (`-plannedEnd,code`) against the fields a collection can be sorted on.
/// `fields` pairs each field's API name with the caller's own identifier for it. A field named
/// again after its first mention is left out: rows already ordered by it are equal on it, so a
/// repeat cannot change the order, and the database never sees more sort keys than there are
/// fields (each repeat made a database's sort markedly slower).
pub fn parse_sort<F: Copy>(
    text: &str,
    fields: &[(&'static str, F)],
) -> Result<Vec<SortKey<F>>, Vec<InputIssue>> {
    let mut seen: Vec<&str> = Vec::new();
    let mut keys = Vec::new();
    for key in text.split(',').map(|key| key.trim_matches(' ')) {
        let (name, descending) = match key.strip_prefix('-') {
            Some(name) => (name, true),
            None => (key.strip_prefix('+').unwrap_or(key), false),
        };
        let Some((api_name, field)) = fields.iter().find(|(api_name, _)| *api_name == name) else {
            let allowed: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
            return Err(vec![InputIssue::invalid(
                IssueLocation::Query,
                "sort",
                Some(Value::from(text)),
                format!(
                    "cannot sort on {name:?}; sort on {} (prefix - for descending)",
                    allowed.join(", ")
                ),
            )]);
        };
        if !seen.contains(api_name) {
            seen.push(api_name);
            keys.push(SortKey {
                field: *field,
                descending,
            });
        }
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_sort_key_counts_once() {
        let fields = [("code", 1), ("title", 2)];
        let keys = parse_sort(" code ,-code,title,code,-title", &fields).unwrap();
        assert_eq!(
            keys,
            [
                SortKey {
                    field: 1,
                    descending: false
                },
                SortKey {
                    field: 2,
                    descending: false
                }
            ]
        );
        assert!(parse_sort("code,", &fields).is_err());
    }

    #[test]
    fn refuses_out_of_range_pages() {
        assert!(PageRequest::new(Some(0), None, MAX_PAGE_SIZE).is_err());
        let issues = PageRequest::new(Some(0), Some(101), MAX_PAGE_SIZE).unwrap_err();
        let names: Vec<&str> = issues.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["page", "pageSize"]);
        let page = PageRequest::new(Some(3), Some(10), MAX_PAGE_SIZE).unwrap();
        assert_eq!((page.offset(), page.limit()), (20, 10));
        assert!(page.has_next(31));
        assert!(!page.has_next(30));
    }

    #[test]
    fn the_cap_is_the_callers() {
        let issues = PageRequest::new(None, Some(11), 10).unwrap_err();
        assert_eq!(issues[0].name, "pageSize");
        assert!(
            issues[0].detail.contains("between 1 and 10"),
            "{}",
            issues[0].detail
        );
        assert_eq!(
            PageRequest::new(None, Some(500), 500).unwrap().page_size,
            500
        );
        // The default page size never exceeds a smaller cap.
        assert_eq!(PageRequest::new(None, None, 5).unwrap().page_size, 5);
    }

    #[test]
    fn parses_sort_keys() {
        let fields = [("code", 1), ("number", 2)];
        let keys = parse_sort("-number,code", &fields).unwrap();
        assert_eq!(
            keys,
            [
                SortKey {
                    field: 2,
                    descending: true
                },
                SortKey {
                    field: 1,
                    descending: false
                }
            ]
        );
        let issues = parse_sort("title", &fields).unwrap_err();
        assert_eq!(issues[0].name, "sort");
        assert!(issues[0].detail.contains("code, number"));
    }
}

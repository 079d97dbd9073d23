//! Text in Belgium's official languages (and English for international readers).

use serde::{Deserialize, Serialize};

/// The languages kiv stores and renders text in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Nl,
    Fr,
    De,
    En,
}

impl Language {
    pub const ALL: [Language; 4] = [Language::Nl, Language::Fr, Language::De, Language::En];

    pub fn as_str(self) -> &'static str {
        match self {
            Language::Nl => "nl",
            Language::Fr => "fr",
            Language::De => "de",
            Language::En => "en",
        }
    }

    /// Reads a language tag such as `fr`, `fr-BE` or `NL-be`; other languages are not ours.
    pub fn from_tag(tag: &str) -> Option<Language> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Language::ALL.into_iter().find(|l| l.as_str() == primary)
    }

    /// Picks the preferred supported language from an `Accept-Language` header value, honouring
    /// quality values; `None` when the header names none of ours.
    pub fn negotiate(accept_language: &str) -> Option<Language> {
        let mut best: Option<(Language, f32)> = None;
        for part in accept_language.split(',') {
            let mut pieces = part.split(';');
            let Some(language) = pieces.next().and_then(Language::from_tag) else {
                continue;
            };
            let quality = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if quality > 0.0 && best.is_none_or(|(_, q)| quality > q) {
                best = Some((language, quality));
            }
        }
        best.map(|(language, _)| language)
    }
}

/// A text in several languages: `{"nl": "...", "fr": "...", "de": "...", "en": "..."}`.
///
/// Every language is optional in the type; which ones are required depends on the resource
/// (seeded reference data always carries `nl`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "openapi",
    schema(example = json!({"nl": "Verkeersveiligheid", "fr": "Sécurité routière", "de": "Verkehrssicherheit", "en": "Road safety"}))
)]
#[serde(try_from = "TextsByLanguage", deny_unknown_fields)]
pub struct LocalizedText {
    /// Dutch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nl: Option<String>,
    /// French.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fr: Option<String>,
    /// German.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub de: Option<String>,
    /// English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

/// A localized text as it arrives: an object of languages. Read through a map so that only an
/// object is one (serde would read a struct from an array too), and only kiv's languages are
/// keys.
#[derive(Deserialize)]
struct TextsByLanguage(std::collections::BTreeMap<String, Option<String>>);

impl TryFrom<TextsByLanguage> for LocalizedText {
    type Error = String;

    fn try_from(TextsByLanguage(texts): TextsByLanguage) -> Result<Self, String> {
        let mut text = LocalizedText::default();
        for (language, value) in texts {
            let slot = match language.as_str() {
                "nl" => &mut text.nl,
                "fr" => &mut text.fr,
                "de" => &mut text.de,
                "en" => &mut text.en,
                other => {
                    return Err(format!(
                        "unknown field `{other}`, expected one of `nl`, `fr`, `de`, `en`"
                    ))
                }
            };
            *slot = value;
        }
        Ok(text)
    }
}

impl LocalizedText {
    pub fn get(&self, language: Language) -> Option<&str> {
        match language {
            Language::Nl => self.nl.as_deref(),
            Language::Fr => self.fr.as_deref(),
            Language::De => self.de.as_deref(),
            Language::En => self.en.as_deref(),
        }
    }

    /// The text in `language`, else in the first language that has one (nl, fr, de, en), so a
    /// rendered report never shows an empty cell for a missing translation.
    pub fn resolve(&self, language: Language) -> Option<(Language, &str)> {
        std::iter::once(language)
            .chain(Language::ALL)
            .find_map(|l| self.get(l).map(|text| (l, text)))
    }

    /// Languages present with a non-blank text.
    pub fn languages(&self) -> impl Iterator<Item = Language> + '_ {
        Language::ALL
            .into_iter()
            .filter(|l| self.get(*l).is_some_and(|t| !t.trim().is_empty()))
    }

    pub fn is_empty(&self) -> bool {
        self.languages().next().is_none()
    }

    /// The text, or `None` when it has no language at all (`{}`): what is left of an optional
    /// text once a merge patch removed its last language is no text.
    pub fn or_none(self) -> Option<Self> {
        let any = Language::ALL.into_iter().any(|l| self.get(l).is_some());
        any.then_some(self)
    }

    /// The text without its blank languages, `None` when none is left: a blank text in a
    /// language is no text in it (a CSV cell cannot tell the two apart).
    pub fn without_blanks(self) -> Option<Self> {
        let keep = |text: Option<String>| text.filter(|t| !t.trim().is_empty());
        let text = Self {
            nl: keep(self.nl),
            fr: keep(self.fr),
            de: keep(self.de),
            en: keep(self.en),
        };
        (!text.is_empty()).then_some(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_by_quality_and_region() {
        assert_eq!(
            Language::negotiate("fr-BE,fr;q=0.9,en;q=0.8"),
            Some(Language::Fr)
        );
        assert_eq!(
            Language::negotiate("en;q=0.5, de-BE;q=0.7"),
            Some(Language::De)
        );
        assert_eq!(Language::negotiate("es, it"), None);
        assert_eq!(Language::negotiate("nl;q=0, en"), Some(Language::En));
    }

    #[test]
    fn resolves_with_fallback() {
        let text = LocalizedText {
            nl: Some("Overlast".into()),
            ..Default::default()
        };
        assert_eq!(text.resolve(Language::Fr), Some((Language::Nl, "Overlast")));
        assert!(LocalizedText::default().is_empty());
    }

    #[test]
    fn refuses_unknown_languages() {
        let parsed: Result<LocalizedText, _> = serde_json::from_str(r#"{"nl":"a","es":"b"}"#);
        assert!(parsed.is_err());
    }
}

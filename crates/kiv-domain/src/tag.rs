//! What a resource's entity tag stands for. A representation's tag must change whenever any byte
//! of it can change, and `If-Match` must compare against the same thing, so both come from here.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The stored state a representation is made of, as its entity tag names it: the row's
/// `version` (bumped by every write of the row and of the lists written with it) and, for a
/// representation that also shows data kept elsewhere (an action's `status`, `progress` and
/// `statusPeriod` come from its latest approved follow-up, its `planId` and `clusterId` from its
/// objective), a digest of everything it shows. Rendered `3` or `3-5e0c41d2a1b4c7f0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Validator {
    pub version: i32,
    pub digest: Option<u64>,
}

impl Validator {
    /// The validator of a representation made of its row alone.
    pub fn of(version: i32) -> Self {
        Validator {
            version,
            digest: None,
        }
    }

    /// The validator of a representation that also shows data other writes change: `content` is
    /// everything it shows, so the digest changes with any of it.
    pub fn with_content<T: Serialize>(version: i32, content: &T) -> Self {
        // Domain values have string keys only, so serialising them cannot fail.
        let bytes = serde_json::to_vec(content).unwrap_or_default();
        Validator {
            version,
            digest: Some(digest(&bytes)),
        }
    }
}

/// The first 64 bits of the SHA-256 of `bytes`: enough to tell two states of one resource
/// apart, short enough for a header.
pub fn digest(bytes: &[u8]) -> u64 {
    let hash = Sha256::digest(bytes);
    let mut first = [0u8; 8];
    for (to, from) in first.iter_mut().zip(hash.iter()) {
        *to = *from;
    }
    u64::from_be_bytes(first)
}

impl fmt::Display for Validator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.digest {
            None => write!(f, "{}", self.version),
            Some(digest) => write!(f, "{}-{digest:016x}", self.version),
        }
    }
}

/// The text is not a validator kiv gave out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ForeignTag {
    /// Not of the shape `3` or `3-5e0c41d2a1b4c7f0` at all.
    #[error("not an entity tag of this service")]
    Malformed,
    /// Of that shape, but no version kiv can have given out (beyond the range of versions).
    #[error("no version of this service")]
    OutOfRange,
}

impl FromStr for Validator {
    type Err = ForeignTag;

    /// `3` or `3-5e0c41d2a1b4c7f0`, as [`Validator`]'s `Display` writes them.
    fn from_str(text: &str) -> Result<Self, ForeignTag> {
        let (version, digest) = match text.split_once('-') {
            Some((version, digest)) => (version, Some(digest)),
            None => (text, None),
        };
        let plain = |s: &str, radix: u32| !s.is_empty() && s.chars().all(|c| c.is_digit(radix));
        if !plain(version, 10) {
            return Err(ForeignTag::Malformed);
        }
        let digest = match digest {
            None => None,
            Some(d) if d.len() == 16 && plain(d, 16) && d == d.to_lowercase() => {
                Some(u64::from_str_radix(d, 16).map_err(|_| ForeignTag::Malformed)?)
            }
            Some(_) => return Err(ForeignTag::Malformed),
        };
        let version = version.parse().map_err(|_| ForeignTag::OutOfRange)?;
        Ok(Validator { version, digest })
    }
}

/// A resource with an entity tag: what its representation is made of.
pub trait Tagged {
    fn validator(&self) -> Validator;
}

/// Resources whose representation is their row alone (and lists written with it, bumping its
/// version): the row's version is the whole story.
macro_rules! tagged_by_version {
    ($($type:ty),* $(,)?) => {
        $(impl Tagged for $type {
            fn validator(&self) -> Validator {
                Validator::of(self.version)
            }
        })*
    };
}

tagged_by_version!(
    crate::Plan,
    crate::Cluster,
    crate::Theme,
    crate::Organisation,
    crate::Account,
    crate::Objective,
    crate::Indicator,
    crate::FollowUp,
    crate::evaluation::ClusterFollowUp,
    crate::evaluation::Evaluation,
    crate::evaluation::Recommendation,
    crate::followup::Contribution,
);

/// An action shows its state (from its latest approved follow-up, which approvals change without
/// writing the action) and its objective's plan and cluster (which a change of the objective
/// moves): its tag covers all of it. (The state is left out of an action's own serialisation,
/// which the audit trail records, so it is added here.)
impl Tagged for crate::Action {
    fn validator(&self) -> Validator {
        Validator::with_content(self.version, &(self, &self.state))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn reads_back_what_it_writes_and_nothing_else() {
        for validator in [Validator::of(3), Validator::with_content(7, &("a", 1))] {
            assert_eq!(
                validator.to_string().parse::<Validator>().unwrap(),
                validator
            );
        }
        assert_eq!(Validator::of(3).to_string(), "3");
        for foreign in [
            "",
            "x",
            "-1",
            "3-",
            "3-abc",
            "3-5E0C41D2A1B4C7F0",
            "3-5e0c41d2a1b4c7f0-1",
        ] {
            assert_eq!(
                foreign.parse::<Validator>(),
                Err(ForeignTag::Malformed),
                "{foreign}"
            );
        }
        for beyond in ["99999999999", "99999999999-5e0c41d2a1b4c7f0"] {
            assert_eq!(
                beyond.parse::<Validator>(),
                Err(ForeignTag::OutOfRange),
                "{beyond}"
            );
        }
    }

    #[test]
    fn an_actions_tag_follows_its_state() {
        let action = crate::Action {
            id: "a".into(),
            objective_id: "o".into(),
            plan_id: "p".into(),
            cluster_id: None,
            code: "1".into(),
            title: crate::LocalizedText::default(),
            description: None,
            lead_organisation_id: "l".into(),
            partner_organisation_ids: Vec::new(),
            theme_ids: Vec::new(),
            planned_start: chrono::NaiveDate::MIN,
            planned_end: chrono::NaiveDate::MAX,
            weight: 1.0,
            external_id: None,
            state: crate::ActionState::default(),
            version: 1,
            created_at: chrono::NaiveDateTime::MIN,
            updated_at: chrono::NaiveDateTime::MIN,
        };
        let mut approved = action.clone();
        approved.state.status = crate::ActionStatus::Delayed;
        assert_ne!(action.validator(), approved.validator());
        let mut moved = action.clone();
        moved.cluster_id = Some("4".into());
        assert_ne!(action.validator(), moved.validator());
    }

    #[test]
    fn the_digest_follows_the_content() {
        let a = Validator::with_content(1, &("onTrack", 40));
        assert_eq!(a, Validator::with_content(1, &("onTrack", 40)));
        assert_ne!(a, Validator::with_content(1, &("delayed", 40)));
        assert_ne!(a, Validator::of(1));
    }
}

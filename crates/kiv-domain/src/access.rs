//! Accounts, roles and who may do what. Deny by default: a caller may do only what one of its
//! roles allows, and an agency only on its own organisation's objects.

use chrono::NaiveDateTime;
use serde_json::Value;

use crate::planning::Action;
use crate::validation::{InputIssue, IssueLocation};
use crate::vocabulary::{AccountKind, Role};

/// A person or an agency system that calls kiv.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// UUID.
    pub id: String,
    pub kind: AccountKind,
    /// The username of a person or the client id of an agency system; unique across both and
    /// never changed, so it names the author of every write.
    pub login: String,
    pub organisation_id: String,
    pub roles: Vec<Role>,
    /// A disabled account cannot obtain tokens.
    pub disabled: bool,
    pub version: i32,
    /// Goes up with every change that withdraws or alters the account's rights (disabling, its
    /// roles, its secret); a token carries the value it was issued under and stops working when
    /// it is no longer the account's.
    pub access_version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The authenticated caller of a request, as its access token describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The account's login (`sub` of the token).
    pub login: String,
    /// The caller's organisation (`org` of the token).
    pub organisation_id: String,
    pub roles: Vec<Role>,
}

impl Caller {
    /// kiv itself: changes made from the command line or at start-up.
    pub fn system() -> Self {
        Caller {
            login: "kiv".into(),
            organisation_id: String::new(),
            roles: Vec::new(),
        }
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|role| self.has(*role))
    }
}

/// What an account may do now, as the database says: a token is honoured only while it was
/// issued under the account's current access version and the account is enabled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountStanding {
    pub login: String,
    pub organisation_id: String,
    pub roles: Vec<Role>,
    pub disabled: bool,
    pub access_version: i32,
}

impl AccountStanding {
    /// Whether a token issued under `access_version` still speaks for the account.
    pub fn honours(&self, access_version: i32) -> bool {
        !self.disabled && self.access_version == access_version
    }

    /// Whether the account may still pull reports (and so stand behind its report links).
    pub fn may_pull_reports(&self) -> bool {
        !self.disabled && may_pull_reports(&self.roles)
    }
}

/// A signed report link as kiv keeps it: who made it, for which report, until when, and whether
/// it was revoked. The link itself (its signature) is never kept.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportLink {
    /// UUID, signed into the link.
    pub id: String,
    /// `progress`, `trend`, `compliance` or `indicators`.
    pub report: String,
    /// The report's query parameters.
    pub parameters: std::collections::BTreeMap<String, String>,
    /// The login of the account that made it.
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    /// Who revoked it: its maker, an administrator, or the administrator whose change of the
    /// maker's account took its right to pull reports.
    pub revoked_by: Option<String>,
}

impl Caller {
    /// Whether the caller may see and revoke `link`: its maker and administrators. Everyone else is
    /// told it does not exist.
    pub fn may_manage_link(&self, link: &ReportLink) -> bool {
        self.has(Role::Admin) || self.login == link.created_by
    }
}

/// The roles that may pull reports, and make report links: coordinators, evaluators and
/// administrators.
pub const REPORT_READERS: &[Role] = &[Role::Coordinator, Role::Evaluator, Role::Admin];

/// The roles that administer kiv: accounts, organisations, plans.
pub const ADMINISTRATORS: &[Role] = &[Role::Admin];

/// The roles that plan (objectives, actions, indicators), review follow-ups and write and
/// publish the cluster follow-ups and evaluations: the FODs' coordinators.
pub const COORDINATORS: &[Role] = &[Role::Coordinator];

/// The roles that write follow-ups: reporters, for the actions their organisation leads (see
/// [`Caller::check_follow_up_write`]), and coordinators, on the lead's behalf.
pub const FOLLOW_UP_WRITERS: &[Role] = &[Role::Reporter, Role::Coordinator];

/// The roles that read the audit trail: coordinators and administrators.
pub const AUDITORS: &[Role] = &[Role::Coordinator, Role::Admin];

/// The roles that read every follow-up, whoever's action it is; anyone else reads those of the
/// actions its organisation leads or takes part in.
pub const FOLLOW_UP_OVERSEERS: &[Role] = &[Role::Coordinator, Role::Evaluator, Role::Admin];

/// Whether `roles` allow pulling reports.
pub fn may_pull_reports(roles: &[Role]) -> bool {
    roles.iter().any(|role| REPORT_READERS.contains(role))
}

impl Caller {
    /// Whether the caller may read the account `login`: administrators every account, anyone
    /// else its own. Others are told it does not exist.
    pub fn may_read_account(&self, login: &str) -> bool {
        self.has(Role::Admin) || self.login == login
    }

    /// Whether the caller may make this change to the account `login` (`None`: the field is
    /// left as it is): no administrator disables their own account or drops their own admin
    /// role, so that kiv is never left without the administrator who made the change. `Err`
    /// says why not.
    pub fn check_account_change(
        &self,
        login: &str,
        disabled: Option<bool>,
        roles: Option<&[Role]>,
    ) -> Result<(), String> {
        let locks_out = self.has(Role::Admin)
            && self.login == login
            && (disabled == Some(true) || roles.is_some_and(|r| !r.contains(&Role::Admin)));
        if locks_out {
            Err(
                "an administrator cannot disable their own account or drop their own admin role"
                    .into(),
            )
        } else {
            Ok(())
        }
    }

    /// Whether the caller may create or replace, by its external id, an action led by
    /// `organisation_id`: coordinators for any organisation, reporters (agency systems) for
    /// their own. `Err` says why not.
    pub fn check_action_sync(&self, organisation_id: &str) -> Result<(), String> {
        if self.has(Role::Coordinator) || self.organisation_id == organisation_id {
            Ok(())
        } else {
            Err(format!(
                "a reporter of {} may only sync the actions its own organisation leads, not \
                 those of {organisation_id}",
                self.organisation_id
            ))
        }
    }
}

/// Shortest password kiv accepts for a person created through the API.
pub const MIN_PASSWORD_LENGTH: usize = 12;

/// Checks a login (username or client id): 3 to 64 characters, lowercase letters, digits, `.`,
/// `_` and `-`, starting with a letter or digit.
pub fn check_login(field: &str, login: &str) -> Option<InputIssue> {
    let valid = (3..=64).contains(&login.len())
        && login
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && login
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    (!valid).then(|| {
        InputIssue::invalid(
            IssueLocation::Body,
            field,
            Some(Value::from(login)),
            format!("{field} must be 3 to 64 lowercase letters, digits, '.', '_' or '-'"),
        )
    })
}

/// Checks a list of roles: at least one, none twice.
pub fn check_roles(roles: &[Role]) -> Option<InputIssue> {
    let mut seen = Vec::new();
    let duplicate = roles.iter().any(|role| {
        let again = seen.contains(role);
        seen.push(*role);
        again
    });
    (roles.is_empty() || duplicate).then(|| {
        InputIssue::invalid(
            IssueLocation::Body,
            "roles",
            Some(Value::from(
                roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            )),
            "roles must name at least one role, each once",
        )
    })
}

/// Checks a password chosen by an administrator; the value is never echoed back.
pub fn check_password(password: &str) -> Option<InputIssue> {
    (password.chars().count() < MIN_PASSWORD_LENGTH).then(|| {
        InputIssue::invalid(
            IssueLocation::Body,
            "password",
            None,
            format!("password must have at least {MIN_PASSWORD_LENGTH} characters"),
        )
    })
}

/// The fields of a recommendation that make up its follow-up (what became of it), in the API's
/// spelling. Everything else (`text`, `organisationIds`, `priority`, `dueDate`) is its content.
pub const RECOMMENDATION_FOLLOW_UP_FIELDS: &[&str] = &["status", "statusNote"];

impl Caller {
    /// Whether the caller may change the fields `touched` (API names) of a recommendation addressed
    /// to the organisations `addressed`. Coordinators may change everything (the content only while
    /// the evaluation is a draft, which the store checks); a reporter of an addressed organisation
    /// may follow it up (`status`, `statusNote`) and nothing else; nobody else writes. `Err` says
    /// why, naming the refused fields.
    pub fn check_recommendation_write(
        &self,
        addressed: &[String],
        touched: &[&str],
    ) -> Result<(), String> {
        if self.has(Role::Coordinator) {
            return Ok(());
        }
        let addressed_reporter =
            self.has(Role::Reporter) && addressed.contains(&self.organisation_id);
        if !addressed_reporter {
            return Err(format!(
            "the recommendation is not addressed to {}: only the organisations it is addressed \
            to and the coordinators follow it up",
            self.organisation_id
        ));
        }
        let refused: Vec<&str> = touched
            .iter()
            .copied()
            .filter(|f| !RECOMMENDATION_FOLLOW_UP_FIELDS.contains(f))
            .collect();
        if refused.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "an addressed organisation sets only status and statusNote; {} {} for the \
                coordinators",
                refused.join(", "),
                if refused.len() == 1 { "is" } else { "are" }
            ))
        }
    }
}

impl Caller {
    /// Whether the caller may read the follow-ups of `action` (and the partners' contributions to
    /// them): coordinators, evaluators and administrators all; reporters those of the actions their
    /// organisation leads or takes part in.
    pub fn may_read_follow_ups(&self, action: &Action) -> bool {
        match self.follow_ups_readable_by() {
            None => true,
            Some(organisation_id) => action.involves(organisation_id),
        }
    }
}

impl Caller {
    /// The organisation whose actions bound the follow-ups the caller reads, as a list's filter
    /// (the rule of [`Caller::may_read_follow_ups`] for many actions at once): `None` for the
    /// coordinators, evaluators and administrators, who read all; for anyone else their own
    /// organisation, whose actions (led or taken part in) they read the follow-ups of.
    pub fn follow_ups_readable_by(&self) -> Option<&str> {
        if self.has_any(FOLLOW_UP_OVERSEERS) {
            None
        } else {
            Some(&self.organisation_id)
        }
    }
}

impl Caller {
    /// Whether the caller may create, change and submit the follow-up of `action`: the lead
    /// organisation owns it, so its reporters do, and the coordinators (on the lead's behalf).
    /// Partners take part through their own contribution, never by writing the lead's follow-up.
    /// `Err` says why not.
    pub fn check_follow_up_write(&self, action: &Action) -> Result<(), String> {
        if self.has(Role::Coordinator)
            || (self.has(Role::Reporter) && action.lead_organisation_id == self.organisation_id)
        {
            return Ok(());
        }
        let organisation = &self.organisation_id;
        if self.has(Role::Reporter) && action.involves(organisation) {
            Err(format!(
                "{organisation} is a partner in action {}: its lead, {}, writes and submits the \
                follow-up; a partner adds its own contribution to it \
                (PUT /followUps/{{followUpId}}/contributions/{organisation})",
                action.code, action.lead_organisation_id
            ))
        } else {
            Err(format!(
                "{organisation} neither leads nor takes part in action {}",
                action.code
            ))
        }
    }
}

impl Caller {
    /// The four-eyes rule: whoever wrote or submitted a revision of a follow-up (created it,
    /// changed it, wrote a partner's contribution to it, submitted it) does not approve or return
    /// that revision; another coordinator reviews it. `authors` are the logins that did any of that
    /// in the revision under review. It holds for every caller, so an account that is both reporter
    /// and coordinator never reviews its own report. `Err` says why, naming the rule.
    pub fn check_four_eyes(&self, authors: &[String]) -> Result<(), String> {
        if authors.iter().any(|author| author == &self.login) {
            Err(format!(
                "four-eyes rule: {} wrote or submitted this revision of the follow-up, so another \
                coordinator approves or returns it",
                self.login
            ))
        } else {
            Ok(())
        }
    }
}

/// Why a contribution may not be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContributionRefusal {
    /// The caller may not write for that organisation.
    NotPermitted(String),
    /// The organisation is not a partner in the action (the lead writes the follow-up itself).
    NotAPartner(String),
}

impl Caller {
    /// Whether the caller may write the contribution of `organisation_id` to a follow-up of
    /// `action`: the organisation must be a partner in the action, and the caller one of its
    /// reporters or a coordinator.
    pub fn check_contribution_write(
        &self,
        action: &Action,
        organisation_id: &str,
    ) -> Result<(), ContributionRefusal> {
        let own = self.has(Role::Reporter) && self.organisation_id == organisation_id;
        if !(self.has(Role::Coordinator) || own) {
            return Err(ContributionRefusal::NotPermitted(format!(
            "{} may not write the contribution of {organisation_id}: an organisation writes its \
            own",
            self.organisation_id
        )));
        }
        if action
            .partner_organisation_ids
            .iter()
            .any(|p| p == organisation_id)
        {
            Ok(())
        } else if action.lead_organisation_id == organisation_id {
            Err(ContributionRefusal::NotAPartner(format!(
                "{organisation_id} leads action {}: it writes the follow-up itself",
                action.code
            )))
        } else {
            Err(ContributionRefusal::NotAPartner(format!(
                "{organisation_id} is not a partner in action {}",
                action.code
            )))
        }
    }
}

impl Caller {
    /// Whether the caller reads the drafts of published records (cluster follow-ups, evaluations
    /// and their recommendations) and their whole history: the coordinators, who write them.
    /// Everybody else reads the latest published revision, never a draft, and of a history the
    /// publications.
    pub fn may_read_drafts(&self) -> bool {
        self.has_any(COORDINATORS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn someone(login: &str, organisation_id: &str, roles: Vec<Role>) -> Caller {
        Caller {
            login: login.into(),
            organisation_id: organisation_id.into(),
            roles,
        }
    }

    #[test]
    fn accounts_are_read_by_their_owner_and_administrators() {
        let admin = someone("a", "fod-bz", vec![Role::Admin]);
        let reporter = someone("r", "pz-demo", vec![Role::Reporter]);
        assert!(admin.may_read_account("r"));
        assert!(reporter.may_read_account("r"));
        assert!(!reporter.may_read_account("a"));
    }

    #[test]
    fn actions_are_synced_for_the_own_organisation_or_by_coordinators() {
        let agency = someone("s", "pz-demo", vec![Role::Reporter]);
        let coordinator = someone("c", "fod-justitie", vec![Role::Coordinator]);
        assert!(agency.check_action_sync("pz-demo").is_ok());
        assert!(agency
            .check_action_sync("federale-politie")
            .is_err_and(|why| why.contains("federale-politie")));
        assert!(coordinator.check_action_sync("federale-politie").is_ok());
    }
    use crate::planning::ActionState;
    use crate::LocalizedText;
    use chrono::NaiveDate;

    #[test]
    fn logins() {
        assert!(check_login("username", "demo-reporter").is_none());
        assert!(check_login("clientId", "pz.gent_1").is_none());
        assert!(check_login("username", "Demo").is_some());
        assert!(check_login("username", "ab").is_some());
        assert!(check_login("username", "-ab").is_some());
        assert!(check_login("username", "a b c").is_some());
    }

    #[test]
    fn roles_and_passwords() {
        assert!(check_roles(&[Role::Reporter]).is_none());
        assert!(check_roles(&[]).is_some());
        assert!(check_roles(&[Role::Admin, Role::Admin]).is_some());
        let issue = check_password("short").unwrap();
        assert_eq!(issue.value, None);
        assert!(check_password("a long enough passphrase").is_none());
    }

    #[test]
    fn administrators_do_not_lock_themselves_out() {
        let admin = Caller {
            login: "root".into(),
            organisation_id: "o".into(),
            roles: vec![Role::Admin],
        };
        let reporter = [Role::Reporter];
        assert!(admin
            .check_account_change("root", Some(true), None)
            .is_err());
        assert!(admin
            .check_account_change("root", None, Some(&reporter))
            .is_err());
        assert!(admin
            .check_account_change("root", Some(false), Some(&[Role::Admin]))
            .is_ok());
        assert!(admin
            .check_account_change("other", Some(true), Some(&reporter))
            .is_ok());
        assert!(Caller::system()
            .check_account_change("kiv", Some(true), None)
            .is_ok());
    }

    #[test]
    fn caller_roles() {
        let caller = Caller {
            login: "x".into(),
            organisation_id: "o".into(),
            roles: vec![Role::Evaluator],
        };
        assert!(caller.has(Role::Evaluator));
        assert!(!caller.has_any(&[Role::Admin, Role::Coordinator]));
    }

    fn reporter_of(org: &str) -> Caller {
        Caller {
            login: "r".into(),
            organisation_id: org.into(),
            roles: vec![Role::Reporter],
        }
    }

    #[test]
    fn recommendation_writes() {
        let addressed = vec!["federale-politie".to_owned()];
        let coordinator = Caller {
            login: "c".into(),
            organisation_id: "fod-justitie".into(),
            roles: vec![Role::Coordinator],
        };
        assert!(
            Caller::check_recommendation_write(&coordinator, &addressed, &["text", "status"])
                .is_ok()
        );
        let own = reporter_of("federale-politie");
        assert!(
            Caller::check_recommendation_write(&own, &addressed, &["status", "statusNote"]).is_ok()
        );
        let refused = Caller::check_recommendation_write(&own, &addressed, &["status", "priority"]);
        assert!(refused.is_err_and(|why| why.contains("priority") && !why.contains("status,")));
        let other = reporter_of("pz-gent");
        assert!(Caller::check_recommendation_write(&other, &addressed, &["status"]).is_err());
        let evaluator = Caller {
            roles: vec![Role::Evaluator],
            ..own.clone()
        };
        assert!(Caller::check_recommendation_write(&evaluator, &addressed, &["status"]).is_err());
    }

    #[test]
    fn nobody_reviews_their_own_revision() {
        let coordinator = Caller {
            login: "c".into(),
            organisation_id: "fod-justitie".into(),
            roles: vec![Role::Coordinator, Role::Reporter],
        };
        let written_by =
            |logins: &[&str]| logins.iter().map(|l| (*l).to_owned()).collect::<Vec<_>>();
        assert!(Caller::check_four_eyes(&coordinator, &written_by(&["r", "other"])).is_ok());
        assert!(Caller::check_four_eyes(&coordinator, &[]).is_ok());
        let refused = Caller::check_four_eyes(&coordinator, &written_by(&["r", "c"]));
        assert!(refused.is_err_and(|why| why.contains("four-eyes") && why.contains('c')));
    }

    #[test]
    fn the_lead_owns_the_follow_up() {
        let action = Action {
            id: "a".into(),
            objective_id: "o".into(),
            plan_id: "kiv-2016-2019".into(),
            cluster_id: None,
            code: "3.a".into(),
            title: LocalizedText::default(),
            description: None,
            lead_organisation_id: "federale-politie".into(),
            partner_organisation_ids: vec!["pz-demo".into()],
            theme_ids: Vec::new(),
            planned_start: NaiveDate::default(),
            planned_end: NaiveDate::default(),
            weight: 1.0,
            external_id: None,
            state: ActionState::default(),
            version: 1,
            created_at: NaiveDateTime::default(),
            updated_at: NaiveDateTime::default(),
        };
        let lead = reporter_of("federale-politie");
        let partner = reporter_of("pz-demo");
        let stranger = reporter_of("pz-gent");
        assert!(Caller::check_follow_up_write(&lead, &action).is_ok());
        assert!(Caller::check_follow_up_write(&partner, &action)
            .is_err_and(|why| why.contains("partner")));
        assert!(Caller::check_follow_up_write(&stranger, &action).is_err());
        assert!(Caller::may_read_follow_ups(&partner, &action));
        assert!(!Caller::may_read_follow_ups(&stranger, &action));
        assert_eq!(Caller::follow_ups_readable_by(&stranger), Some("pz-gent"));
        for role in [Role::Coordinator, Role::Evaluator, Role::Admin] {
            let reader = Caller {
                roles: vec![Role::Reporter, role],
                ..stranger.clone()
            };
            assert_eq!(Caller::follow_ups_readable_by(&reader), None);
            assert!(Caller::may_read_follow_ups(&reader, &action));
        }
        assert!(Caller::check_contribution_write(&partner, &action, "pz-demo").is_ok());
        assert!(matches!(
            Caller::check_contribution_write(&partner, &action, "federale-politie"),
            Err(ContributionRefusal::NotPermitted(_))
        ));
        assert!(matches!(
            Caller::check_contribution_write(&lead, &action, "federale-politie"),
            Err(ContributionRefusal::NotAPartner(_))
        ));
    }

    #[test]
    fn a_token_speaks_for_an_enabled_account_at_its_access_version_only() {
        let standing = AccountStanding {
            login: "demo-coordinator".into(),
            organisation_id: "fod-justitie".into(),
            roles: vec![Role::Coordinator],
            disabled: false,
            access_version: 3,
        };
        assert!(standing.honours(3));
        assert!(!standing.honours(2) && !standing.honours(4));
        assert!(standing.may_pull_reports());
        let disabled = AccountStanding {
            disabled: true,
            ..standing.clone()
        };
        assert!(!disabled.honours(3) && !disabled.may_pull_reports());
        let reporter = AccountStanding {
            roles: vec![Role::Reporter],
            ..standing
        };
        assert!(reporter.honours(3) && !reporter.may_pull_reports());
    }
}

#[cfg(test)]
mod publication_rules {
    use super::*;

    fn caller(roles: Vec<Role>) -> Caller {
        Caller {
            login: "someone".into(),
            organisation_id: "fod-justitie".into(),
            roles,
        }
    }

    #[test]
    fn only_coordinators_read_drafts() {
        assert!(Caller::may_read_drafts(&caller(vec![Role::Coordinator])));
        assert!(Caller::may_read_drafts(&caller(vec![
            Role::Reporter,
            Role::Coordinator
        ])));
        for role in [Role::Reporter, Role::Evaluator, Role::Admin] {
            assert!(!Caller::may_read_drafts(&caller(vec![role])));
        }
        assert!(!Caller::may_read_drafts(&caller(Vec::new())));
        assert!(!Caller::may_read_drafts(&Caller::system()));
    }
}

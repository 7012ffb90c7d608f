//! The rule registry: every rule Moat has, declared once, used by both the
//! language server and the command line.
//!
//! Each rule lives in its own file under its domain folder and declares a
//! `pub static RULE: Rule` with its id, default severity, one-line summary,
//! documentation and checker. [`RULES`] lists them all.

use crate::analysis::{FileContext, Finding};
use crate::language::Language;

/// How serious a finding is. Ordered: `Hint < Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// A suggestion.
    Hint,
    /// Worth knowing; not a hole on its own.
    Info,
    /// Likely a hole, or one step away from one.
    Warning,
    /// A hole: data or actions are open to people who should not have them.
    Error,
}

impl Severity {
    /// The lower-case name used in output and configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Hint => "hint",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parses a lower-case name (`error`, `warning`, `info`, `hint`).
    pub fn parse(name: &str) -> Option<Severity> {
        match name {
            "hint" => Some(Severity::Hint),
            "info" | "information" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// A rule's checker: all findings of this rule in one file, at the rule's
/// default severity. Must not panic (panics are caught and logged anyway).
pub type Checker = fn(&FileContext<'_>) -> Vec<Finding>;

/// One rule.
#[derive(Debug)]
pub struct Rule {
    /// Stable id, `domain/kebab-name`.
    pub id: &'static str,
    /// Severity unless configured otherwise.
    pub default_severity: Severity,
    /// One line: what the rule finds.
    pub summary: &'static str,
    /// Markdown with the sections "What it does", "Why is this bad?",
    /// "How to fix", "Example" and "References".
    pub docs: &'static str,
    /// The languages the checker runs on.
    pub languages: &'static [Language],
    /// The checker; `None` for findings produced outside the per-file
    /// analysis (for example invalid configuration).
    pub check: Option<Checker>,
}

/// Where each rule's documentation page lives; the rule id is appended with
/// `.md`. The same text is printed by `moat explain RULE` and kept in
/// `docs/rules/` (a test keeps that folder in sync with the registry).
pub const DOCS_BASE_URL: &str = "https://github.com/moat-lsp/moat/blob/main/docs/rules/";

impl Rule {
    /// The URL of this rule's documentation page.
    pub fn docs_url(&self) -> String {
        format!("{DOCS_BASE_URL}{}.md", self.id)
    }

    /// The domain part of the id (`sql` for `sql/rls-disabled`).
    pub fn domain(&self) -> &'static str {
        self.id.split_once('/').map_or(self.id, |(d, _)| d)
    }

    /// The full documentation page: title, summary, default severity and the
    /// rule's own sections.
    pub fn docs_page(&self) -> String {
        format!(
            "# {}\n\n{}\n\nDefault severity: {}. Applies to: {}.\n\n{}\n",
            self.id,
            self.summary,
            self.default_severity.as_str(),
            if self.id == UNKNOWN_SUPPRESSION.id {
                "every file with a `moat-ignore` comment".to_string()
            } else if self.languages.is_empty() {
                "moat.toml".to_string()
            } else if self.domain() == "secrets" {
                "every text file".to_string()
            } else {
                let mut names: Vec<&str> = self.languages.iter().map(|l| l.name()).collect();
                names.dedup();
                names.join(", ")
            },
            self.docs.trim()
        )
    }
}

/// The JavaScript family: JavaScript, TypeScript and TSX.
pub const JS_FAMILY: &[Language] = &[Language::JavaScript, Language::TypeScript, Language::Tsx];

/// Invalid `moat.toml`: reported by the front ends, not by a checker.
pub static INVALID_CONFIG: Rule = Rule {
    id: "moat/invalid-config",
    default_severity: Severity::Error,
    summary: "moat.toml could not be read; the defaults are in force for what it failed to set.",
    docs: r#"
## What it does
Reports a `moat.toml` that is not valid TOML, has a key Moat does not know
(a misspelt `ignore` or `[auth] middleware`) or a setting of the wrong type,
names a rule that does not exist, gives a severity Moat does not know, or has
an `ignore` or `[sql] migrations` pattern that is not a valid glob.

## Why is this bad?
A broken configuration silently changes what Moat checks. When the file cannot
be parsed at all (invalid TOML, an unknown key, a value of the wrong type),
every default is in force (all rules on, default severities, no ignored
paths) and only the first problem is reported; when one `[rules]` entry or one
pattern is wrong, that entry is ignored and the rest applies.

## How to fix
Correct the entry the diagnostic points at. Rule ids are listed by `moat rules`;
severities are `error`, `warning`, `info`, `hint`, or `off`.

## Example
```toml
[rules]
"sql/rls-disabled" = "warning"
"jwt/missing-algorithms" = "off"
```

## References
- `moat rules`, `moat explain RULE`
"#,
    languages: &[],
    check: None,
};

/// A `moat-ignore` comment naming something that is not a rule or a domain:
/// reported by the analysis itself, not by a checker.
pub static UNKNOWN_SUPPRESSION: Rule = Rule {
    id: "moat/unknown-suppression",
    default_severity: Severity::Warning,
    summary: "A `moat-ignore` comment names a rule or domain that does not exist, so it suppresses nothing.",
    docs: r#"
## What it does
Reports each name in a `moat-ignore:` comment that is neither a rule id
(`jwt/missing-algorithms`) nor a domain (`jwt`), on the comment. The
comment's other, valid names still apply.

## Why is this bad?
A misspelt id (`jwt/missing-algorithm`) suppresses nothing, silently: the
finding it was meant to accept comes back in CI, or worse, the author
believes a reviewed exception is recorded when it is not.

## How to fix
Correct the name; `moat rules` lists every id. Remove the comment if the
finding is gone.

## Example
```ts
// moat-ignore: jwt/missing-algorithm -- typo: the rule is jwt/missing-algorithms
jwt.verify(token, key);
```

## References
- `moat rules`, `moat explain RULE`
- ESLint's `--report-unused-disable-directives`, ruff's RUF100: the same idea
"#,
    languages: &[],
    check: None,
};

/// Every rule, in a fixed order (by id).
pub static RULES: &[&Rule] = &[
    &crate::analysis::javascript::auth_middleware_order::RULE,
    &crate::analysis::javascript::auth_no_rate_limit::RULE,
    &crate::analysis::javascript::auth_unprotected_route::RULE,
    &crate::analysis::javascript::cors_permissive_credentials::RULE,
    &crate::analysis::javascript::errors_leaked_env::RULE,
    &crate::analysis::javascript::errors_leaked_error::RULE,
    &crate::analysis::javascript::errors_no_error_handler::RULE,
    &crate::analysis::firebase::allow_if_true::RULE,
    &crate::analysis::firebase::auth_only::RULE,
    &crate::analysis::firebase::missing_rules_version::RULE,
    &crate::analysis::firebase::owner_field_escalation::RULE,
    &crate::analysis::firebase::recursive_wildcard::RULE,
    &crate::analysis::firebase::resource_in_create::RULE,
    &crate::analysis::firebase::shadowed_rule::RULE,
    &crate::analysis::firebase::storage_unbounded_upload::RULE,
    &crate::analysis::firebase::syntax_error::RULE,
    &crate::analysis::firebase::test_mode_expiry::RULE,
    &crate::analysis::firebase::unvalidated_write::RULE,
    &crate::analysis::firebase::unverified_email_claim::RULE,
    &crate::analysis::javascript::jwt_decode_without_verify::RULE,
    &crate::analysis::javascript::jwt_hardcoded_secret::RULE,
    &crate::analysis::javascript::jwt_ignore_expiration::RULE,
    &crate::analysis::javascript::jwt_missing_algorithms::RULE,
    &crate::analysis::javascript::jwt_none_algorithm::RULE,
    &INVALID_CONFIG,
    &UNKNOWN_SUPPRESSION,
    &crate::analysis::secrets::anthropic::RULE,
    &crate::analysis::secrets::aws::RULE,
    &crate::analysis::secrets::env_file::RULE,
    &crate::analysis::secrets::database_url::RULE,
    &crate::analysis::secrets::gcp_service_account::RULE,
    &crate::analysis::secrets::generic::RULE,
    &crate::analysis::secrets::github::RULE,
    &crate::analysis::secrets::gitlab::RULE,
    &crate::analysis::secrets::google_api_key::RULE,
    &crate::analysis::secrets::mailgun::RULE,
    &crate::analysis::secrets::npm::RULE,
    &crate::analysis::secrets::openai::RULE,
    &crate::analysis::secrets::private_key::RULE,
    &crate::analysis::secrets::resend::RULE,
    &crate::analysis::secrets::sendgrid::RULE,
    &crate::analysis::secrets::slack::RULE,
    &crate::analysis::secrets::stripe::RULE,
    &crate::analysis::secrets::supabase::RULE,
    &crate::analysis::secrets::twilio::RULE,
    &crate::analysis::sql::auth_rls_initplan::RULE,
    &crate::analysis::sql::auth_users_exposed::RULE,
    &crate::analysis::sql::function_search_path::RULE,
    &crate::analysis::sql::grant_to_anon::RULE,
    &crate::analysis::sql::permissive_policy::RULE,
    &crate::analysis::sql::pii_exposed::RULE,
    &crate::analysis::sql::policy_user_metadata::RULE,
    &crate::analysis::sql::policy_without_role::RULE,
    &crate::analysis::sql::rls_disabled::RULE,
    &crate::analysis::sql::rls_explicitly_disabled::RULE,
    &crate::analysis::sql::rls_no_policy::RULE,
    &crate::analysis::sql::security_definer_exposed::RULE,
    &crate::analysis::sql::security_definer_view::RULE,
    &crate::analysis::javascript::supabase_service_role_in_client::RULE,
    &crate::analysis::javascript::supabase_service_role_in_edge_function::RULE,
];

/// Looks a rule up by id.
pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_sorted_and_well_formed() {
        let ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted, "RULES must be sorted by id without duplicates");
        let domains = [
            "firebase", "sql", "auth", "errors", "jwt", "cors", "supabase", "secrets", "moat",
        ];
        for id in ids {
            let (domain, name) = id.split_once('/').expect("domain/name");
            assert!(domains.contains(&domain), "{id}: unknown domain");
            assert!(
                !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{id}: name must be kebab-case"
            );
        }
    }

    #[test]
    fn every_rule_has_complete_docs() {
        for rule in RULES {
            assert!(!rule.summary.is_empty(), "{}", rule.id);
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## How to fix",
                "## Example",
                "## References",
            ] {
                assert!(rule.docs.contains(section), "{} lacks {section}", rule.id);
            }
        }
    }

    /// `docs/rules/<id>.md` holds each rule's page. Run with
    /// `MOAT_UPDATE_DOCS=1` to regenerate after changing a rule's docs.
    #[test]
    fn docs_folder_matches_the_registry() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
        let update = std::env::var_os("MOAT_UPDATE_DOCS").is_some();
        for rule in RULES {
            let path = root.join(format!("{}.md", rule.id));
            let page = rule.docs_page();
            if update {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &page).unwrap();
            }
            let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
            assert_eq!(
                on_disk,
                page,
                "{} is stale: run MOAT_UPDATE_DOCS=1 cargo test",
                path.display()
            );
        }
    }
}

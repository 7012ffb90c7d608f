//! `moat.toml`: rule enablement and severities, and ignored paths.
//!
//! ```toml
//! # Paths never checked, gitignore-style, relative to this file.
//! ignore = ["legacy/**", "scripts/seed.sql"]
//!
//! [rules]
//! "sql/rls-disabled" = "warning"     # error | warning | info | hint | off
//! "jwt/missing-algorithms" = "off"
//! "firebase" = "error"               # a whole domain; an exact id wins over it
//!
//! [sql]                              # the schema model; see SqlConfig
//! migrations = ["db/migrations/*.sql"]
//!
//! [auth]                             # the route model; see AuthConfig
//! middleware = ["mustBeSignedIn"]
//! public_routes = ["/api/health", "/api/public/*"]
//! ```
//!
//! The language server also accepts the same settings as JSON from the
//! client (`initializationOptions`, `workspace/didChangeConfiguration`),
//! applied over the file's.
//!
//! A file that is not valid TOML, or has a setting of the wrong type, is
//! reported and ignored as a whole: the defaults stay in force. An unknown
//! rule id or severity is reported and only that entry is ignored.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::analysis::{Finding, Rule, Severity};

/// The file name Moat looks for.
pub const FILE_NAME: &str = "moat.toml";

/// What a rule is set to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleSetting {
    /// Not run.
    Off,
    /// Run, reporting at this severity.
    Severity(Severity),
}

/// The effective configuration.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Per-rule or per-domain settings, by id or domain name.
    pub rules: BTreeMap<String, RuleSetting>,
    /// Gitignore-style patterns of paths never checked.
    pub ignore: Vec<String>,
    /// Where each `ignore` pattern is written in `moat.toml` (byte ranges,
    /// parallel to `ignore`); empty when the patterns came from elsewhere.
    pub ignore_spans: Vec<Range<usize>>,
    /// The folder `ignore` and `[sql] migrations` patterns are relative to
    /// (the folder of `moat.toml`), if known.
    pub root: Option<PathBuf>,
    /// `[sql]`: how the schema model reads the migrations.
    pub sql: SqlConfig,
    /// `[auth]`: what the route model counts as authentication.
    pub auth: AuthConfig,
}

/// The `[auth]` table of `moat.toml`: how the route rules
/// (`auth/unprotected-route`, `auth/middleware-order`) judge a route.
///
/// ```toml
/// [auth]
/// middleware = ["mustBeSignedIn", "gate.check"]   # names that authenticate
/// public_routes = ["/api/health", "/api/public/*"] # exact paths, or prefixes ending in *
/// sensitive_paths = ["/admin", "/api/private"]     # replaces the built-in list
/// ```
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// Middleware or function names that authenticate the caller, in
    /// addition to the ones Moat recognises (matched against the name as
    /// written, or its last `.` part).
    #[serde(default)]
    pub middleware: Vec<String>,
    /// Paths public on purpose: an exact path, or a prefix ending in `*`.
    #[serde(default)]
    pub public_routes: Vec<String>,
    /// Path prefixes whose routes need authentication whatever their
    /// method; when set, replaces the built-in list (`/admin`, `/internal`,
    /// `/users`, `/account`, `/billing`, `/settings`).
    #[serde(default)]
    pub sensitive_paths: Vec<String>,
}

/// The `[sql]` table of `moat.toml`.
///
/// ```toml
/// [sql]
/// default_api_grants = false        # a project on Supabase's new default (no grants to new tables)
/// exposed_schemas = ["public", "api"]   # overrides supabase/config.toml's [api] schemas
/// migrations = ["db/migrations/*.sql", "prisma/migrations/*/migration.sql"]
/// ```
///
/// `migrations` names a project's migrations when they are not Supabase's
/// `supabase/migrations/<digits>_<name>.sql`: gitignore-style patterns (the
/// syntax of `ignore`: a pattern with a `/` is anchored, `*` stops at `/`,
/// `**` crosses folders, `!` excludes), relative to the folder of
/// `moat.toml` ([`Config::root`]). The matching SQL files are the
/// migrations of one project rooted at that folder, replayed in natural
/// path order (digit runs compare as numbers: `2_b.sql` before
/// `10_c.sql`); every other SQL file under that folder is judged as if run
/// once after them. See
/// [`SqlMigrations`](crate::analysis::workspace::SqlMigrations).
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SqlConfig {
    /// Whether new tables get Supabase's old default grants to anon and
    /// authenticated (`None`: yes, the assumption for older projects).
    pub default_api_grants: Option<bool>,
    /// The schemas the Data API exposes (`None`: from
    /// `supabase/config.toml`, else `public`).
    pub exposed_schemas: Option<Vec<String>>,
    /// Patterns of the migration files, relative to [`Config::root`]
    /// (`None`: Supabase's layout). Invalid patterns are reported when the
    /// configuration is read and left out of the matcher.
    pub migrations: Option<Vec<String>>,
}

/// The `[sql]` table as written in `moat.toml`, with the patterns' places.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSqlConfig {
    default_api_grants: Option<bool>,
    exposed_schemas: Option<Vec<String>>,
    migrations: Option<Vec<toml::Spanned<String>>>,
}

/// A problem found in a configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigProblem {
    /// A sentence for the user.
    pub message: String,
    /// Byte range in the configuration text, when known.
    pub range: Option<Range<usize>>,
}

/// The shape of `moat.toml`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    ignore: Vec<toml::Spanned<String>>,
    #[serde(default)]
    rules: BTreeMap<String, toml::Spanned<String>>,
    #[serde(default)]
    sql: RawSqlConfig,
    #[serde(default)]
    auth: AuthConfig,
}

/// The shape of the client's JSON settings (same keys as `moat.toml`).
#[derive(Deserialize, Default)]
struct RawJsonConfig {
    #[serde(default)]
    ignore: Option<Vec<String>>,
    #[serde(default)]
    rules: BTreeMap<String, String>,
    #[serde(default)]
    sql: Option<SqlConfig>,
    #[serde(default)]
    auth: Option<AuthConfig>,
}

impl Config {
    /// Parses the text of a `moat.toml` whose folder is `root`. Always
    /// returns a usable configuration, with the problems found; on a fatal
    /// problem the configuration is the default one.
    pub fn parse(text: &str, root: Option<&Path>) -> (Config, Vec<ConfigProblem>) {
        Config::parse_named(text, root, FILE_NAME)
    }

    /// Like [`Config::parse`], for a configuration file called `file_name`
    /// (such as one given with `--config`): messages name that file.
    pub fn parse_named(
        text: &str,
        root: Option<&Path>,
        file_name: &str,
    ) -> (Config, Vec<ConfigProblem>) {
        let mut problems = Vec::new();
        let mut config = Config {
            root: root.map(Path::to_path_buf),
            ..Config::default()
        };
        let raw: RawConfig = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(e) => {
                problems.push(ConfigProblem {
                    message: format!(
                        "{file_name} is not valid: {}; the defaults are in force",
                        e.message().trim_end()
                    ),
                    range: e.span(),
                });
                return (config, problems);
            }
        };
        if let Some(patterns) = &raw.sql.migrations {
            problems.extend(patterns.iter().filter_map(|p| {
                migration_pattern_problem(p.get_ref()).map(|message| ConfigProblem {
                    message,
                    range: Some(p.span()),
                })
            }));
        }
        config.sql = SqlConfig {
            default_api_grants: raw.sql.default_api_grants,
            exposed_schemas: raw.sql.exposed_schemas,
            migrations: raw
                .sql
                .migrations
                .map(|m| m.into_iter().map(toml::Spanned::into_inner).collect()),
        };
        config.auth = raw.auth;
        config.ignore_spans = raw.ignore.iter().map(toml::Spanned::span).collect();
        config.ignore = raw
            .ignore
            .into_iter()
            .map(toml::Spanned::into_inner)
            .collect();
        for (key, value) in raw.rules {
            match interpret(&key, value.get_ref()) {
                Ok(setting) => {
                    config.rules.insert(key, setting);
                }
                Err(message) => problems.push(ConfigProblem {
                    message,
                    range: Some(value.span()),
                }),
            }
        }
        (config, problems)
    }

    /// Applies the client's JSON settings over this configuration. Accepts
    /// either the settings object itself or one wrapped as `{"moat": {...}}`.
    /// Returns the problems found; valid entries apply even when others fail.
    pub fn merge_json(&mut self, value: &serde_json::Value) -> Vec<ConfigProblem> {
        let value = value.get("moat").unwrap_or(value);
        if value.is_null() {
            return Vec::new();
        }
        let raw: RawJsonConfig = match serde_json::from_value(value.clone()) {
            Ok(raw) => raw,
            Err(e) => {
                return vec![ConfigProblem {
                    message: format!("the client's Moat settings are not valid: {e}"),
                    range: None,
                }]
            }
        };
        let mut problems = Vec::new();
        if let Some(ignore) = raw.ignore {
            self.ignore = ignore;
            self.ignore_spans.clear();
        }
        if let Some(auth) = raw.auth {
            self.auth = auth;
        }
        if let Some(sql) = raw.sql {
            if sql.default_api_grants.is_some() {
                self.sql.default_api_grants = sql.default_api_grants;
            }
            if sql.exposed_schemas.is_some() {
                self.sql.exposed_schemas = sql.exposed_schemas;
            }
            if let Some(patterns) = sql.migrations {
                problems.extend(patterns.iter().filter_map(|p| {
                    migration_pattern_problem(p).map(|message| ConfigProblem {
                        message,
                        range: None,
                    })
                }));
                self.sql.migrations = Some(patterns);
            }
        }
        for (key, value) in raw.rules {
            match interpret(&key, &value) {
                Ok(setting) => {
                    self.rules.insert(key, setting);
                }
                Err(message) => problems.push(ConfigProblem {
                    message,
                    range: None,
                }),
            }
        }
        problems
    }

    /// The severity `rule` reports at, or `None` when it is off. An exact id
    /// setting wins over a domain setting, which wins over the default.
    /// (A rule may report some findings below its default severity; a
    /// configured severity applies to all of them alike.)
    pub fn severity_of(&self, rule: &Rule) -> Option<Severity> {
        match self.setting_of(rule) {
            Some(RuleSetting::Off) => None,
            Some(RuleSetting::Severity(s)) => Some(s),
            None => Some(rule.default_severity),
        }
    }

    /// What the configuration says about `rule` (its id, else its domain),
    /// or `None` when it says nothing and the rule's defaults apply.
    pub fn setting_of(&self, rule: &Rule) -> Option<RuleSetting> {
        self.rules
            .get(rule.id)
            .or_else(|| self.rules.get(rule.domain()))
            .copied()
    }

    /// Builds a matcher for the `ignore` patterns, relative to `root` (or
    /// to `fallback_root` when the configuration has no root). Invalid
    /// patterns are skipped and returned as problems, located at the pattern
    /// when it came from `moat.toml`.
    ///
    /// Ask the matcher through [`Config::is_path_ignored`]: the matcher's
    /// own `matched_path_or_any_parents` panics on a path outside its root.
    pub fn ignore_matcher(
        &self,
        fallback_root: &Path,
    ) -> (ignore::gitignore::Gitignore, Vec<ConfigProblem>) {
        let root = self.root.as_deref().unwrap_or(fallback_root);
        let mut builder = ignore::gitignore::GitignoreBuilder::new(root);
        let mut problems = Vec::new();
        let spans = (self.ignore_spans.len() == self.ignore.len()).then_some(&self.ignore_spans);
        for (i, pattern) in self.ignore.iter().enumerate() {
            if let Err(e) = builder.add_line(None, pattern) {
                problems.push(ConfigProblem {
                    message: format!(
                        "ignore pattern {pattern:?} is not valid: {e}; it is left out"
                    ),
                    range: spans.map(|s| s[i].clone()),
                });
            }
        }
        let matcher = builder
            .build()
            .unwrap_or_else(|_| ignore::gitignore::Gitignore::empty());
        (matcher, problems)
    }

    /// Whether the file at `abs_path` is covered by the `ignore` patterns,
    /// asking `matcher` (built by [`Config::ignore_matcher`]). `abs_path`
    /// should be absolute and canonical, like the matcher's root.
    ///
    /// Never panics: a path outside the matcher's root (the folder of
    /// `moat.toml`), or a relative path, is simply not ignored. (The
    /// `ignore` crate's `matched_path_or_any_parents` asserts that its path
    /// lies under the root; this asks it only about paths that do.)
    pub fn is_path_ignored(&self, matcher: &ignore::gitignore::Gitignore, abs_path: &Path) -> bool {
        self.is_ignored_as(matcher, abs_path, false)
    }

    /// Like [`Config::is_path_ignored`], for a folder: whether everything
    /// under `abs_path` is ignored (a pattern such as `legacy/`).
    pub fn is_dir_ignored(&self, matcher: &ignore::gitignore::Gitignore, abs_path: &Path) -> bool {
        self.is_ignored_as(matcher, abs_path, true)
    }

    fn is_ignored_as(
        &self,
        matcher: &ignore::gitignore::Gitignore,
        abs_path: &Path,
        is_dir: bool,
    ) -> bool {
        !self.ignore.is_empty() && matches_below_root(matcher, abs_path, is_dir)
    }
}

/// Why a `[sql] migrations` pattern is not valid, if it is not.
fn migration_pattern_problem(pattern: &str) -> Option<String> {
    let mut builder = ignore::gitignore::GitignoreBuilder::new("/");
    let e = builder.add_line(None, pattern).err()?;
    Some(format!(
        "sql.migrations pattern {pattern:?} is not valid: {e}; it is left out"
    ))
}

/// Whether gitignore-style `matcher` matches `abs_path` (or, for a pattern
/// naming a folder, one of its parents), the path taken relative to the
/// matcher's root.
///
/// Never panics: a path outside the matcher's root, a relative path, or
/// the root itself simply does not match. (The `ignore` crate's
/// `matched_path_or_any_parents` asserts that its path lies under the root;
/// this asks it only about paths that do.)
pub fn matches_below_root(
    matcher: &ignore::gitignore::Gitignore,
    abs_path: &Path,
    is_dir: bool,
) -> bool {
    if matcher.is_empty() {
        return false;
    }
    let root = matcher.path();
    if !abs_path.is_absolute() || !root.is_absolute() {
        return false;
    }
    // The part below the root: relative, so the matcher's assertion
    // holds, and matched exactly as the patterns are written.
    let Ok(relative) = abs_path.strip_prefix(root) else {
        return false;
    };
    if relative.as_os_str().is_empty() || relative.has_root() {
        return false;
    }
    matcher
        .matched_path_or_any_parents(relative, is_dir)
        .is_ignore()
}

/// Interprets one `[rules]` entry.
fn interpret(key: &str, value: &str) -> Result<RuleSetting, String> {
    let known = crate::analysis::rule::RULES
        .iter()
        .any(|r| r.id == key || r.domain() == key);
    if !known {
        return Err(format!(
            "unknown rule or domain {key:?} in [rules] (see `moat rules`); this entry is ignored"
        ));
    }
    if value == "off" {
        return Ok(RuleSetting::Off);
    }
    Severity::parse(value).map(RuleSetting::Severity).ok_or_else(|| {
        format!("{value:?} is not a severity for {key:?}: use error, warning, info, hint or off; this entry is ignored")
    })
}

/// Finds the `moat.toml` that governs `start`: in `start` itself (if a
/// folder) or the nearest ancestor folder that has one.
pub fn find_config_file(start: &Path) -> Option<PathBuf> {
    let start = if start.is_dir() {
        Some(start)
    } else {
        start.parent()
    };
    let mut dir = start.map(Path::to_path_buf);
    if let Some(d) = &dir {
        if let Ok(abs) = d.canonicalize() {
            dir = Some(abs);
        }
    }
    let mut dir = dir.as_deref();
    while let Some(d) = dir {
        let candidate = d.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        dir = d.parent();
    }
    None
}

/// Turns a configuration problem into a `moat/invalid-config` finding on the
/// configuration file (at its start when the problem has no location), at
/// the rule's default severity.
pub fn finding(text: &str, problem: ConfigProblem) -> Finding {
    let range = problem
        .range
        .unwrap_or(0..text.find('\n').unwrap_or(text.len()));
    Finding::new(
        &crate::analysis::rule::INVALID_CONFIG,
        range,
        problem.message,
    )
}

/// Configuration problems as findings, at the severity `config` gives
/// `moat/invalid-config` (none when it turns the rule off).
pub fn findings(
    text: &str,
    problems: impl IntoIterator<Item = ConfigProblem>,
    config: &Config,
) -> Vec<Finding> {
    let Some(severity) = config.severity_of(&crate::analysis::rule::INVALID_CONFIG) else {
        return Vec::new();
    };
    problems
        .into_iter()
        .map(|p| Finding {
            severity,
            ..finding(text, p)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rule;

    #[test]
    fn severities_domains_and_off() {
        let (c, problems) = Config::parse(
            "ignore = [\"legacy/**\"]\n[rules]\n\"sql/rls-disabled\" = \"warning\"\n\"jwt\" = \"off\"\n",
            None,
        );
        assert!(problems.is_empty(), "{problems:?}");
        let rls = rule::find("sql/rls-disabled").unwrap();
        let jwt = rule::find("jwt/missing-algorithms").unwrap();
        let fb = rule::find("firebase/allow-if-true").unwrap();
        assert_eq!(c.severity_of(rls), Some(Severity::Warning));
        assert_eq!(c.severity_of(jwt), None);
        assert_eq!(c.severity_of(fb), Some(Severity::Error));
        assert_eq!(c.ignore, vec!["legacy/**".to_string()]);
    }

    #[test]
    fn broken_toml_gives_defaults_and_a_located_problem() {
        let text = "[rules]\n\"sql/rls-disabled\" = \n";
        let (c, problems) = Config::parse(text, None);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("not valid"));
        assert!(problems[0].range.is_some());
        assert!(c.rules.is_empty());
        let (_, problems) = Config::parse("rulez = 1\n", None);
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].message.contains("rulez"),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn unknown_rule_and_bad_severity_skip_only_that_entry() {
        let text = "[rules]\n\"sql/nope\" = \"error\"\n\"sql/rls-disabled\" = \"loud\"\n\"jwt/missing-algorithms\" = \"info\"\n";
        let (c, problems) = Config::parse(text, None);
        assert_eq!(problems.len(), 2);
        let at = |p: &ConfigProblem| &text[p.range.clone().unwrap()];
        assert!(problems
            .iter()
            .any(|p| at(p) == "\"error\"" && p.message.contains("sql/nope")));
        assert!(problems.iter().any(|p| at(p) == "\"loud\""));
        assert_eq!(
            c.severity_of(rule::find("jwt/missing-algorithms").unwrap()),
            Some(Severity::Info)
        );
    }

    #[test]
    fn client_json_settings_apply_over_the_file() {
        let (mut c, _) = Config::parse("[rules]\n\"sql/rls-disabled\" = \"warning\"\n", None);
        let problems = c.merge_json(
            &serde_json::json!({"moat": {"rules": {"sql/rls-disabled": "off", "x/y": "error"}}}),
        );
        assert_eq!(problems.len(), 1);
        assert_eq!(c.severity_of(rule::find("sql/rls-disabled").unwrap()), None);
    }

    #[test]
    fn ignore_patterns_are_relative_to_the_root() {
        let (c, _) = Config::parse(
            "ignore = [\"legacy/**\", \"*.gen.ts\"]\n",
            Some(Path::new("/w")),
        );
        let (m, problems) = c.ignore_matcher(Path::new("/other"));
        assert!(problems.is_empty());
        assert!(m
            .matched_path_or_any_parents("/w/legacy/a/b.sql", false)
            .is_ignore());
        assert!(m
            .matched_path_or_any_parents("/w/src/x.gen.ts", false)
            .is_ignore());
        assert!(!m
            .matched_path_or_any_parents("/w/src/x.ts", false)
            .is_ignore());
    }

    #[test]
    fn paths_outside_the_root_are_never_ignored_and_never_panic() {
        let (c, _) = Config::parse("ignore = [\"dist/**\"]\n", Some(Path::new("/w/apps/web")));
        let (m, _) = c.ignore_matcher(Path::new("/"));
        assert!(c.is_path_ignored(&m, Path::new("/w/apps/web/dist/a.js")));
        assert!(!c.is_path_ignored(&m, Path::new("/w/apps/web/src/a.ts")));
        // Outside the root, relative, or the root itself: not ignored.
        assert!(!c.is_path_ignored(&m, Path::new("/w/supabase/dist/1.sql")));
        assert!(!c.is_path_ignored(&m, Path::new("/w/apps/webby/dist/a.js")));
        assert!(!c.is_path_ignored(&m, Path::new("dist/a.js")));
        assert!(!c.is_path_ignored(&m, Path::new("/w/apps/web")));
        assert!(c.is_dir_ignored(&m, Path::new("/w/apps/web/dist/x")));
        // A matcher whose root is relative (no moat.toml folder known).
        let (c, _) = Config::parse("ignore = [\"dist/**\"]\n", None);
        let (m, _) = c.ignore_matcher(Path::new("."));
        assert!(!c.is_path_ignored(&m, Path::new("/w/dist/a.js")));
    }

    #[test]
    fn invalid_ignore_patterns_are_located_and_named_files_are_named() {
        let text = "ignore = [\"ok/**\", \"bad/[z-a]\"]\n";
        let (c, problems) = Config::parse(text, Some(Path::new("/w")));
        assert!(problems.is_empty());
        let (_, problems) = c.ignore_matcher(Path::new("/w"));
        assert_eq!(problems.len(), 1);
        assert_eq!(&text[problems[0].range.clone().unwrap()], "\"bad/[z-a]\"");
        let (_, problems) = Config::parse_named("export const x = 1;\n", None, "a.ts");
        assert!(
            problems[0].message.starts_with("a.ts is not valid"),
            "{problems:?}"
        );
    }

    #[test]
    fn sql_settings_from_the_file_and_the_client() {
        let (mut c, problems) = Config::parse("[sql]\ndefault_api_grants = false\n", None);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(c.sql.default_api_grants, Some(false));
        assert_eq!(c.sql.exposed_schemas, None);
        c.merge_json(&serde_json::json!({"sql": {"exposed_schemas": ["public", "api"]}}));
        assert_eq!(
            c.sql.exposed_schemas,
            Some(vec!["public".to_string(), "api".to_string()])
        );
        assert_eq!(c.sql.default_api_grants, Some(false));
        let (_, problems) = Config::parse("[sql]\ndefault_grants = false\n", None);
        assert_eq!(problems.len(), 1, "unknown keys are reported");
    }

    #[test]
    fn auth_settings_from_the_file_and_the_client() {
        let (mut c, problems) = Config::parse(
            "[auth]\nmiddleware = [\"gate\"]\npublic_routes = [\"/api/health\"]\n",
            None,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(c.auth.middleware, vec!["gate".to_string()]);
        assert_eq!(c.auth.public_routes, vec!["/api/health".to_string()]);
        c.merge_json(&serde_json::json!({"auth": {"sensitive_paths": ["/x"]}}));
        assert_eq!(c.auth.sensitive_paths, vec!["/x".to_string()]);
        assert!(
            c.auth.middleware.is_empty(),
            "the client's table replaces the file's"
        );
        let (_, problems) = Config::parse("[auth]\nguards = []\n", None);
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn sql_migrations_from_the_file_and_the_client() {
        let (c, problems) = Config::parse(
            "[sql]\nmigrations = [\"db/migrations/*.sql\", \"prisma/migrations/*/migration.sql\"]\n",
            Some(Path::new("/w")),
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            c.sql.migrations,
            Some(vec![
                "db/migrations/*.sql".to_string(),
                "prisma/migrations/*/migration.sql".to_string()
            ])
        );
        assert_eq!(Config::default().sql.migrations, None);
        // The client's list replaces the file's; other keys are kept.
        let (mut c, _) = Config::parse(
            "[sql]\ndefault_api_grants = false\nmigrations = [\"a/*.sql\"]\n",
            None,
        );
        let problems =
            c.merge_json(&serde_json::json!({"moat": {"sql": {"migrations": ["b/*.sql"]}}}));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(c.sql.migrations, Some(vec!["b/*.sql".to_string()]));
        assert_eq!(c.sql.default_api_grants, Some(false));
        c.merge_json(&serde_json::json!({"sql": {"default_api_grants": true}}));
        assert_eq!(c.sql.migrations, Some(vec!["b/*.sql".to_string()]));
    }

    #[test]
    fn invalid_sql_migration_patterns_are_reported_and_left_out() {
        let text = "[sql]\nmigrations = [\"db/*.sql\", \"bad/[z-a].sql\"]\n";
        let (c, problems) = Config::parse(text, Some(Path::new("/w")));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(
            &text[problems[0].range.clone().unwrap()],
            "\"bad/[z-a].sql\""
        );
        assert!(
            problems[0].message.contains("sql.migrations"),
            "{problems:?}"
        );
        // The valid pattern still applies.
        assert_eq!(c.sql.migrations.as_ref().map(Vec::len), Some(2));
        let finding = &findings(text, problems, &c)[0];
        assert_eq!(finding.rule, "moat/invalid-config");
        // From the client: reported without a place.
        let mut c = Config::default();
        let problems = c.merge_json(&serde_json::json!({"sql": {"migrations": ["[z-a]"]}}));
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].range, None);
        // Not a list of strings: the whole file is reported, defaults in force.
        let (c, problems) = Config::parse("[sql]\nmigrations = \"db/*.sql\"\n", None);
        assert_eq!(problems.len(), 1);
        assert_eq!(c.sql.migrations, None);
    }
}

//! The analysis engine: pure functions from a parsed file to findings.
//!
//! Nothing here knows about LSP types or the terminal. Both front ends (the
//! language server in `lsp/` and the checker in `cli/`) call
//! [`analyze_file`] with a [`FileContext`] and turn the returned
//! [`Finding`]s into their own output. All ranges are UTF-8 byte offsets
//! into the file's text.

pub mod firebase;
pub mod javascript;
pub mod rule;
pub mod secrets;
pub mod sql;
pub mod suppress;
mod util;
pub mod workspace;

use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use tree_sitter::Tree;

use crate::config::{Config, RuleSetting};
use crate::fix::Fix;
use crate::language::Language;
pub use rule::{Rule, Severity};

/// One problem found in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The rule id, `domain/kebab-name` (see [`rule::RULES`]).
    pub rule: &'static str,
    /// The severity after configuration overrides.
    pub severity: Severity,
    /// Byte range in the file's text that a user would fix.
    pub range: Range<usize>,
    /// A complete sentence for the user.
    pub message: String,
    /// Other places involved (the policy in another migration, the rule
    /// that shadows this one).
    pub related: Vec<Related>,
    /// Ways to fix it, best first. Empty when no mechanical fix exists.
    pub fixes: Vec<Fix>,
}

/// A place related to a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    /// The other file, or `None` for the finding's own file.
    pub path: Option<PathBuf>,
    /// Byte range in that file.
    pub range: Range<usize>,
    /// What this place has to do with the finding.
    pub message: String,
}

impl Finding {
    /// A finding of `rule` at its default severity, with no related places
    /// and no fixes.
    pub fn new(rule: &'static Rule, range: Range<usize>, message: impl Into<String>) -> Finding {
        Finding {
            rule: rule.id,
            severity: rule.default_severity,
            range,
            message: message.into(),
            related: Vec::new(),
            fixes: Vec::new(),
        }
    }

    /// Adds a fix (builder style).
    pub fn with_fix(mut self, fix: Fix) -> Finding {
        self.fixes.push(fix);
        self
    }
}

/// Everything a rule checker may look at for one file.
///
/// Build it with [`FileContext::new`]; models shared by several rules of a
/// family (such as the Firebase rules model) are built on first use and
/// kept here for the other rules of the same run.
pub struct FileContext<'a> {
    /// The file's path, relative to the workspace root when known. Used by
    /// rules that depend on where a file lives (migrations, storage rules).
    pub path: &'a Path,
    /// The whole text.
    pub text: &'a str,
    /// The syntax tree of `text`.
    pub tree: &'a Tree,
    /// The language `text` was parsed as.
    pub language: Language,
    /// What the front end found out about the file (see [`FileFacts`]).
    pub facts: FileFacts,
    /// The secrets scan of `text`, run once for all `secrets/*` rules.
    secrets: std::cell::OnceCell<Vec<Finding>>,
    /// The SQL model this file belongs to and its index there, when the
    /// front end built one that holds it.
    sql: Option<(&'a workspace::SqlWorkspace, usize)>,
    firebase: std::cell::OnceCell<firebase::model::RulesFile<'a>>,
    /// A one-file SQL workspace, built on first use when the front end gave
    /// none.
    lone_sql: std::cell::OnceCell<workspace::SqlWorkspace>,
    /// The JS project this file belongs to and its index there, when the
    /// front end built one that holds it.
    js: Option<(&'a javascript::project::JsProject, usize)>,
    /// A one-file JS project, built on first use when the front end gave
    /// none.
    lone_js: std::cell::OnceCell<javascript::project::JsProject>,
}

impl<'a> FileContext<'a> {
    /// The context for one parsed file.
    pub fn new(
        path: &'a Path,
        text: &'a str,
        tree: &'a Tree,
        language: Language,
    ) -> FileContext<'a> {
        FileContext {
            path,
            text,
            tree,
            language,
            facts: FileFacts::default(),
            secrets: std::cell::OnceCell::new(),
            sql: None,
            firebase: std::cell::OnceCell::new(),
            lone_sql: std::cell::OnceCell::new(),
            js: None,
            lone_js: std::cell::OnceCell::new(),
        }
    }

    /// Gives the analysis the workspace's cross-file facts. `key` is this
    /// file's canonical path, by which the workspace's models know it.
    pub fn with_workspace(
        mut self,
        workspace: &'a workspace::Workspace,
        key: Option<&Path>,
    ) -> FileContext<'a> {
        self.sql = key.and_then(|k| workspace.sql_file(k));
        self.js = key.and_then(|k| {
            let project = workspace.js.as_deref()?;
            Some((project, project.file_index(k)?))
        });
        self
    }

    /// The JS project this file belongs to and its index there: the front
    /// end's, or a one-file project of this file (built on first use, no
    /// manifests) when there is none or it does not hold this file.
    pub fn js_project(&self) -> (&javascript::project::JsProject, usize) {
        if let Some((project, index)) = self.js {
            return (project, index);
        }
        let lone = self.lone_js.get_or_init(|| {
            let facts = javascript::project::facts::extract(self.text, self.tree.root_node());
            let file = javascript::project::JsFile {
                path: self.path.to_path_buf(),
                key: self.path.to_path_buf(),
                language: self.language,
                facts,
            };
            javascript::project::JsProject::build(
                vec![file],
                Vec::new(),
                javascript::project::AuthSettings::default(),
            )
        });
        (lone, 0)
    }

    /// The SQL workspace this file belongs to and its index there: the
    /// front end's, or a one-file workspace of this text (built on first
    /// use, with default settings) when there is none or it does not hold
    /// this file.
    pub fn sql_workspace(&self) -> (&workspace::SqlWorkspace, usize) {
        if let Some((sql, index)) = self.sql {
            return (sql, index);
        }
        let lone = self.lone_sql.get_or_init(|| {
            let source = workspace::SqlSource::new(
                self.path.to_path_buf(),
                self.path.to_path_buf(),
                self.text.into(),
            );
            workspace::SqlWorkspace::build(vec![source], &sql::model::Settings::default())
        });
        (lone, 0)
    }

    /// Gives the analysis what the front end found out about the file.
    pub fn with_facts(mut self, facts: FileFacts) -> FileContext<'a> {
        self.facts = facts;
        self
    }

    /// The findings of every `secrets/*` rule in this file, from one pass
    /// over the text (run on first use; a panic gives none and is logged).
    pub fn secret_findings(&self) -> &[Finding] {
        self.secrets.get_or_init(|| {
            let input = secrets::Input {
                path: self.path,
                text: self.text,
                tree: Some(self.tree),
                language: Some(self.language),
                facts: self.facts,
            };
            catch_unwind(AssertUnwindSafe(|| secrets::scan(&input))).unwrap_or_else(|_| {
                tracing::error!(path = %self.path.display(), "the secrets scan panicked");
                Vec::new()
            })
        })
    }

    /// The Firebase rules model of this file, built on first use.
    pub fn firebase_model(&self) -> &firebase::model::RulesFile<'a> {
        self.firebase
            .get_or_init(|| firebase::model::RulesFile::build(self))
    }

    /// The source text of a byte range; empty if the range is not valid.
    pub fn slice(&self, range: Range<usize>) -> &'a str {
        self.text.get(range).unwrap_or("")
    }

    /// The source text of a node.
    pub fn node_text(&self, node: tree_sitter::Node<'_>) -> &'a str {
        self.slice(node.byte_range())
    }
}

/// Runs every rule that applies to the file's language and is enabled in
/// `config`, applies severity overrides, drops findings suppressed by
/// `moat-ignore` comments, and returns the rest sorted by position.
///
/// A rule that panics is caught: its findings for this file are lost, the
/// panic is logged with `tracing`, and the other rules still run.
pub fn analyze_file(ctx: &FileContext<'_>, config: &Config) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in rule::RULES {
        let Some(check) = rule.check else { continue };
        if !rule.languages.contains(&ctx.language) {
            continue;
        }
        // A configured severity applies to every finding of the rule; by
        // default each finding keeps the severity its checker gave it (the
        // rule's default, or lower for a milder case).
        let configured = match config.setting_of(rule) {
            Some(RuleSetting::Off) => continue,
            Some(RuleSetting::Severity(s)) => Some(s),
            None => None,
        };
        match catch_unwind(AssertUnwindSafe(|| check(ctx))) {
            Ok(found) => findings.extend(found.into_iter().map(|mut f| {
                if let Some(s) = configured {
                    f.severity = s;
                }
                f
            })),
            Err(panic) => {
                let msg = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                tracing::error!(rule = rule.id, path = %ctx.path.display(), "rule panicked: {msg}");
            }
        }
    }
    let suppressions = suppress::Suppressions::scan(ctx.text, ctx.tree);
    findings.retain(|f| !suppressions.is_suppressed(f.rule, f.range.start));
    findings.extend(unknown_suppressions(&suppressions, config));
    findings.sort_by(|a, b| {
        (a.range.start, a.range.end, a.rule).cmp(&(b.range.start, b.range.end, b.rule))
    });
    findings
}

/// `moat/unknown-suppression` findings for the names in `moat-ignore`
/// comments that are no rule or domain (unless the rule is turned off).
fn unknown_suppressions(suppressions: &suppress::Suppressions, config: &Config) -> Vec<Finding> {
    let rule = &rule::UNKNOWN_SUPPRESSION;
    let severity = match config.setting_of(rule) {
        Some(RuleSetting::Off) => return Vec::new(),
        Some(RuleSetting::Severity(s)) => s,
        None => rule.default_severity,
    };
    suppressions
        .unknown_names()
        .into_iter()
        .map(|(name, range)| {
            let mut f = Finding::new(
                rule,
                range,
                format!("`{name}` is not a Moat rule or domain, so this comment suppresses nothing for it; `moat rules` lists the ids."),
            );
            f.severity = severity;
            f
        })
        .collect()
}

/// Parses `text` as `language` and analyses it: the one-call form used by the
/// command line and by tests. Returns no findings if tree-sitter gives up.
pub fn analyze_text(path: &Path, text: &str, language: Language, config: &Config) -> Vec<Finding> {
    analyze_text_in(path, text, language, config, None)
}

/// [`analyze_text`] with the workspace's cross-file facts: `workspace` and
/// this file's canonical path there (see [`FileContext::with_workspace`]).
pub fn analyze_text_in(
    path: &Path,
    text: &str,
    language: Language,
    config: &Config,
    workspace: Option<(&workspace::Workspace, Option<&Path>)>,
) -> Vec<Finding> {
    let Some(tree) = crate::language::parse(language, text, None) else {
        return Vec::new();
    };
    let mut ctx = FileContext::new(path, text, &tree, language);
    if let Some((ws, key)) = workspace {
        ctx = ctx.with_workspace(ws, key);
    }
    analyze_file(&ctx, config)
}

/// Facts about a file that only a front end can find out, because they
/// take reading the file system; the analysis itself does no I/O.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileFacts {
    /// Whether a `.gitignore` (in the file's folder or above, up to the
    /// repository root) or `.git/info/exclude` covers the file: `None` when
    /// the front end did not look (it only needs to for `.env` files, see
    /// `secrets/committed-env-file`).
    pub gitignored: Option<bool>,
}

/// Analyses a file Moat has no grammar for (`.env`, YAML, JSON, TOML,
/// Markdown, Dockerfile, shell, ...): the `secrets/*` rules, with the
/// configuration's severities and `moat-ignore` comments in any of the
/// usual comment styles (`#`, `//`, `--`, `<!--`). Binary text and text
/// over [`secrets::MAX_PLAIN_TEXT_BYTES`] give no findings.
pub fn analyze_plain_text(
    path: &Path,
    text: &str,
    config: &Config,
    facts: FileFacts,
) -> Vec<Finding> {
    if text.len() > secrets::MAX_PLAIN_TEXT_BYTES || secrets::is_binary(text.as_bytes()) {
        return Vec::new();
    }
    let input = secrets::Input {
        path,
        text,
        tree: None,
        language: None,
        facts,
    };
    let found = catch_unwind(AssertUnwindSafe(|| secrets::scan(&input))).unwrap_or_else(|_| {
        tracing::error!(path = %path.display(), "the secrets scan panicked");
        Vec::new()
    });
    let mut findings: Vec<Finding> = found
        .into_iter()
        .filter_map(|mut f| {
            let rule = rule::find(f.rule)?;
            match config.setting_of(rule) {
                Some(RuleSetting::Off) => None,
                Some(RuleSetting::Severity(s)) => {
                    f.severity = s;
                    Some(f)
                }
                None => Some(f),
            }
        })
        .collect();
    let suppressions = suppress::Suppressions::scan_plain(text);
    findings.retain(|f| !suppressions.is_suppressed(f.rule, f.range.start));
    findings.extend(unknown_suppressions(&suppressions, config));
    findings.sort_by(|a, b| {
        (a.range.start, a.range.end, a.rule).cmp(&(b.range.start, b.range.end, b.rule))
    });
    findings
}

/// Parses `text` as `language` and calls `f` with the file's context, for
/// unit tests that run one checker or helper on a string; `path` is the
/// file's path as rules see it (`"firestore.rules"`). Returns what `f`
/// returns. Panics if tree-sitter gives up on the text.
#[cfg(test)]
pub(crate) fn with_file<R>(
    path: &str,
    text: &str,
    language: Language,
    f: impl FnOnce(&FileContext<'_>) -> R,
) -> R {
    let tree = crate::language::parse(language, text, None).expect("tree-sitter parses the text");
    f(&FileContext::new(Path::new(path), text, &tree, language))
}

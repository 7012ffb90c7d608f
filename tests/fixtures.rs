//! Fixture tests for every rule.
//!
//! Each rule with a checker has a folder `tests/fixtures/<rule-id>/` holding
//! `bad-*` files that must trigger it and `safe-*` lookalikes that must not.
//! Expected findings are written inline, as comments under the offending
//! line, in the style of tree-sitter's highlight tests:
//!
//! ```text
//! create table public.profiles (id uuid primary key);
//! -- <- sql/rls-disabled
//!    allow read, write: if true;
//! // ^ firebase/allow-if-true
//! ```
//!
//! `^` marks the column where the finding must start; `<-` marks the column
//! of the comment marker itself (for findings at the start of a line). A
//! severity in parentheses after the id (`// ^ firebase/allow-if-true
//! (warning)`) is checked too; without one, any severity passes. The
//! line is the nearest line above that is not an annotation. Every finding
//! of every rule in a fixture must be annotated, and every annotation must
//! be found: the harness compares the two sets exactly.
//!
//! Every fix of every finding is applied; the finding must be gone after
//! re-analysis and the file must still parse without errors. The fixed
//! text of each fix is kept as an insta snapshot.
//!
//! Fixtures of any text kind are found: files without a grammar (`.env`,
//! YAML, JSON, Markdown, ...) are analysed as the front ends analyse them
//! (`analyze_plain_text`), with annotations in the file's comment style:
//! `#` (env, YAML, TOML, shell, Dockerfile, ...), `//` (JSON), `<!-- -->`
//! (Markdown, HTML). `secrets/*` fixtures are analysed under their path
//! inside the rule's folder, so that `tests/fixtures/` does not make every
//! finding a test-folder one; a `fixture.gitignore` at the top of a folder
//! fixture stands for that folder's `.gitignore` (a real one would keep
//! the fixture out of the repository).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use moat::analysis::javascript::project::{AuthSettings, JsFile, JsProject, Manifest};
use moat::analysis::sql::model::Settings;
use moat::analysis::workspace::{SqlSource, Workspace};
use moat::analysis::{
    analyze_plain_text, analyze_text, analyze_text_in, rule::RULES, FileFacts, Finding,
};
use moat::config::Config;
use moat::fix;
use moat::language::{self, Language};

/// The stand-in for a folder fixture's `.gitignore`.
const GITIGNORE: &str = "fixture.gitignore";

/// The line-comment marker of annotations in a fixture.
fn marker(path: &Path) -> &'static str {
    if let Some(lang) = Language::from_path(path) {
        return lang.line_comment();
    }
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "md" | "mdx" | "markdown" | "html" => "<!--",
        "json" | "jsonc" => "//",
        _ => "#",
    }
}

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// (one-based line, one-based column in chars, rule id)
type Expectation = (usize, usize, String);

/// Severities named in annotations, by expectation.
type Severities = std::collections::BTreeMap<Expectation, String>;

fn fixture_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![fixtures_root()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n != GITIGNORE) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Reads the inline annotations of a fixture, and the severities some of
/// them name.
fn expectations(text: &str, marker: &str) -> (BTreeSet<Expectation>, Severities) {
    let mut expected = BTreeSet::new();
    let mut severities = Severities::new();
    let mut target_line = 0usize;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let annotation = trimmed
            .strip_prefix(marker)
            .map(str::trim_start)
            .and_then(|rest| {
                if let Some(rule) = rest.strip_prefix("<-") {
                    Some((line.len() - trimmed.len(), rule.trim()))
                } else if let Some(rule) = rest.strip_prefix('^') {
                    let caret = line.find('^').unwrap();
                    Some((caret, rule.trim_start_matches('^').trim()))
                } else {
                    None
                }
            });
        match annotation {
            Some((byte_col, rule)) if rule.contains('/') => {
                let rule = rule.trim_end_matches("-->").trim();
                assert!(
                    target_line > 0,
                    "annotation on line {} has no line above it",
                    i + 1
                );
                let col = line[..byte_col].chars().count() + 1;
                let (rule, severity) = match rule.split_once('(') {
                    Some((r, sev)) => (r.trim(), Some(sev.trim_end_matches(')').trim())),
                    None => (rule, None),
                };
                let key = (target_line, col, rule.to_string());
                if let Some(sev) = severity {
                    severities.insert(key.clone(), sev.to_string());
                }
                expected.insert(key);
            }
            _ => target_line = i + 1,
        }
    }
    (expected, severities)
}

fn actual(text: &str, findings: &[Finding]) -> BTreeSet<Expectation> {
    let rope = ropey::Rope::from_str(text);
    findings
        .iter()
        .map(|f| {
            let (line, col) = moat::position::line_column(&rope, f.range.start);
            (line, col, f.rule.to_string())
        })
        .collect()
}

/// The rule a fixture is for and its top entry under the rule's folder: the
/// fixture file itself, or the `bad-*` / `safe-*` folder that holds it.
/// A folder is a multi-file fixture: its SQL files form one workspace
/// (files under `supabase/migrations/` run in migration order), so rules
/// that span files (a table created in one migration, secured in another)
/// are tested as the front ends run them.
fn fixture_of(path: &Path) -> (String, PathBuf) {
    let rel = path.strip_prefix(fixtures_root()).unwrap();
    let mut parts = rel.components();
    let domain = parts.next().unwrap().as_os_str().to_str().unwrap();
    let name = parts.next().unwrap().as_os_str().to_str().unwrap();
    let top = parts.next().unwrap().as_os_str();
    (
        format!("{domain}/{name}"),
        fixtures_root().join(domain).join(name).join(top),
    )
}

/// Whether a fixture entry is a must-trigger (`bad-*`) one.
fn is_bad(top: &Path) -> bool {
    top.file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("bad-")
}

/// Whether a fixture entry is a lookalike that must not trigger (`safe-*`).
fn is_safe(top: &Path) -> bool {
    top.file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("safe-")
}

fn analyze(path: &Path, text: &str) -> Vec<Finding> {
    let (rule, top) = fixture_of(path);
    // Secrets fixtures: the path inside the rule's folder (a fixture file's
    // own name, or the path inside its folder).
    let secrets_path = || -> PathBuf {
        if top.is_dir() {
            path.strip_prefix(&top).unwrap().to_path_buf()
        } else {
            PathBuf::from(path.file_name().unwrap())
        }
    };
    let Some(lang) = Language::from_path(path) else {
        let mut facts = FileFacts::default();
        if moat::analysis::secrets::is_env_file(path) {
            let rel = secrets_path();
            let ignore_file = top.join(GITIGNORE);
            let covered = top.is_dir() && ignore_file.is_file() && {
                let mut builder = ignore::gitignore::GitignoreBuilder::new(&top);
                assert!(builder.add(&ignore_file).is_none());
                let matcher = builder.build().unwrap();
                matcher
                    .matched_path_or_any_parents(top.join(&rel), false)
                    .is_ignore()
            };
            facts.gitignored = Some(covered);
        }
        return analyze_plain_text(&secrets_path(), text, &Config::default(), facts);
    };
    if !top.is_dir() {
        if rule.starts_with("secrets/") {
            return analyze_text(&secrets_path(), text, lang, &Config::default());
        }
        return analyze_text(path, text, lang, &Config::default());
    }
    // A multi-file fixture: every SQL and JS/TS file of the folder, paths
    // relative to it, with `text` standing in for `path`'s own content;
    // `package.json` files are the JS project's manifests.
    let mut sources = Vec::new();
    let mut js_files = Vec::new();
    let mut manifests = Vec::new();
    let mut stack = vec![top.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if Language::from_path(&p) == Some(Language::Sql) {
                let content = if p == path {
                    text.to_string()
                } else {
                    std::fs::read_to_string(&p).unwrap()
                };
                let rel = p.strip_prefix(&top).unwrap().to_path_buf();
                sources.push(SqlSource::new(rel, p.clone(), content.into()));
            } else if let Some(l) = Language::from_path(&p).filter(|l| l.is_js_family()) {
                let content = if p == path {
                    text.to_string()
                } else {
                    std::fs::read_to_string(&p).unwrap()
                };
                let rel = p.strip_prefix(&top).unwrap().to_path_buf();
                js_files.push(JsFile::new(rel, p.clone(), l, &content));
            } else if p.file_name().is_some_and(|n| n == "package.json") {
                let text = std::fs::read_to_string(&p).unwrap();
                let dir = p.parent().unwrap().to_path_buf();
                manifests.extend(Manifest::parse(dir, &text, None));
            }
        }
    }
    let mut workspace = Workspace::from_sql(sources, &|_| Settings::default());
    if !js_files.is_empty() {
        workspace.js = Some(std::sync::Arc::new(JsProject::build(
            js_files,
            manifests,
            AuthSettings::default(),
        )));
    }
    let rel = path.strip_prefix(&top).unwrap();
    analyze_text_in(
        rel,
        text,
        lang,
        &Config::default(),
        Some((&workspace, Some(path))),
    )
}

fn has_parse_error(path: &Path, text: &str) -> bool {
    let Some(lang) = Language::from_path(path) else {
        return false;
    };
    language::parse(lang, text, None)
        .unwrap()
        .root_node()
        .has_error()
}

#[test]
fn every_fixture_matches_its_annotations() {
    let mut failures = String::new();
    let files = fixture_files();
    assert!(!files.is_empty());
    // Bad fixtures (files or folders) with at least one annotation.
    let mut annotated = BTreeSet::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let marker = marker(path);
        let (expected, severities) = expectations(&text, marker);
        let (_, top) = fixture_of(path);
        if is_bad(&top) && !expected.is_empty() {
            annotated.insert(top.clone());
        }
        let findings = analyze(path, &text);
        let found = actual(&text, &findings);
        let rope = ropey::Rope::from_str(&text);
        for f in &findings {
            let (line, col) = moat::position::line_column(&rope, f.range.start);
            if let Some(want) = severities.get(&(line, col, f.rule.to_string())) {
                if want != f.severity.as_str() {
                    writeln!(
                        failures,
                        "{}: {line}:{col} {} is {}, expected {want}",
                        path.display(),
                        f.rule,
                        f.severity.as_str()
                    )
                    .unwrap();
                }
            }
        }
        if found != expected {
            let rel = path.strip_prefix(fixtures_root()).unwrap().display();
            writeln!(failures, "{rel}:").unwrap();
            for missing in expected.difference(&found) {
                writeln!(
                    failures,
                    "  expected but not found: {}:{} {}",
                    missing.0, missing.1, missing.2
                )
                .unwrap();
            }
            for extra in found.difference(&expected) {
                writeln!(
                    failures,
                    "  found but not expected: {}:{} {}",
                    extra.0, extra.1, extra.2
                )
                .unwrap();
            }
        }
    }
    for path in &files {
        let (_, top) = fixture_of(path);
        if is_bad(&top) && !annotated.contains(&top) {
            writeln!(
                failures,
                "{}: a bad- fixture must annotate at least one finding",
                top.display()
            )
            .unwrap();
            annotated.insert(top);
        }
    }
    assert!(failures.is_empty(), "fixture mismatches:\n{failures}");
}

#[test]
fn safe_fixtures_do_not_trigger_their_rule() {
    for path in fixture_files() {
        let (rule, top) = fixture_of(&path);
        if !is_safe(&top) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let hits: Vec<_> = analyze(&path, &text)
            .into_iter()
            .filter(|f| f.rule == rule)
            .collect();
        assert!(
            hits.is_empty(),
            "{}: {rule} must not trigger, found {hits:?}",
            path.display()
        );
    }
}

#[test]
fn every_rule_has_bad_and_safe_fixtures() {
    for rule in RULES.iter().filter(|r| r.check.is_some()) {
        let dir = fixtures_root().join(rule.id);
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("{} has no fixture folder {}", rule.id, dir.display()))
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().any(|n| n.starts_with("bad-")),
            "{}: no bad- fixture",
            rule.id
        );
        assert!(
            names.iter().any(|n| n.starts_with("safe-")),
            "{}: no safe- fixture",
            rule.id
        );
    }
}

/// Lines that differ between two texts, with one line of context, in a
/// unified-diff-like form.
fn diff(before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(1)
        .to_string()
}

#[test]
fn every_fix_removes_its_finding_and_keeps_the_file_parsing() {
    let mut snapshot = String::new();
    let mut fixes_seen = 0;
    for path in fixture_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let findings = analyze(&path, &text);
        let parsed_before = !has_parse_error(&path, &text);
        let rel = path
            .strip_prefix(fixtures_root())
            .unwrap()
            .display()
            .to_string()
            .replace('\\', "/");
        for f in &findings {
            let before = findings.iter().filter(|g| g.rule == f.rule).count();
            for fx in &f.fixes {
                fixes_seen += 1;
                let fixed = fix::apply(&text, &fx.edits)
                    .unwrap_or_else(|e| panic!("{rel}: {}: {e}", fx.title));
                let after = analyze(&path, &fixed)
                    .into_iter()
                    .filter(|g| g.rule == f.rule)
                    .count();
                assert!(
                    after < before,
                    "{rel}: fix {:?} for {} did not remove the finding:\n{fixed}",
                    fx.title,
                    f.rule
                );
                if parsed_before {
                    assert!(
                        !has_parse_error(&path, &fixed),
                        "{rel}: fix {:?} breaks the syntax:\n{fixed}",
                        fx.title
                    );
                }
                writeln!(
                    snapshot,
                    "== {rel} :: {} :: {} ({})",
                    f.rule,
                    fx.title,
                    fx.applicability.as_str()
                )
                .unwrap();
                snapshot.push_str(&diff(&text, &fixed));
            }
        }
    }
    assert!(fixes_seen > 0);
    insta::assert_snapshot!("fixes", snapshot);
}

//! Reporters for `moat check`: text with code frames, and JSON.
//!
//! The text reporter writes to a terminal, and what it prints comes partly
//! from the files checked (names, identifiers, source lines): every control
//! character in it is shown as an escape (`\u{1b}`), so that a file cannot
//! move the cursor, retitle the window or clear the screen. JSON needs no
//! such care: serde escapes control characters.
//!
//! Secrets are never printed: code frames blank out every secret the
//! `secrets` detectors find on the lines they show (whichever finding the
//! frame is for), keeping the first four and last two characters.

use std::borrow::Cow;
use std::io::{self, IsTerminal, Write};
use std::path::Path;

use ropey::Rope;
use serde_json::{json, Value};

use crate::analysis::{Finding, Severity};
use crate::cli::{CheckResult, CheckedFile};
use crate::fix::Fix;
use crate::position::line_column;

/// Whether `c` must not reach a terminal as it is: C0 and C1 control
/// characters and DEL, and the bidirectional formatting characters that
/// make text display in another order than it is read ("Trojan Source").
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// `s` with every control character replaced by a visible escape
/// (`\u{1b}`); tabs are kept when `keep_tab` is set.
pub fn escape(s: &str, keep_tab: bool) -> Cow<'_, str> {
    if !s.chars().any(|c| is_unsafe(c) && !(keep_tab && c == '\t')) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) && !(keep_tab && c == '\t') {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A path for the terminal: lossy UTF-8, control characters escaped.
pub fn escape_path(path: &Path) -> String {
    escape(&path.to_string_lossy(), false).into_owned()
}

/// How one character of a source line is shown in a code frame, and how
/// many terminal columns that takes.
fn shown(c: char) -> (Cow<'static, str>, usize) {
    if c == '\t' {
        (Cow::Borrowed("    "), 4)
    } else if is_unsafe(c) {
        let e = c.escape_unicode().to_string();
        let n = e.len();
        (Cow::Owned(e), n)
    } else {
        (
            Cow::Owned(c.to_string()),
            unicode_width::UnicodeWidthChar::width(c).unwrap_or(0),
        )
    }
}

fn shown_width(chars: impl Iterator<Item = char>) -> usize {
    chars.map(|c| shown(c).1).sum()
}

/// Whether to color text output: stdout is a terminal and `NO_COLOR` is unset.
pub fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && io::stdout().is_terminal()
}

struct Counts {
    errors: usize,
    warnings: usize,
    infos: usize,
    hints: usize,
}

fn counts(result: &CheckResult) -> Counts {
    let mut c = Counts {
        errors: 0,
        warnings: 0,
        infos: 0,
        hints: 0,
    };
    for f in result.files.iter().flat_map(|f| &f.findings) {
        match f.severity {
            Severity::Error => c.errors += 1,
            Severity::Warning => c.warnings += 1,
            Severity::Info => c.infos += 1,
            Severity::Hint => c.hints += 1,
        }
    }
    c
}

fn paint(color: bool, code: &str, text: &str) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

fn severity_color(s: Severity) -> &'static str {
    match s {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
        Severity::Info => "1;34",
        Severity::Hint => "1;36",
    }
}

/// Writes findings in a rustc/ruff-like format:
///
/// ```text
/// error[sql/rls-disabled]: Table profiles is created in schema public without ...
///   --> supabase/migrations/001_init.sql:1:1
///    |
///  1 | create table profiles (
///    | ^^^^^^^^^^^^^^^^^^^^^
///    = fix (unsafe): Enable row level security on profiles
///    = docs: moat explain sql/rls-disabled
/// ```
///
/// followed by a summary line.
pub fn write_text(out: &mut impl Write, result: &CheckResult, color: bool) -> io::Result<()> {
    for file in &result.files {
        let rope = Rope::from_str(&file.text);
        let redact = crate::analysis::secrets::redactions(&file.path, &file.text);
        for f in &file.findings {
            write_text_finding(out, file, &rope, &redact, f, color)?;
        }
    }
    writeln!(out, "{}", summary(result, color))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The last line of the text output: what was found, in how many files,
/// how many files were checked, and what could not be read. A run that
/// could not read something never says it found no problems.
fn summary(result: &CheckResult, color: bool) -> String {
    let c = counts(result);
    let total = c.errors + c.warnings + c.infos + c.hints;
    let checked = plural(result.files_checked, "file", "files");
    let unread = result.io_errors.len();
    let unread_text = plural(unread, "file or folder", "files or folders");
    if total == 0 {
        if unread == 0 {
            return format!(
                "{} No problems found in {checked}.",
                paint(color, "1;32", "✓")
            );
        }
        let checked = plural(result.files_checked, "file checked", "files checked");
        return format!(
            "{} Could not read {unread_text}; no problems in the {checked}.",
            paint(color, "1;31", "✗")
        );
    }
    let mut parts = Vec::new();
    for (n, word) in [
        (c.errors, "error"),
        (c.warnings, "warning"),
        (c.infos, "info"),
        (c.hints, "hint"),
    ] {
        if n > 0 {
            parts.push(format!(
                "{n} {word}{}",
                if n == 1 || word == "info" { "" } else { "s" }
            ));
        }
    }
    let mut line = format!(
        "Found {} ({}) in {} ({checked} checked).",
        plural(total, "problem", "problems"),
        parts.join(", "),
        plural(result.files.len(), "file", "files"),
    );
    if unread > 0 {
        line.pop();
        line.push_str(&format!("; could not read {unread_text}."));
    }
    line
}

/// Line `line` (zero-based) of `file`, without its line break, with the
/// parts of it inside `redact` blanked out (see
/// [`crate::analysis::secrets::noise::blank_out`]).
fn source_line(
    file: &CheckedFile,
    rope: &Rope,
    line: usize,
    redact: &[std::ops::Range<usize>],
) -> String {
    let src = rope.line(line).to_string();
    let src = src.trim_end_matches(['\n', '\r']);
    let start = rope.line_to_byte(line);
    let end = start + src.len();
    let mut out = String::with_capacity(src.len());
    let mut pos = start;
    let mut hits: Vec<&std::ops::Range<usize>> = redact
        .iter()
        .filter(|r| r.start < end && r.end > start)
        .collect();
    hits.sort_by_key(|r| r.start);
    for r in hits {
        let (Some(secret), from, to) = (file.text.get(r.clone()), r.start.max(pos), r.end.min(end))
        else {
            continue;
        };
        if from < pos || file.text.get(pos..from).is_none() {
            continue;
        }
        out.push_str(&file.text[pos..from]);
        let blanked = crate::analysis::secrets::noise::blank_out(secret);
        let skip = file
            .text
            .get(r.start..from)
            .map_or(0, |t| t.chars().count());
        let take = file.text.get(from..to).map_or(0, |t| t.chars().count());
        out.extend(blanked.chars().skip(skip).take(take));
        pos = to;
    }
    out.push_str(file.text.get(pos..end).unwrap_or(""));
    out
}

fn write_text_finding(
    out: &mut impl Write,
    file: &CheckedFile,
    rope: &Rope,
    redact: &[std::ops::Range<usize>],
    f: &Finding,
    color: bool,
) -> io::Result<()> {
    let (line, col) = line_column(rope, f.range.start);
    let (end_line, end_col) = line_column(rope, f.range.end);
    let sev = f.severity.as_str();
    writeln!(
        out,
        "{}{} {}",
        paint(
            color,
            severity_color(f.severity),
            &format!("{sev}[{}]", f.rule)
        ),
        paint(color, "1", ":"),
        paint(color, "1", &escape(&f.message, false))
    )?;
    let gutter = line.to_string().len();
    let pad = " ".repeat(gutter);
    writeln!(
        out,
        "{pad}{} {}:{line}:{col}",
        paint(color, "1;34", "-->"),
        escape_path(&file.path)
    )?;
    writeln!(out, "{pad} {}", paint(color, "1;34", "|"))?;
    let src = source_line(file, rope, line - 1, redact);
    let src = src.as_str();
    let shown_src: String = src.chars().map(|c| shown(c).0).collect();
    writeln!(
        out,
        "{} {} {}",
        paint(color, "1;34", &line.to_string()),
        paint(color, "1;34", "|"),
        shown_src
    )?;
    // Carets under the finding's part of its first line, in terminal
    // columns: wide characters (emoji, CJK) take two, escapes their length.
    let prefix = " ".repeat(shown_width(src.chars().take(col - 1)));
    let last_col = if end_line == line {
        end_col
    } else {
        src.chars().count() + 1
    };
    let width = shown_width(src.chars().skip(col - 1).take(last_col.saturating_sub(col))).max(1);
    let more = if end_line > line {
        format!(" (to line {end_line})")
    } else {
        String::new()
    };
    writeln!(
        out,
        "{pad} {} {prefix}{}{more}",
        paint(color, "1;34", "|"),
        paint(color, severity_color(f.severity), &"^".repeat(width))
    )?;
    for r in &f.related {
        let place = match &r.path {
            None => {
                let (l, c) = line_column(rope, r.range.start);
                format!("{}:{l}:{c}", file.path.display())
            }
            Some(other) => match position_in(other, r.range.start) {
                Some((l, c)) => format!("{}:{l}:{c}", other.display()),
                None => other.display().to_string(),
            },
        };
        writeln!(
            out,
            "{pad} {} note: {} ({})",
            paint(color, "1;34", "="),
            escape(&r.message, false),
            escape(&place, false)
        )?;
    }
    for fix in &f.fixes {
        writeln!(
            out,
            "{pad} {} fix ({}): {}",
            paint(color, "1;34", "="),
            fix.applicability.as_str(),
            escape(&fix.title, false)
        )?;
    }
    if crate::analysis::rule::find(f.rule).is_some() {
        writeln!(
            out,
            "{pad} {} docs: moat explain {}",
            paint(color, "1;34", "="),
            f.rule
        )?;
    }
    writeln!(out)
}

/// The JSON form of one fix: title, applicability, and edits with one-based
/// lines and columns (Unicode scalar values), end exclusive.
fn fix_json(rope: &Rope, fix: &Fix) -> Value {
    let edits: Vec<Value> = fix
        .edits
        .iter()
        .map(|e| {
            let (line, column) = line_column(rope, e.range.start);
            let (end_line, end_column) = line_column(rope, e.range.end);
            json!({"line": line, "column": column, "end_line": end_line, "end_column": end_column, "new_text": e.new_text})
        })
        .collect();
    json!({"title": fix.title, "applicability": fix.applicability.as_str(), "edits": edits})
}

/// The one-based line and column of byte `offset` in the file at `path`
/// (read from disk, without a byte order mark, as the analysis read it);
/// `None` when it cannot be read.
pub fn position_in(path: &Path, offset: usize) -> Option<(usize, usize)> {
    let text = std::fs::read_to_string(path).ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    Some(line_column(&Rope::from_str(text), offset))
}

/// The JSON form of one finding of `file` (whose text is `rope`): `rule`,
/// `severity`, `path`, one-based `line`/`column`/`end_line`/`end_column`
/// (columns in Unicode scalar values, end exclusive), `message`, `fix` (the
/// preferred fix or `null`), `fixes` (all of them), and `related` places.
fn diagnostic_json(rope: &Rope, path: &str, f: &Finding) -> Value {
    let (line, column) = line_column(rope, f.range.start);
    let (end_line, end_column) = line_column(rope, f.range.end);
    let fixes: Vec<Value> = f.fixes.iter().map(|x| fix_json(rope, x)).collect();
    let related: Vec<Value> = f
        .related
        .iter()
        .map(|r| {
            // Places in other files: positions from that file's text (read
            // again; null when it cannot be read).
            let (line, column) = match &r.path {
                None => {
                    let (l, c) = line_column(rope, r.range.start);
                    (json!(l), json!(c))
                }
                Some(other) => match position_in(other, r.range.start) {
                    Some((l, c)) => (json!(l), json!(c)),
                    None => (Value::Null, Value::Null),
                },
            };
            json!({
                "path": r.path.as_ref().map_or(path.to_string(), |p| p.to_string_lossy().replace('\\', "/")),
                "line": line, "column": column, "message": r.message,
            })
        })
        .collect();
    json!({
        "rule": f.rule,
        "severity": f.severity.as_str(),
        "path": path,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "message": f.message,
        "fix": fixes.first().cloned().unwrap_or(Value::Null),
        "fixes": fixes,
        "related": related,
    })
}

/// Calls `f` with the JSON form of every finding, file by file.
fn for_each_diagnostic(
    result: &CheckResult,
    mut f: impl FnMut(Value) -> io::Result<()>,
) -> io::Result<()> {
    for file in &result.files {
        let rope = Rope::from_str(&file.text);
        let path = file.path.to_string_lossy().replace('\\', "/");
        for finding in &file.findings {
            f(diagnostic_json(&rope, &path, finding))?;
        }
    }
    Ok(())
}

fn summary_json(result: &CheckResult) -> Value {
    let c = counts(result);
    json!({
        "files": result.files_checked,
        "errors": c.errors,
        "warnings": c.warnings,
        "infos": c.infos,
        "hints": c.hints,
    })
}

fn errors_json(result: &CheckResult) -> Value {
    result
        .io_errors
        .iter()
        .map(|(path, message)| json!({"path": path.to_string_lossy().replace('\\', "/"), "message": message}))
        .collect()
}

/// Builds the JSON document of the README's contract:
/// `{"version": 1, "diagnostics": [...], "summary": {...}, "errors": [...]}`.
/// Diagnostics are as [`diagnostic_json`] says. `summary.files` counts the
/// files read and analysed. `errors` lists what could not be read, as
/// `{"path", "message"}`; when it is not empty the result is incomplete.
pub fn json_value(result: &CheckResult) -> Value {
    let mut diagnostics = Vec::new();
    let _ = for_each_diagnostic(result, |d| {
        diagnostics.push(d);
        Ok(())
    });
    json!({
        "version": 1,
        "diagnostics": diagnostics,
        "summary": summary_json(result),
        "errors": errors_json(result),
    })
}

/// Writes the same document as [`json_value`], streamed: one diagnostic per
/// line, so memory stays flat however many findings there are.
pub fn write_json(out: &mut impl Write, result: &CheckResult) -> io::Result<()> {
    write!(out, "{{\"version\": 1,\n\"diagnostics\": [")?;
    let mut first = true;
    for_each_diagnostic(result, |d| {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        first = false;
        serde_json::to_writer(&mut *out, &d)?;
        Ok(())
    })?;
    write!(out, "\n],\n\"summary\": ")?;
    serde_json::to_writer(&mut *out, &summary_json(result))?;
    write!(out, ",\n\"errors\": ")?;
    serde_json::to_writer(&mut *out, &errors_json(result))?;
    writeln!(out, "\n}}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_json_is_the_same_document() {
        use crate::analysis::rule;
        let text = "create table t (id int);\nselect 1;\n".to_string();
        let finding = Finding::new(
            rule::find("sql/rls-disabled").unwrap(),
            0..14,
            "a \"quoted\" message",
        );
        let result = CheckResult {
            files: vec![CheckedFile {
                path: "supabase/a.sql".into(),
                text,
                findings: vec![finding.clone(), finding],
            }],
            files_checked: 3,
            io_errors: vec![("x/y.sql".into(), "permission denied".into())],
            ..CheckResult::default()
        };
        let mut out = Vec::new();
        write_json(&mut out, &result).unwrap();
        let parsed: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(parsed, json_value(&result));
        assert_eq!(parsed["diagnostics"].as_array().unwrap().len(), 2);
        let mut empty = Vec::new();
        write_json(&mut empty, &CheckResult::default()).unwrap();
        let parsed: Value = serde_json::from_slice(&empty).unwrap();
        assert_eq!(parsed, json_value(&CheckResult::default()));
    }
    use std::path::PathBuf;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escape("a\x1b]0;x\x07b", false), r"a\u{1b}]0;x\u{7}b");
        assert_eq!(escape("a\tb", true), "a\tb");
        assert_eq!(escape("a\tb\n", false), r"a\u{9}b\u{a}");
        assert_eq!(escape("x\u{202e}y\u{9b}", false), r"x\u{202e}y\u{9b}");
        assert!(matches!(escape("plain 😀 漢", false), Cow::Borrowed(_)));
    }

    fn summary_of(files_checked: usize, errors: usize) -> String {
        let result = CheckResult {
            files_checked,
            io_errors: (0..errors)
                .map(|i| (PathBuf::from(format!("x{i}.ts")), "denied".to_string()))
                .collect(),
            ..CheckResult::default()
        };
        summary(&result, false)
    }

    #[test]
    fn a_run_with_unreadable_files_never_says_no_problems_found() {
        assert_eq!(summary_of(3, 0), "✓ No problems found in 3 files.");
        assert_eq!(summary_of(1, 0), "✓ No problems found in 1 file.");
        assert_eq!(
            summary_of(3, 2),
            "✗ Could not read 2 files or folders; no problems in the 3 files checked."
        );
        let json = json_value(&CheckResult {
            files_checked: 1,
            io_errors: vec![(PathBuf::from("a/b.ts"), "denied".into())],
            ..CheckResult::default()
        });
        assert_eq!(
            json["errors"],
            serde_json::json!([{"path": "a/b.ts", "message": "denied"}])
        );
        assert_eq!(json["summary"]["files"], 1);
    }
}

//! Reporters for `moat check`: text with code frames, and JSON.

use std::io::{self, IsTerminal, Write};

use ropey::Rope;
use serde_json::{json, Value};

use crate::analysis::{Finding, Severity};
use crate::cli::{CheckResult, CheckedFile};
use crate::fix::Fix;
use crate::position::line_column;

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
        for f in &file.findings {
            write_text_finding(out, file, &rope, f, color)?;
        }
    }
    let c = counts(result);
    let total = c.errors + c.warnings + c.infos + c.hints;
    let files = result.files_checked;
    let files_word = if files == 1 { "file" } else { "files" };
    if total == 0 {
        writeln!(
            out,
            "{} No problems found in {files} {files_word}.",
            paint(color, "1;32", "✓")
        )?;
    } else {
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
        let problems = if total == 1 { "problem" } else { "problems" };
        writeln!(
            out,
            "Found {total} {problems} ({}) in {files} {files_word}.",
            parts.join(", ")
        )?;
    }
    Ok(())
}

fn write_text_finding(
    out: &mut impl Write,
    file: &CheckedFile,
    rope: &Rope,
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
        paint(color, "1", &f.message)
    )?;
    let gutter = line.to_string().len();
    let pad = " ".repeat(gutter);
    writeln!(
        out,
        "{pad}{} {}:{line}:{col}",
        paint(color, "1;34", "-->"),
        file.path.display()
    )?;
    writeln!(out, "{pad} {}", paint(color, "1;34", "|"))?;
    let src = rope.line(line - 1).to_string();
    let src = src.trim_end_matches(['\n', '\r']);
    writeln!(
        out,
        "{} {} {}",
        paint(color, "1;34", &line.to_string()),
        paint(color, "1;34", "|"),
        src.replace('\t', "    ")
    )?;
    // Carets under the finding's part of its first line.
    let prefix: String = src
        .chars()
        .take(col - 1)
        .map(|c| if c == '\t' { "    " } else { " " })
        .collect();
    let last_col = if end_line == line {
        end_col
    } else {
        src.chars().count() + 1
    };
    let width: usize = src
        .chars()
        .skip(col - 1)
        .take(last_col.saturating_sub(col))
        .map(|c| if c == '\t' { 4 } else { 1 })
        .sum::<usize>()
        .max(1);
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
    for fix in &f.fixes {
        writeln!(
            out,
            "{pad} {} fix ({}): {}",
            paint(color, "1;34", "="),
            fix.applicability.as_str(),
            fix.title
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

/// Builds the JSON document of DESIGN.md's contract:
/// `{"version": 1, "diagnostics": [...], "summary": {...}}`. Each diagnostic
/// has `rule`, `severity`, `path`, one-based `line`/`column`/`end_line`/
/// `end_column` (columns in Unicode scalar values, end exclusive),
/// `message`, `fix` (the preferred fix or `null`), `fixes` (all of them),
/// and `related` places.
pub fn json_value(result: &CheckResult) -> Value {
    let mut diagnostics = Vec::new();
    for file in &result.files {
        let rope = Rope::from_str(&file.text);
        let path = file.path.to_string_lossy().replace('\\', "/");
        for f in &file.findings {
            let (line, column) = line_column(&rope, f.range.start);
            let (end_line, end_column) = line_column(&rope, f.range.end);
            let fixes: Vec<Value> = f.fixes.iter().map(|x| fix_json(&rope, x)).collect();
            let related: Vec<Value> = f
                .related
                .iter()
                .map(|r| {
                    // Places in other files carry no position until the
                    // reporter is given those files' text.
                    let (line, column) = match r.path {
                        None => {
                            let (l, c) = line_column(&rope, r.range.start);
                            (json!(l), json!(c))
                        }
                        Some(_) => (Value::Null, Value::Null),
                    };
                    json!({
                        "path": r.path.as_ref().map_or(path.clone(), |p| p.to_string_lossy().replace('\\', "/")),
                        "line": line, "column": column, "message": r.message,
                    })
                })
                .collect();
            diagnostics.push(json!({
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
            }));
        }
    }
    let c = counts(result);
    json!({
        "version": 1,
        "diagnostics": diagnostics,
        "summary": {
            "files": result.files_checked,
            "errors": c.errors,
            "warnings": c.warnings,
            "infos": c.infos,
            "hints": c.hints,
        }
    })
}

/// Writes [`json_value`] followed by a newline.
pub fn write_json(out: &mut impl Write, result: &CheckResult) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &json_value(result))?;
    writeln!(out)
}

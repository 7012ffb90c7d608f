//! Runs the tree-sitter corpus in `test/corpus/` without the tree-sitter CLI.
//!
//! This mirrors what `tree-sitter test` (tree-sitter-cli 0.27.1, `src/test.rs`) does for
//! parse tests, so the corpus is checked in CI, where the CLI is not installed:
//!
//! * every non-hidden file under `test/corpus/` (recursively, sorted by name) is read;
//! * examples are split the same way: a `===` header (with an optional suffix that must
//!   match the file's first suffixed `===` line) holding the name and attribute lines, then
//!   the source, then the *longest* `---` divider, then the expected S-expression;
//! * the source has one trailing `\n` (and then `\r`) removed;
//! * the expected S-expression has `;` comment lines removed, whitespace runs collapsed to
//!   one space and spaces before `)` removed;
//! * the actual tree is printed with `Node::to_sexp()` — the CLI uses exactly that — and
//!   field names (`name: (`) are stripped from it when the expected text has none;
//! * `:skip` skips the example, `:platform(os)` runs it only on that OS, and `:error` only
//!   requires the tree to contain an error (`Node::has_error()`, i.e. an ERROR or MISSING
//!   node); the CLI does not compare the expected text of an `:error` example, and neither
//!   does this test.
//!
//! `:cst` examples and `:language(...)` for another grammar are not supported here and
//! fail with a message saying so.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use tree_sitter::{format_sexp, Language, Parser};

const GRAMMAR_NAME: &str = "firebase_rules";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expectation {
    Pass,
    Error,
    Skip,
}

#[derive(Debug)]
struct Example {
    name: String,
    file: PathBuf,
    input: Vec<u8>,
    /// Normalised expected S-expression.
    output: String,
    has_fields: bool,
    expectation: Expectation,
    platform: bool,
    cst: bool,
    languages: Vec<String>,
}

/// `Some((delim_len, suffix))` if `line` is 3+ repetitions of `c` plus an optional suffix.
fn parse_delimiter_line(line: &str, c: char) -> Option<(usize, &str)> {
    let delim_len = line.len() - line.trim_start_matches(c).len();
    if delim_len < 3 {
        return None;
    }
    let suffix = line[delim_len..].trim_end_matches(['\r', '\n']);
    Some((delim_len, suffix))
}

fn suffix_matches(first_suffix: Option<&str>, suffix: &str) -> bool {
    match (first_suffix, suffix.is_empty()) {
        (None, true) => true,
        (Some(fs), false) => fs == suffix,
        _ => false,
    }
}

/// Drop `;` comment lines, collapse whitespace, remove spaces before `)`.
fn normalize_sexp_output(raw: &str) -> (String, bool) {
    let mut result = String::with_capacity(raw.len());
    let mut prev_was_space = false;
    for line in raw.lines() {
        if line.trim_start().starts_with(';') {
            continue;
        }
        for ch in line.chars() {
            if ch.is_whitespace() {
                if !prev_was_space && !result.is_empty() {
                    result.push(' ');
                    prev_was_space = true;
                }
            } else {
                if ch == ')' && prev_was_space {
                    result.pop();
                }
                result.push(ch);
                prev_was_space = false;
            }
        }
        if !result.is_empty() && !prev_was_space {
            result.push(' ');
            prev_was_space = true;
        }
    }
    let result = result.trim_end().to_string();
    let has_fields = result.contains(": (");
    (result, has_fields)
}

/// Replace ` word: (` with ` (` (used when the expected output has no field names).
fn strip_sexp_fields(sexp: &str) -> String {
    let mut result = String::with_capacity(sexp.len());
    let mut remaining = sexp;
    while let Some(pos) = remaining.find(": (") {
        if let Some(space_pos) = remaining[..pos].rfind(' ') {
            let word = &remaining[space_pos + 1..pos];
            if !word.is_empty() && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                result.push_str(&remaining[..=space_pos]);
                result.push('(');
                remaining = &remaining[pos + 3..];
                continue;
            }
        }
        result.push_str(&remaining[..pos + 3]);
        remaining = &remaining[pos + 3..];
    }
    result.push_str(remaining);
    result
}

struct Header {
    name: String,
    expectation: Expectation,
    platform: bool,
    cst: bool,
    languages: Vec<String>,
    body_start_line: usize,
}

/// Parse a header block starting at `lines[start]`, like the CLI's `parse_header`.
fn parse_header(lines: &[&str], first_suffix: Option<&str>, start: usize) -> Option<Header> {
    let (_, suffix) = parse_delimiter_line(lines[start], '=')?;
    if !suffix_matches(first_suffix, suffix) {
        return None;
    }
    let mut name = String::new();
    let (mut seen_marker, mut seen_skip, mut seen_error) = (false, false, false);
    let (mut platform, mut cst, mut languages) = (None::<bool>, false, Vec::new());

    let mut line_num = start + 1;
    while line_num < lines.len() {
        if let Some((_, closing)) = parse_delimiter_line(lines[line_num], '=') {
            if suffix_matches(first_suffix, closing) {
                break;
            }
        }
        let trimmed = lines[line_num].trim();
        if trimmed.is_empty() && !seen_marker {
            return None;
        }
        let arg = |attr: &str| {
            trimmed
                .strip_prefix(':')
                .and_then(|s| s.strip_prefix(attr))
                .and_then(|s| s.strip_prefix('('))
                .and_then(|s| s.strip_suffix(')'))
                .map(str::to_string)
        };
        match trimmed.split('(').next().unwrap() {
            ":skip" => (seen_marker, seen_skip) = (true, true),
            ":error" => (seen_marker, seen_error) = (true, true),
            ":fail-fast" => seen_marker = true,
            ":cst" => (seen_marker, cst) = (true, true),
            ":platform" => {
                if let Some(os) = arg("platform") {
                    seen_marker = true;
                    platform = Some(platform.unwrap_or(false) || os.trim() == std::env::consts::OS);
                }
            }
            ":language" => {
                if let Some(lang) = arg("language") {
                    seen_marker = true;
                    languages.push(lang);
                }
            }
            _ if !seen_marker => name.push_str(lines[line_num]),
            _ => {}
        }
        line_num += 1;
    }
    if line_num >= lines.len() {
        return None; // no closing `===` line
    }
    let expectation = match (seen_skip, seen_error) {
        (true, _) => Expectation::Skip,
        (false, true) => Expectation::Error,
        (false, false) => Expectation::Pass,
    };
    if languages.is_empty() {
        languages.push(String::new());
    }
    Some(Header {
        name: name.trim_end().to_string(),
        expectation,
        platform: platform.unwrap_or(true),
        cst,
        languages,
        body_start_line: line_num + 1,
    })
}

/// Split the body after a header into source and expected output at the longest `---` line.
fn build_example(
    body: &[&str],
    first_suffix: Option<&str>,
    header: Header,
    file: &Path,
) -> Option<Example> {
    let mut best: Option<usize> = None;
    let mut best_len = 0;
    for (j, line) in body.iter().enumerate() {
        if let Some((delim_len, suffix)) = parse_delimiter_line(line, '-') {
            if suffix_matches(first_suffix, suffix) {
                let total = delim_len + suffix.len();
                // On ties prefer the later line: an earlier one is part of the source.
                if total >= best_len {
                    best = Some(j);
                    best_len = total;
                }
            }
        }
    }
    let divider = best?;

    let mut input: Vec<u8> = body[..divider].concat().into_bytes();
    if input.last() == Some(&b'\n') {
        input.pop();
    }
    if input.last() == Some(&b'\r') {
        input.pop();
    }
    let output_str: String = body[divider + 1..].concat();
    let (output, has_fields) = if header.cst {
        (output_str.trim().to_string(), false)
    } else {
        normalize_sexp_output(&output_str)
    };
    Some(Example {
        name: header.name,
        file: file.to_path_buf(),
        input,
        output,
        has_fields,
        expectation: header.expectation,
        platform: header.platform,
        cst: header.cst,
        languages: header.languages,
    })
}

fn parse_corpus_file(path: &Path) -> Vec<Example> {
    let content = fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read corpus file {}: {e}", path.display()));
    let lines: Vec<&str> = content.split_inclusive('\n').collect();
    let first_suffix = lines
        .iter()
        .find_map(|line| match parse_delimiter_line(line, '=') {
            Some((_, suffix)) if !suffix.is_empty() => Some(suffix.to_string()),
            _ => None,
        });
    let first_suffix = first_suffix.as_deref();

    let mut examples = Vec::new();
    let mut prev: Option<Header> = None;
    let mut line_num = 0;
    while line_num < lines.len() {
        let Some(header) = parse_header(&lines, first_suffix, line_num) else {
            line_num += 1;
            continue;
        };
        let opening = line_num;
        line_num = header.body_start_line;
        if let Some(p) = prev.take() {
            let body = &lines[p.body_start_line..opening];
            examples.extend(build_example(body, first_suffix, p, path));
        }
        prev = Some(header);
    }
    if let Some(p) = prev {
        let body = &lines[p.body_start_line..];
        examples.extend(build_example(body, first_suffix, p, path));
    }
    examples
}

/// Every non-hidden file under `dir`, recursively, in name order (as the CLI reads them).
fn corpus_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read corpus directory {}: {e}", dir.display()))
        .map(|entry| entry.expect("read corpus directory entry").path())
        .filter(|p| {
            !p.file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
                .starts_with('.')
        })
        .collect();
    entries.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    for path in entries {
        if path.is_dir() {
            corpus_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Check one example; `Err` holds a failure report.
fn run_example(parser: &mut Parser, example: &Example) -> Result<(), String> {
    let location = format!("test {:?} in {}", example.name, example.file.display());
    if example.cst {
        return Err(format!(
            "{location}: the `:cst` attribute is not supported by tests/corpus.rs"
        ));
    }
    if let Some(lang) = example
        .languages
        .iter()
        .find(|l| !l.is_empty() && l.as_str() != GRAMMAR_NAME)
    {
        return Err(format!(
            "{location}: `:language({lang})` is not supported by tests/corpus.rs"
        ));
    }

    let tree = parser
        .parse(&example.input, None)
        .ok_or_else(|| format!("{location}: the parser returned no tree"))?;
    let root = tree.root_node();
    let sexp = root.to_sexp();

    if example.expectation == Expectation::Error {
        if root.has_error() {
            return Ok(());
        }
        return Err(format!(
            "FAILED {location}\n  marked `:error`, but the tree has no ERROR or MISSING node\n\
             actual:\n{}\n",
            format_sexp(&sexp, 0)
        ));
    }

    let actual = if example.has_fields {
        sexp
    } else {
        strip_sexp_fields(&sexp)
    };
    if actual == example.output {
        return Ok(());
    }

    let expected_pretty = format_sexp(&example.output, 0);
    let actual_pretty = format_sexp(&actual, 0);
    let mut report = format!("FAILED {location}\n");
    let first_diff = expected_pretty
        .lines()
        .zip(actual_pretty.lines())
        .position(|(e, a)| e != a)
        .unwrap_or_else(|| {
            expected_pretty
                .lines()
                .count()
                .min(actual_pretty.lines().count())
        });
    let _ = writeln!(
        report,
        "  first difference at line {} of the trees below",
        first_diff + 1
    );
    let _ = writeln!(
        report,
        "source:\n{}",
        String::from_utf8_lossy(&example.input)
    );
    let _ = writeln!(report, "expected:\n{expected_pretty}");
    let _ = writeln!(report, "actual:\n{actual_pretty}");
    let _ = writeln!(report, "expected (normalised):\n{}", example.output);
    let _ = writeln!(report, "actual (normalised):\n{actual}");
    Err(report)
}

#[test]
fn corpus() {
    let corpus_dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("test")
        .join("corpus");
    let mut files = Vec::new();
    corpus_files(&corpus_dir, &mut files);
    assert!(
        !files.is_empty(),
        "no corpus files in {}",
        corpus_dir.display()
    );

    let language: Language = tree_sitter_firebase_rules::LANGUAGE.into();
    let mut parser = Parser::new();
    parser
        .set_language(&language)
        .expect("the Firebase rules grammar loads");

    let (mut passed, mut skipped, mut total) = (0usize, 0usize, 0usize);
    let mut failures = Vec::new();
    for file in &files {
        let examples = parse_corpus_file(file);
        assert!(
            !examples.is_empty(),
            "corpus file {} holds no examples",
            file.display()
        );
        for example in &examples {
            total += 1;
            if example.expectation == Expectation::Skip || !example.platform {
                skipped += 1;
                continue;
            }
            match run_example(&mut parser, example) {
                Ok(()) => passed += 1,
                Err(report) => failures.push(report),
            }
        }
    }

    eprintln!(
        "corpus: {total} examples in {} files: {passed} passed, {} failed, {skipped} skipped",
        files.len(),
        failures.len()
    );
    if !failures.is_empty() {
        panic!(
            "{} of {total} corpus examples failed:\n\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}

//! `secrets/<kind>`: credentials written into files, in every text file of
//! the workspace (source, SQL, rules, JSON, YAML, TOML, `.env*`,
//! Dockerfiles, shell, Markdown).
//!
//! One pass per file. An Aho-Corasick automaton holds every trigger of
//! every detector — the fixed prefixes of issued keys (`sk_live_`, `ghp_`,
//! `AKIA`, `eyJ`, `-----BEGIN `, `://`, ...) and the keywords of named
//! values (`secret`, `password`, `token`, `key`, ...) — and runs over the
//! text once, case-insensitively. Each hit runs only the check of the
//! trigger that matched, on a bounded window around the hit, so the pass is
//! linear in the size of the file however many detectors there are and
//! however long its lines. The checks push [`Candidate`]s; overlaps are then
//! resolved (a provider's own format wins over the generic detector, values
//! judged public or placeholders silence the generic one), the file-level
//! detector (`secrets/committed-env-file`) looks at the whole, and the
//! candidates become findings.
//!
//! Each rule is a `static Rule` in its own file with its triggers; the
//! rules' checkers all read the one scan cached in the file's
//! [`FileContext`]. Files without a grammar (`.env`, YAML, ...) go through
//! [`crate::analysis::analyze_plain_text`], which runs the same scan.
//!
//! A secret is never shown whole: messages carry [`noise::mask`]ed values,
//! and [`redactions`] tells a reporter which bytes of a file to blank out
//! of the source lines it prints.

pub mod anthropic;
pub mod aws;
pub mod database_url;
pub mod env_file;
pub mod gcp_service_account;
pub mod generic;
pub mod github;
pub mod gitlab;
pub mod google_api_key;
pub mod mailgun;
pub mod noise;
pub mod npm;
pub mod openai;
pub mod private_key;
pub mod resend;
pub mod sendgrid;
pub mod slack;
pub mod stripe;
pub mod supabase;
mod tokens;
pub mod twilio;

use std::ops::Range;
use std::path::Path;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use tree_sitter::Tree;

use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, FileFacts, Finding};
use crate::fix::{Applicability, Edit, Fix};
use crate::language::Language;

/// Every language with a grammar: secrets rules run on all of them (and on
/// plain text files, through [`crate::analysis::analyze_plain_text`]).
pub const EVERY_LANGUAGE: &[Language] = &Language::ALL;

/// Files without a grammar larger than this (1 MiB) are not checked: text
/// that large is generated (lock files, bundles, data dumps), and reading
/// it would slow every workspace scan for nothing. Source files with a
/// grammar are checked whatever their size.
pub const MAX_PLAIN_TEXT_BYTES: usize = 1 << 20;

/// Whether `bytes` look like a binary file (a NUL byte in the first 8 KiB,
/// as git decides): binary files are never checked.
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(8192)].contains(&0)
}

/// What kind of text a file holds, as far as finding values goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FileKind {
    /// JavaScript or TypeScript (values are expressions: quoted only).
    Code,
    Sql,
    Rules,
    Json,
    Yaml,
    Toml,
    /// `.env`, `.env.local`, `production.env`, ...
    Env,
    Shell,
    Dockerfile,
    Markdown,
    /// `.npmrc`, `.yarnrc`, `.pypirc`, `*.ini`, `*.cfg`, `*.properties`, `*.conf`
    Ini,
    Other,
}

impl FileKind {
    fn of(path: &Path, language: Option<Language>) -> FileKind {
        match language {
            Some(Language::Sql) => return FileKind::Sql,
            Some(Language::FirebaseRules) => return FileKind::Rules,
            Some(_) => return FileKind::Code,
            None => {}
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if is_env_file(path) {
            return FileKind::Env;
        }
        if name == "dockerfile" || name.starts_with("dockerfile.") || name.ends_with(".dockerfile")
        {
            return FileKind::Dockerfile;
        }
        let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
        match ext {
            "json" | "jsonc" | "json5" | "tfstate" => FileKind::Json,
            "yaml" | "yml" => FileKind::Yaml,
            "toml" => FileKind::Toml,
            "sh" | "bash" | "zsh" | "fish" | "envrc" => FileKind::Shell,
            "md" | "mdx" | "markdown" => FileKind::Markdown,
            "ini" | "cfg" | "properties" | "conf" | "npmrc" | "yarnrc" | "pypirc" => FileKind::Ini,
            _ if matches!(name.as_str(), ".npmrc" | ".yarnrc" | ".pypirc" | ".netrc") => {
                FileKind::Ini
            }
            _ => FileKind::Other,
        }
    }

    /// Whether a value may stand unquoted after `NAME=` or `name:`.
    pub(crate) fn unquoted_values(self) -> bool {
        !matches!(
            self,
            FileKind::Code | FileKind::Json | FileKind::Sql | FileKind::Rules
        )
    }
}

/// Whether `path` names a dotenv file: `.env`, `.env.local`,
/// `.env.production`, `production.env`, ... (not `.envrc`).
pub fn is_env_file(path: &Path) -> bool {
    let Some(name) = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
    else {
        return false;
    };
    (name == ".env" || name.starts_with(".env.") || name.ends_with(".env")) && name != ".envrc"
}

/// What the analysis is given: the file and what the front end knows.
pub struct Input<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    /// The syntax tree, for files with a grammar (used for quick fixes).
    pub tree: Option<&'a Tree>,
    pub language: Option<Language>,
    pub facts: FileFacts,
}

/// How a finding tells the user what to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Advice {
    /// Rotate the secret and move it to an environment variable.
    Rotate,
    /// A value that is public by design: this sentence says what to check.
    Public(&'static str),
}

/// One secret found by a detector, before overlaps are resolved.
#[derive(Clone, Debug)]
pub(crate) struct Candidate {
    pub rule: &'static Rule,
    /// The secret's bytes: reported, masked, blanked out of code frames.
    pub secret: Range<usize>,
    /// The whole value a fix replaces (a URL whose password is the secret,
    /// or the secret itself).
    pub value: Range<usize>,
    pub severity: Severity,
    /// What it is, as the start of a sentence: "A Stripe live secret key".
    pub what: String,
    /// The environment variable a fix reads it from.
    pub env: String,
    pub advice: Advice,
    /// Found by a provider's own format (wins over the generic detector).
    pub specific: bool,
}

impl Candidate {
    /// A secret in a provider's own format, reported on its own bytes.
    pub(crate) fn specific(
        rule: &'static Rule,
        secret: Range<usize>,
        severity: Severity,
        what: impl Into<String>,
        env: impl Into<String>,
    ) -> Candidate {
        Candidate {
            rule,
            value: secret.clone(),
            secret,
            severity,
            what: what.into(),
            env: env.into(),
            advice: Advice::Rotate,
            specific: true,
        }
    }
}

/// The state of one pass over a file.
pub(crate) struct Scan<'a> {
    pub text: &'a str,
    pub bytes: &'a [u8],
    pub kind: FileKind,
    pub out: Vec<Candidate>,
    /// Values judged public, placeholders or documented examples: the
    /// generic detector stays quiet on them.
    pub quiet: Vec<Range<usize>>,
    /// Work done once per file (the service-account check).
    pub gcp_done: bool,
    /// Where the last name the generic detector looked at starts, plus
    /// one (0: none yet): several keywords in one name are one check.
    pub last_name: usize,
}

impl Scan<'_> {
    pub(crate) fn push(&mut self, c: Candidate) {
        self.out.push(c);
    }

    pub(crate) fn quiet(&mut self, range: Range<usize>) {
        self.quiet.push(range);
    }
}

/// Where a trigger matched: the literal's bytes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Hit {
    pub start: usize,
    pub end: usize,
}

/// What runs at a trigger's hits.
pub(crate) enum Check {
    /// A fixed prefix followed by a body of known characters and length.
    Token(tokens::TokenSpec),
    /// Anything else.
    Custom(fn(&mut Scan<'_>, Hit)),
}

/// A literal of the prefilter and the check it leads to.
pub(crate) struct Trigger {
    /// Matched ASCII-case-insensitively; checks verify case themselves.
    pub literal: &'static str,
    pub check: Check,
}

/// The automaton over every detector's triggers, built once.
fn automaton() -> &'static (AhoCorasick, Vec<&'static Trigger>) {
    static AUTOMATON: OnceLock<(AhoCorasick, Vec<&'static Trigger>)> = OnceLock::new();
    AUTOMATON.get_or_init(|| {
        let lists: &[&'static [Trigger]] = &[
            anthropic::TRIGGERS,
            aws::TRIGGERS,
            database_url::TRIGGERS,
            gcp_service_account::TRIGGERS,
            generic::TRIGGERS,
            github::TRIGGERS,
            gitlab::TRIGGERS,
            google_api_key::TRIGGERS,
            mailgun::TRIGGERS,
            npm::TRIGGERS,
            openai::TRIGGERS,
            private_key::TRIGGERS,
            resend::TRIGGERS,
            sendgrid::TRIGGERS,
            slack::TRIGGERS,
            stripe::TRIGGERS,
            supabase::TRIGGERS,
        ];
        let triggers: Vec<&'static Trigger> = lists.iter().flat_map(|l| l.iter()).collect();
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(triggers.iter().map(|t| t.literal))
            .expect("the trigger literals form a valid automaton");
        (ac, triggers)
    })
}

/// Candidates and redactions of one file.
struct Outcome {
    candidates: Vec<Candidate>,
    /// Bytes never to print: every secret found, and the values of an
    /// env file's secret-looking lines.
    redact: Vec<Range<usize>>,
}

/// The one pass over a file.
fn run(input: &Input<'_>) -> Outcome {
    let text = input.text;
    if is_binary(text.as_bytes()) {
        return Outcome {
            candidates: Vec::new(),
            redact: Vec::new(),
        };
    }
    let mut scan = Scan {
        text,
        bytes: text.as_bytes(),
        kind: FileKind::of(input.path, input.language),
        out: Vec::new(),
        quiet: Vec::new(),
        gcp_done: false,
        last_name: 0,
    };
    let (ac, triggers) = automaton();
    for m in ac.find_overlapping_iter(text) {
        let hit = Hit {
            start: m.start(),
            end: m.end(),
        };
        match &triggers[m.pattern().as_usize()].check {
            Check::Token(spec) => tokens::check(&mut scan, hit, spec),
            Check::Custom(f) => f(&mut scan, hit),
        }
    }
    aws::pair_secret_keys(&mut scan);
    let mut candidates = resolve(scan.out, &scan.quiet);
    let mut redact: Vec<Range<usize>> = candidates.iter().map(|c| c.secret.clone()).collect();
    if scan.kind == FileKind::Env {
        let kind = scan.kind;
        let (finding, values) = env_file::check_file(input, kind, &candidates);
        redact.extend(values);
        candidates.extend(finding);
    }
    Outcome { candidates, redact }
}

/// Keeps one candidate per secret: the provider formats over the generic
/// detector, nothing generic on values judged quiet, no duplicates.
fn resolve(mut all: Vec<Candidate>, quiet: &[Range<usize>]) -> Vec<Candidate> {
    all.sort_by(|a, b| {
        (a.secret.start, a.secret.end, a.rule.id).cmp(&(b.secret.start, b.secret.end, b.rule.id))
    });
    all.dedup_by(|a, b| a.secret == b.secret && a.rule.id == b.rule.id);
    let (mut specific, generic): (Vec<Candidate>, Vec<Candidate>) =
        all.into_iter().partition(|c| c.specific);
    // A service account's private key is that rule's, not the PEM rule's.
    let accounts = Blockers::new(
        specific
            .iter()
            .filter(|c| c.rule.id == gcp_service_account::RULE.id)
            .map(|c| c.secret.clone()),
    );
    specific.retain(|c| c.rule.id != private_key::RULE.id || !accounts.overlaps(&c.secret));
    let blockers = Blockers::new(
        specific
            .iter()
            .map(|c| c.secret.clone())
            .chain(quiet.iter().cloned()),
    );
    let mut kept = specific;
    kept.extend(
        generic
            .into_iter()
            .filter(|g| !blockers.overlaps(&g.value) && !blockers.overlaps(&g.secret)),
    );
    kept.sort_by(|a, b| (a.secret.start, a.rule.id).cmp(&(b.secret.start, b.rule.id)));
    kept
}

/// Ranges sorted by start with the running maximum of their ends, to tell
/// in logarithmic time whether a range overlaps any of them.
struct Blockers {
    starts: Vec<usize>,
    max_end: Vec<usize>,
}

impl Blockers {
    fn new(ranges: impl Iterator<Item = Range<usize>>) -> Blockers {
        let mut ranges: Vec<Range<usize>> = ranges.collect();
        ranges.sort_by_key(|r| r.start);
        let mut max = 0;
        let max_end = ranges
            .iter()
            .map(|r| {
                max = max.max(r.end);
                max
            })
            .collect();
        Blockers {
            starts: ranges.iter().map(|r| r.start).collect(),
            max_end,
        }
    }

    fn overlaps(&self, r: &Range<usize>) -> bool {
        let n = self.starts.partition_point(|&s| s < r.end.max(r.start + 1));
        n > 0 && self.max_end[n - 1] > r.start
    }
}

/// Every secrets finding of a file, at the severity its detector gives
/// (info under test folders), with masked messages and, in JavaScript and
/// TypeScript, a fix that reads the value from the environment. A `.env`
/// file that a `.gitignore` covers gives none: that is where secrets belong.
pub fn scan(input: &Input<'_>) -> Vec<Finding> {
    if input.facts.gitignored == Some(true) && is_env_file(input.path) {
        return Vec::new();
    }
    let outcome = run(input);
    let in_tests = noise::is_test_path(input.path);
    let deno = is_deno(input);
    outcome
        .candidates
        .into_iter()
        .map(|c| {
            let secret = input.text.get(c.secret.clone()).unwrap_or("");
            let mut message = match c.advice {
                Advice::Rotate if c.rule.id == env_file::RULE.id => c.what.clone(),
                Advice::Rotate if c.env.is_empty() => format!(
                    "{} ({}) is written in this file. Rotate it (it is in the git history already) and keep it out of the repository: in a secret manager, or a file outside it.",
                    c.what,
                    noise::mask(secret),
                ),
                Advice::Rotate => format!(
                    "{} ({}) is written in this file. Rotate it (it is in the git history already) and load it from an environment variable ({}) or a secret manager.",
                    c.what,
                    noise::mask(secret),
                    c.env
                ),
                Advice::Public(note) => format!("{} ({}). {note}", c.what, noise::mask(secret)),
            };
            let mut severity = c.severity;
            if in_tests && severity > Severity::Info {
                severity = Severity::Info;
                message.push_str(" Reported as info because the file is in a test or fixture folder; a real key there is just as exposed.");
            }
            let mut finding = Finding::new(c.rule, c.secret.clone(), message);
            finding.severity = severity;
            if let Some(fix) = fix_for(input, &c, deno) {
                finding = finding.with_fix(fix);
            }
            finding
        })
        .collect()
}

/// The byte ranges of `text` a reporter must not print: every secret the
/// detectors find (whatever the configuration and suppressions say) and
/// the values of an env file's secret-looking lines.
pub fn redactions(path: &Path, text: &str) -> Vec<Range<usize>> {
    let language = Language::from_path(path);
    let input = Input {
        path,
        text,
        tree: None,
        language,
        facts: FileFacts::default(),
    };
    std::panic::catch_unwind(|| run(&input).redact).unwrap_or_default()
}

/// The checker every secrets rule shares: the findings of `rule` from the
/// file's one scan (cached in the context).
pub(crate) fn findings_of(ctx: &FileContext<'_>, rule: &Rule) -> Vec<Finding> {
    ctx.secret_findings()
        .iter()
        .filter(|f| f.rule == rule.id)
        .cloned()
        .collect()
}

/// Whether the file runs on Deno: a Supabase Edge Function, or code that
/// uses the `Deno` global.
fn is_deno(input: &Input<'_>) -> bool {
    let path = input.path.to_string_lossy().replace('\\', "/");
    path.contains("supabase/functions/") || input.text.contains("Deno.")
}

/// In JavaScript and TypeScript, replaces the string literal that holds
/// exactly the value with `process.env.NAME` (or `Deno.env.get('NAME')` in
/// Deno code). Unsafe: the variable must then be set wherever the code
/// runs.
fn fix_for(input: &Input<'_>, c: &Candidate, deno: bool) -> Option<Fix> {
    if !input.language?.is_js_family() || c.env.is_empty() {
        return None;
    }
    let tree = input.tree?;
    let mut node = tree
        .root_node()
        .descendant_for_byte_range(c.value.start, c.value.end)?;
    for _ in 0..3 {
        if matches!(node.kind(), "string" | "template_string") {
            break;
        }
        node = node.parent()?;
    }
    if !matches!(node.kind(), "string" | "template_string") {
        return None;
    }
    let range = node.byte_range();
    if range.len() < 2 || range.start + 1 != c.value.start || range.end - 1 != c.value.end {
        return None;
    }
    let mut cursor = node.walk();
    if node
        .named_children(&mut cursor)
        .any(|n| n.kind() == "template_substitution")
    {
        return None;
    }
    let parent = node.parent()?;
    const EXPRESSION_PLACES: &[&str] = &[
        "variable_declarator",
        "arguments",
        "pair",
        "assignment_expression",
        "augmented_assignment_expression",
        "array",
        "return_statement",
        "binary_expression",
        "ternary_expression",
        "parenthesized_expression",
        "jsx_attribute",
        "public_field_definition",
        "field_definition",
        "assignment_pattern",
        "object_assignment_pattern",
        "sequence_expression",
        "expression_statement",
        "new_expression",
        "await_expression",
        "as_expression",
        "satisfies_expression",
        "non_null_expression",
    ];
    if !EXPRESSION_PLACES.contains(&parent.kind())
        || parent.child_by_field_name("key") == Some(node)
    {
        return None;
    }
    let read = if deno {
        format!("Deno.env.get('{}')", c.env)
    } else {
        format!("process.env.{}", c.env)
    };
    let replacement = if parent.kind() == "jsx_attribute" {
        format!("{{{read}}}")
    } else {
        read.clone()
    };
    Some(Fix::new(
        format!("Read it from {read}"),
        Applicability::Unsafe,
        Edit::replace(range, replacement),
    ))
}

// Byte classes and token boundaries shared by the detectors.

/// ASCII letters and digits.
pub(crate) fn alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// The base64url alphabet: letters, digits, `-` and `_`.
pub(crate) fn b64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Letters, digits and `_`.
pub(crate) fn word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Lower-case hexadecimal digits.
pub(crate) fn hex_lower(b: u8) -> bool {
    b.is_ascii_digit() || (b'a'..=b'f').contains(&b)
}

/// Whether a token may start at `at`: nothing before it that would make it
/// the middle of a longer word.
pub(crate) fn starts_token(bytes: &[u8], at: usize) -> bool {
    at == 0 || !word(bytes[at - 1])
}

/// Whether a token may end at `at`.
pub(crate) fn ends_token(bytes: &[u8], at: usize) -> bool {
    at >= bytes.len() || !alnum(bytes[at])
}

/// The end of the run of bytes in `class` starting at `from`, looking at
/// most `limit` bytes ahead.
pub(crate) fn run_end(bytes: &[u8], from: usize, class: fn(u8) -> bool, limit: usize) -> usize {
    let stop = bytes.len().min(from.saturating_add(limit));
    let mut i = from;
    while i < stop && class(bytes[i]) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests;

//! `secrets/committed-env-file`: a `.env` file with secret-looking values
//! that no `.gitignore` covers.
//!
//! Whether a `.gitignore` covers the file takes reading the file system:
//! the front ends find out and pass it in [`crate::analysis::FileFacts`].

use std::ops::Range;

use super::generic::classify;
use super::{noise, Advice, Candidate, FileKind, Input, EVERY_LANGUAGE};
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, Finding};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "secrets/committed-env-file",
    default_severity: Severity::Error,
    summary: "A .env file with secret-looking values is not covered by any .gitignore.",
    docs: r#"
## What it does
Looks at dotenv files (`.env`, `.env.local`, `.env.production`,
`production.env`, ...). When no `.gitignore` in the file's folder or above
it (up to the repository root), nor `.git/info/exclude`, covers the file,
and the file holds secret-looking values, it is reported once, on the first
such line, with the names of the variables.

A value is secret-looking when another secrets rule finds a key in it, or
when its name says it is secret (`*_SECRET`, `*_PASSWORD`, `*_TOKEN`,
`*_KEY`, ...) and it holds at least 8 characters that are not a
placeholder. Not secret-looking: values another rule reports as public by
design (a Firebase web config key, a Maps browser key), names with a public
prefix (`VITE_`, `NEXT_PUBLIC_`, `REACT_APP_`, `EXPO_PUBLIC_`, `PUBLIC_`,
`NUXT_PUBLIC_`, `GATSBY_`, `VUE_APP_`), the Supabase anon key and
publishable keys, empty values and placeholders.

Example files meant to be committed (`.env.example`, `.env.sample`,
`.env.template`, `.env.dist`, `.env.defaults`, `.env.schema`) are not
reported by this rule; a real key in one is still reported by its own rule.
A `.env` file that a `.gitignore` covers is where secrets belong: no
secrets rule reports anything in it. When the front end cannot tell (an
unsaved buffer), nothing is reported.

## Why is this bad?
`git add .` commits the file, and with it every key it holds: to everyone
with access to the repository, to every fork and clone, and to the history
for good (CWE-540, CWE-798). Frameworks and deploy hosts read secrets from
the environment precisely so that the file can stay local.

## How to fix
Add the file to `.gitignore` (`.env`, `.env*.local`, or `.env*` with
`!.env.example`). If it was ever committed, remove it from the index
(`git rm --cached .env`) and rotate every secret it held: removing the file
does not remove it from the history. Commit a `.env.example` with
placeholders instead.

## Example
```sh
# .env, with no .gitignore entry — reported on OPENAI_API_KEY:
VITE_SUPABASE_URL=https://abcd.supabase.co
OPENAI_API_KEY=sk-proj-…
```

## References
- CWE-540: Inclusion of Sensitive Information in Source Code
- CWE-798: Use of Hard-coded Credentials
- The Twelve-Factor App: Config, https://12factor.net/config
"#,
    languages: EVERY_LANGUAGE,
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    super::findings_of(ctx, &RULE)
}

/// Prefixes of variables that frameworks ship to the browser.
const PUBLIC_PREFIXES: &[&str] = &[
    "VITE_",
    "NEXT_PUBLIC_",
    "REACT_APP_",
    "EXPO_PUBLIC_",
    "PUBLIC_",
    "NUXT_PUBLIC_",
    "GATSBY_",
    "VUE_APP_",
    "STORYBOOK_",
];

/// Whether the file is an example meant to be committed.
fn is_example(input: &Input<'_>) -> bool {
    let name = input
        .path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    [
        "example", "sample", "template", "dist", "defaults", "schema",
    ]
    .iter()
    .any(|w| name.contains(w))
}

/// The finding (when the front end says no `.gitignore` covers the file)
/// and the value ranges of the secret-looking lines, which a reporter must
/// not print.
pub(super) fn check_file(
    input: &Input<'_>,
    kind: FileKind,
    found: &[Candidate],
) -> (Option<Candidate>, Vec<Range<usize>>) {
    debug_assert_eq!(kind, FileKind::Env);
    let text = input.text;
    let mut names: Vec<(&str, Range<usize>)> = Vec::new();
    let mut redact = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let indent = body.len() - body.trim_start().len();
        let mut rest = &body[indent..];
        let mut at = line_start + indent;
        if rest.starts_with('#') {
            continue;
        }
        if let Some(r) = rest.strip_prefix("export ") {
            at += rest.len() - r.len();
            rest = r;
        }
        let Some(eq) = rest.find('=') else { continue };
        let name = rest[..eq].trim();
        if name.is_empty()
            || !name
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'-')
        {
            continue;
        }
        let name_range = at..at + name.len();
        let value_start = at + eq + 1;
        let line_end = line_start + body.len();
        let on_line = |c: &&Candidate| c.secret.start >= value_start && c.secret.start < line_end;
        // A value another rule judged public by design (a Firebase web key,
        // a Maps browser key) does not make the file's secrets leak.
        let public_only = found.iter().filter(on_line).count() > 0
            && found
                .iter()
                .filter(on_line)
                .all(|c| matches!(c.advice, Advice::Public(_)));
        if public_only {
            continue;
        }
        let has_candidate = found.iter().any(|c| on_line(&c));
        if has_candidate {
            names.push((name, name_range));
            continue;
        }
        let raw = rest[eq + 1..].trim();
        let value = match raw.chars().next() {
            Some(q @ ('"' | '\'')) => raw[1..].split(q).next().unwrap_or(""),
            _ => raw.split(" #").next().unwrap_or("").trim(),
        };
        let public_name = PUBLIC_PREFIXES.iter().any(|p| name.starts_with(p));
        let public_value = value.starts_with("eyJ")
            || value.starts_with("pk_")
            || value.starts_with("sb_publishable_")
            || value.contains("://") && !value.contains('@');
        if public_name
            || public_value
            || value.len() < 8
            || noise::is_placeholder(value)
            || classify(name).is_none()
        {
            continue;
        }
        if let Some(v) = text[value_start..line_end].find(value) {
            redact.push(value_start + v..value_start + v + value.len());
        }
        names.push((name, name_range));
    }
    if names.is_empty() || input.facts.gitignored != Some(false) || is_example(input) {
        return (None, redact);
    }
    let file = input
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| ".env".into());
    let mut listed: Vec<&str> = names.iter().take(3).map(|(n, _)| *n).collect();
    listed.dedup();
    let more = if names.len() > 3 {
        format!(" and {} more", names.len() - 3)
    } else {
        String::new()
    };
    let message = format!(
        "{file} holds secret-looking values ({}{more}) and no .gitignore covers it, so `git add .` commits it. Add it to .gitignore, remove it from the repository (`git rm --cached {file}`), rotate the secrets it holds (they are in the git history already), and commit a .env.example with placeholders instead.",
        listed.join(", ")
    );
    let mut c = Candidate::specific(&RULE, names[0].1.clone(), Severity::Error, message, "");
    c.env = String::new();
    (Some(c), redact)
}

//! `secrets/generic-high-entropy`: a random-looking value assigned to a
//! name that says it is a secret (`password`, `secret`, `token`, `api_key`,
//! `*_KEY`, ...). Also hands named values to the providers whose keys have
//! no prefix of their own (Twilio, Mailgun, AWS secret keys).

use super::{
    aws, mailgun, noise, run_end, twilio, Candidate, Check, FileKind, Hit, Scan, Trigger,
    EVERY_LANGUAGE,
};
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, Finding};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "secrets/generic-high-entropy",
    default_severity: Severity::Warning,
    summary:
        "A random-looking value is assigned to a name like secret, password, token or api_key.",
    docs: r#"
## What it does
Finds values that look issued by a machine, assigned to a name that says
they are secret: `NAME=value` (env files, shell, Dockerfile `ENV`),
`name: value` (YAML, JSON, object literals), `name = "value"` (TOML, code),
`name == "value"` (comparisons with a hard-coded password), and
`PASSWORD 'value'` in SQL. The name counts when it contains `secret`,
`password`, `passwd`, `passphrase`, `token`, `credential`, `api_key`,
`apikey` or `authorization`, ends in `pwd` or `_pass`, or ends in `key`
(`*_KEY`, `*Key`, `*-key`) — unless it also says the value is not one
(`public`, `publishable`, `anon`, `site_key`, `url`, `path`, `file`,
`name`, `id`, `type`, `length`, `placeholder`, `hash`, `salt`, `cache`,
`query`, `storage`, `primary`, `foreign`, `sort`, `partition`, ...).

The thresholds, chosen so that a value a person typed does not count and a
value a machine issued does:

- secrets, tokens and keys: at least 16 characters, at least one letter and
  one digit, and at least 3.5 bits of entropy per character (3.0 for
  hexadecimal values);
- passwords: at least 10 characters, a letter and a digit, and 3.0 bits per
  character;
- no whitespace (after an `Authorization` value's `Bearer ` or `Basic `),
  not a URL (see `secrets/database-url-password`), not a path, not words
  joined by `_`, `-` or `.` (`user_password_v2`), not a JWT (the anon key is
  public; a service role key is `secrets/supabase-service-role-key`'s);
- no word a person types into a made-up value: `password`, `secret`
  (`Password1!`, `notasecret2`, `mySuperSecret42`) and, for passwords,
  `pass`, `test`, `admin`, `qwerty`, `letmein`, `welcome`, `hunter`
  (`securepass123`, `TestUser2024!`) — demo logins, test users and API
  docs are full of them;
- not a placeholder or reference: `your-…`, `xxx`, `<…>`, `changeme`,
  `${VAR}`, `{{var}}`, `process.env.X`, elided values (`ab12...yz`), Google
  Secret Manager names (`projects/p/secrets/NAME/versions/1`), values
  ending in `EXAMPLE`, repeated or sequential characters, letters that
  count through the alphabet between digits (`4a8b3c2d1e0f9g8h7i6j`).

Public by design, so not reported whatever the name: Stripe publishable
keys (`pk_live_…`, `pk_test_…`), Mapbox public tokens (`pk.eyJ…`; secret
ones start with `sk.`), VAPID / web push public keys (`VAPID_KEY`,
`applicationServerKey`: 87 base64url characters starting with `B`; the
43-character private key is still reported), and the `token` of a
Firebase Storage download URL (`…?alt=media&token=…`), which
`getDownloadURL()` mints to be shared and opens that one file only.

In code, only quoted values count (anything else is an expression). A value
in a provider's own format is reported by that provider's rule instead.
Under test and fixture folders findings are info.

## Why is this bad?
Whatever the value opens (an API, a signing key, a database), it is now
readable by everyone with access to the repository and its history
(CWE-798). A hard-coded session or JWT secret lets anyone mint sessions.

## How to fix
Rotate the value where it was issued, then read it from the environment or
a secret manager. In JavaScript and TypeScript the quick fix replaces the
literal with `process.env.NAME`, the name in upper snake case
(`apiSecret` → `API_SECRET`).

## Example
```ts
// Reported:
const config = { apiSecret: 'q8ZtR2vLw9Xk4NbH7cJm' };
// Fixed:
const config2 = { apiSecret: process.env.API_SECRET };
```

## References
- CWE-798: Use of Hard-coded Credentials
- CWE-259: Use of Hard-coded Password
- OWASP: Secrets Management Cheat Sheet, https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html
"#,
    languages: EVERY_LANGUAGE,
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    super::findings_of(ctx, &RULE)
}

pub(super) static TRIGGERS: &[Trigger] = &[
    Trigger {
        literal: "secret",
        check: Check::Custom(named_value),
    },
    Trigger {
        literal: "passw",
        check: Check::Custom(named_value),
    },
    Trigger {
        literal: "passphrase",
        check: Check::Custom(named_value),
    },
    Trigger {
        literal: "pwd",
        check: Check::Custom(named_value),
    },
    Trigger {
        literal: "_pass",
        check: Check::Custom(named_value),
    },
    Trigger {
        literal: "token",
        check: Check::Custom(named_value),
    },
    Trigger {
        literal: "credential",
        check: Check::Custom(named_value),
    },
    Trigger {
        literal: "authorization",
        check: Check::Custom(named_value),
    },
    Trigger {
        literal: "key",
        check: Check::Custom(named_value),
    },
];

/// What a name says about its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NameClass {
    Password,
    Secret,
}

/// Words in a name that say its value is not a secret.
const NOT_SECRET: &[&str] = &[
    "public",
    "publishable",
    "anon",
    "url",
    "uri",
    "endpoint",
    "path",
    "file",
    "name",
    "label",
    "placeholder",
    "hint",
    "field",
    "type",
    "length",
    "count",
    "header",
    "regex",
    "pattern",
    "prefix",
    "suffix",
    "format",
    "expir",
    "ttl",
    "timeout",
    "hash",
    "salt",
    "policy",
    "input",
    "sitekey",
    "site_key",
    "primary",
    "foreign",
    "sort",
    "partition",
    "cache",
    "query",
    "storage",
    "idempotency",
    "route",
    "locale",
    "i18n",
    "translation",
    "object",
    "bucket",
    "unique",
    "hotkey",
    "keyboard",
    "monkey",
    "turkey",
    "csrf",
    "xsrf",
    "max",
    "min",
    "size",
    "limit",
    "event",
    "mode",
    "version",
    "status",
    "error",
    "message",
    "title",
    "description",
    "enabled",
    "visible",
    "show",
    "strength",
    "rotation",
    "tokeniz",
    "usage",
    "_by",
    "keys",
    "tokens",
    "secrets",
    "passwords",
    "credentials",
    "index",
    "column",
    "table",
    "schema",
    "lookup",
    "dictionary",
    "map",
    "cursor",
    "page",
    "valid",
    "verify",
    "reset",
    "forgot",
];

/// [`NOT_SECRET`] as one automaton: names are checked in one pass.
fn not_secret() -> &'static aho_corasick::AhoCorasick {
    static WORDS: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    WORDS.get_or_init(|| {
        aho_corasick::AhoCorasick::new(NOT_SECRET).expect("the words form a valid automaton")
    })
}

/// Whether `name` (an identifier, key or variable) says its value is a
/// secret, and which kind.
pub(crate) fn classify(name: &str) -> Option<NameClass> {
    let name = name.trim_matches(|c: char| c == '.' || c == '-' || c == '_' || c == '$');
    let last = name.rsplit('.').next().unwrap_or(name);
    let lower = last.to_ascii_lowercase();
    if lower.len() < 3 || not_secret().is_match(&lower) || lower.ends_with("id") {
        return None;
    }
    if lower.contains("password")
        || lower.contains("passwd")
        || lower.contains("passphrase")
        || lower.ends_with("pwd")
        || lower.ends_with("_pass")
    {
        return Some(NameClass::Password);
    }
    if [
        "secret",
        "token",
        "credential",
        "apikey",
        "api_key",
        "api-key",
        "authorization",
    ]
    .iter()
    .any(|w| lower.contains(w))
    {
        return Some(NameClass::Secret);
    }
    // `*_KEY`, `*-key`, `*Key`: a qualified key, never a bare `key`.
    if lower.ends_with("key") && lower.len() > 3 {
        let before = last.as_bytes()[last.len() - 4];
        let camel = last.as_bytes()[last.len() - 3] == b'K';
        if matches!(before, b'_' | b'-') || camel {
            return Some(NameClass::Secret);
        }
    }
    None
}

fn name_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'$')
}

fn named_value(scan: &mut Scan<'_>, hit: Hit) {
    let b = scan.bytes;
    let limit = hit.start.saturating_sub(64);
    let mut ns = hit.start;
    while ns > limit && name_byte(b[ns - 1]) {
        ns -= 1;
    }
    if ns == limit && ns > 0 && name_byte(b[ns - 1]) {
        return;
    }
    if scan.last_name == ns + 1 {
        return;
    }
    scan.last_name = ns + 1;
    let ne = run_end(b, hit.end, name_byte, 64);
    if ne < b.len() && name_byte(b[ne]) {
        return;
    }
    let name = &scan.text[ns..ne];
    let Some(class) = classify(name) else { return };
    if is_storage_download_token(scan, ns, name) {
        return;
    }
    let Some(value) = value_after(scan, ns, ne) else {
        return;
    };
    judge(scan, name, class, value);
}

/// The value assigned to the name at `ns..ne`, if any.
fn value_after(scan: &Scan<'_>, ns: usize, ne: usize) -> Option<std::ops::Range<usize>> {
    let b = scan.bytes;
    let len = b.len();
    let mut i = ne;
    // The closing quote of a quoted key: `"password": ...`.
    if ns > 0 && matches!(b[ns - 1], b'"' | b'\'') && i < len && b[i] == b[ns - 1] {
        i += 1;
    }
    let skip_blanks = |mut i: usize| {
        while i < len && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        i
    };
    i = skip_blanks(i);
    let rest = &b[i..len.min(i + 3)];
    let op = if rest.starts_with(b"===") {
        3
    } else if rest.starts_with(b"==") || rest.starts_with(b":=") || rest.starts_with(b"=>") {
        2
    } else if rest.starts_with(b"=") || rest.starts_with(b":") {
        1
    } else if (scan.kind == FileKind::Sql || scan.kind == FileKind::Dockerfile)
        && i > ne
        && i < len
        && (matches!(b[i], b'\'' | b'"') || scan.kind == FileKind::Dockerfile)
    {
        // `PASSWORD 'x'` in SQL, `ENV NAME value` in a Dockerfile.
        let line_start = scan.text[..ns].rfind('\n').map_or(0, |p| p + 1);
        let head = scan.text[line_start..ns].trim().to_ascii_uppercase();
        if scan.kind == FileKind::Dockerfile && head != "ENV" && head != "ARG" {
            return None;
        }
        0
    } else {
        return None;
    };
    let colon = op == 1 && b[i] == b':';
    i = skip_blanks(i + op);
    // A TypeScript annotation: `apiKey: string = '...'`.
    if colon && scan.kind == FileKind::Code && i < len && b[i].is_ascii_alphabetic() {
        let t = run_end(b, i, |c| c.is_ascii_alphanumeric() || c == b'_', 64);
        let j = skip_blanks(t);
        if j < len && b[j] == b'=' && b.get(j + 1) != Some(&b'=') {
            i = skip_blanks(j + 1);
        }
    }
    if i >= len {
        return None;
    }
    let q = b[i];
    if matches!(q, b'"' | b'\'' | b'`') {
        let start = i + 1;
        let stop = len.min(start + 1024);
        let mut j = start;
        while j < stop && b[j] != q && b[j] != b'\n' {
            j += if b[j] == b'\\' { 2 } else { 1 };
        }
        return (j < len && b[j] == q).then_some(start..j);
    }
    if !scan.kind.unquoted_values() {
        return None;
    }
    let end = run_end(
        b,
        i,
        |c| !c.is_ascii_whitespace() && !matches!(c, b';' | b',' | b'"' | b'\'' | b'`'),
        1024,
    );
    (end > i).then_some(i..end)
}

/// Decides what a named value is.
fn judge(scan: &mut Scan<'_>, name: &str, class: NameClass, range: std::ops::Range<usize>) {
    let raw = &scan.text[range.clone()];
    if raw.len() > 512 {
        return;
    }
    if noise::is_placeholder(raw) {
        scan.quiet(range);
        return;
    }
    // `Bearer <token>`, `Basic <credentials>`: the credentials.
    let mut secret = range.clone();
    for scheme in ["Bearer ", "bearer ", "Basic ", "basic ", "Token ", "token "] {
        if let Some(rest) = raw.strip_prefix(scheme) {
            secret = range.end - rest.len()..range.end;
        }
    }
    let value = &scan.text[secret.clone()];
    if value.bytes().any(|c| c.is_ascii_whitespace())
        || value.starts_with("eyJ")
        || value.contains("://")
        || value.starts_with('/')
        || value.starts_with("./")
        || value.starts_with("~/")
        || value.contains('\\')
    {
        return;
    }
    let lower = name.to_ascii_lowercase();
    if public_by_design(&lower, value) {
        scan.quiet(secret);
        return;
    }
    // Providers without a prefix of their own.
    if lower.contains("twilio") && twilio::is_secret(value) && noise::entropy(value) >= 3.0 {
        scan.push(Candidate::specific(
            &twilio::RULE,
            secret,
            Severity::Error,
            "A Twilio auth token",
            "TWILIO_AUTH_TOKEN",
        ));
        return;
    }
    if lower.contains("mailgun") && mailgun::is_key(value) {
        scan.push(Candidate::specific(
            &mailgun::RULE,
            secret,
            Severity::Error,
            "A Mailgun API key",
            "MAILGUN_API_KEY",
        ));
        return;
    }
    if (lower.contains("aws") && lower.contains("secret")
        || lower.contains("secret_access_key")
        || lower.contains("secretaccesskey"))
        && aws::is_secret_key(value)
    {
        scan.push(Candidate::specific(
            &aws::RULE,
            secret,
            Severity::Error,
            "An AWS secret access key",
            "AWS_SECRET_ACCESS_KEY",
        ));
        return;
    }
    if !looks_machine_made(value, class) {
        return;
    }
    let mut c = Candidate::specific(
        &RULE,
        secret.clone(),
        Severity::Warning,
        format!("A secret-looking value of {}", short_name(name)),
        env_name(name),
    );
    c.specific = false;
    if secret != range {
        // A fix would drop the scheme: offer none.
        c.value = secret;
    }
    scan.push(c);
}

/// The thresholds of the rule's docs.
fn looks_machine_made(value: &str, class: NameClass) -> bool {
    let (min_len, min_entropy): (usize, f64) = match class {
        NameClass::Password => (10, 3.0),
        NameClass::Secret => (16, 3.5),
    };
    let hex = value.bytes().all(|c| c.is_ascii_hexdigit());
    let min_entropy = if hex {
        min_entropy.min(3.0)
    } else {
        min_entropy
    };
    value.len() >= min_len
        && super::tokens::has_digit_and_letter(value)
        && noise::entropy(value) >= min_entropy
        && !wordy(value)
        && !typed_words(value, class)
}

/// Words a person types into a made-up password or secret
/// (`Password1!`, `TestPassword123!`, `securepass123`, `notasecret2`,
/// `mySuperSecretKey42`), compared case-insensitively. Demo logins, test
/// users and API docs are full of them; a machine-issued value holds none
/// (the odds of four given letters in a row in a random value are below
/// one in a million per position). `test` only counts for passwords:
/// `sk_test_…` and other test-mode keys are real keys.
fn typed_words(value: &str, class: NameClass) -> bool {
    const ANY: &[&str] = &["password", "passw0rd", "secret"];
    const PASSWORDS: &[&str] = &[
        "pass", "test", "admin", "qwerty", "letmein", "welcome", "hunter",
    ];
    let lower = value.to_ascii_lowercase();
    ANY.iter().any(|w| lower.contains(w))
        || class == NameClass::Password && PASSWORDS.iter().any(|w| lower.contains(w))
}

/// Values that look like secrets but are public by design, whatever name
/// they are assigned to:
/// - Stripe publishable keys (`pk_live_…`, `pk_test_…`): they ship in the
///   browser's Stripe.js;
/// - Mapbox public tokens (`pk.eyJ…`): they ship in every map page (secret
///   Mapbox tokens start with `sk.`);
/// - VAPID / web push public keys (`VAPID_KEY`, `applicationServerKey`):
///   an uncompressed P-256 point, 65 bytes, so 87 base64url characters
///   starting with `B` and one of `A`–`P` — the browser needs it to
///   subscribe; the VAPID private key is 43 characters and stays secret.
fn public_by_design(lower_name: &str, value: &str) -> bool {
    if value.starts_with("pk_live_") || value.starts_with("pk_test_") || value.starts_with("pk.eyJ")
    {
        return true;
    }
    let body = value.strip_suffix('=').unwrap_or(value);
    let b = body.as_bytes();
    (lower_name.contains("vapid") || lower_name.contains("applicationserverkey"))
        && b.len() == 87
        && b[0] == b'B'
        && (b'A'..=b'P').contains(&b[1])
        && b.iter().all(|&c| super::b64url(c))
}

/// Whether the name at `ns` is the `token` query parameter of a Firebase
/// Storage download URL (`…/o/photo.jpg?alt=media&token=<uuid>`). That
/// token is public by design: `getDownloadURL()` mints it so that the URL
/// can be shared, and it opens that one file and nothing else.
fn is_storage_download_token(scan: &Scan<'_>, ns: usize, name: &str) -> bool {
    if !name.eq_ignore_ascii_case("token") || ns == 0 || !matches!(scan.bytes[ns - 1], b'&' | b'?')
    {
        return false;
    }
    // The URL before it, on the same line: 2 KiB at most, so that the pass
    // stays linear on minified files.
    let mut from = ns.saturating_sub(2048);
    while !scan.text.is_char_boundary(from) {
        from += 1;
    }
    let before = scan.text[from..ns].rsplit('\n').next().unwrap_or("");
    before.contains("alt=media")
        && (before.contains("firebasestorage") || before.contains("/v0/b/"))
}

/// Words joined by `_`, `-` or `.`, each maybe ending in a digit or two:
/// `user_password_v2`, `session-secret-2024`.
fn wordy(value: &str) -> bool {
    let parts: Vec<&str> = value.split(['_', '-', '.']).collect();
    parts.len() >= 2
        && parts.iter().all(|p| {
            let letters = p.trim_end_matches(|c: char| c.is_ascii_digit());
            (p.len() - letters.len() <= 4)
                && letters.bytes().all(|c| c.is_ascii_alphabetic())
                && (letters.len() >= 2 || letters.is_empty())
        })
}

/// The name as shown in a message (its last segment, at most 40 bytes).
fn short_name(name: &str) -> String {
    let name = name.trim_matches(|c: char| c == '.' || c == '-' || c == '$');
    let last = name.rsplit('.').next().unwrap_or(name);
    last.chars().take(40).collect()
}

/// An environment variable name for a name: upper snake case
/// (`apiSecret` → `API_SECRET`).
pub(crate) fn env_name(name: &str) -> String {
    let last = short_name(name);
    let mut out = String::new();
    let mut prev_lower = false;
    for c in last.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            out.push('_');
        }
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    let out = out.trim_matches('_').to_string();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("SECRET_{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(classify("DB_PASSWORD"), Some(NameClass::Password));
        assert_eq!(classify("apiKey"), Some(NameClass::Secret));
        assert_eq!(classify("STRIPE_KEY"), Some(NameClass::Secret));
        assert_eq!(classify("config.clientSecret"), Some(NameClass::Secret));
        assert_eq!(classify("key"), None);
        assert_eq!(classify("queryKey"), None);
        assert_eq!(classify("monkey"), None);
        assert_eq!(classify("PUBLIC_KEY"), None);
        assert_eq!(classify("token_url"), None);
        assert_eq!(classify("keyId"), None);
        assert_eq!(env_name("apiSecret"), "API_SECRET");
        assert_eq!(env_name("config.client-secret"), "CLIENT_SECRET");
        assert_eq!(env_name("STRIPE_SECRET_KEY"), "STRIPE_SECRET_KEY");
    }

    #[test]
    fn machine_made_values() {
        assert!(looks_machine_made(
            "q8ZtR2vLw9Xk4NbH7cJm",
            NameClass::Secret
        ));
        assert!(!looks_machine_made("user_password_v2", NameClass::Secret));
        assert!(!looks_machine_made(
            "correcthorsebattery",
            NameClass::Secret
        ));
        assert!(looks_machine_made("Xk29fjs8Ql", NameClass::Password));
        assert!(!looks_machine_made("hunter22", NameClass::Password));
        // Words a person types.
        assert!(!looks_machine_made("TestPassword123!", NameClass::Password));
        assert!(!looks_machine_made("securepass123", NameClass::Password));
        assert!(!looks_machine_made("myApiKeySecret@5", NameClass::Secret));
        // `test` is a word only in passwords: test-mode keys are keys.
        assert!(looks_machine_made(
            "test_9Qx2Lr7WvK4mZt8NcB3h",
            NameClass::Secret
        ));
    }

    #[test]
    fn public_values() {
        let vapid = format!("BM{}", "q8ZtR2vLw9Xk4NbH7cJm3pQ-_".repeat(4));
        let vapid = &vapid[..87];
        assert!(public_by_design("vapid_key", vapid));
        assert!(public_by_design("applicationserverkey", vapid));
        assert!(!public_by_design("api_key", vapid));
        assert!(!public_by_design("vapid_private_key", &vapid[..43]));
        assert!(public_by_design(
            "stripe_pkey",
            "pk_test_q8ZtR2vLw9Xk4NbH7cJm"
        ));
        assert!(public_by_design(
            "access_token",
            "pk.eyJ1IjoiYSJ9.q8ZtR2vLw9Xk"
        ));
        assert!(!public_by_design(
            "access_token",
            "sk.eyJ1IjoiYSJ9.q8ZtR2vLw9Xk"
        ));
    }
}

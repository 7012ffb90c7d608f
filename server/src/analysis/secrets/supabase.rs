//! `secrets/supabase-service-role-key`: Supabase keys that bypass row level
//! security: a JWT whose payload says `role: service_role`, the new
//! `sb_secret_` keys, and `sbp_` personal access tokens. JWTs of other
//! roles (the anon key) are public and only silence the generic detector.

use base64::Engine as _;

use super::tokens::{trigger, TokenSpec};
use super::{
    b64url, hex_lower, noise, starts_token, Candidate, Check, Hit, Scan, Trigger, EVERY_LANGUAGE,
};
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, Finding};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "secrets/supabase-service-role-key",
    default_severity: Severity::Error,
    summary:
        "A Supabase service_role key, sb_secret_ key or sbp_ access token is written in a file.",
    docs: r#"
## What it does
Finds the Supabase keys that bypass row level security:

- a JWT (`eyJ….eyJ….…`) whose payload, once decoded, has
  `"role": "service_role"` — the legacy service role key;
- a new-style secret key, `sb_secret_…`;
- a personal access token of the Management API, `sbp_` and 40 hex digits.

Not reported: the anon key (a JWT with `"role": "anon"`) and publishable
keys (`sb_publishable_…`), which are meant to ship in web and mobile apps
(row level security is what protects the data); JWTs of other roles; the
demo keys of the local development stack (issuer `supabase-demo`), which
every `supabase start` prints; placeholders and references. Under test and
fixture folders findings are info.

## Why is this bad?
The service role key reads and writes every table, whatever the policies
say, and manages users and storage: it is the database's master key. In a
file (worse, in front-end code) it gives that power to everyone who can
read it, and it stays in the git history (CWE-798). An `sbp_` token manages
every project of its owner.

## How to fix
Rotate it: for legacy JWT keys, roll the JWT secret (Project settings →
JWT keys) or move to the new API keys and disable the legacy ones; delete
an `sb_secret_` key and create a new one; revoke an `sbp_` token (Account →
Access tokens). Read the key from the environment on the server only
(`SUPABASE_SERVICE_ROLE_KEY`); the quick fix writes
`process.env.SUPABASE_SERVICE_ROLE_KEY`, or
`Deno.env.get('SUPABASE_SERVICE_ROLE_KEY')` in Edge Functions, where
Supabase sets it for you.

## Example
```ts
// Reported:
const SERVICE_KEY = 'eyJhbGciOiJIUzI1NiIs…';   // payload: {"role":"service_role",…}
// Fixed:
const SERVICE_KEY2 = process.env.SUPABASE_SERVICE_ROLE_KEY;
```

## References
- CWE-798: Use of Hard-coded Credentials
- Supabase: Understanding API keys, https://supabase.com/docs/guides/api/api-keys
"#,
    languages: EVERY_LANGUAGE,
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    super::findings_of(ctx, &RULE)
}

pub(super) static TRIGGERS: &[Trigger] = &[
    Trigger {
        literal: "eyJ",
        check: Check::Custom(jwt),
    },
    trigger(TokenSpec {
        prefix: "sb_secret_",
        body: b64url,
        min: 20,
        max: 255,
        rule: &RULE,
        severity: Severity::Error,
        what: "A Supabase secret key",
        env: "SUPABASE_SECRET_KEY",
        shape: None,
    }),
    trigger(TokenSpec {
        prefix: "sbp_",
        body: hex_lower,
        min: 40,
        max: 40,
        rule: &RULE,
        severity: Severity::Error,
        what: "A Supabase personal access token",
        env: "SUPABASE_ACCESS_TOKEN",
        shape: None,
    }),
    Trigger {
        literal: "sb_publishable_",
        check: Check::Custom(publishable),
    },
];

/// A publishable key is public: nobody reports it.
fn publishable(scan: &mut Scan<'_>, hit: Hit) {
    let end = super::run_end(scan.bytes, hit.end, b64url, 255);
    scan.quiet(hit.start..end);
}

/// What a JWT's payload says about who it is for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum JwtRole {
    ServiceRole,
    /// The local development stack's well-known keys.
    Demo,
    /// `anon`, `authenticated`, or any other role, or none.
    Other,
}

/// Decodes the payload of `header.payload.signature` and reads its role.
pub(crate) fn jwt_role(token: &str) -> Option<JwtRole> {
    let mut parts = token.split('.');
    let (_header, payload) = (parts.next()?, parts.next()?);
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let json: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    if json.get("iss").and_then(|v| v.as_str()) == Some("supabase-demo") {
        return Some(JwtRole::Demo);
    }
    Some(match json.get("role").and_then(|v| v.as_str()) {
        Some("service_role") | Some("supabase_admin") => JwtRole::ServiceRole,
        _ => JwtRole::Other,
    })
}

/// `eyJ…` (a JSON header, base64url) `.eyJ…` (a JSON payload) `.…`.
fn jwt(scan: &mut Scan<'_>, hit: Hit) {
    let b = scan.bytes;
    if &b[hit.start..hit.end] != b"eyJ" || !starts_token(b, hit.start) {
        return;
    }
    // Three base64url parts; the header and payload at most 8 KiB each.
    let header_end = super::run_end(b, hit.start, b64url, 8192);
    if b.get(header_end) != Some(&b'.') || !b[header_end + 1..].starts_with(b"eyJ") {
        return;
    }
    let payload_end = super::run_end(b, header_end + 1, b64url, 8192);
    if b.get(payload_end) != Some(&b'.') {
        return;
    }
    let end = super::run_end(b, payload_end + 1, b64url, 1024);
    let token = &scan.text[hit.start..end];
    let signature = &scan.text[payload_end + 1..end];
    match jwt_role(token) {
        Some(JwtRole::ServiceRole)
            if signature.len() >= 16 && !noise::is_placeholder(signature) =>
        {
            scan.push(Candidate::specific(
                &RULE,
                hit.start..end,
                Severity::Error,
                "A Supabase service_role key (a JWT with role service_role)",
                "SUPABASE_SERVICE_ROLE_KEY",
            ));
        }
        _ => scan.quiet(hit.start..end),
    }
}

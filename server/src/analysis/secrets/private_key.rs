//! `secrets/private-key`: PEM private key blocks.

use super::{noise, Candidate, Check, Hit, Scan, Trigger, EVERY_LANGUAGE};
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, Finding};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "secrets/private-key",
    default_severity: Severity::Error,
    summary: "A PEM private key (-----BEGIN … PRIVATE KEY-----) is written in a file.",
    docs: r#"
## What it does
Finds PEM private key blocks: `-----BEGIN PRIVATE KEY-----` and its RSA,
EC, DSA, OPENSSH, ENCRYPTED and PGP variants, with at least 64 characters
of base64 key material before the `-----END` line. The block is found in
plain files and inside strings, where line breaks are written `\n` (as in
JSON service-account files, which `secrets/gcp-service-account` reports
instead).

Not reported: public keys and certificates (`BEGIN PUBLIC KEY`, `BEGIN
CERTIFICATE`), blocks whose body is a placeholder (`...`, `<your key>`,
`xxxx`), and blocks with too little material to be a key. Under test and
fixture folders findings are info: test keys are common there, but a
production key committed to a fixture is just as exposed.

## Why is this bad?
A private key proves identity: to SSH servers, as a TLS server, as a
signer of JWTs or packages, as a GitHub App. Whoever reads the file can
impersonate its owner for as long as the key is trusted, and the history
keeps it (CWE-798, CWE-321).

## How to fix
Treat the key as compromised: generate a new pair, install the new public
key or certificate, and remove trust in the old one (authorized_keys,
certificate revocation, the app's key list). Keep private keys out of the
repository: in a secret manager, or a file path given by an environment
variable.

## Example
```text
-----BEGIN RSA PRIVATE KEY-----     <- reported
MIIEpAIBAAKCAQEA…
-----END RSA PRIVATE KEY-----
```

## References
- CWE-798: Use of Hard-coded Credentials
- CWE-321: Use of Hard-coded Cryptographic Key
- RFC 7468: Textual Encodings of PKIX, PKCS, and CMS Structures
"#,
    languages: EVERY_LANGUAGE,
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    super::findings_of(ctx, &RULE)
}

pub(super) static TRIGGERS: &[Trigger] = &[Trigger {
    literal: "-----BEGIN ",
    check: Check::Custom(pem),
}];

/// The largest block looked at: 16 KiB covers an RSA-8192 key.
const MAX_BLOCK: usize = 16 * 1024;

/// A PEM private key block starting at `at`: its end, and its body lines
/// (`\n` escapes turned into line breaks; headers such as `Proc-Type:` and
/// `#` comment lines left out).
pub(crate) fn block(text: &str, at: usize) -> Option<(usize, String)> {
    let rest = text.get(at..)?;
    let label_end = rest.get(11..80.min(rest.len()))?.find("-----")? + 11;
    let label = &rest[11..label_end];
    if !label.ends_with("PRIVATE KEY") && !label.ends_with("PRIVATE KEY BLOCK") {
        return None;
    }
    let body_start = label_end + 5;
    let mut limit = MAX_BLOCK.min(rest.len());
    while !rest.is_char_boundary(limit) {
        limit -= 1;
    }
    let window = &rest[body_start..limit];
    let (body, end) = match window.find("-----END") {
        Some(e) => {
            let after = &window[e + 8..];
            let close = after.find("-----").map_or(8, |c| 8 + c + 5);
            (&window[..e], body_start + e + close)
        }
        None => {
            // A truncated block: the material up to the first character
            // that cannot be part of it.
            let e = window
                .find(|c: char| !(c.is_ascii_alphanumeric() || "+/=\\\r\n \t".contains(c)))
                .unwrap_or(window.len());
            (&window[..e], body_start + e)
        }
    };
    let lines: Vec<String> = body
        .replace("\\n", "\n")
        .replace("\\r", "\n")
        .lines()
        .filter(|l| !l.contains(':') && !l.trim_start().starts_with('#'))
        .map(str::to_string)
        .collect();
    Some((at + end, lines.join("\n")))
}

/// Whether a block's body (from [`block`]) holds real key material: 64
/// base64 characters or more, random, and no stand-in text.
pub(crate) fn is_key_material(body: &str) -> bool {
    let material: String = body
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '+' || *c == '/')
        .collect();
    material.len() >= 64
        && noise::entropy(&material) >= 4.0
        && !noise::made_up(&material)
        && !noise::is_placeholder_block(body)
}

fn pem(scan: &mut Scan<'_>, hit: Hit) {
    if &scan.bytes[hit.start..hit.end] != b"-----BEGIN " {
        return;
    }
    let Some((end, body)) = block(scan.text, hit.start) else {
        return;
    };
    if !is_key_material(&body) {
        scan.quiet(hit.start..end);
        return;
    }
    scan.push(Candidate::specific(
        &RULE,
        hit.start..end,
        Severity::Error,
        "A PEM private key",
        "PRIVATE_KEY",
    ));
}

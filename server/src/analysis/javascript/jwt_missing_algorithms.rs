//! `jwt/missing-algorithms`: a JWT verified without pinned `algorithms`:
//! jsonwebtoken's `verify`, jose's `jwtVerify` and express-jwt's
//! middleware.

use tree_sitter::Node;

use crate::analysis::javascript::jwt_common::{
    api_calls, property, public_key_evidence, string_value, unwrap_expr, Api, ApiCall,
    Declarations, Property,
};
use crate::analysis::javascript::pair_key;
use crate::analysis::rule::{Rule, Severity, JS_FAMILY};
use crate::analysis::util::line_indent;
use crate::analysis::{FileContext, Finding};
use crate::fix::{Applicability, Edit, Fix};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "jwt/missing-algorithms",
    default_severity: Severity::Warning,
    summary: "A JWT is verified (jsonwebtoken verify, jose jwtVerify, express-jwt) without pinning `algorithms`.",
    docs: r#"
## What it does
Finds JWT verification whose options do not name the accepted `algorithms`:

- `verify(token, key, options?)` from `jsonwebtoken`, whatever the import
  style: a default import (`import jwt from 'jsonwebtoken'`), a namespace
  import (`import * as jwt`), `require`, `import jwt = require(...)`, or a
  destructured / renamed `verify`;
- `jwtVerify(token, key, options?)` from `jose`;
- express-jwt's middleware, `expressjwt({...})` (v7 and later) or the older
  default export `jwt({...})`.

Reported on the whole call. Options built in a variable of the same file are
followed (`const opts = {...}`, and `opts.algorithms = [...]` assignments);
a call whose options are not visible in the file (an options variable that
cannot be resolved, an object with a `...spread`) is not reported, to avoid
guessing.

The finding is an **error** instead of a warning when:

- the key is evidently a public key or a key set: a name such as
  `publicKey`, `PUBLIC_KEY`, `pubKey` or `cert`, a `'-----BEGIN PUBLIC KEY'`
  literal, a file read whose name says public or cert, jwks-rsa's
  `expressJwtSecret(...)`, or a key callback that fetches a signing key
  (`getSigningKey`, `jwksClient`). With jsonwebtoken before 9.0.0 (and
  express-jwt before 6, which uses it), a token signed with HS256 using that
  public key as the HMAC secret verifies as genuine;
- the project pins jsonwebtoken below 9.0.0 in package.json or its lockfile
  (CVE-2022-23540, CVE-2022-23541).

jose's `jwtVerify` is always a warning: jose checks the key's type against
the token's algorithm (a public key or a JWKS is never used as an HMAC
secret) and never accepts `alg: none`, so the missing list only lets the
token choose among the algorithms the key allows. Pinning it is still what
RFC 8725 asks for.

express-jwt 6 and later refuse to start without `algorithms` (the
middleware throws when it is created), so there the finding is about a
crash at startup; before 6 the token's header chose the algorithm
(CVE-2020-15084).

## Why is this bad?
Without `algorithms`, the token's own header chooses how it is checked. Before
jsonwebtoken 9, a token signed with HS256 using the server's RSA *public* key
as the HMAC secret verified as genuine (algorithm confusion, CVE-2022-23541),
and a falsy secret accepted unsigned `alg: none` tokens (CVE-2022-23540). Even
on current versions, key-lookup callbacks and shared code paths leave the
choice to the attacker. Pinning the algorithm your issuer uses closes the
whole class (CWE-347, CWE-327).

## How to fix
Pass the algorithm your tokens are signed with:
`jwt.verify(token, secret, { algorithms: ['HS256'] })`,
`jwtVerify(token, JWKS, { algorithms: ['RS256'] })`,
`expressjwt({ secret, algorithms: ['HS256'] })`. The quick fix adds
`algorithms` (merging it into an existing options object). When the same file
signs tokens with the same key, the fix pins the algorithm used there and is
marked safe; likewise when the jose key is imported for one algorithm
(`importSPKI(pem, 'ES256')`). Otherwise it guesses `HS256` (or `RS256` for a
key that looks public or is fetched by a callback or from a JWKS) and is
marked unsafe: check it against your issuer.

## Example
```ts
import jwt from 'jsonwebtoken';
// Reported:
const claims = jwt.verify(token, process.env.JWT_SECRET!);
// Fixed:
const claims2 = jwt.verify(token, process.env.JWT_SECRET!, { algorithms: ['HS256'] });

import { expressjwt } from 'express-jwt';
import jwksRsa from 'jwks-rsa';
// Reported as an error (a JWKS key without pinned algorithms):
app.use(expressjwt({ secret: jwksRsa.expressJwtSecret({ jwksUri }) }));
```

## References
- CWE-347: Improper Verification of Cryptographic Signature
- CWE-327: Use of a Broken or Risky Cryptographic Algorithm
- CVE-2022-23540, CVE-2022-23541 (jsonwebtoken), CVE-2020-15084 (express-jwt)
- RFC 8725: JSON Web Token Best Current Practices, section 3.1
"#,
    languages: JS_FAMILY,
    check: Some(check),
};

/// What the options argument of a verify call says about `algorithms`.
enum Options<'t> {
    /// `algorithms` is given, or we cannot see (spread, unresolved variable).
    PinnedOrUnknown,
    /// No options argument at all; insert after this node (the key argument).
    Missing { after: Node<'t> },
    /// A callback where the options would be; insert before it.
    CallbackInstead { callback: Node<'t> },
    /// An object literal without `algorithms`, possibly elsewhere in the file
    /// (a resolved `const opts = {...}`).
    ObjectWithout { object: Node<'t> },
    /// `undefined` or `null` where the options go; replace it.
    Placeholder { node: Node<'t> },
}

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    let calls = api_calls(ctx);
    if !calls
        .iter()
        .any(|c| matches!(c.api, Api::JwtVerify | Api::JoseVerify | Api::ExpressJwt))
    {
        return Vec::new();
    }
    let decls = Declarations::build(ctx);
    let signs: Vec<&[Node<'_>]> = calls
        .iter()
        .filter(|c| c.api == Api::JwtSign)
        .map(|c| c.args.as_slice())
        .collect();
    let signed_with = signing_algorithm(ctx, &signs);
    let below_9 = jsonwebtoken_below_9(ctx);

    let mut findings = Vec::new();
    for c in &calls {
        let finding = match c.api {
            Api::JwtVerify | Api::JoseVerify => {
                verify_finding(ctx, &decls, c, signed_with.as_ref(), below_9)
            }
            Api::ExpressJwt => express_jwt_finding(ctx, &decls, c, signed_with.as_ref()),
            _ => None,
        };
        findings.extend(finding);
    }
    findings
}

/// A finding for jsonwebtoken's `verify` or jose's `jwtVerify`.
fn verify_finding<'t>(
    ctx: &FileContext<'t>,
    decls: &Declarations<'t>,
    c: &ApiCall<'t>,
    signed_with: Option<&(&'static str, String)>,
    below_9: bool,
) -> Option<Finding> {
    if c.args.len() < 2 {
        return None; // Incomplete code, or not the API we know.
    }
    let key = c.args[1];
    let options = classify_options(ctx, decls, &c.args);
    if matches!(options, Options::PinnedOrUnknown) {
        return None;
    }
    let (algorithm, applicability) = pick_algorithm(ctx, decls, key, signed_with);
    let jose = c.api == Api::JoseVerify;
    let callee_text = match ctx.node_text(c.callee) {
        t if !jose && t.ends_with("verify") => format!("{t}()"),
        t if jose && t.ends_with("jwtVerify") => format!("{t}()"),
        t if jose => format!("{t}() (jose's jwtVerify)"),
        t => format!("{t}() (jsonwebtoken's verify)"),
    };
    let evidence = (!jose)
        .then(|| public_key_evidence(ctx, decls, key))
        .flatten();
    let mut message = if jose {
        format!(
            "{callee_text} is called without pinning `algorithms`: any algorithm the key allows is accepted. Pass {{ algorithms: ['{algorithm}'] }} (the algorithm your issuer signs with)."
        )
    } else {
        format!(
            "{callee_text} is called without pinning `algorithms`: the token's header chooses how it is verified, which opens the door to algorithm-confusion and `none` attacks. Pass {{ algorithms: ['{algorithm}'] }} (the algorithm your issuer signs with)."
        )
    };
    let mut error = false;
    if let Some(why) = evidence {
        error = true;
        message.push_str(&format!(
            " The key is {why}: with jsonwebtoken before 9.0.0, a token signed with HS256 using it as the secret verifies (CVE-2022-23541)."
        ));
    } else if below_9 && !jose {
        error = true;
        message.push_str(
            " The project pins jsonwebtoken below 9.0.0, which accepts unsigned and algorithm-confused tokens here (CVE-2022-23540, CVE-2022-23541): upgrade it too.",
        );
    }
    let mut finding = Finding::new(&RULE, c.call.byte_range(), message);
    if error {
        finding.severity = Severity::Error;
    }
    if let Some(edit) = fix_edit(ctx, &options, algorithm) {
        finding = finding.with_fix(Fix::new(
            format!("Pin algorithms to ['{algorithm}']"),
            applicability,
            edit,
        ));
    }
    Some(finding)
}

/// A finding for express-jwt's middleware created without `algorithms`.
fn express_jwt_finding<'t>(
    ctx: &FileContext<'t>,
    decls: &Declarations<'t>,
    c: &ApiCall<'t>,
    signed_with: Option<&(&'static str, String)>,
) -> Option<Finding> {
    let options = *c.args.first()?;
    let Property::Absent { object } = property(ctx, decls, options, "algorithms") else {
        return None;
    };
    let secret = match property(ctx, decls, options, "secret") {
        Property::Set { member, .. } if member.kind() == "pair" => {
            member.child_by_field_name("value")
        }
        Property::Set { member, .. } => Some(member),
        _ => None,
    };
    let (algorithm, applicability) = match secret {
        Some(secret) => pick_algorithm(ctx, decls, secret, signed_with),
        None => ("HS256", Applicability::Unsafe),
    };
    let evidence = secret.and_then(|s| public_key_evidence(ctx, decls, s));
    let callee = ctx.node_text(c.callee);
    let mut message = format!(
        "{callee}() (express-jwt) is created without `algorithms`: express-jwt 6 and later throw at startup without it, and older versions let the token's header choose the algorithm (CVE-2020-15084). Pass algorithms: ['{algorithm}'] (the algorithm your issuer signs with)."
    );
    let mut finding_severity = RULE.default_severity;
    if let Some(why) = evidence {
        finding_severity = Severity::Error;
        message.push_str(&format!(
            " The secret is {why}: a token signed with HS256 using that public key as the secret would verify."
        ));
    }
    let mut finding = Finding::new(&RULE, c.call.byte_range(), message);
    finding.severity = finding_severity;
    if let Some(edit) = fix_edit(ctx, &Options::ObjectWithout { object }, algorithm) {
        finding = finding.with_fix(Fix::new(
            format!("Pin algorithms to ['{algorithm}']"),
            applicability,
            edit,
        ));
    }
    Some(finding)
}

/// The algorithm to pin for `key`, and whether that is certain: the one
/// this file signs with under the same key, or the one a jose key was
/// imported for; otherwise a guess.
fn pick_algorithm<'t>(
    ctx: &FileContext<'t>,
    decls: &Declarations<'t>,
    key: Node<'t>,
    signed_with: Option<&(&'static str, String)>,
) -> (&'static str, Applicability) {
    let key_text = ctx.node_text(key);
    if let Some((alg, sign_key)) = signed_with {
        if sign_key == key_text {
            return (alg, Applicability::Safe);
        }
    }
    let (value, _) = decls.follow(ctx, key);
    if value.kind() == "call_expression" {
        let name = value
            .child_by_field_name("function")
            .map(|f| ctx.node_text(f).rsplit('.').next().unwrap_or(""));
        if matches!(
            name,
            Some("importSPKI" | "importX509" | "importJWK" | "importPKCS8")
        ) {
            let alg = value
                .child_by_field_name("arguments")
                .map(crate::analysis::javascript::arguments)
                .and_then(|a| a.get(1).copied())
                .and_then(|a| string_value(ctx, a))
                .and_then(|a| KNOWN_ALGORITHMS.iter().copied().find(|k| *k == a));
            if let Some(alg) = alg {
                return (alg, Applicability::Safe);
            }
        }
    }
    if public_key_evidence(ctx, decls, key).is_some() {
        return ("RS256", Applicability::Unsafe);
    }
    (guess_algorithm(ctx, key), Applicability::Unsafe)
}

/// Looks at the options argument (the third) of a verify call.
fn classify_options<'t>(
    ctx: &FileContext<'t>,
    decls: &Declarations<'t>,
    args: &[Node<'t>],
) -> Options<'t> {
    let Some(&third) = args.get(2) else {
        return Options::Missing { after: args[1] };
    };
    let third = unwrap_expr(third);
    match third.kind() {
        "arrow_function" | "function_expression" | "function" => {
            Options::CallbackInstead { callback: third }
        }
        "undefined" | "null" => Options::Placeholder { node: third },
        "identifier" if ctx.node_text(third) == "undefined" => Options::Placeholder { node: third },
        "object" | "identifier" => match property(ctx, decls, third, "algorithms") {
            Property::Absent { object } => Options::ObjectWithout { object },
            Property::Set { .. } => Options::PinnedOrUnknown,
            Property::Unknown => match decls.follow(ctx, third).0.kind() {
                "arrow_function" | "function_expression" | "function" | "function_declaration" => {
                    Options::CallbackInstead { callback: third }
                }
                _ => Options::PinnedOrUnknown,
            },
        },
        _ => Options::PinnedOrUnknown,
    }
}

/// Whether the project this file belongs to pins jsonwebtoken below 9.0.0
/// (in the nearest package.json, or the version its lockfile resolved).
/// With [`version_below`]`(spec, 9) == Some(true)` on that version.
fn jsonwebtoken_below_9(ctx: &FileContext<'_>) -> bool {
    let (project, me) = ctx.js_project();
    project
        .files
        .get(me)
        .and_then(|f| project.manifest_for(&f.key))
        .and_then(|m| m.version_of("jsonwebtoken"))
        .and_then(|v| version_below(v, 9))
        .unwrap_or(false)
}

/// Whether every version a package.json range (or a lockfile's exact
/// version) admits is below `major.0.0`: `Some(true)` for `^8.5.1`,
/// `~8.0.0`, `8.x`, `=8.5.1`, `>=8 <9`, `8.5.1`; `Some(false)` when every
/// admitted version is at or above it (`^9.0.0`, `>=9`); `None` when the
/// range admits both (`>=8`, `*`) or is not a version range (a git URL, a
/// path, a tag such as `latest`).
pub fn version_below(spec: &str, major: u64) -> Option<bool> {
    let mut spec = spec.trim();
    // `npm:jsonwebtoken@^8` aliases and `workspace:` protocols.
    if let Some(rest) = spec.strip_prefix("npm:") {
        spec = rest.rsplit_once('@').map_or(rest, |(_, v)| v);
    }
    if let Some(rest) = spec.strip_prefix("workspace:") {
        spec = rest;
    }
    // pnpm lockfiles append peer suffixes: `8.5.1(supports-color@5.5.0)`.
    if let Some((v, _)) = spec.split_once('(') {
        spec = v;
    }
    if spec.is_empty() {
        return None;
    }
    let limit = (major, 0, 0);
    let mut all_below = true;
    let mut all_above = true;
    for set in spec.split("||") {
        let (low, high) = range_of_set(set.trim())?;
        // Below when the upper bound is at most major.0.0 (exclusive).
        let below = match high {
            Some((v, inclusive)) => v < limit || (v == limit && !inclusive),
            None => false,
        };
        let above = low >= limit;
        all_below &= below;
        all_above &= above;
    }
    if all_below {
        Some(true)
    } else if all_above {
        Some(false)
    } else {
        None
    }
}

type Version = (u64, u64, u64);

/// A version with missing parts: `8`, `8.5`, `8.x`, `8.5.1`, `v8.5.1-beta`.
/// Returns the parts given (major always).
fn partial_version(text: &str) -> Option<(u64, Option<u64>, Option<u64>)> {
    let text = text.trim().trim_start_matches('v').trim_start_matches('=');
    // Drop prerelease and build metadata.
    let core = text.split(['-', '+']).next()?;
    let mut parts = core.split('.');
    let wild = |p: &str| matches!(p, "x" | "X" | "*");
    let major = parts.next()?;
    if wild(major) {
        return None;
    }
    let major: u64 = major.parse().ok()?;
    let mut next = || -> Option<Option<u64>> {
        match parts.next() {
            None => Some(None),
            Some(p) if wild(p) => Some(None),
            Some(p) => p.parse().ok().map(Some),
        }
    };
    let minor = next()?;
    let patch = if minor.is_some() { next()? } else { None };
    Some((major, minor, patch))
}

/// The bounds of one comparator set (space-separated comparators, or a
/// hyphen range): the lowest admitted version, and the upper bound with
/// whether it is inclusive (`None`: unbounded). `None` when the set cannot
/// be read.
fn range_of_set(set: &str) -> Option<(Version, Option<(Version, bool)>)> {
    let mut low: Version = (0, 0, 0);
    let mut high: Option<(Version, bool)> = None;
    let tighten_high = |v: Version, inclusive: bool, high: &mut Option<(Version, bool)>| {
        let replace = match *high {
            None => true,
            Some((h, hi)) => v < h || (v == h && hi && !inclusive),
        };
        if replace {
            *high = Some((v, inclusive));
        }
    };
    if let Some((a, b)) = set.split_once(" - ") {
        let (ma, na, pa) = partial_version(a)?;
        low = (ma, na.unwrap_or(0), pa.unwrap_or(0));
        let (mb, nb, pb) = partial_version(b)?;
        match (nb, pb) {
            (Some(n), Some(p)) => tighten_high((mb, n, p), true, &mut high),
            (Some(n), None) => tighten_high((mb, n + 1, 0), false, &mut high),
            _ => tighten_high((mb + 1, 0, 0), false, &mut high),
        }
        return Some((low, high));
    }
    // Join operators separated from their version: `>= 8` → `>=8`.
    let mut tokens: Vec<String> = Vec::new();
    for t in set.split_whitespace() {
        match tokens.last_mut() {
            Some(last) if matches!(last.as_str(), ">" | ">=" | "<" | "<=" | "=" | "^" | "~") => {
                last.push_str(t)
            }
            _ => tokens.push(t.to_string()),
        }
    }
    if tokens.is_empty() {
        return None;
    }
    for t in &tokens {
        let t = t.as_str();
        if matches!(t, "*" | "x" | "X") {
            continue;
        }
        let (op, rest) = [">=", "<=", ">", "<", "=", "^", "~>", "~"]
            .iter()
            .find_map(|op| t.strip_prefix(op).map(|r| (*op, r)))
            .unwrap_or(("", t));
        let (ma, mi, pa) = partial_version(rest)?;
        let floor = (ma, mi.unwrap_or(0), pa.unwrap_or(0));
        // The first version above the partial: `8` → 9.0.0, `8.5` → 8.6.0.
        let ceiling = match (mi, pa) {
            (Some(m), Some(p)) => (ma, m, p + 1),
            (Some(m), None) => (ma, m + 1, 0),
            _ => (ma + 1, 0, 0),
        };
        let exact = mi.is_some() && pa.is_some();
        match op {
            ">=" => low = low.max(floor),
            ">" => {
                low = low.max(if exact {
                    (ma, mi.unwrap_or(0), pa.unwrap_or(0) + 1)
                } else {
                    ceiling
                })
            }
            "<" => tighten_high(floor, false, &mut high),
            "<=" => {
                if exact {
                    tighten_high(floor, true, &mut high)
                } else {
                    tighten_high(ceiling, false, &mut high)
                }
            }
            "^" => {
                low = low.max(floor);
                let up = if ma > 0 || mi.is_none() {
                    (ma + 1, 0, 0)
                } else if mi.unwrap_or(0) > 0 || pa.is_none() {
                    (0, mi.unwrap_or(0) + 1, 0)
                } else {
                    (0, 0, pa.unwrap_or(0) + 1)
                };
                tighten_high(up, false, &mut high);
            }
            "~" | "~>" => {
                low = low.max(floor);
                let up = match mi {
                    Some(m) => (ma, m + 1, 0),
                    None => (ma + 1, 0, 0),
                };
                tighten_high(up, false, &mut high);
            }
            _ => {
                // `8.5.1`, `=8.5.1`, `8.x`, `8`: an x-range.
                low = low.max(floor);
                if exact {
                    tighten_high(floor, true, &mut high);
                } else {
                    tighten_high(ceiling, false, &mut high);
                }
            }
        }
    }
    Some((low, high))
}

/// If every `sign` call in the file uses one algorithm and one key
/// expression, returns them. jsonwebtoken signs with HS256 when no
/// `algorithm` is given.
fn signing_algorithm(
    ctx: &FileContext<'_>,
    signs: &[&[Node<'_>]],
) -> Option<(&'static str, String)> {
    let mut result: Option<(&'static str, String)> = None;
    for &list in signs {
        let key = ctx.node_text(*list.get(1)?).to_string();
        let alg = match list.get(2) {
            Some(&opts) if opts.kind() == "object" => {
                let mut cursor = opts.walk();
                let mut alg = Some("HS256");
                for member in opts.named_children(&mut cursor) {
                    if member.kind() == "spread_element" {
                        return None;
                    }
                    if member.kind() == "pair" && pair_key(ctx, member) == Some("algorithm") {
                        let value = member.child_by_field_name("value")?;
                        let text = ctx
                            .node_text(value)
                            .trim_matches(|c| c == '\'' || c == '"' || c == '`');
                        alg = KNOWN_ALGORITHMS.iter().copied().find(|a| *a == text);
                    }
                }
                alg?
            }
            Some(cb)
                if matches!(
                    cb.kind(),
                    "arrow_function" | "function_expression" | "function"
                ) =>
            {
                "HS256"
            }
            Some(_) => return None,
            None => "HS256",
        };
        match &result {
            None => result = Some((alg, key)),
            Some((a, k)) if *a == alg && *k == key => {}
            Some(_) => return None,
        }
    }
    result
}

const KNOWN_ALGORITHMS: &[&str] = &[
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
    "ES384", "ES512",
];

/// A best guess from the key argument: an asymmetric algorithm when the
/// key looks like a public key (a PEM, a file read, a certificate, a JWKS
/// lookup or any key callback), else a shared secret.
fn guess_algorithm(ctx: &FileContext<'_>, key: Node<'_>) -> &'static str {
    if matches!(
        key.kind(),
        "arrow_function" | "function_expression" | "function"
    ) {
        return "RS256";
    }
    let text = ctx.node_text(key).to_ascii_lowercase();
    const PUBLIC_HINTS: &[&str] = &[
        "public",
        "pem",
        "begin",
        "readfilesync",
        "cert",
        "jwks",
        "getkey",
        "signingkey",
    ];
    if PUBLIC_HINTS.iter().any(|h| text.contains(h)) {
        "RS256"
    } else {
        "HS256"
    }
}

/// The edit that adds `algorithms`.
fn fix_edit(ctx: &FileContext<'_>, options: &Options<'_>, algorithm: &str) -> Option<Edit> {
    let pinned = format!("algorithms: ['{algorithm}']");
    Some(match *options {
        Options::Missing { after } => Edit::insert(after.end_byte(), format!(", {{ {pinned} }}")),
        Options::CallbackInstead { callback } => {
            Edit::insert(callback.start_byte(), format!("{{ {pinned} }}, "))
        }
        Options::ObjectWithout { object } => {
            let mut cursor = object.walk();
            let first = object
                .named_children(&mut cursor)
                .find(|n| n.kind() != "comment");
            match first {
                None => Edit::replace(object.byte_range(), format!("{{ {pinned} }}")),
                Some(first) => {
                    let text = ctx.text;
                    let between = &text[object.start_byte() + 1..first.start_byte()];
                    if between.contains('\n') {
                        let indent = line_indent(text, first.start_byte());
                        let nl = if between.contains("\r\n") {
                            "\r\n"
                        } else {
                            "\n"
                        };
                        Edit::insert(first.start_byte(), format!("{pinned},{nl}{indent}"))
                    } else {
                        Edit::insert(first.start_byte(), format!("{pinned}, "))
                    }
                }
            }
        }
        Options::Placeholder { node } => {
            Edit::replace(node.byte_range(), format!("{{ {pinned} }}"))
        }
        Options::PinnedOrUnknown => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::version_below;

    #[test]
    fn ranges_below_nine() {
        for spec in [
            "^8.5.1",
            "~8.0.0",
            "8.x",
            "8.X",
            "8.*",
            "8",
            "=8.5.1",
            "8.5.1",
            "v8.5.1",
            ">=8 <9",
            ">= 8.0.0 < 9.0.0",
            "<9",
            "<9.0.0",
            "<=8",
            "<=8.5.1",
            "^7 || ^8",
            "~>8.1",
            "7.0.0 - 8.5.1",
            "8.0.0 - 8",
            "^0.2.3",
            "npm:jsonwebtoken@^8.5.1",
            "8.5.1(supports-color@5.5.0)",
            "workspace:^8.0.0",
            "8.5.1-beta.2",
        ] {
            assert_eq!(version_below(spec, 9), Some(true), "{spec}");
        }
    }

    #[test]
    fn ranges_at_or_above_nine() {
        for spec in [
            "^9.0.0",
            "9.0.2",
            "~9.0.0",
            ">=9",
            ">8",
            ">8.x",
            "9.x",
            "^10",
            "9.0.0 - 10",
        ] {
            assert_eq!(version_below(spec, 9), Some(false), "{spec}");
        }
    }

    #[test]
    fn ranges_that_straddle_or_are_not_versions() {
        for spec in [
            ">=8",
            "*",
            "",
            "latest",
            "x",
            "^8 || ^9",
            "8.0.0 - 9.0.0",
            "<=9",
            ">8.5.1",
            "git+https://github.com/auth0/node-jsonwebtoken.git",
            "file:../jwt",
            "github:auth0/node-jsonwebtoken",
        ] {
            assert_eq!(version_below(spec, 9), None, "{spec}");
        }
    }
}

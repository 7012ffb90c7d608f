//! `jwt/none-algorithm`: `'none'` among the algorithms a JWT may be
//! verified with, or signed with.

use tree_sitter::Node;

use crate::analysis::javascript::jwt_common::{
    api_calls, is_test_file, property, removal_range, string_value, unwrap_expr, Api, Declarations,
    Property,
};
use crate::analysis::rule::{Rule, Severity, JS_FAMILY};
use crate::analysis::{FileContext, Finding};
use crate::fix::{Applicability, Edit, Fix};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "jwt/none-algorithm",
    default_severity: Severity::Error,
    summary: "`'none'` is an accepted JWT algorithm, so unsigned tokens are trusted.",
    docs: r#"
## What it does
Finds `'none'` (in any case: `'None'`, `"NONE"`) among the `algorithms` a
token may be verified with, and `algorithm: 'none'` in signing options:

- the options of jsonwebtoken's `verify(token, key, options)`;
- the options of jose's `jwtVerify(token, key, options)`;
- express-jwt's `expressjwt({ algorithms })` (and the older default export);
- jsonwebtoken's `sign(payload, key, { algorithm: 'none' })`.

The options may be written in the call or in a variable of the same file
(`const opts = { algorithms }`, `const algorithms = [...]`,
`opts.algorithms = [...]`); the finding is reported at the `'none'` string,
wherever it is written.

Not reported: signing with `none` in test files (`*.test.*`, `*.spec.*`,
`__tests__`, `__mocks__`): tests forge unsigned tokens on purpose, to check
that a verifier refuses them (seen in a CLI's auth-emulator tests).
Verifying with `none` is reported there too.

## Why is this bad?
A token with `"alg": "none"` carries no signature: anyone can write one
claiming to be any user. A verifier that lists `none` among its algorithms
accepts such tokens (with jsonwebtoken, whenever the secret is empty or
missing, CVE-2022-23540). Signing with `none` issues tokens that any verifier
that accepts them cannot tell from forgeries (CWE-347, CWE-327). jose refuses
unsigned tokens in `jwtVerify` whatever the options say, but the entry still
states an intent that is wrong everywhere else.

## How to fix
Remove `'none'`. The quick fix removes the element and is marked safe when
other algorithms remain in the list (tokens signed with them verify as
before). When `'none'` is the only element, the fix replaces it with
`'HS256'` and is marked unsafe: check it against the algorithm your issuer
uses. `algorithm: 'none'` in signing options gets no automatic fix: choose
the algorithm and the key together.

## Example
```ts
import jwt from 'jsonwebtoken';
// Reported:
jwt.verify(token, secret, { algorithms: ['HS256', 'none'] });
// Fixed:
jwt.verify(token, secret, { algorithms: ['HS256'] });
```

## References
- CWE-347: Improper Verification of Cryptographic Signature
- CWE-327: Use of a Broken or Risky Cryptographic Algorithm
- CVE-2022-23540 (jsonwebtoken), CVE-2015-9235 (jsonwebtoken before 4.2.2)
- RFC 8725: JSON Web Token Best Current Practices, section 3.1
"#,
    languages: JS_FAMILY,
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    let calls = api_calls(ctx);
    if calls.is_empty() || !ctx.text.to_ascii_lowercase().contains("none") {
        return Vec::new();
    }
    let decls = Declarations::build(ctx);
    let mut findings: Vec<Finding> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    // Tests sign unsigned tokens on purpose, to feed them to the code under
    // test (a verifier that must refuse them, an emulator that accepts
    // them). Verifying with `none` stays reported there too.
    let test_file = is_test_file(ctx);
    for c in &calls {
        if test_file && c.api == Api::JwtSign {
            continue;
        }
        let (options, key, api_name) = match c.api {
            Api::JwtVerify => (c.args.get(2), "algorithms", "jsonwebtoken's verify()"),
            Api::JoseVerify => (c.args.get(2), "algorithms", "jose's jwtVerify()"),
            Api::ExpressJwt => (c.args.first(), "algorithms", "express-jwt"),
            Api::JwtSign => (c.args.get(2), "algorithm", "jsonwebtoken's sign()"),
            _ => continue,
        };
        let Some(&options) = options else { continue };
        let Property::Set {
            value: Some(value), ..
        } = property(ctx, &decls, options, key)
        else {
            continue;
        };
        let (value, _) = decls.follow(ctx, value);
        if key == "algorithm" {
            if string_value(ctx, value).is_some_and(|v| v.eq_ignore_ascii_case("none"))
                && seen.insert(value.id())
            {
                findings.push(Finding::new(
                    &RULE,
                    value.byte_range(),
                    format!(
                        "{api_name} is asked to sign with `none`: the token carries no signature, so nothing distinguishes it from a forged one. Sign with a real algorithm (HS256 with a secret, RS256/ES256 with a private key)."
                    ),
                ));
            }
            continue;
        }
        if value.kind() != "array" {
            continue;
        }
        let elements = elements(value);
        for &(outer, e) in &elements {
            if !string_value(ctx, e).is_some_and(|v| v.eq_ignore_ascii_case("none"))
                || !seen.insert(e.id())
            {
                continue;
            }
            let others = elements.iter().filter(|(o, _)| *o != outer).count();
            let message = format!(
                "{api_name} accepts the `none` algorithm: an unsigned token claiming to be anyone verifies. Remove 'none' from `algorithms`."
            );
            let fix = if others > 0 {
                Fix::new(
                    "Remove 'none' from algorithms",
                    Applicability::Safe,
                    Edit::replace(removal_range(ctx, outer), ""),
                )
            } else {
                let quote = if ctx.node_text(e).starts_with('"') {
                    '"'
                } else {
                    '\''
                };
                Fix::new(
                    "Replace 'none' with 'HS256'",
                    Applicability::Unsafe,
                    Edit::replace(e.byte_range(), format!("{quote}HS256{quote}")),
                )
            };
            findings.push(Finding::new(&RULE, e.byte_range(), message).with_fix(fix));
        }
    }
    findings
}

/// The elements of an array literal (comments excluded), each with its
/// value unwrapped (`'none' as const` gives the string).
fn elements(array: Node<'_>) -> Vec<(Node<'_>, Node<'_>)> {
    let mut cursor = array.walk();
    let list: Vec<Node<'_>> = array
        .named_children(&mut cursor)
        .filter(|n| n.kind() != "comment")
        .collect();
    list.into_iter().map(|n| (n, unwrap_expr(n))).collect()
}

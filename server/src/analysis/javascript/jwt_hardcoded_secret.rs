//! `jwt/hardcoded-secret`: a string literal as the key that signs or
//! verifies tokens or session cookies.

use std::collections::HashMap;

use tree_sitter::Node;

use crate::analysis::javascript::jwt_common::{
    api_calls, callee_name, is_test_file, pair_value, property, string_value, unwrap_expr, Api,
    ApiCall, Declarations, Property,
};
use crate::analysis::rule::{Rule, Severity, JS_FAMILY};
use crate::analysis::{FileContext, Finding, Related};
use crate::fix::{Applicability, Edit, Fix};
use crate::language::Language;

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "jwt/hardcoded-secret",
    default_severity: Severity::Error,
    summary: "Tokens or session cookies are signed with a secret written in the source code.",
    docs: r#"
## What it does
Finds a string literal (or a template literal without substitutions) used as
the secret that signs or verifies tokens or session cookies:

- the key of jsonwebtoken's `sign` and `verify`;
- jose: `new TextEncoder().encode('literal')` (or `Buffer.from`,
  `createSecretKey`) passed to `jwtVerify` or to `new SignJWT(...)….sign()`;
- the `secret` of express-jwt's `expressjwt({...})`;
- the `secret` (or `keys`) of express-session and cookie-session;
- the `secret` of `fastify.register(@fastify/jwt, {...})`;
- hono: `jwt({ secret })`, `sign` and `verify` from `hono/jwt`.

Also a fallback that is used whenever the environment variable is missing:
`process.env.JWT_SECRET || 'secret'`, `?? 'dev'`, and
`NODE_ENV === 'production' ? process.env.SECRET : 'secret'`. Literals are
followed through constants of the same file (`const SECRET = 'x'`, and
`config.jwt.secret` when `config` is an object literal there); the finding
is reported at the literal, with the place it is used as related
information.

Not reported: an empty string (`?? ''` is a type-checker appeasement, and
the libraries refuse an empty key), a PEM public key (verifying with a
hardcoded *public* key is fine), and test files (`*.test.*`, `*.spec.*`,
files under `__tests__` or `__mocks__`). The message never prints the secret
whole: at most its first 4 and last 2 characters, and nothing of a value
shorter than 12 characters.

Also not reported: the key of jsonwebtoken's `sign(payload, 'x', {
algorithm: 'none' })`. An unsigned token ignores its key, so the literal is
a placeholder (seen in a local auth emulator minting fake tokens);
`jwt/none-algorithm` reports the call instead.

## Why is this bad?
Whoever has the source code (every developer, every CI log and fork, and
anyone who obtains the repository) can sign tokens or session cookies that
the server accepts as any user (CWE-798, CWE-321). A fallback is no better:
if the variable is ever missing in production, the app silently runs with a
key that is public, instead of failing. Placeholder secrets such as
`'secret'` or `'changeme'` are the first ones attackers try.

## How to fix
Read the secret from the environment (or a secret manager) and fail at
startup when it is missing. The quick fix replaces the literal with
`process.env.JWT_SECRET` (`process.env.SESSION_SECRET` for session
middleware; with `!` in TypeScript), or removes the fallback part
(`|| 'literal'`, the literal branch of the conditional). It is marked unsafe:
the app no longer works until the variable is set in every environment, and
tokens signed with the old secret stop verifying. Rotate the secret too: the
old one is in your history.

## Example
```ts
import jwt from 'jsonwebtoken';
// Reported:
const secret = process.env.JWT_SECRET || 'superSecret';
jwt.sign(payload, secret);
// Fixed:
const secret2 = process.env.JWT_SECRET!;
jwt.sign(payload, secret2, { expiresIn: '1h' });
```

## References
- CWE-798: Use of Hard-coded Credentials
- CWE-321: Use of Hard-coded Cryptographic Key
- CWE-347: Improper Verification of Cryptographic Signature
- OWASP Secrets Management Cheat Sheet
"#,
    languages: JS_FAMILY,
    check: Some(check),
};

/// How a literal becomes the secret.
#[derive(Clone, Copy, Debug)]
enum Shape<'t> {
    /// The literal is the secret.
    Direct,
    /// `keep || 'literal'` or `keep ?? 'literal'`.
    Fallback { whole: Node<'t>, keep: Node<'t> },
    /// `cond ? keep : 'literal'` (either order).
    Ternary { whole: Node<'t>, keep: Node<'t> },
}

/// One literal used as a secret.
struct Site<'t> {
    literal: Node<'t>,
    shape: Shape<'t>,
}

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    if is_test_file(ctx) {
        return Vec::new();
    }
    let calls = api_calls(ctx);
    if calls.is_empty() {
        return Vec::new();
    }
    let decls = Declarations::build(ctx);
    // By literal: the site, what kind of secret, and where it is used.
    let mut found: Vec<(Site<'_>, &'static str, Vec<&ApiCall<'_>>)> = Vec::new();
    let mut index: HashMap<usize, usize> = HashMap::new();
    for c in &calls {
        // `sign(payload, 'unused', { algorithm: 'none' })`: jsonwebtoken
        // ignores the key of an unsigned token, so the literal is not a
        // secret (a local auth emulator does this to mint fake tokens).
        // `jwt/none-algorithm` reports the call.
        if c.api == Api::JwtSign && signs_with_none(ctx, &decls, c) {
            continue;
        }
        let Some((keys, env)) = secret_expressions(ctx, &decls, c) else {
            continue;
        };
        for key in keys {
            let mut sites = Vec::new();
            collect(ctx, &decls, key, 0, &mut sites);
            for site in sites {
                match index.get(&site.literal.id()) {
                    Some(&i) => found[i].2.push(c),
                    None => {
                        index.insert(site.literal.id(), found.len());
                        found.push((site, env, vec![c]));
                    }
                }
            }
        }
    }
    found
        .into_iter()
        .map(|(site, env, uses)| finding(ctx, &site, env, &uses))
        .collect()
}

/// Whether a jsonwebtoken `sign` call's options say `algorithm: 'none'`.
fn signs_with_none<'t>(ctx: &FileContext<'t>, decls: &Declarations<'t>, c: &ApiCall<'t>) -> bool {
    let Some(&options) = c.args.get(2) else {
        return false;
    };
    let Property::Set {
        value: Some(value), ..
    } = property(ctx, decls, options, "algorithm")
    else {
        return false;
    };
    let (value, _) = decls.follow(ctx, value);
    string_value(ctx, value).is_some_and(|v| v.eq_ignore_ascii_case("none"))
}

/// The expressions a call uses as its secret, and the environment variable
/// the fix should read instead.
fn secret_expressions<'t>(
    ctx: &FileContext<'t>,
    decls: &Declarations<'t>,
    c: &ApiCall<'t>,
) -> Option<(Vec<Node<'t>>, &'static str)> {
    const JWT: &str = "JWT_SECRET";
    const SESSION: &str = "SESSION_SECRET";
    let option = |options: Option<&Node<'t>>, keys: &[&str]| -> Vec<Node<'t>> {
        let Some(&options) = options else {
            return Vec::new();
        };
        keys.iter()
            .filter_map(|k| match property(ctx, decls, options, k) {
                Property::Set { member, .. } => pair_value(member),
                _ => None,
            })
            .collect()
    };
    Some(match c.api {
        Api::JwtSign | Api::JwtVerify | Api::JoseVerify | Api::HonoSign | Api::HonoVerify => {
            (c.args.get(1).copied().into_iter().collect(), JWT)
        }
        Api::JoseSign => (c.args.first().copied().into_iter().collect(), JWT),
        Api::ExpressJwt | Api::HonoJwt => (option(c.args.first(), &["secret"]), JWT),
        Api::FastifyJwt => (option(c.args.get(1), &["secret"]), JWT),
        Api::Session => (option(c.args.first(), &["secret", "keys"]), SESSION),
        Api::JwtDecode | Api::JoseDecode | Api::HonoDecode | Api::JwtDecodeLib => return None,
    })
}

/// Finds the literals `node` evaluates to as a secret, following constants,
/// object-literal members and key wrappers (`encode`, `Buffer.from`,
/// `createSecretKey`) a few steps.
fn collect<'t>(
    ctx: &FileContext<'t>,
    decls: &Declarations<'t>,
    node: Node<'t>,
    depth: u32,
    out: &mut Vec<Site<'t>>,
) {
    if depth > 6 {
        return;
    }
    let node = unwrap_expr(node);
    match node.kind() {
        "string" | "template_string" if is_secret_literal(ctx, node) => {
            out.push(Site {
                literal: node,
                shape: Shape::Direct,
            });
        }
        "binary_expression" => {
            let op = node
                .child_by_field_name("operator")
                .map(|o| ctx.node_text(o));
            let (Some(left), Some(right)) = (
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
            ) else {
                return;
            };
            let (left, right) = (unwrap_expr(left), unwrap_expr(right));
            if matches!(op, Some("||" | "??"))
                && string_value(ctx, left).is_none()
                && is_secret_literal(ctx, right)
            {
                out.push(Site {
                    literal: right,
                    shape: Shape::Fallback {
                        whole: node,
                        keep: left,
                    },
                });
            }
        }
        "ternary_expression" => {
            let (Some(a), Some(b)) = (
                node.child_by_field_name("consequence"),
                node.child_by_field_name("alternative"),
            ) else {
                return;
            };
            let (a, b) = (unwrap_expr(a), unwrap_expr(b));
            for (literal, keep) in [(a, b), (b, a)] {
                if is_secret_literal(ctx, literal) && string_value(ctx, keep).is_none() {
                    out.push(Site {
                        literal,
                        shape: Shape::Ternary { whole: node, keep },
                    });
                }
            }
        }
        "identifier" | "shorthand_property_identifier" => {
            if let Some(value) = decls.resolve(ctx.node_text(node), node.start_byte()) {
                collect(ctx, decls, value, depth + 1, out);
            }
        }
        "member_expression" => {
            if let Some(value) = member_value(ctx, decls, node, 0) {
                collect(ctx, decls, value, depth + 1, out);
            }
        }
        "call_expression" => {
            let name = node
                .child_by_field_name("function")
                .and_then(|f| callee_name(ctx, f));
            if matches!(name, Some("encode" | "from" | "createSecretKey")) {
                if let Some(first) = node
                    .child_by_field_name("arguments")
                    .and_then(|a| a.named_child(0))
                {
                    collect(ctx, decls, first, depth + 1, out);
                }
            }
        }
        "array" => {
            let mut cursor = node.walk();
            let elements: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
            for e in elements {
                collect(ctx, decls, e, depth + 1, out);
            }
        }
        _ => {}
    }
}

/// The value of `obj.prop` (or `a.b.prop`) when the object is an object
/// literal declared in the file.
fn member_value<'t>(
    ctx: &FileContext<'t>,
    decls: &Declarations<'t>,
    member: Node<'t>,
    depth: u32,
) -> Option<Node<'t>> {
    if depth > 4 {
        return None;
    }
    let object = unwrap_expr(member.child_by_field_name("object")?);
    let prop = ctx.node_text(member.child_by_field_name("property")?);
    let object_value = match object.kind() {
        "identifier" => decls.resolve(ctx.node_text(object), object.start_byte())?,
        "member_expression" => member_value(ctx, decls, object, depth + 1)?,
        _ => return None,
    };
    match property(ctx, decls, unwrap_expr(object_value), prop) {
        Property::Set { member, .. } => pair_value(member),
        _ => None,
    }
}

/// A literal that may be a secret: not empty, not a public key.
fn is_secret_literal(ctx: &FileContext<'_>, node: Node<'_>) -> bool {
    string_value(ctx, node).is_some_and(|v| {
        !v.trim().is_empty()
            && !v.contains("BEGIN PUBLIC KEY")
            && !v.contains("BEGIN RSA PUBLIC KEY")
            && !v.contains("BEGIN CERTIFICATE")
    })
}

/// The secret's value, masked: at most its first 4 and last 2 characters,
/// nothing of a short value.
pub(crate) fn masked(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() < 12 {
        format!("a string of {} characters", chars.len())
    } else {
        let head: String = chars[..4].iter().collect();
        let tail: String = chars[chars.len() - 2..].iter().collect();
        format!("'{head}…{tail}', {} characters", chars.len())
    }
}

/// What the call does with the secret, for the message.
fn purpose(api: Api) -> &'static str {
    match api {
        Api::JwtSign | Api::JoseSign | Api::HonoSign => "signs tokens",
        Api::Session => "signs session cookies",
        _ => "verifies tokens",
    }
}

fn finding(
    ctx: &FileContext<'_>,
    site: &Site<'_>,
    env: &'static str,
    uses: &[&ApiCall<'_>],
) -> Finding {
    let value = string_value(ctx, site.literal).unwrap_or("");
    let shown = masked(value);
    let api = uses[0].api;
    let callee = ctx.node_text(uses[0].callee);
    let doing = purpose(api);
    let message = match site.shape {
        Shape::Direct => format!(
            "{callee}() {doing} with a secret written in the source ({shown}): anyone with the code can forge them. Read it from the environment and rotate it."
        ),
        Shape::Fallback { keep, .. } | Shape::Ternary { keep, .. } => format!(
            "{callee}() {doing} with a hardcoded fallback secret ({shown}) whenever `{}` is not set: anyone with the code can forge them. Fail at startup instead of falling back, and rotate the secret.",
            short(ctx.node_text(keep))
        ),
    };
    let mut f = Finding::new(&RULE, site.literal.byte_range(), message);
    for u in uses.iter().map(|c| c.call) {
        if !(u.start_byte() <= site.literal.start_byte() && site.literal.end_byte() <= u.end_byte())
        {
            f.related.push(Related {
                path: None,
                range: u.byte_range(),
                message: "used as the secret here".to_string(),
            });
        }
    }
    let ts = matches!(ctx.language, Language::TypeScript | Language::Tsx);
    let fix = match site.shape {
        Shape::Direct => {
            let bang = if ts { "!" } else { "" };
            Fix::new(
                format!("Read the secret from process.env.{env} (which must then be set)"),
                Applicability::Unsafe,
                Edit::replace(
                    site.literal.byte_range(),
                    format!("process.env.{env}{bang}"),
                ),
            )
        }
        Shape::Fallback { whole, keep } | Shape::Ternary { whole, keep } => {
            let bang = if ts
                && matches!(
                    keep.kind(),
                    "member_expression" | "identifier" | "subscript_expression" | "call_expression"
                ) {
                "!"
            } else {
                ""
            };
            Fix::new(
                "Remove the hardcoded fallback (the app then fails without the variable)",
                Applicability::Unsafe,
                Edit::replace(whole.byte_range(), format!("{}{bang}", ctx.node_text(keep))),
            )
        }
    };
    f.with_fix(fix)
}

/// An expression's text, shortened for a message.
fn short(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 60 {
        format!("{}…", one_line.chars().take(57).collect::<String>())
    } else {
        one_line
    }
}

#[cfg(test)]
mod tests {
    use super::masked;

    #[test]
    fn masking_never_shows_the_whole_secret() {
        assert_eq!(masked("secret"), "a string of 6 characters");
        assert_eq!(masked("superSecret"), "a string of 11 characters");
        assert_eq!(masked("my-long-jwt-secret-42"), "'my-l…42', 21 characters");
        assert_eq!(masked("ééééééééééééé"), "'éééé…éé', 13 characters");
    }
}

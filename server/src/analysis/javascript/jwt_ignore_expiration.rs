//! `jwt/ignore-expiration`: verification told to accept expired tokens.

use tree_sitter::Node;

use crate::analysis::javascript::jwt_common::{
    api_calls, property, removal_range, string_value, Api, Declarations, Property,
};
use crate::analysis::rule::{Rule, Severity, JS_FAMILY};
use crate::analysis::{FileContext, Finding};
use crate::fix::{Applicability, Edit, Fix};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "jwt/ignore-expiration",
    default_severity: Severity::Warning,
    summary: "JWT verification accepts expired tokens (`ignoreExpiration: true`, or a clock tolerance over a day).",
    docs: r#"
## What it does
Finds JWT verification told to accept expired tokens:

- `ignoreExpiration: true` in the options of jsonwebtoken's `verify` or of
  express-jwt's middleware (`expressjwt({...})`, which passes its options on
  to jsonwebtoken);
- a `clockTolerance` of more than a day, in the options of jose's
  `jwtVerify` (seconds, or a time span such as `'2 days'` or `'30d'`) or of
  jsonwebtoken's `verify` (seconds).

Options written in a variable of the same file are followed. A tolerance of
a few seconds or minutes, for clocks that drift, is not reported: one day is
far beyond any drift, and is where the tolerance starts to act as a
lifetime.

## Why is this bad?
Expiry is what limits the damage of a stolen token: a leaked log line, a
shared laptop, a token kept by a user whose access was revoked. A verifier
that ignores `exp` accepts that token for ever; logging out, rotating a
password or removing a role changes nothing for it (CWE-613). It is usually a
debugging switch that shipped.

## How to fix
Remove the option; keep token lifetimes short and refresh them instead. The
quick fix removes the property and is marked unsafe: tokens that verified
until now will be refused once they expire, which changes behaviour (clients
that never refresh will be logged out).

## Example
```ts
import jwt from 'jsonwebtoken';
// Reported:
jwt.verify(token, secret, { algorithms: ['HS256'], ignoreExpiration: true });
// Fixed:
jwt.verify(token, secret, { algorithms: ['HS256'] });
```

## References
- CWE-613: Insufficient Session Expiration
- RFC 7519, section 4.1.4 ("exp")
- RFC 8725: JSON Web Token Best Current Practices
"#,
    languages: JS_FAMILY,
    check: Some(check),
};

/// One day, in seconds.
const DAY: f64 = 86_400.0;

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    let calls = api_calls(ctx);
    if calls.is_empty()
        || !(ctx.text.contains("ignoreExpiration") || ctx.text.contains("clockTolerance"))
    {
        return Vec::new();
    }
    let decls = Declarations::build(ctx);
    let mut findings = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for c in &calls {
        let (options, name) = match c.api {
            Api::JwtVerify => (c.args.get(2), "jsonwebtoken's verify()"),
            Api::ExpressJwt => (c.args.first(), "express-jwt"),
            Api::JoseVerify => (c.args.get(2), "jose's jwtVerify()"),
            _ => continue,
        };
        let Some(&options) = options else { continue };
        if c.api != Api::JoseVerify {
            if let Property::Set {
                member,
                value: Some(value),
            } = property(ctx, &decls, options, "ignoreExpiration")
            {
                if ctx.node_text(value) == "true" && seen.insert(member.id()) {
                    findings.push(finding(
                        ctx,
                        member,
                        format!(
                            "{name} is told to ignore `exp`: expired tokens verify, so a stolen or revoked token works for ever. Remove `ignoreExpiration`."
                        ),
                        "Remove ignoreExpiration",
                    ));
                }
            }
        }
        if c.api == Api::ExpressJwt {
            continue;
        }
        if let Property::Set {
            member,
            value: Some(value),
        } = property(ctx, &decls, options, "clockTolerance")
        {
            let seconds = match c.api {
                Api::JoseVerify => span_seconds(ctx, value),
                _ => number(ctx, value),
            };
            if seconds.is_some_and(|s| s > DAY) && seen.insert(member.id()) {
                findings.push(finding(
                    ctx,
                    member,
                    format!(
                        "{name} tolerates clock skew of {}: tokens keep verifying that long after they expire. Use a tolerance of seconds or minutes.",
                        ctx.node_text(value)
                    ),
                    "Remove clockTolerance",
                ));
            }
        }
    }
    findings
}

fn finding(ctx: &FileContext<'_>, member: Node<'_>, message: String, title: &str) -> Finding {
    let mut f = Finding::new(&RULE, member.byte_range(), message);
    if member.kind() == "pair" {
        f = f.with_fix(Fix::new(
            title,
            Applicability::Unsafe,
            Edit::replace(removal_range(ctx, member), ""),
        ));
    }
    f
}

/// A numeric literal (`86_400`, `1e6`, `60 * 60 * 48`).
fn number(ctx: &FileContext<'_>, node: Node<'_>) -> Option<f64> {
    match node.kind() {
        "number" => ctx.node_text(node).replace('_', "").parse().ok(),
        "binary_expression" => {
            let op = node.child_by_field_name("operator")?;
            let l = number(ctx, node.child_by_field_name("left")?)?;
            let r = number(ctx, node.child_by_field_name("right")?)?;
            match ctx.node_text(op) {
                "*" => Some(l * r),
                "+" => Some(l + r),
                _ => None,
            }
        }
        "parenthesized_expression" => number(ctx, node.named_child(0)?),
        _ => None,
    }
}

/// jose's clock tolerance in seconds: a number, or a time span such as
/// `'30d'`, `'2 days'`, `'48h'`.
fn span_seconds(ctx: &FileContext<'_>, node: Node<'_>) -> Option<f64> {
    if let Some(n) = number(ctx, node) {
        return Some(n);
    }
    let text = string_value(ctx, node)?.trim().to_ascii_lowercase();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let value: f64 = text[..split].parse().ok()?;
    let unit = text[split..].trim();
    let factor = match unit {
        "" | "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3_600.0,
        "d" | "day" | "days" => DAY,
        "w" | "week" | "weeks" => 7.0 * DAY,
        "y" | "yr" | "yrs" | "year" | "years" => 365.25 * DAY,
        _ => return None,
    };
    Some(value * factor)
}

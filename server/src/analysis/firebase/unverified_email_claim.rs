//! `firebase/unverified-email-claim`: access decided on
//! `request.auth.token.email` without checking that the email is verified.

use tree_sitter::Node;

use crate::analysis::firebase::condition::{evaluate, Access};
use crate::analysis::firebase::facts::{conjoin, logical_operand, only_and_above, reach};
use crate::analysis::firebase::model::RulesFile;
use crate::analysis::firebase::{methods_text, unparenthesize};
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, Finding, Related};
use crate::fix::{Applicability, Edit, Fix};
use crate::language::Language;

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "firebase/unverified-email-claim",
    default_severity: Severity::Warning,
    summary: "Access is decided on `request.auth.token.email` without checking `request.auth.token.email_verified`: anyone can sign up with someone else's address.",
    docs: r#"
## What it does
Finds `allow` statements, in Firestore and Cloud Storage rules, whose
condition uses the signed-in user's email, `request.auth.token.email` (an
equality, `.matches('.*@example[.]com')`, `in [...]`, a comparison with a
stored field), directly or in a function or `let` it uses, while nothing in
that condition checks `request.auth.token.email_verified`.

Reported at the use of the email in the allow's own condition. When the email
is read in a function (or a match-level `let`), the finding is reported once,
there, for every statement that relies on it (listed as related places), and
the fix goes into the function: one `isAdmin()` used by twenty statements is
one finding, not twenty. A condition that also requires
`request.auth.token.firebase.sign_in_provider == 'google.com'` is not
reported: Google accounts come with a verified address. A statement that
grants nothing (`if false`) is not reported.

The check is per statement: an `email_verified` test anywhere in the same
condition (or in a function it calls) counts, even on another branch of an
`||`; review such conditions by hand.

## Why is this bad?
With email and password sign-in (and several other providers), Firebase
Authentication puts whatever address the user typed in the token, before
anyone proves they own it. Whoever registers `ceo@yourcompany.com`, or any
address matching `.*@yourcompany[.]com`, passes a rule that trusts the email:
they read the documents shared with that address, or act as an admin whose
address is on a list (CWE-290, CWE-287).

## How to fix
Require a verified address wherever the email decides:
`request.auth.token.email_verified == true`. The quick fix appends it to the
condition (or to the function's `return`) when the email check is joined to
the rest with `&&`, and otherwise puts it next to each email check,
`(request.auth.token.email in admins && request.auth.token.email_verified ==
true) || isOwner()`, so the other alternatives keep working. Users whose address is not verified lose the
access the email gave them, so the fix is unsafe: make sure the app sends
verification emails first.

## Example
```
match /projects/{projectId} {
  allow read: if request.auth.token.email.matches('.*@example[.]com');   // reported
  allow read: if request.auth.token.email.matches('.*@example[.]com')
    && request.auth.token.email_verified == true;                         // fixed
}
```

## References
- CWE-290: Authentication Bypass by Spoofing
- CWE-287: Improper Authentication
- Firebase: Authentication in rules, `request.auth.token` (https://firebase.google.com/docs/rules/rules-and-auth)
- Firebase: Rules conditions, `email_verified` (https://firebase.google.com/docs/firestore/security/rules-conditions#authentication)
"#,
    languages: &[Language::FirebaseRules],
    check: Some(check),
};

const VERIFIED: &str = "request.auth.token.email_verified == true";

/// One allow that trusts the email: the email reads it reaches, each with
/// the place in the allow's own condition that leads there.
struct Trusting<'t> {
    allow: usize,
    uses: Vec<(Node<'t>, Node<'t>)>,
}

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    let model = ctx.firebase_model();
    let mut trusting: Vec<Trusting<'_>> = Vec::new();
    for (index, allow) in model
        .allows
        .iter()
        .enumerate()
        .filter(|(_, a)| !a.has_error)
    {
        if allow.expression.is_none() {
            continue;
        }
        let mut uses: Vec<(Node<'_>, Node<'_>)> = Vec::new();
        let mut verified = false;
        // Email reads that only test for presence (`email != null`), found
        // at their comparison, which the walk meets first.
        let mut presence_tests: Vec<Node<'_>> = Vec::new();
        reach(ctx, model, allow, |frame, node| match node.kind() {
            "member_expression" | "index_expression" => {
                if uses.len() >= MAX_USES || presence_tests.contains(&node) {
                    return;
                }
                let text = frame.canonical(ctx, node);
                if is_email(&text) {
                    if !uses.iter().any(|(u, _)| *u == node) {
                        uses.push((node, frame.anchor(node)));
                    }
                } else if text.starts_with("request.auth.token.email_verified")
                    || text.starts_with("request.auth.token['email_verified']")
                {
                    verified = true;
                }
            }
            "binary_expression" => {
                let (Some(l), Some(r), Some(op)) = (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                    node.child_by_field_name("operator"),
                ) else {
                    return;
                };
                let is_null = |n: Node<'_>| unparenthesize(n).kind() == "null";
                if matches!(ctx.node_text(op), "==" | "!=") && presence_tests.len() < MAX_USES {
                    if is_null(r) && is_email(&frame.canonical(ctx, l)) {
                        presence_tests.push(unparenthesize(l));
                    } else if is_null(l) && is_email(&frame.canonical(ctx, r)) {
                        presence_tests.push(unparenthesize(r));
                    }
                }
                let (l, r) = (frame.canonical(ctx, l), frame.canonical(ctx, r));
                let provider = "request.auth.token.firebase.sign_in_provider";
                let google = |s: &str| s == "'google.com'" || s == "\"google.com\"";
                if (l == provider && google(&r)) || (r == provider && google(&l)) {
                    verified = true;
                }
            }
            _ => {}
        });
        if verified || uses.is_empty() {
            continue;
        }
        if evaluate(ctx, model, allow).access == Access::Nobody {
            continue;
        }
        trusting.push(Trusting { allow: index, uses });
    }

    let mut findings = Vec::new();
    // Uses in a function or a match-level `let` are reported once, there,
    // for every statement that reaches them; uses in the allow's own
    // condition are reported per statement.
    let mut shared: Vec<(Node<'_>, Vec<usize>)> = Vec::new();
    for (ti, t) in trusting.iter().enumerate() {
        let allow = &model.allows[t.allow];
        let own: Vec<Node<'_>> = t
            .uses
            .iter()
            .filter(|(u, a)| u == a)
            .map(|(u, _)| *u)
            .collect();
        if own.is_empty() {
            let Some(container) = container(model, t.uses[0].0) else {
                continue;
            };
            match shared.iter_mut().find(|(c, _)| *c == container) {
                Some((_, members)) => members.push(ti),
                None => shared.push((container, vec![ti])),
            }
            continue;
        }
        let Some(expression) = allow.expression else {
            continue;
        };
        let message = format!(
            "`allow {}` trusts `request.auth.token.email` without checking `request.auth.token.email_verified`: anyone can sign up with that address, unverified, and pass. Add `&& {VERIFIED}`.",
            methods_text(ctx, allow),
        );
        let mut finding = Finding::new(&RULE, own[0].byte_range(), message);
        finding.fixes.extend(fix(ctx, expression, &own));
        findings.push(finding);
    }
    for (container, members) in shared {
        let mut nodes: Vec<Node<'_>> = Vec::new();
        let mut calls: Vec<(Node<'_>, usize)> = Vec::new();
        let allows: Vec<usize> = members.iter().map(|ti| trusting[*ti].allow).collect();
        for ti in &members {
            let t = &trusting[*ti];
            let index = &t.allow;
            for (u, a) in &t.uses {
                if container.start_byte() <= u.start_byte() && u.end_byte() <= container.end_byte()
                {
                    if !nodes.contains(u) {
                        nodes.push(*u);
                    }
                    if !calls.iter().any(|(c, _)| c == a) {
                        calls.push((*a, *index));
                    }
                }
            }
        }
        nodes.sort_by_key(|n| n.start_byte());
        let (what, body) = match container.kind() {
            "function_declaration" => (
                container
                    .child_by_field_name("name")
                    .map_or("function".to_string(), |n| {
                        format!("function `{}`", ctx.node_text(n))
                    }),
                container.child_by_field_name("body").and_then(|b| {
                    let mut c = b.walk();
                    let value = b
                        .named_children(&mut c)
                        .filter(|s| s.kind() == "return_statement")
                        .last()
                        .and_then(|r| r.child_by_field_name("value"));
                    value
                }),
            ),
            _ => (
                container
                    .child_by_field_name("name")
                    .map_or("`let`".to_string(), |n| {
                        format!("`let {}`", ctx.node_text(n))
                    }),
                container.child_by_field_name("value"),
            ),
        };
        let statements = if allows.len() == 1 {
            format!(
                "`allow {}` grants",
                methods_text(ctx, &model.allows[allows[0]])
            )
        } else {
            format!("{} allow statements grant", allows.len())
        };
        let message = format!(
            "{what} trusts `request.auth.token.email` without checking `request.auth.token.email_verified`, and {statements} access on it: anyone can sign up with that address, unverified, and pass. Add `&& {VERIFIED}`.",
        );
        let mut finding = Finding::new(&RULE, nodes[0].byte_range(), message);
        // The first places are enough to find the others.
        for (call, index) in calls.iter().take(20) {
            finding.related.push(Related {
                path: None,
                range: call.byte_range(),
                message: format!(
                    "`allow {}` grants access on it here.",
                    methods_text(ctx, &model.allows[*index])
                ),
            });
        }
        // A use in the let of a function is fixed where it is, as an
        // operand: the return value may not contain it.
        let inside_return = body.is_some_and(|b| {
            nodes
                .iter()
                .all(|n| b.start_byte() <= n.start_byte() && n.end_byte() <= b.end_byte())
        });
        if let (Some(body), true) = (body, inside_return) {
            finding.fixes.extend(fix(ctx, body, &nodes));
        }
        findings.push(finding);
    }
    findings
}

/// How many uses of the email are looked at per statement.
const MAX_USES: usize = 32;

/// Whether a reference (compact, substituted) is the token's email.
fn is_email(text: &str) -> bool {
    matches!(
        text,
        "request.auth.token.email"
            | "request.auth.token['email']"
            | "request.auth.token[\"email\"]"
    )
}

/// The function declaration or match-level `let` that holds a node.
fn container<'t>(model: &RulesFile<'t>, node: Node<'t>) -> Option<Node<'t>> {
    let inside =
        |n: Node<'t>| n.start_byte() <= node.start_byte() && node.end_byte() <= n.end_byte();
    model
        .functions
        .iter()
        .map(|f| f.node)
        .filter(|f| inside(*f))
        .min_by_key(|f| f.end_byte() - f.start_byte())
        .or_else(|| {
            model
                .match_lets
                .iter()
                .map(|(_, _, value)| *value)
                .find(|v| inside(*v))
                .and_then(|v| v.parent())
        })
}

/// Adds the verified check to the expression `root`: after it when the
/// email checks are joined to it by `&&` only, else next to each of them.
fn fix<'t>(ctx: &FileContext<'_>, root: Node<'t>, uses: &[Node<'t>]) -> Option<Fix> {
    let mut operands: Vec<Node<'_>> = Vec::new();
    for u in uses {
        let o = logical_operand(ctx, root, *u);
        if !operands.iter().any(|x| x.byte_range() == o.byte_range()) {
            operands.push(o);
        }
    }
    let mut edits: Vec<Edit> = if operands.iter().all(|o| only_and_above(ctx, root, *o)) {
        vec![Edit::replace(
            root.byte_range(),
            conjoin(ctx, root, VERIFIED),
        )]
    } else {
        operands
            .iter()
            .map(|o| {
                let in_parens = o
                    .parent()
                    .is_some_and(|p| p.kind() == "parenthesized_expression");
                let text = if in_parens {
                    conjoin(ctx, *o, VERIFIED)
                } else {
                    format!("({})", conjoin(ctx, *o, VERIFIED))
                };
                Edit::replace(o.byte_range(), text)
            })
            .collect()
    };
    edits.sort_by_key(|e| e.range.start);
    // Operands nested in one another would give overlapping edits.
    if edits.windows(2).any(|w| w[1].range.start < w[0].range.end) {
        return None;
    }
    Some(Fix {
        title: "Require a verified email".to_string(),
        applicability: Applicability::Unsafe,
        edits,
    })
}

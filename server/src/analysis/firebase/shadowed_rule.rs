//! `firebase/shadowed-rule`: a strict `allow` made void by a more
//! permissive one whose path covers the same documents.

use crate::analysis::firebase::condition::{evaluate, Access, Date, Verdict};
use crate::analysis::firebase::model::Allow;
use crate::analysis::firebase::paths::{is_v2, Pattern};
use crate::analysis::firebase::{allow_path, describe, methods_text, one_line};
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::util::line_number;
use crate::analysis::{FileContext, Finding, Related};
use crate::language::Language;

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "firebase/shadowed-rule",
    default_severity: Severity::Warning,
    summary: "A strict allow statement is voided by a more permissive one that matches the same documents (rules are OR-ed).",
    docs: r#"
## What it does
Finds a strict `allow` statement (owner only, a role or data check, or
`false`) that a more permissive one voids: another `allow` in the file that
grants some of the same operations to anyone, to anyone until a date (test
mode, while the date has not passed), or to any signed-in user, on a match
path that covers every document the strict one governs. For example
`match /users/{uid} { allow read: if request.auth.uid == uid; }` next to
`match /{path=**} { allow read: if request.auth != null; }`: every user can
read every profile, whatever the first rule says.

"Covers" is decided on the paths, segment by segment: a literal matches
itself, `{name}` one segment, `{name=**}` the rest of the path (zero or more
segments with `rules_version = '2'`, one or more before it, so
`/users/{uid}/{rest=**}` covers `/users/{id}` only in version 2), and a
recursive wildcard may stand in the middle (`/{path=**}/posts/{post}`
covers `/users/{uid}/posts/{postId}`). A permissive rule that reaches only
some of the documents (`/users/admin` against `/users/{uid}`) is not
reported.

Reported on the strict statement, once, naming the most permissive rule
that voids it (with a related location on it), and listing only the
operations it voids. Statements that are themselves open or signed-in-only
are left to `firebase/allow-if-true`, `firebase/test-mode-expiry` and
`firebase/auth-only`; the permissive rule itself is reported by those rules
and, on a catch-all path, by `firebase/recursive-wildcard`.

## Why is this bad?
Firebase evaluates every `allow` that matches a request and grants access if
any one of them is true: there is no precedence, and a strict rule never
overrides a permissive one. A strict rule that is void reads as protection
in review while the data is open (CWE-863). It usually comes from a
catch-all rule left over from test mode, or from a collection-group rule
written for one query.

## How to fix
Narrow or remove the permissive rule so that it no longer covers these
documents: give it a path of its own collection, or make its condition as
strict as the rules it covers. Moat offers no automatic fix: which of the
two rules is the intended one is a decision to make by hand.

## Example
```
service cloud.firestore {
  match /databases/{database}/documents {
    match /users/{uid} {
      allow read: if request.auth.uid == uid;   // reported: void
    }
    match /{path=**} {
      allow read: if request.auth != null;   // the cause (remove it)
    }
  }
}
```

## References
- CWE-863: Incorrect Authorization
- Firebase: Structure security rules, overlapping match statements (https://firebase.google.com/docs/firestore/security/rules-structure#overlapping_match_statements)
- Firebase: Fix insecure rules (https://firebase.google.com/docs/firestore/security/insecure-rules)
"#,
    languages: &[Language::FirebaseRules],
    check: Some(check),
};

/// Whether a verdict grants access to people who should be checked: anyone,
/// anyone before a date that has not passed, or any signed-in user.
fn is_permissive(v: &Verdict, today: Date) -> bool {
    match v.access {
        Access::Anyone | Access::SignedIn => true,
        Access::Until => v.until.is_some_and(|d| today < d),
        _ => false,
    }
}

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    check_on(ctx, Date::today())
}

/// The findings, with `today` as the current date.
fn check_on(ctx: &FileContext<'_>, today: Date) -> Vec<Finding> {
    let model = ctx.firebase_model();
    let v2 = is_v2(model);
    let usable: Vec<(&Allow<'_>, Verdict, usize)> = model
        .checkable_allows()
        .filter_map(|a| a.match_index.map(|m| (a, evaluate(ctx, model, a), m)))
        .collect();
    let paths: Vec<Pattern<'_>> = (0..model.matches.len())
        .map(|m| Pattern::new(&model.full_segments(m), v2))
        .collect();
    let permissive: Vec<&(&Allow<'_>, Verdict, usize)> = usable
        .iter()
        .filter(|(_, v, _)| is_permissive(v, today))
        .collect();
    let mut findings = Vec::new();
    for (strict, verdict, m) in &usable {
        if !matches!(
            verdict.access,
            Access::Nobody | Access::Restricted | Access::Owner
        ) {
            continue;
        }
        // The most permissive statement that covers it, then the one voiding
        // the most operations, then the first.
        let mut best: Option<(&Allow<'_>, Verdict, usize)> = None;
        for (other, v, om) in permissive.iter().copied() {
            if std::ptr::eq(*other, *strict)
                || other.ops.intersect(strict.ops).is_empty()
                || !paths[*om].covers(&paths[*m])
            {
                continue;
            }
            let score =
                |a: &Allow<'_>, v: &Verdict| (v.access, a.ops.intersect(strict.ops).iter().count());
            if best
                .as_ref()
                .is_none_or(|(b, bv, _)| score(other, v) > score(b, bv))
            {
                best = Some((other, *v, *om));
            }
        }
        let Some((permissive, pv, pm)) = best else {
            continue;
        };
        let voided = permissive.ops.intersect(strict.ops);
        let verbs = describe(voided);
        let nouns = format!("{}s", model.noun());
        let how = match verdict.access {
            Access::Owner => "to their owner",
            Access::Nobody => "to nobody",
            _ => "with its condition",
        };
        let who = pv.who();
        let permissive_text = {
            let methods = methods_text(ctx, permissive);
            match permissive.expression.map(|e| one_line(ctx.node_text(e))) {
                Some(c) if c.len() <= 60 => format!("`allow {methods}: if {c}`"),
                Some(_) => format!("`allow {methods}`"),
                None => format!("`allow {methods};`"),
            }
        };
        let line = line_number(ctx.text, permissive.node.start_byte());
        let place = if pm == *m {
            format!("in the same match (line {line})")
        } else {
            format!("at {} (line {line})", allow_path(model, permissive))
        };
        let message = format!(
            "`allow {}` limits who may {verbs} {nouns} under {} {how}, but {permissive_text} {place} lets {who} {verbs} them: rules are OR-ed, so this limit has no effect.",
            methods_text(ctx, strict),
            allow_path(model, strict),
        );
        let mut finding = Finding::new(&RULE, strict.node.byte_range(), message);
        finding.related.push(Related {
            path: None,
            range: permissive.node.byte_range(),
            message: format!(
                "This rule lets {who} {verbs} every {} under {}.",
                model.noun(),
                allow_path(model, permissive)
            ),
        });
        findings.push(finding);
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::with_file;

    fn run(rules: &str, today: Date) -> Vec<Finding> {
        with_file("firestore.rules", rules, Language::FirebaseRules, |ctx| {
            check_on(ctx, today)
        })
    }

    const TODAY: Date = Date {
        year: 2026,
        month: 1,
        day: 1,
    };

    #[test]
    fn owner_rule_under_a_signed_in_catch_all() {
        let rules = "rules_version = '2';
service cloud.firestore { match /databases/{database}/documents {
  match /users/{uid} {
    allow read, update: if request.auth.uid == uid;
  }
  match /{path=**} {
    allow read: if request.auth != null;
  }
} }";
        let f = run(rules, TODAY);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(
            f[0].message,
            "`allow read, update` limits who may read documents under /databases/{database}/documents/users/{uid} to their owner, but `allow read: if request.auth != null` at /databases/{database}/documents/{path=**} (line 7) lets any signed-in user read them: rules are OR-ed, so this limit has no effect."
        );
        assert_eq!(
            &rules[f[0].range.clone()],
            "allow read, update: if request.auth.uid == uid;"
        );
        assert_eq!(
            &rules[f[0].related[0].range.clone()],
            "allow read: if request.auth != null;"
        );
        assert_eq!(
            f[0].related[0].message,
            "This rule lets any signed-in user read every document under /databases/{database}/documents/{path=**}."
        );
    }

    #[test]
    fn the_strongest_shadow_is_named() {
        let rules = "service cloud.firestore { match /databases/{database}/documents {
  match /orders/{id} {
    allow write: if false;
    allow create: if request.auth != null;
  }
  match /{document=**} { allow write: if request.time < timestamp.date(2999, 1, 1); }
} }";
        let f = run(rules, TODAY);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.starts_with("`allow write` limits who may create, change and delete documents under /databases/{database}/documents/orders/{id} to nobody, but `allow write: if request.time < timestamp.date(2999, 1, 1)` at /databases/{database}/documents/{document=**} (line 6) lets anyone on the internet (until 2999-01-01)"), "{}", f[0].message);
        // Once the date has passed, the test-mode rule grants nothing; the
        // signed-in create in the same match still voids part of `false`.
        let f = run(
            rules,
            Date {
                year: 3000,
                month: 1,
                day: 1,
            },
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].message.contains("who may create documents"),
            "{}",
            f[0].message
        );
        assert!(
            f[0].message
                .contains("in the same match (line 4) lets any signed-in user create them"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn partial_overlaps_other_operations_and_version_1_pass() {
        let rules = "service cloud.firestore { match /databases/{database}/documents {
  match /users/{uid} { allow read: if request.auth.uid == uid; allow write: if false; }
  match /users/admin { allow read: if true; }
  match /{path=**} { allow list: if request.auth.token.admin == true; }
  match /users/{uid}/{rest=**} { allow read: if request.auth != null; }
  match /{coll}/{id} { allow delete: if isOwner(); }
} }";
        assert_eq!(run(rules, TODAY), Vec::<Finding>::new());
        // In version 2, `{rest=**}` also matches the user document itself.
        let f = run(&format!("rules_version = '2';\n{rules}"), TODAY);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].message.contains("/users/{uid}/{rest=**} (line 6)"),
            "{}",
            f[0].message
        );
    }
}

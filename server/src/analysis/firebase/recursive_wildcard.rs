//! `firebase/recursive-wildcard`: an open, test-mode or signed-in-only
//! `allow` on a recursive wildcard over the whole database or bucket.

use crate::analysis::firebase::condition::{evaluate, Access, Date};
use crate::analysis::firebase::model::Service;
use crate::analysis::firebase::paths::{covers_everything, is_v2};
use crate::analysis::firebase::{allow_path, describe, methods_text, too_open_finding};
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, Finding};
use crate::language::Language;

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "firebase/recursive-wildcard",
    default_severity: Severity::Error,
    summary: "A recursive wildcard over the whole database or bucket (`match /{document=**}`) lets anyone, or any signed-in user, in: it overrides every stricter rule.",
    docs: r#"
## What it does
Finds `allow` statements on a match path that covers every document of the
database (`/databases/{database}/documents/{document=**}`) or every file of
the bucket (`/b/{bucket}/o/{allPaths=**}`), written in one `match` or in
nested ones, whose condition lets in:

- anyone (`if true`, no condition, any always-true condition),
- anyone until a date (the test-mode `request.time < timestamp.date(...)`,
  reported whether or not the date has passed: redeploying with a later
  date is the usual "fix"),
- or any signed-in user (`request.auth != null`).

Paths that cover everything in another way count too: `/{collection}/
{document=**}`, or a top-level `match /{document=**}` with no
`/databases/{database}/documents` around it. With `rules_version = '2'` a
recursive wildcard matches zero or more segments, before it one or more;
the check follows the file's version.

The finding is on the `allow` statement (that is what to change), and says
how many stricter rules in the file it overrides. The same statement may
also be reported by `firebase/allow-if-true`, `firebase/test-mode-expiry` or
`firebase/auth-only`, which judge the condition alone; this rule adds that
it reaches everything. An `allow` on a recursive wildcard below a collection
(`/users/{userId}/{document=**}`) is not reported here.

## Why is this bad?
All `allow` statements that match a request are OR-ed: if any one grants,
the request succeeds. A permissive rule on a recursive wildcard matches
every request, so it silently voids every careful rule written for
individual collections (CWE-284, CWE-863). It is the shape of Firebase's
test-mode and early default rules, and of most leaked Firestore databases.

## How to fix
Delete the catch-all rule and write one `match` per collection, each with
its own conditions; anything not matched is denied. If a catch-all is
needed, make it deny (`allow read, write: if false;`) or restrict it to
administrators. The quick fix "Deny all" replaces the condition with
`false`; it changes what the app can do, so it is marked unsafe: check that
every collection the app uses has its own rule first.

## Example
```
service cloud.firestore {
  match /databases/{database}/documents {
    match /{document=**} {
      allow read, write: if request.auth != null;   // reported
    }
    match /users/{userId} {
      allow read, write: if request.auth != null && request.auth.uid == userId;   // fixed: the only rule left
    }
  }
}
```

## References
- CWE-284: Improper Access Control
- CWE-863: Incorrect Authorization
- Firebase: Fix insecure rules (https://firebase.google.com/docs/firestore/security/insecure-rules)
- Firebase: Structure security rules, recursive wildcards and overlapping match statements (https://firebase.google.com/docs/firestore/security/rules-structure)
"#,
    languages: &[Language::FirebaseRules],
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    let model = ctx.firebase_model();
    let v2 = is_v2(model);
    let today = Date::today();
    let usable: Vec<_> = model
        .checkable_allows()
        .filter(|a| a.match_index.is_some())
        .map(|a| (a, evaluate(ctx, model, a)))
        .collect();
    let everywhere =
        |m: Option<usize>| m.is_some_and(|m| covers_everything(&model.full_segments(m), v2));
    let mut findings = Vec::new();
    for (allow, verdict) in &usable {
        if !matches!(
            verdict.access,
            Access::Anyone | Access::Until | Access::SignedIn
        ) || !everywhere(allow.match_index)
        {
            continue;
        }
        let everything = if model.service == Service::Storage {
            "every file in the bucket"
        } else {
            "every document in the database"
        };
        // Other statements it voids: stricter, on some of the same operations.
        let overridden = usable
            .iter()
            .filter(|(other, v)| {
                !std::ptr::eq(*other, *allow)
                    && !other.ops.intersect(allow.ops).is_empty()
                    && v.access < verdict.access
            })
            .count();
        let rules = match overridden {
            0 => "any stricter rule added for a collection".to_string(),
            1 => "the stricter rule in this file".to_string(),
            n => format!("the {n} stricter rules in this file"),
        };
        let head = format!(
            "`allow {}` at {} matches {everything}",
            methods_text(ctx, allow),
            allow_path(model, allow),
        );
        let verbs = describe(allow.ops);
        let message = match (verdict.access, verdict.until) {
            (Access::Until, Some(date)) if today >= date => format!(
                "{head}: it is a test-mode rule that let anyone on the internet {verbs} them until {date}. It has expired, but redeploying it with a later date, the usual repair, would again override {rules}, since rules are OR-ed."
            ),
            _ => {
                let who = verdict.who();
                let effect = if overridden == 0 {
                    format!("{rules} would have no effect")
                } else {
                    format!("it overrides {rules}")
                };
                format!("{head} and lets {who} {verbs} them; since rules are OR-ed, {effect}.")
            }
        };
        findings.push(too_open_finding(&RULE, model, allow, message));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::with_file;

    fn run(rules: &str) -> Vec<Finding> {
        with_file("firestore.rules", rules, Language::FirebaseRules, check)
    }

    #[test]
    fn message_counts_the_overridden_rules() {
        let f = run("rules_version = '2';
service cloud.firestore { match /databases/{database}/documents {
  match /{path=**} { allow read: if request.auth != null; }
  match /users/{userId} { allow read, write: if request.auth.uid == userId; }
  match /admin/{doc} { allow write: if false; }
} }");
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "`allow read` at /databases/{database}/documents/{path=**} matches every document in the database and lets any signed-in user read them; since rules are OR-ed, it overrides the stricter rule in this file."
        );
        let titles: Vec<&str> = f[0].fixes.iter().map(|f| f.title.as_str()).collect();
        assert_eq!(titles, ["Deny all"]);
    }

    #[test]
    fn storage_and_far_dates() {
        let f = run(
            "service firebase.storage { match /b/{bucket}/o { match /{allPaths=**} {
  allow read, write: if request.time < timestamp.date(2000, 1, 1);
  allow get: if request.time < timestamp.date(2999, 1, 1);
} } }",
        );
        assert_eq!(f.len(), 2);
        assert!(f[0].message.contains("matches every file in the bucket: it is a test-mode rule that let anyone on the internet read, create, change and delete them until 2000-01-01. It has expired, but redeploying it with a later date, the usual repair, would again override any stricter rule added for a collection, since rules are OR-ed."), "{}", f[0].message);
        assert!(f[1].message.contains("lets anyone on the internet (until 2999-01-01) read them; since rules are OR-ed, any stricter rule added for a collection would have no effect."), "{}", f[1].message);
    }

    #[test]
    fn narrower_or_stricter_catch_alls_pass() {
        let f = run("rules_version = '2';
service cloud.firestore { match /databases/{database}/documents {
  match /users/{userId}/{document=**} { allow read, write: if request.auth != null; }
  match /{document=**} { allow read: if request.auth.token.admin == true; allow write: if false; }
  match /{path=**}/posts/{postId} { allow read: if true; }
} }");
        assert!(f.is_empty(), "{f:?}");
    }
}

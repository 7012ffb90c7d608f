//! `firebase/allow-if-true`: an `allow` that grants access to everyone.

use crate::analysis::firebase::{for_each_allow, methods, unparenthesize};
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, Finding};
use crate::fix::{Applicability, Edit, Fix};
use crate::language::Language;

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "firebase/allow-if-true",
    default_severity: Severity::Error,
    summary:
        "An allow statement grants access to everyone: its condition is `true`, or it has none.",
    docs: r#"
## What it does
Finds `allow` statements in Firestore and Cloud Storage security rules whose
condition is always true: `allow read, write: if true;`, or an `allow` with no
condition at all (`allow read;`), which Firebase treats the same way.

Reported on the whole `allow` statement. Public reads are reported too: if a
collection is meant to be world-readable, say so with a suppression comment
(`// moat-ignore: firebase/allow-if-true -- public catalogue`) so the
decision is visible in review.

## Why is this bad?
Security rules are the only thing between the internet and your database or
bucket: the web client's configuration is public, so anyone can call the
Firestore and Storage APIs directly. An always-true `allow` lets anyone read,
overwrite or delete the documents it matches, and since every matching
`allow` is OR-ed, it also voids any stricter rule elsewhere for the same path
(CWE-284, CWE-862).

## How to fix
Replace the condition with one that checks who is asking. The quick fixes
offer "Restrict to the owner" (`request.auth != null && request.auth.uid ==
userId`, offered when an enclosing path wildcard names a user: `userId`,
`uid`, `ownerId`, `authorId`, ...) and "Deny all" (`false`). Both
change who can access the data, so both are marked unsafe: review before
applying.

## Example
```
service cloud.firestore {
  match /databases/{database}/documents {
    match /users/{userId} {
      allow read, write: if true;   // reported
      allow read, write: if request.auth != null && request.auth.uid == userId;   // fixed
    }
  }
}
```

## References
- CWE-284: Improper Access Control
- CWE-862: Missing Authorization
- Firebase: Fix insecure rules (https://firebase.google.com/docs/firestore/security/insecure-rules)
"#,
    languages: &[Language::FirebaseRules],
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for_each_allow(ctx, |allow, scope| {
        if allow.has_error() {
            return;
        }
        let condition = allow.child_by_field_name("condition");
        let expression = condition.and_then(|c| c.child_by_field_name("expression"));
        let always_true = match expression {
            None => condition.is_none(),
            Some(e) => unparenthesize(e).kind() == "true",
        };
        if !always_true {
            return;
        }
        let methods = methods(ctx, allow);
        if methods.is_empty() {
            return;
        }
        let methods_text = methods.join(", ");
        let path = scope.full_path(ctx);
        let what = match condition {
            None => format!("`allow {methods_text};` has no condition, so it"),
            Some(_) => format!("`allow {methods_text}: if true;`"),
        };
        let noun = scope.noun();
        let message = format!(
            "{what} grants access to everyone: anyone on the internet can {} any {noun} under {path}, whatever other rules say.",
            describe(&methods)
        );
        let mut finding = Finding::new(&RULE, allow.byte_range(), message);

        // Where the new condition goes: replace the expression, or insert
        // `: if ...` after the last method when there is none.
        let edit_for = |new_condition: &str| match expression {
            Some(e) => Edit::replace(e.byte_range(), new_condition),
            None => {
                let mut cursor = allow.walk();
                let last = allow.children_by_field_name("method", &mut cursor).last();
                let at = last.map_or(allow.end_byte(), |m| m.end_byte());
                Edit::insert(at, format!(": if {new_condition}"))
            }
        };
        if let Some(owner) = scope.owner_wildcard(ctx) {
            finding = finding.with_fix(Fix::new(
                format!("Restrict to the owner ({owner})"),
                Applicability::Unsafe,
                edit_for(&format!(
                    "request.auth != null && request.auth.uid == {owner}"
                )),
            ));
        }
        finding = finding.with_fix(Fix::new(
            "Deny all",
            Applicability::Unsafe,
            edit_for("false"),
        ));
        findings.push(finding);
    });
    findings
}

/// What the methods let someone do, as a phrase: `read, write` gives
/// "read, create, change and delete".
fn describe(methods: &[&str]) -> String {
    let mut verbs: Vec<&str> = Vec::new();
    for m in methods {
        let add: &[&str] = match *m {
            "read" | "get" => &["read"],
            "list" => &["list"],
            "write" => &["create", "change", "delete"],
            "create" => &["create"],
            "update" => &["change"],
            "delete" => &["delete"],
            _ => &[],
        };
        for v in add {
            if !verbs.contains(v) {
                verbs.push(v);
            }
        }
    }
    match verbs.as_slice() {
        [] => "access".to_string(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

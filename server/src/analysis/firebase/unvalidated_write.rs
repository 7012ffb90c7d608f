//! `firebase/unvalidated-write`: create or update allowed with no look at
//! the data being written.

use crate::analysis::firebase::allow_path;
use crate::analysis::firebase::facts::{
    limits_who_writes, methods_granting, methods_range, ops_of, reach,
};
use crate::analysis::firebase::model::{Op, Service};
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, Finding};
use crate::language::Language;

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "firebase/unvalidated-write",
    default_severity: Severity::Info,
    summary: "A Firestore allow lets clients create or update documents without any check of the data they write (`request.resource.data`).",
    docs: r#"
## What it does
Finds Firestore `allow` statements that grant create or update (`create`,
`update`, `write`) with a condition that never looks at the incoming
document: no `request.resource.data` anywhere in the condition or in the
functions and `let`s it uses (no `keys().hasOnly([...])`, no `is string`
type check, no field comparison), nor `getAfter()` or `request.writeFields`.

Reported on the method that grants the write, at info level: it is a missing
layer of defence, not an open door by itself.

Not reported:

- Cloud Storage rules (file uploads have their own rule,
  `firebase/storage-unbounded-upload`).
- Statements that grant nothing (`if false`).
- Statements open to anyone (`if true`, or the test-mode date template):
  `firebase/allow-if-true` and `firebase/test-mode-expiry` report them, and
  validating the data of a database anyone can write is not the first
  problem.
- `delete` alone: there is no incoming document.
- Statements reserved for administrators: a condition that is neither open,
  signed-in nor owner-only and that reads a custom claim
  (`request.auth.token.admin`, `request.auth.token.role`) or names an admin
  (`isAdmin()`, `'admin'`, an `/admins/` path). The backend sets custom
  claims, so those writers are trusted; `isOwner(userId) || isAdmin()` is
  still reported (owners write too).

## Why is this bad?
Whoever passes the condition can write any fields, of any type and size,
into the document: a `role: "admin"` or `verified: true` field the app then
trusts, a 1 MB string, a number where the app expects a timestamp (CWE-20,
CWE-915). Rules are the only server-side validation a Firestore app without
a backend has; the client's own checks can be skipped by calling the API
directly.

## How to fix
Check the shape of the document in the condition, usually in a function:
the allowed keys (`request.resource.data.keys().hasOnly([...])`), the types
(`request.resource.data.title is string`), sizes, and on update which fields
may change (`request.resource.data.diff(resource.data).affectedKeys().hasOnly([...])`).
There is no quick fix: the schema is the app's.

## Example
```
match /posts/{postId} {
  allow create: if request.auth != null;   // reported
  allow create: if request.auth != null    // fixed
    && request.resource.data.keys().hasOnly(['title', 'body', 'authorId'])
    && request.resource.data.title is string
    && request.resource.data.title.size() <= 200
    && request.resource.data.authorId == request.auth.uid;
}
```

## References
- CWE-20: Improper Input Validation
- CWE-915: Improperly Controlled Modification of Dynamically-Determined Object Attributes
- Firebase: Data validation (https://firebase.google.com/docs/firestore/security/rules-conditions#data_validation)
- Firebase: Control access to specific fields (https://firebase.google.com/docs/firestore/security/rules-fields)
"#,
    languages: &[Language::FirebaseRules],
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    let model = ctx.firebase_model();
    if model.service == Service::Storage {
        return Vec::new();
    }
    let writes = ops_of(&[Op::Create, Op::Update]);
    let mut findings = Vec::new();
    for allow in model
        .checkable_allows()
        .filter(|a| !a.ops.intersect(writes).is_empty())
    {
        if !limits_who_writes(ctx, model, allow) {
            continue;
        }
        let mut validated = false;
        reach(ctx, model, allow, |frame, node| {
            if validated {
                return;
            }
            match node.kind() {
                "identifier" | "member_expression" | "call_expression" => {
                    let text = frame.canonical(ctx, node);
                    if text.starts_with("request.resource")
                        || text.starts_with("request.writeFields")
                        || text.starts_with("getAfter(")
                    {
                        validated = true;
                    }
                }
                _ => {}
            }
        });
        if validated {
            continue;
        }
        let granting: Vec<&str> = methods_granting(ctx, allow, writes)
            .iter()
            .map(|m| ctx.node_text(*m))
            .collect();
        let verbs = match (
            allow.ops.contains(Op::Create),
            allow.ops.contains(Op::Update),
        ) {
            (true, true) => "create or change",
            (true, false) => "create",
            _ => "change",
        };
        let message = format!(
            "`allow {}` lets whoever passes its condition {verbs} documents under {} with any fields and values: nothing checks `request.resource.data`. Validate the keys, types and sizes of the incoming document.",
            granting.join(", "),
            allow_path(model, allow),
        );
        findings.push(Finding::new(
            &RULE,
            methods_range(ctx, allow, writes),
            message,
        ));
    }
    findings
}

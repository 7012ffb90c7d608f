//! `firebase/allow-if-true`: an `allow` that grants access to everyone.

use crate::analysis::firebase::condition::{evaluate, Access};
use crate::analysis::firebase::model::{Allow, RulesFile, Segment};
use crate::analysis::firebase::{
    allow_path, describe, methods_text, suggests_personal_data, too_open_finding, unparenthesize,
};
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, Finding};
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

Always-true conditions include `if true` and no condition at all, and also
`1 == 1`, `true || x`, `!false`, and calls to functions declared in the file
that return true (Moat follows functions, parameters and `let` bindings).

Reported on the whole `allow` statement, as an error. One milder case is a
warning: a read-only grant (`get`, `list`, `read`) on a collection whose name
does not suggest personal data (not users, profiles, accounts, customers,
members, orders, payments, invoices, billing, messages, chats, private,
secrets, tokens, admin, sessions, addresses, contacts, subscriptions,
settings) and that is not under a recursive wildcard — often a catalogue or
published posts on purpose. If a collection is meant to be world-readable,
say so with a suppression comment
(`// moat-ignore: firebase/allow-if-true -- public catalogue`) so the
decision is visible in review. A severity set in `moat.toml` applies to all
findings of the rule alike.

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
    let model = ctx.firebase_model();
    let mut findings = Vec::new();
    for allow in model.checkable_allows() {
        if evaluate(ctx, model, allow).access != Access::Anyone {
            continue;
        }
        let methods = methods_text(ctx, allow);
        let what = match allow.expression {
            None => format!("`allow {methods};` has no condition, so it"),
            Some(e) if unparenthesize(e).kind() == "true" => format!("`allow {methods}: if true;`"),
            Some(e) => format!(
                "`allow {methods}` is always true (`{}`), so it",
                ctx.node_text(e)
            ),
        };
        let message = format!(
            "{what} grants access to everyone: anyone on the internet can {} any {} under {}, whatever other rules say.",
            describe(allow.ops),
            model.noun(),
            allow_path(model, allow),
        );
        let mut finding = too_open_finding(&RULE, model, allow, message);
        if is_public_read(model, allow) {
            finding.severity = Severity::Warning;
            finding.message.push_str(
                " If every document here is meant to be public, say so with a `// moat-ignore: firebase/allow-if-true -- why` comment.",
            );
        }
        findings.push(finding);
    }
    findings
}

/// A read-only grant on a collection whose name does not suggest personal
/// data, below a fixed path (not a recursive wildcard over everything):
/// often intended (a catalogue, published posts), so reported as a warning.
fn is_public_read(model: &RulesFile<'_>, allow: &Allow<'_>) -> bool {
    if allow.ops.any_write() {
        return false;
    }
    let Some(m) = allow.match_index else {
        return false;
    };
    if model
        .full_segments(m)
        .iter()
        .any(|s| matches!(s, Segment::Recursive(_)))
    {
        return false;
    }
    model
        .collection(m)
        .is_some_and(|c| !suggests_personal_data(c))
}

//! `firebase/owner-field-escalation`: an owner may update their own user
//! document with no restriction on which fields change.

use tree_sitter::Node;

use crate::analysis::firebase::condition::{evaluate, Access};
use crate::analysis::firebase::facts::{conjoin, ops_of, reach, split_edit, Frame};
use crate::analysis::firebase::model::{Allow, Op, RulesFile, Service};
use crate::analysis::firebase::{allow_path, names_user_documents, words};
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, Finding};
use crate::fix::{Applicability, Fix};
use crate::language::Language;

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "firebase/owner-field-escalation",
    default_severity: Severity::Warning,
    summary: "Users may update their own user, profile, account or member document with no limit on which fields change, so they can set their own role, admin flag or plan.",
    docs: r#"
## What it does
Finds Firestore `allow update` (or `allow write`) statements on a user's own
document, in a collection named `users`, `profiles`, `accounts` or `members`
(singular or plural, any case, also as the last word of a longer name such as
`userProfiles` or `team_members`), whose condition lets the owner in
(`request.auth.uid == userId`, `isOwner(userId)`, `request.auth.uid ==
resource.data.uid`) and does not limit which fields may change.

A limit is any of: `request.resource.data.diff(resource.data).affectedKeys()`
(or `changedKeys()`, `addedKeys()`) `.hasOnly([...])` or `.hasAny([...])`,
`diff(...).unchangedKeys().hasAll([...])`, `request.resource.data.keys().hasOnly([...])`,
`request.writeFields.hasOnly([...])`, or a comparison that keeps a field as it
was (`request.resource.data.role == resource.data.role`), written in the
condition or in a function it calls. A `hasOnly` list that itself names a
privileged field (`role`, `admin`, `plan`, `permissions`...) does not count.

Reported on the method that grants the update.

## Why is this bad?
Apps keep the user's role, admin flag, plan, credits or verification status
in the user's own document and trust it elsewhere, in the UI and in other
rules (`get(/databases/$(database)/documents/users/$(request.auth.uid)).data.role == 'admin'`).
If the owner may write any field, any user can make themselves an admin or a
paying customer with one call from the browser console: privilege escalation
by mass assignment (CWE-915, CWE-269).

## How to fix
List the fields a user may change themselves, and keep everything else for
the backend (the Admin SDK bypasses rules):
`request.resource.data.diff(resource.data).affectedKeys().hasOnly(['displayName', 'photoURL'])`.

The quick fix adds that clause to the update, with a list made of the fields
the rules already mention for that collection (privileged-looking names such
as `role`, `isAdmin`, `plan`, `uid` and `email` left out), or
`['displayName', 'photoURL']` when there are none: edit the list. When the
statement also grants other methods (`allow read, update`, `allow write`) it
is split, so that the clause applies to update only (`resource` is null on
create, `request.resource` on read and delete). The fix changes what users
may write, so it is unsafe.

## Example
```
match /users/{userId} {
  allow read, update: if request.auth.uid == userId;   // reported
  allow read: if request.auth.uid == userId;           // fixed
  allow update: if request.auth.uid == userId
    && request.resource.data.diff(resource.data).affectedKeys().hasOnly(['displayName', 'photoURL']);
}
```

## References
- CWE-915: Improperly Controlled Modification of Dynamically-Determined Object Attributes
- CWE-269: Improper Privilege Management
- Firebase: Control access to specific fields (https://firebase.google.com/docs/firestore/security/rules-fields)
- Firebase: Secure data access for users and groups (https://firebase.google.com/docs/firestore/solutions/role-based-access)
"#,
    languages: &[Language::FirebaseRules],
    check: Some(check),
};

/// Parts of field names that suggest a privilege, a payment or an identity
/// the user must not set: left out of the suggested list, and a `hasOnly`
/// list naming one is no limit.
const PRIVILEGED: &[&str] = &[
    "role",
    "admin",
    "permission",
    "plan",
    "tier",
    "subscription",
    "premium",
    "credit",
    "balance",
    "verified",
    "claim",
    "banned",
    "stripe",
    "paid",
];

/// Words of identity fields (`uid`, `ownerId`, `authorUid`, `email`,
/// `createdAt`): not suggested either.
const IDENTITY: &[&str] = &[
    "uid", "id", "email", "owner", "author", "creator", "created",
];

fn is_privileged(field: &str) -> bool {
    words(field).iter().any(|w| {
        let singular = w.strip_suffix('s').unwrap_or(w);
        PRIVILEGED.contains(&w.as_str()) || PRIVILEGED.contains(&singular) || w.ends_with("admin")
    })
}

/// The default list when the rules mention no field of the collection.
const DEFAULT_FIELDS: &[&str] = &["displayName", "photoURL"];

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    let model = ctx.firebase_model();
    if model.service == Service::Storage {
        return Vec::new();
    }
    let mut findings = Vec::new();
    // The suggested fields, per match.
    let mut fields_of: std::collections::HashMap<usize, Vec<String>> =
        std::collections::HashMap::new();
    for allow in model
        .checkable_allows()
        .filter(|a| a.ops.contains(Op::Update))
    {
        let Some(index) = allow.match_index else {
            continue;
        };
        // A user's own document: `/users/{userId}`, `/teamMembers/{id}`.
        if !model
            .document_collection(index)
            .is_some_and(names_user_documents)
        {
            continue;
        }
        if evaluate(ctx, model, allow).access != Access::Owner {
            continue;
        }
        let limit = field_limit(ctx, model, allow);
        let loose: Vec<String> = match limit {
            Limit::Limited => continue,
            Limit::None => Vec::new(),
            Limit::Lets(fields) => fields,
        };
        let Some(method) = allow
            .methods
            .iter()
            .find(|m| matches!(ctx.node_text(**m), "update" | "write"))
        else {
            continue;
        };
        let path = allow_path(model, allow);
        let message = if loose.is_empty() {
            format!(
                "`allow {}` lets users update their own document under {path} with no limit on which fields change: if the app keeps a role, an admin flag or a plan there, users can set their own. List the fields they may change with `request.resource.data.diff(resource.data).affectedKeys().hasOnly([...])`.",
                ctx.node_text(*method)
            )
        } else {
            format!(
                "`allow {}` lets users change {} in their own document under {path}: the fields they may change include privileged ones. Take them out of the `hasOnly` list.",
                ctx.node_text(*method),
                loose
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let mut finding = Finding::new(&RULE, method.byte_range(), message);
        if loose.is_empty() {
            let fields = fields_of
                .entry(index)
                .or_insert_with(|| mentioned_fields(ctx, model, index));
            if let Some(fix) = fix(ctx, allow, fields) {
                finding.fixes.push(fix);
            }
        }
        findings.push(finding);
    }
    findings
}

/// What a condition does about the fields an update may change.
enum Limit {
    /// Nothing.
    None,
    /// They are limited.
    Limited,
    /// A list limits them, but lets privileged fields through.
    Lets(Vec<String>),
}

/// Whether an expression reads as a key set: `x.keys()`,
/// `x.diff(y).affectedKeys()`, `request.writeFields`.
fn is_key_set(text: &str) -> bool {
    [
        "keys()",
        "affectedKeys()",
        "changedKeys()",
        "addedKeys()",
        "writeFields",
    ]
    .iter()
    .any(|s| text.ends_with(s))
}

fn field_limit<'t>(ctx: &FileContext<'t>, model: &RulesFile<'t>, allow: &Allow<'t>) -> Limit {
    let mut limited = false;
    let mut loose: Vec<String> = Vec::new();
    reach(ctx, model, allow, |frame, node| {
        if limited {
            return;
        }
        match node.kind() {
            "call_expression" => {
                let Some((object, method)) = method_call(node) else {
                    return;
                };
                let receiver = frame.canonical(ctx, object);
                match ctx.node_text(method) {
                    "hasOnly" if is_key_set(&receiver) => {
                        let privileged: Vec<String> = list_strings(ctx, node)
                            .into_iter()
                            .filter(|f| is_privileged(f))
                            .collect();
                        if privileged.is_empty() {
                            limited = true;
                        } else {
                            for p in privileged {
                                if !loose.contains(&p) {
                                    loose.push(p);
                                }
                            }
                        }
                    }
                    "hasAny" if is_key_set(&receiver) => limited = true,
                    "hasAll" if receiver.ends_with("unchangedKeys()") => limited = true,
                    _ => {}
                }
            }
            "binary_expression"
                if node
                    .child_by_field_name("operator")
                    .is_some_and(|o| ctx.node_text(o) == "==")
                    && keeps_a_field(ctx, frame, node) =>
            {
                limited = true;
            }
            _ => {}
        }
    });
    if limited {
        Limit::Limited
    } else if loose.is_empty() {
        Limit::None
    } else {
        Limit::Lets(loose)
    }
}

/// The receiver and the method name of a method call: `x` and `hasOnly`
/// for `x.hasOnly([...])`. `None` for a call of a plain function
/// (`isOwner()`) or a node that is not a call.
fn method_call(call: Node<'_>) -> Option<(Node<'_>, Node<'_>)> {
    let func = call
        .child_by_field_name("function")
        .filter(|f| f.kind() == "member_expression")?;
    Some((
        func.child_by_field_name("object")?,
        func.child_by_field_name("property")?,
    ))
}

/// `request.resource.data.role == resource.data.role` (either order, any
/// field, also `[key]` or `.get('role', null)`), or the whole document kept.
fn keeps_a_field<'t>(ctx: &FileContext<'t>, frame: &Frame<'t>, node: Node<'t>) -> bool {
    let (Some(l), Some(r)) = (
        node.child_by_field_name("left"),
        node.child_by_field_name("right"),
    ) else {
        return false;
    };
    let (l, r) = (frame.canonical(ctx, l), frame.canonical(ctx, r));
    let suffix = |s: &str, prefix: &str| s.strip_prefix(prefix).map(str::to_string);
    let new = suffix(&l, "request.resource.data").or_else(|| suffix(&r, "request.resource.data"));
    let old = if l.starts_with("request.") {
        suffix(&r, "resource.data")
    } else {
        suffix(&l, "resource.data")
    };
    match (new, old) {
        (Some(n), Some(o)) => n == o && !n.starts_with(".keys()") && !n.starts_with(".size()"),
        _ => false,
    }
}

/// The string elements of the list argument of a call: `['a', 'b']`.
fn list_strings(ctx: &FileContext<'_>, call: Node<'_>) -> Vec<String> {
    let Some(args) = call.child_by_field_name("arguments") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut c = args.walk();
    for arg in args.named_children(&mut c) {
        if arg.kind() != "list" {
            continue;
        }
        let mut lc = arg.walk();
        for item in arg.named_children(&mut lc) {
            if item.kind() == "string" {
                let t = ctx.node_text(item);
                if t.len() >= 2 {
                    out.push(t[1..t.len() - 1].to_string());
                }
            }
        }
    }
    out
}

/// The fields the rules mention for the documents of match `index`
/// (`request.resource.data.name`, `resource.data.bio`), privileged and
/// identity names left out.
fn mentioned_fields<'t>(ctx: &FileContext<'t>, model: &RulesFile<'t>, index: usize) -> Vec<String> {
    let mut fields: Vec<String> = Vec::new();
    for allow in model
        .allows
        .iter()
        .filter(|a| !a.has_error && a.match_index == Some(index))
    {
        let mut add = |name: &str| {
            if !name.is_empty()
                && !is_privileged(name)
                && !words(name).iter().any(|w| IDENTITY.contains(&w.as_str()))
                && fields.len() < 12
                && !fields.iter().any(|f| f == name)
            {
                fields.push(name.to_string());
            }
        };
        reach(ctx, model, allow, |frame, node| match node.kind() {
            // `request.resource.data.name`, `resource.data.bio`
            "member_expression" => {
                let (Some(property), Some(object)) = (
                    node.child_by_field_name("property"),
                    node.child_by_field_name("object"),
                ) else {
                    return;
                };
                let object = frame.canonical(ctx, object);
                let name = ctx.node_text(property);
                // Map methods are not fields.
                let is_method = matches!(name, "keys" | "values" | "diff" | "size" | "get");
                if (object == "request.resource.data" || object == "resource.data") && !is_method {
                    add(name);
                }
            }
            // `request.resource.data.keys().hasOnly(['name', 'bio'])`
            "call_expression" => {
                let Some((object, method)) = method_call(node) else {
                    return;
                };
                if matches!(ctx.node_text(method), "hasOnly" | "hasAll")
                    && is_key_set(&frame.canonical(ctx, object))
                {
                    for name in list_strings(ctx, node) {
                        add(&name);
                    }
                }
            }
            _ => {}
        });
    }
    fields
}

fn fix<'t>(ctx: &FileContext<'t>, allow: &Allow<'t>, fields: &[String]) -> Option<Fix> {
    let expression = allow.expression?;
    let defaults: Vec<String> = DEFAULT_FIELDS.iter().map(|s| s.to_string()).collect();
    let fields = if fields.is_empty() {
        &defaults[..]
    } else {
        fields
    };
    let list = fields
        .iter()
        .map(|f| format!("'{f}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let clause =
        format!("request.resource.data.diff(resource.data).affectedKeys().hasOnly([{list}])");
    let condition = conjoin(ctx, expression, &clause);
    let edit = split_edit(ctx, allow, ops_of(&[Op::Update]), &condition)?;
    Some(Fix::new(
        format!("Limit the fields users may change to [{list}]"),
        Applicability::Unsafe,
        edit,
    ))
}

#[cfg(test)]
mod tests {
    use crate::analysis::analyze_text;
    use crate::config::Config;
    use crate::language::Language;
    use std::path::Path;

    fn rules(text: &str) -> Vec<&'static str> {
        let mut ids: Vec<&'static str> = analyze_text(
            Path::new("firestore.rules"),
            text,
            Language::FirebaseRules,
            &Config::default(),
        )
        .into_iter()
        .map(|f| f.rule)
        .collect();
        ids.sort_unstable();
        ids
    }

    /// Issue 3, examples e and f.
    #[test]
    fn owner_may_update_own_user_document() {
        let e = "rules_version = '2';\nservice cloud.firestore { match /databases/{database}/documents {\n  match /users/{userId} { allow read, update: if request.auth.uid == userId; }\n} }\n";
        assert_eq!(
            rules(e),
            [
                "firebase/owner-field-escalation",
                "firebase/unvalidated-write"
            ]
        );
        let f = "rules_version = '2';\nservice cloud.firestore { match /databases/{database}/documents {\n  match /users/{userId} {\n    allow read: if request.auth.uid == userId;\n    allow update: if request.auth.uid == userId && request.resource.data.diff(resource.data).affectedKeys().hasOnly(['displayName', 'photoURL']);\n  }\n} }\n";
        assert!(rules(f).is_empty(), "{:?}", rules(f));
    }

    #[test]
    fn privileged_names() {
        for name in [
            "role",
            "roles",
            "isAdmin",
            "superadmin",
            "planId",
            "stripeCustomerId",
            "emailVerified",
        ] {
            assert!(super::is_privileged(name), "{name}");
        }
        for name in ["displayName", "photoURL", "bio", "explanation", "planet"] {
            assert!(!super::is_privileged(name), "{name}");
        }
    }
}

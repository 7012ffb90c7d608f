//! `firebase/auth-only`: access granted to every signed-in user, with no
//! check of who they are.

use crate::analysis::firebase::condition::{evaluate, Access};
use crate::analysis::firebase::facts::binds_looser_than_and;
use crate::analysis::firebase::model::{Allow, Op, RulesFile};
use crate::analysis::firebase::{
    allow_path, describe, is_evidently_public, methods_text, one_line,
};
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, Finding};
use crate::fix::{Applicability, Edit, Fix};
use crate::language::Language;

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "firebase/auth-only",
    default_severity: Severity::Warning,
    summary: "An allow statement only checks that the user is signed in (`request.auth != null`): anyone who signs up gets the access.",
    docs: r#"
## What it does
Finds `allow` statements whose only check is that the request comes from a
signed-in user: `request.auth != null` or `request.auth.uid != null`,
written directly or through a function (`isSignedIn()`) or a `let`. Any
further check AND-ed to it (an owner check, a role, a field comparison)
makes the statement pass.

Reported for:

- changes (`write`, `update`, `delete`): any signed-in user can overwrite
  or delete everyone else's documents;
- creation (`create`) when an enclosing path wildcard names a user
  (`/users/{userId}`, `/profiles/{uid}/...`): anyone can create the
  documents of another user, before they do, with whatever fields
  (a role, a plan) they like. Creation elsewhere (a new post, a rating) is
  what signed-in users of most apps are meant to do; what they may put in
  the document is `firebase/unvalidated-write`'s concern;
- reads (`read`, `get`, `list`) of a collection that is not evidently
  public.

A collection is *evidently public* when the last literal segment of the
match path (the collection, or the Storage folder) is one of a short list of
names for content published to every visitor: `public`, `posts`,
`articles`, `blog`, `blogs`, `news`, `products`, `catalog`, `catalogue`,
`categories`, `tags`, `comments`, `reviews`, `ratings`, `restaurants`,
`shops`, `stores`, `recipes` (or their singular; matched on
the words of the name, so `blogPosts` and `public_assets` count, unless
another word says `private`, `secret`, `internal`, `admin` or `draft`).
Everything else — `users`, `orders`, `messages`, `rooms`, a recursive
wildcard over the whole database — is assumed to hold data that should not
go to every account. Signing up is open to anyone in most Firebase
projects, so "signed in" is not a permission.

## Why is this bad?
Firebase Authentication usually lets anyone create an account (email,
Google, or anonymous sign-in with one call from the browser console). A
rule that only checks `request.auth != null` therefore protects nothing from
an attacker: they sign up, then read every user's data, or rewrite and
delete it (CWE-285, CWE-639 when documents belong to users).

## How to fix
Check who the user is, not just that there is one: compare
`request.auth.uid` with the user id in the path or in the document
(`request.auth.uid == resource.data.ownerId`), or check a role. When an
enclosing path wildcard names the user (`userId`, `uid`, `ownerId`, ...),
the quick fix "Restrict to the owner" adds `&& request.auth.uid == userId`
to the condition. It changes who can access the data, so it is marked
unsafe: review before applying. If every signed-in user really is meant to
have the access (a shared board, a public feed), say so with a suppression
comment (`// moat-ignore: firebase/auth-only -- every member edits the board`).

## Example
```
service cloud.firestore {
  match /databases/{database}/documents {
    match /users/{userId} {
      allow read, write: if request.auth != null;   // reported
      allow read, write: if request.auth != null && request.auth.uid == userId;   // fixed
    }
    match /posts/{postId} {
      allow read: if request.auth != null;   // not reported: posts are public
    }
  }
}
```

## References
- CWE-285: Improper Authorization
- CWE-639: Authorization Bypass Through User-Controlled Key
- Firebase: Fix insecure rules, "Access for any authenticated user" (https://firebase.google.com/docs/firestore/security/insecure-rules)
- Firebase: Basic security rules, content-owner only access (https://firebase.google.com/docs/rules/basics)
"#,
    languages: &[Language::FirebaseRules],
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    let model = ctx.firebase_model();
    let mut findings = Vec::new();
    for allow in model.checkable_allows() {
        if evaluate(ctx, model, allow).access != Access::SignedIn {
            continue;
        }
        // Whether the collection is meant for every visitor (see the docs).
        let public = allow
            .match_index
            .and_then(|m| model.collection(m))
            .is_some_and(is_evidently_public);
        let owner = allow.match_index.and_then(|m| model.owner_wildcard(m));
        let changes = allow.ops.contains(Op::Update) || allow.ops.contains(Op::Delete);
        let creates = allow.ops.contains(Op::Create);
        let reads = allow.ops.any_read();
        // Creating is what users of most apps do (a post, a rating); it is
        // reported where the document belongs to a user named in the path.
        let reported = changes || (creates && owner.is_some()) || (reads && !public);
        if !reported {
            continue;
        }
        let methods = methods_text(ctx, allow);
        let condition = allow
            .expression
            .map(|e| one_line(ctx.node_text(e)))
            .unwrap_or_default();
        let path = allow_path(model, allow);
        let mut message = format!(
            "`allow {methods}` only checks that the user is signed in (`{condition}`): anyone who creates an account can {} any {} under {path}{}.",
            describe(allow.ops),
            model.noun(),
            if owner.is_some() { ", not only their own" } else { "" },
        );
        if public && reads {
            message.push_str(" Reads of this public collection are fine; the writes are not.");
        }
        let mut finding = Finding::new(&RULE, allow.node.byte_range(), message);
        if let Some(fix) = owner_fix(ctx, model, allow) {
            finding.fixes.push(fix);
        }
        findings.push(finding);
    }
    findings
}

/// "Restrict to the owner": `&& request.auth.uid == <wildcard>` after the
/// condition, when an enclosing wildcard names the user.
fn owner_fix(ctx: &FileContext<'_>, model: &RulesFile<'_>, allow: &Allow<'_>) -> Option<Fix> {
    let owner = model.owner_wildcard(allow.match_index?)?;
    let expr = allow.expression?;
    // `a || b && c` would bind the new check to `b` only.
    let loose = binds_looser_than_and(ctx, expr);
    let check = format!("request.auth.uid == {owner}");
    let edits = if loose {
        vec![
            Edit::insert(expr.start_byte(), "("),
            Edit::insert(expr.end_byte(), format!(") && {check}")),
        ]
    } else {
        vec![Edit::insert(expr.end_byte(), format!(" && {check}"))]
    };
    Some(Fix {
        title: format!("Restrict to the owner ({owner})"),
        applicability: Applicability::Unsafe,
        edits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::with_file;

    fn run(rules: &str) -> Vec<Finding> {
        with_file("firestore.rules", rules, Language::FirebaseRules, check)
    }

    #[test]
    fn message_and_fix() {
        let rules = "service cloud.firestore { match /databases/{database}/documents {
  match /users/{userId} { allow read, write: if request.auth != null; }
} }";
        let f = run(rules);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "`allow read, write` only checks that the user is signed in (`request.auth != null`): anyone who creates an account can read, create, change and delete any document under /databases/{database}/documents/users/{userId}, not only their own."
        );
        assert_eq!(f[0].fixes[0].title, "Restrict to the owner (userId)");
        let fixed = crate::fix::apply(rules, &f[0].fixes[0].edits).unwrap();
        assert!(
            fixed.contains("if request.auth != null && request.auth.uid == userId;"),
            "{fixed}"
        );
    }

    #[test]
    fn an_alternative_is_parenthesized() {
        let rules = "service cloud.firestore { match /databases/{database}/documents {
  match /users/{userId} { allow write: if request.auth != null || false; }
} }";
        let f = run(rules);
        let fixed = crate::fix::apply(rules, &f[0].fixes[0].edits).unwrap();
        assert!(
            fixed.contains("if (request.auth != null || false) && request.auth.uid == userId;"),
            "{fixed}"
        );
    }

    #[test]
    fn public_reads_pass_but_their_writes_do_not() {
        let rules = "service cloud.firestore { match /databases/{database}/documents {
  match /blogPosts/{postId} { allow read: if request.auth != null; }
  match /products/{id} { allow read, write: if request.auth != null; }
  match /privatePosts/{id} { allow read: if request.auth != null; }
  match /category/{id} { allow get: if request.auth != null; }
} }";
        let f = run(rules);
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(f[0].message.contains("/products/{id}"));
        assert!(f[0]
            .message
            .ends_with("Reads of this public collection are fine; the writes are not."));
        assert!(f[0].fixes.is_empty());
        assert!(f[1].message.contains("/privatePosts/{id}"));
    }
}

//! `firebase/storage-unbounded-upload`: a Cloud Storage upload allowed with
//! no size limit or no content type check.

use crate::analysis::firebase::allow_path;
use crate::analysis::firebase::facts::{
    conjoin, limits_who_writes, methods_range, ops_of, reach, split_edit,
};
use crate::analysis::firebase::model::{Op, Service};
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, Finding};
use crate::fix::{Applicability, Fix};
use crate::language::Language;

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "firebase/storage-unbounded-upload",
    default_severity: Severity::Warning,
    summary: "A Cloud Storage rule allows uploads without limiting their size (`request.resource.size`) or their type (`request.resource.contentType`).",
    docs: r#"
## What it does
Finds `allow create`, `allow update` and `allow write` statements in Cloud
Storage rules (`service firebase.storage`) whose condition, including the
functions and `let`s it uses, never reads `request.resource.size` (no size
limit) or never reads `request.resource.contentType` (no type check). The
message says which of the two is missing.

Reported on the method that grants the upload. Not reported: statements that
grant nothing (`if false`), and statements open to anyone (`if true`, the
test-mode date template), which `firebase/allow-if-true` and
`firebase/test-mode-expiry` report first.
Nor statements reserved for administrators: a condition that is neither
signed-in nor owner-only and that reads a custom claim
(`request.auth.token.admin == true`) or names an admin (`isAdmin()`,
`'admin'`, an `/admins/` path); `isOwner(userId) || isAdmin()` is still
reported, since owners upload too.

## Why is this bad?
Whoever passes the condition can upload files of any size and any type. A
signed-in user (anyone, once sign-up is open) can fill the bucket with
gigabytes, and the project pays for the storage and the egress
(CWE-400, CWE-770). Without a type check, an "avatar" can be an HTML or SVG
page with a script, served from the project's own domain to whoever opens
the link, or any file the app later processes as an image (CWE-434).

## How to fix
Limit both in the condition:
`request.resource.size < 5 * 1024 * 1024 && request.resource.contentType.matches('image/.*')`.
The quick fix appends the missing parts with those defaults (5 MB, images):
adjust them to what the app stores. On a delete `request.resource` is null,
so when the statement also grants delete (`allow write`) or read, the fix
splits it, and the limits apply to `create, update` only. The fix refuses
uploads that were accepted before, so it is unsafe.

## Example
```
service firebase.storage {
  match /b/{bucket}/o {
    match /avatars/{userId}/{fileName} {
      allow write: if request.auth.uid == userId;   // reported
      allow delete: if request.auth.uid == userId;  // fixed
      allow create, update: if request.auth.uid == userId
        && request.resource.size < 5 * 1024 * 1024
        && request.resource.contentType.matches('image/.*');
    }
  }
}
```

## References
- CWE-400: Uncontrolled Resource Consumption
- CWE-770: Allocation of Resources Without Limits or Throttling
- CWE-434: Unrestricted Upload of File with Dangerous Type
- Firebase: Secure files with Cloud Storage rules, data validation (https://firebase.google.com/docs/storage/security/rules-conditions#data_validation)
"#,
    languages: &[Language::FirebaseRules],
    check: Some(check),
};

const SIZE_LIMIT: &str = "request.resource.size < 5 * 1024 * 1024";
const TYPE_CHECK: &str = "request.resource.contentType.matches('image/.*')";

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    let model = ctx.firebase_model();
    if model.service != Service::Storage {
        return Vec::new();
    }
    let uploads = ops_of(&[Op::Create, Op::Update]);
    let mut findings = Vec::new();
    for allow in model
        .checkable_allows()
        .filter(|a| !a.ops.intersect(uploads).is_empty())
    {
        let Some(expression) = allow.expression else {
            continue;
        };
        if !limits_who_writes(ctx, model, allow) {
            continue;
        }
        let (mut size, mut content_type) = (false, false);
        reach(ctx, model, allow, |frame, node| {
            if !matches!(node.kind(), "member_expression" | "index_expression") {
                return;
            }
            let text = frame.canonical(ctx, node);
            size |= text.starts_with("request.resource.size");
            content_type |= text.starts_with("request.resource.contentType");
        });
        let missing = match (size, content_type) {
            (true, true) => continue,
            (false, false) => "of any size and any type: nothing checks `request.resource.size` or `request.resource.contentType`",
            (false, true) => "of any size: nothing checks `request.resource.size`",
            (true, false) => "of any type: nothing checks `request.resource.contentType`",
        };
        let range = methods_range(ctx, allow, uploads);
        let message = format!(
            "`allow {}` accepts uploads under {} {missing}. Limit the size and the type, e.g. `{SIZE_LIMIT} && {TYPE_CHECK}`.",
            ctx.slice(range.clone()),
            allow_path(model, allow),
        );
        let mut finding = Finding::new(&RULE, range, message);
        let mut parts = Vec::new();
        if !size {
            parts.push(SIZE_LIMIT);
        }
        if !content_type {
            parts.push(TYPE_CHECK);
        }
        let condition = conjoin(ctx, expression, &parts.join(" && "));
        if let Some(edit) = split_edit(ctx, allow, uploads, &condition) {
            let title = match (size, content_type) {
                (false, false) => "Limit uploads to images under 5 MB",
                (false, true) => "Limit uploads to 5 MB",
                _ => "Limit uploads to images",
            };
            finding
                .fixes
                .push(Fix::new(title, Applicability::Unsafe, edit));
        }
        findings.push(finding);
    }
    findings
}

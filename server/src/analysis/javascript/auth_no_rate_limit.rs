//! `auth/no-rate-limit`: a login, signup, password-reset, verification,
//! OTP or MFA route with no rate limiter.

use crate::analysis::javascript::auth_unprotected_route::{is_orphan_imported, related};
use crate::analysis::javascript::routes::{is_credential_path, is_rate_name, Framework};
use crate::analysis::rule::{Rule, Severity, JS_FAMILY};
use crate::analysis::{FileContext, Finding};
use crate::fix::{Applicability, Edit, Fix};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "auth/no-rate-limit",
    default_severity: Severity::Warning,
    summary: "A login, signup, password-reset, verification, OTP or MFA route has no rate limiter.",
    docs: r#"
## What it does
Reports a route whose path names a credential step (a segment such as
`login`, `signin`, `signup`, `register`, `reset-password`, `forgot-password`,
`verify`, `otp`, `mfa`, `2fa`, `magic-link`, `token`) that accepts a POST, PUT
or PATCH (or every method), when no rate limiter applies: none in its
middleware chain (registered before it on the app or a router above it, or in
its own arguments), none in a Next.js middleware covering it, and none called
in the handler.

Rate limiters are recognised by package (express-rate-limit,
express-slow-down, rate-limiter-flexible, @upstash/ratelimit,
@fastify/rate-limit and a route's `config.rateLimit`, hono-rate-limiter,
express-brute) and by name (`loginLimiter`, `rateLimit`, `throttle`). GET
routes are not reported (a verification link opened from an email is a GET
with a long random token).

Reported on the route registration (or the exported handler). A router
that another file imports but whose mount Moat cannot follow (mounted in a
loop over a table of routes, say) is not judged: the limiter may sit on the
mount.

## Why is this bad?
Without a limit, an attacker can try passwords, one-time codes or reset
tokens as fast as the server answers (credential stuffing, OTP brute force),
or flood the signup and email endpoints (CWE-307, CWE-799). Upstream limits of
an auth provider see your server's address, not the attacker's, when your
route calls it.

## How to fix
The quick fix (unsafe) puts the file's own limiter in front of the route
when it has one (an import named like a limiter, or `const x =
rateLimit(...)`), and otherwise adds `authLimiter` from express-rate-limit
(10 attempts per 15 minutes) with its import; you must then install the
package and choose the limits. Express routes only. Put a limiter in front
of the route: `app.post('/login', loginLimiter, login)`
with `express-rate-limit` (`rateLimit({ windowMs: 15 * 60 * 1000, limit: 10 })`),
`@fastify/rate-limit`, or `@upstash/ratelimit` in a Next.js route handler.

## Example
```js
app.post('/api/auth/login', login);                 // warning
app.post('/api/auth/login', loginLimiter, login);   // fine
```

## References
- CWE-307: Improper Restriction of Excessive Authentication Attempts
- CWE-799: Improper Control of Interaction Frequency
- OWASP API Security Top 10: API4:2023 Unrestricted Resource Consumption
"#,
    languages: JS_FAMILY,
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    let (project, me) = ctx.js_project();
    let mut out = Vec::new();
    for r in project.routes().routes_in(me) {
        let writes = matches!(r.method.as_str(), "POST" | "PUT" | "PATCH" | "ALL");
        if !writes
            || !is_credential_path(&r.path)
            || r.rate_limited()
            || is_orphan_imported(r, project)
        {
            continue;
        }
        let mut f = Finding::new(
            &RULE,
            r.head.clone(),
            format!(
                "{} {} is a credential endpoint with no rate limiter: an attacker can try passwords or codes as fast as the server answers.",
                if r.method == "ALL" { "ANY".to_string() } else { r.method.clone() },
                r.path
            ),
        );
        for (file, range) in &r.mounts {
            f.related
                .push(related(project, ctx, *file, range.clone(), "mounted here"));
        }
        if r.framework == Framework::Express && !r.opaque {
            if let Some(at) = r.handler_start {
                f.fixes.push(limiter_fix(ctx, at));
            }
        }
        out.push(f);
    }
    out
}

/// The name of a rate limiter the file already has: an import whose name
/// says so, or `const x = rateLimit(...)` / `slowDown(...)` at any level.
fn existing_limiter(ctx: &FileContext<'_>) -> Option<String> {
    let (project, me) = ctx.js_project();
    if let Some(i) = project.files[me]
        .facts
        .imports
        .iter()
        .find(|i| i.imported != "*" && i.imported != "default" && is_rate_name(&i.local))
    {
        return Some(i.local.clone());
    }
    for pattern in ["= rateLimit(", "= slowDown(", "= rateLimiter("] {
        for (at, _) in ctx.text.match_indices(pattern) {
            let before = ctx.text[..at].trim_end();
            let name: String = before
                .chars()
                .rev()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '$')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let decl = before[..before.len() - name.len()].trim_end();
            if !name.is_empty()
                && (decl.ends_with("const") || decl.ends_with("let") || decl.ends_with("var"))
            {
                return Some(name);
            }
        }
    }
    None
}

/// Adds a limiter before the route's handler: the file's own, or a new
/// `authLimiter` from express-rate-limit (import or require, and its
/// declaration, after the file's last top-level import). Unsafe: it may add
/// a dependency, and only the project knows the right limits.
fn limiter_fix(ctx: &FileContext<'_>, handler_start: usize) -> Fix {
    if let Some(name) = existing_limiter(ctx) {
        return Fix::new(
            format!("Add `{name}` before the handler"),
            Applicability::Unsafe,
            Edit::insert(handler_start, format!("{name}, ")),
        );
    }
    let root = ctx.tree.root_node();
    let mut cursor = root.walk();
    let mut after = 0usize;
    let mut esm = false;
    let mut has_rate_limit_binding = false;
    for child in root.named_children(&mut cursor) {
        let text = ctx.node_text(child);
        match child.kind() {
            "import_statement" => {
                esm = true;
                after = child.end_byte();
                has_rate_limit_binding |= text.contains("express-rate-limit");
            }
            "lexical_declaration" | "variable_declaration" if text.contains("require(") => {
                after = child.end_byte();
                has_rate_limit_binding |= text.contains("express-rate-limit");
            }
            "comment" | "hash_bang_line" => {}
            "expression_statement" if after == 0 && text.starts_with(['\'', '"']) => {
                after = child.end_byte();
            }
            _ => break,
        }
    }
    let nl = crate::analysis::util::newline_of(ctx.text);
    let import = if has_rate_limit_binding {
        String::new()
    } else if esm {
        format!("import rateLimit from 'express-rate-limit';{nl}")
    } else {
        format!("const rateLimit = require('express-rate-limit');{nl}")
    };
    let declaration = format!(
        "{import}const authLimiter = rateLimit({{ windowMs: 15 * 60 * 1000, limit: 10 }});{nl}"
    );
    let edit = if after == 0 {
        Edit::insert(0, declaration)
    } else {
        Edit::insert(after, format!("{nl}{}", declaration.trim_end()))
    };
    Fix {
        title: "Add an express-rate-limit limiter (10 attempts per 15 minutes)".into(),
        applicability: Applicability::Unsafe,
        edits: vec![edit, Edit::insert(handler_start, "authLimiter, ")],
    }
}

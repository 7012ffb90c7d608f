//! `auth/no-rate-limit`: a login, signup, password-reset, verification,
//! OTP or MFA route with no rate limiter.

use crate::analysis::javascript::auth_unprotected_route::{is_orphan_imported, related};
use crate::analysis::javascript::routes::is_credential_path;
use crate::analysis::rule::{Rule, Severity, JS_FAMILY};
use crate::analysis::{FileContext, Finding};

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
Put a limiter in front of the route: `app.post('/login', loginLimiter, login)`
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
    for r in project.routes().routes.iter().filter(|r| r.file == me) {
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
        out.push(f);
    }
    out
}

//! `auth/middleware-order`: `app.use(auth)` registered after routes it was
//! evidently meant to guard.

use crate::analysis::javascript::auth_unprotected_route::{is_reportable, related};
use crate::analysis::rule::{Rule, Severity, JS_FAMILY};
use crate::analysis::util::line_indent;
use crate::analysis::{FileContext, Finding};
use crate::fix::{Applicability, Edit, Fix};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "auth/middleware-order",
    default_severity: Severity::Error,
    summary:
        "Auth middleware is registered after routes it was meant to guard; those routes are open.",
    docs: r#"
## What it does
Express and Hono run middleware in the order it is registered: `app.use(auth)`
guards only the routes and routers registered *after* it. This rule reports an
auth middleware (`app.use(requireAuth)`, `router.use(passport.authenticate(...))`,
`app.use('/api', verifyToken)`) registered after routes or mounted routers of
the same app or router that its path covers, when at least one of those
earlier routes is one that `auth/unprotected-route` would report (sensitive or
state-changing, and not evidently public). Earlier public routes (login,
health checks) are the normal pattern and are not reported.

Reported on the `use` call, with each earlier open route as a related place.
Fastify is not concerned: its hooks apply to the whole context whatever the
order.

## Why is this bad?
The code reads as if everything is protected, and tests that log in first pass,
but the routes registered above the middleware answer anonymous requests
(CWE-696: Incorrect Behavior Order, CWE-306).

## How to fix
Move the `use` call above the routes it should guard, or mount the routers
after it. The quick fix moves the statement above the first open route when
both are in the same file; it is marked unsafe, since moving middleware can
also put public routes behind it.

## Example
```js
app.use('/api/orders', ordersRouter);   // open: registered before the guard
app.use(requireAuth);
app.use('/api/users', usersRouter);
```
Fixed:
```js
app.use(requireAuth);
app.use('/api/orders', ordersRouter);
app.use('/api/users', usersRouter);
```

## References
- CWE-696: Incorrect Behavior Order
- CWE-306: Missing Authentication for Critical Function
- Express guide: "Using middleware" (order of registration)
"#,
    languages: JS_FAMILY,
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    let (project, me) = ctx.js_project();
    let model = project.routes();
    let mut out = Vec::new();
    for late in model.late_guards.iter().filter(|l| l.file == me) {
        let open: Vec<usize> = late
            .earlier
            .iter()
            .copied()
            .filter(|&i| is_reportable(&model.routes[i], project))
            .collect();
        if open.is_empty() {
            continue;
        }
        let first = &model.routes[open[0]];
        let names: Vec<String> = open
            .iter()
            .take(3)
            .map(|&i| describe(&model.routes[i]))
            .collect();
        let more = if open.len() > 3 {
            format!(" and {} more", open.len() - 3)
        } else {
            String::new()
        };
        let mut f = Finding::new(
            &RULE,
            late.range.clone(),
            format!(
                "`{}` is registered after {}{more}, which it does not guard: middleware runs in registration order, so those routes answer anonymous requests.",
                late.name,
                names.join(", ")
            ),
        );
        for &i in open.iter().take(10) {
            let r = &model.routes[i];
            // The mount in this file, if the route came through one.
            let (file, range) = r
                .mounts
                .iter()
                .find(|(f, _)| *f == me)
                .cloned()
                .unwrap_or((r.file, r.head.clone()));
            f.related.push(related(
                project,
                ctx,
                file,
                range,
                &format!("{} is registered before the guard", describe(r)),
            ));
        }
        // Move the statement above the first open route's statement.
        let target = first
            .mounts
            .iter()
            .find(|(f, _)| *f == me)
            .map(|(_, m)| m.start)
            .or((first.file == me).then_some(first.head.start));
        if let (Some(at), Some(stmt)) = (target, statement_lines(ctx.text, late.call.clone())) {
            let line_start = ctx.text[..at].rfind('\n').map_or(0, |i| i + 1);
            let only_ws_before = ctx.text[line_start..at].trim().is_empty();
            if only_ws_before && line_start < stmt.start {
                let indent = line_indent(ctx.text, at);
                let moved = ctx.text[stmt.clone()].trim_start();
                f.fixes.push(Fix {
                    title: format!("Move `{}` above the routes it should guard", late.name),
                    applicability: Applicability::Unsafe,
                    edits: vec![
                        Edit::insert(line_start, format!("{indent}{moved}")),
                        Edit::replace(stmt, ""),
                    ],
                });
            }
        }
        out.push(f);
    }
    out
}

/// A route as a message names it: `POST /api/orders`, or `the router
/// mounted at /admin` for a router Moat cannot see into.
fn describe(route: &crate::analysis::javascript::routes::Route) -> String {
    if route.opaque {
        format!("the router mounted at {}", route.path)
    } else {
        format!("{} {}", route.method, route.path)
    }
}

/// The whole lines holding a call statement (`app.use(x);` plus its line
/// break), when nothing else shares them.
fn statement_lines(text: &str, call: std::ops::Range<usize>) -> Option<std::ops::Range<usize>> {
    let start = text[..call.start].rfind('\n').map_or(0, |i| i + 1);
    if !text[start..call.start].trim().is_empty() {
        return None;
    }
    let rest = &text[call.end..];
    let line_end = rest.find('\n').map_or(text.len(), |i| call.end + i + 1);
    if !text[call.end..line_end]
        .trim()
        .trim_start_matches(';')
        .trim()
        .is_empty()
    {
        return None;
    }
    Some(start..line_end)
}

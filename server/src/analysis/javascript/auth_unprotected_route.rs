//! `auth/unprotected-route`: a sensitive or state-changing route with no
//! authentication in its middleware chain or its handler.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::analysis::javascript::project::JsProject;
use crate::analysis::javascript::routes::{
    is_admin_path, is_auth_name, is_public_path, is_sensitive_path, is_webhook_path, Framework,
    Route,
};
use crate::analysis::rule::{Rule, Severity, JS_FAMILY};
use crate::analysis::{FileContext, Finding, Related};
use crate::fix::{Applicability, Edit, Fix};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "auth/unprotected-route",
    default_severity: Severity::Warning,
    summary: "A sensitive or state-changing route has no authentication in its middleware chain or handler.",
    docs: r#"
## What it does
Builds the app's routes across files (Express, Fastify, Hono, Next.js route
handlers and `pages/api`, Supabase Edge Functions; see the route model in
`docs/architecture.md`) and reports a route that nothing authenticates when:

- its path is sensitive: with an `admin`, `superadmin` or `internal`
  segment, or under `/users`, `/account`, `/billing`, `/settings` (after an
  optional `/api` or `/api/v1`); `[auth] sensitive_paths` in moat.toml
  replaces this whole list, `/admin` included, or
- its method changes state (POST, PUT, PATCH, DELETE; for a handler that
  serves every method, one that tests `req.method` for them),

unless the path is evidently public: login, signup, register, logout, OAuth
callbacks, password reset, email verification, health checks, newsletter
sign-ups, a segment named `public` or starting with `public-` / `public_`
(`/api/public-bot/ask`: the author's own word); or its handler's
name says it is one of those steps (`router.post('/api/users',
registerUser)` is REST signup). These words do not clear an admin path
(`/admin/login` is still reported). A webhook path is
public only when its handler verifies the sender's signature
(`stripe.webhooks.constructEvent`, an HMAC compared with `timingSafeEqual`,
svix). The paths listed in `[auth] public_routes` (exact, or a prefix
ending in `*`) are never reported, admin paths and webhooks included.

A route with an `admin`, `superadmin` or `internal` segment is reported as
an **error**, others as a warning.

"Authenticated" means: an auth middleware in the route's chain (registered
before the route, on its app or on a router above it, or in the route's own
arguments), or a handler that checks the caller itself. Auth middleware
are recognised by name (`requireAuth`, `isAuthenticated`,
`passport.authenticate`, `expressjwt`, `clerkMiddleware`, `bearerAuth`,
`fastify.authenticate`, and the names in `[auth] middleware`), by package
(passport, express-jwt, Clerk, hono/jwt, @fastify/jwt, …), and by shape (a
function that reads the Authorization header or the session and refuses with
401/403, or calls an auth library). Handlers count as checking when they call
`supabase.auth.getUser()`, `getClaims`, `getServerSession`, `auth()`,
`currentUser()`, verify a token, or call a function of the same file that
does. Next.js routes are guarded by a `middleware.ts` / `proxy.ts` that
authenticates and whose `matcher` covers them.

Where it is reported: on the route registration (`app.post('/x'`), or, when
every route of a mounted router is open, once on the mount
(`app.use('/admin', adminRouter)`) with the routes as related places. A
router that no app mounts is judged alone, with the paths it writes, unless
another file imports it (then the mount was not understood and Moat stays
silent). Hono's chained style (`new Hono().use(...).post(...)`, routers
re-exported through `export * from './routes'`) is followed. Fastify
plugins loaded by `@fastify/autoload` (`register(AutoLoad, { dir:
path.join(__dirname, 'routes') })`) are mounted where the `register` is,
each under the prefix of its sub-folders (autoload's default), with the
app's hooks; a folder with an index file is one plugin, whose index
registers the rest. A plugin loaded some other way Moat cannot read is judged
alone, as a Fastify plugin when its instance is named `fastify`,
`instance` or `server`, when it is written `(app, opts)`, or when it calls
`addHook`, so its hooks guard its routes and the plugins it registers.

## Why is this bad?
A route without authentication is open to anyone who finds its URL. AI code
generators often write the handler and forget the middleware, or mount a
router before `app.use(auth)` (CWE-306, CWE-862).

## How to fix
Add the app's auth middleware to the route or the mount, or check the caller
at the top of the handler. The quick fix inserts an auth middleware that the
file already imports or defines; it is marked unsafe, since only you know
which guard the route needs. A route that is public on purpose: add its path
to `[auth] public_routes` in moat.toml, or suppress with
`// moat-ignore: auth/unprotected-route -- public by design`.

## Example
```js
const app = express();
app.use('/admin', adminRouter);          // error: no auth before /admin
app.post('/api/posts', createPost);      // warning: anyone can create posts
```
Fixed:
```js
app.use('/admin', requireAuth, requireAdmin, adminRouter);
app.post('/api/posts', requireAuth, createPost);
```

## References
- CWE-306: Missing Authentication for Critical Function
- CWE-862: Missing Authorization
- OWASP API Security Top 10: API5:2023 Broken Function Level Authorization
"#,
    languages: JS_FAMILY,
    check: Some(check),
};

/// Whether a route is one this rule reports (open, and sensitive or
/// state-changing, and not evidently public).
pub fn is_reportable(route: &Route, project: &JsProject) -> bool {
    let settings = &project.settings;
    if route.guarded() {
        return false;
    }
    // A router Moat cannot see into: only its mount path can tell.
    if route.opaque {
        return is_sensitive_path(&route.path, settings) && !is_public_path(&route.path, settings);
    }
    let webhook = is_webhook_path(&route.path);
    if webhook && route.handler.verifies_signature {
        return false;
    }
    let sensitive = is_sensitive_path(&route.path, settings);
    // The user's own `[auth] public_routes` entry always counts; a word like
    // `login` does not make an admin path or a webhook public.
    if is_listed_public(&route.path, settings) {
        return false;
    }
    if !webhook && !is_admin_path(&route.path) && is_public_path(&route.path, settings) {
        return false;
    }
    // `router.post('/api/users', registerUser)`: REST signup, named so.
    if !webhook
        && !is_admin_path(&route.path)
        && route
            .handler_name
            .as_deref()
            .is_some_and(is_public_handler_name)
    {
        return false;
    }
    // An Edge Function serves every method; only its name can say it is
    // sensitive.
    if route.framework == Framework::EdgeFunction {
        let name = route
            .path
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        return sensitive
            || [
                "admin", "internal", "delete", "user", "account", "billing", "payment", "settings",
            ]
            .iter()
            .any(|w| name.contains(w));
    }
    sensitive || route.mutating()
}

/// Whether `path` is one of `[auth] public_routes`: the same path, or under
/// an entry that ends with `*`.
fn is_listed_public(path: &str, settings: &super::project::AuthSettings) -> bool {
    settings.public_routes.iter().any(|p| {
        p == path
            || p.strip_suffix('*')
                .is_some_and(|prefix| path.starts_with(prefix))
    })
}

/// Whether a handler's name says it is a public step: signing up or in,
/// out, or recovering a password (`registerUser`, `authController.login`).
fn is_public_handler_name(name: &str) -> bool {
    let last = name.rsplit('.').next().unwrap_or(name).to_ascii_lowercase();
    [
        "register",
        "signup",
        "signin",
        "login",
        "logout",
        "signout",
        "forgotpassword",
        "resetpassword",
        "verifyemail",
        "authuser",
        "authenticateuser",
        "createaccount",
        "refreshtoken",
        "healthcheck",
    ]
    .iter()
    .any(|w| last.contains(w))
}

/// A route is reachable only through routers that another file imports in
/// a way the model did not follow (`router.use(r.path, r.route)` in a
/// loop): its full path and chain are unknown, so route rules stay silent.
pub fn is_orphan_imported(route: &Route, project: &JsProject) -> bool {
    !route.mounted && project.routes().imported.get(route.file) == Some(&true)
}

/// Where this rule reports, computed once per project: for each file, the
/// mounts reported whole (the mount's range and its routes) and the routes
/// reported one by one.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    mounts: Vec<Vec<(Range<usize>, Vec<usize>)>>,
    routes: Vec<Vec<usize>>,
}

impl Plan {
    fn build(project: &JsProject) -> Plan {
        let model = project.routes();
        let n = project.files.len();
        let open: Vec<bool> = model
            .routes
            .iter()
            .map(|r| is_reportable(r, project) && !is_orphan_imported(r, project))
            .collect();
        // Routes under one mount: when every route the mount brings in is
        // open, report once at the mount.
        let mut by_mount: BTreeMap<(usize, usize, usize), Vec<usize>> = BTreeMap::new();
        for (i, r) in model.routes.iter().enumerate() {
            if let Some((f, m)) = r.mounts.last() {
                by_mount.entry((*f, m.start, m.end)).or_default().push(i);
            }
        }
        let mut plan = Plan {
            mounts: vec![Vec::new(); n],
            routes: vec![Vec::new(); n],
        };
        let mut whole = std::collections::HashSet::new();
        for ((f, start, end), routes) in by_mount {
            if routes.len() > 1 && routes.iter().all(|&i| open[i]) {
                whole.insert((f, start, end));
                if let Some(list) = plan.mounts.get_mut(f) {
                    list.push((start..end, routes));
                }
            }
        }
        for (i, r) in model.routes.iter().enumerate() {
            let under_whole = r
                .mounts
                .last()
                .is_some_and(|(f, m)| whole.contains(&(*f, m.start, m.end)));
            if open[i] && !under_whole {
                if let Some(list) = plan.routes.get_mut(r.file) {
                    list.push(i);
                }
            }
        }
        plan
    }
}

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    let (project, me) = ctx.js_project();
    let model = project.routes();
    let plan = model.unprotected.get_or_init(|| Plan::build(project));
    let mut out = Vec::new();
    for (range, routes) in plan.mounts.get(me).into_iter().flatten() {
        let routes: Vec<&Route> = routes.iter().map(|&i| &model.routes[i]).collect();
        out.push(mount_finding(ctx, project, range.clone(), &routes));
    }
    for &i in plan.routes.get(me).into_iter().flatten() {
        out.push(route_finding(ctx, project, &model.routes[i]));
    }
    out
}

fn describe(route: &Route) -> String {
    let chain: Vec<&str> = route
        .chain
        .iter()
        .map(|m| m.name.as_str())
        .filter(|n| *n != "(inline)" && *n != "(expression)")
        .collect();
    let what = if route.method == "ALL" {
        "every method of".to_string()
    } else {
        route.method.clone()
    };
    let chain = if chain.is_empty() {
        "no middleware".to_string()
    } else {
        format!("only {}", chain.join(", "))
    };
    format!("{what} {} has no authentication: {chain} before the handler, and the handler does not check the caller", route.path)
}

fn severity(path: &str) -> Severity {
    if is_admin_path(path) {
        Severity::Error
    } else {
        Severity::Warning
    }
}

fn route_finding(ctx: &FileContext<'_>, project: &JsProject, route: &Route) -> Finding {
    let mut message = if route.opaque {
        format!(
            "The router `{}` is mounted at {} with no authentication: no auth middleware at this mount or before it (its routes are not in the workspace, so they are judged by the mount path)",
            route.handler_name.as_deref().unwrap_or("?"),
            route.path
        )
    } else {
        describe(route)
    };
    if is_webhook_path(&route.path) {
        // A webhook's sender cannot log in: the fix is a signature check.
        message.push_str("; a webhook must verify the sender's signature");
    }
    message.push('.');
    let mut f = Finding::new(&RULE, route.head.clone(), message);
    f.severity = severity(&route.path);
    for (file, range) in &route.mounts {
        f.related
            .push(related(project, ctx, *file, range.clone(), "mounted here"));
    }
    let webhook = is_webhook_path(&route.path);
    if let (Some(at), Some(name), false) = (
        route.handler_start,
        auth_middleware_in_file(ctx, project),
        webhook,
    ) {
        f.fixes.push(Fix::new(
            if route.opaque {
                format!("Add `{name}` to the mount")
            } else {
                format!("Add `{name}` before the handler")
            },
            Applicability::Unsafe,
            Edit::insert(at, format!("{name}, ")),
        ));
    }
    f
}

fn mount_finding(
    ctx: &FileContext<'_>,
    project: &JsProject,
    range: Range<usize>,
    routes: &[&Route],
) -> Finding {
    let listed: Vec<String> = routes
        .iter()
        .take(3)
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    let more = if routes.len() > 3 {
        format!(" and {} more", routes.len() - 3)
    } else {
        String::new()
    };
    let message = format!(
        "The router mounted here serves {}{more}, and none of its routes is authenticated: no auth middleware at this mount or before it, and no handler checks the caller.",
        listed.join(", ")
    );
    let mut f = Finding::new(&RULE, range.clone(), message);
    f.severity = if routes.iter().any(|r| is_admin_path(&r.path)) {
        Severity::Error
    } else {
        Severity::Warning
    };
    for r in routes.iter().take(10) {
        f.related.push(related(
            project,
            ctx,
            r.file,
            r.head.clone(),
            &format!("{} {} is open", r.method, r.path),
        ));
    }
    // Insert before the router: `app.use('/admin', requireAuth, router)`.
    // The mount's head ends with its path argument when it has one.
    if let Some(name) = auth_middleware_in_file(ctx, project) {
        let text = ctx.slice(range.clone());
        let edit = if text.ends_with(['\'', '"', '`']) {
            Some(Edit::insert(range.end, format!(", {name}")))
        } else {
            text.find('(')
                .map(|i| Edit::insert(range.start + i + 1, format!("{name}, ")))
        };
        if let Some(edit) = edit {
            f.fixes.push(Fix::new(
                format!("Add `{name}` to the mount"),
                Applicability::Unsafe,
                edit,
            ));
        }
    }
    f
}

/// A related place in `file` (this file: no path).
pub fn related(
    project: &JsProject,
    ctx: &FileContext<'_>,
    file: usize,
    range: Range<usize>,
    message: &str,
) -> Related {
    let (_, me) = ctx.js_project();
    Related {
        path: (file != me).then(|| project.files[file].path.clone()),
        range,
        message: message.to_string(),
    }
}

/// An auth middleware the file already imports or defines, to offer in a
/// fix.
fn auth_middleware_in_file(ctx: &FileContext<'_>, project: &JsProject) -> Option<String> {
    let (_, me) = ctx.js_project();
    let facts = &project.files.get(me)?.facts;
    let extra = &project.settings.middleware;
    facts
        .imports
        .iter()
        .filter(|i| {
            i.imported != "*"
                && (i.specifier.starts_with('.')
                    || i.specifier.starts_with("@/")
                    || i.specifier.starts_with("~/"))
        })
        .map(|i| i.local.as_str())
        .chain(facts.functions.iter().filter_map(|f| {
            (f.params.len() >= 3 && f.flags.checks_caller)
                .then_some(f.name.as_deref())
                .flatten()
        }))
        .find(|n| {
            is_auth_name(n, extra)
                && !n.to_ascii_lowercase().contains("admin")
                && !n.to_ascii_lowercase().contains("role")
        })
        .map(str::to_string)
}

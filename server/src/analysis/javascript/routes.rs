//! The HTTP surface of a JS/TS project: every route, its full path, the
//! ordered chain of middleware that applies to it, and whether anything in
//! that chain or in the handler checks who the caller is.
//!
//! Built from the [`JsProject`]'s per-file facts:
//!
//! - Express and Hono: each app is expanded in registration order.
//!   `use(mw)` guards only what is registered after it (Express's and
//!   Hono's order); `use('/p', mw)` only paths under `/p`; routers and
//!   sub-apps mounted with `use('/p', router)` / `route('/p', sub)` (a
//!   Hono app's own `basePath('/api')` prefixes its routes) are
//!   expanded in place with the prefix and the middleware in force at the
//!   mount, across files through `import`/`require` and
//!   `export default`/`module.exports`. `setup(app)` hands the app to a
//!   function that registers on its parameter.
//! - Fastify: `register(plugin, { prefix })`; request hooks (`onRequest`,
//!   `preHandler`, …) apply to every route of their context and the
//!   contexts below it, whatever the order (Fastify applies them when the
//!   app is ready); route options' hooks to that route.
//! - Next.js: `app/**/route.ts` exports (`GET`, `POST`, …), `pages/api/**`
//!   default exports, and `middleware.ts` / `proxy.ts` with its `matcher`.
//! - Supabase Edge Functions: `supabase/functions/<name>/index.ts` serving
//!   with `Deno.serve` or `serve`, at `/functions/v1/<name>`.
//!
//! Routers that no app mounts are judged alone, with the paths they write.
//!
//! Everything here is a judgement from names and shapes: auth middleware are
//! recognised by name (`requireAuth`, `passport.authenticate`,
//! `expressjwt`, `clerkMiddleware`, `bearerAuth`, names in moat.toml), by
//! the package they come from, and by what their body does (reads the
//! credentials and refuses with 401/403, or calls an auth library).

use std::ops::Range;

use super::project::facts::{param_is_fastify, BodyFlags, ObjectKind, Ref, RegKind};
use super::project::JsProject;

/// Which framework a route belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framework {
    /// Express (and routers written for it).
    Express,
    /// Fastify.
    Fastify,
    /// Hono.
    Hono,
    /// Next.js App Router route handler.
    NextApp,
    /// Next.js `pages/api`.
    NextPages,
    /// Supabase Edge Function.
    EdgeFunction,
}

/// One middleware in a route's chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Middleware {
    /// A name to show (`requireAuth`, `passport.authenticate`, `(inline)`).
    pub name: String,
    /// Whether it authenticates the caller.
    pub auth: bool,
    /// Whether it limits the request rate.
    pub rate_limit: bool,
    /// The file and byte range of the registration that put it there.
    pub file: usize,
    /// The registration's head (`app.use(requireAuth)`).
    pub range: Range<usize>,
}

/// One route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// The framework.
    pub framework: Framework,
    /// `GET`, `POST`, …; `ALL` when every method reaches the handler.
    pub method: String,
    /// The full path, `/`-joined from the mounts (`/admin/users/:id`).
    pub path: String,
    /// Whether part of the path is computed at run time.
    pub dynamic_path: bool,
    /// The file of the registration (or of the route handler module).
    pub file: usize,
    /// Where to report: the registration's head.
    pub head: Range<usize>,
    /// Where the route handler argument starts, to insert middleware.
    pub handler_start: Option<usize>,
    /// The middleware that run before the handler, in order.
    pub chain: Vec<Middleware>,
    /// What the handler's body does.
    pub handler: BodyFlags,
    /// The handler's name, if it has one.
    pub handler_name: Option<String>,
    /// The mounts leading here, outermost first: (file, head range).
    pub mounts: Vec<(usize, Range<usize>)>,
    /// Whether an app mounts it (`false`: a router no app mounts, judged
    /// with its own paths).
    pub mounted: bool,
    /// A mounted router whose routes Moat cannot see (`app.use('/admin',
    /// adminRouter)` with `adminRouter` imported from outside the
    /// workspace): the route stands for the whole mount, `ALL` methods.
    pub opaque: bool,
}

impl Route {
    /// Whether something checks the caller: auth middleware in the chain,
    /// or the handler itself.
    pub fn guarded(&self) -> bool {
        self.handler.checks_caller || self.chain.iter().any(|m| m.auth)
    }

    /// Whether a rate limiter applies.
    pub fn rate_limited(&self) -> bool {
        self.handler.limits_rate || self.chain.iter().any(|m| m.rate_limit)
    }

    /// Whether the method changes state (POST, PUT, PATCH, DELETE), or the
    /// handler of an all-methods route tests for one.
    pub fn mutating(&self) -> bool {
        matches!(self.method.as_str(), "POST" | "PUT" | "PATCH" | "DELETE")
            || (self.method == "ALL" && !self.handler.methods.is_empty())
    }
}

/// A `use(mw)` registered after routes of the same app that it would have
/// guarded had it come first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LateGuard {
    /// The file and head of the `use` call.
    pub file: usize,
    /// The `use` call's head.
    pub range: Range<usize>,
    /// The whole `use` call.
    pub call: Range<usize>,
    /// The middleware's name.
    pub name: String,
    /// The routes registered before it that its path covers, by index into
    /// [`RouteModel::routes`].
    pub earlier: Vec<usize>,
}

/// An Express app and what the error-handler rule needs about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct App {
    /// The framework.
    pub framework: Framework,
    /// The file creating it.
    pub file: usize,
    /// The creation call (`express()`).
    pub range: Range<usize>,
    /// The app's variable name.
    pub name: String,
    /// How many routes it serves, mounted routers included.
    pub routes: usize,
    /// Whether a 4-parameter error middleware (or `setErrorHandler` /
    /// `onError`) is registered.
    pub error_handler: bool,
}

/// Every route of the project, with the apps and misordered guards.
#[derive(Clone, Debug, Default)]
pub struct RouteModel {
    /// Routes in the order found.
    pub routes: Vec<Route>,
    /// Auth middleware registered after routes it would have guarded.
    pub late_guards: Vec<LateGuard>,
    /// Apps (Express, Fastify, Hono).
    pub apps: Vec<App>,
    /// For each file of the project, the indexes of the routes registered
    /// in it (so a per-file rule does not scan every route of the project).
    pub by_file: Vec<Vec<usize>>,
    /// For each file, whether another file imports it (resolved), computed
    /// once for the rules' "router mounted in a way not followed" check.
    pub imported: Vec<bool>,
    /// What `auth/unprotected-route` reports where, computed once per
    /// project by that rule.
    pub(crate) unprotected:
        std::sync::OnceLock<crate::analysis::javascript::auth_unprotected_route::Plan>,
}

impl RouteModel {
    /// The routes registered in file `file`.
    pub fn routes_in(&self, file: usize) -> impl Iterator<Item = &Route> {
        self.by_file
            .get(file)
            .into_iter()
            .flatten()
            .map(|&i| &self.routes[i])
    }
}

/// What a handler reference resolves to.
#[derive(Clone, Debug)]
enum Target {
    /// An HTTP object (router, app, plugin instance): file, object.
    Object(usize, usize),
    /// A function defined in the project: file, function; `factory` when
    /// it is called and its returned function is the handler.
    Function(usize, usize, bool),
    /// Something outside the project, or not understood: its name and
    /// whether it comes from an auth or rate-limit package.
    External {
        name: String,
        package: Option<String>,
    },
}

/// Packages whose exports authenticate.
const AUTH_PACKAGES: &[&str] = &[
    "passport",
    "express-jwt",
    "express-oauth2-jwt-bearer",
    "express-openid-connect",
    "@clerk/express",
    "@clerk/clerk-sdk-node",
    "@clerk/fastify",
    "@hono/clerk-auth",
    "hono/jwt",
    "hono/bearer-auth",
    "hono/basic-auth",
    "@fastify/jwt",
    "@fastify/auth",
    "@fastify/basic-auth",
    "express-basic-auth",
    "@auth/express",
    "next-auth/middleware",
];

/// Packages whose exports limit the rate.
const RATE_PACKAGES: &[&str] = &[
    "express-rate-limit",
    "express-slow-down",
    "rate-limiter-flexible",
    "@upstash/ratelimit",
    "@fastify/rate-limit",
    "hono-rate-limiter",
    "express-brute",
];

/// Whether a middleware's name says it authenticates.
pub fn is_auth_name(name: &str, extra: &[String]) -> bool {
    if extra
        .iter()
        .any(|e| e == name || name.ends_with(&format!(".{e}")))
    {
        return true;
    }
    let lower = name.to_ascii_lowercase();
    if [
        "optional",
        "maybe",
        "soft",
        "public",
        "noauth",
        "skipauth",
        "unauth",
        "router",
        "routes",
        "controller",
        "ctrl",
        "oauth",
        "callback",
        "logout",
        "signout",
    ]
    .iter()
    .any(|w| lower.contains(w))
    {
        return false;
    }
    let lower = lower.replace("authoriz", "authz").replace("author", "");
    [
        "auth",
        "jwt",
        "protect",
        "guard",
        "login",
        "loggedin",
        "signedin",
        "verifytoken",
        "verifyuser",
        "requireuser",
        "ensureuser",
        "admin",
        "permission",
        "role",
        "clerk",
        "bearer",
        "apikey",
        "api_key",
        "passport",
        "signature",
        "session.user",
        "acl",
        "currentuser",
        "requiresession",
        "checksession",
        "verifysession",
        "validatesession",
        "ensuresession",
        "withsession",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// Whether a middleware's name says it limits the rate.
pub fn is_rate_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if ["bodylimit", "sizelimit", "limitsize"]
        .iter()
        .any(|w| lower.contains(w))
    {
        return false;
    }
    [
        "ratelimit",
        "rate_limit",
        "limiter",
        "throttle",
        "slowdown",
        "brute",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// Joins a mount prefix and a path: `/admin` + `/users` → `/admin/users`,
/// `/` + `/` → `/`.
pub fn join(prefix: &str, path: &str) -> String {
    let mut out = String::from(prefix.trim_end_matches('/'));
    let path = path.trim_start_matches('/');
    if !path.is_empty() {
        out.push('/');
        out.push_str(path);
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// Whether a middleware mounted at `scope` runs for `path` (Express: the
/// scope is a path prefix on segment boundaries; Hono: `/admin/*`).
pub fn scope_covers(scope: &str, path: &str) -> bool {
    let scope = scope.trim_end_matches('*').trim_end_matches('/');
    if scope.is_empty() {
        return true;
    }
    path == scope
        || path
            .strip_prefix(scope)
            .is_some_and(|rest| rest.starts_with('/'))
}

struct Builder<'p> {
    project: &'p JsProject,
    model: RouteModel,
    visited: Vec<Vec<bool>>,
    stack: Vec<(usize, usize)>,
}

/// A middleware in force and the path scope it was registered under.
#[derive(Clone)]
struct Scoped {
    scope: String,
    mw: Middleware,
}

impl RouteModel {
    /// Builds the model of `project`.
    pub fn build(project: &JsProject) -> RouteModel {
        let mut b = Builder {
            project,
            model: RouteModel::default(),
            visited: project
                .files
                .iter()
                .map(|f| vec![false; f.facts.objects.len()])
                .collect(),
            stack: Vec::new(),
        };
        // Apps first, so that the routers they mount are expanded with
        // their prefixes; then whatever no app mounted.
        for pass in 0..2 {
            for (fi, file) in project.files.iter().enumerate() {
                for (oi, object) in file.facts.objects.iter().enumerate() {
                    let is_app = matches!(
                        object.kind,
                        ObjectKind::ExpressApp | ObjectKind::FastifyApp | ObjectKind::HonoApp
                    );
                    if b.visited[fi][oi] || (pass == 0 && !is_app) {
                        continue;
                    }
                    let has_regs = file.facts.registrations.iter().any(|r| r.object == oi);
                    if pass == 1 && !has_regs {
                        continue;
                    }
                    let framework = framework_of(object.kind, b.fastify_param(fi, oi));
                    let before = b.model.routes.len();
                    let app_index = is_app.then(|| {
                        b.model.apps.push(App {
                            framework,
                            file: fi,
                            range: object.range.clone(),
                            name: object.name.clone(),
                            routes: 0,
                            error_handler: false,
                        });
                        b.model.apps.len() - 1
                    });
                    b.expand(
                        fi,
                        oi,
                        "",
                        Vec::new(),
                        Vec::new(),
                        framework,
                        app_index,
                        pass == 0,
                    );
                    if let Some(a) = app_index {
                        b.model.apps[a].routes = b.model.routes.len() - before;
                    }
                }
            }
        }
        b.file_routes();
        let mut model = b.model;
        model.by_file = vec![Vec::new(); project.files.len()];
        for (i, r) in model.routes.iter().enumerate() {
            if let Some(list) = model.by_file.get_mut(r.file) {
                list.push(i);
            }
        }
        model.imported = vec![false; project.files.len()];
        for (i, f) in project.files.iter().enumerate() {
            for imp in &f.facts.imports {
                if let Some(j) = project.resolve(i, &imp.specifier) {
                    if j != i {
                        model.imported[j] = true;
                    }
                }
            }
        }
        model
    }
}

fn framework_of(kind: ObjectKind, fastify: bool) -> Framework {
    match kind {
        ObjectKind::FastifyApp => Framework::Fastify,
        ObjectKind::HonoApp => Framework::Hono,
        ObjectKind::Param if fastify => Framework::Fastify,
        _ => Framework::Express,
    }
}

impl<'p> Builder<'p> {
    fn fastify_param(&self, file: usize, object: usize) -> bool {
        let facts = &self.project.files[file].facts;
        // `addHook` exists only on Fastify instances.
        facts.objects[object].kind == ObjectKind::Param
            && (param_is_fastify(facts, object)
                || facts
                    .registrations
                    .iter()
                    .any(|r| r.object == object && r.kind == RegKind::Hook))
    }

    /// Resolves a handler reference written in `file`.
    fn resolve(&self, file: usize, r: &Ref, depth: usize) -> Target {
        let facts = &self.project.files[file].facts;
        let external = |name: &str, package: Option<&str>| Target::External {
            name: name.to_string(),
            package: package.map(str::to_string),
        };
        if depth > 8 {
            return external("?", None);
        }
        match r {
            Ref::Object(o) => Target::Object(file, *o),
            Ref::Function(f) => Target::Function(file, *f, false),
            Ref::Module(spec) => match self.project.resolve(file, spec) {
                Some(j) => self.export(j, "default", depth + 1),
                None => external(spec, Some(spec)),
            },
            Ref::Name(name) => {
                let (head, tail) = match name.split_once('.') {
                    Some((h, t)) => (h, Some(t)),
                    None => (name.as_str(), None),
                };
                if tail.is_none() {
                    if let Some(o) = facts
                        .objects
                        .iter()
                        .position(|o| o.name == head && o.kind != ObjectKind::Param)
                    {
                        return Target::Object(file, o);
                    }
                    if let Some(f) = facts
                        .functions
                        .iter()
                        .position(|f| f.name.as_deref() == Some(head))
                    {
                        return Target::Function(file, f, false);
                    }
                }
                if let Some(import) = facts.imports.iter().find(|i| i.local == head) {
                    let resolved = self.project.resolve(file, &import.specifier);
                    return match (resolved, tail) {
                        (Some(j), None) => {
                            let export = if import.imported == "*" {
                                "default"
                            } else {
                                &import.imported
                            };
                            self.export(j, export, depth + 1)
                        }
                        (Some(j), Some(t)) if import.imported == "*" && !t.contains('.') => {
                            self.export(j, t, depth + 1)
                        }
                        _ => external(name, Some(&import.specifier)),
                    };
                }
                external(name, None)
            }
            Ref::Call(callee, inner) => {
                if let Some(rest) = callee.strip_prefix("reexport:") {
                    let (spec, name) = rest.rsplit_once(':').unwrap_or((rest, "default"));
                    return match self.project.resolve(file, spec) {
                        Some(j) => self.export(j, name, depth + 1),
                        None => external(&format!("{spec}:{name}"), Some(spec)),
                    };
                }
                if let Some(spec) = callee.strip_prefix("require:") {
                    // `require('./routes')(deps)`: a factory module.
                    return match self.project.resolve(file, spec) {
                        Some(j) => match self.export(j, "default", depth + 1) {
                            Target::Function(f, i, _) => Target::Function(f, i, true),
                            other => other,
                        },
                        None => external(spec, Some(spec)),
                    };
                }
                let wrapper = is_wrapper(callee);
                if wrapper && inner.len() == 1 {
                    return self.resolve(file, &inner[0], depth + 1);
                }
                match self.resolve(file, &Ref::Name(callee.clone()), depth + 1) {
                    Target::Function(f, i, _) => Target::Function(f, i, true),
                    Target::External { package, .. } => Target::External {
                        name: callee.clone(),
                        package,
                    },
                    other => other,
                }
            }
            Ref::Other => external("(expression)", None),
        }
    }

    /// What file `file` exports as `name`.
    fn export(&self, file: usize, name: &str, depth: usize) -> Target {
        let facts = &self.project.files[file].facts;
        if depth > 8 {
            return Target::External {
                name: name.to_string(),
                package: None,
            };
        }
        match facts.exports.iter().find(|e| e.name == name) {
            Some(e) => self.resolve(file, &e.target, depth + 1),
            None => {
                // `export * from './routes'`: the name may be one of that
                // module's (never its default).
                if name != "default" {
                    for e in facts.exports.iter().filter(|e| e.name == "*") {
                        let Ref::Call(c, _) = &e.target else { continue };
                        let Some(spec) = c
                            .strip_prefix("reexport:")
                            .and_then(|r| r.strip_suffix(":*"))
                        else {
                            continue;
                        };
                        if let Some(j) = self.project.resolve(file, spec) {
                            let t = self.export(j, name, depth + 1);
                            if !matches!(t, Target::External { .. }) {
                                return t;
                            }
                        }
                    }
                }
                // A default-less module imported whole: its only router.
                let objects: Vec<usize> = (0..facts.objects.len())
                    .filter(|&o| facts.objects[o].kind != ObjectKind::Param)
                    .collect();
                if name == "default" && objects.len() == 1 {
                    return Target::Object(file, objects[0]);
                }
                Target::External {
                    name: name.to_string(),
                    package: None,
                }
            }
        }
    }

    fn middleware(&self, file: usize, target: &Target, range: Range<usize>) -> Middleware {
        let extra = &self.project.settings.middleware;
        let (name, auth, rate) = match target {
            Target::Function(f, i, factory) => {
                let func = &self.project.files[*f].facts.functions[*i];
                let flags = if *factory {
                    func.returns.clone().unwrap_or_else(|| func.flags.clone())
                } else {
                    func.flags.clone()
                };
                let name = func.name.clone().unwrap_or_else(|| "(inline)".into());
                let by_name = func.name.as_deref().is_some_and(|n| is_auth_name(n, extra));
                let params = func.params.len();
                // An inline `(req, res, next) => next()` is not a guard
                // unless it checks; a named one may be known by name.
                (
                    name.clone(),
                    flags.checks_caller || (by_name && params >= 2),
                    flags.limits_rate || func.name.as_deref().is_some_and(is_rate_name),
                )
            }
            Target::External { name, package } => {
                let from = package.as_deref().unwrap_or("");
                (
                    name.clone(),
                    is_auth_name(name, extra) || AUTH_PACKAGES.contains(&from),
                    is_rate_name(name) || RATE_PACKAGES.contains(&from),
                )
            }
            Target::Object(..) => ("(router)".into(), false, false),
        };
        Middleware {
            name,
            auth,
            rate_limit: rate,
            file,
            range,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn expand(
        &mut self,
        file: usize,
        object: usize,
        prefix: &str,
        inherited: Vec<Scoped>,
        mounts: Vec<(usize, Range<usize>)>,
        framework: Framework,
        app: Option<usize>,
        mounted: bool,
    ) {
        if self.stack.contains(&(file, object)) || self.stack.len() > 12 {
            return;
        }
        self.visited[file][object] = true;
        self.stack.push((file, object));
        let facts = &self.project.files[file].facts;
        // Hono's `basePath('/api')`: every route of the app is under it.
        let based = facts.objects[object]
            .base_path
            .as_deref()
            .map(|base| join(prefix, base));
        let prefix = based.as_deref().unwrap_or(prefix);
        let regs: Vec<_> = facts
            .registrations
            .iter()
            .filter(|r| r.object == object)
            .cloned()
            .collect();
        let mut active = inherited;
        let base_order = active.len();
        // Fastify: a context's request hooks apply to all its routes.
        if framework == Framework::Fastify {
            for reg in regs.iter().filter(|r| r.kind == RegKind::Hook) {
                for h in &reg.handlers {
                    let t = self.resolve(file, h, 0);
                    let mw = self.middleware(file, &t, reg.head.clone());
                    active.push(Scoped {
                        scope: prefix.to_string(),
                        mw,
                    });
                }
            }
        }
        for (order, reg) in regs.iter().enumerate() {
            let order = order + 1 + base_order;
            let here = join(prefix, reg.path.as_deref().unwrap_or(""));
            match &reg.kind {
                RegKind::Mount if reg.autoload_dir.is_some() => {
                    // @fastify/autoload: every plugin file under the folder,
                    // prefixed by its sub-folders (autoload's default
                    // `dirNameRoutePrefix`).
                    let dir = reg.autoload_dir.as_deref().unwrap_or("");
                    let Some(base) = self.project.files[file]
                        .key
                        .parent()
                        .map(|p| super::project::normalize(&p.join(dir)))
                    else {
                        continue;
                    };
                    for fj in 0..self.project.files.len() {
                        let key = self.project.files[fj].key.clone();
                        let Ok(rel) = key.strip_prefix(&base) else {
                            continue;
                        };
                        // A folder with an index file is one plugin: autoload
                        // loads the index, which registers the rest itself.
                        let under_index = rel.ancestors().skip(1).any(|folder| {
                            let dir = base.join(folder);
                            let own_index = key.parent() == Some(dir.as_path())
                                && key.file_stem().is_some_and(|s| s == "index");
                            !own_index && self.has_index_file(&dir)
                        });
                        if under_index {
                            continue;
                        }
                        let Target::Function(f, i, _) = self.export(fj, "default", 0) else {
                            continue;
                        };
                        let Some(po) = self.param_object(f, i, 0) else {
                            continue;
                        };
                        let folders: Vec<String> = rel
                            .parent()
                            .into_iter()
                            .flat_map(|p| p.iter())
                            .map(|c| c.to_string_lossy().into_owned())
                            .collect();
                        let prefix = join(&here, &folders.join("/"));
                        let mut m = mounts.clone();
                        m.push((file, reg.head.clone()));
                        self.expand(
                            f,
                            po,
                            &prefix,
                            active.clone(),
                            m,
                            Framework::Fastify,
                            app,
                            mounted,
                        );
                    }
                }
                RegKind::Use | RegKind::Mount => {
                    let mut local: Vec<Scoped> = Vec::new();
                    for h in &reg.handlers {
                        let t = self.resolve(file, h, 0);
                        match t {
                            Target::Object(tf, to) => {
                                let mut chain = active.clone();
                                chain.extend(local.iter().cloned());
                                let mut m = mounts.clone();
                                m.push((file, reg.head.clone()));
                                let fw = if framework == Framework::Fastify {
                                    Framework::Fastify
                                } else {
                                    framework_of(
                                        self.project.files[tf].facts.objects[to].kind,
                                        false,
                                    )
                                };
                                self.expand(tf, to, &here, chain, m, fw, app, mounted);
                            }
                            Target::Function(tf, ti, false)
                                if reg.kind == RegKind::Mount
                                    || self.registers_on_param(tf, ti) =>
                            {
                                // A Fastify plugin or an inline sub-router
                                // function: its first parameter.
                                if let Some(po) = self.param_object(tf, ti, 0) {
                                    let mut chain = active.clone();
                                    chain.extend(local.iter().cloned());
                                    let mut m = mounts.clone();
                                    m.push((file, reg.head.clone()));
                                    let fw = if reg.kind == RegKind::Mount
                                        && framework != Framework::Hono
                                    {
                                        Framework::Fastify
                                    } else {
                                        framework
                                    };
                                    self.expand(tf, po, &here, chain, m, fw, app, mounted);
                                }
                            }
                            Target::External { ref name, .. } if is_router_name(name) => {
                                // A router the project does not hold (an
                                // import Moat cannot resolve): one opaque
                                // route for the whole mount.
                                let mut chain: Vec<Middleware> = active
                                    .iter()
                                    .filter(|s| scope_covers(&s.scope, &here))
                                    .map(|s| s.mw.clone())
                                    .collect();
                                chain.extend(local.iter().map(|s| s.mw.clone()));
                                self.model.routes.push(Route {
                                    framework,
                                    method: "ALL".into(),
                                    path: here.clone(),
                                    dynamic_path: reg.dynamic_path,
                                    file,
                                    head: reg.head.clone(),
                                    handler_start: reg.handler_start,
                                    chain,
                                    handler: BodyFlags::default(),
                                    handler_name: Some(name.clone()),
                                    mounts: mounts.clone(),
                                    mounted,
                                    opaque: true,
                                });
                            }
                            t => {
                                let is_error_handler = matches!(t, Target::Function(f, i, false)
                                    if self.project.files[f].facts.functions[i].params.len() == 4);
                                if is_error_handler {
                                    if let Some(a) = app {
                                        self.model.apps[a].error_handler = true;
                                    }
                                    continue;
                                }
                                let mw = self.middleware(file, &t, reg.head.clone());
                                if reg.kind == RegKind::Use && mw.auth {
                                    self.check_late(file, reg, &mw, &here, order, &active);
                                }
                                local.push(Scoped {
                                    scope: here.clone(),
                                    mw,
                                });
                            }
                        }
                    }
                    active.extend(local);
                }
                RegKind::Route(method) => {
                    let full = here.clone();
                    let mut chain: Vec<Middleware> = active
                        .iter()
                        .filter(|s| scope_covers(&s.scope, &full))
                        .map(|s| s.mw.clone())
                        .collect();
                    let n = reg.handlers.len();
                    let mut handler = BodyFlags::default();
                    let mut handler_name = None;
                    for (i, h) in reg.handlers.iter().enumerate() {
                        let t = self.resolve(file, h, 0);
                        if i + 1 == n {
                            match &t {
                                Target::Function(f, fi, factory) => {
                                    let func = &self.project.files[*f].facts.functions[*fi];
                                    handler = if *factory {
                                        func.returns.clone().unwrap_or_default()
                                    } else {
                                        func.flags.clone()
                                    };
                                    handler_name = func.name.clone();
                                }
                                Target::External { name, .. } => {
                                    handler_name = Some(name.clone());
                                    // `passport.authenticate(...)` as the
                                    // handler itself.
                                    let mw = self.middleware(file, &t, reg.head.clone());
                                    if mw.auth {
                                        chain.push(mw);
                                    }
                                }
                                Target::Object(..) => {}
                            }
                        } else {
                            chain.push(self.middleware(file, &t, reg.head.clone()));
                        }
                    }
                    self.model.routes.push(Route {
                        framework,
                        method: method.clone(),
                        path: full,
                        dynamic_path: reg.dynamic_path,
                        file,
                        head: reg.head.clone(),
                        handler_start: reg.handler_start,
                        chain,
                        handler,
                        handler_name,
                        mounts: mounts.clone(),
                        mounted,
                        opaque: false,
                    });
                }
                RegKind::Hook => {}
                RegKind::ErrorHandler => {
                    if let Some(a) = app {
                        self.model.apps[a].error_handler = true;
                    }
                }
                RegKind::Invoke(arg) => {
                    if let Some(h) = reg.handlers.first() {
                        let t = self.resolve(file, h, 0);
                        if let Target::Function(tf, ti, _) = t {
                            if let Some(po) = self.param_object(tf, ti, *arg) {
                                let mut m = mounts.clone();
                                m.push((file, reg.head.clone()));
                                self.expand(
                                    tf,
                                    po,
                                    prefix,
                                    active.clone(),
                                    m,
                                    framework,
                                    app,
                                    mounted,
                                );
                            }
                        }
                    }
                }
            }
        }
        self.stack.pop();
    }

    /// Whether the project holds an `index.{js,ts,…}` file directly in
    /// `dir`.
    fn has_index_file(&self, dir: &std::path::Path) -> bool {
        self.project
            .files
            .iter()
            .any(|f| f.key.parent() == Some(dir) && f.key.file_stem().is_some_and(|s| s == "index"))
    }

    /// Whether a function registers routes on its first parameter.
    fn registers_on_param(&self, file: usize, function: usize) -> bool {
        self.param_object(file, function, 0).is_some()
    }

    /// The parameter object of a function's `index`-th parameter, if routes
    /// are registered on it.
    fn param_object(&self, file: usize, function: usize, index: usize) -> Option<usize> {
        self.project.files[file]
            .facts
            .objects
            .iter()
            .position(|o| o.param_of == Some((function, index)))
    }

    /// Records an auth `use` registered after routes of the same object
    /// that its scope covers and nothing else guards.
    fn check_late(
        &mut self,
        file: usize,
        reg: &super::project::facts::Registration,
        mw: &Middleware,
        scope: &str,
        _order: usize,
        _active: &[Scoped],
    ) {
        let earlier: Vec<usize> = self
            .model
            .routes
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                // Registered on this object before the `use`: directly, or
                // through a mount call in this file.
                // Heads, not whole calls: in a chain (`new Hono().post(..)
                // .use(auth)`) every call starts at the chain's root.
                let before = (r.file == file && r.head.start < reg.head.start)
                    || r.mounts
                        .iter()
                        .any(|(f, m)| *f == file && m.start < reg.head.start);
                before && scope_covers(scope, &r.path) && !r.guarded()
            })
            .map(|(i, _)| i)
            .collect();
        if !earlier.is_empty() {
            self.model.late_guards.push(LateGuard {
                file,
                range: reg.head.clone(),
                call: reg.range.clone(),
                name: mw.name.clone(),
                earlier,
            });
        }
    }

    /// Next.js route handlers, `pages/api`, and Edge Functions.
    fn file_routes(&mut self) {
        let project = self.project;
        for (fi, file) in project.files.iter().enumerate() {
            let Some((framework, path)) = file_route(&file.key) else {
                continue;
            };
            let guard = (framework != Framework::EdgeFunction)
                .then(|| self.next_middleware_for(fi, &path))
                .flatten();
            for h in &file.facts.handlers {
                let allowed = match framework {
                    Framework::NextApp => h.method != "DEFAULT" && h.method != "ALL",
                    Framework::NextPages => h.method == "DEFAULT",
                    Framework::EdgeFunction => h.method == "ALL",
                    _ => false,
                };
                if !allowed {
                    continue;
                }
                let t = self.resolve(fi, &h.target, 0);
                let (mut handler, handler_name, mut chain) = match &t {
                    Target::Function(f, i, factory) => {
                        let func = &project.files[*f].facts.functions[*i];
                        let flags = if *factory {
                            func.returns.clone().unwrap_or_default()
                        } else {
                            func.flags.clone()
                        };
                        (flags, func.name.clone(), Vec::new())
                    }
                    other => {
                        let mw = self.middleware(fi, other, h.head.clone());
                        let name = Some(mw.name.clone());
                        (BodyFlags::default(), name, vec![mw])
                    }
                };
                // `export const POST = withAuth(async (req) => ...)`.
                if let Ref::Call(callee, _) = &h.target {
                    if is_auth_name(callee, &project.settings.middleware) {
                        chain.push(Middleware {
                            name: callee.clone(),
                            auth: true,
                            rate_limit: false,
                            file: fi,
                            range: h.head.clone(),
                        });
                    }
                    if is_rate_name(callee) {
                        handler.limits_rate = true;
                    }
                }
                if framework == Framework::EdgeFunction {
                    // Helpers anywhere in the function's file count.
                    handler.checks_caller |= file.facts.checks_caller;
                    handler.limits_rate |= file.facts.limits_rate;
                }
                if let Some(g) = &guard {
                    chain.insert(0, g.clone());
                }
                let method = if h.method == "DEFAULT" {
                    "ALL".to_string()
                } else {
                    h.method.clone()
                };
                self.model.routes.push(Route {
                    framework,
                    method,
                    path: path.clone(),
                    dynamic_path: false,
                    file: fi,
                    head: h.head.clone(),
                    handler_start: None,
                    chain,
                    handler,
                    handler_name,
                    mounts: Vec::new(),
                    mounted: true,
                    opaque: false,
                });
            }
        }
    }

    /// The Next.js middleware (`middleware.ts` or `proxy.ts` at the app's
    /// root or in `src/`) that checks the caller on `path`, if any.
    fn next_middleware_for(&self, file: usize, path: &str) -> Option<Middleware> {
        let key = &self.project.files[file].key;
        for (mi, m) in self.project.files.iter().enumerate() {
            let stem = m.key.file_stem().and_then(|s| s.to_str());
            if !matches!(stem, Some("middleware" | "proxy")) {
                continue;
            }
            let Some(dir) = m.key.parent() else { continue };
            let root = if dir.ends_with("src") {
                dir.parent().unwrap_or(dir)
            } else {
                dir
            };
            if !key.starts_with(root) {
                continue;
            }
            let facts = &m.facts;
            let reexports_auth = facts.exports.iter().any(|e| {
                e.name == "default"
                    && matches!(&e.target, Ref::Call(c, _) if c.starts_with("reexport:next-auth"))
            });
            if !(facts.checks_caller || reexports_auth) {
                continue;
            }
            if let Some(matcher) = &facts.matcher {
                if !matcher.iter().any(|p| next_matcher_covers(p, path)) {
                    continue;
                }
            }
            // Clerk: `createRouteMatcher([...])` names the protected (or
            // public) routes.
            if !facts.route_matchers.is_empty() {
                let mut protected = false;
                for (name, patterns) in &facts.route_matchers {
                    let hit = patterns.iter().any(|p| next_matcher_covers(p, path));
                    if name.to_ascii_lowercase().contains("public") {
                        protected |= !hit;
                    } else {
                        protected |= hit;
                    }
                }
                if !protected {
                    continue;
                }
            }
            return Some(Middleware {
                name: m
                    .key
                    .file_name()
                    .map_or("middleware".into(), |n| n.to_string_lossy().into_owned()),
                auth: true,
                rate_limit: facts.limits_rate,
                file: mi,
                range: 0..0,
            });
        }
        None
    }
}

/// The built-in sensitive path prefixes (after an optional `/api` and
/// version segment).
pub const SENSITIVE_PREFIXES: &[&str] = &[
    "/admin",
    "/internal",
    "/users",
    "/user",
    "/account",
    "/accounts",
    "/billing",
    "/settings",
];

/// Strips a leading `/api` and a version segment (`/v1`) from a path.
fn strip_api(path: &str) -> &str {
    let mut p = path;
    if let Some(rest) = p.strip_prefix("/api") {
        if rest.is_empty() || rest.starts_with('/') {
            p = rest;
        }
    }
    if let Some(rest) = p.strip_prefix("/v") {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && (rest.len() == digits || rest[digits..].starts_with('/')) {
            p = &rest[digits..];
        }
    }
    p
}

/// Whether a path is under `/admin` or `/internal` (any segment), where an
/// open route is an error.
pub fn is_admin_path(path: &str) -> bool {
    path.split('/').any(|s| {
        matches!(
            s.to_ascii_lowercase().as_str(),
            "admin" | "internal" | "superadmin"
        )
    })
}

/// Whether a path holds sensitive data or actions: the configured prefixes,
/// else the built-in ones.
pub fn is_sensitive_path(path: &str, settings: &super::project::AuthSettings) -> bool {
    if !settings.sensitive_paths.is_empty() {
        return settings
            .sensitive_paths
            .iter()
            .any(|p| scope_covers(p, path));
    }
    is_admin_path(path)
        || SENSITIVE_PREFIXES
            .iter()
            .any(|p| scope_covers(p, strip_api(path)))
}

/// Words whose routes are public on purpose (lower case, without `-`/`_`).
const PUBLIC_WORDS: &[&str] = &[
    "login",
    "signin",
    "logon",
    "signup",
    "register",
    "logout",
    "signout",
    "auth",
    "oauth",
    "callback",
    "forgotpassword",
    "resetpassword",
    "passwordreset",
    "forgot",
    "reset",
    "verify",
    "verifyemail",
    "confirm",
    "health",
    "healthz",
    "ping",
    "status",
    "contact",
    "newsletter",
    "subscribe",
    "unsubscribe",
    "track",
    "public",
    "session",
    "sessions",
    "token",
    "refresh",
    "otp",
    "magiclink",
    "csp-report",
    "cspreport",
    "feedback",
    "waitlist",
];

/// Whether a path is a webhook receiver.
pub fn is_webhook_path(path: &str) -> bool {
    path.to_ascii_lowercase().contains("webhook")
}

/// Whether a path is evidently public: a login, signup or password-reset
/// endpoint, a health check, an OAuth callback, or configured public.
pub fn is_public_path(path: &str, settings: &super::project::AuthSettings) -> bool {
    if settings.public_routes.iter().any(|p| {
        p == path
            || p.strip_suffix('*')
                .is_some_and(|prefix| path.starts_with(prefix))
    }) {
        return true;
    }
    path.split('/').any(|s| {
        let lower = s.to_ascii_lowercase();
        let w: String = lower
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        // `/api/public-bot/ask`, `/public_api/x`: a segment that starts
        // with the word "public" says so as plainly as `/public` does.
        // (Only that word: `order-status` is not a status check.)
        PUBLIC_WORDS.contains(&w.as_str())
            || lower
                .split(['-', '_'])
                .next()
                .is_some_and(|first| first == "public" && lower.len() > "public".len())
    })
}

/// Words of routes an attacker would brute-force.
const BRUTE_WORDS: &[&str] = &[
    "login",
    "signin",
    "logon",
    "signup",
    "register",
    "resetpassword",
    "forgotpassword",
    "passwordreset",
    "reset",
    "forgot",
    "verify",
    "verifyotp",
    "otp",
    "sendotp",
    "mfa",
    "2fa",
    "twofactor",
    "magiclink",
    "token",
];

/// Whether a route path is a login, signup, password-reset, verification,
/// OTP or MFA endpoint.
pub fn is_credential_path(path: &str) -> bool {
    path.split('/').any(|s| {
        let w: String = s
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        BRUTE_WORDS.contains(&w.as_str())
    })
}

/// Whether a name says it is a router or a sub-app (`adminRouter`,
/// `userRoutes`, `routes.admin`).
fn is_router_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("router") || lower.contains("routes")
}

/// Wrappers whose single function argument is the real handler.
fn is_wrapper(callee: &str) -> bool {
    let last = callee
        .rsplit('.')
        .next()
        .unwrap_or(callee)
        .to_ascii_lowercase();
    [
        "asynchandler",
        "catchasync",
        "asyncwrapper",
        "wrapasync",
        "wrap",
        "trycatch",
        "handle",
        "handler",
        "fp",
        "fastifyplugin",
        "asyncmiddleware",
        "catcherrors",
        "witherrorhandling",
        "witherrors",
        "errorhandler",
    ]
    .contains(&last.as_str())
}

/// The framework and URL path of a file-routed module: Next.js
/// `app/**/route.ts` and `pages/api/**`, Supabase `functions/<name>/index.ts`.
pub fn file_route(key: &std::path::Path) -> Option<(Framework, String)> {
    let parts: Vec<&str> = key.iter().filter_map(|c| c.to_str()).collect();
    let file = *parts.last()?;
    let stem = file.split('.').next().unwrap_or(file);
    // Supabase Edge Function.
    if let Some(i) = parts.iter().rposition(|p| *p == "functions") {
        if i >= 1 && parts[i - 1] == "supabase" && parts.len() == i + 3 && stem == "index" {
            return Some((
                Framework::EdgeFunction,
                format!("/functions/v1/{}", parts[i + 1]),
            ));
        }
    }
    // Next.js App Router.
    if stem == "route" {
        if let Some(i) = parts.iter().rposition(|p| *p == "app") {
            let segs: Vec<&str> = parts[i + 1..parts.len() - 1]
                .iter()
                .filter(|s| !(s.starts_with('@') || s.starts_with('(') && s.ends_with(')')))
                .copied()
                .collect();
            return Some((Framework::NextApp, format!("/{}", segs.join("/"))));
        }
    }
    // Next.js pages/api.
    if let Some(i) = parts.iter().rposition(|p| *p == "pages") {
        if parts.get(i + 1) == Some(&"api") {
            let mut segs: Vec<&str> = parts[i + 1..parts.len() - 1].to_vec();
            if stem != "index" {
                segs.push(stem);
            }
            return Some((Framework::NextPages, format!("/{}", segs.join("/"))));
        }
    }
    None
}

/// Whether a Next.js `matcher` entry covers `path`: `/admin/:path*`,
/// `/api/(.*)`, `/dashboard(.*)`, and the common negative form
/// `/((?!api|_next/static|favicon.ico).*)`.
pub fn next_matcher_covers(pattern: &str, path: &str) -> bool {
    if let Some(rest) = pattern.strip_prefix("/((?!") {
        // `/((?!a|b|c).*)`: every path not starting with one of them.
        let Some(end) = rest.find(')') else {
            return true;
        };
        let path_rest = path.trim_start_matches('/');
        return !rest[..end]
            .split('|')
            .map(|p| p.trim_end_matches('$').replace("\\.", "."))
            .filter(|p| !p.is_empty())
            .any(|p| path_rest.starts_with(&p));
    }
    let mut p = pattern.to_string();
    for tail in ["/:path*", "/:path+", ":path*", "(.*)", "/(.*)", "/*", "*"] {
        if let Some(stripped) = p.strip_suffix(tail) {
            p = stripped.to_string();
            return scope_covers(&p, path) || (tail == "(.*)" && path.starts_with(&p));
        }
    }
    // Parameters match one segment.
    let ps: Vec<&str> = p.trim_matches('/').split('/').collect();
    let xs: Vec<&str> = path.trim_matches('/').split('/').collect();
    ps.len() == xs.len()
        && ps
            .iter()
            .zip(&xs)
            .all(|(a, b)| a.starts_with(':') || a.starts_with('[') || b.starts_with('[') || a == b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::javascript::project::{AuthSettings, JsFile};
    use crate::language::Language;

    fn project(files: &[(&str, &str)]) -> JsProject {
        JsProject::build(
            files
                .iter()
                .map(|(k, t)| JsFile::new(k.into(), k.into(), Language::TypeScript, t)),
            Vec::new(),
            AuthSettings::default(),
        )
    }

    fn summary(p: &JsProject) -> Vec<(String, String, bool)> {
        p.routes()
            .routes
            .iter()
            .map(|r| (r.method.clone(), r.path.clone(), r.guarded()))
            .collect()
    }

    #[test]
    fn express_order_and_cross_file_mounts() {
        let p = project(&[
            (
                "/p/app.ts",
                "import express from 'express';\nimport admin from './admin';\nimport { requireAuth } from './auth';\n\
                 const app = express();\napp.get('/health', (req, res) => res.send('ok'));\n\
                 app.use('/admin', admin);\napp.use(requireAuth);\napp.post('/items', (req, res) => res.json({}));\n",
            ),
            (
                "/p/admin.ts",
                "import { Router } from 'express';\nconst router = Router();\nrouter.delete('/users/:id', (req, res) => res.end());\nexport default router;\n",
            ),
            (
                "/p/auth.ts",
                "export function requireAuth(req, res, next) { if (!req.headers.authorization) return res.status(401).end(); next(); }\n",
            ),
        ]);
        assert_eq!(
            summary(&p),
            vec![
                ("GET".into(), "/health".into(), false),
                ("DELETE".into(), "/admin/users/:id".into(), false),
                ("POST".into(), "/items".into(), true),
            ]
        );
        let late = &p.routes().late_guards;
        assert_eq!(late.len(), 1);
        assert_eq!(late[0].earlier.len(), 2);
        assert_eq!(p.routes().routes[1].mounts.len(), 1);
        assert!(!p.routes().apps[0].error_handler);
    }

    #[test]
    fn commonjs_setup_functions_and_error_handlers() {
        let p = project(&[
            (
                "/p/server.js",
                "const express = require('express');\nconst app = express();\nconst passport = require('passport');\n\
                 app.use(passport.authenticate('jwt', { session: false }));\nrequire('./routes')(app);\n\
                 app.use((err, req, res, next) => res.status(500).end());\n",
            ),
            (
                "/p/routes/index.js",
                "module.exports = (app) => { app.post('/api/users', create); };\n",
            ),
        ]);
        assert_eq!(
            summary(&p),
            vec![("POST".into(), "/api/users".into(), true)]
        );
        assert!(p.routes().apps[0].error_handler);
    }

    #[test]
    fn fastify_hono_next_and_edge() {
        let p = project(&[
            (
                "/p/f.ts",
                "import Fastify from 'fastify';\nconst app = Fastify();\napp.register(admin, { prefix: '/admin' });\n\
                 async function admin(fastify) { fastify.addHook('onRequest', fastify.authenticate); fastify.delete('/x', async () => 1); }\n\
                 app.post('/open', async () => 1);\n",
            ),
            (
                "/p/h.ts",
                "import { Hono } from 'hono';\nimport { bearerAuth } from 'hono/bearer-auth';\nconst app = new Hono();\n\
                 app.use('/admin/*', bearerAuth({ token }));\napp.post('/admin/x', (c) => c.json({}));\napp.post('/y', (c) => c.json({}));\n",
            ),
            (
                "/p/web/app/api/admin/users/route.ts",
                "export async function DELETE(req: Request) { return Response.json({}); }\n",
            ),
            (
                "/p/web/middleware.ts",
                "import { getToken } from 'next-auth/jwt';\nexport async function middleware(req) { const t = await getToken({ req }); }\n\
                 export const config = { matcher: ['/api/admin/:path*'] };\n",
            ),
            (
                "/p/supabase/functions/delete-user/index.ts",
                "Deno.serve(async (req) => new Response('ok'));\n",
            ),
        ]);
        let s = summary(&p);
        assert!(
            s.contains(&("DELETE".into(), "/admin/x".into(), true)),
            "{s:?}"
        );
        assert!(s.contains(&("POST".into(), "/open".into(), false)), "{s:?}");
        assert!(
            s.contains(&("POST".into(), "/admin/x".into(), true)),
            "{s:?}"
        );
        assert!(s.contains(&("POST".into(), "/y".into(), false)), "{s:?}");
        assert!(
            s.contains(&("DELETE".into(), "/api/admin/users".into(), true)),
            "{s:?}"
        );
        assert!(
            s.contains(&("ALL".into(), "/functions/v1/delete-user".into(), false)),
            "{s:?}"
        );
    }

    #[test]
    fn fastify_autoload_prefixes_plugins_by_folder() {
        let p = project(&[
            (
                "/p/app.ts",
                "import Fastify from 'fastify';\nimport AutoLoad from '@fastify/autoload';\nimport path from 'node:path';\n\
                 const app = Fastify();\napp.register(AutoLoad, { dir: path.join(__dirname, 'routes') });\n",
            ),
            (
                "/p/routes/admin/users.ts",
                "export default async function (app, opts) {\n  app.delete('/users/:id', async () => ({}));\n}\n",
            ),
            (
                "/p/routes/health.ts",
                "export default async function (fastify) {\n  fastify.addHook('onRequest', fastify.authenticate);\n  fastify.post('/ping', async () => 'ok');\n}\n",
            ),
        ]);
        let s = summary(&p);
        assert!(
            s.contains(&("DELETE".into(), "/admin/users/:id".into(), false)),
            "{s:?}"
        );
        assert!(s.contains(&("POST".into(), "/ping".into(), true)), "{s:?}");
        assert!(p.routes().routes.iter().all(|r| r.mounted), "{s:?}");
    }

    #[test]
    fn hono_base_path_prefixes_every_route() {
        let p = project(&[(
            "/p/api.ts",
            "import { Hono } from 'hono';\nconst app = new Hono().basePath('/api');\n\
             app.post('/admin/users', (c) => c.json({}));\nexport default app;\n",
        )]);
        assert_eq!(
            summary(&p),
            vec![("POST".into(), "/api/admin/users".into(), false)]
        );
    }

    #[test]
    fn matchers_and_paths() {
        assert!(next_matcher_covers("/admin/:path*", "/admin/users"));
        assert!(next_matcher_covers("/admin/:path*", "/admin"));
        assert!(!next_matcher_covers("/admin/:path*", "/api/x"));
        assert!(next_matcher_covers(
            "/((?!api|_next/static).*)",
            "/dashboard"
        ));
        assert!(!next_matcher_covers("/((?!api|_next/static).*)", "/api/x"));
        assert!(next_matcher_covers("/dashboard(.*)", "/dashboard/x"));
        assert_eq!(join("/admin/", "/users"), "/admin/users");
        assert_eq!(join("", ""), "/");
        assert!(scope_covers("/admin/*", "/admin/x"));
        assert!(!scope_covers("/admin", "/administrator"));
        assert!(is_auth_name("passport.authenticate", &[]));
        assert!(!is_auth_name("auth.optional", &[]));
        assert!(!is_auth_name("authorRouter", &[]));
        assert!(is_auth_name("authorize", &[]));
        assert!(is_rate_name("loginLimiter"));
        assert!(is_auth_name("requireSession", &[]));
        assert!(!is_rate_name("bodyLimit"));
        let none = AuthSettings::default();
        assert!(is_public_path("/api/public-bot/ask", &none));
        assert!(is_public_path("/public_api/x", &none));
        assert!(!is_public_path("/api/publications", &none));
        assert!(!is_public_path("/api/order-status", &none));
    }

    #[test]
    fn hono_chains_barrels_and_fastify_plugins_named_app() {
        let p = project(&[
            (
                "/p/index.ts",
                "import { Hono } from 'hono';
import { jwt } from 'hono/jwt';
import { posts } from './posts';
                 const app = new Hono().post('/open', (c) => c.json({})).use('*', jwt({ secret })).route('/posts', posts);
",
            ),
            ("/p/posts/index.ts", "export * from './routes';
"),
            (
                "/p/posts/routes.ts",
                "import { Hono } from 'hono';
export const posts = new Hono().basePath('/').delete('/:id', (c) => c.json({}));
",
            ),
            (
                "/p/plugins/notes.js",
                "export default async function (app, opts) { app.addHook('preHandler', app.authenticate); app.post('/notes', async () => 1); }
",
            ),
        ]);
        let s = summary(&p);
        assert!(s.contains(&("POST".into(), "/open".into(), false)), "{s:?}");
        assert!(
            s.contains(&("DELETE".into(), "/posts/:id".into(), true)),
            "{s:?}"
        );
        assert!(s.contains(&("POST".into(), "/notes".into(), true)), "{s:?}");
        assert_eq!(p.routes().late_guards.len(), 1);
    }
}

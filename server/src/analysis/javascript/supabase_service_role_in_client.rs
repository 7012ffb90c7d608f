//! `supabase/service-role-in-client`: a Supabase service-role (or secret)
//! key in code that runs in the browser or a mobile app, or under an
//! environment variable name that bundlers inline into client bundles.
//!
//! Also holds what the service-role rules share: recognising environment
//! reads, service-role key names, and key literals.

use std::path::Path;

use base64::Engine as _;
use tree_sitter::Node;

use crate::analysis::javascript::arguments;
use crate::analysis::javascript::cors_permissive_credentials::Declarators;
use crate::analysis::javascript::project::facts::{string_value, unwrap_expr};
use crate::analysis::javascript::project::JsProject;
use crate::analysis::javascript::routes::file_route;
use crate::analysis::rule::{Rule, Severity, JS_FAMILY};
use crate::analysis::util::{walk, Step};
use crate::analysis::{FileContext, Finding, Related};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "supabase/service-role-in-client",
    default_severity: Severity::Error,
    summary: "A Supabase service-role or secret key is used in client code, or kept in an environment variable that bundlers ship to the browser (NEXT_PUBLIC_, VITE_, EXPO_PUBLIC_, REACT_APP_).",
    docs: r#"
## What it does
Finds Supabase service-role keys where the browser (or a mobile app) can get
them. A key is:

- an environment read whose name says service role or secret:
  `process.env.SUPABASE_SERVICE_ROLE_KEY`, `import.meta.env.VITE_SUPABASE_SERVICE_ROLE_KEY`,
  `Deno.env.get('SERVICE_ROLE_KEY')`, `const { SUPABASE_SECRET_KEY } = process.env`
  (names containing `SERVICE_ROLE`, `SB_SECRET`, or `SUPABASE` with
  `SERVICE_KEY` or `SECRET`, which includes the JWT secret that can mint
  service-role tokens; never names with `ANON` or `PUBLISHABLE`);
- a literal: a new-style secret key (`sb_secret_...`) or a JWT whose payload
  says `"role": "service_role"`;
- in client code, the key argument of `createClient` /
  `createBrowserClient` named like one (`serviceRoleKey`, `supabaseServiceKey`,
  `secretKey`).

It is reported in two situations.

**Anywhere, as an error**: the environment variable's name has a prefix that
bundlers inline into client bundles: `NEXT_PUBLIC_`, `VITE_`,
`EXPO_PUBLIC_`, `REACT_APP_`, and also `NUXT_PUBLIC_`, `PUBLIC_` (SvelteKit,
Astro) and `GATSBY_`. The name is reported even in server code and scripts
(also when handed to an env helper: `getEnv('NEXT_PUBLIC_..._SERVICE_ROLE_KEY')`):
bundlers inline such a variable into whatever client code reads it, so one
client-side read, or one import of the module into a client component,
ships the key without any other change, and the variable sits with the
public build settings. A server-only read does not ship the key by itself;
the prefix is still the wrong place for it. Only Supabase service-role and
secret keys are judged here (other secrets under public names belong to the
`secrets/*` rules).

**In client code**:

- a file that starts with `'use client'`;
- a module that a `'use client'` file imports, directly or through other
  modules (the related place names the `'use client'` file). The walk stops
  at modules that cannot be in a client bundle: route handlers, Edge
  Functions, `*.server.*`, modules importing `next/headers`, `next/cache`
  or `server-only`, and modules that reach one of those through their
  imports. The last is a judgement: such a chain must be cut by a
  `'use server'` module (a server action) somewhere, or the app would not
  build, so the walk stops at its first module; that can miss a module
  bundled next to a server action, but never reports code behind one;
- a file under `src/` of a Vite or Create React App project: the nearest
  `package.json` depends on `vite` or `react-scripts` and on no server or
  full-stack framework (`next`, `express`, `fastify`, `hono`, `koa`,
  NestJS, Remix / React Router's framework mode, SvelteKit, Nuxt, Astro,
  TanStack Start, SolidStart, Vike, Qwik City, Waku, Nitro). In a
  full-stack framework `src/` holds server code too, so it is not judged by
  place. A `process.env` read there is not reported for a Vite app: Vite
  replaces only `import.meta.env` and defines no `process`, so such a read
  is Node code kept in `src/` (a `dotenv` script, a background job, the
  server branch of an env helper) and never reaches the bundle (seen in a
  Vite app whose `src/lib` also serves Netlify functions and Inngest jobs);
- a file of a React Native or Expo app (the nearest `package.json` depends
  on `expo` or `react-native`), except Expo Router API routes (`+api.ts`),
  `supabase/`, `scripts/` and `server/` folders, configuration files and
  tests.

Not reported: server-only files: Next.js route handlers and `pages/api`,
Supabase Edge Functions (`supabase/functions/`), files starting with
`'use server'`, files that `import 'server-only'`, `middleware.ts`,
`*.server.ts`, configuration files; and anon or publishable keys.

Severity: a key literal in client code, or a publicly prefixed name, is an
**error**: the key is in the bundle. A non-public environment read in client
code (`process.env.SUPABASE_SERVICE_ROLE_KEY` in a `'use client'` file) is a
**warning**: Next.js, Vite, CRA and Expo leave such variables undefined in
the browser, so the key does not ship yet. But the code is written to use
the service role from the client: it fails in the browser (and runs with
full privileges while a client component renders on the server), and the
usual way to make it work, renaming the variable `NEXT_PUBLIC_...` or
adding it to `envPrefix`, publishes the key.

## Why is this bad?
The service-role key bypasses row level security: whoever holds it can read,
change and delete every row of every table, and manage every user. Anything
in a client bundle or a mobile app is public: it can be read from the
browser's developer tools or the app package (CWE-522: Insufficiently
Protected Credentials; CWE-200: Exposure of Sensitive Information; CWE-798
for hard-coded keys).

## How to fix
Use the anon (publishable) key in client code and rely on row level
security. Keep the service-role key in a server-only variable (no
`NEXT_PUBLIC_` / `VITE_` prefix) and use it only in route handlers, server
actions, Edge Functions or modules marked `import 'server-only'`, after
checking who the caller is. If the key was ever in a public variable or a
committed file, rotate it in the Supabase dashboard: every bundle built with
it contains it.

There is no quick fix: renaming a `NEXT_PUBLIC_` / `VITE_` variable alone
would make the client code that reads it stop working, and the key must be
rotated anyway.

## Example
```tsx
// lib/supabase.ts, imported by a 'use client' component. Reported:
export const supabase = createClient(url, process.env.NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY!);

// Fixed: the anon key in the browser...
export const supabase = createClient(url, process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!);
// ...and the service role only on the server (lib/admin.ts):
import 'server-only';
export const admin = createClient(url, process.env.SUPABASE_SERVICE_ROLE_KEY!);
```

## References
- CWE-522: Insufficiently Protected Credentials
- CWE-200: Exposure of Sensitive Information to an Unauthorized Actor
- CWE-798: Use of Hard-coded Credentials
- Supabase docs, API keys: "Never expose the service_role key in a browser"
- Next.js docs, Environment Variables: bundling for the browser (`NEXT_PUBLIC_`)
"#,
    languages: JS_FAMILY,
    check: Some(check),
};

/// What kind of service-role key evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum KeyKind {
    /// An environment variable read by this name.
    Env(String),
    /// A `sb_secret_` literal.
    SecretLiteral,
    /// A JWT literal with `role: service_role`.
    ServiceJwt,
}

/// One place a service-role key shows up in a file.
#[derive(Clone, Debug)]
pub(crate) struct KeyUse<'t> {
    /// The node (env read, literal, name).
    pub node: Node<'t>,
    /// What it is.
    pub kind: KeyKind,
}

/// Prefixes that bundlers inline into client code.
const EXPOSED_PREFIXES: &[&str] = &[
    "NEXT_PUBLIC_",
    "VITE_",
    "EXPO_PUBLIC_",
    "REACT_APP_",
    "NUXT_PUBLIC_",
    "PUBLIC_",
    "GATSBY_",
];

/// The public prefix of an environment variable name, if bundlers inline it.
pub(crate) fn exposed_prefix(name: &str) -> Option<&'static str> {
    EXPOSED_PREFIXES
        .iter()
        .copied()
        .find(|p| name.starts_with(p))
}

/// Whether an environment variable's name says it holds a Supabase
/// service-role or secret key.
pub(crate) fn is_service_key_name(name: &str) -> bool {
    let u = name.to_ascii_uppercase().replace('-', "_");
    if u.contains("ANON") || u.contains("PUBLISHABLE") {
        return false;
    }
    u.contains("SERVICE_ROLE")
        || u.contains("SERVICEROLE")
        || u.contains("SB_SECRET")
        || (u.contains("SUPABASE") && (u.contains("SERVICE_KEY") || u.contains("SECRET")))
}

/// Whether an identifier passed as a Supabase client's key says it is a
/// service-role or secret key (`serviceRoleKey`, `SUPABASE_SERVICE_KEY`,
/// `secretKey`).
pub(crate) fn is_service_key_ident(name: &str) -> bool {
    let n = name.to_ascii_lowercase().replace(['_', '-'], "");
    if n.contains("anon") || n.contains("publishable") {
        return false;
    }
    n.contains("servicerole")
        || n.contains("servicekey")
        || n.contains("sbsecret")
        || n.contains("secretkey")
        || (n.contains("supabase") && n.contains("secret"))
}

/// What a string literal's content is, when it is a service-role key.
pub(crate) fn literal_kind(s: &str) -> Option<KeyKind> {
    if s.starts_with("sb_secret_") && s.len() > "sb_secret_".len() + 8 {
        return Some(KeyKind::SecretLiteral);
    }
    let mut parts = s.split('.');
    let (Some(header), Some(payload), Some(_sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    if !header.starts_with("eyJ") || !payload.starts_with("eyJ") {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    (claims.get("role")?.as_str()? == "service_role").then_some(KeyKind::ServiceJwt)
}

/// The variable name an environment read reads: `process.env.X`,
/// `process.env['X']`, `import.meta.env.X`, `c.env.X`, `Deno.env.get('X')`.
pub(crate) fn env_read<'a>(ctx: &FileContext<'a>, node: Node<'_>) -> Option<&'a str> {
    let is_env_object = |o: Node<'_>| {
        let t = ctx.node_text(o);
        t == "env" || t.ends_with(".env")
    };
    match node.kind() {
        "member_expression" => {
            let object = node.child_by_field_name("object")?;
            let property = node.child_by_field_name("property")?;
            (is_env_object(object) && property.kind() == "property_identifier")
                .then(|| ctx.node_text(property))
        }
        "subscript_expression" => {
            let object = node.child_by_field_name("object")?;
            let index = node.child_by_field_name("index")?;
            if is_env_object(object) {
                string_value(ctx.text, index)
            } else {
                None
            }
        }
        "call_expression" => {
            let f = node.child_by_field_name("function")?;
            let t = ctx.node_text(f);
            if t != "Deno.env.get" && !t.ends_with("env.get") {
                return None;
            }
            let first = arguments(node.child_by_field_name("arguments")?)
                .first()
                .copied()?;
            string_value(ctx.text, first)
        }
        _ => None,
    }
}

/// Every service-role key read or literal in the file, in source order:
/// environment reads with service-role names (also destructured from
/// `process.env`) and key literals.
pub(crate) fn key_uses<'t>(ctx: &FileContext<'t>) -> Vec<KeyUse<'t>> {
    let mut out = Vec::new();
    let text = ctx.text;
    let maybe = text.contains("sb_secret_") || text.contains("eyJ") || {
        let u = text.to_ascii_uppercase();
        u.contains("SERVICE_ROLE")
            || u.contains("SERVICEROLE")
            || u.contains("SECRET")
            || u.contains("SERVICE_KEY")
    };
    if !maybe {
        return out;
    }
    walk(ctx.tree.root_node(), |cursor, _| {
        let n = cursor.node();
        match n.kind() {
            "member_expression" | "subscript_expression" | "call_expression" => {
                if let Some(name) = env_read(ctx, n) {
                    if is_service_key_name(name) {
                        out.push(KeyUse {
                            node: n,
                            kind: KeyKind::Env(name.to_string()),
                        });
                        return Step::Over;
                    }
                }
            }
            "variable_declarator" => {
                // `const { SUPABASE_SERVICE_ROLE_KEY: key } = process.env`.
                let (Some(name), Some(value)) = (
                    n.child_by_field_name("name"),
                    n.child_by_field_name("value"),
                ) else {
                    return Step::Into;
                };
                let value_text = ctx.node_text(unwrap_expr(value));
                if name.kind() == "object_pattern"
                    && (value_text == "env" || value_text.ends_with(".env"))
                {
                    let mut c = name.walk();
                    for p in name.named_children(&mut c) {
                        let key = match p.kind() {
                            "shorthand_property_identifier_pattern" => Some(p),
                            "pair_pattern" => p.child_by_field_name("key"),
                            _ => None,
                        };
                        if let Some(key) = key {
                            let k = ctx.node_text(key);
                            if is_service_key_name(k) {
                                out.push(KeyUse {
                                    node: key,
                                    kind: KeyKind::Env(k.to_string()),
                                });
                            }
                        }
                    }
                }
            }
            "string" | "template_string" => {
                let value = string_value(text, n);
                if let Some(kind) = value.and_then(literal_kind) {
                    out.push(KeyUse { node: n, kind });
                } else if let Some(v) = value {
                    // `getEnv('NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY')`: a
                    // publicly prefixed name handed to an env helper.
                    if exposed_prefix(v).is_some()
                        && is_service_key_name(v)
                        && n.parent().is_some_and(|p| p.kind() == "arguments")
                    {
                        out.push(KeyUse {
                            node: n,
                            kind: KeyKind::Env(v.to_string()),
                        });
                    }
                }
                return Step::Over;
            }
            _ => {}
        }
        Step::Into
    });
    out
}

/// The string directives at the top of a file (`'use client'`,
/// `'use server'`, `'use strict'`).
pub(crate) fn directives<'a>(ctx: &FileContext<'a>) -> Vec<&'a str> {
    let root = ctx.tree.root_node();
    let mut cursor = root.walk();
    let mut out = Vec::new();
    for child in root.named_children(&mut cursor) {
        match child.kind() {
            "comment" | "hash_bang_line" => continue,
            "expression_statement" => {
                match child.named_child(0).and_then(|e| string_value(ctx.text, e)) {
                    Some(s) => out.push(s),
                    None => break,
                }
            }
            _ => break,
        }
    }
    out
}

/// Whether the file imports `server-only` (which makes bundling it for the
/// client a build error).
fn imports_server_only(ctx: &FileContext<'_>) -> bool {
    let root = ctx.tree.root_node();
    let mut cursor = root.walk();
    let found = root.named_children(&mut cursor).any(|s| {
        s.kind() == "import_statement"
            && s.child_by_field_name("source")
                .and_then(|src| string_value(ctx.text, src))
                == Some("server-only")
    });
    found
}

/// Whether a path is a file that only ever runs on a server or at build
/// time, by where it lives: route handlers, `pages/api`, Edge Functions,
/// Next.js middleware and instrumentation, `*.server.*`, Expo API routes,
/// configuration files.
pub(crate) fn server_path(key: &Path) -> bool {
    if file_route(key).is_some() {
        return true;
    }
    let parts: Vec<&str> = key.iter().filter_map(|c| c.to_str()).collect();
    if parts
        .windows(2)
        .any(|w| w[0] == "supabase" && w[1] == "functions")
    {
        return true;
    }
    let file = parts.last().copied().unwrap_or("");
    let stem = file.split('.').next().unwrap_or(file);
    matches!(stem, "middleware" | "proxy" | "instrumentation")
        || file.contains(".server.")
        || file.contains(".config.")
        || file.contains("+api.")
}

/// Whether a path is a test file.
fn test_path(rel: &Path) -> bool {
    let s = format!("/{}", rel.to_string_lossy().replace('\\', "/"));
    s.contains("/__tests__/")
        || s.contains(".test.")
        || s.contains(".spec.")
        || s.contains("/tests/")
        || s.contains("/e2e/")
}

/// Frameworks whose `src/` holds server code as well.
const SERVER_FRAMEWORKS: &[&str] = &[
    "next",
    "express",
    "fastify",
    "hono",
    "koa",
    "@nestjs/core",
    "@remix-run/node",
    "@remix-run/server-runtime",
    "@react-router/dev",
    "@react-router/node",
    "@sveltejs/kit",
    "nuxt",
    "astro",
    "@tanstack/react-start",
    "@tanstack/start",
    "@tanstack/solid-start",
    "@solidjs/start",
    "vike",
    "vite-plugin-ssr",
    "@builder.io/qwik-city",
    "waku",
    "nitropack",
    "@hono/node-server",
    "h3",
    "@analogjs/platform",
];

/// Why a file runs in the browser or a mobile app.
#[derive(Clone, Debug, PartialEq, Eq)]
enum ClientReason {
    /// It starts with `'use client'`.
    UseClient,
    /// A `'use client'` file imports it: that file, and the chain of files
    /// from it to this one (both ends excluded).
    ImportedBy { client: usize, via: Vec<usize> },
    /// `src/` of a Vite or CRA app (the dependency that says so).
    SpaSrc(&'static str),
    /// A React Native / Expo app (the dependency).
    MobileApp(&'static str),
}

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    let uses = key_uses(ctx);
    let (project, me) = ctx.js_project();
    let key_names = client_key_args(ctx, &uses);
    if uses.is_empty() && key_names.is_empty() {
        return Vec::new();
    }
    let mut findings = Vec::new();
    // Publicly prefixed names: reported wherever they are read.
    for u in &uses {
        if let KeyKind::Env(name) = &u.kind {
            if let Some(prefix) = exposed_prefix(name) {
                findings.push(Finding::new(
                    &RULE,
                    u.node.byte_range(),
                    format!(
                        "`{name}` holds a Supabase service-role key under the `{prefix}` prefix, which bundlers inline into any client code that reads it: one client-side read, or this module imported by a client component, ships the key to every browser or app install. Keep it in a server-only variable (without `{prefix}`), use the anon key in client code, and rotate the key if it was ever built into a client bundle."
                    ),
                ));
            }
        }
    }
    let reason = client_reason(ctx, project, me);
    let Some(reason) = reason else {
        return findings;
    };
    let (where_, related) = describe(project, me, &reason);
    for u in &uses {
        let (what, severity) = match &u.kind {
            KeyKind::Env(name) if exposed_prefix(name).is_some() => continue,
            // Vite replaces only `import.meta.env.*`; it defines no
            // `process`, so a `process.env` read under `src/` of a Vite app
            // is Node code that sits there (a script with `dotenv`, a
            // background job, a server-side branch of an env helper). It
            // throws or reads nothing in a browser and cannot ship the key.
            KeyKind::Env(_)
                if reason == ClientReason::SpaSrc("vite") && reads_process_env(ctx, u.node) =>
            {
                continue
            }
            KeyKind::Env(name) => (
                format!("The service-role key (`{name}`) is read in client code ({where_}). Bundlers leave non-public variables undefined in the browser, so this code either fails there or, once the variable is made public to make it work, ships the key"),
                Severity::Warning,
            ),
            KeyKind::SecretLiteral => (
                format!("A Supabase secret key (`sb_secret_...`) is written in client code ({where_}): it ships in the bundle"),
                Severity::Error,
            ),
            KeyKind::ServiceJwt => (
                format!("A Supabase service-role JWT is written in client code ({where_}): it ships in the bundle"),
                Severity::Error,
            ),
        };
        let mut f = Finding::new(
            &RULE,
            u.node.byte_range(),
            format!("{what}. The service role bypasses row level security; use the anon key in the client and keep the service role in server-only code (route handlers, server actions, Edge Functions, modules with `import 'server-only'`)."),
        );
        f.severity = severity;
        f.related.extend(related.clone());
        findings.push(f);
    }
    for node in key_names {
        let name = ctx.node_text(node);
        let mut f = Finding::new(
            &RULE,
            node.byte_range(),
            format!("A Supabase client is created in client code ({where_}) with `{name}`, which by its name is a service-role or secret key. The service role bypasses row level security and must never reach the browser: use the anon key here."),
        );
        f.severity = Severity::Warning;
        f.related.extend(related.clone());
        findings.push(f);
    }
    findings
}

/// Whether an environment read goes through Node's `process.env`:
/// `process.env.X`, `process.env['X']`, or `X` destructured from it.
fn reads_process_env(ctx: &FileContext<'_>, node: Node<'_>) -> bool {
    if ctx.node_text(node).starts_with("process.env") {
        return true;
    }
    let mut n = node;
    while let Some(p) = n.parent() {
        if p.kind() == "variable_declarator" {
            return p
                .child_by_field_name("value")
                .is_some_and(|v| ctx.node_text(unwrap_expr(v)) == "process.env");
        }
        n = p;
    }
    false
}

/// The key arguments of `createClient(url, key)` / `createBrowserClient`
/// whose names say service role, when they are not already reported as an
/// environment read or literal (directly or through a variable of the
/// file).
fn client_key_args<'t>(ctx: &FileContext<'t>, uses: &[KeyUse<'t>]) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    if !ctx.text.contains("create") {
        return out;
    }
    let mut decls: Option<Declarators<'t>> = None;
    crate::analysis::javascript::for_each_call(ctx, |_, callee, args| {
        let name = ctx.node_text(callee);
        let last = name.rsplit('.').next().unwrap_or(name);
        if !matches!(
            last,
            "createClient" | "createBrowserClient" | "createServerClient"
        ) {
            return;
        }
        let Some(key) = arguments(args).get(1).map(|k| unwrap_expr(*k)) else {
            return;
        };
        let key_name = match key.kind() {
            "identifier" => ctx.node_text(key),
            "member_expression" if env_read(ctx, key).is_none() => key
                .child_by_field_name("property")
                .map_or("", |p| ctx.node_text(p)),
            _ => return,
        };
        if !is_service_key_ident(key_name) {
            return;
        }
        let inside = |n: Node<'_>| {
            uses.iter()
                .any(|u| n.start_byte() <= u.node.start_byte() && u.node.end_byte() <= n.end_byte())
        };
        if inside(key) {
            return;
        }
        // `const { SUPABASE_SERVICE_ROLE_KEY } = process.env;
        // createClient(url, SUPABASE_SERVICE_ROLE_KEY)`: the destructured
        // read is the key use, judged (and reported, or not) on its own.
        if uses
            .iter()
            .any(|u| matches!(u.kind, KeyKind::Env(_)) && ctx.node_text(u.node) == key_name)
        {
            return;
        }
        if key.kind() == "identifier" {
            let d = decls.get_or_insert_with(|| Declarators::build(ctx));
            if d.value_of(key_name, key.start_byte()).is_some_and(inside) {
                return;
            }
        }
        out.push(key);
    });
    out
}

/// Why this file is client code, if it is; `None` for server-only files.
fn client_reason(ctx: &FileContext<'_>, project: &JsProject, me: usize) -> Option<ClientReason> {
    let key = project.files.get(me).map_or(ctx.path, |f| f.key.as_path());
    let dirs = directives(ctx);
    if dirs.contains(&"use client") {
        return Some(ClientReason::UseClient);
    }
    if dirs.contains(&"use server")
        || imports_server_only(ctx)
        || server_path(key)
        || server_path(ctx.path)
    {
        return None;
    }
    if let Some(r) = imported_by_client(project, me) {
        return Some(r);
    }
    let manifest = project.manifest_for(key)?;
    let rel = key.strip_prefix(&manifest.dir).unwrap_or(key);
    if test_path(rel) || SERVER_FRAMEWORKS.iter().any(|f| manifest.depends_on(f)) {
        return None;
    }
    if let Some(dep) = ["expo", "react-native"]
        .into_iter()
        .find(|d| manifest.depends_on(d))
    {
        let excluded = rel
            .iter()
            .filter_map(|c| c.to_str())
            .any(|c| matches!(c, "supabase" | "scripts" | "server" | "node_modules"));
        return (!excluded).then_some(ClientReason::MobileApp(dep));
    }
    if let Some(dep) = ["vite", "react-scripts"]
        .into_iter()
        .find(|d| manifest.depends_on(d))
    {
        if key.starts_with(manifest.dir.join("src")) {
            return Some(ClientReason::SpaSrc(dep));
        }
    }
    None
}

/// The first `'use client'` file (in project order) whose imports reach
/// file `me`, with the chain of modules in between. The walk does not go
/// through server-only modules.
fn imported_by_client(project: &JsProject, me: usize) -> Option<ClientReason> {
    if project.files.len() < 2 || !project.files.iter().any(|f| f.facts.use_client) {
        return None;
    }
    let server = server_modules(project);
    if server[me] {
        return None;
    }
    for (start, file) in project.files.iter().enumerate() {
        if start == me || !file.facts.use_client {
            continue;
        }
        // Breadth-first, with parents to rebuild the chain.
        let mut parent: Vec<Option<usize>> = vec![None; project.files.len()];
        let mut seen = vec![false; project.files.len()];
        seen[start] = true;
        let mut queue = std::collections::VecDeque::from([start]);
        while let Some(i) = queue.pop_front() {
            for imp in &project.files[i].facts.imports {
                let Some(j) = project.resolve(i, &imp.specifier) else {
                    continue;
                };
                if seen[j] {
                    continue;
                }
                seen[j] = true;
                parent[j] = Some(i);
                if j == me {
                    let mut via = Vec::new();
                    let mut k = i;
                    while k != start {
                        via.push(k);
                        k = parent[k].unwrap_or(start);
                    }
                    via.reverse();
                    return Some(ClientReason::ImportedBy { client: start, via });
                }
                if server[j] {
                    continue;
                }
                queue.push_back(j);
            }
        }
    }
    None
}

/// Modules that cannot be part of a client bundle, by index: server-only
/// paths (route handlers, Edge Functions, `*.server.*`), modules importing
/// `next/headers`, `server-only` or `next/cache` (a build error in client
/// code), and modules that reach such a module through their imports.
///
/// The last is a judgement: the chain from a `'use client'` file to a
/// module that imports `next/headers` must be cut by a `'use server'`
/// module somewhere (or the app would not build), and the project facts do
/// not say where, so the walk stops at the first module of such a chain.
/// That may miss a module bundled for the client next to the server
/// action, but it never reports code behind a server action boundary
/// (`'use client'` → `actions.ts` with `'use server'` → `lib/admin.ts`).
fn server_modules(project: &JsProject) -> Vec<bool> {
    const SERVER_ONLY: &[&str] = &["next/headers", "server-only", "next/cache"];
    let n = project.files.len();
    let edges: Vec<Vec<usize>> = (0..n)
        .map(|i| {
            project.files[i]
                .facts
                .imports
                .iter()
                .filter_map(|imp| project.resolve(i, &imp.specifier))
                .collect()
        })
        .collect();
    let mut server: Vec<bool> = (0..n)
        .map(|i| {
            let f = &project.files[i];
            server_path(&f.key)
                || f.facts
                    .imports
                    .iter()
                    .any(|imp| SERVER_ONLY.contains(&imp.specifier.as_str()))
        })
        .collect();
    // Importers of server modules are server modules too (fixpoint; a
    // module stays client when it starts with 'use client').
    loop {
        let mut changed = false;
        for i in 0..n {
            if !server[i]
                && !project.files[i].facts.use_client
                && edges[i].iter().any(|&j| server[j])
            {
                server[i] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    server
}

/// A phrase for the message, and the related places.
fn describe(project: &JsProject, me: usize, reason: &ClientReason) -> (String, Vec<Related>) {
    let show = |i: usize| {
        project
            .files
            .get(i)
            .map_or_else(String::new, |f| f.path.to_string_lossy().replace('\\', "/"))
    };
    match reason {
        ClientReason::UseClient => ("this file starts with 'use client'".into(), Vec::new()),
        ClientReason::ImportedBy { client, via } => {
            let through = if via.is_empty() {
                String::new()
            } else {
                format!(
                    " through {}",
                    via.iter()
                        .map(|&i| format!("`{}`", show(i)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            let phrase = format!(
                "the 'use client' module `{}` imports this file{through}",
                show(*client)
            );
            let related = Related {
                path: (*client != me).then(|| project.files[*client].path.clone()),
                range: 0..0,
                message: format!(
                    "this 'use client' module imports the file with the service-role key{through}"
                ),
            };
            (phrase, vec![related])
        }
        ClientReason::SpaSrc(dep) => (
            format!("`src/` of a single-page app built with {dep}, which runs in the browser"),
            Vec::new(),
        ),
        ClientReason::MobileApp(dep) => (
            format!(
                "a {} app, whose code ships to every device",
                if *dep == "expo" {
                    "Expo"
                } else {
                    "React Native"
                }
            ),
            Vec::new(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;

    use super::*;
    use crate::analysis::javascript::project::{AuthSettings, JsFile, Manifest};
    use crate::analysis::workspace::Workspace;
    use crate::language::Language;

    /// Runs the checker on file `target` of a project of `files` (keys are
    /// absolute paths under `/p`) and `manifests` (folder, package.json).
    pub(crate) fn run_in_project(
        check: fn(&FileContext<'_>) -> Vec<Finding>,
        files: &[(&str, &str)],
        manifests: &[(&str, &str)],
        target: &str,
    ) -> Vec<Finding> {
        let lang = |p: &str| Language::from_path(Path::new(p)).unwrap_or(Language::TypeScript);
        let project = JsProject::build(
            files.iter().map(|(k, t)| {
                JsFile::new(
                    PathBuf::from(k.trim_start_matches("/p/")),
                    k.into(),
                    lang(k),
                    t,
                )
            }),
            manifests
                .iter()
                .map(|(d, t)| Manifest::parse(d.into(), t, None).unwrap())
                .collect(),
            AuthSettings::default(),
        );
        let ws = Workspace {
            sql: vec![],
            js: Some(Arc::new(project)),
        };
        let text = files.iter().find(|(k, _)| *k == target).unwrap().1;
        let language = lang(target);
        let tree = crate::language::parse(language, text, None).unwrap();
        let rel = PathBuf::from(target.trim_start_matches("/p/"));
        let ctx = FileContext::new(&rel, text, &tree, language)
            .with_workspace(&ws, Some(Path::new(target)));
        check(&ctx)
    }

    fn run(
        files: &[(&str, &str)],
        manifests: &[(&str, &str)],
        target: &str,
    ) -> Vec<(String, Severity)> {
        let text = files.iter().find(|(k, _)| *k == target).unwrap().1;
        run_in_project(super::check, files, manifests, target)
            .into_iter()
            .map(|f| (text[f.range].to_string(), f.severity))
            .collect()
    }

    const ADMIN: &str = "import { createClient } from '@supabase/supabase-js';\n\
        export const admin = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!);\n";

    #[test]
    fn module_imported_by_a_use_client_component() {
        let files = [
            ("/p/components/Users.tsx", "'use client';\nimport { useEffect } from 'react';\nimport { listUsers } from '../lib/users';\nexport function Users() { useEffect(() => { listUsers(); }, []); return null; }\n"),
            ("/p/lib/users.ts", "import { admin } from '@/lib/admin';\nexport const listUsers = () => admin.from('users').select();\n"),
            ("/p/lib/admin.ts", ADMIN),
            ("/p/app/api/users/route.ts", "import { admin } from '@/lib/admin';\nexport async function GET() { return Response.json(await admin.from('x').select()); }\n"),
        ];
        let manifests = [("/p", r#"{"dependencies": {"next": "15"}}"#)];
        assert_eq!(
            run(&files, &manifests, "/p/lib/admin.ts"),
            vec![(
                "process.env.SUPABASE_SERVICE_ROLE_KEY".to_string(),
                Severity::Warning
            )]
        );
        let f = run_in_project(super::check, &files, &manifests, "/p/lib/admin.ts");
        assert_eq!(
            f[0].related[0].path.as_deref(),
            Some(Path::new("components/Users.tsx"))
        );
        assert!(
            f[0].message.contains("through `lib/users.ts`"),
            "{}",
            f[0].message
        );
        // The route handler is a server file; so is a server-only module.
        assert!(run(&files, &manifests, "/p/app/api/users/route.ts").is_empty());
        let server_only = [
            (
                "/p/components/Users.tsx",
                "'use client';\nimport { admin } from '../lib/admin';\n",
            ),
            (
                "/p/lib/admin.ts",
                "import 'server-only';\nexport const k = process.env.SUPABASE_SERVICE_ROLE_KEY;\n",
            ),
        ];
        assert!(run(&server_only, &manifests, "/p/lib/admin.ts").is_empty());
    }

    #[test]
    fn server_actions_cut_the_client_graph() {
        // vercel/nextjs-subscription-payments: a client form imports a
        // 'use server' module (it reaches next/headers), which imports the
        // admin module.
        let files = [
            ("/p/components/Portal.tsx", "'use client';\nimport { createPortal } from '@/utils/stripe/server';\n"),
            ("/p/utils/stripe/server.ts", "'use server';\nimport { createClient } from '@/utils/supabase/server';\nimport { createCustomer } from '@/utils/supabase/admin';\n"),
            ("/p/utils/supabase/server.ts", "import { cookies } from 'next/headers';\nexport const createClient = () => cookies();\n"),
            ("/p/utils/supabase/admin.ts", ADMIN),
        ];
        let manifests = [("/p", r#"{"dependencies": {"next": "15"}}"#)];
        assert!(run(&files, &manifests, "/p/utils/supabase/admin.ts").is_empty());
    }

    #[test]
    fn not_imported_by_client_code_is_not_reported() {
        let files = [
            ("/p/app/page.tsx", "import { admin } from '@/lib/admin';\nexport default async function Page() { return null; }\n"),
            ("/p/lib/admin.ts", ADMIN),
            ("/p/components/Button.tsx", "'use client';\nexport function Button() { return null; }\n"),
        ];
        let manifests = [("/p", r#"{"dependencies": {"next": "15"}}"#)];
        assert!(run(&files, &manifests, "/p/lib/admin.ts").is_empty());
    }

    #[test]
    fn vite_and_cra_src_and_expo_apps() {
        let key = "import { createClient } from '@supabase/supabase-js';\nexport const s = createClient(import.meta.env.VITE_SUPABASE_URL, import.meta.env.SUPABASE_SERVICE_ROLE_KEY);\n";
        let vite = [("/p/src/lib/supabase.ts", key), ("/p/scripts/seed.ts", key)];
        let manifests = [(
            "/p",
            r#"{"devDependencies": {"vite": "5"}, "dependencies": {"react": "18"}}"#,
        )];
        assert_eq!(
            run(&vite, &manifests, "/p/src/lib/supabase.ts"),
            vec![(
                "import.meta.env.SUPABASE_SERVICE_ROLE_KEY".to_string(),
                Severity::Warning
            )]
        );
        // Outside src/: a script run with Node.
        assert!(run(&vite, &manifests, "/p/scripts/seed.ts").is_empty());
        // A full-stack framework on Vite: src/ holds server code.
        let kit = [(
            "/p",
            r#"{"devDependencies": {"vite": "5", "@sveltejs/kit": "2"}}"#,
        )];
        assert!(run(&vite, &kit, "/p/src/lib/supabase.ts").is_empty());
        let express = [("/p", r#"{"dependencies": {"vite": "5", "express": "4"}}"#)];
        assert!(run(&vite, &express, "/p/src/lib/supabase.ts").is_empty());
        // Expo: the whole app, literal keys are errors.
        let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJlZiI6ImFiY2RlZmdoaWprbG1ub3BxcnN0Iiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoyMDAwMDAwMDAwfQ.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU";
        let app = format!("export const s = createClient(url, '{jwt}');\nexport const e = process.env.EXPO_PUBLIC_SUPABASE_SERVICE_ROLE_KEY;\n");
        let expo = [
            ("/p/app/(tabs)/index.tsx", app.as_str()),
            ("/p/app/api/admin+api.ts", app.as_str()),
        ];
        let m = [(
            "/p",
            r#"{"dependencies": {"expo": "52", "react-native": "0.76"}}"#,
        )];
        let found = run(&expo, &m, "/p/app/(tabs)/index.tsx");
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().all(|(_, s)| *s == Severity::Error));
        // An Expo API route runs on the server: only the public name.
        let api = run(&expo, &m, "/p/app/api/admin+api.ts");
        assert_eq!(
            api,
            vec![(
                "process.env.EXPO_PUBLIC_SUPABASE_SERVICE_ROLE_KEY".to_string(),
                Severity::Error
            )]
        );
    }

    #[test]
    fn key_literals_and_names() {
        assert_eq!(
            literal_kind("sb_secret_abcdefghijklmnop"),
            Some(KeyKind::SecretLiteral)
        );
        assert_eq!(literal_kind("sb_publishable_abcdefghijklmnop"), None);
        // role: anon
        let anon = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoiYW5vbiJ9.c2ln";
        assert_eq!(literal_kind(anon), None);
        assert!(is_service_key_name("SUPABASE_SERVICE_ROLE_KEY"));
        assert!(is_service_key_name("NEXT_PUBLIC_SUPABASE_SERVICE_KEY"));
        assert!(is_service_key_name("SUPABASE_SECRET_KEY"));
        assert!(is_service_key_name("SUPABASE_JWT_SECRET"));
        assert!(!is_service_key_name("NEXT_PUBLIC_SUPABASE_ANON_KEY"));
        assert!(!is_service_key_name("SUPABASE_PUBLISHABLE_KEY"));
        assert!(!is_service_key_name("STRIPE_SECRET_KEY"));
        assert!(is_service_key_ident("supabaseServiceRoleKey"));
        assert!(!is_service_key_ident("supabaseAnonKey"));
        assert_eq!(
            exposed_prefix("VITE_SUPABASE_SERVICE_ROLE_KEY"),
            Some("VITE_")
        );
        assert_eq!(exposed_prefix("SUPABASE_SERVICE_ROLE_KEY"), None);
    }
}

//! `supabase/service-role-in-edge-function`: an Edge Function, Next.js
//! route handler, API route or server action that uses a service-role
//! Supabase client before verifying who is calling.

use std::ops::Range;

use tree_sitter::Node;

use crate::analysis::javascript::cors_permissive_credentials::Declarators;
use crate::analysis::javascript::project::facts::{string_value, unwrap_expr};
use crate::analysis::javascript::routes::{file_route, Framework};
use crate::analysis::javascript::supabase_service_role_in_client::{
    directives, env_read, is_service_key_ident, is_service_key_name, literal_kind,
};
use crate::analysis::javascript::{arguments, for_each_call};
use crate::analysis::rule::{Rule, Severity, JS_FAMILY};
use crate::analysis::util::{ancestors, line_number, walk, Step};
use crate::analysis::{FileContext, Finding, Related};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "supabase/service-role-in-edge-function",
    default_severity: Severity::Warning,
    summary: "An Edge Function, route handler or server action uses a service-role Supabase client before verifying the caller.",
    docs: r#"
## What it does
Finds request handlers that create a Supabase client with the service-role
(or secret) key and use it before anything checks who is calling:

- Supabase Edge Functions (`supabase/functions/<name>/index.ts`, serving with
  `Deno.serve` or `serve`);
- Next.js route handlers (`app/**/route.ts`: `GET`, `POST`, ...), `pages/api`
  handlers, and server actions (exported functions of a `'use server'` file,
  and functions with an inline `'use server'`).

A service-role client is `createClient(url, key)` where the key is an
environment read named like the service role (`Deno.env.get('SUPABASE_SERVICE_ROLE_KEY')`,
`process.env.SUPABASE_SERVICE_ROLE_KEY`, `SUPABASE_SECRET_KEY`), a
`sb_secret_` or service-role JWT literal, or a variable holding one; also a
client imported from a module whose path or name says Supabase admin or
service role (`import { supabaseAdmin } from '@/lib/supabase/admin'`,
`createAdminClient()`).

The caller counts as verified when, in the handler and before the client's
first use (reading the handler from its start, wrappers such as
`withAuth(handler)` included):

- `auth.getUser(...)` or `auth.getClaims(...)` is called (with the token from
  the request's `Authorization` header, or on a client created with that
  header, or with the cookie session in Next.js);
- a JWT is verified (`jwt.verify`, jose's `jwtVerify`, `verifyIdToken`), or a
  session library is asked (`getServerSession`, `auth()`, `currentUser()`),
  or a helper whose name says it authenticates is called (`requireUser`,
  `verifyAuth`, `authenticate`);
- a webhook signature is verified (Stripe's `constructEvent`, svix's
  `verify`, an HMAC with `createHmac` / `timingSafeEqual`);
- a shared secret is compared: a comparison between something from the
  request (a header, the Authorization value, a token) and a server-held
  secret (an environment variable, a name with `secret`, `key` or `cron`).
  This is how cron jobs and database webhooks (`pg_net` calls with the
  service-role key or a `CRON_SECRET`) are told apart: a function that
  checks the shared secret is not reported; one that does not is callable by
  anyone;
- for a Next.js route, the project's `middleware.ts` guards it (from the
  route model).

Judgement calls:

- Supabase's gateway (`verify_jwt = true`, the default) only checks that the
  caller sends *a* valid JWT, and the public anon key is one: it identifies
  no user, so it does not count.
- `auth.getSession()` does not count: on the server it trusts the cookie
  without verifying the token.
- Reading the Authorization header and refusing when it is missing does not
  count: any string passes.
- Whether the check's result is acted on (a 401 on failure) is not
  followed; calling the check before the privileged client is enough.
- A handler that only uses the client after verifying is fine even if the
  client is created before the check (it is the first *use* that matters).
- A client imported from another module is judged by the module's path and
  the imported name; what that module does is not read.

## Why is this bad?
The service-role key bypasses row level security. An endpoint that uses it
on behalf of whoever calls, without checking who that is, lets anyone read
or change any row (or manage any user) through that endpoint: Edge Functions
are public URLs, and server actions are public POST endpoints
(CWE-285: Improper Authorization; CWE-306: Missing Authentication for
Critical Function; CWE-862: Missing Authorization).

## How to fix
Verify the caller before using the privileged client, and scope what it does
to that caller:

```ts
const token = req.headers.get('Authorization')?.replace('Bearer ', '') ?? '';
const { data: { user }, error } = await supabase.auth.getUser(token);
if (error || !user) return new Response('Unauthorized', { status: 401 });
```

Better still, use a client created with the anon key and the caller's
`Authorization` header, so row level security applies, and keep the service
role for the few operations that need it. For webhooks, verify the
signature; for cron and database triggers, compare a shared secret header
with an environment variable. There is no quick fix: where the check goes
and what to refuse depends on the function.

## Example
```ts
// supabase/functions/delete-account/index.ts. Reported:
Deno.serve(async (req) => {
  const admin = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_SERVICE_ROLE_KEY')!);
  const { userId } = await req.json();
  await admin.auth.admin.deleteUser(userId); // anyone can delete anyone
  return new Response('ok');
});

// Fixed:
Deno.serve(async (req) => {
  const admin = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_SERVICE_ROLE_KEY')!);
  const token = req.headers.get('Authorization')?.replace('Bearer ', '') ?? '';
  const { data: { user } } = await admin.auth.getUser(token);
  if (!user) return new Response('Unauthorized', { status: 401 });
  await admin.auth.admin.deleteUser(user.id);
  return new Response('ok');
});
```

## References
- CWE-285: Improper Authorization
- CWE-306: Missing Authentication for Critical Function
- CWE-862: Missing Authorization
- Supabase docs, Edge Functions: "Securing your functions" / Auth in Edge Functions
- Next.js docs, Data Security: server actions are public endpoints
"#,
    languages: JS_FAMILY,
    check: Some(check),
};

/// One request handler of the file.
#[derive(Clone, Debug)]
struct Handler {
    /// Where uses of the client are looked for.
    scope: Range<usize>,
    /// Where the search for a verification starts (the handler's statement,
    /// so that a wrapper such as `withAuth(...)` counts).
    check_from: usize,
    /// The head to point at (`Deno.serve`, `POST`).
    head: Range<usize>,
}

/// What kind of server entry point the file is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Entry {
    EdgeFunction,
    RouteHandler,
    ApiRoute,
    ServerAction,
}

impl Entry {
    fn describe(self) -> &'static str {
        match self {
            Entry::EdgeFunction => "This Edge Function",
            Entry::RouteHandler => "This route handler",
            Entry::ApiRoute => "This API route",
            Entry::ServerAction => "This server action",
        }
    }

    fn who(self) -> &'static str {
        match self {
            Entry::EdgeFunction => "anyone with the project's public anon key can call it",
            Entry::ServerAction => "server actions are public POST endpoints anyone can call",
            _ => "anyone can call it",
        }
    }
}

/// A privileged client: where it is created (or imported), and the name
/// its uses go by.
struct Privileged<'t> {
    /// What to report on: the creating call, or for an imported client its
    /// first use.
    node: Option<Node<'t>>,
    /// The name uses go by (the variable, the factory), if any.
    name: Option<&'t str>,
    /// Where the name is declared (uses inside it are not uses).
    declared: Range<usize>,
}

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    let text = ctx.text;
    let lower_hint = text.contains("createClient")
        || text.contains("createServerClient")
        || text.to_ascii_lowercase().contains("admin")
        || text.to_ascii_lowercase().contains("service");
    if !lower_hint {
        return Vec::new();
    }
    let (project, me) = ctx.js_project();
    let key = project.files.get(me).map_or(ctx.path, |f| f.key.as_path());
    let route = file_route(key).or_else(|| file_route(ctx.path));
    let file_directives = directives(ctx);
    let use_server = file_directives.contains(&"use server");
    let entry = match route.as_ref().map(|(f, _)| *f) {
        Some(Framework::EdgeFunction) => Some(Entry::EdgeFunction),
        Some(Framework::NextApp) => Some(Entry::RouteHandler),
        Some(Framework::NextPages) => Some(Entry::ApiRoute),
        _ if use_server => Some(Entry::ServerAction),
        _ => None,
    };
    let inline_actions = text.contains("use server");
    if entry.is_none() && !inline_actions {
        return Vec::new();
    }
    let decls = Declarators::build(ctx);
    let mut handlers = match entry {
        Some(Entry::EdgeFunction) => edge_handlers(ctx, &decls),
        Some(Entry::RouteHandler) => exported_handlers(ctx, &decls, |n| {
            matches!(
                n,
                "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS"
            )
        }),
        Some(Entry::ApiRoute) => exported_handlers(ctx, &decls, |n| n == "default"),
        Some(Entry::ServerAction) => exported_handlers(ctx, &decls, |_| true),
        None => Vec::new(),
    };
    let mut entry = entry;
    if inline_actions {
        let inline = inline_server_actions(ctx);
        if !inline.is_empty() && entry.is_none() {
            entry = Some(Entry::ServerAction);
        }
        handlers.extend(inline);
    }
    let Some(entry) = entry else {
        return Vec::new();
    };
    if handlers.is_empty() {
        return Vec::new();
    }
    // A Next.js route guarded by middleware.
    if matches!(entry, Entry::RouteHandler | Entry::ApiRoute)
        && project.files.len() > 1
        && project
            .routes()
            .routes
            .iter()
            .any(|r| r.file == me && r.chain.iter().any(|m| m.auth))
    {
        return Vec::new();
    }
    let clients = privileged_clients(ctx, &decls);
    let mut findings = Vec::new();
    for client in clients {
        let mut unverified: Vec<(&Handler, Range<usize>)> = Vec::new();
        let uses = uses_of(ctx, &client);
        for h in &handlers {
            let first = uses
                .iter()
                .find(|u| h.scope.start <= u.start && u.end <= h.scope.end);
            let Some(first) = first else { continue };
            if !verified(ctx, h.check_from..first.start) {
                unverified.push((h, first.clone()));
            }
        }
        let Some((_, first_use)) = unverified.first().cloned() else {
            continue;
        };
        let report = client.node.map_or(first_use.clone(), |n| n.byte_range());
        let line = line_number(text, first_use.start);
        let mut f = Finding::new(
            &RULE,
            report,
            format!(
                "{} uses a Supabase client with the service-role key (which bypasses row level security) on line {line} without first verifying the caller, and {}. Verify the caller before using it: `auth.getUser(token)` or `auth.getClaims(token)` with the token from the request's Authorization header, refusing with 401; or check the webhook signature or a shared secret for server-to-server calls.",
                entry.describe(),
                entry.who()
            ),
        );
        for (h, _) in &unverified {
            f.related.push(Related {
                path: None,
                range: h.head.clone(),
                message: "the request is served here; nothing before the privileged client's first use checks who is calling".into(),
            });
        }
        findings.push(f);
    }
    findings
}

/// `Deno.serve(handler)` / `serve(handler)`: the functions served.
fn edge_handlers<'t>(ctx: &FileContext<'t>, decls: &Declarators<'t>) -> Vec<Handler> {
    let mut out = Vec::new();
    for_each_call(ctx, |call, callee, args| {
        let name = ctx.node_text(callee);
        if !matches!(name, "Deno.serve" | "serve" | "Bun.serve") {
            return;
        }
        let list = arguments(args);
        // `Deno.serve(opts, handler)` or `Deno.serve(handler)`; an options
        // object may hold `handler`.
        let mut served = None;
        for a in list.iter().rev() {
            let a = unwrap_expr(*a);
            match a.kind() {
                "arrow_function" | "function_expression" | "function" => {
                    served = Some((a.byte_range(), call.start_byte()));
                    break;
                }
                "identifier" => {
                    if let Some(f) = function_named(ctx, decls, ctx.node_text(a), a.start_byte()) {
                        served = Some((f.byte_range(), f.start_byte()));
                        break;
                    }
                }
                _ => {}
            }
        }
        // Not understood (`app.fetch`, an imported handler): the whole file.
        let (scope, check_from) = served.unwrap_or((0..ctx.text.len(), 0));
        out.push(Handler {
            scope,
            check_from,
            head: callee.byte_range(),
        });
    });
    out
}

/// A function declared in the file under `name`: `function name`, `const
/// name = () => ...`.
fn function_named<'t>(
    ctx: &FileContext<'t>,
    decls: &Declarators<'t>,
    name: &str,
    at: usize,
) -> Option<Node<'t>> {
    if let Some(v) = decls.value_of(name, at) {
        let v = unwrap_expr(v);
        if matches!(
            v.kind(),
            "arrow_function" | "function_expression" | "function" | "call_expression"
        ) {
            return Some(v);
        }
    }
    let mut found = None;
    walk(ctx.tree.root_node(), |cursor, depth| {
        let n = cursor.node();
        if n.kind() == "function_declaration"
            && n.child_by_field_name("name")
                .is_some_and(|x| ctx.node_text(x) == name)
        {
            found = Some(n);
            return Step::Stop;
        }
        if depth > 2 {
            Step::Over
        } else {
            Step::Into
        }
    });
    found
}

/// Exported functions whose export name passes `wanted` (`GET`, `default`,
/// any for a `'use server'` file).
fn exported_handlers<'t>(
    ctx: &FileContext<'t>,
    decls: &Declarators<'t>,
    wanted: impl Fn(&str) -> bool,
) -> Vec<Handler> {
    let root = ctx.tree.root_node();
    let mut out = Vec::new();
    let mut cursor = root.walk();
    for stmt in root.named_children(&mut cursor) {
        if stmt.kind() != "export_statement" {
            continue;
        }
        let is_default = ctx.node_text(stmt).starts_with("export default");
        let push = |out: &mut Vec<Handler>, value: Node<'t>, head: Range<usize>| {
            out.push(Handler {
                scope: value.byte_range(),
                check_from: stmt.start_byte(),
                head,
            });
        };
        if let Some(decl) = stmt.child_by_field_name("declaration") {
            match decl.kind() {
                "function_declaration" | "generator_function_declaration" => {
                    let name = decl.child_by_field_name("name");
                    let export = if is_default {
                        Some("default")
                    } else {
                        name.map(|n| ctx.node_text(n))
                    };
                    if export.is_some_and(&wanted) {
                        let head = name.map_or(stmt.start_byte()..stmt.start_byte() + 14, |n| {
                            n.byte_range()
                        });
                        push(&mut out, decl, head);
                    }
                }
                "lexical_declaration" | "variable_declaration" => {
                    let mut c = decl.walk();
                    for d in decl.named_children(&mut c) {
                        let (Some(name), Some(value)) = (
                            d.child_by_field_name("name"),
                            d.child_by_field_name("value"),
                        ) else {
                            continue;
                        };
                        if wanted(ctx.node_text(name)) && is_callable(unwrap_expr(value)) {
                            push(&mut out, value, name.byte_range());
                        }
                    }
                }
                _ => {}
            }
        } else if is_default && wanted("default") {
            // `export default async (req, res) => ...`, `export default handler`,
            // `export default withAuth(handler)`.
            let Some(value) = stmt.child_by_field_name("value") else {
                continue;
            };
            let value = unwrap_expr(value);
            let head = stmt.start_byte()..stmt.start_byte() + "export default".len();
            match value.kind() {
                "identifier" => {
                    if let Some(f) =
                        function_named(ctx, decls, ctx.node_text(value), value.start_byte())
                    {
                        out.push(Handler {
                            scope: f.byte_range(),
                            check_from: f.start_byte().min(stmt.start_byte()),
                            head,
                        });
                    }
                }
                _ if is_callable(value) => push(&mut out, value, head),
                _ => {}
            }
        }
    }
    out
}

/// A function, or a call wrapping one (`withAuth(async (req) => ...)`).
fn is_callable(node: Node<'_>) -> bool {
    matches!(
        node.kind(),
        "arrow_function" | "function_expression" | "function" | "call_expression"
    )
}

/// Functions whose body starts with `'use server'`.
fn inline_server_actions(ctx: &FileContext<'_>) -> Vec<Handler> {
    let mut out = Vec::new();
    walk(ctx.tree.root_node(), |cursor, _| {
        let n = cursor.node();
        if matches!(
            n.kind(),
            "function_declaration" | "arrow_function" | "function_expression" | "function"
        ) {
            let first = n
                .child_by_field_name("body")
                .filter(|b| b.kind() == "statement_block")
                .and_then(|b| b.named_child(0));
            let is_action = first.is_some_and(|s| {
                s.kind() == "expression_statement"
                    && s.named_child(0).and_then(|e| string_value(ctx.text, e))
                        == Some("use server")
            });
            if is_action {
                let head = n
                    .child_by_field_name("name")
                    .map_or(n.start_byte()..n.start_byte(), |x| x.byte_range());
                out.push(Handler {
                    scope: n.byte_range(),
                    check_from: n.start_byte(),
                    head,
                });
            }
        }
        Step::Into
    });
    out
}

/// Whether a key argument is a service-role key: an environment read with a
/// service-role name, a key literal, or a variable of the file holding one
/// (or named like one).
fn is_service_key<'t>(
    ctx: &FileContext<'t>,
    decls: &Declarators<'t>,
    node: Node<'t>,
    depth: usize,
) -> bool {
    let node = unwrap_expr(node);
    if let Some(name) = env_read(ctx, node) {
        return is_service_key_name(name);
    }
    match node.kind() {
        "string" | "template_string" => string_value(ctx.text, node)
            .and_then(literal_kind)
            .is_some(),
        "binary_expression" => {
            let op = node
                .child_by_field_name("operator")
                .map_or("", |o| ctx.node_text(o));
            matches!(op, "??" | "||")
                && node
                    .child_by_field_name("left")
                    .is_some_and(|l| is_service_key(ctx, decls, l, depth + 1))
        }
        "identifier" => {
            let name = ctx.node_text(node);
            if is_service_key_ident(name) {
                return true;
            }
            depth < 3
                && decls
                    .value_of(name, node.start_byte())
                    .is_some_and(|v| is_service_key(ctx, decls, v, depth + 1))
        }
        "member_expression" => node
            .child_by_field_name("property")
            .is_some_and(|p| is_service_key_ident(ctx.node_text(p))),
        _ => false,
    }
}

/// Whether an import (specifier, local name) brings in a service-role
/// client or its factory.
fn is_admin_import(specifier: &str, local: &str) -> bool {
    let spec = specifier.to_ascii_lowercase();
    let name = local.to_ascii_lowercase().replace('_', "");
    let spec_admin = spec.contains("supabase")
        && (spec.contains("admin") || spec.contains("service") || spec.contains("server-role"));
    let name_admin = name.contains("supabaseadmin")
        || name.contains("adminsupabase")
        || name.contains("servicerole")
        || (name.contains("supabase") && name.contains("service"))
        || (spec.contains("supabase")
            && (name.contains("adminclient") || name.contains("serviceclient")));
    spec_admin || name_admin
}

/// The service-role clients of the file.
fn privileged_clients<'t>(ctx: &FileContext<'t>, decls: &Declarators<'t>) -> Vec<Privileged<'t>> {
    let root = ctx.tree.root_node();
    // Imports of admin clients and factories.
    let mut imported: Vec<(&'t str, Range<usize>)> = Vec::new();
    let mut cursor = root.walk();
    for stmt in root.named_children(&mut cursor) {
        if stmt.kind() != "import_statement" || ctx.node_text(stmt).starts_with("import type") {
            continue;
        }
        let Some(spec) = stmt
            .child_by_field_name("source")
            .and_then(|s| string_value(ctx.text, s))
        else {
            continue;
        };
        walk(stmt, |c, _| {
            let n = c.node();
            let local = match n.kind() {
                "import_specifier" => {
                    if ctx.node_text(n).starts_with("type ") {
                        return Step::Over;
                    }
                    n.child_by_field_name("alias")
                        .or_else(|| n.child_by_field_name("name"))
                }
                "identifier" if c.field_name().is_none() => Some(n),
                _ => None,
            };
            if let Some(local) = local {
                let name = ctx.node_text(local);
                if is_admin_import(spec, name) && !imported.iter().any(|(x, _)| *x == name) {
                    imported.push((name, stmt.byte_range()));
                }
                return Step::Over;
            }
            Step::Into
        });
    }
    let mut out: Vec<Privileged<'t>> = Vec::new();
    for_each_call(ctx, |call, callee, args| {
        let name = ctx.node_text(callee);
        let last = name.rsplit('.').next().unwrap_or(name);
        let creates = match last {
            "createClient" | "createServerClient" => arguments(args)
                .get(1)
                .is_some_and(|k| is_service_key(ctx, decls, *k, 0)),
            _ => false,
        };
        // An imported admin factory called here.
        let factory = callee.kind() == "identifier" && imported.iter().any(|(n, _)| *n == name);
        if !creates && !factory {
            return;
        }
        out.push(binding_of(ctx, call));
    });
    // Imported admin clients used directly (not called).
    for (name, declared) in imported {
        if out.iter().any(|p| {
            p.node.is_some_and(|n| {
                n.child_by_field_name("function")
                    .is_some_and(|f| ctx.node_text(f) == name)
            })
        }) {
            continue;
        }
        out.push(Privileged {
            node: None,
            name: Some(name),
            declared,
        });
    }
    out
}

/// The name a creating call's client goes by: the variable it is assigned
/// to, or the function that returns it.
fn binding_of<'t>(ctx: &FileContext<'t>, call: Node<'t>) -> Privileged<'t> {
    let chain = ancestors(ctx.tree.root_node(), call);
    let mut declared = call.byte_range();
    let mut name = None;
    // The nearest enclosing declarator (through `await`, `!`, `as`).
    for a in chain.iter().rev() {
        match a.kind() {
            "variable_declarator" => {
                if let Some(n) = a
                    .child_by_field_name("name")
                    .filter(|n| n.kind() == "identifier")
                {
                    name = Some(ctx.node_text(n));
                    declared = n.byte_range();
                }
                break;
            }
            "assignment_expression" => {
                if let Some(n) = a
                    .child_by_field_name("left")
                    .filter(|n| n.kind() == "identifier")
                {
                    name = Some(ctx.node_text(n));
                    declared = n.byte_range();
                }
                break;
            }
            "await_expression"
            | "non_null_expression"
            | "as_expression"
            | "parenthesized_expression"
            | "satisfies_expression" => continue,
            _ => break,
        }
    }
    // A helper that returns the client: its calls are the uses.
    if name.is_none() {
        let function = chain.iter().rev().find(|a| {
            matches!(
                a.kind(),
                "function_declaration" | "arrow_function" | "function_expression" | "function"
            )
        });
        if let Some(f) = function {
            let fname = if f.kind() == "function_declaration" {
                f.child_by_field_name("name").map(|n| ctx.node_text(n))
            } else {
                chain
                    .iter()
                    .rev()
                    .find(|a| a.kind() == "variable_declarator")
                    .filter(|d| {
                        d.child_by_field_name("value")
                            .is_some_and(|v| unwrap_expr(v) == *f)
                    })
                    .and_then(|d| d.child_by_field_name("name"))
                    .map(|n| ctx.node_text(n))
            };
            if let Some(fname) = fname {
                let returned = is_returned(ctx, *f, call);
                if returned {
                    return Privileged {
                        node: Some(call),
                        name: Some(fname),
                        declared: f.byte_range(),
                    };
                }
            }
        }
    }
    Privileged {
        node: Some(call),
        name,
        declared,
    }
}

/// Whether `function` returns `call` (an expression body, or `return`).
fn is_returned(ctx: &FileContext<'_>, function: Node<'_>, call: Node<'_>) -> bool {
    let Some(body) = function.child_by_field_name("body") else {
        return false;
    };
    if body.kind() != "statement_block" {
        return unwrap_expr(body) == call
            || (body.kind() == "await_expression" && body.named_child(0) == Some(call));
    }
    let mut found = false;
    walk(body, |c, _| {
        let n = c.node();
        if n.kind() == "return_statement"
            && n.start_byte() <= call.start_byte()
            && call.end_byte() <= n.end_byte()
        {
            found = true;
            return Step::Stop;
        }
        Step::Into
    });
    let _ = ctx;
    found
}

/// Where a privileged client is used, in source order: every mention of
/// its name outside its declaration (but not `auth.getUser` / `getClaims`
/// on it, which verify the caller), or the creating call itself when it has
/// no name.
fn uses_of(ctx: &FileContext<'_>, client: &Privileged<'_>) -> Vec<Range<usize>> {
    let Some(name) = client.name else {
        return client
            .node
            .map(|n| vec![n.byte_range()])
            .unwrap_or_default();
    };
    let mut out = Vec::new();
    walk(ctx.tree.root_node(), |c, _| {
        let n = c.node();
        if n.kind() == "import_statement" {
            return Step::Over;
        }
        if n.kind() == "identifier" && ctx.node_text(n) == name {
            let r = n.byte_range();
            if client.declared.start <= r.start && r.end <= client.declared.end {
                return Step::Into;
            }
            let after = &ctx.text[r.end..(r.end + 40).min(ctx.text.len())];
            let after = after.split_whitespace().collect::<String>();
            if after.starts_with(".auth.getUser(") || after.starts_with(".auth.getClaims(") {
                return Step::Into;
            }
            out.push(r);
        }
        Step::Into
    });
    // A named client used only to verify the caller (`userClient.auth.getUser()`)
    // has no privileged use.
    out
}

/// Whether anything in `range` verifies the caller (see the rule's docs).
fn verified(ctx: &FileContext<'_>, range: Range<usize>) -> bool {
    let Some(slice) = ctx.text.get(range.clone()) else {
        return false;
    };
    let lower = slice.to_ascii_lowercase();
    if calls_verification(&lower) {
        return true;
    }
    // Shared-secret comparisons.
    let mut found = false;
    walk(ctx.tree.root_node(), |c, _| {
        let n = c.node();
        if n.end_byte() <= range.start || n.start_byte() >= range.end {
            return Step::Over;
        }
        if n.kind() == "binary_expression" && n.end_byte() <= range.end {
            let op = n
                .child_by_field_name("operator")
                .map_or("", |o| ctx.node_text(o));
            if matches!(op, "===" | "!==" | "==" | "!=") {
                if let (Some(l), Some(r)) = (
                    n.child_by_field_name("left"),
                    n.child_by_field_name("right"),
                ) {
                    if compares_secret(ctx, l, r) || compares_secret(ctx, r, l) {
                        found = true;
                        return Step::Stop;
                    }
                }
            }
        }
        Step::Into
    });
    found
}

/// `request_side` holds something from the request and `secret_side` a
/// server-held secret; neither is a plain literal.
fn compares_secret(ctx: &FileContext<'_>, request_side: Node<'_>, secret_side: Node<'_>) -> bool {
    let literal = |n: Node<'_>| {
        matches!(
            unwrap_expr(n).kind(),
            "string" | "number" | "null" | "undefined" | "true" | "false"
        ) || ctx.node_text(n) == "undefined"
    };
    if literal(request_side) || literal(secret_side) {
        return false;
    }
    let r = ctx.node_text(request_side).to_ascii_lowercase();
    let s = ctx.node_text(secret_side).to_ascii_lowercase();
    if r.contains("typeof") || s.contains("typeof") {
        return false;
    }
    let request = [
        "header",
        "authorization",
        "auth",
        "bearer",
        "token",
        "signature",
        "req.",
        "request.",
        "searchparams",
        "apikey",
        "api_key",
        "secret",
    ]
    .iter()
    .any(|w| r.contains(w));
    let secret = [
        "env",
        "secret",
        "cron",
        "servicerole",
        "service_role",
        "apikey",
        "api_key",
        "expected",
    ]
    .iter()
    .any(|w| s.contains(w));
    request && secret
}

/// Whether lower-cased code calls something that verifies the caller.
fn calls_verification(lower: &str) -> bool {
    const ANYWHERE: &[&str] = &["svix", "webhook.verify(", "wh.verify("];
    if ANYWHERE.iter().any(|w| lower.contains(w)) {
        return true;
    }
    let bytes = lower.as_bytes();
    for (i, _) in lower.match_indices('(') {
        let mut j = i;
        while j > 0
            && (bytes[j - 1].is_ascii_alphanumeric()
                || bytes[j - 1] == b'_'
                || bytes[j - 1] == b'$'
                || bytes[j - 1] == b'.')
        {
            j -= 1;
        }
        let dotted = &lower[j..i];
        let name = dotted.rsplit('.').next().unwrap_or(dotted);
        if name.is_empty() {
            continue;
        }
        if dotted.contains(".admin.") {
            continue;
        }
        if matches!(
            name,
            "getuser"
                | "getclaims"
                | "jwtverify"
                | "verifyjwt"
                | "verifytoken"
                | "verifyidtoken"
                | "verifyaccesstoken"
                | "getserversession"
                | "currentuser"
                | "gettoken"
                | "auth"
                | "getauth"
                | "constructevent"
                | "constructeventasync"
                | "timingsafeequal"
                | "createhmac"
                | "verify"
                | "requireuser"
                | "requireadmin"
                | "requiresession"
                | "verifysession"
                | "validatesession"
                | "getcurrentuser"
        ) {
            return true;
        }
        if name.contains("verify")
            && (name.contains("signature")
                || name.contains("webhook")
                || name.contains("hmac")
                || name.contains("jwt")
                || name.contains("token")
                || name.contains("user")
                || name.contains("request"))
        {
            return true;
        }
        let n = name.replace("authoriz", "authz").replace("author", "");
        if n.contains("auth")
            && ![
                "oauth", "header", "client", "url", "callback", "redirect", "signin", "signout",
                "provider",
            ]
            .iter()
            .any(|w| n.contains(w))
        {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::Language;

    fn run(path: &str, text: &str) -> Vec<String> {
        crate::analysis::with_file(path, text, Language::TypeScript, |ctx| {
            check(ctx)
                .into_iter()
                .map(|f| ctx.slice(f.range).lines().next().unwrap_or("").to_string())
                .collect()
        })
    }

    const EDGE: &str = "supabase/functions/delete-user/index.ts";

    #[test]
    fn edge_function_without_verification() {
        let text = "import { createClient } from 'npm:@supabase/supabase-js@2';\n\
            Deno.serve(async (req) => {\n\
              const admin = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_SERVICE_ROLE_KEY')!);\n\
              const { id } = await req.json();\n\
              await admin.auth.admin.deleteUser(id);\n\
              return new Response('ok');\n\
            });\n";
        assert_eq!(run(EDGE, text).len(), 1);
        // Not an entry point: no finding.
        assert!(run("lib/admin.ts", text).is_empty());
    }

    #[test]
    fn verification_before_first_use() {
        let text = "const admin = createClient(url, Deno.env.get('SUPABASE_SERVICE_ROLE_KEY')!);\n\
            Deno.serve(async (req) => {\n\
              const token = req.headers.get('Authorization')!.replace('Bearer ', '');\n\
              const { data: { user } } = await admin.auth.getUser(token);\n\
              if (!user) return new Response('no', { status: 401 });\n\
              await admin.from('x').delete().eq('owner', user.id);\n\
              return new Response('ok');\n\
            });\n";
        assert!(run(EDGE, text).is_empty());
        let cron = "const supabase = createClient(url, serviceRoleKey);\n\
            Deno.serve(async (req) => {\n\
              if (req.headers.get('Authorization') !== `Bearer ${Deno.env.get('CRON_SECRET')}`) return new Response('no', { status: 401 });\n\
              await supabase.from('jobs').delete();\n\
              return new Response('ok');\n\
            });\n";
        assert!(run(EDGE, cron).is_empty());
        let header_only = "const supabase = createClient(url, serviceRoleKey);\n\
            Deno.serve(async (req) => {\n\
              const auth = req.headers.get('Authorization');\n\
              if (!auth) return new Response('no', { status: 401 });\n\
              await supabase.from('jobs').delete();\n\
              return new Response('ok');\n\
            });\n";
        assert_eq!(
            run(EDGE, header_only),
            vec!["createClient(url, serviceRoleKey)"]
        );
    }

    #[test]
    fn next_route_handlers_and_server_actions() {
        let route = "import { supabaseAdmin } from '@/utils/supabase/admin';\n\
            export async function POST(req: Request) {\n\
              const body = await req.json();\n\
              await supabaseAdmin.from('profiles').update(body).eq('id', body.id);\n\
              return Response.json({ ok: true });\n\
            }\n";
        assert_eq!(
            run("app/api/profile/route.ts", route),
            vec!["supabaseAdmin"]
        );
        let webhook = "import Stripe from 'stripe';\nimport { upsertProductRecord } from '@/utils/supabase/admin';\n\
            export async function POST(req: Request) {\n\
              const sig = req.headers.get('stripe-signature');\n\
              const event = stripe.webhooks.constructEvent(await req.text(), sig, secret);\n\
              await upsertProductRecord(event.data.object);\n\
              return new Response('ok');\n\
            }\n";
        assert!(run("app/api/webhooks/route.ts", webhook).is_empty());
        let action = "'use server';\nimport { createClient } from '@supabase/supabase-js';\n\
            const admin = () => createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!);\n\
            export async function deleteAccount(id: string) {\n\
              await admin().auth.admin.deleteUser(id);\n\
            }\n\
            export async function safe(id: string) {\n\
              const user = await requireUser();\n\
              await admin().from('x').delete().eq('id', user.id);\n\
            }\n";
        let found = run("app/actions.ts", action);
        assert_eq!(found.len(), 1, "{found:?}");
    }
}

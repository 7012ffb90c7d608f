//! `cors/permissive-credentials`: CORS that sends credentials
//! (`Access-Control-Allow-Credentials: true`) to any site: the `cors`
//! package, `@fastify/cors`, `hono/cors`, `@koa/cors`, NestJS
//! `enableCors`, and hand-written headers.

use std::ops::Range;

use tree_sitter::Node;

use crate::analysis::javascript::project::facts::{dotted_name, string_value, unwrap_expr};
use crate::analysis::javascript::{arguments, for_each_call, pair_key, ModuleBindings};
use crate::analysis::rule::{Rule, Severity, JS_FAMILY};
use crate::analysis::util::{walk, Step};
use crate::analysis::{FileContext, Finding, Related};
use crate::fix::{Applicability, Edit, Fix};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "cors/permissive-credentials",
    default_severity: Severity::Error,
    summary: "CORS allows credentials (`credentials: true`) for any origin: `'*'`, `true`, the reflected request Origin, or a callback that accepts every site.",
    docs: r#"
## What it does
Finds CORS configurations that let browsers send cookies or HTTP
authentication (`credentials: true`, `Access-Control-Allow-Credentials: true`)
and allow every site as the origin:

- the `cors` package (`cors({...})`, also with the options in a variable of
  the same file: `const opts = {...}; app.use(cors(opts))`), `@fastify/cors`
  (`fastify.register(cors, {...})`), `hono/cors` (`cors({...})`),
  `@koa/cors`, NestJS `app.enableCors({...})` and
  `NestFactory.create(AppModule, { cors: {...} })`;
- hand-written headers: `res.setHeader('Access-Control-Allow-Origin', ...)`,
  `res.header(...)`, `res.set(...)`, `headers.set(...)`, header objects
  passed to `new Response`, `NextResponse` or `writeHead`, and the
  `{ key, value }` entries of a Next.js `headers()` config. The origin and
  the credentials header must be set in the same function, or the
  credentials header at module level (a shared `corsHeaders` constant).

An origin allows every site when it is:

- `true` (the `cors` package and `@fastify/cors` then echo the request's
  `Origin` header back), or a fallback to `true` or `'*'`
  (`process.env.CORS_ORIGIN || true`);
- the request's own `Origin` header: `req.headers.origin`,
  `req.header('origin')`, `request.headers.get('origin')`,
  `c.req.header('Origin')`, or a variable holding it, unless the function
  compares it with something (`allowed.includes(origin)`, `===`, a regex
  test) before using it;
- a callback that accepts every origin without looking at it:
  `(origin, cb) => cb(null, true)`, `cb(null, origin)`, hono's
  `origin: (o) => o`. A callback containing any test (`if`, `?:`,
  `includes`, `indexOf`, `test`, `===`, a `switch`) is trusted;
- a regular expression that matches everything (`/.*/`);
- missing, for `@koa/cors`, whose default is to echo the request's Origin.

Judgement calls:

- `origin: '*'` with credentials is reported as a **warning**, not an
  error: the `cors` package, `@fastify/cors` and hono send a literal `*`,
  and browsers refuse credentialed responses with a wildcard origin (the
  Fetch standard's CORS check). The configuration is broken rather than
  open today, but it states the intent "any site, with cookies", and the
  usual way to make it "work" (reflecting the origin) is the hole. For the
  same reason a `cors({ credentials: true })` without `origin` (the `cors`
  package's default `*`) is not reported.
- Only literal `true` (or `'true'` for headers) counts as credentials.
- Options that are not visible in the file (a spread, an imported object, a
  per-request `corsOptionsDelegate`) are not reported.

## Why is this bad?
With credentials allowed for any origin, every website the user visits can
call your API with the user's cookies and read the answers: their profile,
their tokens, anything a logged-in request returns, and it can act on their
behalf. Reflecting the `Origin` header is the same as `*` except that
browsers accept it, so it turns off the same-origin policy for your API
(CWE-942: Permissive Cross-domain Policy with Untrusted Domains; CWE-346:
Origin Validation Error).

## How to fix
Allow only the sites that should call the API with credentials, from
configuration: `origin: (process.env.CORS_ORIGINS ?? '').split(',')`, or a
callback that checks an allow-list. For hand-written headers, set
`Access-Control-Allow-Origin` to the request's origin only after checking it
against the allow-list, and add `Vary: Origin`.

The quick fix replaces the origin with
`(process.env.CORS_ORIGINS ?? '').split(',')` (with `Deno.env.get` in Deno
code). It is **unsafe**: it changes which sites may call the API, and until
`CORS_ORIGINS` is set (a comma-separated list of origins such as
`https://app.example.com`) every cross-origin request is refused. It is not
offered for hand-written headers or `@koa/cors` (whose `origin` takes no
list).

## Example
```ts
import cors from 'cors';
// Reported: any site may call the API with the user's cookies.
app.use(cors({ origin: true, credentials: true }));
// Fixed:
app.use(cors({ origin: (process.env.CORS_ORIGINS ?? '').split(','), credentials: true }));

// Reported: the request's Origin echoed with credentials.
res.setHeader('Access-Control-Allow-Origin', req.headers.origin);
res.setHeader('Access-Control-Allow-Credentials', 'true');
```

## References
- CWE-942: Permissive Cross-domain Policy with Untrusted Domains
- CWE-346: Origin Validation Error
- OWASP Web Security Testing Guide: Testing Cross Origin Resource Sharing (WSTG-CLNT-07)
- Fetch Standard, CORS check: a wildcard origin is never allowed with credentials
"#,
    languages: JS_FAMILY,
    check: Some(check),
};

/// Which API an options object belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Api {
    /// `cors`, `@fastify/cors`, NestJS: `origin` takes a list.
    Listable,
    /// hono/cors: a list too.
    Hono,
    /// `@koa/cors`: missing origin echoes the request's.
    Koa,
}

/// Why an origin allows every site.
enum Permissive {
    /// `'*'` (browsers refuse it with credentials: a warning).
    Wildcard,
    /// Every origin is accepted with credentials; the text says how.
    AnySite(&'static str),
}

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    let lower = ctx.text.to_ascii_lowercase();
    if !lower.contains("credentials") {
        return Vec::new();
    }
    let decls = Declarators::build(ctx);
    let mut findings = Vec::new();
    let mut seen: Vec<Range<usize>> = Vec::new();
    if lower.contains("cors") {
        library_options(ctx, &decls, &mut findings, &mut seen);
    }
    if lower.contains("access-control-allow-credentials") {
        hand_written(ctx, &decls, &mut findings, &seen);
    }
    findings
}

/// `const name = value` declarations of the file, in source order.
pub(crate) struct Declarators<'t> {
    list: Vec<(&'t str, Node<'t>, usize)>,
}

impl<'t> Declarators<'t> {
    /// Every `variable_declarator` with a plain name and a value.
    pub(crate) fn build(ctx: &FileContext<'t>) -> Declarators<'t> {
        let mut list = Vec::new();
        walk(ctx.tree.root_node(), |cursor, _| {
            let n = cursor.node();
            if n.kind() == "variable_declarator" {
                if let (Some(name), Some(value)) = (
                    n.child_by_field_name("name"),
                    n.child_by_field_name("value"),
                ) {
                    if name.kind() == "identifier" {
                        list.push((ctx.node_text(name), value, n.start_byte()));
                    }
                }
            }
            Step::Into
        });
        Declarators { list }
    }

    /// The value of the nearest declaration of `name` before `at` (or the
    /// first one after it, for a function hoisted by use).
    pub(crate) fn value_of(&self, name: &str, at: usize) -> Option<Node<'t>> {
        self.list
            .iter()
            .rfind(|(n, _, start)| *n == name && *start <= at)
            .or_else(|| self.list.iter().find(|(n, _, _)| *n == name))
            .map(|(_, v, _)| *v)
    }
}

/// Library calls: `cors(opts)`, `register(cors, opts)`, `enableCors(opts)`.
fn library_options<'t>(
    ctx: &FileContext<'t>,
    decls: &Declarators<'t>,
    findings: &mut Vec<Finding>,
    seen: &mut Vec<Range<usize>>,
) {
    let cors = ModuleBindings::find(ctx, "cors");
    let hono = ModuleBindings::find(ctx, "hono/cors");
    let mut koa = ModuleBindings::find(ctx, "@koa/cors");
    koa.modules
        .extend(ModuleBindings::find(ctx, "kcors").modules);
    let mut fastify = ModuleBindings::find(ctx, "@fastify/cors");
    fastify
        .modules
        .extend(ModuleBindings::find(ctx, "fastify-cors").modules);
    let deno = is_deno(ctx);
    for_each_call(ctx, |call, callee, args| {
        let list = arguments(args);
        let callee_text = ctx.node_text(callee);
        let (api, options) = match callee.kind() {
            "identifier" if cors.modules.contains(&callee_text) => {
                (Api::Listable, list.first().copied())
            }
            "identifier" if koa.modules.contains(&callee_text) => (Api::Koa, list.first().copied()),
            "identifier"
                if hono
                    .named
                    .iter()
                    .any(|(imported, local)| *imported == "cors" && *local == callee_text) =>
            {
                (Api::Hono, list.first().copied())
            }
            "call_expression" if is_require(ctx, callee, &["cors"]) => {
                (Api::Listable, list.first().copied())
            }
            "call_expression" if is_require(ctx, callee, &["@koa/cors", "kcors"]) => {
                (Api::Koa, list.first().copied())
            }
            "member_expression" => {
                let property = callee
                    .child_by_field_name("property")
                    .map_or("", |p| ctx.node_text(p));
                match property {
                    "register" => {
                        let plugin = list.first().map(|p| unwrap_expr(*p));
                        let is_cors = plugin.is_some_and(|p| match p.kind() {
                            "identifier" => fastify.modules.contains(&ctx.node_text(p)),
                            "call_expression" | "await_expression" => {
                                is_require(ctx, p, &["@fastify/cors", "fastify-cors"])
                            }
                            _ => false,
                        });
                        if !is_cors {
                            return;
                        }
                        (Api::Listable, list.get(1).copied())
                    }
                    "enableCors" => (Api::Listable, list.first().copied()),
                    "create"
                        if callee
                            .child_by_field_name("object")
                            .is_some_and(|o| ctx.node_text(o) == "NestFactory") =>
                    {
                        let Some(opts) = list.get(1).and_then(|o| object_of(ctx, decls, *o)) else {
                            return;
                        };
                        match member(ctx, opts, "cors") {
                            Some(Member::Value(v, _)) => (Api::Listable, Some(v)),
                            _ => return,
                        }
                    }
                    _ => return,
                }
            }
            _ => return,
        };
        let Some(options) = options else {
            return;
        };
        let Some(object) = object_of(ctx, decls, options) else {
            return;
        };
        if seen.contains(&object.byte_range()) {
            return;
        }
        if let Some(f) = judge_options(ctx, decls, api, call, object, deno) {
            seen.push(object.byte_range());
            findings.push(f);
        }
    });
}

/// A member of an object literal: `key: value`, a shorthand `key`, or a
/// method `key() {}` (the value is then the method itself).
enum Member<'t> {
    /// The value node and the whole member.
    Value(Node<'t>, Node<'t>),
}

/// The member `key` of an object literal (the last one, as JavaScript
/// keeps it).
fn member<'t>(ctx: &FileContext<'t>, object: Node<'t>, key: &str) -> Option<Member<'t>> {
    let mut cursor = object.walk();
    let mut found = None;
    for m in object.named_children(&mut cursor) {
        match m.kind() {
            "pair" if pair_key(ctx, m) == Some(key) => {
                found = m.child_by_field_name("value").map(|v| Member::Value(v, m));
            }
            "shorthand_property_identifier" if ctx.node_text(m) == key => {
                found = Some(Member::Value(m, m));
            }
            "method_definition"
                if m.child_by_field_name("name")
                    .is_some_and(|n| ctx.node_text(n) == key) =>
            {
                found = Some(Member::Value(m, m));
            }
            _ => {}
        }
    }
    found
}

/// Whether an object literal has a `...spread` (its members are then not
/// all visible).
fn has_spread(object: Node<'_>) -> bool {
    let mut cursor = object.walk();
    let spread = object
        .named_children(&mut cursor)
        .any(|m| m.kind() == "spread_element");
    spread
}

/// The object literal an options argument is: written in place, or a
/// variable of the file declared with one.
fn object_of<'t>(
    ctx: &FileContext<'t>,
    decls: &Declarators<'t>,
    node: Node<'t>,
) -> Option<Node<'t>> {
    let node = unwrap_expr(node);
    match node.kind() {
        "object" => Some(node),
        "identifier" => {
            let value = unwrap_expr(decls.value_of(ctx.node_text(node), node.start_byte())?);
            (value.kind() == "object").then_some(value)
        }
        _ => None,
    }
}

/// Judges one options object.
fn judge_options<'t>(
    ctx: &FileContext<'t>,
    decls: &Declarators<'t>,
    api: Api,
    call: Node<'t>,
    object: Node<'t>,
    deno: bool,
) -> Option<Finding> {
    let Some(Member::Value(credentials, credentials_member)) = member(ctx, object, "credentials")
    else {
        return None;
    };
    if unwrap_expr(credentials).kind() != "true" {
        return None;
    }
    let origin = member(ctx, object, "origin");
    let (verdict, origin_member) = match origin {
        Some(Member::Value(value, whole)) => {
            let value = if value.kind() == "shorthand_property_identifier" {
                decls.value_of(ctx.node_text(value), value.start_byte())?
            } else {
                value
            };
            (judge_origin(ctx, decls, value)?, Some(whole))
        }
        None if api == Api::Koa && !has_spread(object) => (
            Permissive::AnySite("@koa/cors echoes the request's Origin when `origin` is not set"),
            None,
        ),
        None => return None,
    };
    let (severity, why) = match verdict {
        Permissive::Wildcard => (
            Severity::Warning,
            "allows the wildcard origin `*` with credentials: browsers refuse that combination, so the configuration is broken, and the usual way to make it work (echoing the request's Origin) lets every site call the API as the user",
        ),
        Permissive::AnySite(how) => (Severity::Error, how),
    };
    let report = origin_member.unwrap_or(credentials_member);
    let message = format!(
        "CORS {why}{}. Any website the user visits can then send requests with the user's cookies and read the responses. Allow only the origins you trust, e.g. `origin: (process.env.CORS_ORIGINS ?? '').split(',')`.",
        if matches!(severity, Severity::Error) && origin_member.is_some() {
            " while `credentials: true` is set"
        } else {
            ""
        }
    );
    let mut finding = Finding::new(&RULE, report.byte_range(), message);
    finding.severity = severity;
    if origin_member.is_some() {
        finding.related.push(Related {
            path: None,
            range: credentials_member.byte_range(),
            message: "`credentials: true`: cookies and HTTP authentication are sent".into(),
        });
    } else {
        finding.related.push(Related {
            path: None,
            range: call.byte_range(),
            message: "the CORS middleware is created here".into(),
        });
    }
    if let (Some(whole), true) = (origin_member, api != Api::Koa) {
        let list = if deno {
            "(Deno.env.get('CORS_ORIGINS') ?? '').split(',')"
        } else {
            "(process.env.CORS_ORIGINS ?? '').split(',')"
        };
        let edit = match whole.kind() {
            "pair" => {
                let value = whole.child_by_field_name("value")?;
                Edit::replace(value.byte_range(), list)
            }
            _ => Edit::replace(whole.byte_range(), format!("origin: {list}")),
        };
        finding = finding.with_fix(Fix::new(
            "Allow only the origins listed in CORS_ORIGINS",
            Applicability::Unsafe,
            edit,
        ));
    }
    Some(finding)
}

/// Whether an `origin` value allows every site.
fn judge_origin<'t>(
    ctx: &FileContext<'t>,
    decls: &Declarators<'t>,
    value: Node<'t>,
) -> Option<Permissive> {
    let value = unwrap_expr(value);
    match value.kind() {
        "true" => Some(Permissive::AnySite(
            "reflects every request's Origin (`origin: true`)",
        )),
        "string" | "template_string" => {
            (string_value(ctx.text, value)? == "*").then_some(Permissive::Wildcard)
        }
        "regex" => {
            let pattern = value
                .child_by_field_name("pattern")
                .map_or("", |p| ctx.node_text(p));
            matches!(pattern, ".*" | ".+" | "^.*$" | "^.+$" | "^.*" | ".*$").then_some(
                Permissive::AnySite("accepts every origin (a regex that matches anything)"),
            )
        }
        "binary_expression" => {
            let op = value
                .child_by_field_name("operator")
                .map_or("", |o| ctx.node_text(o));
            if !matches!(op, "||" | "??") {
                return None;
            }
            let right = value.child_by_field_name("right")?;
            let left = value.child_by_field_name("left")?;
            if is_request_origin(ctx, left) {
                return Some(Permissive::AnySite("reflects the request's Origin header"));
            }
            match judge_origin(ctx, decls, right)? {
                Permissive::Wildcard => Some(Permissive::Wildcard),
                Permissive::AnySite(_) => Some(Permissive::AnySite(
                    "falls back to reflecting every Origin when the configured value is missing",
                )),
            }
        }
        "arrow_function" | "function_expression" | "function" | "method_definition" => {
            judge_callback(ctx, value)
        }
        "identifier" => {
            let v = decls.value_of(ctx.node_text(value), value.start_byte())?;
            let v = unwrap_expr(v);
            if matches!(
                v.kind(),
                "arrow_function" | "function_expression" | "function"
            ) {
                return judge_callback(ctx, v);
            }
            if is_request_origin(ctx, v) {
                return Some(Permissive::AnySite("reflects the request's Origin header"));
            }
            None
        }
        _ if is_request_origin(ctx, value) => {
            Some(Permissive::AnySite("reflects the request's Origin header"))
        }
        _ => None,
    }
}

/// Whether a callback accepts every origin without looking at it.
fn judge_callback(ctx: &FileContext<'_>, function: Node<'_>) -> Option<Permissive> {
    let params = parameter_names(ctx, function);
    let origin = params.first().copied().unwrap_or("");
    let callback = params.get(1).copied().unwrap_or("");
    let body = function.child_by_field_name("body")?;
    let mut checks = false;
    let mut allows = false;
    let mut returns_origin = false;
    // An expression body: `(o) => o`, `(o) => o ?? '*'`.
    let expr = unwrap_expr(body);
    if !origin.is_empty() && (ctx.node_text(expr) == origin || returns_param(ctx, expr, origin)) {
        returns_origin = true;
    }
    walk(body, |cursor, _| {
        let n = cursor.node();
        match n.kind() {
            "if_statement" | "ternary_expression" | "switch_statement" | "regex" => {
                checks = true;
                return Step::Stop;
            }
            "binary_expression" => {
                let op = n
                    .child_by_field_name("operator")
                    .map_or("", |o| ctx.node_text(o));
                if matches!(op, "===" | "!==" | "==" | "!=" | "in" | "instanceof") {
                    checks = true;
                    return Step::Stop;
                }
            }
            "call_expression" => {
                let f = n.child_by_field_name("function");
                if let Some(f) = f {
                    if f.kind() == "member_expression" {
                        let p = f
                            .child_by_field_name("property")
                            .map_or("", |p| ctx.node_text(p));
                        if matches!(
                            p,
                            "includes"
                                | "indexOf"
                                | "test"
                                | "has"
                                | "some"
                                | "find"
                                | "match"
                                | "endsWith"
                                | "startsWith"
                                | "exec"
                                | "every"
                                | "findIndex"
                        ) {
                            checks = true;
                            return Step::Stop;
                        }
                    } else if !callback.is_empty() && ctx.node_text(f) == callback {
                        let args = n
                            .child_by_field_name("arguments")
                            .map(arguments)
                            .unwrap_or_default();
                        let second = args.get(1).map(|a| unwrap_expr(*a));
                        if second.is_some_and(|a| {
                            a.kind() == "true" || (!origin.is_empty() && ctx.node_text(a) == origin)
                        }) {
                            allows = true;
                        }
                    } else if ctx.node_text(f) != callback {
                        // A call to a helper (`isAllowed(origin)`) may check.
                        if !origin.is_empty()
                            && n.child_by_field_name("arguments")
                                .is_some_and(|a| ctx.node_text(a).contains(origin))
                        {
                            checks = true;
                            return Step::Stop;
                        }
                    }
                }
            }
            "return_statement" => {
                if let Some(v) = n.named_child(0) {
                    let v = unwrap_expr(v);
                    if !origin.is_empty()
                        && (ctx.node_text(v) == origin || returns_param(ctx, v, origin))
                    {
                        returns_origin = true;
                    }
                    if v.kind() == "true" {
                        returns_origin = true;
                    }
                }
            }
            "arrow_function" | "function_expression" | "function" if n != body => {
                // A nested function is not this callback's decision.
                return Step::Over;
            }
            _ => {}
        }
        Step::Into
    });
    if checks {
        return None;
    }
    if allows {
        return Some(Permissive::AnySite(
            "accepts every origin: its callback allows each one without checking it",
        ));
    }
    if returns_origin {
        return Some(Permissive::AnySite(
            "accepts every origin: its callback returns the request's Origin unchecked",
        ));
    }
    None
}

/// `o ?? '*'`, `o || '*'` with `o` the parameter.
fn returns_param(ctx: &FileContext<'_>, expr: Node<'_>, param: &str) -> bool {
    expr.kind() == "binary_expression"
        && expr
            .child_by_field_name("operator")
            .is_some_and(|o| matches!(ctx.node_text(o), "||" | "??"))
        && expr
            .child_by_field_name("left")
            .is_some_and(|l| ctx.node_text(unwrap_expr(l)) == param)
}

/// The names of a function's parameters (`_` for patterns).
fn parameter_names<'a>(ctx: &FileContext<'a>, function: Node<'_>) -> Vec<&'a str> {
    if let Some(p) = function.child_by_field_name("parameter") {
        return vec![ctx.node_text(p)];
    }
    let Some(params) = function.child_by_field_name("parameters") else {
        return Vec::new();
    };
    let mut cursor = params.walk();
    let names: Vec<&str> = params
        .named_children(&mut cursor)
        .filter(|p| p.kind() != "comment")
        .map(|p| {
            let name = p.child_by_field_name("pattern").unwrap_or(p);
            let name = if name.kind() == "assignment_pattern" {
                name.child_by_field_name("left").unwrap_or(name)
            } else {
                name
            };
            if name.kind() == "identifier" {
                ctx.node_text(name)
            } else {
                "_"
            }
        })
        .collect();
    names
}

/// Whether `node` reads the request's `Origin` header.
pub(crate) fn is_request_origin(ctx: &FileContext<'_>, node: Node<'_>) -> bool {
    let node = unwrap_expr(node);
    match node.kind() {
        "member_expression" => dotted_name(ctx.text, node).is_some_and(|d| {
            let d = d.to_ascii_lowercase();
            d.ends_with("headers.origin")
        }),
        "subscript_expression" => {
            let object = node.child_by_field_name("object").map(|o| ctx.node_text(o));
            let index = node
                .child_by_field_name("index")
                .and_then(|i| string_value(ctx.text, i));
            object.is_some_and(|o| o.ends_with("headers"))
                && index.is_some_and(|i| i.eq_ignore_ascii_case("origin"))
        }
        "call_expression" => {
            let Some(f) = node.child_by_field_name("function") else {
                return false;
            };
            if f.kind() != "member_expression" {
                return false;
            }
            let method = f
                .child_by_field_name("property")
                .map_or("", |p| ctx.node_text(p));
            if !matches!(method, "get" | "header" | "getHeader" | "headers") {
                return false;
            }
            let first = node
                .child_by_field_name("arguments")
                .and_then(|a| arguments(a).first().copied());
            first
                .and_then(|a| string_value(ctx.text, a))
                .is_some_and(|s| s.eq_ignore_ascii_case("origin"))
        }
        _ => false,
    }
}

/// Whether `call` is `require('m')` or `import('m')` (possibly awaited) of
/// one of `modules`.
fn is_require(ctx: &FileContext<'_>, call: Node<'_>, modules: &[&str]) -> bool {
    let mut call = unwrap_expr(call);
    if call.kind() == "await_expression" {
        match call.named_child(0) {
            Some(c) => call = unwrap_expr(c),
            None => return false,
        }
    }
    if call.kind() != "call_expression" {
        return false;
    }
    let f = call
        .child_by_field_name("function")
        .map(|f| ctx.node_text(f));
    if !matches!(f, Some("require" | "import")) {
        return false;
    }
    call.child_by_field_name("arguments")
        .and_then(|a| arguments(a).first().copied())
        .and_then(|a| string_value(ctx.text, a))
        .is_some_and(|s| modules.contains(&s))
}

/// Whether the file is Deno code (a Supabase Edge Function, or imports
/// through `npm:`, `jsr:` or URLs), where `process.env` is not available.
fn is_deno(ctx: &FileContext<'_>) -> bool {
    let p = ctx.path.to_string_lossy().replace('\\', "/");
    p.contains("supabase/functions/")
        || ctx.text.contains("Deno.")
        || ctx.text.contains("from 'npm:")
        || ctx.text.contains("from \"npm:")
        || ctx.text.contains("from 'jsr:")
        || ctx.text.contains("from \"jsr:")
        || ctx.text.contains("from 'https://")
        || ctx.text.contains("from \"https://")
}

/// One header the file sets by hand.
struct HeaderSet<'t> {
    /// The value node.
    value: Node<'t>,
    /// What to report on.
    report: Node<'t>,
    /// The function (or the file, or a Next.js `headers` array) it is set in.
    scope: Range<usize>,
}

/// Hand-written `Access-Control-Allow-*` headers.
fn hand_written<'t>(
    ctx: &FileContext<'t>,
    decls: &Declarators<'t>,
    findings: &mut Vec<Finding>,
    seen: &[Range<usize>],
) {
    let mut origins: Vec<HeaderSet<'t>> = Vec::new();
    let mut credentials: Vec<HeaderSet<'t>> = Vec::new();
    // Enclosing functions, innermost last: (depth, range).
    let mut functions: Vec<(u32, Range<usize>)> = vec![(0, 0..ctx.text.len())];
    walk(ctx.tree.root_node(), |cursor, depth| {
        let n = cursor.node();
        while functions.len() > 1 && functions.last().is_some_and(|(d, _)| *d >= depth) {
            functions.pop();
        }
        let scope = functions
            .last()
            .map_or(0..ctx.text.len(), |(_, r)| r.clone());
        match n.kind() {
            "arrow_function"
            | "function_expression"
            | "function"
            | "function_declaration"
            | "method_definition"
            | "generator_function_declaration" => {
                functions.push((depth, n.byte_range()));
            }
            "call_expression" => {
                let (Some(f), Some(args)) = (
                    n.child_by_field_name("function"),
                    n.child_by_field_name("arguments"),
                ) else {
                    return Step::Into;
                };
                if f.kind() != "member_expression" {
                    return Step::Into;
                }
                let method = f
                    .child_by_field_name("property")
                    .map_or("", |p| ctx.node_text(p));
                if !matches!(
                    method,
                    "setHeader" | "header" | "set" | "append" | "setHeaders"
                ) {
                    return Step::Into;
                }
                let list = arguments(args);
                if let (Some(name), Some(value)) = (list.first(), list.get(1)) {
                    if let Some(name) = string_value(ctx.text, *name) {
                        let set = HeaderSet {
                            value: *value,
                            report: *value,
                            scope,
                        };
                        if name.eq_ignore_ascii_case("access-control-allow-origin") {
                            origins.push(set);
                        } else if name.eq_ignore_ascii_case("access-control-allow-credentials") {
                            credentials.push(set);
                        }
                    }
                }
            }
            "pair" => {
                let Some(key) = pair_key(ctx, n) else {
                    return Step::Into;
                };
                let Some(value) = n.child_by_field_name("value") else {
                    return Step::Into;
                };
                if key.eq_ignore_ascii_case("access-control-allow-origin") {
                    origins.push(HeaderSet {
                        value,
                        report: n,
                        scope,
                    });
                } else if key.eq_ignore_ascii_case("access-control-allow-credentials") {
                    credentials.push(HeaderSet {
                        value,
                        report: n,
                        scope,
                    });
                } else if key == "key" {
                    // Next.js `headers()`: `{ key: 'Access-Control-...', value: '...' }`.
                    let Some(name) = string_value(ctx.text, value) else {
                        return Step::Into;
                    };
                    let Some(object) = n.parent() else {
                        return Step::Into;
                    };
                    let Some(Member::Value(v, whole)) = member(ctx, object, "value") else {
                        return Step::Into;
                    };
                    // The entries of one `headers: [...]` array go together.
                    let scope = object.parent().map_or(scope, |a| a.byte_range());
                    let set = HeaderSet {
                        value: v,
                        report: whole,
                        scope,
                    };
                    if name.eq_ignore_ascii_case("access-control-allow-origin") {
                        origins.push(set);
                    } else if name.eq_ignore_ascii_case("access-control-allow-credentials") {
                        credentials.push(set);
                    }
                }
            }
            _ => {}
        }
        Step::Into
    });
    let credentialed: Vec<&HeaderSet<'t>> = credentials
        .iter()
        .filter(|c| {
            let v = unwrap_expr(c.value);
            v.kind() == "true"
                || string_value(ctx.text, v).is_some_and(|s| s.eq_ignore_ascii_case("true"))
        })
        .collect();
    if credentialed.is_empty() {
        return;
    }
    for o in &origins {
        if seen
            .iter()
            .any(|s| s.start <= o.report.start_byte() && o.report.end_byte() <= s.end)
        {
            continue;
        }
        let together = |c: &&&HeaderSet<'t>| {
            let contains = |scope: &Range<usize>, n: Node<'_>| {
                scope.start <= n.start_byte() && n.end_byte() <= scope.end
            };
            contains(&c.scope, o.report)
        };
        let Some(c) = credentialed.iter().find(together) else {
            continue;
        };
        let value = unwrap_expr(o.value);
        let verdict = if string_value(ctx.text, value) == Some("*") {
            Some(Permissive::Wildcard)
        } else if reflects_unchecked(ctx, decls, value, &o.scope) {
            Some(Permissive::AnySite(
                "reflects the request's Origin header unchecked",
            ))
        } else {
            None
        };
        let Some(verdict) = verdict else { continue };
        let (severity, why) = match verdict {
            Permissive::Wildcard => (
                Severity::Warning,
                "`Access-Control-Allow-Origin: *` is sent together with `Access-Control-Allow-Credentials: true`: browsers refuse that combination, so this is broken, and the usual way to make it work (echoing the request's Origin) lets every site call the API as the user",
            ),
            Permissive::AnySite(_) => (
                Severity::Error,
                "`Access-Control-Allow-Origin` echoes the request's Origin header without checking it, together with `Access-Control-Allow-Credentials: true`: any website the user visits can send requests with the user's cookies and read the responses",
            ),
        };
        let mut finding = Finding::new(
            &RULE,
            o.report.byte_range(),
            format!("{why}. Send the Origin back only when it is in an allow-list of trusted sites (and add `Vary: Origin`)."),
        );
        finding.severity = severity;
        finding.related.push(Related {
            path: None,
            range: c.report.byte_range(),
            message: "`Access-Control-Allow-Credentials: true` is set here".into(),
        });
        findings.push(finding);
    }
}

/// Whether a header value is the request's Origin (directly or through a
/// variable) and nothing in `scope` checks it first.
fn reflects_unchecked<'t>(
    ctx: &FileContext<'t>,
    decls: &Declarators<'t>,
    value: Node<'t>,
    scope: &Range<usize>,
) -> bool {
    let value = unwrap_expr(value);
    let mut names: Vec<&str> = vec!["origin"];
    let direct = is_request_origin(ctx, value)
        || (value.kind() == "binary_expression"
            && value
                .child_by_field_name("operator")
                .is_some_and(|o| matches!(ctx.node_text(o), "||" | "??"))
            && value
                .child_by_field_name("left")
                .is_some_and(|l| is_request_origin(ctx, l)));
    let through_variable = value.kind() == "identifier"
        && decls
            .value_of(ctx.node_text(value), value.start_byte())
            .is_some_and(|v| {
                let v = unwrap_expr(v);
                is_request_origin(ctx, v)
                    || (v.kind() == "binary_expression"
                        && v.child_by_field_name("left")
                            .is_some_and(|l| is_request_origin(ctx, l)))
            });
    if !direct && !through_variable {
        return false;
    }
    if value.kind() == "identifier" {
        names.push(ctx.node_text(value));
    }
    // A test of the origin anywhere in the function: an allow-list lookup,
    // a comparison, a regex.
    let Some(scope_node) = ctx
        .tree
        .root_node()
        .descendant_for_byte_range(scope.start, scope.end)
    else {
        return true;
    };
    let mut checked = false;
    walk(scope_node, |cursor, _| {
        let n = cursor.node();
        let mentions = |n: Node<'_>| {
            let t = ctx.node_text(n).to_ascii_lowercase();
            names
                .iter()
                .any(|name| t.contains(&name.to_ascii_lowercase()))
        };
        match n.kind() {
            "binary_expression" => {
                let op = n
                    .child_by_field_name("operator")
                    .map_or("", |o| ctx.node_text(o));
                if matches!(op, "===" | "!==" | "==" | "!=") && mentions(n) {
                    checked = true;
                    return Step::Stop;
                }
            }
            "call_expression" => {
                let f = n.child_by_field_name("function");
                let p = f
                    .filter(|f| f.kind() == "member_expression")
                    .and_then(|f| f.child_by_field_name("property"))
                    .map_or("", |p| ctx.node_text(p));
                if matches!(
                    p,
                    "includes"
                        | "indexOf"
                        | "test"
                        | "has"
                        | "some"
                        | "match"
                        | "endsWith"
                        | "startsWith"
                        | "exec"
                ) && mentions(n)
                {
                    checked = true;
                    return Step::Stop;
                }
            }
            _ => {}
        }
        Step::Into
    });
    !checked
}

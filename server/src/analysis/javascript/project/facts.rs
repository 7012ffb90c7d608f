//! What one JavaScript or TypeScript file contributes to the project model:
//! its imports and exports, the HTTP objects it creates (Express apps and
//! routers, Fastify instances and plugins, Hono apps), what it registers on
//! them in source order, and the functions it defines with what their
//! bodies evidently do (check the caller, limit the rate, handle errors).
//!
//! Facts are owned data (strings and byte ranges into the file's text), so
//! the syntax tree can be dropped once they are extracted. Extraction is
//! one cursor walk over the tree plus a look at each function body's text:
//! linear in the file's size.

use std::ops::Range;

use tree_sitter::Node;

use crate::analysis::javascript::arguments;
use crate::analysis::util::{walk, Step};

/// How a local name was imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    /// The local name.
    pub local: String,
    /// The module specifier as written (`./routes/admin`, `express`).
    pub specifier: String,
    /// The exported name: `default`, `*` for the whole module (namespace
    /// import or `require`), or the named export.
    pub imported: String,
}

/// A name the file exports and the local name or function it refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    /// The exported name (`default` for `export default` and
    /// `module.exports =`).
    pub name: String,
    /// What it refers to.
    pub target: Ref,
}

/// A reference to something a handler list or an export names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ref {
    /// A name, possibly dotted (`requireAuth`, `auth.required`,
    /// `fastify.authenticate`).
    Name(String),
    /// `require('<specifier>')` or `import('<specifier>')` written in place.
    Module(String),
    /// A function defined in this file, by index into [`FileFacts::functions`].
    Function(usize),
    /// An HTTP object of this file, by index into [`FileFacts::objects`].
    Object(usize),
    /// A call whose result is the handler (`passport.authenticate('jwt')`,
    /// `rateLimit({...})`, `asyncHandler(fn)`): the callee's dotted name and
    /// the refs of its arguments that are functions or names.
    Call(String, Vec<Ref>),
    /// Anything else (an object literal, a computed value).
    Other,
}

/// Which kind of HTTP object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectKind {
    /// `express()`.
    ExpressApp,
    /// `express.Router()` / `Router()`.
    ExpressRouter,
    /// `Fastify()`.
    FastifyApp,
    /// `new Hono()`.
    HonoApp,
    /// A function's parameter that routes are registered on (`module.exports
    /// = (app) => { app.get(...) }`, a Fastify plugin's instance).
    Param,
}

/// An HTTP object: an app, a router or a plugin instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpObject {
    /// The local name it is bound to.
    pub name: String,
    /// What it is.
    pub kind: ObjectKind,
    /// The byte range of its creation (`express()`) or, for a parameter,
    /// of the parameter.
    pub range: Range<usize>,
    /// The byte range of the function or file its name is visible in.
    pub scope: Range<usize>,
    /// For [`ObjectKind::Param`]: the function and the parameter's position.
    pub param_of: Option<(usize, usize)>,
    /// Hono's `basePath('/api')` in the chain that creates it: a prefix of
    /// every route registered on it.
    pub base_path: Option<String>,
}

/// What a registration call does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegKind {
    /// `use([path,] ...handlers)`: middleware, or routers mounted.
    Use,
    /// A route: `get(path, ...handlers)`; `method` upper case, `ALL` for
    /// `all`/`any`/`on` with several methods.
    Route(String),
    /// Fastify `register(plugin, { prefix })` or Hono `route(path, sub)`:
    /// the handlers are the mounted plugin or app.
    Mount,
    /// Fastify `addHook('onRequest' | 'preHandler' | ..., fn)`.
    Hook,
    /// Fastify `setErrorHandler(fn)`, Hono `onError(fn)`.
    ErrorHandler,
    /// `f(app)`: the object handed to a function that registers on it; the
    /// handlers hold the function, `arg` the object's argument position.
    Invoke(usize),
}

/// One registration call on an HTTP object, in source order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    /// The object registered on ([`FileFacts::objects`]).
    pub object: usize,
    /// What kind of registration.
    pub kind: RegKind,
    /// The path argument, when it is a plain string (`None`: no path, or
    /// one computed at run time).
    pub path: Option<String>,
    /// Whether a path argument was given but is not a plain string.
    pub dynamic_path: bool,
    /// The handlers in order (middleware first, the route handler last).
    pub handlers: Vec<Ref>,
    /// The whole call.
    pub range: Range<usize>,
    /// The range to report on: from the callee to the end of the path
    /// argument (or of the call's first line of arguments).
    pub head: Range<usize>,
    /// Where the last handler argument starts (to insert middleware before).
    pub handler_start: Option<usize>,
    /// Fastify `register(autoload, { dir: path.join(__dirname, 'routes') })`:
    /// the folder (relative to this file's folder) whose plugins
    /// @fastify/autoload registers.
    pub autoload_dir: Option<String>,
}

/// What a function body evidently does, from its text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BodyFlags {
    /// It checks who the caller is: verifies a token, reads the session
    /// and refuses without one, calls an auth library's "who is this".
    pub checks_caller: bool,
    /// It limits the request rate (`ratelimit.limit(`, `rateLimit(`).
    pub limits_rate: bool,
    /// It verifies a webhook signature (`constructEvent`, `verifySignature`,
    /// an HMAC compared with a header).
    pub verifies_signature: bool,
    /// The request methods it tests for (`req.method === 'POST'`).
    pub methods: Vec<String>,
}

/// A function defined in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    /// Its name, or the name of the variable it is assigned to; `None` for
    /// an anonymous function (an inline handler, `export default function`).
    pub name: Option<String>,
    /// The parameters' names in order (`_` for patterns).
    pub params: Vec<String>,
    /// The whole function.
    pub range: Range<usize>,
    /// What its body does.
    pub flags: BodyFlags,
    /// For a factory (`function requireRole(role) { return (req, res, next)
    /// => ... }`): the flags of the functions it returns, merged.
    pub returns: Option<BodyFlags>,
    /// How many functions enclose it (0 at module level); bodies deeper
    /// than a few levels are not read.
    pub depth: usize,
}

/// An exported function of a file-routed framework module: a Next.js route
/// handler (`export async function POST`), a `pages/api` default export,
/// the handler an Edge Function serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportedHandler {
    /// `GET`, `POST`, …, or `ALL` for a default export / served function.
    pub method: String,
    /// The name to report on (`POST`, `default`, `Deno.serve`).
    pub head: Range<usize>,
    /// The handler, when it is a function or a name.
    pub target: Ref,
}

/// Everything one file contributes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileFacts {
    /// Whether the file starts with the `'use client'` directive.
    pub use_client: bool,
    /// Imports and requires at any level.
    pub imports: Vec<Import>,
    /// Exports.
    pub exports: Vec<Export>,
    /// HTTP objects.
    pub objects: Vec<HttpObject>,
    /// Registrations in source order.
    pub registrations: Vec<Registration>,
    /// Functions defined in the file (named and inline handlers).
    pub functions: Vec<Function>,
    /// Route handlers exported by name or served (Next.js, Edge Functions).
    pub handlers: Vec<ExportedHandler>,
    /// `export const config = { matcher: ... }`: the matcher's strings.
    pub matcher: Option<Vec<String>>,
    /// `createRouteMatcher([...])` patterns (Clerk), with the variable name
    /// they are bound to.
    pub route_matchers: Vec<(String, Vec<String>)>,
    /// Whether the file's text, outside handlers, checks the caller (for a
    /// Next.js middleware: calls an auth library).
    pub checks_caller: bool,
    /// Whether the file's text limits the rate anywhere.
    pub limits_rate: bool,
}

/// How many enclosing functions a function may have for its body to be
/// read.
const MAX_READ_DEPTH: usize = 6;

/// HTTP method names a route registration may use, lower case.
const METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "del", "options", "head", "all",
];

/// Extracts the facts of a parsed JS/TS file.
pub fn extract(text: &str, root: Node<'_>) -> FileFacts {
    let mut x = Extractor {
        text,
        facts: FileFacts::default(),
        scopes: vec![(0, 0..text.len())],
        kinds: Vec::new(),
    };
    x.facts.use_client = has_use_client(text, root);
    let lower = text.to_ascii_lowercase();
    x.facts.checks_caller = checks_caller(&lower);
    x.facts.limits_rate = limits_rate(&lower);
    // First pass: functions, objects, imports, exports (so that a route
    // registered above the function it names still resolves).
    walk(root, |cursor, depth| {
        let node = cursor.node();
        while x
            .scopes
            .last()
            .is_some_and(|(d, _)| *d >= depth && depth > 0)
        {
            x.scopes.pop();
        }
        x.kinds.truncate(depth as usize);
        x.kinds.push(node.kind() == "export_statement");
        x.declarations(node, depth);
        Step::Into
    });
    x.scopes.truncate(1);
    walk(root, |cursor, depth| {
        let node = cursor.node();
        while x
            .scopes
            .last()
            .is_some_and(|(d, _)| *d >= depth && depth > 0)
        {
            x.scopes.pop();
        }
        if is_function(node.kind()) {
            x.scopes.push((depth, node.byte_range()));
        }
        if node.kind() == "call_expression" {
            x.registration(node);
        }
        Step::Into
    });
    let mut facts = x.facts;
    // Source order; a chain `route(p).get(h).post(h)` is visited outside
    // in, and its inner calls end first.
    facts
        .registrations
        .sort_by_key(|r| (r.range.start, r.range.end));
    propagate_checks(text, &mut facts);
    facts
}

/// Whether a parameter object is a Fastify instance: named like one
/// (`fastify`, `instance`, `server`), or the first parameter of a function
/// shaped like a Fastify plugin, `(app, opts)` / `(app, opts, done)`, or
/// of a file that imports Fastify. Plugins loaded by `@fastify/autoload`
/// are often written `export default async function (app, opts)` and
/// mounted by no code Moat can follow; without this their `addHook` and
/// route options were read as Express and ignored.
pub fn param_is_fastify(facts: &FileFacts, object: usize) -> bool {
    let o = &facts.objects[object];
    let name = o.name.to_ascii_lowercase();
    if name.contains("fastify") || name == "instance" || name == "server" {
        return true;
    }
    let plugin_shape = o.param_of.is_some_and(|(f, i)| {
        let params = &facts.functions[f].params;
        i == 0
            && matches!(
                params.get(1).map(|p| p.trim_start_matches('_')),
                Some("opts" | "options" | "opt")
            )
            && params.get(2).is_none_or(|p| p == "done" || p == "next")
    });
    let imports_fastify = facts.imports.iter().any(|i| {
        i.specifier == "fastify"
            || i.specifier == "fastify-plugin"
            || i.specifier.starts_with("@fastify/")
    });
    o.kind == ObjectKind::Param && (plugin_shape || imports_fastify)
}

/// The innermost receiver of a method-call chain: `new Hono()` in
/// `new Hono().use(a).post('/x', h)`; the node itself when it is not a
/// method call.
fn chain_root(node: Node<'_>) -> Option<Node<'_>> {
    let mut node = unwrap_expr(node);
    while node.kind() == "call_expression" {
        let f = unwrap_expr(node.child_by_field_name("function")?);
        if f.kind() != "member_expression" {
            return Some(node);
        }
        node = unwrap_expr(f.child_by_field_name("object")?);
    }
    Some(node)
}

/// A function that calls a function of the same file which checks the
/// caller (`async function requireUser(req) {...}` called by a handler)
/// checks it too. Two rounds cover a helper calling a helper.
fn propagate_checks(text: &str, facts: &mut FileFacts) {
    for _ in 0..2 {
        let checkers: Vec<String> = facts
            .functions
            .iter()
            .filter(|f| {
                f.flags.checks_caller || f.returns.as_ref().is_some_and(|r| r.checks_caller)
            })
            .filter_map(|f| {
                f.name
                    .as_ref()
                    .map(|n| format!("{}(", n.to_ascii_lowercase()))
            })
            .collect();
        if checkers.is_empty() {
            return;
        }
        let mut changed = false;
        for f in facts.functions.iter_mut() {
            if f.flags.checks_caller || f.depth > MAX_READ_DEPTH {
                continue;
            }
            let body = text.get(f.range.clone()).unwrap_or("").to_ascii_lowercase();
            let own = f
                .name
                .as_ref()
                .map(|n| format!("{}(", n.to_ascii_lowercase()));
            if checkers
                .iter()
                .any(|c| Some(c) != own.as_ref() && body.contains(c.as_str()))
            {
                f.flags.checks_caller = true;
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

struct Extractor<'a> {
    text: &'a str,
    facts: FileFacts,
    /// (depth, range) of the enclosing functions, outermost first; the
    /// file itself at depth 0.
    scopes: Vec<(u32, Range<usize>)>,
    /// For the nodes from the root down to the current one, in the first
    /// walk: whether each is an `export_statement` (`Node::parent` searches
    /// from the root: quadratic on files with thousands of statements).
    kinds: Vec<bool>,
}

fn is_function(kind: &str) -> bool {
    matches!(
        kind,
        "function_declaration"
            | "function_expression"
            | "arrow_function"
            | "method_definition"
            | "generator_function_declaration"
            | "function"
    )
}

/// Skips TypeScript wrappers around an expression: `x as T`, `x!`,
/// `x satisfies T`, `(x)`, `<T>x`.
pub fn unwrap_expr(mut node: Node<'_>) -> Node<'_> {
    loop {
        match node.kind() {
            "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression"
            | "type_assertion"
            | "await_expression" => match node.named_child(0) {
                Some(inner) => node = inner,
                None => return node,
            },
            _ => return node,
        }
    }
}

/// The text of a string literal or a template without substitutions,
/// without quotes.
pub fn string_value<'a>(text: &'a str, node: Node<'_>) -> Option<&'a str> {
    let node = unwrap_expr(node);
    match node.kind() {
        "string" => {
            let raw = text.get(node.byte_range())?;
            Some(raw.get(1..raw.len().saturating_sub(1)).unwrap_or(""))
        }
        "template_string" => {
            let mut cursor = node.walk();
            if node
                .named_children(&mut cursor)
                .any(|c| c.kind() == "template_substitution")
            {
                return None;
            }
            let raw = text.get(node.byte_range())?;
            Some(raw.get(1..raw.len().saturating_sub(1)).unwrap_or(""))
        }
        _ => None,
    }
}

/// The dotted name of an identifier or member expression (`a.b.c`), with
/// TypeScript wrappers skipped; `None` for anything else.
pub fn dotted_name(text: &str, node: Node<'_>) -> Option<String> {
    let node = unwrap_expr(node);
    match node.kind() {
        "identifier" | "this" | "property_identifier" | "shorthand_property_identifier" => {
            text.get(node.byte_range()).map(str::to_string)
        }
        "member_expression" => {
            let object = node.child_by_field_name("object")?;
            let property = node.child_by_field_name("property")?;
            Some(format!(
                "{}.{}",
                dotted_name(text, object)?,
                text.get(property.byte_range())?
            ))
        }
        _ => None,
    }
}

fn has_use_client(text: &str, root: Node<'_>) -> bool {
    let mut cursor = root.walk();
    for child in root.named_children(&mut cursor) {
        match child.kind() {
            "comment" | "hash_bang_line" => continue,
            "expression_statement" => {
                let Some(expr) = child.named_child(0) else {
                    return false;
                };
                match string_value(text, expr) {
                    Some("use client") => return true,
                    // Other directives ('use strict') may come first.
                    Some(_) => continue,
                    None => return false,
                }
            }
            _ => return false,
        }
    }
    false
}

impl<'a> Extractor<'a> {
    fn slice(&self, node: Node<'_>) -> &'a str {
        self.text.get(node.byte_range()).unwrap_or("")
    }

    fn scope(&self) -> Range<usize> {
        self.scopes
            .last()
            .map_or(0..self.text.len(), |(_, r)| r.clone())
    }

    /// Declarations: imports, requires, objects, functions, exports.
    fn declarations(&mut self, node: Node<'_>, depth: u32) {
        match node.kind() {
            "import_statement" => self.import_statement(node),
            "variable_declarator" => self.variable_declarator(node),
            "function_declaration" | "generator_function_declaration" => {
                let name = node
                    .child_by_field_name("name")
                    .map(|n| self.slice(n).to_string());
                // `export function f` is recorded by `export_statement`.
                self.function(node, name);
            }
            "export_statement" => self.export_statement(node),
            "assignment_expression" => self.assignment(node),
            _ => {}
        }
        if is_function(node.kind()) {
            self.scopes.push((depth, node.byte_range()));
        }
    }

    fn import_statement(&mut self, node: Node<'_>) {
        let Some(source) = node
            .child_by_field_name("source")
            .and_then(|s| string_value(self.text, s))
        else {
            return;
        };
        let specifier = source.to_string();
        let mut push = |local: &str, imported: &str| {
            self.facts.imports.push(Import {
                local: local.to_string(),
                specifier: specifier.clone(),
                imported: imported.to_string(),
            })
        };
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            match child.kind() {
                "import_clause" => {
                    let mut c2 = child.walk();
                    for part in child.named_children(&mut c2) {
                        match part.kind() {
                            "identifier" => {
                                push(self.text.get(part.byte_range()).unwrap_or(""), "default")
                            }
                            "namespace_import" => {
                                if let Some(id) = part.named_child(0) {
                                    push(self.text.get(id.byte_range()).unwrap_or(""), "*");
                                }
                            }
                            "named_imports" => {
                                let mut c3 = part.walk();
                                for spec in part.named_children(&mut c3) {
                                    if spec.kind() != "import_specifier" {
                                        continue;
                                    }
                                    let Some(name) = spec.child_by_field_name("name") else {
                                        continue;
                                    };
                                    let imported = self.text.get(name.byte_range()).unwrap_or("");
                                    let imported = imported.trim_matches(['\'', '"']);
                                    let local = spec
                                        .child_by_field_name("alias")
                                        .and_then(|a| self.text.get(a.byte_range()))
                                        .unwrap_or(imported);
                                    push(local, imported);
                                }
                            }
                            _ => {}
                        }
                    }
                }
                "import_require_clause" => {
                    if let Some(id) = child.named_child(0) {
                        push(self.text.get(id.byte_range()).unwrap_or(""), "*");
                    }
                }
                _ => {}
            }
        }
    }

    /// `require('m')` or `import('m')` (possibly awaited), as the specifier.
    fn module_call(&self, node: Node<'_>) -> Option<String> {
        let node = unwrap_expr(node);
        if node.kind() != "call_expression" {
            return None;
        }
        let function = node.child_by_field_name("function")?;
        let callee = self.slice(function);
        if callee != "require" && callee != "import" {
            return None;
        }
        let args = node.child_by_field_name("arguments")?;
        let first = *arguments(args).first()?;
        string_value(self.text, first).map(str::to_string)
    }

    fn variable_declarator(&mut self, node: Node<'_>) {
        let (Some(name), Some(value)) = (
            node.child_by_field_name("name"),
            node.child_by_field_name("value"),
        ) else {
            return;
        };
        let value = unwrap_expr(value);
        // Requires: `const x = require('m')`, `const { a, b: c } = require('m')`.
        if let Some(specifier) = self.module_call(value) {
            match name.kind() {
                "identifier" => self.facts.imports.push(Import {
                    local: self.slice(name).to_string(),
                    specifier,
                    imported: "*".to_string(),
                }),
                "object_pattern" => {
                    let mut cursor = name.walk();
                    for part in name.named_children(&mut cursor) {
                        let (imported, local) = match part.kind() {
                            "shorthand_property_identifier_pattern" => {
                                (self.slice(part), self.slice(part))
                            }
                            "pair_pattern" => match (
                                part.child_by_field_name("key"),
                                part.child_by_field_name("value"),
                            ) {
                                (Some(k), Some(v)) => (self.slice(k), self.slice(v)),
                                _ => continue,
                            },
                            _ => continue,
                        };
                        self.facts.imports.push(Import {
                            local: local.to_string(),
                            specifier: specifier.clone(),
                            imported: imported.to_string(),
                        });
                    }
                }
                _ => {}
            }
            return;
        }
        if name.kind() != "identifier" {
            return;
        }
        let name_text = self.slice(name).to_string();
        // `export const x = ...`: declarator < declaration < export.
        let k = &self.kinds;
        let exported = k.len() >= 3 && k[k.len() - 3];
        if exported && is_http_method(&name_text) {
            // `export const POST = withAuth(async (req) => ...)`.
            let target = self.handler_ref(value);
            self.facts.handlers.push(ExportedHandler {
                method: name_text.clone(),
                head: name.byte_range(),
                target,
            });
        }
        if exported && name_text == "config" && value.kind() == "object" {
            // `export const config = { matcher: [...] }`.
            self.config_object(value);
        }
        if is_function(value.kind()) {
            self.function(value, Some(name_text));
            return;
        }
        // `const router = express.Router()`, `const app = new Hono()`.
        if let Some(kind) = self.object_kind(value) {
            self.facts.objects.push(HttpObject {
                name: name_text,
                kind,
                range: value.byte_range(),
                scope: self.scope(),
                param_of: None,
                base_path: None,
            });
            return;
        }
        // Hono's chained style, `const users = new Hono().basePath('/api')`
        // or `new Hono().post('/sign-up', h).get('/me', h)` (the form its
        // RPC client needs): the object is the `new Hono()` at the root of
        // the chain; [`Extractor::receiver`] maps the chained calls to it.
        if let Some(root) = chain_root(value)
            .filter(|r| r.id() != value.id() && self.object_kind(*r) == Some(ObjectKind::HonoApp))
        {
            let base_path = self.base_path_in_chain(value);
            self.facts.objects.push(HttpObject {
                name: name_text,
                kind: ObjectKind::HonoApp,
                range: root.byte_range(),
                scope: self.scope(),
                param_of: None,
                base_path,
            });
            return;
        }
        // `const isProtected = createRouteMatcher(['/admin(.*)'])`.
        if value.kind() == "call_expression"
            && value
                .child_by_field_name("function")
                .is_some_and(|f| self.slice(f) == "createRouteMatcher")
        {
            let patterns = value
                .child_by_field_name("arguments")
                .and_then(|a| arguments(a).first().copied())
                .map(|a| self.strings_in(a))
                .unwrap_or_default();
            self.facts
                .route_matchers
                .push((name_text.clone(), patterns));
        }
    }

    /// The `basePath('/x')` arguments of a method-call chain, joined in
    /// order (`new Hono().basePath('/api').basePath('/v1')` → `/api/v1`).
    fn base_path_in_chain(&self, value: Node<'_>) -> Option<String> {
        let mut parts = Vec::new();
        let mut node = unwrap_expr(value);
        while node.kind() == "call_expression" {
            let Some(f) = node
                .child_by_field_name("function")
                .map(unwrap_expr)
                .filter(|f| f.kind() == "member_expression")
            else {
                break;
            };
            if f.child_by_field_name("property")
                .is_some_and(|p| self.slice(p) == "basePath")
            {
                if let Some(arg) = node
                    .child_by_field_name("arguments")
                    .and_then(|a| arguments(a).first().copied())
                    .and_then(|a| string_value(self.text, a))
                {
                    parts.push(arg.to_string());
                }
            }
            match f.child_by_field_name("object") {
                Some(o) => node = unwrap_expr(o),
                None => break,
            }
        }
        if parts.is_empty() {
            return None;
        }
        parts.reverse();
        Some(parts.iter().fold(String::new(), |acc, p| {
            crate::analysis::javascript::routes::join(&acc, p)
        }))
    }

    fn config_object(&mut self, object: Node<'_>) {
        let mut cursor = object.walk();
        for pair in object.named_children(&mut cursor) {
            if pair.kind() != "pair" {
                continue;
            }
            let key = pair
                .child_by_field_name("key")
                .map(|k| self.slice(k).trim_matches(['\'', '"']));
            if key == Some("matcher") {
                if let Some(v) = pair.child_by_field_name("value") {
                    self.facts.matcher = Some(self.strings_in(v));
                }
            }
        }
    }

    /// The plain strings of a string or an array of strings.
    fn strings_in(&self, node: Node<'_>) -> Vec<String> {
        let node = unwrap_expr(node);
        if let Some(s) = string_value(self.text, node) {
            return vec![s.to_string()];
        }
        let mut out = Vec::new();
        if node.kind() == "array" {
            let mut cursor = node.walk();
            for el in node.named_children(&mut cursor) {
                if let Some(s) = string_value(self.text, el) {
                    out.push(s.to_string());
                } else if el.kind() == "object" {
                    // `{ source: '/admin/:path*' }`
                    let mut c2 = el.walk();
                    for pair in el.named_children(&mut c2) {
                        if pair
                            .child_by_field_name("key")
                            .is_some_and(|k| self.slice(k).trim_matches(['\'', '"']) == "source")
                        {
                            if let Some(s) = pair
                                .child_by_field_name("value")
                                .and_then(|v| string_value(self.text, v))
                            {
                                out.push(s.to_string());
                            }
                        }
                    }
                }
            }
        }
        out
    }

    /// The kind of HTTP object an expression creates, if it creates one.
    fn object_kind(&self, value: Node<'_>) -> Option<ObjectKind> {
        let value = unwrap_expr(value);
        match value.kind() {
            "call_expression" => {
                let function = unwrap_expr(value.child_by_field_name("function")?);
                let callee = dotted_name(self.text, function).or_else(|| {
                    // `require('express')()`, `require('fastify')({...})`
                    self.module_call(function).map(|m| format!("require:{m}"))
                })?;
                let imported = |local: &str| {
                    self.facts
                        .imports
                        .iter()
                        .find(|i| i.local == local)
                        .map(|i| (i.specifier.as_str(), i.imported.as_str()))
                };
                let last = callee.rsplit('.').next().unwrap_or(&callee);
                match callee.as_str() {
                    "require:express" => return Some(ObjectKind::ExpressApp),
                    "require:fastify" => return Some(ObjectKind::FastifyApp),
                    _ => {}
                }
                match imported(callee.split('.').next().unwrap_or("")) {
                    Some(("express", "*" | "default")) if !callee.contains('.') => {
                        Some(ObjectKind::ExpressApp)
                    }
                    Some(("express", _)) if last == "Router" => Some(ObjectKind::ExpressRouter),
                    Some(("fastify", _)) => Some(ObjectKind::FastifyApp),
                    _ => match callee.as_str() {
                        "express" => Some(ObjectKind::ExpressApp),
                        "express.Router" | "Router" => Some(ObjectKind::ExpressRouter),
                        "Fastify" | "fastify" => Some(ObjectKind::FastifyApp),
                        _ => None,
                    },
                }
            }
            "new_expression" => {
                let constructor = value.child_by_field_name("constructor")?;
                match self.slice(constructor) {
                    "Hono" | "OpenAPIHono" => Some(ObjectKind::HonoApp),
                    "express.Router" | "Router" => Some(ObjectKind::ExpressRouter),
                    _ => None,
                }
            }
            // `const app = new Hono().basePath('/api')`
            _ => None,
        }
    }

    /// Records a function and returns its index.
    fn function(&mut self, node: Node<'_>, name: Option<String>) -> usize {
        if let Some(i) = self
            .facts
            .functions
            .iter()
            .position(|f| f.range == node.byte_range())
        {
            if self.facts.functions[i].name.is_none() {
                self.facts.functions[i].name = name;
            }
            return i;
        }
        let params = self.params(node);
        // Bodies are read as text: deeply nested functions would make that
        // quadratic, so only the outer levels are read.
        let body = node
            .child_by_field_name("body")
            .filter(|_| self.scopes.len() <= MAX_READ_DEPTH);
        let body_text = body.map_or(String::new(), |b| self.slice(b).to_ascii_lowercase());
        let flags = body_flags(&body_text);
        // A factory: its body returns a function.
        let returns = body.and_then(|b| {
            let mut merged: Option<BodyFlags> = None;
            let returned = if is_function(b.kind()) {
                vec![b]
            } else {
                let mut found = Vec::new();
                let mut cursor = b.walk();
                for stmt in b.named_children(&mut cursor) {
                    if stmt.kind() == "return_statement" {
                        if let Some(v) = stmt.named_child(0).map(unwrap_expr) {
                            if is_function(v.kind()) {
                                found.push(v);
                            }
                        }
                    }
                }
                found
            };
            for f in returned {
                let t = f
                    .child_by_field_name("body")
                    .map_or("", |b| self.slice(b))
                    .to_ascii_lowercase();
                let fl = body_flags(&t);
                let m = merged.get_or_insert_with(BodyFlags::default);
                m.checks_caller |= fl.checks_caller;
                m.limits_rate |= fl.limits_rate;
                m.verifies_signature |= fl.verifies_signature;
            }
            merged
        });
        self.facts.functions.push(Function {
            name,
            params,
            range: node.byte_range(),
            flags,
            returns,
            depth: self.scopes.len().saturating_sub(1),
        });
        self.facts.functions.len() - 1
    }

    fn params(&self, node: Node<'_>) -> Vec<String> {
        if let Some(p) = node.child_by_field_name("parameter") {
            return vec![self.slice(p).to_string()];
        }
        let Some(params) = node.child_by_field_name("parameters") else {
            return Vec::new();
        };
        let mut cursor = params.walk();
        params
            .named_children(&mut cursor)
            .filter(|p| p.kind() != "comment")
            .map(|p| {
                let inner = p.child_by_field_name("pattern").unwrap_or(p);
                let inner = if inner.kind() == "assignment_pattern" {
                    inner.child_by_field_name("left").unwrap_or(inner)
                } else {
                    inner
                };
                if inner.kind() == "identifier" {
                    self.slice(inner).to_string()
                } else {
                    "_".to_string()
                }
            })
            .collect()
    }

    fn export_statement(&mut self, node: Node<'_>) {
        let text = self.slice(node);
        let is_default = text.starts_with("export default");
        if let Some(value) = node.child_by_field_name("value") {
            // `export default router`, `export default async function (app) {}`,
            // `export default app`.
            let target = self.handler_ref(value);
            if is_default {
                self.facts.exports.push(Export {
                    name: "default".into(),
                    target: target.clone(),
                });
                // `export default function handler(req, res)` in pages/api:
                // a handler served for every method.
                self.facts.handlers.push(ExportedHandler {
                    method: "DEFAULT".into(),
                    head: node.child(0).map_or(node.byte_range(), |c| {
                        c.start_byte()..node.child(1).map_or(c.end_byte(), |d| d.end_byte())
                    }),
                    target,
                });
            }
            return;
        }
        if let Some(decl) = node.child_by_field_name("declaration") {
            match decl.kind() {
                "function_declaration" | "generator_function_declaration" => {
                    if let Some(name) = decl.child_by_field_name("name") {
                        let name_text = self.slice(name).to_string();
                        let index = self.function(decl, Some(name_text.clone()));
                        if is_default {
                            self.facts.exports.push(Export {
                                name: "default".into(),
                                target: Ref::Function(index),
                            });
                            self.facts.handlers.push(ExportedHandler {
                                method: "DEFAULT".into(),
                                head: name.byte_range(),
                                target: Ref::Function(index),
                            });
                        } else {
                            self.facts.exports.push(Export {
                                name: name_text.clone(),
                                target: Ref::Function(index),
                            });
                            if is_http_method(&name_text) {
                                self.facts.handlers.push(ExportedHandler {
                                    method: name_text,
                                    head: name.byte_range(),
                                    target: Ref::Function(index),
                                });
                            }
                        }
                    }
                }
                "lexical_declaration" | "variable_declaration" => {
                    let mut cursor = decl.walk();
                    for d in decl.named_children(&mut cursor) {
                        if let Some(n) = d.child_by_field_name("name") {
                            if n.kind() == "identifier" {
                                let name = self.slice(n).to_string();
                                self.facts.exports.push(Export {
                                    name: name.clone(),
                                    target: Ref::Name(name),
                                });
                            }
                        }
                    }
                }
                _ => {}
            }
            return;
        }
        // `export { a, b as c }` and `export { default } from 'x'`,
        // `export { handler as GET, handler as POST }`.
        let source = node
            .child_by_field_name("source")
            .and_then(|s| string_value(self.text, s))
            .map(str::to_string);
        let mut cursor = node.walk();
        if let Some(s) = &source {
            // A module re-exported from: the project's import graph (which
            // files are imported, which to re-check) must see it.
            self.facts.imports.push(Import {
                local: String::new(),
                specifier: s.clone(),
                imported: "*".into(),
            });
            // `export * from './routes'` (a barrel `index.ts`): every name
            // of that module, looked up there by the route model.
            let star = node.children(&mut cursor).any(|c| c.kind() == "*")
                && !node
                    .named_children(&mut node.walk())
                    .any(|c| c.kind() == "namespace_export" || c.kind() == "export_clause");
            if star {
                self.facts.exports.push(Export {
                    name: "*".into(),
                    target: Ref::Call(format!("reexport:{s}:*"), Vec::new()),
                });
                return;
            }
        }
        for child in node.named_children(&mut cursor) {
            if child.kind() != "export_clause" {
                continue;
            }
            let mut c2 = child.walk();
            for spec in child.named_children(&mut c2) {
                if spec.kind() != "export_specifier" {
                    continue;
                }
                let Some(name) = spec.child_by_field_name("name") else {
                    continue;
                };
                let local = self.slice(name).trim_matches(['\'', '"']).to_string();
                let exported = spec
                    .child_by_field_name("alias")
                    .map_or(local.clone(), |a| {
                        self.slice(a).trim_matches(['\'', '"']).to_string()
                    });
                let target = match &source {
                    Some(s) => Ref::Call(format!("reexport:{s}:{local}"), Vec::new()),
                    None => Ref::Name(local),
                };
                if is_http_method(&exported) {
                    self.facts.handlers.push(ExportedHandler {
                        method: exported.clone(),
                        head: spec.byte_range(),
                        target: target.clone(),
                    });
                }
                self.facts.exports.push(Export {
                    name: exported,
                    target,
                });
            }
        }
    }

    /// `module.exports = x`, `exports.x = y`, `module.exports.x = y`.
    fn assignment(&mut self, node: Node<'_>) {
        let (Some(left), Some(right)) = (
            node.child_by_field_name("left"),
            node.child_by_field_name("right"),
        ) else {
            return;
        };
        let Some(left) = dotted_name(self.text, left) else {
            return;
        };
        let name = match left.as_str() {
            "module.exports" => "default".to_string(),
            _ => match left
                .strip_prefix("module.exports.")
                .or_else(|| left.strip_prefix("exports."))
            {
                Some(n) if !n.contains('.') => n.to_string(),
                _ => return,
            },
        };
        let right = unwrap_expr(right);
        if name == "default" && right.kind() == "object" {
            // `module.exports = { router, requireAuth }`
            let mut cursor = right.walk();
            for pair in right.named_children(&mut cursor) {
                match pair.kind() {
                    "shorthand_property_identifier" => {
                        let n = self.slice(pair).to_string();
                        self.facts.exports.push(Export {
                            name: n.clone(),
                            target: Ref::Name(n),
                        });
                    }
                    "pair" => {
                        if let (Some(k), Some(v)) = (
                            pair.child_by_field_name("key"),
                            pair.child_by_field_name("value"),
                        ) {
                            let target = self.handler_ref(v);
                            self.facts.exports.push(Export {
                                name: self.slice(k).trim_matches(['\'', '"']).to_string(),
                                target,
                            });
                        }
                    }
                    _ => {}
                }
            }
            return;
        }
        let target = self.handler_ref(right);
        self.facts.exports.push(Export { name, target });
    }

    /// What a handler argument or exported value refers to.
    fn handler_ref(&mut self, node: Node<'_>) -> Ref {
        let node = unwrap_expr(node);
        if is_function(node.kind()) {
            return Ref::Function(self.function(node, None));
        }
        if let Some(spec) = self.module_call(node) {
            return Ref::Module(spec);
        }
        match node.kind() {
            "identifier" | "member_expression" => match dotted_name(self.text, node) {
                Some(n) => Ref::Name(n),
                None => Ref::Other,
            },
            "call_expression" => {
                let Some(function) = node.child_by_field_name("function") else {
                    return Ref::Other;
                };
                let callee = dotted_name(self.text, function).unwrap_or_else(|| {
                    // `require('./routes')(deps)`, `fp(async (f) => ...)()`
                    match self.module_call(function) {
                        Some(spec) => format!("require:{spec}"),
                        None => self.slice(function).chars().take(60).collect(),
                    }
                });
                let args = node
                    .child_by_field_name("arguments")
                    .map(arguments)
                    .unwrap_or_default();
                let inner = args
                    .into_iter()
                    .map(unwrap_expr)
                    .filter(|a| {
                        is_function(a.kind())
                            || matches!(a.kind(), "identifier" | "member_expression")
                    })
                    .map(|a| self.handler_ref(a))
                    .collect();
                Ref::Call(callee, inner)
            }
            _ => Ref::Other,
        }
    }

    /// The object a receiver expression names, creating a parameter object
    /// when it is a parameter of the enclosing function that routes are
    /// registered on.
    fn receiver(&mut self, node: Node<'_>) -> Option<usize> {
        let node = unwrap_expr(node);
        if node.kind() == "new_expression" {
            // The root of a chain bound to a name (`const r = new Hono()
            // .post(...)`): the object recorded with that range.
            return self
                .facts
                .objects
                .iter()
                .position(|o| o.param_of.is_none() && o.range == node.byte_range());
        }
        if node.kind() != "identifier" {
            return None;
        }
        let name = self.slice(node);
        let at = node.start_byte();
        // The innermost object of that name whose scope holds the use.
        let found = self
            .facts
            .objects
            .iter()
            .enumerate()
            .filter(|(_, o)| o.name == name && o.scope.start <= at && at <= o.scope.end)
            .max_by_key(|(_, o)| o.scope.start)
            .map(|(i, _)| i);
        if found.is_some() {
            return found;
        }
        // A parameter of an enclosing function.
        for (_, scope) in self.scopes.iter().rev() {
            let Some(fi) = self.facts.functions.iter().position(|f| f.range == *scope) else {
                continue;
            };
            if let Some(pi) = self.facts.functions[fi]
                .params
                .iter()
                .position(|p| p == name)
            {
                self.facts.objects.push(HttpObject {
                    name: name.to_string(),
                    kind: ObjectKind::Param,
                    range: node.byte_range(),
                    scope: scope.clone(),
                    param_of: Some((fi, pi)),
                    base_path: None,
                });
                return Some(self.facts.objects.len() - 1);
            }
        }
        None
    }

    fn registration(&mut self, call: Node<'_>) {
        let (Some(function), Some(args)) = (
            call.child_by_field_name("function"),
            call.child_by_field_name("arguments"),
        ) else {
            return;
        };
        let function = unwrap_expr(function);
        let args = arguments(args);
        // `Deno.serve(handler)`, `serve(handler)` (std/http): an Edge
        // Function's handler.
        if let Some("Deno.serve" | "serve") = dotted_name(self.text, function).as_deref() {
            if let Some(last) = args.last() {
                let target = self.handler_ref(*last);
                self.facts.handlers.push(ExportedHandler {
                    method: "ALL".into(),
                    head: function.byte_range(),
                    target,
                });
            }
            return;
        }
        if function.kind() != "member_expression" {
            self.invoke(call, function, &args);
            return;
        }
        let (Some(object), Some(property)) = (
            function.child_by_field_name("object"),
            function.child_by_field_name("property"),
        ) else {
            return;
        };
        let method = self.slice(property).to_string();
        let object = unwrap_expr(object);
        // `app.route('/x').get(h).post(h)`: the path comes from the route().
        let mut chain_path: Option<(Option<String>, Node<'_>)> = None;
        let mut receiver_node = object;
        while receiver_node.kind() == "call_expression" {
            let Some(f) = receiver_node
                .child_by_field_name("function")
                .map(unwrap_expr)
                .filter(|f| f.kind() == "member_expression")
            else {
                break;
            };
            let prop = f.child_by_field_name("property").map(|p| self.slice(p));
            let route_args = receiver_node
                .child_by_field_name("arguments")
                .map(arguments)
                .unwrap_or_default();
            // Express's `route(path)` takes the path alone; Hono's
            // `route(path, sub)` in a chain mounts and says nothing of
            // the calls after it.
            if prop == Some("route") && route_args.len() == 1 {
                let p = route_args.first().copied();
                chain_path = Some((
                    p.and_then(|p| string_value(self.text, p))
                        .map(str::to_string),
                    receiver_node,
                ));
            }
            match f.child_by_field_name("object") {
                Some(o) => receiver_node = unwrap_expr(o),
                None => break,
            }
        }
        let lower = method.to_ascii_lowercase();
        let relevant = METHODS.contains(&lower.as_str())
            || matches!(
                lower.as_str(),
                "use"
                    | "route"
                    | "register"
                    | "addhook"
                    | "seterrorhandler"
                    | "onerror"
                    | "on"
                    | "any"
            );
        if !relevant {
            return;
        }
        let Some(object_index) = self.receiver(receiver_node) else {
            return;
        };
        let kind = self.facts.objects[object_index].kind;
        let is_fastify = kind == ObjectKind::FastifyApp
            || (kind == ObjectKind::Param && self.param_looks_fastify(object_index));
        let is_param = kind == ObjectKind::Param;
        let first_is_path = args.first().is_some_and(|a| {
            string_value(self.text, *a).is_some_and(|s| s.starts_with('/') || s == "*")
        });
        let (reg_kind, path_arg): (RegKind, Option<Node<'_>>) = match lower.as_str() {
            "use" => (
                RegKind::Use,
                args.first().copied().filter(|a| {
                    let a = unwrap_expr(*a);
                    matches!(a.kind(), "string" | "template_string")
                }),
            ),
            "route" if kind == ObjectKind::HonoApp || (is_param && args.len() == 2) => {
                (RegKind::Mount, args.first().copied())
            }
            "register" => (RegKind::Mount, None),
            "addhook" => (RegKind::Hook, None),
            "seterrorhandler" | "onerror" => (RegKind::ErrorHandler, None),
            m if METHODS.contains(&m) && chain_path.is_some() => {
                (RegKind::Route(http_method(m)), None)
            }
            m if METHODS.contains(&m) || m == "on" || m == "any" => {
                // A parameter named like an app with a non-path first
                // argument is something else (`map.get(key)`).
                if is_param && !first_is_path {
                    return;
                }
                if m == "on" {
                    let method = args
                        .first()
                        .and_then(|a| string_value(self.text, *a))
                        .map_or("ALL".to_string(), |s| s.to_ascii_uppercase());
                    (RegKind::Route(method), args.get(1).copied())
                } else {
                    (RegKind::Route(http_method(m)), args.first().copied())
                }
            }
            "route" if is_fastify => (RegKind::Route("ALL".into()), None),
            _ => return,
        };
        // Fastify's `get(path, handler)`: `get` with one string argument on
        // an Express app reads a setting (`app.get('env')`).
        if matches!(reg_kind, RegKind::Route(_))
            && chain_path.is_none()
            && !is_fastify
            && lower == "get"
            && args.len() < 2
        {
            return;
        }
        let mut path = None;
        let mut dynamic_path = false;
        if let Some((p, _)) = &chain_path {
            path = p.clone();
            dynamic_path = p.is_none();
        } else if let Some(p) = path_arg {
            match string_value(self.text, p) {
                Some(s) => path = Some(s.to_string()),
                None => dynamic_path = true,
            }
        }
        let skip = usize::from(path_arg.is_some() && !matches!(reg_kind, RegKind::Hook))
            + usize::from(lower == "on");
        let mut handlers = Vec::new();
        let mut handler_start = None;
        let mut autoload_dir: Option<String> = None;
        let mut rest: Vec<Node<'_>> = args.iter().skip(skip).copied().collect();
        if matches!(reg_kind, RegKind::Hook) {
            // `addHook('onRequest', fn)`: only request hooks guard routes.
            let hook = args.first().and_then(|a| string_value(self.text, *a));
            if !matches!(
                hook,
                Some("onRequest" | "preHandler" | "preValidation" | "preParsing")
            ) {
                return;
            }
            rest = args.iter().skip(1).copied().collect();
        }
        if is_fastify && lower == "route" {
            // `fastify.route({ method, url, preHandler, handler })`
            if let Some(opts) = args
                .first()
                .map(|a| unwrap_expr(*a))
                .filter(|a| a.kind() == "object")
            {
                let mut method = "ALL".to_string();
                let mut cursor = opts.walk();
                for pair in opts.named_children(&mut cursor) {
                    if pair.kind() != "pair" {
                        continue;
                    }
                    let key = pair
                        .child_by_field_name("key")
                        .map(|k| self.slice(k))
                        .unwrap_or("");
                    let Some(v) = pair.child_by_field_name("value") else {
                        continue;
                    };
                    match key {
                        "url" | "path" => match string_value(self.text, v) {
                            Some(s) => path = Some(s.to_string()),
                            None => dynamic_path = true,
                        },
                        "method" => {
                            if let Some(m) = self.strings_in(v).first() {
                                method = m.to_ascii_uppercase();
                            }
                        }
                        _ => {}
                    }
                }
                let (mut hooks, handler) = self.fastify_options(opts);
                handlers.append(&mut hooks);
                if let Some(h) = handler {
                    handler_start = Some(opts.start_byte());
                    handlers.push(h);
                }
                let head =
                    call.start_byte()..args.first().map_or(call.end_byte(), |a| a.start_byte() + 1);
                self.facts.registrations.push(Registration {
                    object: object_index,
                    kind: RegKind::Route(method),
                    path,
                    dynamic_path,
                    handlers,
                    range: call.byte_range(),
                    head,
                    handler_start,
                    autoload_dir: None,
                });
                return;
            }
        }
        for arg in rest {
            let arg = unwrap_expr(arg);
            match arg.kind() {
                "array" => {
                    let mut cursor = arg.walk();
                    let elements: Vec<Node<'_>> = arg.named_children(&mut cursor).collect();
                    for el in elements {
                        let r = self.handler_ref(el);
                        handlers.push(r);
                    }
                }
                "object" if matches!(reg_kind, RegKind::Mount) => {
                    // Fastify `register(plugin, { prefix: '/admin' })`, and
                    // @fastify/autoload's `{ dir: path.join(__dirname,
                    // 'routes') }`: the last plain string of `dir`.
                    let mut cursor = arg.walk();
                    for pair in arg.named_children(&mut cursor) {
                        if pair.kind() == "pair"
                            && pair
                                .child_by_field_name("key")
                                .is_some_and(|k| self.slice(k) == "dir")
                        {
                            if let Some(v) = pair.child_by_field_name("value") {
                                let mut last = None;
                                crate::analysis::util::for_each_node_of_kind(v, &["string"], |n| {
                                    last = string_value(self.text, n)
                                });
                                autoload_dir = last.map(|d| {
                                    d.trim_start_matches("./").trim_matches('/').to_string()
                                });
                            }
                        }
                        if pair.kind() == "pair"
                            && pair
                                .child_by_field_name("key")
                                .is_some_and(|k| self.slice(k) == "prefix")
                        {
                            match pair
                                .child_by_field_name("value")
                                .and_then(|v| string_value(self.text, v))
                            {
                                Some(s) => path = Some(s.to_string()),
                                None => dynamic_path = true,
                            }
                        }
                    }
                }
                "object" if is_fastify => {
                    // Route options: `{ onRequest: [fastify.authenticate] }`.
                    let (mut hooks, handler) = self.fastify_options(arg);
                    handlers.append(&mut hooks);
                    if let Some(h) = handler {
                        handlers.push(h);
                    }
                }
                _ => {
                    handler_start = Some(arg.start_byte());
                    let r = self.handler_ref(arg);
                    handlers.push(r);
                }
            }
        }
        let head_end = match (chain_path.as_ref(), path_arg) {
            (Some(_), _) => function.end_byte(),
            (None, Some(p)) => p.end_byte(),
            (None, None) => args.first().map_or(call.end_byte(), |a| {
                if a.end_byte() - call.start_byte() <= 120 {
                    a.end_byte()
                } else {
                    function.end_byte()
                }
            }),
        };
        // A call chained on another (`new Hono().post('/a', h).get('/b',
        // h)`): report from the method name, not from the chain's root.
        let chained =
            chain_path.is_none() && matches!(object.kind(), "call_expression" | "new_expression");
        let head_start = match &chain_path {
            Some((_, rc)) => rc.start_byte(),
            None if chained => property.start_byte(),
            None => call.start_byte(),
        };
        self.facts.registrations.push(Registration {
            object: object_index,
            kind: reg_kind,
            path,
            dynamic_path,
            handlers,
            range: call.byte_range(),
            head: head_start..head_end.max(head_start),
            handler_start,
            autoload_dir,
        });
    }

    /// Fastify route options: the request hooks in order and the handler.
    fn fastify_options(&mut self, opts: Node<'_>) -> (Vec<Ref>, Option<Ref>) {
        let mut hooks = Vec::new();
        let mut handler = None;
        let mut cursor = opts.walk();
        let pairs: Vec<Node<'_>> = opts.named_children(&mut cursor).collect();
        for pair in pairs {
            if pair.kind() != "pair" && pair.kind() != "method_definition" {
                continue;
            }
            let key = pair
                .child_by_field_name("key")
                .or_else(|| pair.child_by_field_name("name"))
                .map(|k| self.slice(k).to_string())
                .unwrap_or_default();
            let value = if pair.kind() == "method_definition" {
                Some(pair)
            } else {
                pair.child_by_field_name("value")
            };
            let Some(value) = value else { continue };
            match key.as_str() {
                "onRequest" | "preHandler" | "preValidation" | "preParsing" => {
                    let value = unwrap_expr(value);
                    if value.kind() == "array" {
                        let mut c2 = value.walk();
                        let els: Vec<Node<'_>> = value.named_children(&mut c2).collect();
                        for el in els {
                            let r = self.handler_ref(el);
                            hooks.push(r);
                        }
                    } else {
                        let r = self.handler_ref(value);
                        hooks.push(r);
                    }
                }
                "handler" => handler = Some(self.handler_ref(value)),
                // `config: { rateLimit: {...} }` (@fastify/rate-limit)
                "config" if self.slice(value).contains("rateLimit") => {
                    hooks.push(Ref::Call("rateLimit".into(), Vec::new()));
                }
                _ => {}
            }
        }
        (hooks, handler)
    }

    fn param_looks_fastify(&self, object: usize) -> bool {
        param_is_fastify(&self.facts, object)
    }

    /// `setupRoutes(app)`, `require('./routes')(app)`: an object handed to
    /// a function.
    fn invoke(&mut self, call: Node<'_>, function: Node<'_>, args: &[Node<'_>]) {
        for (i, arg) in args.iter().enumerate() {
            let arg = unwrap_expr(*arg);
            if arg.kind() != "identifier" {
                continue;
            }
            let name = self.slice(arg);
            let at = arg.start_byte();
            let Some(object) = self
                .facts
                .objects
                .iter()
                .enumerate()
                .filter(|(_, o)| o.name == name && o.scope.start <= at && at <= o.scope.end)
                .max_by_key(|(_, o)| o.scope.start)
                .map(|(j, _)| j)
            else {
                continue;
            };
            let target = match self.module_call(function) {
                Some(spec) => Ref::Module(spec),
                None => match dotted_name(self.text, function) {
                    Some(n) if n != "require" && n != "console.log" => Ref::Name(n),
                    _ => return,
                },
            };
            self.facts.registrations.push(Registration {
                object,
                kind: RegKind::Invoke(i),
                path: None,
                dynamic_path: false,
                handlers: vec![target],
                range: call.byte_range(),
                head: call.byte_range(),
                handler_start: None,
                autoload_dir: None,
            });
            return;
        }
    }
}

fn http_method(m: &str) -> String {
    match m {
        "del" => "DELETE".into(),
        "all" | "any" => "ALL".into(),
        m => m.to_ascii_uppercase(),
    }
}

/// Whether `name` is an HTTP method name as Next.js route handlers export
/// them.
pub fn is_http_method(name: &str) -> bool {
    matches!(
        name,
        "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS"
    )
}

/// Calls that establish who the caller is, in lower case.
const CALLER_CHECKS: &[&str] = &[
    "auth.getuser(",
    "auth.getclaims(",
    "getclaims(",
    "getserversession(",
    "getsession(",
    "currentuser(",
    "await auth()",
    "= auth()",
    "getauth(",
    "verifyidtoken(",
    "verifysessioncookie(",
    "jwtverify(",
    "jwt.verify(",
    "jsonwebtoken.verify(",
    "verifytoken(",
    "verifyjwt(",
    "gettoken(",
    "isauthenticated()",
    "auth.protect(",
    "auth().protect(",
    "requireauth(",
    "getkindeserversession(",
    "validaterequest(",
    "withauth(",
    "clerkmiddleware(",
    "updatesession(",
    "getuserfromrequest(",
    "authenticate(",
    "request.jwtverify(",
    "req.jwtverify(",
    "verifyaccesstoken(",
    "getloggedinuser(",
    "requireuser(",
    "requiresession(",
];

/// Evidence that a body reads the caller's credentials.
const CREDENTIAL_READS: &[&str] = &[
    "authorization",
    "req.session",
    "request.session",
    "req.user",
    "request.user",
    "req.auth",
    "req.cookies",
    "cookies()",
    "c.get('user')",
    "c.get(\"user\")",
    "c.get('jwtpayload')",
    "x-api-key",
    "apikey",
    "api_key",
    "session.user",
];

/// Evidence that a body refuses a caller.
const REFUSALS: &[&str] = &[
    "401",
    "403",
    "unauthorized",
    "unauthorised",
    "forbidden",
    "not authenticated",
    "redirect(",
    "httpexception",
];

fn checks_caller(lower: &str) -> bool {
    CALLER_CHECKS.iter().any(|c| lower.contains(c))
        || (CREDENTIAL_READS.iter().any(|c| lower.contains(c))
            && REFUSALS.iter().any(|c| lower.contains(c)))
        || calls_auth_named(lower)
}

/// Whether the text calls a function whose name says it establishes the
/// caller (`requireAdmin(`, `getCurrentUser(`, `verifyAuth(`).
fn calls_auth_named(lower: &str) -> bool {
    let bytes = lower.as_bytes();
    lower.match_indices('(').any(|(i, _)| {
        let mut j = i;
        while j > 0 && (bytes[j - 1].is_ascii_alphanumeric() || bytes[j - 1] == b'_') {
            j -= 1;
        }
        let name = &lower[j..i];
        name.len() > 3 && is_auth_call_name(name)
    })
}

/// Names of calls that establish the caller, lower case.
fn is_auth_call_name(name: &str) -> bool {
    let without_author = name.replace("authoriz", "authz").replace("author", "");
    (without_author.contains("auth")
        && !without_author.contains("oauth")
        && !name.starts_with("signout"))
        || [
            "currentuser",
            "requireuser",
            "requireadmin",
            "assertadmin",
            "ensureadmin",
            "getsession",
            "requiresession",
            "verifysession",
            "validatesession",
        ]
        .iter()
        .any(|w| name.contains(w))
}

fn limits_rate(lower: &str) -> bool {
    [
        "ratelimit",
        "rate_limit",
        "ratelimiter",
        "limiter.",
        "throttle(",
    ]
    .iter()
    .any(|c| lower.contains(c))
}

fn verifies_signature(lower: &str) -> bool {
    [
        "constructevent(",
        "verifysignature",
        "verify_signature",
        "createhmac(",
        "timingsafeequal(",
        "svix",
        "webhook.verify(",
        "wh.verify(",
        "validatewebhook",
        "verifywebhook",
        "x-hub-signature",
        "stripe-signature",
    ]
    .iter()
    .any(|c| lower.contains(c))
}

/// The flags of a function body, from its lower-cased text.
pub fn body_flags(lower: &str) -> BodyFlags {
    let mut methods = Vec::new();
    for m in ["post", "put", "patch", "delete"] {
        let quoted = [format!("'{m}'"), format!("\"{m}\"")];
        if lower.contains("method") && quoted.iter().any(|q| lower.contains(q.as_str())) {
            methods.push(m.to_ascii_uppercase());
        }
    }
    BodyFlags {
        checks_caller: checks_caller(lower),
        limits_rate: limits_rate(lower),
        verifies_signature: verifies_signature(lower),
        methods,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::{parse, Language};

    fn facts(text: &str) -> FileFacts {
        let tree = parse(Language::TypeScript, text, None).unwrap();
        extract(text, tree.root_node())
    }

    #[test]
    fn express_app_router_and_registrations() {
        let f = facts(
            "import express, { Router } from 'express';\n\
             import { requireAuth } from './auth';\n\
             import admin from './routes/admin';\n\
             const app = express();\n\
             const r = Router();\n\
             r.post('/x', requireAuth, (req, res) => res.json({}));\n\
             app.use(express.json());\n\
             app.use('/admin', admin);\n\
             app.route('/users').get(list).post(create);\n\
             app.get('env');\n\
             export default r;\n",
        );
        assert_eq!(f.objects.len(), 2);
        assert_eq!(f.objects[0].kind, ObjectKind::ExpressApp);
        assert_eq!(f.objects[1].kind, ObjectKind::ExpressRouter);
        let kinds: Vec<(RegKind, Option<String>)> = f
            .registrations
            .iter()
            .map(|r| (r.kind.clone(), r.path.clone()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (RegKind::Route("POST".into()), Some("/x".into())),
                (RegKind::Use, None),
                (RegKind::Use, Some("/admin".into())),
                (RegKind::Route("GET".into()), Some("/users".into())),
                (RegKind::Route("POST".into()), Some("/users".into())),
            ]
        );
        assert_eq!(
            f.registrations[0].handlers[0],
            Ref::Name("requireAuth".into())
        );
        assert!(matches!(f.registrations[0].handlers[1], Ref::Function(_)));
        assert_eq!(f.exports[0].name, "default");
        assert_eq!(f.imports.len(), 4);
    }

    #[test]
    fn commonjs_param_objects_and_invocations() {
        let f = facts(
            "const express = require('express');\n\
             const app = express();\n\
             require('./routes')(app);\n\
             module.exports = function (router) { router.delete('/item/:id', h); };\n",
        );
        assert!(f.registrations.iter().any(|r| r.kind == RegKind::Invoke(0)));
        let param = f
            .objects
            .iter()
            .find(|o| o.kind == ObjectKind::Param)
            .unwrap();
        assert_eq!(param.name, "router");
        assert!(f
            .registrations
            .iter()
            .any(|r| r.kind == RegKind::Route("DELETE".into())));
        assert_eq!(f.exports[0].name, "default");
    }

    #[test]
    fn next_handlers_matcher_and_use_client() {
        let f = facts(
            "'use client';\nexport async function POST(req: Request) { const s = await getServerSession(); }\n\
             export const GET = async () => Response.json({});\n\
             export const config = { matcher: ['/admin/:path*', '/api/(.*)'] };\n",
        );
        assert!(f.use_client);
        let methods: Vec<&str> = f.handlers.iter().map(|h| h.method.as_str()).collect();
        assert_eq!(methods, vec!["POST", "GET"]);
        assert_eq!(
            f.matcher,
            Some(vec!["/admin/:path*".to_string(), "/api/(.*)".to_string()])
        );
        let post = &f.functions[0];
        assert!(post.flags.checks_caller);
    }

    #[test]
    fn fastify_register_hooks_and_route_options() {
        let f = facts(
            "import Fastify from 'fastify';\n\
             const app = Fastify();\n\
             app.addHook('onRequest', app.authenticate);\n\
             app.register(adminRoutes, { prefix: '/admin' });\n\
             app.post('/x', { preHandler: [app.authenticate] }, async () => 1);\n\
             async function adminRoutes(fastify) { fastify.delete('/u/:id', async () => 1); }\n",
        );
        let kinds: Vec<&RegKind> = f.registrations.iter().map(|r| &r.kind).collect();
        assert_eq!(kinds[0], &RegKind::Hook);
        assert_eq!(kinds[1], &RegKind::Mount);
        assert_eq!(f.registrations[1].path.as_deref(), Some("/admin"));
        assert_eq!(
            f.registrations[2].handlers[0],
            Ref::Name("app.authenticate".into())
        );
        assert!(f
            .objects
            .iter()
            .any(|o| o.kind == ObjectKind::Param && o.name == "fastify"));
    }

    #[test]
    fn body_flags_need_a_check_or_a_refusal() {
        assert!(body_flags("const { data } = await supabase.auth.getuser(token)").checks_caller);
        assert!(body_flags("if (!req.headers.authorization) return res.status(401)").checks_caller);
        assert!(!body_flags("res.json(req.headers.authorization)").checks_caller);
        assert!(body_flags("if (req.method === 'post') {}").methods == vec!["POST".to_string()]);
    }
}

//! HTTP responses in JavaScript and TypeScript backends, and what flows into
//! them.
//!
//! Three things several rules need:
//!
//! - [`response_send`] / [`response_payloads`]: whether a call sends an HTTP
//!   response (Express, Fastify, Hono, Next.js, the Web `Response`) and
//!   which arguments are the body;
//! - [`environment_implied`] and [`is_development_only`]: whether code runs
//!   only in development (`process.env.NODE_ENV === 'development'`, an
//!   `isDev` flag, the `else` of a production check);
//! - [`trace_sent`]: a small, linear, per-file data-flow pass that finds the
//!   values of interest (a caught error, an environment variable) that reach
//!   a response body, through aliases, destructuring, object literals,
//!   template strings and string conversions. Rules describe their values
//!   with the [`Taint`] trait.
//!
//! Everything is syntactic and per file: receivers are recognised by name
//! (`res`, `reply`, `c`, ...), not by type.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::Node;

use crate::analysis::javascript::pair_key;
use crate::analysis::util::{ancestors, for_each_node_of_kind, walk, Step};
use crate::analysis::FileContext;

/// The API a response call belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framework {
    /// Node's `ServerResponse` as extended by Express (also Next.js
    /// `pages/api` handlers): `res.json`, `res.status(500).send`, `res.end`.
    Express,
    /// Fastify's `reply.send`, `reply.code(500).send`.
    Fastify,
    /// Hono's context: `c.json`, `c.text`, `c.html`, `c.body`.
    Hono,
    /// `NextResponse.json`, `new NextResponse(...)`.
    NextJs,
    /// The Web platform's `new Response(...)` and `Response.json(...)`
    /// (Next.js route handlers, Deno and Supabase Edge Functions, workers).
    WebResponse,
}

/// A call that sends an HTTP response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseSend<'t> {
    /// The call or `new` expression.
    pub call: Node<'t>,
    /// Which API it is.
    pub framework: Framework,
    /// The argument nodes that become the response body (empty for
    /// `res.end()`). Options such as `{ status: 500 }` are not included.
    pub payloads: Vec<Node<'t>>,
}

/// Names a Node / Express / Fastify response object usually has.
const RESPONSE_NAMES: &[&str] = &["res", "response", "resp", "reply", "rep", "serverResponse"];
/// Names a Hono context usually has.
const CONTEXT_NAMES: &[&str] = &["c", "ctx", "context"];
/// Methods of a response that return the response itself, so that they
/// can be chained before the sending call: `res.status(500).json(...)`.
const CHAINABLE: &[&str] = &[
    "status",
    "code",
    "header",
    "headers",
    "set",
    "type",
    "contentType",
    "vary",
    "cookie",
    "clearCookie",
    "append",
    "location",
    "links",
    "attachment",
    "writeHead",
    "setHeader",
];

/// Whether `name` reads like a response object: one of the usual names, or
/// a name ending in `Res`, `Response` or `Reply` (`expressRes`).
fn is_response_name(name: &str) -> bool {
    RESPONSE_NAMES.contains(&name)
        || ["Res", "Response", "Reply"]
            .iter()
            .any(|s| name.len() > s.len() && name.ends_with(s))
}

/// `node` without TypeScript-only wrappers and parentheses: `(x as T)`,
/// `x!`, `x satisfies T`, `<T>x` all give `x`.
pub fn strip_wrappers(mut node: Node<'_>) -> Node<'_> {
    loop {
        match node.kind() {
            "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression"
            | "type_assertion" => {
                let mut cursor = node.walk();
                let inner = node
                    .named_children(&mut cursor)
                    .find(|c| c.kind() != "comment" && !c.kind().ends_with("type_arguments"));
                match inner {
                    Some(inner) if inner.kind() != "type_arguments" => node = inner,
                    _ => return node,
                }
            }
            _ => return node,
        }
    }
}

/// The name a receiver is known by: `res` for `res`, `res` for `ctx.res`
/// and `this.res` (the last property), after stripping chained calls such
/// as `.status(500)` and TypeScript wrappers.
fn receiver_name<'a>(ctx: &FileContext<'a>, receiver: Node<'_>) -> Option<(&'a str, bool)> {
    let mut node = strip_wrappers(receiver);
    let mut chained = false;
    for _ in 0..16 {
        if node.kind() != "call_expression" {
            break;
        }
        let function = strip_wrappers(node.child_by_field_name("function")?);
        if function.kind() != "member_expression" {
            return None;
        }
        let method = ctx.node_text(function.child_by_field_name("property")?);
        if !CHAINABLE.contains(&method) {
            return None;
        }
        chained = true;
        node = strip_wrappers(function.child_by_field_name("object")?);
    }
    match node.kind() {
        "identifier" => Some((ctx.node_text(node), chained)),
        "member_expression" => Some((
            ctx.node_text(node.child_by_field_name("property")?),
            chained,
        )),
        _ => None,
    }
}

/// The argument nodes of a call or `new` expression (comments excluded);
/// `None` when it has no argument list (`new Response` without parens) or
/// is a tagged template.
fn call_arguments(node: Node<'_>) -> Option<Vec<Node<'_>>> {
    let args = node.child_by_field_name("arguments")?;
    (args.kind() == "arguments").then(|| crate::analysis::javascript::arguments(args))
}

/// Whether `node` (a `call_expression` or `new_expression`) sends an HTTP
/// response, and which arguments are its body.
///
/// Recognised, with any TypeScript wrappers (`res!.json`, `(res as
/// Response).json<T>(...)`) and chains of `status` / `code` / `header` /
/// `set` / `type` calls before the sending one:
///
/// - Express / Node / Next.js `pages/api`: `json`, `jsonp`, `send`, `end`,
///   `write` on a receiver named `res`, `response`, `resp`, `reply`, `rep`
///   or ending in `Res` / `Response` / `Reply`. The body is the first
///   argument. `json()` and `text()` without arguments are body *reads*
///   (`await response.json()`) and are not responses.
/// - Fastify: `send` on `reply` (also `reply.code(500).send(...)`).
/// - Hono: `json`, `text`, `html`, `body`, `newResponse` on `c`, `ctx` or
///   `context`; the body is the first argument.
/// - Next.js: `NextResponse.json(body, init)`, `new NextResponse(body)`.
/// - Web: `new Response(body, init)`, `Response.json(body, init)`.
///
/// Receivers are recognised by name only: a variable named `res` that is
/// not a response is taken for one.
pub fn response_send<'t>(ctx: &FileContext<'_>, node: Node<'t>) -> Option<ResponseSend<'t>> {
    let first_payload = |args: Vec<Node<'t>>| args.into_iter().take(1).collect::<Vec<_>>();
    match node.kind() {
        "new_expression" => {
            let constructor = strip_wrappers(node.child_by_field_name("constructor")?);
            let framework = match ctx.node_text(constructor) {
                "Response" | "globalThis.Response" => Framework::WebResponse,
                "NextResponse" => Framework::NextJs,
                _ => return None,
            };
            let args = call_arguments(node).unwrap_or_default();
            Some(ResponseSend {
                call: node,
                framework,
                payloads: first_payload(args),
            })
        }
        "call_expression" => {
            let function = strip_wrappers(node.child_by_field_name("function")?);
            if function.kind() != "member_expression" {
                return None;
            }
            let method = ctx.node_text(function.child_by_field_name("property")?);
            let object = function.child_by_field_name("object")?;
            let args = call_arguments(node)?;
            // Static constructors of a response.
            match (ctx.node_text(strip_wrappers(object)), method) {
                ("Response" | "globalThis.Response", "json") => {
                    return Some(ResponseSend {
                        call: node,
                        framework: Framework::WebResponse,
                        payloads: first_payload(args),
                    })
                }
                ("NextResponse", "json") => {
                    return Some(ResponseSend {
                        call: node,
                        framework: Framework::NextJs,
                        payloads: first_payload(args),
                    })
                }
                _ => {}
            }
            let (receiver, chained) = receiver_name(ctx, object)?;
            let framework = if CONTEXT_NAMES.contains(&receiver) {
                if !matches!(method, "json" | "text" | "html" | "body" | "newResponse") {
                    return None;
                }
                Framework::Hono
            } else if is_response_name(receiver) {
                if !matches!(method, "json" | "jsonp" | "send" | "end" | "write") {
                    return None;
                }
                if receiver == "reply" || receiver == "rep" {
                    Framework::Fastify
                } else {
                    Framework::Express
                }
            } else {
                return None;
            };
            // `response.json()` / `c.text()` with nothing to send read a
            // body (fetch) rather than send one, unless a status was set.
            if args.is_empty() && matches!(method, "json" | "text") && !chained {
                return None;
            }
            Some(ResponseSend {
                call: node,
                framework,
                payloads: first_payload(args),
            })
        }
        _ => None,
    }
}

/// The body arguments of `node` if it sends an HTTP response (see
/// [`response_send`]), else `None`.
pub fn response_payloads<'t>(ctx: &FileContext<'_>, node: Node<'t>) -> Option<Vec<Node<'t>>> {
    response_send(ctx, node).map(|s| s.payloads)
}

/// Which environment a condition tells the code is running in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    /// Development, test or local: anything but production.
    Development,
    /// Production.
    Production,
}

impl Environment {
    fn flip(self) -> Environment {
        match self {
            Environment::Development => Environment::Production,
            Environment::Production => Environment::Development,
        }
    }
}

/// The file's `const NAME = value` declarations by name, collected on first
/// use with one walk of the tree. Used to follow `const isDev =
/// process.env.NODE_ENV !== 'production'`.
#[derive(Default)]
pub struct Constants<'t> {
    by_name: OnceCell<HashMap<&'t str, Option<Node<'t>>>>,
}

impl<'t> Constants<'t> {
    /// The value declared for `name` when exactly one declarator in the file
    /// declares it.
    pub fn value(&self, ctx: &FileContext<'t>, name: &str) -> Option<Node<'t>> {
        let map = self.by_name.get_or_init(|| {
            let mut map: HashMap<&'t str, Option<Node<'t>>> = HashMap::new();
            for_each_node_of_kind(ctx.tree.root_node(), &["variable_declarator"], |d| {
                let (Some(name), Some(value)) = (
                    d.child_by_field_name("name"),
                    d.child_by_field_name("value"),
                ) else {
                    return;
                };
                if name.kind() == "identifier" {
                    map.entry(ctx.node_text(name))
                        .and_modify(|v| *v = None)
                        .or_insert(Some(value));
                }
            });
            map
        });
        map.get(name).copied().flatten()
    }
}

const DEV_VALUES: &[&str] = &["development", "dev", "local", "test", "testing"];
const PROD_VALUES: &[&str] = &["production", "prod"];

/// The environment a flag's name promises when it is true: `isDev`,
/// `IS_DEVELOPMENT`, `__DEV__`, `import.meta.env.DEV`, `debug` give
/// development; `isProd`, `isProduction` production.
fn flag_environment(name: &str) -> Option<Environment> {
    let key: String = name
        .chars()
        .filter(|c| *c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    match key.as_str() {
        "dev" | "isdev" | "isdevelopment" | "development" | "devmode" | "isdevmode" | "indev"
        | "isdevenv" | "indevelopment" | "debug" | "isdebug" | "debugmode" | "islocal"
        | "isnotproduction" | "isnotprod" => Some(Environment::Development),
        "prod" | "isprod" | "isproduction" | "production" | "inproduction" | "isprodenv"
        | "prodmode" => Some(Environment::Production),
        _ => None,
    }
}

/// What `cond` evaluating to `truth` tells about the environment, or `None`
/// if nothing. Understood: comparisons of something environment-like
/// (`process.env.NODE_ENV`, `app.get('env')`, `config.env`,
/// `import.meta.env.MODE`, any expression whose text mentions `env`, `mode`
/// or `stage`) with `'development'`, `'dev'`, `'local'`, `'test'`,
/// `'production'` or `'prod'` (`===`, `==`, `!==`, `!=`); flags by name
/// (`isDev`, `IS_PRODUCTION`, `import.meta.env.DEV`, `debug`); `!`, `&&`,
/// `||` and parentheses; and a `const` declared in the file from such a
/// check (`const isDev = process.env.NODE_ENV !== 'production'`, followed
/// whatever its name).
///
/// `x !== 'development'` counts as production, since the code it guards
/// is meant for production.
pub fn environment_implied<'t>(
    ctx: &FileContext<'t>,
    consts: &Constants<'t>,
    cond: Node<'_>,
    truth: bool,
) -> Option<Environment> {
    environment_implied_at(ctx, consts, cond, truth, 0)
}

fn environment_implied_at<'t>(
    ctx: &FileContext<'t>,
    consts: &Constants<'t>,
    cond: Node<'_>,
    truth: bool,
    depth: u32,
) -> Option<Environment> {
    if depth > 8 {
        return None;
    }
    let cond = strip_wrappers(cond);
    let recurse = |n: Node<'_>, t: bool| environment_implied_at(ctx, consts, n, t, depth + 1);
    match cond.kind() {
        "unary_expression" => {
            let op = cond.child_by_field_name("operator")?;
            if ctx.node_text(op) != "!" {
                return None;
            }
            recurse(cond.child_by_field_name("argument")?, !truth)
        }
        "binary_expression" => {
            let op = ctx.node_text(cond.child_by_field_name("operator")?);
            let left = cond.child_by_field_name("left")?;
            let right = cond.child_by_field_name("right")?;
            match (op, truth) {
                // Both sides hold: either side's promise is enough.
                ("&&", true) | ("||", false) => {
                    recurse(left, truth).or_else(|| recurse(right, truth))
                }
                // One side holds: both must promise the same.
                ("&&", false) | ("||", true) => {
                    let l = recurse(left, truth)?;
                    (recurse(right, truth)? == l).then_some(l)
                }
                ("===" | "==" | "!==" | "!=", _) => {
                    let equal = matches!(op, "===" | "==") == truth;
                    let (literal, other) = if is_string(left) {
                        (left, right)
                    } else if is_string(right) {
                        (right, left)
                    } else {
                        return None;
                    };
                    let other_text = ctx.node_text(other).to_ascii_lowercase();
                    if !["env", "mode", "stage"]
                        .iter()
                        .any(|w| other_text.contains(w))
                    {
                        return None;
                    }
                    let value = ctx
                        .node_text(literal)
                        .trim_matches(['\'', '"', '`'])
                        .to_ascii_lowercase();
                    let named = if DEV_VALUES.contains(&value.as_str()) {
                        Environment::Development
                    } else if PROD_VALUES.contains(&value.as_str()) {
                        Environment::Production
                    } else {
                        return None;
                    };
                    match (named, equal) {
                        (env, true) => Some(env),
                        // Not production: development. Not development:
                        // the production path.
                        (env, false) => Some(env.flip()),
                    }
                }
                _ => None,
            }
        }
        "identifier" | "member_expression" | "subscript_expression" => {
            let name = match cond.kind() {
                "identifier" => ctx.node_text(cond),
                "member_expression" => ctx.node_text(cond.child_by_field_name("property")?),
                _ => ctx
                    .node_text(cond.child_by_field_name("index")?)
                    .trim_matches(['\'', '"', '`']),
            };
            let by_flag = flag_environment(name).map(|e| if truth { e } else { e.flip() });
            if by_flag.is_some() {
                return by_flag;
            }
            if cond.kind() == "identifier" {
                let value = consts.value(ctx, name)?;
                if value.end_byte() <= cond.start_byte() || value.start_byte() >= cond.end_byte() {
                    return recurse(value, truth);
                }
            }
            None
        }
        _ => None,
    }
}

fn is_string(node: Node<'_>) -> bool {
    let node = strip_wrappers(node);
    node.kind() == "string" || (node.kind() == "template_string" && node.named_child_count() == 0)
}

/// Whether `branch` (a child of `parent` on the way down to some node) is
/// taken only when `accepts(condition, truth)` says so: the consequence of
/// an `if` or `?:` (`truth` true), its `else` (`truth` false), the right of
/// `&&` (true) or of `||` / `??` (false for `||`), or a statement after an
/// `if (cond) { ... return; }` with no `else` in the same block (false).
pub fn branch_taken_when<'t>(
    parent: Node<'t>,
    branch: Node<'t>,
    accepts: &mut dyn FnMut(Node<'t>, bool) -> bool,
) -> bool {
    match parent.kind() {
        "if_statement" => {
            let Some(cond) = parent.child_by_field_name("condition") else {
                return false;
            };
            if parent.child_by_field_name("consequence") == Some(branch) {
                accepts(cond, true)
            } else if parent.child_by_field_name("alternative") == Some(branch) {
                accepts(cond, false)
            } else {
                false
            }
        }
        "ternary_expression" => {
            let Some(cond) = parent.child_by_field_name("condition") else {
                return false;
            };
            if parent.child_by_field_name("consequence") == Some(branch) {
                accepts(cond, true)
            } else if parent.child_by_field_name("alternative") == Some(branch) {
                accepts(cond, false)
            } else {
                false
            }
        }
        "binary_expression" => {
            let (Some(left), Some(op)) = (
                parent.child_by_field_name("left"),
                parent.child_by_field_name("operator"),
            ) else {
                return false;
            };
            if parent.child_by_field_name("right") != Some(branch) {
                return false;
            }
            match op.kind() {
                "&&" => accepts(left, true),
                "||" => accepts(left, false),
                _ => false,
            }
        }
        "statement_block" | "program" | "switch_case" | "switch_default" => {
            // `if (isProd) { return generic(); }` earlier in the block: what
            // follows runs only when the condition is false.
            let mut cursor = parent.walk();
            for sibling in parent.named_children(&mut cursor) {
                if sibling == branch {
                    break;
                }
                if sibling.kind() == "if_statement"
                    && sibling.child_by_field_name("alternative").is_none()
                    && sibling
                        .child_by_field_name("consequence")
                        .is_some_and(always_exits)
                {
                    if let Some(cond) = sibling.child_by_field_name("condition") {
                        if accepts(cond, false) {
                            return true;
                        }
                    }
                }
            }
            false
        }
        _ => false,
    }
}

/// Whether a statement always ends with `return` or `throw`.
fn always_exits(statement: Node<'_>) -> bool {
    match statement.kind() {
        "return_statement" | "throw_statement" => true,
        "statement_block" => {
            let mut cursor = statement.walk();
            let last = statement
                .named_children(&mut cursor)
                .filter(|c| c.kind() != "comment")
                .last();
            last.is_some_and(always_exits)
        }
        _ => false,
    }
}

/// Whether `node` runs only in development: inside the branch of a
/// development check, the `else` of a production check, or after an early
/// `return` under a production check (see [`environment_implied`] and
/// [`branch_taken_when`]). `path` is `node`'s ancestors from the root
/// down to its parent, as [`crate::analysis::util::ancestors`] gives them.
pub fn is_development_only_in<'t>(
    ctx: &FileContext<'t>,
    consts: &Constants<'t>,
    path: &[Node<'t>],
    node: Node<'t>,
) -> bool {
    let mut accepts = |cond: Node<'t>, truth: bool| {
        environment_implied(ctx, consts, cond, truth) == Some(Environment::Development)
    };
    path.iter().enumerate().any(|(i, &parent)| {
        let child = path.get(i + 1).copied().unwrap_or(node);
        branch_taken_when(parent, child, &mut accepts)
    })
}

/// [`is_development_only_in`] for a node whose ancestors are not at hand
/// (they are found from the root, in time proportional to the depth).
pub fn is_development_only<'t>(ctx: &FileContext<'t>, node: Node<'t>) -> bool {
    let path = ancestors(ctx.tree.root_node(), node);
    is_development_only_in(ctx, &Constants::default(), &path, node)
}

/// How a traced value is turned into text or copied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conversion {
    /// `String(x)`, `` `${x}` ``, `x.toString()`, `'...' + x`.
    ToString,
    /// `JSON.stringify(x)`.
    Json,
    /// `util.inspect(x)`, `serializeError(x)`: everything, stack included.
    Inspect,
    /// A string method on a string value: `x.slice(0, 80)`, `x.replace(...)`.
    StringMethod,
    /// A shallow copy: `{ ...x }`, `Object.assign({}, x)`, `Object.entries(x)`.
    Copy,
}

/// What a rule traces to responses. `Kind` describes a value of interest
/// (for instance "the error object" or "its stack").
pub trait Taint<'t> {
    /// The classes of values the rule follows.
    type Kind: Copy + PartialEq + std::fmt::Debug;

    /// A value of interest recognised by its shape alone, such as
    /// `process.env` (values reached through variables are followed by
    /// the tracer).
    fn source(&self, ctx: &FileContext<'t>, node: Node<'t>) -> Option<Self::Kind>;

    /// Reading property `prop` of a value of kind `kind`; `None` when the
    /// property is harmless (`err.code`).
    fn member(&self, kind: Self::Kind, prop: &str) -> Option<Self::Kind>;

    /// A value of kind `kind` after `conversion`.
    fn convert(&self, kind: Self::Kind, conversion: Conversion) -> Option<Self::Kind>;

    /// An object, array or string holding values of these kinds (at least
    /// one).
    fn hold(&self, kinds: &[Self::Kind]) -> Self::Kind;

    /// For a function or `catch` clause, which of its parameters (by index
    /// in `params`) binds a value of interest, and of what kind. `path` is
    /// the node's ancestors from the root.
    fn parameter(
        &self,
        ctx: &FileContext<'t>,
        node: Node<'t>,
        params: &[Node<'t>],
        path: &[Node<'t>],
    ) -> Option<(usize, Self::Kind)>;

    /// Whether code taken when `cond` is `truth` may send values of
    /// interest (for instance: in development only).
    fn accepts(&self, ctx: &FileContext<'t>, cond: Node<'t>, truth: bool) -> bool;
}

/// Where a traced value sits in a payload, for fixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Site {
    /// A plain expression (an argument, an operand, an array item).
    Expression,
    /// The value of an object property `key: value`.
    Property,
    /// A shorthand property `{ message }`: the node is the shorthand.
    Shorthand,
    /// A spread `{ ...err }`: the node is the spread element.
    Spread,
    /// The whole substitution `${err}` of a template string: the node is
    /// the substitution.
    Substitution,
}

/// A value of interest inside a response payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leak<'t, K> {
    /// The expression (see [`Site`] for what the node is).
    pub node: Node<'t>,
    /// Its kind.
    pub kind: K,
    /// Where it sits.
    pub site: Site,
}

impl<K> Leak<'_, K> {
    /// The byte range of the node.
    pub fn range(&self) -> Range<usize> {
        self.node.byte_range()
    }
}

/// A response that sends values of interest.
#[derive(Clone, Debug)]
pub struct SentLeaks<'t, K> {
    /// The response call.
    pub send: ResponseSend<'t>,
    /// What it sends, in document order; never empty.
    pub leaks: Vec<Leak<'t, K>>,
}

/// One variable binding visible while walking.
struct Binding<'t, K> {
    name: &'t str,
    /// The end of the scope it lives in.
    end: usize,
    /// `None` shadows an outer binding of the same name.
    kind: Option<K>,
}

struct Tracer<'c, 't, T: Taint<'t>> {
    ctx: &'c FileContext<'t>,
    rules: &'c T,
    bindings: Vec<Binding<'t, T::Kind>>,
}

/// How deep expressions are followed; deeper parts are not traced (a
/// guard against pathological nesting, far beyond real code).
const MAX_EXPRESSION_DEPTH: u32 = 200;

/// Finds every response in the file that sends a value `rules` describes,
/// except in branches `rules.accepts`. One walk of the tree; the tracing
/// is flow-insensitive in one respect: a variable reassigned to a harmless
/// value earlier in the document no longer counts as holding the value
/// (`let { message } = err; if (prod) message = 'Internal error';`).
pub fn trace_sent<'t, T: Taint<'t>>(
    ctx: &FileContext<'t>,
    rules: &T,
) -> Vec<SentLeaks<'t, T::Kind>> {
    let mut tracer = Tracer {
        ctx,
        rules,
        bindings: Vec::new(),
    };
    let mut out = Vec::new();
    let mut path: Vec<Node<'t>> = Vec::new();
    walk(ctx.tree.root_node(), |cursor, depth| {
        path.truncate(depth as usize);
        let node = cursor.node();
        let start = node.start_byte();
        while tracer.bindings.last().is_some_and(|b| b.end <= start) {
            tracer.bindings.pop();
        }
        match node.kind() {
            "catch_clause" => {
                if let Some(param) = node.child_by_field_name("parameter") {
                    tracer.bind_parameters(node, &[param], &path, node.end_byte());
                }
            }
            "arrow_function"
            | "function_expression"
            | "function"
            | "function_declaration"
            | "generator_function"
            | "generator_function_declaration"
            | "method_definition" => {
                let params = parameters(node);
                if !params.is_empty() {
                    tracer.bind_parameters(node, &params, &path, node.end_byte());
                }
            }
            "variable_declarator" => {
                if let (Some(name), Some(value)) = (
                    node.child_by_field_name("name"),
                    node.child_by_field_name("value"),
                ) {
                    let kind = tracer.value(value, 0);
                    let end = scope_end(&path, node);
                    tracer.bind_pattern(name, kind, end);
                }
            }
            "assignment_expression" => {
                if let (Some(left), Some(right)) = (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                ) {
                    let left = strip_wrappers(left);
                    if left.kind() == "identifier" {
                        let name = ctx.node_text(left);
                        let kind = tracer.value(right, 0);
                        let existing = tracer
                            .lookup_binding(name, start)
                            .map(|b| (b.end, b.kind.is_some()));
                        if kind.is_some() || existing.is_some_and(|(_, traced)| traced) {
                            let end = existing.map_or_else(|| scope_end(&path, node), |(e, _)| e);
                            tracer.bindings.push(Binding { name, end, kind });
                        }
                    }
                }
            }
            "call_expression" | "new_expression" => {
                if let Some(send) = response_send(ctx, node) {
                    let mut leaks = Vec::new();
                    for &payload in &send.payloads {
                        tracer.leaks_in(payload, Site::Expression, &mut leaks);
                    }
                    if !leaks.is_empty() && !tracer.accepted_path(&path, node) {
                        out.push(SentLeaks { send, leaks });
                    }
                }
            }
            _ => {}
        }
        path.push(node);
        Step::Into
    });
    out
}

/// The parameter patterns of a function.
fn parameters(function: Node<'_>) -> Vec<Node<'_>> {
    if let Some(single) = function.child_by_field_name("parameter") {
        return vec![single];
    }
    let Some(list) = function.child_by_field_name("parameters") else {
        return Vec::new();
    };
    let mut cursor = list.walk();
    let params: Vec<Node<'_>> = list
        .named_children(&mut cursor)
        .filter(|p| p.kind() != "comment")
        .map(|p| match p.kind() {
            "required_parameter" | "optional_parameter" => {
                p.child_by_field_name("pattern").unwrap_or(p)
            }
            _ => p,
        })
        .collect();
    params
}

/// The name of a simple parameter (`err`, `err: Error`, `err = x`), if it
/// is one.
pub fn parameter_name<'a>(ctx: &FileContext<'a>, param: Node<'_>) -> Option<&'a str> {
    let param = match param.kind() {
        "required_parameter" | "optional_parameter" => param.child_by_field_name("pattern")?,
        "assignment_pattern" => param.child_by_field_name("left")?,
        _ => param,
    };
    (param.kind() == "identifier").then(|| ctx.node_text(param))
}

/// The function parameters of `function`, with TypeScript's parameter
/// wrappers removed (for [`Taint::parameter`] implementations).
pub fn function_parameters(function: Node<'_>) -> Vec<Node<'_>> {
    parameters(function)
}

/// The end of the innermost block around a declaration.
fn scope_end(path: &[Node<'_>], node: Node<'_>) -> usize {
    path.iter()
        .rev()
        .find(|n| {
            matches!(
                n.kind(),
                "statement_block" | "program" | "switch_body" | "class_body"
            )
        })
        .map_or(node.end_byte(), |n| n.end_byte())
}

impl<'c, 't, T: Taint<'t>> Tracer<'c, 't, T> {
    fn lookup_binding(&self, name: &str, at: usize) -> Option<&Binding<'t, T::Kind>> {
        self.bindings
            .iter()
            .rev()
            .find(|b| b.name == name && b.end > at)
    }

    fn lookup(&self, name: &str, at: usize) -> Option<T::Kind> {
        self.lookup_binding(name, at).and_then(|b| b.kind)
    }

    fn bind_parameters(
        &mut self,
        node: Node<'t>,
        params: &[Node<'t>],
        path: &[Node<'t>],
        end: usize,
    ) {
        let traced = self.rules.parameter(self.ctx, node, params, path);
        for (i, &param) in params.iter().enumerate() {
            let kind = traced.and_then(|(at, k)| (at == i).then_some(k));
            self.bind_pattern(param, kind, end);
        }
    }

    /// Binds the names of a pattern to `kind` (or to the kinds of its
    /// properties); names bound to nothing shadow outer bindings.
    fn bind_pattern(&mut self, pattern: Node<'t>, kind: Option<T::Kind>, end: usize) {
        let ctx = self.ctx;
        match pattern.kind() {
            "identifier" | "shorthand_property_identifier_pattern" => {
                let name = ctx.node_text(pattern);
                if kind.is_some() || self.lookup(name, pattern.start_byte()).is_some() {
                    self.bindings.push(Binding { name, end, kind });
                }
            }
            "assignment_pattern" | "object_assignment_pattern" => {
                if let Some(left) = pattern.child_by_field_name("left") {
                    self.bind_pattern(left, kind, end);
                }
            }
            "required_parameter" | "optional_parameter" => {
                if let Some(p) = pattern.child_by_field_name("pattern") {
                    self.bind_pattern(p, kind, end);
                }
            }
            "rest_pattern" => {
                let mut cursor = pattern.walk();
                let inner: Vec<Node<'t>> = pattern.named_children(&mut cursor).collect();
                for p in inner {
                    self.bind_pattern(p, kind, end);
                }
            }
            "object_pattern" => {
                let mut cursor = pattern.walk();
                let members: Vec<Node<'t>> = pattern.named_children(&mut cursor).collect();
                for member in members {
                    let prop_kind = |key: &str| kind.and_then(|k| self.rules.member(k, key));
                    match member.kind() {
                        "shorthand_property_identifier_pattern" => {
                            let k = prop_kind(ctx.node_text(member));
                            self.bind_pattern(member, k, end);
                        }
                        "object_assignment_pattern" => {
                            let left = member.child_by_field_name("left");
                            let k = left.and_then(|l| prop_kind(ctx.node_text(l)));
                            self.bind_pattern(member, k, end);
                        }
                        "pair_pattern" => {
                            let k = pair_key(ctx, member).and_then(prop_kind);
                            if let Some(value) = member.child_by_field_name("value") {
                                self.bind_pattern(value, k, end);
                            }
                        }
                        "rest_pattern" => self.bind_pattern(member, kind, end),
                        _ => {}
                    }
                }
            }
            "array_pattern" => {
                let mut cursor = pattern.walk();
                let members: Vec<Node<'t>> = pattern.named_children(&mut cursor).collect();
                for member in members {
                    self.bind_pattern(member, None, end);
                }
            }
            _ => {}
        }
    }

    /// Whether the walk's current path runs only where the rule accepts
    /// values of interest.
    fn accepted_path(&self, path: &[Node<'t>], node: Node<'t>) -> bool {
        let mut accepts = |cond: Node<'t>, truth: bool| self.rules.accepts(self.ctx, cond, truth);
        path.iter().enumerate().any(|(i, &parent)| {
            let child = path.get(i + 1).copied().unwrap_or(node);
            branch_taken_when(parent, child, &mut accepts)
        })
    }

    /// The kind of the value `expr` evaluates to, if it is or holds a value
    /// of interest.
    fn value(&self, expr: Node<'t>, depth: u32) -> Option<T::Kind> {
        if depth > MAX_EXPRESSION_DEPTH {
            return None;
        }
        let expr = strip_wrappers(expr);
        match expr.kind() {
            "identifier"
            | "member_expression"
            | "subscript_expression"
            | "call_expression"
            | "await_expression" => self.direct(expr, depth),
            "ternary_expression" | "binary_expression" => {
                let mut leaks = Vec::new();
                self.leaks_in_at(expr, Site::Expression, &mut leaks, depth);
                match leaks.as_slice() {
                    [] => None,
                    [one] => Some(one.kind),
                    _ => {
                        let kinds: Vec<T::Kind> = leaks.iter().map(|l| l.kind).collect();
                        Some(self.rules.hold(&kinds))
                    }
                }
            }
            "object" | "array" | "template_string" => {
                let mut leaks = Vec::new();
                self.leaks_in_at(expr, Site::Expression, &mut leaks, depth);
                if leaks.is_empty() {
                    None
                } else {
                    let kinds: Vec<T::Kind> = leaks.iter().map(|l| l.kind).collect();
                    Some(self.rules.hold(&kinds))
                }
            }
            _ => None,
        }
    }

    /// The kind of an identifier, property read or conversion call, as a
    /// whole (not looking into containers).
    fn direct(&self, expr: Node<'t>, depth: u32) -> Option<T::Kind> {
        if depth > MAX_EXPRESSION_DEPTH {
            return None;
        }
        let ctx = self.ctx;
        let expr = strip_wrappers(expr);
        if let Some(kind) = self.rules.source(ctx, expr) {
            return Some(kind);
        }
        match expr.kind() {
            "identifier" | "shorthand_property_identifier" => {
                self.lookup(ctx.node_text(expr), expr.start_byte())
            }
            "member_expression" => {
                let object = expr.child_by_field_name("object")?;
                let prop = ctx.node_text(expr.child_by_field_name("property")?);
                let base = self.direct(object, depth + 1)?;
                self.rules.member(base, prop)
            }
            "subscript_expression" => {
                let object = expr.child_by_field_name("object")?;
                let index = strip_wrappers(expr.child_by_field_name("index")?);
                if index.kind() != "string" {
                    return None;
                }
                let base = self.direct(object, depth + 1)?;
                self.rules
                    .member(base, ctx.node_text(index).trim_matches(['\'', '"']))
            }
            "await_expression" => {
                let mut cursor = expr.walk();
                let inner = expr.named_children(&mut cursor).next()?;
                self.direct(inner, depth + 1)
            }
            "call_expression" => {
                let function = strip_wrappers(expr.child_by_field_name("function")?);
                let args = call_arguments(expr)?;
                let first = args.first().copied();
                let callee = ctx.node_text(function);
                let conversion = match callee {
                    "String" => Some(Conversion::ToString),
                    "JSON.stringify" => Some(Conversion::Json),
                    "util.inspect" | "inspect" | "serializeError" => Some(Conversion::Inspect),
                    "Object.assign" | "Object.entries" | "Object.values" | "structuredClone"
                    | "Object.fromEntries" => Some(Conversion::Copy),
                    _ => None,
                };
                if let Some(conversion) = conversion {
                    // `Object.assign({}, x)`: any argument counts.
                    // Containers (`JSON.stringify({ error: err.message })`)
                    // are looked into by `leaks_in_at`, which finds the
                    // precise value; here only a value sent as a whole.
                    let kind = if callee == "Object.assign" {
                        args.iter().find_map(|a| self.direct(*a, depth + 1))
                    } else {
                        self.direct(first?, depth + 1)
                    };
                    return self.rules.convert(kind?, conversion);
                }
                if function.kind() != "member_expression" {
                    return None;
                }
                let method = ctx.node_text(function.child_by_field_name("property")?);
                let object = function.child_by_field_name("object")?;
                let conversion = match method {
                    "toString" | "toLocaleString" => Conversion::ToString,
                    "toJSON" => Conversion::Json,
                    "slice" | "substring" | "substr" | "replace" | "replaceAll" | "trim"
                    | "trimStart" | "trimEnd" | "toUpperCase" | "toLowerCase" | "split"
                    | "concat" | "padStart" | "padEnd" | "normalize" | "join" | "at" => {
                        Conversion::StringMethod
                    }
                    _ => return None,
                };
                let base = self.direct(object, depth + 1)?;
                self.rules.convert(base, conversion)
            }
            _ => None,
        }
    }

    fn leaks_in(&self, expr: Node<'t>, site: Site, out: &mut Vec<Leak<'t, T::Kind>>) {
        self.leaks_in_at(expr, site, out, 0);
    }

    /// Collects the values of interest inside a payload expression, skipping
    /// branches the rule accepts (`isDev ? err.stack : undefined`).
    fn leaks_in_at(
        &self,
        expr: Node<'t>,
        site: Site,
        out: &mut Vec<Leak<'t, T::Kind>>,
        depth: u32,
    ) {
        if depth > MAX_EXPRESSION_DEPTH {
            return;
        }
        let ctx = self.ctx;
        let expr = strip_wrappers(expr);
        if let Some(kind) = self.direct(expr, depth) {
            out.push(Leak {
                node: expr,
                kind,
                site,
            });
            return;
        }
        let mut cursor = expr.walk();
        match expr.kind() {
            "object" => {
                let members: Vec<Node<'t>> = expr.named_children(&mut cursor).collect();
                for member in members {
                    match member.kind() {
                        "pair" => {
                            if let Some(value) = member.child_by_field_name("value") {
                                self.leaks_in_at(value, Site::Property, out, depth + 1);
                            }
                        }
                        "shorthand_property_identifier" => {
                            if let Some(kind) =
                                self.lookup(ctx.node_text(member), member.start_byte())
                            {
                                out.push(Leak {
                                    node: member,
                                    kind,
                                    site: Site::Shorthand,
                                });
                            }
                        }
                        "spread_element" => {
                            let Some(arg) = member.named_child(0) else {
                                continue;
                            };
                            match self.direct(arg, depth + 1) {
                                Some(kind) => {
                                    if let Some(kind) = self.rules.convert(kind, Conversion::Copy) {
                                        out.push(Leak {
                                            node: member,
                                            kind,
                                            site: Site::Spread,
                                        });
                                    }
                                }
                                None => self.leaks_in_at(arg, Site::Expression, out, depth + 1),
                            }
                        }
                        _ => {}
                    }
                }
            }
            "array" => {
                let items: Vec<Node<'t>> = expr.named_children(&mut cursor).collect();
                for item in items {
                    if item.kind() == "spread_element" {
                        if let Some(arg) = item.named_child(0) {
                            self.leaks_in_at(arg, Site::Expression, out, depth + 1);
                        }
                    } else {
                        self.leaks_in_at(item, Site::Expression, out, depth + 1);
                    }
                }
            }
            "template_string" => {
                let parts: Vec<Node<'t>> = expr
                    .named_children(&mut cursor)
                    .filter(|c| c.kind() == "template_substitution")
                    .collect();
                for substitution in parts {
                    let Some(inner) = substitution.named_child(0) else {
                        continue;
                    };
                    match self.direct(inner, depth + 1) {
                        Some(kind) => {
                            if let Some(kind) = self.rules.convert(kind, Conversion::ToString) {
                                out.push(Leak {
                                    node: substitution,
                                    kind,
                                    site: Site::Substitution,
                                });
                            }
                        }
                        None => self.leaks_in_at(inner, Site::Expression, out, depth + 1),
                    }
                }
            }
            "binary_expression" => {
                let (Some(left), Some(right), Some(op)) = (
                    expr.child_by_field_name("left"),
                    expr.child_by_field_name("right"),
                    expr.child_by_field_name("operator"),
                ) else {
                    return;
                };
                match op.kind() {
                    "+" => {
                        for side in [left, right] {
                            self.string_operand(side, out, depth + 1);
                        }
                    }
                    "&&" if !self.rules.accepts(ctx, left, true) => {
                        self.leaks_in_at(right, Site::Expression, out, depth + 1);
                    }
                    "||" | "??" => {
                        self.leaks_in_at(left, Site::Expression, out, depth + 1);
                        if op.kind() == "??" || !self.rules.accepts(ctx, left, false) {
                            self.leaks_in_at(right, Site::Expression, out, depth + 1);
                        }
                    }
                    _ => {}
                }
            }
            "ternary_expression" => {
                let Some(cond) = expr.child_by_field_name("condition") else {
                    return;
                };
                if let Some(yes) = expr.child_by_field_name("consequence") {
                    if !self.rules.accepts(ctx, cond, true) {
                        self.leaks_in_at(yes, Site::Expression, out, depth + 1);
                    }
                }
                if let Some(no) = expr.child_by_field_name("alternative") {
                    if !self.rules.accepts(ctx, cond, false) {
                        self.leaks_in_at(no, Site::Expression, out, depth + 1);
                    }
                }
            }
            "call_expression" => {
                // `JSON.stringify({ error: err.message })`: look inside
                // the argument of a conversion that is not itself a
                // value of interest.
                let Some(function) = expr.child_by_field_name("function") else {
                    return;
                };
                if matches!(
                    ctx.node_text(function),
                    "JSON.stringify"
                        | "String"
                        | "Object.assign"
                        | "Object.entries"
                        | "Object.values"
                ) {
                    if let Some(first) = call_arguments(expr).and_then(|a| a.first().copied()) {
                        self.leaks_in_at(first, Site::Expression, out, depth + 1);
                    }
                }
            }
            "sequence_expression" | "assignment_expression" => {
                let last = expr
                    .child_by_field_name("right")
                    .or_else(|| expr.named_children(&mut cursor).last());
                if let Some(last) = last {
                    self.leaks_in_at(last, Site::Expression, out, depth + 1);
                }
            }
            _ => {}
        }
    }

    /// An operand of string `+`: a value of interest is converted to text.
    fn string_operand(&self, side: Node<'t>, out: &mut Vec<Leak<'t, T::Kind>>, depth: u32) {
        let side = strip_wrappers(side);
        match self.direct(side, depth) {
            Some(kind) => {
                if let Some(kind) = self.rules.convert(kind, Conversion::ToString) {
                    out.push(Leak {
                        node: side,
                        kind,
                        site: Site::Expression,
                    });
                }
            }
            None => self.leaks_in_at(side, Site::Expression, out, depth),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::{parse, Language};
    use std::path::Path;

    fn with_file<R>(
        language: Language,
        text: &str,
        f: impl for<'t> FnOnce(&FileContext<'t>) -> R,
    ) -> R {
        let tree = parse(language, text, None).unwrap();
        let ctx = FileContext::new(Path::new("x.ts"), text, &tree, language);
        f(&ctx)
    }

    /// The text of every response call's payloads, with its framework.
    fn sends(language: Language, text: &str) -> Vec<(Framework, Vec<String>)> {
        with_file(language, text, |ctx| {
            let mut out = Vec::new();
            for_each_node_of_kind(
                ctx.tree.root_node(),
                &["call_expression", "new_expression"],
                |n| {
                    if let Some(s) = response_send(ctx, n) {
                        let payloads = s
                            .payloads
                            .iter()
                            .map(|p| ctx.node_text(*p).to_string())
                            .collect();
                        out.push((s.framework, payloads));
                    }
                },
            );
            out
        })
    }

    #[test]
    fn recognises_response_sends_of_each_framework() {
        let text = r#"
            res.json({ a: 1 });
            res.status(500).send('x');
            (res as Response).status(400)!.json<Body>(body);
            res.end();
            reply.code(500).send(payload);
            c.json({ ok: true }, 500);
            c.text('hi');
            NextResponse.json(data, { status: 500 });
            new Response(text, { status: 500 });
            Response.json(obj);
            new NextResponse(stream);
            ctx.res.json(z);
        "#;
        let found = sends(Language::TypeScript, text);
        use Framework::*;
        let expected: Vec<(Framework, Vec<String>)> = vec![
            (Express, vec!["{ a: 1 }".into()]),
            (Express, vec!["'x'".into()]),
            (Express, vec!["body".into()]),
            (Express, vec![]),
            (Fastify, vec!["payload".into()]),
            (Hono, vec!["{ ok: true }".into()]),
            (Hono, vec!["'hi'".into()]),
            (NextJs, vec!["data".into()]),
            (WebResponse, vec!["text".into()]),
            (WebResponse, vec!["obj".into()]),
            (NextJs, vec!["stream".into()]),
            (Express, vec!["z".into()]),
        ];
        assert_eq!(found, expected);
    }

    #[test]
    fn body_reads_and_other_calls_are_not_sends() {
        let text = r#"
            const data = await response.json();
            const t = await res.text();
            c.req.json();
            console.error(err.message);
            logger.send(x);
            items.json(x);
            new Request(url, { body });
            res.status(404);
        "#;
        assert!(sends(Language::TypeScript, text).is_empty());
    }

    #[test]
    fn payloads_helper_matches_response_send() {
        with_file(Language::JavaScript, "res.send(a, b);\nfoo(a);", |ctx| {
            let mut seen = Vec::new();
            for_each_node_of_kind(ctx.tree.root_node(), &["call_expression"], |n| {
                seen.push(response_payloads(ctx, n).map(|p| p.len()));
            });
            assert_eq!(seen, vec![Some(1), None]);
        });
    }

    fn implied(text: &str, truth: bool) -> Option<Environment> {
        let source = format!("if ({text}) {{}}");
        with_file(Language::TypeScript, &source, |ctx| {
            let mut result = None;
            for_each_node_of_kind(ctx.tree.root_node(), &["if_statement"], |n| {
                let cond = n.child_by_field_name("condition").unwrap();
                result = environment_implied(ctx, &Constants::default(), cond, truth);
            });
            result
        })
    }

    #[test]
    fn environment_checks() {
        use Environment::*;
        assert_eq!(
            implied("process.env.NODE_ENV === 'development'", true),
            Some(Development)
        );
        assert_eq!(
            implied("process.env.NODE_ENV !== 'production'", true),
            Some(Development)
        );
        assert_eq!(
            implied("process.env.NODE_ENV === 'production'", false),
            Some(Development)
        );
        assert_eq!(
            implied("process.env.NODE_ENV === 'production'", true),
            Some(Production)
        );
        assert_eq!(
            implied("'development' == app.get('env')", true),
            Some(Development)
        );
        assert_eq!(
            implied("config.env === 'development' && x", true),
            Some(Development)
        );
        assert_eq!(implied("config.env === 'development' || x", true), None);
        assert_eq!(implied("!isProd", true), Some(Development));
        assert_eq!(implied("isDev", true), Some(Development));
        assert_eq!(implied("import.meta.env.DEV", true), Some(Development));
        assert_eq!(implied("user.role === 'admin'", true), None);
        assert_eq!(implied("status === 'production'", true), None);
    }

    #[test]
    fn development_only_follows_constants_and_early_returns() {
        let text = r#"
const showStack = process.env.NODE_ENV !== 'production';
function a(err, res) {
  if (showStack) { res.json(err.stack); }
  res.json(err.message);
}
function b(err, res) {
  if (process.env.NODE_ENV === 'production') {
    return res.json({ error: 'x' });
  }
  res.json(err.stack);
}
"#;
        with_file(Language::JavaScript, text, |ctx| {
            let mut seen = Vec::new();
            for_each_node_of_kind(ctx.tree.root_node(), &["call_expression"], |n| {
                if response_send(ctx, n).is_some() {
                    seen.push((ctx.node_text(n).to_string(), is_development_only(ctx, n)));
                }
            });
            assert_eq!(
                seen,
                vec![
                    ("res.json(err.stack)".to_string(), true),
                    ("res.json(err.message)".to_string(), false),
                    ("res.json({ error: 'x' })".to_string(), false),
                    ("res.json(err.stack)".to_string(), true),
                ]
            );
        });
    }

    /// A toy rule tracing the identifier `secret` and `secret.inner`.
    struct Secrets;

    impl<'t> Taint<'t> for Secrets {
        type Kind = u8;
        fn source(&self, ctx: &FileContext<'t>, node: Node<'t>) -> Option<u8> {
            (node.kind() == "identifier" && ctx.node_text(node) == "SECRET").then_some(1)
        }
        fn member(&self, kind: u8, prop: &str) -> Option<u8> {
            (prop == "inner").then_some(kind + 1)
        }
        fn convert(&self, kind: u8, _: Conversion) -> Option<u8> {
            Some(kind)
        }
        fn hold(&self, kinds: &[u8]) -> u8 {
            kinds.iter().copied().max().unwrap_or(0)
        }
        fn parameter(
            &self,
            _: &FileContext<'t>,
            _: Node<'t>,
            _: &[Node<'t>],
            _: &[Node<'t>],
        ) -> Option<(usize, u8)> {
            None
        }
        fn accepts(&self, ctx: &FileContext<'t>, cond: Node<'t>, truth: bool) -> bool {
            environment_implied(ctx, &Constants::default(), cond, truth)
                == Some(Environment::Development)
        }
    }

    fn traced(text: &str) -> Vec<Vec<(String, u8, Site)>> {
        with_file(Language::TypeScript, text, |ctx| {
            trace_sent(ctx, &Secrets)
                .into_iter()
                .map(|s| {
                    s.leaks
                        .iter()
                        .map(|l| (ctx.node_text(l.node).to_string(), l.kind, l.site))
                        .collect()
                })
                .collect()
        })
    }

    #[test]
    fn tracer_follows_aliases_containers_and_conversions() {
        let text = r#"
const a = SECRET;
const { inner } = SECRET;
const box = { x: [a] };
res.json(a);
res.json({ inner });
res.send(`value: ${SECRET}`);
res.json(box);
res.json({ ...SECRET, ok: 1 });
res.json(JSON.stringify({ v: a.inner }));
res.json('x' + String(a));
res.json({ v: isDev ? SECRET : null });
function f(a) { res.json(a); }
let later = SECRET;
later = 'clean';
res.json(later);
"#;
        use Site::*;
        assert_eq!(
            traced(text),
            vec![
                vec![("a".to_string(), 1, Expression)],
                vec![("inner".to_string(), 2, Shorthand)],
                vec![("${SECRET}".to_string(), 1, Substitution)],
                vec![("box".to_string(), 1, Expression)],
                vec![("...SECRET".to_string(), 1, Spread)],
                vec![("a.inner".to_string(), 2, Property)],
                vec![("String(a)".to_string(), 1, Expression)],
            ]
        );
    }

    #[test]
    fn tracer_is_linear_on_deep_nesting() {
        // Deeply nested blocks and a long `+` chain must neither overflow
        // nor take quadratic time.
        let mut text = String::from("const a = SECRET;\n");
        for _ in 0..800 {
            text.push_str("if (x) {\n");
        }
        text.push_str("res.send('' ");
        for _ in 0..800 {
            text.push_str("+ b ");
        }
        text.push_str("+ a);\n");
        for _ in 0..800 {
            text.push_str("}\n");
        }
        let found = traced(&text);
        // The chain is deeper than the tracer follows: nothing, quickly.
        assert!(found.len() <= 1);
    }
}

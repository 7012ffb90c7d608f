//! Rules on JavaScript and TypeScript backends, and the helpers they share:
//! which local names an import binds, and which calls reach a module's
//! exports.

pub mod auth_middleware_order;
pub mod auth_no_rate_limit;
pub mod auth_unprotected_route;
pub mod cors_permissive_credentials;
pub mod errors_leaked_env;
pub mod errors_leaked_error;
pub mod errors_no_error_handler;
pub mod http;
mod jwt_common;
pub mod jwt_decode_without_verify;
pub mod jwt_hardcoded_secret;
pub mod jwt_ignore_expiration;
pub mod jwt_missing_algorithms;
pub mod jwt_none_algorithm;
pub mod project;
pub mod routes;
pub mod supabase_service_role_in_client;
pub mod supabase_service_role_in_edge_function;

use tree_sitter::Node;

use crate::analysis::util::{capture, for_each_match_under, for_each_node_of_kind};
use crate::analysis::FileContext;
use crate::language::query;

/// The local names under which a file can reach one module. The names are
/// slices of the file's text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModuleBindings<'a> {
    /// The module specifier these bindings are for.
    pub module: &'a str,
    /// Names bound to the whole module: `import jwt from`, `import * as jwt
    /// from`, `const jwt = require(...)`, `import jwt = require(...)`.
    pub modules: Vec<&'a str>,
    /// Named imports as (exported name, local name): `import { verify as v }`
    /// gives `("verify", "v")`; `const { verify } = require(...)` gives
    /// `("verify", "verify")`.
    pub named: Vec<(&'a str, &'a str)>,
}

impl<'a> ModuleBindings<'a> {
    /// Finds how the file imports `module` (the exact specifier, such as
    /// `jsonwebtoken`), through every import style the `imports` queries
    /// know. Only module-level imports are seen: a `require` inside a
    /// function body is not. The query runs only on top-level statements
    /// whose text mentions the module, so a huge or deeply nested file
    /// costs one scan of its statements' text.
    pub fn find(ctx: &FileContext<'a>, module: &'a str) -> ModuleBindings<'a> {
        let mut b = ModuleBindings {
            module,
            ..ModuleBindings::default()
        };
        let root = ctx.tree.root_node();
        let mut cursor = root.walk();
        let statements: Vec<Node<'a>> = root
            .named_children(&mut cursor)
            .filter(|n| ctx.node_text(*n).contains(module))
            .collect();
        let queries = ["imports", "imports-ts"]
            .into_iter()
            .filter_map(|name| query(ctx.language, name));
        for (q, &statement) in queries.flat_map(|q| statements.iter().map(move |s| (q, s))) {
            // Within a statement: `import` is the statement itself,
            // `const x = require(...)` one level down, `export const x =
            // require(...)` two.
            for_each_match_under(ctx, q, statement, Some(2), |caps| {
                let Some(source) = capture(caps, "source") else {
                    return;
                };
                if ctx.node_text(source) != module {
                    return;
                }
                if let Some(m) = capture(caps, "module") {
                    b.modules.push(ctx.node_text(m));
                } else if let Some(imported) = capture(caps, "imported") {
                    let imported = ctx.node_text(imported);
                    let local = capture(caps, "local").map_or(imported, |l| ctx.node_text(l));
                    b.named.push((imported, local));
                }
            });
        }
        b
    }

    /// If `callee` (a call's function) reaches one of the module's exports,
    /// returns that export's name: `jwt.verify` with `jwt` bound to the
    /// module, or `v` bound by `import { verify as v }`, both give `verify`.
    /// `jwt.default.verify` (CommonJS interop) and `require('m').verify`
    /// are understood too. Local shadowing of the imported names is not
    /// tracked.
    pub fn export_called(&self, ctx: &FileContext<'a>, callee: Node<'_>) -> Option<&'a str> {
        match callee.kind() {
            "identifier" => {
                let name = ctx.node_text(callee);
                self.named
                    .iter()
                    .find(|(_, local)| *local == name)
                    .map(|(imported, _)| *imported)
            }
            "member_expression" => {
                let mut object = callee.child_by_field_name("object")?;
                let property = callee.child_by_field_name("property")?;
                if object.kind() == "member_expression"
                    && object
                        .child_by_field_name("property")
                        .is_some_and(|p| ctx.node_text(p) == "default")
                {
                    object = object.child_by_field_name("object")?;
                }
                let reaches_module = match object.kind() {
                    "identifier" => self.modules.contains(&ctx.node_text(object)),
                    "call_expression" => is_require_of(ctx, object, self.module),
                    _ => false,
                };
                reaches_module.then(|| ctx.node_text(property))
            }
            _ => None,
        }
    }
}

/// Whether `call` is `require('<module>')`.
fn is_require_of(ctx: &FileContext<'_>, call: Node<'_>, module: &str) -> bool {
    let function = call.child_by_field_name("function");
    let first_arg = call
        .child_by_field_name("arguments")
        .and_then(|a| arguments(a).first().copied());
    function.is_some_and(|f| f.kind() == "identifier" && ctx.node_text(f) == "require")
        && first_arg.is_some_and(|a| {
            a.kind() == "string" && ctx.node_text(a).trim_matches(['\'', '"']) == module
        })
}

/// Calls `f(call, callee, arguments)` for every call expression in the file.
pub fn for_each_call<'t>(ctx: &FileContext<'t>, mut f: impl FnMut(Node<'t>, Node<'t>, Node<'t>)) {
    for_each_node_of_kind(ctx.tree.root_node(), &["call_expression"], |call| {
        if let (Some(callee), Some(args)) = (
            call.child_by_field_name("function"),
            call.child_by_field_name("arguments"),
        ) {
            if args.kind() == "arguments" {
                f(call, callee, args);
            }
        }
    });
}

/// Named argument nodes of an `arguments` node (comments excluded).
pub fn arguments(args: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = args.walk();
    let list: Vec<Node<'_>> = args
        .named_children(&mut cursor)
        .filter(|n| n.kind() != "comment")
        .collect();
    list
}

/// The key of an object `pair` as plain text: `algorithms` for
/// `algorithms: [...]`, `'algorithms': [...]` and `"algorithms": [...]`.
pub fn pair_key<'a>(ctx: &FileContext<'a>, pair: Node<'_>) -> Option<&'a str> {
    let key = pair.child_by_field_name("key")?;
    let text = ctx.node_text(key);
    Some(match key.kind() {
        "string" => text.trim_matches(|c| c == '\'' || c == '"'),
        // `["algorithms"]`: a computed key that is a plain string.
        "computed_property_name" => text
            .trim_matches(['[', ']'])
            .trim()
            .trim_matches(['\'', '"', '`']),
        _ => text,
    })
}

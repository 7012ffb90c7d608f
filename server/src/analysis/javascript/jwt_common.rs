//! What the `jwt/*` rules share: the calls of the JWT and session libraries
//! a file makes (whatever the import style), a scope-aware resolver for
//! `const NAME = value` within the same file, and small readers of options
//! objects, strings and keys.
//!
//! Everything here walks the tree top-down with a cursor (`util::walk`), so
//! a huge or deeply nested file costs a few linear passes.

use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::Node;

use crate::analysis::javascript::{arguments, pair_key, ModuleBindings};
use crate::analysis::util::{walk, Step};
use crate::analysis::FileContext;

/// The library functions the jwt rules look at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Api {
    /// jsonwebtoken `sign(payload, secret, options?, callback?)`.
    JwtSign,
    /// jsonwebtoken `verify(token, key, options?, callback?)`.
    JwtVerify,
    /// jsonwebtoken `decode(token, options?)`.
    JwtDecode,
    /// jose `jwtVerify(token, key, options?)`.
    JoseVerify,
    /// jose `decodeJwt(token)`.
    JoseDecode,
    /// hono/jwt's `decode(token)`.
    HonoDecode,
    /// jose `new SignJWT(payload)…sign(key)`: `args[0]` is the key.
    JoseSign,
    /// jwt-decode `jwtDecode(token)` (v4) or its default export (v3).
    JwtDecodeLib,
    /// express-jwt `expressjwt({...})` (v7+) or its default export (v5/v6).
    ExpressJwt,
    /// express-session `session({...})` or cookie-session `cookieSession({...})`.
    Session,
    /// `fastify.register(fastifyJwt, {...})` with @fastify/jwt or fastify-jwt:
    /// `args[1]` holds the options.
    FastifyJwt,
    /// hono/jwt's `jwt({ secret })` middleware.
    HonoJwt,
    /// hono/jwt's `sign(payload, secret)`.
    HonoSign,
    /// hono/jwt's `verify(token, secret)`.
    HonoVerify,
}

/// One call of a library function.
#[derive(Clone, Debug)]
pub(crate) struct ApiCall<'t> {
    pub api: Api,
    /// The whole call expression.
    pub call: Node<'t>,
    /// The call's function.
    pub callee: Node<'t>,
    /// Its arguments (comments excluded).
    pub args: Vec<Node<'t>>,
}

/// Module specifiers the jwt rules know; a file that mentions none of them
/// is skipped without walking its tree.
const MODULES: &[&str] = &[
    "jsonwebtoken",
    "jose",
    "jwt-decode",
    "express-jwt",
    "express-session",
    "cookie-session",
    "@fastify/jwt",
    "fastify-jwt",
    "hono/jwt",
];

/// Whether the file mentions a module the jwt rules know.
pub(crate) fn mentions_jwt_modules(ctx: &FileContext<'_>) -> bool {
    MODULES.iter().any(|m| ctx.text.contains(m))
}

/// Every call of a known library function in the file, in document order.
pub(crate) fn api_calls<'t>(ctx: &FileContext<'t>) -> Vec<ApiCall<'t>> {
    if !mentions_jwt_modules(ctx) {
        return Vec::new();
    }
    let find = |m: &'static str| {
        if ctx.text.contains(m) {
            ModuleBindings::find(ctx, m)
        } else {
            ModuleBindings::default()
        }
    };
    let jsonwebtoken = find("jsonwebtoken");
    let jose = find("jose");
    let jwt_decode = find("jwt-decode");
    let express_jwt = find("express-jwt");
    let express_session = find("express-session");
    let cookie_session = find("cookie-session");
    let fastify_jwt = find("@fastify/jwt");
    let fastify_jwt_old = find("fastify-jwt");
    let hono = find("hono/jwt");

    let mut out = Vec::new();
    walk(ctx.tree.root_node(), |cursor, _| {
        let call = cursor.node();
        if call.kind() != "call_expression" {
            return Step::Into;
        }
        let (Some(callee), Some(args)) = (
            call.child_by_field_name("function"),
            call.child_by_field_name("arguments"),
        ) else {
            return Step::Into;
        };
        if args.kind() != "arguments" {
            return Step::Into; // A tagged template.
        }
        // tree-sitter-typescript reads `await f<T>(x)` as a call of
        // `await f`.
        let callee = match callee.kind() {
            "await_expression" => callee.named_child(0).unwrap_or(callee),
            _ => callee,
        };
        let direct = |b: &ModuleBindings<'_>| {
            callee.kind() == "identifier" && b.modules.contains(&ctx.node_text(callee))
        };
        let api = match jsonwebtoken.export_called(ctx, callee) {
            Some("sign") => Some(Api::JwtSign),
            Some("verify") => Some(Api::JwtVerify),
            Some("decode") => Some(Api::JwtDecode),
            _ => None,
        }
        .or_else(|| match jose.export_called(ctx, callee) {
            Some("jwtVerify") => Some(Api::JoseVerify),
            Some("decodeJwt") => Some(Api::JoseDecode),
            _ => None,
        })
        .or_else(|| {
            (jwt_decode.export_called(ctx, callee) == Some("jwtDecode")
                || jwt_decode.export_called(ctx, callee) == Some("default")
                || direct(&jwt_decode))
            .then_some(Api::JwtDecodeLib)
        })
        .or_else(|| {
            (express_jwt.export_called(ctx, callee) == Some("expressjwt") || direct(&express_jwt))
                .then_some(Api::ExpressJwt)
        })
        .or_else(|| (direct(&express_session) || direct(&cookie_session)).then_some(Api::Session))
        .or_else(|| match hono.export_called(ctx, callee) {
            Some("jwt") => Some(Api::HonoJwt),
            Some("sign") => Some(Api::HonoSign),
            Some("verify") => Some(Api::HonoVerify),
            Some("decode") => Some(Api::HonoDecode),
            _ => None,
        })
        .or_else(|| {
            let list = arguments(args);
            (callee_name(ctx, callee) == Some("register")
                && list.first().is_some_and(|&plugin| {
                    is_module_ref(ctx, plugin, &fastify_jwt)
                        || is_module_ref(ctx, plugin, &fastify_jwt_old)
                }))
            .then_some(Api::FastifyJwt)
        })
        .or_else(|| is_sign_jwt_sign(ctx, callee, &jose).then_some(Api::JoseSign));
        if let Some(api) = api {
            out.push(ApiCall {
                api,
                call,
                callee,
                args: arguments(args),
            });
        }
        Step::Into
    });
    out
}

/// Whether `node` is the module itself: a name bound to it, or
/// `require('<module>')` / `import('<module>')`.
fn is_module_ref(ctx: &FileContext<'_>, node: Node<'_>, b: &ModuleBindings<'_>) -> bool {
    if b.module.is_empty() {
        return false;
    }
    let node = unwrap_expr(node);
    match node.kind() {
        "identifier" => b.modules.contains(&ctx.node_text(node)),
        "call_expression" | "await_expression" => {
            let text = ctx.node_text(node);
            (text.starts_with("require(") || text.contains("import("))
                && (text.contains(&format!("'{}'", b.module))
                    || text.contains(&format!("\"{}\"", b.module)))
        }
        _ => false,
    }
}

/// Whether `callee` is the `.sign` at the end of a `new SignJWT(...)…`
/// builder chain (jose).
fn is_sign_jwt_sign<'t>(
    ctx: &FileContext<'t>,
    callee: Node<'_>,
    jose: &ModuleBindings<'t>,
) -> bool {
    if jose.module.is_empty()
        || callee.kind() != "member_expression"
        || callee
            .child_by_field_name("property")
            .is_none_or(|p| ctx.node_text(p) != "sign")
    {
        return false;
    }
    // Down the chain: `.sign` ← call ← member ← … ← `new SignJWT(...)`.
    let mut node = callee.child_by_field_name("object");
    while let Some(n) = node {
        let n = unwrap_expr(n);
        node = match n.kind() {
            "call_expression" => n.child_by_field_name("function"),
            "member_expression" => n.child_by_field_name("object"),
            "new_expression" => {
                let Some(ctor) = n.child_by_field_name("constructor") else {
                    return false;
                };
                return match ctor.kind() {
                    "identifier" => jose.named.iter().any(|(imported, local)| {
                        *imported == "SignJWT" && *local == ctx.node_text(ctor)
                    }),
                    "member_expression" => jose.export_called(ctx, ctor) == Some("SignJWT"),
                    _ => false,
                };
            }
            _ => return false,
        };
    }
    false
}

/// The last name of a callee: `verify` for `jwt.verify` and for `verify`.
pub(crate) fn callee_name<'a>(ctx: &FileContext<'a>, callee: Node<'_>) -> Option<&'a str> {
    match callee.kind() {
        "identifier" => Some(ctx.node_text(callee)),
        "member_expression" => callee
            .child_by_field_name("property")
            .map(|p| ctx.node_text(p)),
        _ => None,
    }
}

/// `node` without the wrappers that do not change its value: parentheses,
/// `await`, and TypeScript's `as`, `satisfies`, `!` and `<T>x`.
pub(crate) fn unwrap_expr(mut node: Node<'_>) -> Node<'_> {
    for _ in 0..64 {
        let inner = match node.kind() {
            "parenthesized_expression" | "await_expression" | "non_null_expression" => {
                node.named_child(0)
            }
            "as_expression" | "satisfies_expression" => node.named_child(0),
            "type_assertion" => node.named_child(1),
            _ => None,
        };
        match inner {
            Some(n) if n.kind() != "comment" => node = n,
            _ => break,
        }
    }
    node
}

/// The text of a string literal, or of a template literal without
/// substitutions, without its quotes.
pub(crate) fn string_value<'a>(ctx: &FileContext<'a>, node: Node<'_>) -> Option<&'a str> {
    let text = ctx.node_text(node);
    match node.kind() {
        "string" if text.len() >= 2 => Some(&text[1..text.len() - 1]),
        "template_string" if text.len() >= 2 => {
            let mut cursor = node.walk();
            let has_substitution = node
                .named_children(&mut cursor)
                .any(|c| c.kind() == "template_substitution");
            (!has_substitution).then(|| &text[1..text.len() - 1])
        }
        _ => None,
    }
}

/// One declaration of a name: `const NAME = value`, `function NAME`, or a
/// parameter (which has no value and hides outer declarations).
#[derive(Clone, Debug)]
struct Declaration<'t> {
    /// The value; `None` for a parameter.
    value: Option<Node<'t>>,
    /// Where the declaration starts (0 for hoisted ones).
    at: usize,
}

/// A block (or function, for its parameters) that names are declared in.
#[derive(Clone, Debug)]
struct Scope {
    range: Range<usize>,
    /// The enclosing scope's index in [`Declarations::scopes`].
    parent: Option<usize>,
}

/// `NAME.prop = value` assignments, by name.
type MemberAssignments<'t> = HashMap<&'t str, Vec<(&'t str, Node<'t>)>>;

/// The file's declarations by name and scope: resolves a name used at some
/// place to the value declared for it there. Built with one walk; a lookup
/// costs a binary search and a climb through the enclosing scopes.
pub(crate) struct Declarations<'t> {
    /// Every scope, in document order of their starts (pre-order).
    scopes: Vec<Scope>,
    /// Declarations by (name, scope index).
    by_key: HashMap<(&'t str, usize), Vec<Declaration<'t>>>,
    members: MemberAssignments<'t>,
}

const SCOPES: &[&str] = &[
    "program",
    "statement_block",
    "switch_body",
    "class_body",
    "for_statement",
    "for_in_statement",
];

fn is_function(kind: &str) -> bool {
    matches!(
        kind,
        "arrow_function"
            | "function_expression"
            | "function"
            | "function_declaration"
            | "generator_function"
            | "generator_function_declaration"
            | "method_definition"
    )
}

impl<'t> Declarations<'t> {
    /// Collects every declaration of the file.
    pub(crate) fn build(ctx: &FileContext<'t>) -> Declarations<'t> {
        let mut scopes: Vec<Scope> = Vec::new();
        let mut by_key: HashMap<(&'t str, usize), Vec<Declaration<'t>>> = HashMap::new();
        let mut members: MemberAssignments<'t> = HashMap::new();
        // (depth, scope index) of the scopes around the current node;
        // functions count, for their parameters.
        let mut open: Vec<(u32, usize)> = Vec::new();
        // Depth of the `formal_parameters` being walked, if any.
        let mut params_depth: Option<u32> = None;
        walk(ctx.tree.root_node(), |cursor, depth| {
            while open.last().is_some_and(|(d, _)| *d >= depth) {
                open.pop();
            }
            if params_depth.is_some_and(|d| d >= depth) {
                params_depth = None;
            }
            let node = cursor.node();
            let kind = node.kind();
            let scope = open.last().map(|(_, i)| *i);
            let mut declare = |name: Node<'_>, value: Option<Node<'t>>, at: usize| {
                if let Some(scope) = scope {
                    by_key
                        .entry((ctx.node_text(name), scope))
                        .or_default()
                        .push(Declaration { value, at });
                }
            };
            match kind {
                "variable_declarator" => {
                    if let Some(name) = node.child_by_field_name("name") {
                        if name.kind() == "identifier" {
                            declare(name, node.child_by_field_name("value"), node.start_byte());
                        }
                    }
                }
                "function_declaration" | "generator_function_declaration" => {
                    if let Some(name) = node.child_by_field_name("name") {
                        declare(name, Some(node), 0); // Hoisted.
                    }
                }
                "assignment_expression" => {
                    if let (Some(left), Some(right)) = (
                        node.child_by_field_name("left"),
                        node.child_by_field_name("right"),
                    ) {
                        if left.kind() == "member_expression" {
                            if let (Some(obj), Some(prop)) = (
                                left.child_by_field_name("object"),
                                left.child_by_field_name("property"),
                            ) {
                                if obj.kind() == "identifier" {
                                    members
                                        .entry(ctx.node_text(obj))
                                        .or_default()
                                        .push((ctx.node_text(prop), right));
                                }
                            }
                        }
                    }
                }
                "formal_parameters" => params_depth = Some(depth),
                "identifier" | "shorthand_property_identifier_pattern"
                    if params_depth.is_some() || (cursor.field_name() == Some("parameter")) =>
                {
                    // A parameter (or a name in a parameter's pattern):
                    // hides outer declarations inside its function.
                    declare(node, None, 0);
                }
                _ => {}
            }
            if SCOPES.contains(&kind) || is_function(kind) {
                scopes.push(Scope {
                    range: node.byte_range(),
                    parent: scope,
                });
                open.push((depth, scopes.len() - 1));
            }
            Step::Into
        });
        Declarations {
            scopes,
            by_key,
            members,
        }
    }

    /// The value of `name` as seen at byte `at`: the declaration in the
    /// innermost scope around `at` (the last one before `at` when a scope
    /// has several). `None` when the name is a parameter there, or is not
    /// declared in the file.
    pub(crate) fn resolve(&self, name: &str, at: usize) -> Option<Node<'t>> {
        // The last scope starting at or before `at`; the innermost scope
        // that contains `at` is it or one of its ancestors.
        let mut i = self
            .scopes
            .partition_point(|s| s.range.start <= at)
            .checked_sub(1);
        while let Some(index) = i {
            let scope = &self.scopes[index];
            if scope.range.contains(&at) {
                if let Some(list) = self.by_key.get(&(name, index)) {
                    let chosen = list
                        .iter()
                        .rev()
                        .find(|d| d.at <= at)
                        .or_else(|| list.first())?;
                    return chosen.value;
                }
            }
            i = scope.parent;
        }
        None
    }

    /// Values assigned to `name.prop` anywhere in the file.
    pub(crate) fn member_assignments(&self, name: &str, prop: &str) -> Vec<Node<'t>> {
        self.members
            .get(name)
            .map(|list| {
                list.iter()
                    .filter(|(p, _)| *p == prop)
                    .map(|(_, v)| *v)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Follows identifiers (a few steps) to the value they hold; returns the
    /// last node reached and the variable name it came from, if any.
    pub(crate) fn follow(
        &self,
        ctx: &FileContext<'t>,
        node: Node<'t>,
    ) -> (Node<'t>, Option<&'t str>) {
        let mut node = unwrap_expr(node);
        let mut name = None;
        for _ in 0..4 {
            if node.kind() != "identifier" {
                break;
            }
            let n = ctx.node_text(node);
            match self.resolve(n, node.start_byte()) {
                Some(value) => {
                    name = Some(n);
                    node = unwrap_expr(value);
                }
                None => break,
            }
        }
        (node, name)
    }
}

/// What an options object says about one property.
#[derive(Clone, Debug)]
pub(crate) enum Property<'t> {
    /// The property is set: its key-value pair (or shorthand, or the
    /// assignment's value) and its value (`None` for a shorthand whose
    /// value is not resolved).
    Set {
        /// The `pair` (or shorthand identifier) node, for reporting and
        /// removal; for `opts.x = v` the value.
        member: Node<'t>,
        /// The value, followed through identifiers.
        value: Option<Node<'t>>,
    },
    /// The object is visible and does not set it.
    Absent {
        /// The object literal.
        object: Node<'t>,
    },
    /// Cannot tell: not an object literal, or a `...spread`.
    Unknown,
}

/// The value node of a member that [`property`] found: a pair's value, a
/// shorthand's identifier, an assigned value itself. Not followed.
pub(crate) fn pair_value(member: Node<'_>) -> Option<Node<'_>> {
    match member.kind() {
        "pair" => member.child_by_field_name("value"),
        _ => Some(member),
    }
}

/// Reads property `key` of the options expression `node` (an object
/// literal, or a name declared as one in the file, plus `name.key = v`
/// assignments).
pub(crate) fn property<'t>(
    ctx: &FileContext<'t>,
    decls: &Declarations<'t>,
    node: Node<'t>,
    key: &str,
) -> Property<'t> {
    let (object, name) = decls.follow(ctx, node);
    if object.kind() != "object" {
        return Property::Unknown;
    }
    if let Some(name) = name {
        if let Some(value) = decls.member_assignments(name, key).last() {
            return Property::Set {
                member: *value,
                value: Some(decls.follow(ctx, *value).0),
            };
        }
    }
    let mut cursor = object.walk();
    let mut result = Property::Absent { object };
    for member in object.named_children(&mut cursor) {
        match member.kind() {
            "spread_element" => result = Property::Unknown,
            "pair" if pair_key(ctx, member) == Some(key) => {
                let value = member
                    .child_by_field_name("value")
                    .map(|v| decls.follow(ctx, v).0);
                result = Property::Set { member, value };
            }
            "shorthand_property_identifier" if ctx.node_text(member) == key => {
                let value = decls.resolve(key, member.start_byte()).map(unwrap_expr);
                result = Property::Set { member, value };
            }
            _ => {}
        }
    }
    result
}

/// The edit range that removes one member of an object literal or element
/// of an array, with its separating comma and the whitespace before the
/// next member (or before the member, when it is the last one).
pub(crate) fn removal_range(ctx: &FileContext<'_>, member: Node<'_>) -> Range<usize> {
    let text = ctx.text.as_bytes();
    let mut end = member.end_byte();
    // Skip spaces, then a comma, then spaces/newline up to the next token.
    let mut i = end;
    while i < text.len() && (text[i] == b' ' || text[i] == b'\t') {
        i += 1;
    }
    if i < text.len() && text[i] == b',' {
        i += 1;
        end = i;
        // Whitespace up to (not including) the next token on this line, or
        // the whole line break if the member was on its own line.
        let mut j = end;
        while j < text.len() && (text[j] == b' ' || text[j] == b'\t') {
            j += 1;
        }
        let own_line = line_is_blank_before(ctx.text, member.start_byte());
        if own_line && j < text.len() && (text[j] == b'\n' || text[j] == b'\r') {
            // Remove the whole line: from its start to after its newline.
            let start = ctx.text[..member.start_byte()]
                .rfind('\n')
                .map_or(0, |p| p + 1);
            let mut k = j;
            if text[k] == b'\r' {
                k += 1;
            }
            if k < text.len() && text[k] == b'\n' {
                k += 1;
            }
            return start..k;
        }
        end = j;
        return member.start_byte()..end;
    }
    // The last member: remove the comma before it instead.
    let before = &ctx.text[..member.start_byte()];
    let trimmed = before.trim_end();
    if trimmed.ends_with(',') {
        let comma = trimmed.len() - 1;
        return comma..member.end_byte();
    }
    member.start_byte()..member.end_byte()
}

/// Whether only whitespace precedes `offset` on its line.
fn line_is_blank_before(text: &str, offset: usize) -> bool {
    let start = text[..offset].rfind('\n').map_or(0, |p| p + 1);
    text[start..offset].chars().all(|c| c == ' ' || c == '\t')
}

/// Test files (`*.test.*`, `*.spec.*`, files under `__tests__` or
/// `__mocks__`). They hold throwaway secrets, forge unsigned tokens and
/// stub handlers on purpose; `jwt/hardcoded-secret`, `jwt/none-algorithm`
/// (for signing) and `errors/leaked-env` skip them.
pub(crate) fn is_test_file(ctx: &FileContext<'_>) -> bool {
    let name = ctx.path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.contains(".test.")
        || name.contains(".spec.")
        || ctx
            .path
            .components()
            .any(|c| matches!(c.as_os_str().to_str(), Some("__tests__" | "__mocks__")))
}

/// Whether the file is evidently browser code: a `'use client'` directive,
/// React hooks or a UI framework imported, or browser storage used.
pub(crate) fn is_client_code(ctx: &FileContext<'_>) -> bool {
    let head = ctx.text.trim_start();
    if head.starts_with("'use client'") || head.starts_with("\"use client\"") {
        return true;
    }
    if ["localStorage", "sessionStorage", "document.cookie"]
        .iter()
        .any(|s| ctx.text.contains(s))
    {
        return true;
    }
    for module in ["react-native", "vue", "svelte", "@angular/core"] {
        if !ModuleBindings::find(ctx, module).named.is_empty()
            || !ModuleBindings::find(ctx, module).modules.is_empty()
        {
            return true;
        }
    }
    ctx.text.contains("react")
        && ModuleBindings::find(ctx, "react")
            .named
            .iter()
            .any(|(imported, _)| {
                imported.starts_with("use")
                    && imported[3..].starts_with(|c: char| c.is_ascii_uppercase())
            })
}

/// The words of an identifier, lower-cased: `publicKeyPem` and
/// `PUBLIC_KEY_PEM` both give `public`, `key`, `pem`.
pub(crate) fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Why a key is evidently public (or a key set), so that HS256 signed with
/// it could be accepted by a verifier that lets the token pick the
/// algorithm.
pub(crate) fn public_key_evidence(
    ctx: &FileContext<'_>,
    decls: &Declarations<'_>,
    key: Node<'_>,
) -> Option<&'static str> {
    let mut node = unwrap_expr(key);
    for _ in 0..4 {
        match node.kind() {
            "identifier" | "member_expression" => {
                if let Some(why) = public_name(ctx.node_text(node)) {
                    return Some(why);
                }
                if node.kind() == "identifier" {
                    if let Some(value) = decls.resolve(ctx.node_text(node), node.start_byte()) {
                        node = unwrap_expr(value);
                        continue;
                    }
                }
                return None;
            }
            "string" | "template_string" => {
                let text = ctx.node_text(node);
                return (text.contains("BEGIN PUBLIC KEY")
                    || text.contains("BEGIN RSA PUBLIC KEY")
                    || text.contains("BEGIN CERTIFICATE"))
                .then_some("a PEM public key");
            }
            "call_expression" => {
                let callee = node.child_by_field_name("function")?;
                return match callee_name(ctx, callee)? {
                    "createRemoteJWKSet" | "createLocalJWKSet" => Some("a JWKS"),
                    "expressJwtSecret" | "passportJwtSecret" | "koaJwtSecret" => {
                        Some("a JWKS (jwks-rsa)")
                    }
                    "readFileSync" | "readFile" => {
                        let args = node.child_by_field_name("arguments")?;
                        let t = ctx.node_text(args).to_ascii_lowercase();
                        (t.contains("public") || t.contains(".crt") || t.contains("cert"))
                            .then_some("a public key file")
                    }
                    "getPublicKey" => Some("a public key"),
                    _ => None,
                };
            }
            k if is_function(k) => {
                let t = ctx.node_text(node);
                return (t.contains("getSigningKey")
                    || t.contains("getPublicKey")
                    || t.contains("publicKey")
                    || t.contains("jwksClient"))
                .then_some("a key fetched from a JWKS");
            }
            _ => return None,
        }
    }
    None
}

/// A name that says "public key": publicKey, PUBLIC_KEY, pubKey, cert.
fn public_name(text: &str) -> Option<&'static str> {
    let last = text.rsplit('.').next().unwrap_or(text);
    let w = words(last);
    let has = |s: &str| w.iter().any(|x| x == s);
    if has("public") || (has("pub") && has("key")) || has("pubkey") || has("publickey") {
        Some("a public key")
    } else if has("cert") || has("certificate") {
        Some("a certificate")
    } else if has("jwks") {
        Some("a JWKS")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::with_file;
    use crate::language::Language;

    #[test]
    fn words_split_camel_and_snake_case() {
        assert_eq!(words("publicKeyPem"), ["public", "key", "pem"]);
        assert_eq!(words("PUBLIC_KEY"), ["public", "key"]);
        assert_eq!(words("pubKey"), ["pub", "key"]);
    }

    #[test]
    fn resolve_prefers_the_innermost_scope_and_respects_parameters() {
        let src = "const s = 'outer';\nfunction f(s) { use(s); }\nfunction g() { const s = 'inner'; use(s); }\nuse(s);\n";
        with_file("a.ts", src, Language::TypeScript, |ctx| {
            let d = Declarations::build(ctx);
            let at = |needle: &str| src.find(needle).unwrap();
            assert!(d.resolve("s", at("use(s); }\nfunction g")).is_none());
            let inner = d.resolve("s", at("use(s); }\nuse")).unwrap();
            assert_eq!(ctx.node_text(inner), "'inner'");
            let outer = d.resolve("s", src.rfind("use(s)").unwrap()).unwrap();
            assert_eq!(ctx.node_text(outer), "'outer'");
        });
    }

    #[test]
    fn removal_range_takes_the_comma_along() {
        let src = "f({ a: 1, b: 2 });\nf({ a: 1 });\nf({\n  a: 1,\n  b: 2,\n});\n";
        with_file("a.js", src, Language::JavaScript, |ctx| {
            let mut pairs = Vec::new();
            crate::analysis::util::for_each_node_of_kind(ctx.tree.root_node(), &["pair"], |p| {
                pairs.push(p)
            });
            let cut = |i: usize| {
                let r = removal_range(ctx, pairs[i]);
                format!("{}{}", &src[..r.start], &src[r.end..])
            };
            assert!(cut(0).starts_with("f({ b: 2 });"));
            assert!(cut(1).starts_with("f({ a: 1 });\nf({ a: 1 });"));
            assert!(cut(3).contains("f({\n  b: 2,\n});"));
            assert!(cut(4).contains("f({\n  a: 1,\n});"));
        });
    }
}

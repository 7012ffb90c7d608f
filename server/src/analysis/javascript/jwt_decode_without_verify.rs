//! `jwt/decode-without-verify`: the claims of a token that was only
//! decoded, never verified, used to decide who the caller is or what they
//! may do.

use std::collections::HashMap;

use tree_sitter::Node;

use crate::analysis::javascript::jwt_common::{
    api_calls, callee_name, is_client_code, string_value, unwrap_expr, words, Api, ApiCall,
};
use crate::analysis::rule::{Rule, Severity, JS_FAMILY};
use crate::analysis::util::{ancestors, walk, Step};
use crate::analysis::{FileContext, Finding, Related};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "jwt/decode-without-verify",
    default_severity: Severity::Warning,
    summary: "The claims of a JWT that was decoded but never verified decide who the caller is or what they may do.",
    docs: r#"
## What it does
Finds a token decoded without checking its signature, by jsonwebtoken's
`jwt.decode(...)`, jose's `decodeJwt(...)`, jwt-decode's `jwtDecode(...)`
(or its v3 default export) or hono's `decode(...)`, whose result is then used
for an authorization decision or as the caller's identity, in the same
function:

- assigned to the request, response or session as the user:
  `req.user = decoded`, `res.locals.userId = decoded.sub`,
  `req.session.user = ...`, `c.set('user', decoded)`;
- an identity or permission claim (`role`, `roles`, `isAdmin`, `sub`,
  `userId`, `id`, `email`, `permissions`, `scope`, `groups`, ...) compared
  (`decoded.role === 'admin'`), tested in a condition
  (`if (decoded.isAdmin)`, `switch (decoded.role)`), checked for membership
  (`decoded.permissions.includes('write')`) or used to look a record up
  (`User.findById(decoded.id)`);
- the decoded token itself tested in a condition of a middleware that calls
  `next()` (`if (!decoded) return res.sendStatus(401); next();`);
- returned from a function whose name says it produces the caller
  (`getUser`, `currentUser`, `authenticate`, `getSession`, ...).

Reported at the decode call, with the place where the claims are used as
related information. Destructured claims (`const { role } = jwt.decode(t)`)
and one level of aliases (`const user = decoded.user`) are followed.

Judgement calls, to keep the rule quiet where decoding is fine:

- decoding in browser code is not reported: a file with `'use client'`,
  React hooks, a UI framework import, or `localStorage` / `sessionStorage` /
  `document.cookie`, or a file under a `frontend`, `client`, `components`,
  `hooks` or `contexts` folder. The browser reads claims to show a name or
  schedule a refresh; the server must enforce access anyway. Next.js server
  files in such folders (`middleware`, `proxy`, `route`, anything under
  `api/`, `'use server'` modules) are still checked: they run on the server
  and their decisions are the access control;
- a condition on the decoded token itself (`if (!decoded)`) counts only in a
  middleware (a function that calls `next`) and only when a branch returns,
  throws, responds or calls `next`: `if (decoded) req.theme = ...` merely
  guards against a missing token;
- reading only `exp`, `iat`, `nbf` or the header (`kid`, `alg`) is not a
  decision about the caller (checking expiry to refresh, picking a key);
- a function that also verifies a token (any call whose name contains
  `verify`: `jwt.verify`, `jwtVerify`, `verifyIdToken`, a project's own
  `verifyToken`), before or after the decode, or a decode inside the
  callback of such a call, is not reported: decoding to pick the key by
  `kid`, or to read claims of a token verified there, is the usual pattern;
- the decoded value passed to a function of the project is not followed
  (a `decodeToken(t)` helper is judged where its result is used only if it
  is one of the libraries' decode calls).

## Why is this bad?
Decoding a JWT only base64-decodes it: anyone can write a token whose
payload says `"sub": "<another user>"` or `"role": "admin"`, and it decodes
just as well as a genuine one. Trusting those claims lets an attacker act as
any user or grant themselves any role (CWE-347, CWE-345). It often comes from
a function that verifies tokens elsewhere, or from an expiry check that grew
into an auth check.

## How to fix
Verify the token and use the verified claims:
`const claims = jwt.verify(token, secret, { algorithms: ['HS256'] })`, or
with jose `const { payload } = await jwtVerify(token, key, { algorithms })`.
There is no automatic fix: the key and algorithm to verify with are the
project's.

## Example
```ts
import jwt from 'jsonwebtoken';

export function requireAdmin(req, res, next) {
  const token = req.headers.authorization?.slice(7) ?? '';
  // Reported: the role comes from a token nobody checked.
  const claims = jwt.decode(token) as { role?: string } | null;
  if (claims?.role !== 'admin') return res.sendStatus(403);
  next();
}

export function requireAdmin2(req, res, next) {
  const token = req.headers.authorization?.slice(7) ?? '';
  // Fixed:
  const claims = jwt.verify(token, process.env.JWT_SECRET!, { algorithms: ['HS256'] }) as { role?: string };
  if (claims.role !== 'admin') return res.sendStatus(403);
  next();
}
```

## References
- CWE-347: Improper Verification of Cryptographic Signature
- CWE-345: Insufficient Verification of Data Authenticity
- jsonwebtoken README: "Warning: This will not verify whether the signature is valid"
- OWASP Web Security Testing Guide: Testing JSON Web Tokens
"#,
    languages: JS_FAMILY,
    check: Some(check),
};

/// Claims that identify the caller or say what they may do.
const IDENTITY: &[&str] = &[
    "role",
    "roles",
    "role_id",
    "roleid",
    "isadmin",
    "is_admin",
    "admin",
    "sub",
    "userid",
    "user_id",
    "uid",
    "id",
    "_id",
    "email",
    "permissions",
    "permission",
    "scope",
    "scopes",
    "groups",
    "group",
    "user",
    "username",
    "tenantid",
    "tenant_id",
    "orgid",
    "org_id",
    "accountid",
    "account_id",
];

/// Claims that only say when a token is valid, or how it is signed.
const TIMING: &[&str] = &["exp", "iat", "nbf", "header", "alg", "kid", "typ"];

/// Methods that test membership.
const MEMBERSHIP: &[&str] = &["includes", "indexOf", "some", "every", "has", "find"];

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    let calls = api_calls(ctx);
    let decodes: Vec<&ApiCall<'_>> = calls
        .iter()
        .filter(|c| {
            matches!(
                c.api,
                Api::JwtDecode | Api::JoseDecode | Api::JwtDecodeLib | Api::HonoDecode
            )
        })
        .collect();
    if decodes.is_empty() || is_client_code(ctx) || is_client_path(ctx) {
        return Vec::new();
    }
    let root = ctx.tree.root_node();
    // Decode calls by the innermost function around them (the program for
    // top-level code), with that function's name.
    let mut groups: Vec<(Node<'_>, Option<&str>, Vec<&ApiCall<'_>>)> = Vec::new();
    let mut group_of: HashMap<usize, usize> = HashMap::new();
    for &d in &decodes {
        let path = ancestors(root, d.call);
        if path.iter().any(|a| is_verify_call(ctx, *a)) {
            continue; // Decoded inside a verify call's callback.
        }
        let at = path.iter().rposition(|n| is_function(n.kind()));
        let (scope, name) = match at {
            Some(i) => (
                path[i],
                function_name(ctx, path[i], i.checked_sub(1).map(|p| path[p])),
            ),
            None => (root, None),
        };
        match group_of.get(&scope.id()) {
            Some(&g) => groups[g].2.push(d),
            None => {
                group_of.insert(scope.id(), groups.len());
                groups.push((scope, name, vec![d]));
            }
        }
    }
    let mut findings = Vec::new();
    for (scope, name, decodes) in groups {
        findings.extend(analyze_scope(ctx, scope, name, &decodes));
    }
    findings
}

/// Whether `node` is a call whose function's name contains "verify".
fn is_verify_call(ctx: &FileContext<'_>, node: Node<'_>) -> bool {
    node.kind() == "call_expression"
        && node
            .child_by_field_name("function")
            .and_then(|f| callee_name(ctx, f))
            .is_some_and(|n| n.to_ascii_lowercase().contains("verify"))
}

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

/// A function's name: its own, or the name it is assigned to.
fn function_name<'a>(
    ctx: &FileContext<'a>,
    function: Node<'_>,
    parent: Option<Node<'_>>,
) -> Option<&'a str> {
    if let Some(name) = function.child_by_field_name("name") {
        return Some(ctx.node_text(name));
    }
    let parent = parent?;
    let name = match parent.kind() {
        "variable_declarator" | "public_field_definition" => parent.child_by_field_name("name"),
        "pair" => parent.child_by_field_name("key"),
        "assignment_expression" => {
            let left = parent.child_by_field_name("left")?;
            if left.kind() == "member_expression" {
                left.child_by_field_name("property")
            } else {
                Some(left)
            }
        }
        _ => None,
    }?;
    Some(ctx.node_text(name))
}

/// Whether a function's name says it produces the caller's identity.
fn is_identity_function(name: &str) -> bool {
    words(name).iter().any(|w| {
        matches!(
            w.as_str(),
            "user"
                | "users"
                | "authenticate"
                | "authenticated"
                | "auth"
                | "session"
                | "identity"
                | "principal"
                | "whoami"
                | "caller"
                | "viewer"
                | "account"
                | "claims"
        )
    })
}

/// Whether an assignment target stores the caller's identity on the
/// request, response or session.
fn is_identity_target(ctx: &FileContext<'_>, left: Node<'_>) -> bool {
    if left.kind() != "member_expression" && left.kind() != "subscript_expression" {
        return false;
    }
    let text = ctx.node_text(left);
    let root = text
        .split(['.', '['])
        .next()
        .unwrap_or("")
        .trim_start_matches('(');
    let on_request = matches!(
        root,
        "req"
            | "request"
            | "res"
            | "response"
            | "ctx"
            | "context"
            | "c"
            | "session"
            | "event"
            | "locals"
            | "this"
    ) || text.contains("session");
    on_request && is_identity_word_in(&text[root.len()..])
}

fn is_identity_word_in(text: &str) -> bool {
    words(text).iter().any(|w| {
        matches!(
            w.as_str(),
            "user"
                | "userid"
                | "uid"
                | "session"
                | "auth"
                | "identity"
                | "account"
                | "claims"
                | "role"
                | "roles"
                | "admin"
                | "permissions"
                | "principal"
                | "decoded"
                | "payload"
                | "jwt"
                | "group"
                | "tenant"
                | "org"
        )
    })
}

/// How decoded claims are used, for the messages.
struct Use<'t> {
    site: Node<'t>,
    what: String,
}

/// One frame of the walk: a node, the field it fills in its parent, and
/// the name of the function it is (if it is one).
struct Frame<'t> {
    node: Node<'t>,
    field: Option<&'t str>,
    fname: Option<&'t str>,
}

/// Walks one function (or the program) that holds decode calls, tracking
/// the names their results are bound to, and finds the first use of each
/// as a decision.
fn analyze_scope<'t>(
    ctx: &FileContext<'t>,
    scope: Node<'t>,
    scope_name: Option<&'t str>,
    decodes: &[&ApiCall<'t>],
) -> Vec<Finding> {
    let index: HashMap<usize, usize> = decodes
        .iter()
        .enumerate()
        .map(|(i, d)| (d.call.id(), i))
        .collect();
    // Name -> (decode index, claims path of the value it holds).
    let mut tracked: HashMap<&'t str, (usize, Vec<&'t str>)> = HashMap::new();
    let mut uses: Vec<Option<Use<'t>>> = decodes.iter().map(|_| None).collect();
    let mut verified = false;
    let text = ctx.node_text(scope);
    let middleware = text.contains("next(") || text.contains("next ()");
    let mut stack: Vec<Frame<'t>> = Vec::new();

    walk(scope, |cursor, depth| {
        stack.truncate(depth as usize);
        let node = cursor.node();
        let kind = node.kind();
        let fname = if depth == 0 {
            scope_name
        } else if is_function(kind) {
            function_name(ctx, node, stack.last().map(|f| f.node))
        } else {
            None
        };
        stack.push(Frame {
            node,
            field: cursor.field_name(),
            fname,
        });
        if node.kind() == "call_expression" && is_verify_call(ctx, node) {
            verified = true;
            return Step::Stop;
        }
        // Bindings of decoded values.
        match kind {
            "variable_declarator" => {
                if let (Some(name), Some(value)) = (
                    node.child_by_field_name("name"),
                    node.child_by_field_name("value"),
                ) {
                    if let Some((i, path)) = root_of(ctx, &index, &tracked, value) {
                        bind(ctx, &mut tracked, name, i, path);
                    }
                }
            }
            "assignment_expression" => {
                if let (Some(left), Some(right)) = (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                ) {
                    if left.kind() == "identifier" {
                        if let Some((i, path)) = root_of(ctx, &index, &tracked, right) {
                            bind(ctx, &mut tracked, left, i, path);
                        }
                    }
                }
            }
            _ => {}
        }
        // Uses: the top of a member chain (or a bare name / call).
        if !matches!(
            kind,
            "identifier"
                | "shorthand_property_identifier"
                | "member_expression"
                | "subscript_expression"
                | "call_expression"
        ) {
            return Step::Into;
        }
        let parent_kind = depth.checked_sub(1).map(|p| stack[p as usize].node.kind());
        let field = cursor.field_name();
        if field == Some("object")
            && matches!(
                parent_kind,
                Some("member_expression" | "subscript_expression")
            )
        {
            return Step::Into;
        }
        if field == Some("name")
            || (field == Some("left")
                && matches!(
                    parent_kind,
                    Some("assignment_expression" | "augmented_assignment_expression")
                ))
        {
            return Step::Into;
        }
        let Some((i, path)) = root_of(ctx, &index, &tracked, node) else {
            return Step::Into;
        };
        if uses[i].is_some() {
            return Step::Into;
        }
        if let Some(u) = decision(ctx, &stack, &path, middleware) {
            uses[i] = Some(u);
        }
        Step::Into
    });
    if verified {
        return Vec::new();
    }
    let mut findings = Vec::new();
    for (d, u) in decodes.iter().zip(uses) {
        let Some(u) = u else { continue };
        let callee = ctx.node_text(d.callee);
        let mut f = Finding::new(
            &RULE,
            d.call.byte_range(),
            format!(
                "{callee}() only decodes the token, it does not check its signature, yet its claims are {}: anyone can write a token with any `sub` or `role`. Verify the token (jwt.verify / jwtVerify with pinned algorithms) and use the verified claims.",
                u.what
            ),
        );
        if u.site.start_byte() != d.call.start_byte() {
            f.related.push(Related {
                path: None,
                range: u.site.byte_range(),
                message: format!("the unverified claims are {} here", u.what),
            });
        }
        findings.push(f);
    }
    findings
}

/// Records that `pattern` (a name or a destructuring pattern) holds the
/// claims at `path` of decode `i`.
fn bind<'t>(
    ctx: &FileContext<'t>,
    tracked: &mut HashMap<&'t str, (usize, Vec<&'t str>)>,
    pattern: Node<'t>,
    i: usize,
    path: Vec<&'t str>,
) {
    match pattern.kind() {
        "identifier" => {
            tracked.insert(ctx.node_text(pattern), (i, path));
        }
        "object_pattern" => {
            let mut cursor = pattern.walk();
            for p in pattern.named_children(&mut cursor) {
                match p.kind() {
                    "shorthand_property_identifier_pattern" => {
                        let name = ctx.node_text(p);
                        let mut sub = path.clone();
                        sub.push(name);
                        tracked.insert(name, (i, sub));
                    }
                    "pair_pattern" => {
                        if let (Some(k), Some(v)) =
                            (p.child_by_field_name("key"), p.child_by_field_name("value"))
                        {
                            let mut sub = path.clone();
                            sub.push(ctx.node_text(k));
                            bind(ctx, tracked, v, i, sub);
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

/// If `node` is (a member of) a decoded value, the decode's index and the
/// claims path: `decoded.payload.role` gives `["payload", "role"]`.
fn root_of<'t>(
    ctx: &FileContext<'t>,
    index: &HashMap<usize, usize>,
    tracked: &HashMap<&'t str, (usize, Vec<&'t str>)>,
    node: Node<'t>,
) -> Option<(usize, Vec<&'t str>)> {
    let mut node = unwrap_expr(node);
    let mut props: Vec<&'t str> = Vec::new();
    for _ in 0..32 {
        match node.kind() {
            "member_expression" => {
                props.push(ctx.node_text(node.child_by_field_name("property")?));
                node = unwrap_expr(node.child_by_field_name("object")?);
            }
            "subscript_expression" => {
                let i = node.child_by_field_name("index")?;
                props.push(string_value(ctx, i)?);
                node = unwrap_expr(node.child_by_field_name("object")?);
            }
            "binary_expression"
                if node
                    .child_by_field_name("operator")
                    .is_some_and(|o| matches!(ctx.node_text(o), "||" | "??")) =>
            {
                // `jwt.decode(t) || {}`
                node = unwrap_expr(node.child_by_field_name("left")?);
            }
            "call_expression" => {
                let &i = index.get(&node.id())?;
                props.reverse();
                return Some((i, props));
            }
            "identifier" | "shorthand_property_identifier" => {
                let (i, base) = tracked.get(ctx.node_text(node))?;
                props.reverse();
                let mut path = base.clone();
                path.extend(props);
                return Some((*i, path));
            }
            _ => return None,
        }
    }
    None
}

fn is_identity_path(path: &[&str]) -> bool {
    path.iter()
        .any(|p| IDENTITY.contains(&p.to_ascii_lowercase().as_str()))
}

fn is_timing_path(path: &[&str]) -> bool {
    path.iter().any(|p| TIMING.contains(p))
}

/// Whether the use at the top of `stack` (a decoded value with claims
/// `path`) decides who the caller is or what they may do; climbs at most a
/// dozen frames.
fn decision<'t>(
    ctx: &FileContext<'t>,
    stack: &[Frame<'t>],
    path: &[&str],
    middleware: bool,
) -> Option<Use<'t>> {
    let identity = is_identity_path(path) && !is_timing_path(path);
    let bare = path.iter().all(|p| *p == "payload");
    let d = stack.len() - 1;
    let this = &stack[d];
    // `decoded.permissions.includes('x')`: the chain is a call's function.
    if this.field == Some("function") && d > 0 {
        if let Some((last, rest)) = path.split_last() {
            if MEMBERSHIP.contains(last) && is_identity_path(rest) && !is_timing_path(rest) {
                return Some(Use {
                    site: stack[d - 1].node,
                    what: format!("checked (`{}`)", short(ctx.node_text(stack[d - 1].node))),
                });
            }
        }
    }
    for k in (d.saturating_sub(12)..d).rev() {
        let frame = &stack[k];
        let via = stack[k + 1].field;
        let node = frame.node;
        match node.kind() {
            "binary_expression" => {
                let op = node
                    .child_by_field_name("operator")
                    .map_or("", |o| ctx.node_text(o));
                if matches!(op, "===" | "==" | "!==" | "!=") && identity {
                    return Some(Use {
                        site: node,
                        what: format!("compared (`{}`)", short(ctx.node_text(node))),
                    });
                }
            }
            "unary_expression"
            | "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression"
            | "await_expression"
            | "pair"
            | "object"
            | "array"
            | "spread_element"
            | "arguments" => {}
            "call_expression" if via == Some("arguments") => {
                let name = node
                    .child_by_field_name("function")
                    .and_then(|f| callee_name(ctx, f))
                    .unwrap_or("");
                let lower = name.to_ascii_lowercase();
                if identity && MEMBERSHIP.contains(&name) {
                    return Some(Use {
                        site: node,
                        what: format!("checked (`{}`)", short(ctx.node_text(node))),
                    });
                }
                if identity
                    && (lower == "eq"
                        || [
                            "find", "get", "load", "fetch", "query", "select", "where", "lookup",
                        ]
                        .iter()
                        .any(|p| lower.starts_with(p)))
                {
                    return Some(Use {
                        site: node,
                        what: format!(
                            "used to look up the caller (`{}`)",
                            short(ctx.node_text(node))
                        ),
                    });
                }
                // A predicate of the caller's rights: `isAdmin(role)`,
                // `hasRole(claims, 'x')`; judged by where its result goes.
                if identity
                    && [
                        "is",
                        "has",
                        "can",
                        "check",
                        "authorize",
                        "allow",
                        "ensure",
                        "require",
                    ]
                    .iter()
                    .any(|p| lower.starts_with(p))
                {
                    continue;
                }
                if name == "set" && !is_timing_path(path) {
                    let first = node
                        .child_by_field_name("arguments")
                        .and_then(|a| a.named_child(0))
                        .and_then(|a| string_value(ctx, a));
                    if first.is_some_and(is_identity_word_in) {
                        return Some(Use {
                            site: node,
                            what: format!(
                                "stored on the request as the caller's identity (`{}`)",
                                short(ctx.node_text(node))
                            ),
                        });
                    }
                }
                return None;
            }
            "if_statement" | "while_statement" | "do_statement" | "ternary_expression"
                if via == Some("condition") =>
            {
                if identity || (bare && middleware && gates(ctx, node)) {
                    return Some(Use {
                        site: stack[k + 1].node,
                        what: format!(
                            "tested to decide access (`{}`)",
                            short(ctx.node_text(stack[k + 1].node))
                        ),
                    });
                }
                return None;
            }
            "switch_statement" if via == Some("value") => {
                return identity.then(|| Use {
                    site: stack[k + 1].node,
                    what: format!(
                        "tested to decide access (`switch {}`)",
                        short(ctx.node_text(stack[k + 1].node))
                    ),
                });
            }
            "assignment_expression" if via == Some("right") => {
                let left = node.child_by_field_name("left")?;
                let names_identity = identity
                    && words(ctx.node_text(left))
                        .last()
                        .is_some_and(|w| IDENTITY.contains(&w.as_str()));
                if !is_timing_path(path) && (is_identity_target(ctx, left) || names_identity) {
                    return Some(Use {
                        site: node,
                        what: format!(
                            "stored on the request as the caller's identity (`{}`)",
                            short(ctx.node_text(left))
                        ),
                    });
                }
                return None;
            }
            "return_statement" => {
                let name = stack[..k]
                    .iter()
                    .rev()
                    .find(|f| is_function(f.node.kind()) || f.fname.is_some())
                    .and_then(|f| f.fname)?;
                return (is_identity_function(name) && !is_timing_path(path)).then(|| Use {
                    site: node,
                    what: format!("returned as the caller from {name}()"),
                });
            }
            "arrow_function" if via == Some("body") => {
                let name = frame.fname?;
                return (is_identity_function(name) && !is_timing_path(path)).then(|| Use {
                    site: stack[k + 1].node,
                    what: format!("returned as the caller from {name}()"),
                });
            }
            _ => return None,
        }
    }
    None
}

/// Whether a conditional statement decides whether the request goes on:
/// one of its branches returns, throws, responds or calls `next`.
fn gates(ctx: &FileContext<'_>, statement: Node<'_>) -> bool {
    if statement.kind() == "ternary_expression" {
        return false;
    }
    let branches = ["consequence", "alternative", "body"]
        .iter()
        .filter_map(|f| statement.child_by_field_name(f))
        .map(|b| ctx.node_text(b));
    let mut any = false;
    for text in branches {
        any |= [
            "return",
            "throw",
            "next(",
            ".status(",
            "sendStatus",
            "redirect",
            "401",
            "403",
        ]
        .iter()
        .any(|k| text.contains(k));
    }
    any
}

/// Whether the file is browser code by where it lives: under a `frontend`
/// or `client` folder, or a React `components` / `hooks` / `contexts`
/// folder, unless it is one of Next.js's server files (`middleware`,
/// `route`, anything under an `api` folder) or declares `'use server'`.
fn is_client_path(ctx: &FileContext<'_>) -> bool {
    let parts: Vec<&str> = ctx
        .path
        .components()
        .filter_map(|c| c.as_os_str().to_str())
        .collect();
    let stem = ctx.path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let server_file = matches!(stem, "middleware" | "route" | "proxy")
        || parts.contains(&"api")
        || ctx.text.contains("'use server'")
        || ctx.text.contains("\"use server\"");
    !server_file
        && parts.iter().any(|p| {
            matches!(
                *p,
                "frontend" | "client" | "components" | "hooks" | "contexts"
            )
        })
}

/// An expression's text, shortened for a message.
fn short(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 60 {
        format!("{}…", one_line.chars().take(57).collect::<String>())
    } else {
        one_line
    }
}

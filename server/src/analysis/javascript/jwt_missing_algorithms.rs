//! `jwt/missing-algorithms`: jsonwebtoken's `verify` without pinned
//! `algorithms`.

use tree_sitter::Node;

use crate::analysis::javascript::{arguments, for_each_call, pair_key, ModuleBindings};
use crate::analysis::rule::{Rule, Severity, JS_FAMILY};
use crate::analysis::util::{for_each_node_of_kind, line_indent};
use crate::analysis::{FileContext, Finding};
use crate::fix::{Applicability, Edit, Fix};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "jwt/missing-algorithms",
    default_severity: Severity::Warning,
    summary: "jsonwebtoken's verify() is called without an options object that pins `algorithms`.",
    docs: r#"
## What it does
Finds calls to `verify` from the `jsonwebtoken` package whose options do not
name the accepted `algorithms`, whatever the import style: a default import
(`import jwt from 'jsonwebtoken'`), a namespace import (`import * as jwt`),
`require`, `import jwt = require(...)`, or a destructured / renamed `verify`.

Reported on the whole `verify(...)` call. A call whose options are not visible
in the file (an options variable that cannot be resolved, an object with a
`...spread`) is not reported, to avoid guessing.

## Why is this bad?
Without `algorithms`, the token's own header chooses how it is checked. Before
jsonwebtoken 9, a token signed with HS256 using the server's RSA *public* key
as the HMAC secret verified as genuine (algorithm confusion, CVE-2022-23541),
and a falsy secret accepted unsigned `alg: none` tokens (CVE-2022-23540). Even
on current versions, key-lookup callbacks and shared code paths leave the
choice to the attacker. Pinning the algorithm your issuer uses closes the
whole class (CWE-347, CWE-327).

## How to fix
Pass the algorithm your tokens are signed with:
`jwt.verify(token, secret, { algorithms: ['HS256'] })`. The quick fix adds
`algorithms` (merging it into an existing options object). When the same file
signs tokens with the same key, the fix pins the algorithm used there and is
marked safe; otherwise it guesses `HS256` (or `RS256` for a key that looks
public or is fetched by a callback) and is marked unsafe: check it against your
issuer.

## Example
```ts
import jwt from 'jsonwebtoken';
// Reported:
const claims = jwt.verify(token, process.env.JWT_SECRET!);
// Fixed:
const claims2 = jwt.verify(token, process.env.JWT_SECRET!, { algorithms: ['HS256'] });
```

## References
- CWE-347: Improper Verification of Cryptographic Signature
- CWE-327: Use of a Broken or Risky Cryptographic Algorithm
- CVE-2022-23540, CVE-2022-23541 (jsonwebtoken)
- RFC 8725: JSON Web Token Best Current Practices, section 3.1
"#,
    languages: JS_FAMILY,
    check: Some(check),
};

const MODULE: &str = "jsonwebtoken";

/// What the third argument of a `verify` call says about `algorithms`.
enum Options<'t> {
    /// `algorithms` is given, or we cannot see (spread, unresolved variable).
    PinnedOrUnknown,
    /// No options argument at all; insert after this node (the key argument).
    Missing { after: Node<'t> },
    /// A callback where the options would be; insert before it.
    CallbackInstead { callback: Node<'t> },
    /// An object literal without `algorithms`, possibly elsewhere in the file
    /// (a resolved `const opts = {...}`).
    ObjectWithout { object: Node<'t> },
    /// `undefined` or `null` where the options go; replace it.
    Placeholder { node: Node<'t> },
}

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    // Most files never mention the module: skip their trees entirely.
    if !ctx.text.contains(MODULE) {
        return Vec::new();
    }
    let bindings = ModuleBindings::find(ctx, MODULE);
    let mut verifies = Vec::new();
    let mut signs = Vec::new();
    for_each_call(ctx, |call, callee, args| {
        match bindings.export_called(ctx, callee) {
            Some("verify") => verifies.push((call, callee, args)),
            Some("sign") => signs.push(args),
            _ => {}
        }
    });
    if verifies.is_empty() {
        return Vec::new();
    }
    let mut declarations = Declarations::default();
    let signed_with = signing_algorithm(ctx, &signs);

    let mut findings = Vec::new();
    for (call, callee, args) in verifies {
        let args_list = arguments(args);
        if args_list.len() < 2 {
            continue; // Incomplete code, or not the API we know.
        }
        let key = args_list[1];
        let options = classify_options(ctx, &args_list, &mut declarations);
        if matches!(options, Options::PinnedOrUnknown) {
            continue;
        }
        let key_text = ctx.node_text(key);
        let (algorithm, applicability) = match signed_with {
            Some((alg, ref sign_key)) if sign_key == key_text => (alg, Applicability::Safe),
            _ => (guess_algorithm(ctx, key), Applicability::Unsafe),
        };
        let callee_text = match ctx.node_text(callee) {
            t if t.ends_with("verify") => format!("{t}()"),
            t => format!("{t}() (jsonwebtoken's verify)"),
        };
        let message = format!(
            "{callee_text} is called without pinning `algorithms`: the token's header chooses how it is verified, which opens the door to algorithm-confusion and `none` attacks. Pass {{ algorithms: ['{algorithm}'] }} (the algorithm your issuer signs with)."
        );
        let mut finding = Finding::new(&RULE, call.byte_range(), message);
        if let Some(edit) = fix_edit(ctx, &options, algorithm) {
            finding = finding.with_fix(Fix::new(
                format!("Pin algorithms to ['{algorithm}']"),
                applicability,
                edit,
            ));
        }
        findings.push(finding);
    }
    findings
}

/// Looks at the options argument of a `verify(token, key, ...)` call.
fn classify_options<'t>(
    ctx: &FileContext<'t>,
    args: &[Node<'t>],
    decls: &mut Declarations<'t>,
) -> Options<'t> {
    let Some(&third) = args.get(2) else {
        return Options::Missing { after: args[1] };
    };
    match third.kind() {
        "object" => object_options(ctx, third),
        "arrow_function" | "function_expression" | "function" => {
            Options::CallbackInstead { callback: third }
        }
        "undefined" | "null" => Options::Placeholder { node: third },
        "identifier" if ctx.node_text(third) == "undefined" => Options::Placeholder { node: third },
        "identifier" => match decls.resolve(ctx, ctx.node_text(third)) {
            Some(value) if value.kind() == "object" => object_options(ctx, value),
            Some(value)
                if matches!(
                    value.kind(),
                    "arrow_function" | "function_expression" | "function" | "function_declaration"
                ) =>
            {
                Options::CallbackInstead { callback: third }
            }
            _ => Options::PinnedOrUnknown,
        },
        _ => Options::PinnedOrUnknown,
    }
}

fn object_options<'t>(ctx: &FileContext<'_>, object: Node<'t>) -> Options<'t> {
    let mut cursor = object.walk();
    for member in object.named_children(&mut cursor) {
        match member.kind() {
            "spread_element" => return Options::PinnedOrUnknown,
            "pair" if pair_key(ctx, member) == Some("algorithms") => {
                return Options::PinnedOrUnknown
            }
            "shorthand_property_identifier" if ctx.node_text(member) == "algorithms" => {
                return Options::PinnedOrUnknown
            }
            _ => {}
        }
    }
    Options::ObjectWithout { object }
}

/// The file's top-level-or-nested `const NAME = value` and `function NAME`
/// declarations by name, collected on first use (one walk of the tree,
/// however many calls need resolving).
#[derive(Default)]
struct Declarations<'t> {
    by_name: Option<std::collections::HashMap<&'t str, Vec<Node<'t>>>>,
}

impl<'t> Declarations<'t> {
    /// The value declared for `name`, when exactly one declaration has it.
    fn resolve(&mut self, ctx: &FileContext<'t>, name: &str) -> Option<Node<'t>> {
        let map = self.by_name.get_or_insert_with(|| {
            let mut map: std::collections::HashMap<&'t str, Vec<Node<'t>>> = Default::default();
            for_each_node_of_kind(
                ctx.tree.root_node(),
                &["variable_declarator", "function_declaration"],
                |n| {
                    let Some(nm) = n.child_by_field_name("name") else {
                        return;
                    };
                    if nm.kind() != "identifier" {
                        return;
                    }
                    let value = if n.kind() == "function_declaration" {
                        Some(n)
                    } else {
                        n.child_by_field_name("value")
                    };
                    if let Some(value) = value {
                        map.entry(ctx.node_text(nm)).or_default().push(value);
                    }
                },
            );
            map
        });
        match map.get(name).map(Vec::as_slice) {
            Some([one]) => Some(*one),
            _ => None,
        }
    }
}

/// If every `sign` call in the file uses one algorithm and one key
/// expression, returns them. jsonwebtoken signs with HS256 when no
/// `algorithm` is given.
fn signing_algorithm(ctx: &FileContext<'_>, signs: &[Node<'_>]) -> Option<(&'static str, String)> {
    let mut result: Option<(&'static str, String)> = None;
    for &args in signs {
        let list = arguments(args);
        let key = ctx.node_text(*list.get(1)?).to_string();
        let alg = match list.get(2) {
            Some(opts) if opts.kind() == "object" => {
                let mut cursor = opts.walk();
                let mut alg = Some("HS256");
                for member in opts.named_children(&mut cursor) {
                    if member.kind() == "spread_element" {
                        return None;
                    }
                    if member.kind() == "pair" && pair_key(ctx, member) == Some("algorithm") {
                        let value = member.child_by_field_name("value")?;
                        let text = ctx
                            .node_text(value)
                            .trim_matches(|c| c == '\'' || c == '"' || c == '`');
                        alg = KNOWN_ALGORITHMS.iter().copied().find(|a| *a == text);
                    }
                }
                alg?
            }
            Some(cb)
                if matches!(
                    cb.kind(),
                    "arrow_function" | "function_expression" | "function"
                ) =>
            {
                "HS256"
            }
            Some(_) => return None,
            None => "HS256",
        };
        match &result {
            None => result = Some((alg, key)),
            Some((a, k)) if *a == alg && *k == key => {}
            Some(_) => return None,
        }
    }
    result
}

const KNOWN_ALGORITHMS: &[&str] = &[
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
    "ES384", "ES512",
];

/// A best guess from the key argument: an asymmetric algorithm when the
/// key looks like a public key (a PEM, a file read, a certificate, a JWKS
/// lookup or any key callback), else a shared secret.
fn guess_algorithm(ctx: &FileContext<'_>, key: Node<'_>) -> &'static str {
    if matches!(
        key.kind(),
        "arrow_function" | "function_expression" | "function"
    ) {
        return "RS256";
    }
    let text = ctx.node_text(key).to_ascii_lowercase();
    const PUBLIC_HINTS: &[&str] = &[
        "public",
        "pem",
        "begin",
        "readfilesync",
        "cert",
        "jwks",
        "getkey",
        "signingkey",
    ];
    if PUBLIC_HINTS.iter().any(|h| text.contains(h)) {
        "RS256"
    } else {
        "HS256"
    }
}

/// The edit that adds `algorithms`.
fn fix_edit(ctx: &FileContext<'_>, options: &Options<'_>, algorithm: &str) -> Option<Edit> {
    let pinned = format!("algorithms: ['{algorithm}']");
    Some(match *options {
        Options::Missing { after } => Edit::insert(after.end_byte(), format!(", {{ {pinned} }}")),
        Options::CallbackInstead { callback } => {
            Edit::insert(callback.start_byte(), format!("{{ {pinned} }}, "))
        }
        Options::ObjectWithout { object } => {
            let mut cursor = object.walk();
            let first = object
                .named_children(&mut cursor)
                .find(|n| n.kind() != "comment");
            match first {
                None => Edit::replace(object.byte_range(), format!("{{ {pinned} }}")),
                Some(first) => {
                    let text = ctx.text;
                    let between = &text[object.start_byte() + 1..first.start_byte()];
                    if between.contains('\n') {
                        let indent = line_indent(text, first.start_byte());
                        let nl = if between.contains("\r\n") {
                            "\r\n"
                        } else {
                            "\n"
                        };
                        Edit::insert(first.start_byte(), format!("{pinned},{nl}{indent}"))
                    } else {
                        Edit::insert(first.start_byte(), format!("{pinned}, "))
                    }
                }
            }
        }
        Options::Placeholder { node } => {
            Edit::replace(node.byte_range(), format!("{{ {pinned} }}"))
        }
        Options::PinnedOrUnknown => return None,
    })
}

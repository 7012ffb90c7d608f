//! `errors/leaked-error`: a caught error's message, stack or the error
//! object itself sent to the client in an HTTP response.

use tree_sitter::Node;

use crate::analysis::javascript::http::{
    environment_implied, parameter_name, strip_wrappers, trace_sent, Constants, Conversion,
    Environment, Leak, Site, Taint,
};
use crate::analysis::rule::{Rule, Severity, JS_FAMILY};
use crate::analysis::{FileContext, Finding};
use crate::fix::{Applicability, Edit, Fix};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "errors/leaked-error",
    default_severity: Severity::Warning,
    summary: "A caught error's message, stack or the error object itself is sent to the client in an HTTP response.",
    docs: r#"
## What it does
Finds HTTP responses whose body carries a caught error: `err.message`,
`err.stack`, the error object itself, `String(err)`, `err.toString()`,
`JSON.stringify(err)`, `util.inspect(err)`, `` `${err}` ``, `'x' + err`, or
an object or array that holds one of these (as a property value, a
shorthand property, or a `...err` spread).

Responses: `res.json / send / end / write / jsonp` (also after
`res.status(500)` and other chained setters, and in Next.js `pages/api`),
Fastify's `reply.send` / `reply.code(500).send`, Hono's `c.json / text /
html / body`, `NextResponse.json`, `new Response(...)` and `Response.json`.
Response objects are recognised by name (`res`, `response`, `reply`, `c`,
`ctx`, ...).

A caught error is: the parameter of `catch (e)`, the first parameter of a
four-parameter Express error middleware `(err, req, res, next)`, the
parameter of a `.catch(e => ...)` callback (and of the rejection callback of
`.then(ok, e => ...)`), the first parameter of Fastify's
`setErrorHandler((error, request, reply) => ...)` and Hono's
`app.onError((err, c) => ...)`, and the first parameter of a Node-style
callback passed as the last argument of a call when it is named `err`,
`error` or ends in `Err` / `Error` (`db.query(sql, (err, rows) => ...)`).
Simple aliases are followed: `const msg = err.message`, `const { message,
stack } = err`, `const body = { error: err }`, `let m = ...; m =
err.message`, string methods such as `err.message.slice(0, 80)`.

The finding is an error when a stack trace is sent (`err.stack`,
`util.inspect(err)`, `serializeError(err)`), a warning otherwise.

Not reported (judgement calls):
- Code that runs only in development: inside `if (process.env.NODE_ENV ===
  'development')`, `!== 'production'`, `app.get('env') === 'development'`,
  `config.env === ...`, an `isDev` / `isDevelopment` / `__DEV__` /
  `import.meta.env.DEV` / `debug` flag (or any `const` set from such a
  check), the `else` of a production check, code after `if (isProd) return
  ...;`, and the dev side of `isDev ? err.stack : undefined` or
  `...(isDev && { stack: err.stack })`.
- Errors the application made for users: under `err instanceof X` where X
  names an HTTP / API / application / validation error class (`HttpError`,
  `HttpException`, `ApiError`, `AppError`, `ValidationError`, `ZodError`,
  `BadRequestError`, `NotFoundError`, ...), `err.expose` (set by
  `http-errors` for 4xx errors), `err.isOperational`, `err.isPublic`,
  `isHttpError(err)`, `err.status < 500`, or `err.status === 404` (any
  4xx number, also `||`-joined: `err.status === 404 || err.status === 409`).
- Harmless properties: `err.name`, `err.code`, `err.status`,
  `err.statusCode`; validation lists (`err.errors`, `err.issues`,
  `err.details`) are treated as meant for clients.
- Errors passed to anything that is not a response (`console.error(err)`,
  `logger.error(err)`, `Sentry.captureException(err)`, `next(err)`), or to
  an unknown function whose result is sent (`res.json(format(err))`).
- A variable reassigned to a harmless value before the response (`let {
  message } = err; if (prod) message = 'Internal error';`) no longer counts
  as the error's: the check follows the document, not every path.

## Why is this bad?
Error messages and stacks are written for developers. Sent to clients they
reveal file paths and line numbers, framework and library versions, SQL
text, table and column names, hostnames and sometimes the values that
caused the failure (CWE-209). Attackers use them to map the application and
to tune injection attempts; a database error echoed back can even become an
exfiltration channel. Error objects from HTTP clients (axios) can carry the
outgoing request's headers, tokens included.

## How to fix
Log the full error on the server and send a generic message, with a request
id to correlate the two. Keep the detail for development only, behind a
`NODE_ENV` check. The quick fix replaces the leaked expression with
`'Internal Server Error'` and, when the response is sent by a statement of
its own, logs the error with `console.error(err)` on the line before (swap
in your logger, and add a request id if your app assigns one); it is marked
unsafe because it changes what clients receive (a client that displays the
message will show the generic text).

## Example
```ts
app.use((err, req, res, next) => {
  // Reported (error: the stack trace reaches the client):
  res.status(500).json({ message: err.message, stack: err.stack });
});

app.use((err, req, res, next) => {
  logger.error({ err, requestId: req.id });
  res.status(500).json({
    error: 'Internal Server Error',
    requestId: req.id,
    ...(process.env.NODE_ENV === 'development' && { stack: err.stack }),
  });
});
```

## References
- CWE-209: Generation of Error Message Containing Sensitive Information
- CWE-200: Exposure of Sensitive Information to an Unauthorized Actor
- CWE-215: Insertion of Sensitive Information Into Debugging Code
- OWASP Cheat Sheet Series: Error Handling
- Express: Error handling ("the stack trace is not included in the production environment")
"#,
    languages: JS_FAMILY,
    check: Some(check),
};

/// What part of a caught error a value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Caught {
    /// The error object itself.
    Error,
    /// Its message or another informative detail.
    Message,
    /// Its stack trace.
    Stack,
    /// A value built from the error (an object holding it, a string
    /// including it); `stack` when the stack is part of it.
    Derived { stack: bool },
}

impl Caught {
    fn has_stack(self) -> bool {
        matches!(self, Caught::Stack | Caught::Derived { stack: true })
    }
}

/// The tracing rules for caught errors.
struct CaughtErrors<'t> {
    consts: Constants<'t>,
}

/// Methods whose callbacks receive array items, not errors.
const ITERATION_METHODS: &[&str] = &[
    "map",
    "forEach",
    "filter",
    "find",
    "findIndex",
    "some",
    "every",
    "reduce",
    "flatMap",
    "sort",
];

impl<'t> Taint<'t> for CaughtErrors<'t> {
    type Kind = Caught;

    fn source(&self, _: &FileContext<'t>, _: Node<'t>) -> Option<Caught> {
        None
    }

    fn member(&self, kind: Caught, prop: &str) -> Option<Caught> {
        match kind {
            Caught::Error => match prop {
                "stack" => Some(Caught::Stack),
                "message" | "sqlMessage" | "sqlState" | "detail" | "sql" | "query" | "original"
                | "parent" | "response" | "config" | "meta" | "stderr" | "stdout" => {
                    Some(Caught::Message)
                }
                "cause" => Some(Caught::Error),
                _ => None,
            },
            Caught::Message => {
                matches!(prop, "data" | "body" | "message" | "headers").then_some(Caught::Message)
            }
            Caught::Stack | Caught::Derived { .. } => None,
        }
    }

    fn convert(&self, kind: Caught, conversion: Conversion) -> Option<Caught> {
        Some(match (kind, conversion) {
            (Caught::Error, Conversion::Inspect) => Caught::Stack,
            (Caught::Error, Conversion::StringMethod) => return None,
            (Caught::Error, _) => Caught::Message,
            (Caught::Derived { .. }, Conversion::Inspect) => Caught::Derived { stack: true },
            (other, _) => other,
        })
    }

    fn hold(&self, kinds: &[Caught]) -> Caught {
        Caught::Derived {
            stack: kinds.iter().any(|k| k.has_stack()),
        }
    }

    fn parameter(
        &self,
        ctx: &FileContext<'t>,
        node: Node<'t>,
        params: &[Node<'t>],
        path: &[Node<'t>],
    ) -> Option<(usize, Caught)> {
        if node.kind() == "catch_clause" {
            return Some((0, Caught::Error));
        }
        let names: Vec<Option<&str>> = params.iter().map(|p| parameter_name(ctx, *p)).collect();
        names.first().copied().flatten()?;
        // Express error middleware: (err, req, res, next).
        if names.len() == 4
            && (names[1].is_some_and(|n| n.starts_with("req") || n.contains("equest"))
                || names[3].is_some_and(|n| n.contains("next")))
        {
            return Some((0, Caught::Error));
        }
        // A callback: its call is two levels up (the `arguments` node).
        let [.., call, args] = path else { return None };
        if args.kind() != "arguments" || call.kind() != "call_expression" {
            return None;
        }
        let arguments = crate::analysis::javascript::arguments(*args);
        let position = arguments.iter().position(|a| *a == node)?;
        let callee = strip_wrappers(call.child_by_field_name("function")?);
        let method = (callee.kind() == "member_expression")
            .then(|| callee.child_by_field_name("property"))
            .flatten()
            .map(|p| ctx.node_text(p));
        match (method, position) {
            (Some("catch"), 0) | (Some("then"), 1) => return Some((0, Caught::Error)),
            (Some("setErrorHandler" | "onError"), _) => return Some((0, Caught::Error)),
            _ => {}
        }
        // A Node-style callback, last argument: (err, result) => ...
        let first = names[0]?;
        let node_style =
            matches!(first, "err" | "error") || first.ends_with("Err") || first.ends_with("Error");
        if node_style
            && position + 1 == arguments.len()
            && !method.is_some_and(|m| ITERATION_METHODS.contains(&m))
        {
            return Some((0, Caught::Error));
        }
        None
    }

    fn accepts(&self, ctx: &FileContext<'t>, cond: Node<'t>, truth: bool) -> bool {
        environment_implied(ctx, &self.consts, cond, truth) == Some(Environment::Development)
            || meant_for_users(ctx, cond, truth, 0)
    }
}

/// Class names of errors that applications create for their users.
const USER_ERROR_HINTS: &[&str] = &[
    "Http",
    "HTTP",
    "Api",
    "API",
    "App",
    "Validation",
    "Zod",
    "Joi",
    "Yup",
    "Public",
    "Operational",
    "BadRequest",
    "NotFound",
    "Unauthorized",
    "Unauthenticated",
    "Forbidden",
    "Conflict",
    "UserError",
    "UserFacing",
    "Business",
    "Domain",
    "Boom",
    "TRPCError",
    "GraphQLError",
];

/// Whether `cond` being `truth` says the error is one the application made
/// for its users (see the rule's docs).
fn meant_for_users(ctx: &FileContext<'_>, cond: Node<'_>, truth: bool, depth: u32) -> bool {
    if depth > 8 {
        return false;
    }
    let cond = strip_wrappers(cond);
    match cond.kind() {
        "unary_expression" => {
            cond.child_by_field_name("operator")
                .is_some_and(|op| ctx.node_text(op) == "!")
                && cond
                    .child_by_field_name("argument")
                    .is_some_and(|a| meant_for_users(ctx, a, !truth, depth + 1))
        }
        "binary_expression" => {
            let (Some(left), Some(right), Some(op)) = (
                cond.child_by_field_name("left"),
                cond.child_by_field_name("right"),
                cond.child_by_field_name("operator"),
            ) else {
                return false;
            };
            let op = ctx.node_text(op);
            match (op, truth) {
                ("&&", true) | ("||", false) => {
                    meant_for_users(ctx, left, truth, depth + 1)
                        || meant_for_users(ctx, right, truth, depth + 1)
                }
                ("&&", false) | ("||", true) => {
                    meant_for_users(ctx, left, truth, depth + 1)
                        && meant_for_users(ctx, right, truth, depth + 1)
                }
                ("instanceof", true) => {
                    let class = ctx.node_text(right);
                    USER_ERROR_HINTS.iter().any(|h| class.contains(h))
                }
                ("<" | ">=", _) => {
                    let below = (op == "<") == truth;
                    below
                        && ctx.node_text(left).to_ascii_lowercase().contains("status")
                        && ctx.node_text(right).trim() == "500"
                }
                // `err.status === 404 || err.status === 409`: the error
                // carries a client-error status the application chose, so
                // its message was written for the caller (seen in a Next.js
                // route that rethrows its own 404/409 errors). A status
                // compared with anything but a 4xx number does not count.
                ("===" | "==", true) | ("!==" | "!=", false) => {
                    let is_4xx = |n: Node<'_>| {
                        n.kind() == "number"
                            && ctx
                                .node_text(n)
                                .parse::<u16>()
                                .is_ok_and(|v| (400..500).contains(&v))
                    };
                    let is_status = |n: Node<'_>| {
                        let t = ctx.node_text(n).to_ascii_lowercase();
                        t.ends_with("status") || t.ends_with("statuscode")
                    };
                    (is_status(left) && is_4xx(right)) || (is_4xx(left) && is_status(right))
                }
                _ => false,
            }
        }
        "member_expression" => {
            truth
                && cond.child_by_field_name("property").is_some_and(|p| {
                    matches!(
                        ctx.node_text(p),
                        "expose"
                            | "isOperational"
                            | "isPublic"
                            | "isJoi"
                            | "isBoom"
                            | "isUserError"
                    )
                })
        }
        "call_expression" => {
            truth
                && cond.child_by_field_name("function").is_some_and(|f| {
                    let name = ctx.node_text(f);
                    let name = name.rsplit('.').next().unwrap_or(name);
                    name.starts_with("is") && USER_ERROR_HINTS.iter().any(|h| name.contains(h))
                })
        }
        _ => false,
    }
}

const GENERIC: &str = "Internal Server Error";

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    // Files that send nothing are skipped without a walk.
    let text = ctx.text;
    if !(text.contains("Response")
        || [
            ".json", ".send", ".end", ".write", ".text", ".html", ".body",
        ]
        .iter()
        .any(|m| text.contains(m)))
    {
        return Vec::new();
    }
    let rules = CaughtErrors {
        consts: Constants::default(),
    };
    trace_sent(ctx, &rules)
        .into_iter()
        .map(|sent| {
            // The stack, when sent, is what the finding points at.
            let first = sent
                .leaks
                .iter()
                .find(|l| l.kind.has_stack())
                .unwrap_or(&sent.leaks[0]);
            let stack = first.kind.has_stack();
            let shown = shorten(ctx.node_text(first.node));
            let what = match (stack, first.kind) {
                (true, _) => "the stack trace of a caught error",
                (false, Caught::Error) => "a caught error object",
                (false, Caught::Message) => "the message of a caught error",
                (false, _) => "a value built from a caught error",
            };
            let why = if stack {
                "Stack traces show file paths, dependencies and code structure to anyone who triggers the error."
            } else {
                "Error messages from databases and libraries reveal queries, table names, hosts and other internals."
            };
            let message = format!(
                "This response sends {what} (`{shown}`) to the client. {why} Log the error on the server and send a generic message."
            );
            let mut edits: Vec<Edit> = sent.leaks.iter().map(|l| replacement(ctx, l)).collect();
            let log = log_edit(ctx, sent.send.call, ctx.node_text(first.node));
            let title = if log.is_some() {
                format!("Log the error and send '{GENERIC}' instead")
            } else {
                format!("Send '{GENERIC}' instead of the error")
            };
            edits.extend(log);
            let mut finding = Finding::new(&RULE, first.range(), message).with_fix(Fix {
                title,
                applicability: Applicability::Unsafe,
                edits,
            });
            finding.severity = if stack {
                Severity::Error
            } else {
                Severity::Warning
            };
            finding
        })
        .collect()
}

/// The edit that puts the generic message where a leak was.
fn replacement(ctx: &FileContext<'_>, leak: &Leak<'_, Caught>) -> Edit {
    // A stack property is dropped from the JSON (`stack: undefined`); any
    // other leak becomes the generic message.
    let stack = leak.kind.has_stack();
    let text = match leak.site {
        Site::Property if stack => "undefined".to_string(),
        Site::Expression | Site::Property => format!("'{GENERIC}'"),
        Site::Shorthand if stack => format!("{}: undefined", ctx.node_text(leak.node)),
        Site::Shorthand => format!("{}: '{GENERIC}'", ctx.node_text(leak.node)),
        Site::Spread => format!("error: '{GENERIC}'"),
        Site::Substitution => GENERIC.to_string(),
    };
    Edit::replace(leak.range(), text)
}

/// Inserts `console.error(<err>);` on its own line before the statement
/// that sends the response, so the detail the client no longer gets is
/// still logged; `None` when the send is not a statement on its own lines
/// (an arrow function's body) or the error's name cannot be read from the
/// leaked expression.
fn log_edit(ctx: &FileContext<'_>, send: tree_sitter::Node<'_>, leaked: &str) -> Option<Edit> {
    let name = leaked
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
        .find(|w| {
            !w.is_empty()
                && *w != "$"
                && !w.starts_with(|c: char| c.is_ascii_digit())
                && ![
                    "String",
                    "JSON",
                    "util",
                    "inspect",
                    "stringify",
                    "Object",
                    "await",
                    "new",
                ]
                .contains(w)
        })?;
    // The statement holding the send: a few parents up at most.
    let mut node = send;
    let mut statement = None;
    for _ in 0..6 {
        node = node.parent()?;
        match node.kind() {
            "expression_statement" | "return_statement" => {
                statement = Some(node);
                break;
            }
            "arrow_function" | "function_expression" | "function_declaration" => return None,
            _ => {}
        }
    }
    let statement = statement?;
    let line_start = ctx.text[..statement.start_byte()]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let indent = &ctx.text[line_start..statement.start_byte()];
    if !indent.trim().is_empty() {
        return None;
    }
    let nl = crate::analysis::util::newline_of(ctx.text);
    Some(Edit::insert(
        line_start,
        format!("{indent}console.error({name});{nl}"),
    ))
}

/// An expression for a message: at most 60 characters, on one line.
fn shorten(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 60 {
        let cut: String = one_line.chars().take(57).collect();
        format!("{cut}...")
    } else {
        one_line
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::{parse, Language};
    use std::path::Path;

    fn findings(text: &str) -> Vec<(String, Severity)> {
        let tree = parse(Language::TypeScript, text, None).unwrap();
        let ctx = FileContext::new(Path::new("a.ts"), text, &tree, Language::TypeScript);
        check(&ctx)
            .into_iter()
            .map(|f| (text[f.range].to_string(), f.severity))
            .collect()
    }

    #[test]
    fn the_issue_examples() {
        assert_eq!(
            findings("app.use((err, req, res, next) => res.status(500).json({ errors: { message: err.message, error: err } }));"),
            vec![("err.message".to_string(), Severity::Warning)]
        );
        assert_eq!(
            findings("Deno.serve(async (req) => { try { return run(req); } catch (err) { return new Response(err.stack, { status: 500 }); } });"),
            vec![("err.stack".to_string(), Severity::Error)]
        );
        assert!(findings(
            "app.use((err, req, res, next) => { logger.error(err); res.status(500).json({ error: 'Internal error', requestId: req.id }); });"
        )
        .is_empty());
    }

    #[test]
    fn errors_made_for_users_are_not_reported() {
        let text = "app.use((err, req, res, next) => {
            if (err instanceof HttpError) return res.status(err.status).json({ error: err.message });
            const message = err.expose ? err.message : 'Internal';
            res.status(500).json({ message });
        });";
        assert!(findings(text).is_empty());
    }

    #[test]
    fn iteration_callbacks_are_not_error_handlers() {
        let text = "function h(req, res) { res.json({ errors: list.map((error) => error.message) }); items.forEach((error) => res.write(error.message)); }";
        assert!(findings(text).is_empty());
    }
}

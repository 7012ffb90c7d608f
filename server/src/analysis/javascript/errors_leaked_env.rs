//! `errors/leaked-env`: the process environment, or a secret from it, sent
//! to the client in an HTTP response.

use tree_sitter::Node;

use crate::analysis::javascript::http::{strip_wrappers, trace_sent, Conversion, Taint};
use crate::analysis::javascript::jwt_common::is_test_file;
use crate::analysis::rule::{Rule, Severity, JS_FAMILY};
use crate::analysis::{FileContext, Finding};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "errors/leaked-env",
    default_severity: Severity::Error,
    summary: "The process environment, or a secret-named environment variable, is sent to the client in an HTTP response.",
    docs: r#"
## What it does
Finds HTTP responses whose body carries the whole environment or a secret
from it:

- the whole environment: `process.env`, `Bun.env`, `import.meta.env`,
  `Deno.env.toObject()`, Hono's bindings `c.env` and `env(c)`, and copies of
  them (`{ ...process.env }`, `Object.entries(process.env)`,
  `JSON.stringify(process.env)`);
- one variable whose name says it is secret: `process.env.X`,
  `process.env['X']`, `Deno.env.get('X')`, `c.env.X`, or `X` destructured
  from the environment, where X contains `SECRET`, `TOKEN`, `PASSWORD`,
  `PASSWD`, `PRIVATE`, `CREDENTIAL`, `SERVICE_ROLE`, a word ending in `KEY`
  (`API_KEY`, `APIKEY`), or names a database connection (`DATABASE_URL`,
  `DB_URL`, `MONGODB_URI`, `REDIS_URL`, `POSTGRES_URL`,
  `CONNECTION_STRING`, ...).

Inside the body, the value may sit in an object, an array, a template
string, a string concatenation, or a variable assigned from it earlier
(`const key = process.env.STRIPE_SECRET_KEY`, `const { JWT_SECRET } =
process.env`, `const env = process.env`). The responses recognised are
those of `errors/leaked-error`: Express, Fastify, Hono, Next.js
(`NextResponse.json`), and the Web `Response` (`new Response`,
`Response.json`).

Not reported (judgement calls):
- Test files (`*.test.*`, `*.spec.*`, `__tests__`, `__mocks__`): they stub
  handlers that echo a fake secret back to check the runtime passes it on
  (seen in a CLI's emulator tests); no real client is served.
- Names that are public by design: `NEXT_PUBLIC_*`, `VITE_*`,
  `EXPO_PUBLIC_*`, `REACT_APP_*`, `PUBLIC_*`, `GATSBY_*`, and any name with
  `PUBLIC` or `PUBLISHABLE` in it or ending in `ANON_KEY` (Supabase's anon
  key, Stripe's publishable key, a public key). Bundlers ship these to
  browsers anyway; `supabase/service-role-in-client` looks after a secret
  given such a name.
- Names that mention a secret but hold settings about it: a last word such
  as `EXPIRES`, `EXPIRY`, `TTL`, `IN`, `URL`, `HOST`, `PORT`, `NAME`,
  `ALGORITHM`, `ISSUER`, `AUDIENCE`, `LENGTH` (`JWT_SECRET_EXPIRES_IN`,
  `TOKEN_URL`). Database connection names are reported whatever their
  ending.
- Unlike `errors/leaked-error`, a development check does *not* silence this
  rule: `NODE_ENV` is often unset or wrong in production, and what leaks
  here are live credentials.

## Why is this bad?
Environment variables are where a backend keeps its credentials: database
URLs with passwords, API keys, signing secrets, the Supabase service-role
key. A response that includes them hands every one of them to whoever calls
the endpoint (CWE-200, CWE-526). Debug endpoints that dump `process.env`,
"config" routes, and health checks that echo a connection string are the
usual way this ships (CWE-215).

## How to fix
Send only the values the client needs, one by one, and only public ones.
Remove debug endpoints that print the environment, or put them behind
authentication and a build-time flag. Rotate any secret that was exposed.
There is no quick fix: what the client should receive instead is a choice.

## Example
```ts
// Reported:
app.get('/debug', (req, res) => res.json({ env: process.env }));
export async function GET() {
  return NextResponse.json({ key: process.env.STRIPE_SECRET_KEY });
}

// Fine: public by design.
export async function GET() {
  return NextResponse.json({ key: process.env.NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY });
}
```

## References
- CWE-200: Exposure of Sensitive Information to an Unauthorized Actor
- CWE-526: Cleartext Storage of Sensitive Information in an Environment Variable
- CWE-215: Insertion of Sensitive Information Into Debugging Code
- OWASP Top 10 A05:2021 Security Misconfiguration
"#,
    languages: JS_FAMILY,
    check: Some(check),
};

/// What part of the environment a value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Env {
    /// All of it.
    Whole,
    /// One secret-named variable.
    Secret,
}

struct Environment;

/// Hono context names (`c.env` are the Worker's bindings, secrets
/// included).
const CONTEXT_NAMES: &[&str] = &["c", "ctx", "context"];

impl<'t> Taint<'t> for Environment {
    type Kind = Env;

    fn source(&self, ctx: &FileContext<'t>, node: Node<'t>) -> Option<Env> {
        match node.kind() {
            "member_expression" => {
                let object = strip_wrappers(node.child_by_field_name("object")?);
                let property = ctx.node_text(node.child_by_field_name("property")?);
                if property != "env" {
                    return None;
                }
                let object = ctx.node_text(object);
                (matches!(
                    object,
                    "process" | "globalThis.process" | "Bun" | "import.meta"
                ) || CONTEXT_NAMES.contains(&object))
                .then_some(Env::Whole)
            }
            "call_expression" => {
                let function = strip_wrappers(node.child_by_field_name("function")?);
                let args = node.child_by_field_name("arguments")?;
                let args = crate::analysis::javascript::arguments(args);
                match ctx.node_text(function) {
                    "Deno.env.toObject" => Some(Env::Whole),
                    "Deno.env.get" => {
                        let name = strip_wrappers(*args.first()?);
                        if name.kind() != "string" {
                            return None;
                        }
                        is_secret_name(ctx.node_text(name).trim_matches(['\'', '"']))
                            .then_some(Env::Secret)
                    }
                    // Hono's `env(c)` from `hono/adapter`.
                    "env" if args.len() == 1 && CONTEXT_NAMES.contains(&ctx.node_text(args[0])) => {
                        Some(Env::Whole)
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn member(&self, kind: Env, prop: &str) -> Option<Env> {
        (kind == Env::Whole && is_secret_name(prop)).then_some(Env::Secret)
    }

    fn convert(&self, kind: Env, _: Conversion) -> Option<Env> {
        Some(kind)
    }

    fn hold(&self, kinds: &[Env]) -> Env {
        if kinds.contains(&Env::Whole) {
            Env::Whole
        } else {
            Env::Secret
        }
    }

    fn parameter(
        &self,
        _: &FileContext<'t>,
        _: Node<'t>,
        _: &[Node<'t>],
        _: &[Node<'t>],
    ) -> Option<(usize, Env)> {
        None
    }

    fn accepts(&self, _: &FileContext<'t>, _: Node<'t>, _: bool) -> bool {
        false
    }
}

/// Whether an environment variable's name says it holds a secret (see the
/// rule's docs for the exact words), and it is not public by design.
pub fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    const PUBLIC_PREFIXES: &[&str] = &[
        "NEXT_PUBLIC_",
        "VITE_",
        "EXPO_PUBLIC_",
        "REACT_APP_",
        "PUBLIC_",
        "GATSBY_",
        "NUXT_PUBLIC_",
        "STORYBOOK_",
    ];
    if PUBLIC_PREFIXES.iter().any(|p| upper.starts_with(p))
        || upper.contains("PUBLIC")
        || upper.contains("PUBLISHABLE")
        || upper.ends_with("ANON_KEY")
        || upper.ends_with("ANONKEY")
    {
        return false;
    }
    const CONNECTIONS: &[&str] = &[
        "DATABASE_URL",
        "DATABASE_URI",
        "DB_URL",
        "DB_URI",
        "DIRECT_URL",
        "CONNECTION_STRING",
        "CONNECTIONSTRING",
        "MONGO_URI",
        "MONGO_URL",
        "MONGODB_URI",
        "MONGODB_URL",
        "REDIS_URL",
        "POSTGRES_URL",
        "POSTGRES_PRISMA_URL",
        "POSTGRES_URL_NON_POOLING",
        "PG_URL",
        "MYSQL_URL",
        "DATABASEURL",
        "SERVICE_ROLE",
        "SERVICEROLE",
    ];
    if CONNECTIONS.iter().any(|c| upper.contains(c)) {
        return true;
    }
    let words: Vec<&str> = upper
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    const SETTINGS: &[&str] = &[
        "EXPIRES",
        "EXPIRY",
        "EXPIRATION",
        "EXPIRESIN",
        "TTL",
        "IN",
        "LIFETIME",
        "DURATION",
        "AGE",
        "URL",
        "URI",
        "ENDPOINT",
        "HOST",
        "PORT",
        "NAME",
        "HEADER",
        "LENGTH",
        "SIZE",
        "ALGORITHM",
        "ALG",
        "ISSUER",
        "AUDIENCE",
        "PATH",
        "FILE",
        "VERSION",
        "REGION",
        "ENABLED",
        "MODE",
        "TYPE",
        "ID",
    ];
    if words.last().is_some_and(|w| SETTINGS.contains(w)) && words.len() > 1 {
        return false;
    }
    words.iter().any(|w| {
        w.contains("SECRET")
            || w.contains("TOKEN")
            || w.contains("PASSWORD")
            || w.contains("PASSWD")
            || w.contains("PRIVATE")
            || w.contains("CREDENTIAL")
            || w.ends_with("KEY")
            || *w == "KEYS"
            || *w == "PWD"
            || *w == "PASS"
    })
}

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    // Test files stub handlers that echo a fake secret back on purpose, to
    // check that the runtime passes it through (seen in a CLI's emulator
    // tests: `res.json({ secret: process.env.MY_SECRET })`); they serve no
    // real client.
    if !ctx.text.contains("env") || is_test_file(ctx) {
        return Vec::new();
    }
    trace_sent(ctx, &Environment)
        .into_iter()
        .map(|sent| {
            let first = &sent.leaks[0];
            let whole = sent.leaks.iter().any(|l| l.kind == Env::Whole);
            let shown: String = ctx.node_text(first.node).chars().take(60).collect();
            let message = if whole {
                format!(
                    "This response sends the whole environment (`{shown}`) to the client: every credential the server holds (database URLs, API keys, signing secrets) goes with it. Send only the public values the client needs."
                )
            } else {
                format!(
                    "This response sends a secret environment value (`{shown}`) to the client. Keep secrets on the server, send only what the client needs, and rotate this one if it was exposed."
                )
            };
            Finding::new(&RULE, first.range(), message)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for name in [
            "JWT_SECRET",
            "STRIPE_SECRET_KEY",
            "OPENAI_API_KEY",
            "apiKey",
            "DATABASE_URL",
            "SUPABASE_SERVICE_ROLE_KEY",
            "GITHUB_TOKEN",
            "DB_PASSWORD",
            "PRIVATE_KEY",
            "MONGODB_URI",
            "AWS_SECRET_ACCESS_KEY",
            "GOOGLE_APPLICATION_CREDENTIALS",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "NEXT_PUBLIC_SUPABASE_ANON_KEY",
            "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY",
            "STRIPE_PUBLISHABLE_KEY",
            "SUPABASE_ANON_KEY",
            "VITE_API_KEY",
            "JWT_PUBLIC_KEY",
            "PORT",
            "NODE_ENV",
            "JWT_SECRET_EXPIRES_IN",
            "ACCESS_TOKEN_TTL",
            "TOKEN_URL",
            "KEYCLOAK_REALM",
            "API_URL",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }
}

//! `secrets/database-url-password`: connection URLs with an inline
//! password (`postgres://user:password@host/db`).

use super::{noise, Candidate, Check, Hit, Scan, Trigger, EVERY_LANGUAGE};
use crate::analysis::rule::{Rule, Severity};
use crate::analysis::{FileContext, Finding};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "secrets/database-url-password",
    default_severity: Severity::Error,
    summary: "A database connection URL (postgres, mysql, mongodb, redis, …) holds a password.",
    docs: r#"
## What it does
Finds connection URLs of PostgreSQL (`postgres://`, `postgresql://`),
MySQL and MariaDB, MongoDB (`mongodb://`, `mongodb+srv://`), Redis
(`redis://`, `rediss://`), SQL Server, CockroachDB and AMQP with a password
between `user:` and `@host`. Reported on the password.

Not reported, because they open nothing:

- references and placeholders: `${DB_PASSWORD}`, `$PASSWORD`,
  `[YOUR-PASSWORD]` (Supabase's dashboard), `<password>`, `****`,
  `your-password`, `changeme`, and the same in Portuguese, Spanish and
  French tutorials (`sua-senha`, `tu-contraseña`, `votre-mot-de-passe`);
- local development: a host of `localhost`, `127.0.0.1`, `0.0.0.0`, `::1`
  or `host.docker.internal`, whatever the password;
- well-known defaults on any host (`postgres`, `password`, `root`, `admin`,
  `secret`, `example`, `pass`, `test`, `mysql`, `mongo`, a password equal to
  the user name), which belong to a throwaway container, not a server.

Under test and fixture folders findings are info.

## Why is this bad?
The URL is a complete credential: host, user and password. For a hosted
database (Supabase, Neon, RDS, Atlas) it is usually reachable from the
internet, and the `postgres` user bypasses row level security. The file and
its history give it to everyone who reads them (CWE-798, CWE-540).

## How to fix
Change the database user's password (for Supabase: Project settings →
Database → Reset database password), then read the whole URL from the
environment (`DATABASE_URL`); in JavaScript and TypeScript the quick fix
replaces the string with `process.env.DATABASE_URL`.

## Example
```ts
// Reported:
const pool = new Pool({ connectionString: 'postgresql://app:S3cr3t…@db.acme.io:5432/app' });
// Fixed:
const pool2 = new Pool({ connectionString: process.env.DATABASE_URL });
```

## References
- CWE-798: Use of Hard-coded Credentials
- CWE-540: Inclusion of Sensitive Information in Source Code
- PostgreSQL: Connection URIs, https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS
"#,
    languages: EVERY_LANGUAGE,
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    super::findings_of(ctx, &RULE)
}

pub(super) static TRIGGERS: &[Trigger] = &[Trigger {
    literal: "://",
    check: Check::Custom(url),
}];

/// Schemes and the environment variable their URL usually lives in.
const SCHEMES: &[(&str, &str)] = &[
    ("postgres", "DATABASE_URL"),
    ("postgresql", "DATABASE_URL"),
    ("mysql", "DATABASE_URL"),
    ("mariadb", "DATABASE_URL"),
    ("mssql", "DATABASE_URL"),
    ("sqlserver", "DATABASE_URL"),
    ("cockroachdb", "DATABASE_URL"),
    ("mongodb", "MONGODB_URI"),
    ("mongodb+srv", "MONGODB_URI"),
    ("redis", "REDIS_URL"),
    ("rediss", "REDIS_URL"),
    ("amqp", "AMQP_URL"),
    ("amqps", "AMQP_URL"),
];

/// Passwords of throwaway containers and tutorials.
const DEFAULTS: &[&str] = &[
    "postgres",
    "postgresql",
    "password",
    "pass",
    "passwd",
    "root",
    "admin",
    "secret",
    "example",
    "test",
    "mysql",
    "mongo",
    "mongodb",
    "redis",
    "user",
    "dev",
    "docker",
    "prisma",
    "supabase",
    "guest",
    "pwd",
    "123456",
    "12345678",
    "sa",
];

const LOCAL_HOSTS: &[&str] = &[
    "localhost",
    "127.0.0.1",
    "0.0.0.0",
    "[::1]",
    "host.docker.internal",
];

fn url(scan: &mut Scan<'_>, hit: Hit) {
    let b = scan.bytes;
    // The scheme: letters and `+` just before `://`, at most 16.
    let mut start = hit.start;
    while start > 0
        && hit.start - start < 16
        && (b[start - 1].is_ascii_alphanumeric() || b[start - 1] == b'+')
    {
        start -= 1;
    }
    let scheme = scan.text[start..hit.start].to_ascii_lowercase();
    let Some(&(_, env)) = SCHEMES.iter().find(|(s, _)| *s == scheme) else {
        return;
    };
    // The URL: to the first character that cannot be in one, 2 KiB at most.
    let limit = (hit.end + 2048).min(b.len());
    let mut end = hit.end;
    while end < limit
        && !b[end].is_ascii_whitespace()
        && !matches!(b[end], b'"' | b'\'' | b'`' | b'<' | b'>' | b'\\')
    {
        end += 1;
    }
    // The authority ends at the first `/`, `?` or `#` after the last `@`
    // (passwords may hold `/` when they are not encoded; hosts do not hold `@`).
    let rest = &scan.text[hit.end..end];
    let Some(at) = rest.rfind('@') else { return };
    let userinfo = &rest[..at];
    let Some((user, password)) = userinfo.split_once(':') else {
        return;
    };
    let host_part = &rest[at + 1..];
    let host_end = host_part.find(['/', '?', '#']).unwrap_or(host_part.len());
    let host = host_part[..host_end].to_ascii_lowercase();
    let host_name = if host.starts_with('[') {
        host.split(']')
            .next()
            .map(|h| format!("{h}]"))
            .unwrap_or_default()
    } else {
        host.split(':').next().unwrap_or("").to_string()
    };
    let pw_start = hit.end + user.len() + 1;
    let pw_range = pw_start..pw_start + password.len();
    let lower = password.to_ascii_lowercase();
    if password.is_empty()
        || noise::is_placeholder(password)
        || password.chars().all(|c| c == '*' || c == 'x' || c == 'X')
        || DEFAULTS.contains(&lower.as_str())
        || lower == user.to_ascii_lowercase()
        || LOCAL_HOSTS.contains(&host_name.as_str())
        || host_name.is_empty()
    {
        scan.quiet(start..end);
        return;
    }
    let mut c = Candidate::specific(
        &RULE,
        pw_range,
        Severity::Error,
        format!("The password of a {scheme} connection URL"),
        env,
    );
    c.value = start..end;
    scan.push(c);
}

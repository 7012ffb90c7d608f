//! Rules on PostgreSQL / Supabase SQL migrations, and the helpers they share
//! for reading tree-sitter-postgres trees (which have no field names; node
//! kinds follow PostgreSQL's own grammar, `gram.y`).

pub mod auth_rls_initplan;
pub mod auth_users_exposed;
pub mod function_search_path;
pub mod grant_to_anon;
pub mod model;
pub mod objects;
pub mod permissive_policy;
pub mod pii_exposed;
pub mod policy_expr;
pub mod policy_user_metadata;
pub mod policy_without_role;
pub mod rls_disabled;
pub mod rls_explicitly_disabled;
pub mod rls_no_policy;
pub mod security_definer_exposed;
pub mod security_definer_view;
pub mod statements;

use tree_sitter::Node;

use crate::analysis::util::child_of_kind;
use crate::analysis::FileContext;

/// A schema-qualified relation name as PostgreSQL resolves it: unquoted
/// identifiers folded to lower case, quoted ones kept as written (with `""`
/// unescaped).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct QualifiedName {
    /// The schema, `None` when the name is unqualified (which means `public`
    /// under Supabase's default `search_path`).
    pub schema: Option<String>,
    /// The relation's own name.
    pub name: String,
}

impl QualifiedName {
    /// Whether the name resolves to schema `public` (explicitly or by being
    /// unqualified).
    pub fn is_public(&self) -> bool {
        self.schema.as_deref().is_none_or(|s| s == "public")
    }

    /// Whether two names denote the same relation, treating an unqualified
    /// name as `public`.
    pub fn same_relation(&self, other: &QualifiedName) -> bool {
        self.name == other.name
            && self.schema.as_deref().unwrap_or("public")
                == other.schema.as_deref().unwrap_or("public")
    }
}

/// Folds one identifier as PostgreSQL does.
pub fn fold_identifier(text: &str) -> String {
    let text = text.trim();
    if text.len() >= 2 && text.starts_with('"') && text.ends_with('"') {
        text[1..text.len() - 1].replace("\"\"", "\"")
    } else {
        text.to_lowercase()
    }
}

/// Reads a dotted name in a statement parsed alone
/// ([`statements::Statement`]; `text` is the whole file's text): a
/// `qualified_name`, `any_name`, `func_name`, `relation_expr` (with or
/// without `only`), `function_with_argtypes` (its name; the argument types
/// are not part of it), `create_as_target` or `create_mv_target`. Folded like
/// [`qualified_name`]; for three-part names the last two parts are kept.
pub fn statement_name(
    text: &str,
    statement: &statements::Statement,
    node: Node<'_>,
) -> Option<QualifiedName> {
    let node = match node.kind() {
        "relation_expr" => child_of_kind(node, "qualified_name").or_else(|| {
            child_of_kind(node, "extended_relation_expr")
                .and_then(|e| child_of_kind(e, "qualified_name"))
        })?,
        "extended_relation_expr" | "create_as_target" | "create_mv_target" => {
            child_of_kind(node, "qualified_name")?
        }
        "function_with_argtypes" => child_of_kind(node, "func_name").unwrap_or(node),
        _ => node,
    };
    let part = |n: Node<'_>| fold_identifier(text.get(statement.file_range(n)).unwrap_or(""));
    let mut parts = Vec::new();
    let mut cursor = node.walk();
    for c in node.named_children(&mut cursor) {
        match c.kind() {
            "ColId" | "type_function_name" | "ColLabel" | "identifier" | "NonReservedWord"
                if parts.is_empty() =>
            {
                parts.push(part(c))
            }
            "indirection" | "attrs" => crate::analysis::util::walk(c, |cur, _| {
                if cur.node().kind() == "attr_name" {
                    parts.push(part(cur.node()));
                    crate::analysis::util::Step::Over
                } else {
                    crate::analysis::util::Step::Into
                }
            }),
            _ => {}
        }
    }
    if parts.is_empty() && matches!(node.kind(), "name" | "ColId") {
        parts.push(part(node));
    }
    let name = parts.pop().filter(|n| !n.is_empty())?;
    Some(QualifiedName {
        schema: parts.pop(),
        name,
    })
}

/// Whether the SQL file is part of a Supabase project, where tables in
/// `public` are exposed through the Data API: its path has a `supabase`
/// folder (`supabase/migrations/...`), or its text uses Supabase's schemas,
/// roles or row level security (`auth.users`, `auth.uid()`, `anon`,
/// `authenticated`, `service_role`, `storage.objects`, `create policy`,
/// `row level security`, or the word `supabase`).
///
/// A plain Postgres app (a Prisma or Rails migration with none of these)
/// has no anonymous API in front of its tables, so RLS rules stay quiet.
pub fn is_supabase_facing(ctx: &FileContext<'_>) -> bool {
    is_supabase_file(ctx.path, ctx.text)
}

/// [`is_supabase_facing`] for a path and text.
pub fn is_supabase_file(path: &std::path::Path, text: &str) -> bool {
    if path.components().any(|c| {
        c.as_os_str()
            .to_str()
            .is_some_and(|s| s.eq_ignore_ascii_case("supabase"))
    }) {
        return true;
    }
    let lower = text.to_ascii_lowercase();
    const MARKERS: &[&str] = &[
        "auth.users",
        "auth.uid(",
        "auth.jwt(",
        "auth.role(",
        "storage.objects",
        "storage.buckets",
        "supabase",
        "service_role",
        "row level security",
        "create policy",
    ];
    MARKERS.iter().any(|m| lower.contains(m))
        || has_word(&lower, "anon")
        || has_word(&lower, "authenticated")
}

/// Whether the SQL workspace belongs to a Supabase project: any of its
/// files is Supabase-facing ([`is_supabase_file`]). A table created in a
/// plain file and secured in a `supabase/migrations` one is then judged
/// with the rest of the project.
pub fn is_supabase_project(ws: &crate::analysis::workspace::SqlWorkspace) -> bool {
    ws.supabase
}

/// Whether `word` occurs in `text` with no identifier character on either side.
fn has_word(text: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// The column that names a table's owning user, for owner policies: a
/// column referencing `auth.users`, else one named `user_id`, `owner_id`,
/// `profile_id`, `author_id`, `created_by` or `owner` (in that order), else
/// `id` when it references `auth.users`. `None` when the table has none.
pub fn owner_column(table: &model::Table) -> Option<&model::Column> {
    let auth_users = |c: &&model::Column| {
        c.references
            .as_ref()
            .is_some_and(|r| r.schema.as_deref() == Some("auth") && r.name == "users")
    };
    table
        .columns
        .iter()
        .find(|c| auth_users(c) && c.name != "id")
        .or_else(|| {
            [
                "user_id",
                "owner_id",
                "profile_id",
                "author_id",
                "created_by",
                "owner",
            ]
            .iter()
            .find_map(|n| table.columns.iter().find(|c| c.name == *n))
        })
        .or_else(|| table.columns.iter().find(auth_users))
}

/// Column names (or parts of them) that hold personal or secret data.
pub const SENSITIVE_COLUMN_WORDS: &[&str] = &[
    "email",
    "phone",
    "mobile",
    "address",
    "street",
    "postal",
    "zip",
    "birth",
    "dob",
    "ssn",
    "social_security",
    "tax_id",
    "taxid",
    "passport",
    "national_id",
    "iban",
    "bank_account",
    "account_number",
    "routing",
    "card_number",
    "credit_card",
    "cvv",
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "private_key",
    "salary",
    "medical",
    "diagnosis",
];

/// The columns of `table` whose names say they hold personal or secret
/// data ([`SENSITIVE_COLUMN_WORDS`], matched as whole `_`-separated words
/// or word sequences: `email`, `user_email`, `phone_number`,
/// `date_of_birth`; not `emails_sent_count`… which still matches `email`
/// only as its own word).
pub fn sensitive_columns(table: &model::Table) -> Vec<&model::Column> {
    table
        .columns
        .iter()
        .filter(|c| {
            let name = format!("_{}_", c.name.to_ascii_lowercase());
            SENSITIVE_COLUMN_WORDS
                .iter()
                .any(|w| name.contains(&format!("_{w}_")))
                || name.contains("_birth") // date_of_birth, birthdate
        })
        .collect()
}

/// Whether a table holds user data: an owner column ([`owner_column`]) or a
/// sensitive column ([`sensitive_columns`]).
pub fn holds_user_data(table: &model::Table) -> bool {
    owner_column(table).is_some() || !sensitive_columns(table).is_empty()
}

/// For unit tests: the findings of rule `rule` in `sql`, analysed alone as
/// a Supabase migration (`supabase/migrations/1_a.sql`) with the default
/// configuration.
#[cfg(test)]
pub(crate) fn findings_in_migration(rule: &str, sql: &str) -> Vec<crate::analysis::Finding> {
    crate::analysis::analyze_text(
        std::path::Path::new("supabase/migrations/1_a.sql"),
        sql,
        crate::language::Language::Sql,
        &crate::config::Config::default(),
    )
    .into_iter()
    .filter(|f| f.rule == rule)
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::{parse, Language};
    use std::path::Path;

    fn facing(path: &str, text: &str) -> bool {
        let tree = parse(Language::Sql, text, None).unwrap();
        is_supabase_facing(&FileContext::new(
            Path::new(path),
            text,
            &tree,
            Language::Sql,
        ))
    }

    #[test]
    fn supabase_projects_are_told_apart_from_plain_postgres() {
        let plain = "create table users (id int, is_authenticated bool, anonymous int);";
        assert!(!facing("prisma/migrations/1/migration.sql", plain));
        assert!(facing("supabase/migrations/20240101_init.sql", plain));
        assert!(facing("db/x.sql", "grant select on t to anon;"));
        assert!(facing(
            "db/x.sql",
            "create policy p on t using (auth.uid() = owner);"
        ));
        assert!(facing(
            "db/x.sql",
            "create table t (id uuid references auth.users);"
        ));
        assert!(!facing(
            "db/x.sql",
            "create table anonymous_stats (id int);"
        ));
    }

    #[test]
    fn identifiers_fold_like_postgres() {
        assert_eq!(fold_identifier("Users"), "users");
        assert_eq!(fold_identifier("\"Users\""), "Users");
        assert_eq!(fold_identifier("\"a\"\"b\""), "a\"b");
    }

    #[test]
    fn owner_and_sensitive_columns() {
        use crate::analysis::workspace::{SqlSource, SqlWorkspace};
        let sql = "create table public.notes (id uuid primary key, author uuid references auth.users, user_email text, phone_number text, emails_sent int, date_of_birth date, title text);\ncreate table public.products (id int, name text, price int);\ncreate table public.profiles (id uuid primary key references auth.users, bio text);";
        let src = SqlSource::new(
            "supabase/migrations/1.sql".into(),
            "/1.sql".into(),
            sql.into(),
        );
        let ws = SqlWorkspace::build(vec![src], &model::Settings::default());
        let t = |n: &str| ws.schema.tables.iter().find(|t| t.name.name == n).unwrap();
        assert_eq!(
            owner_column(t("notes")).map(|c| c.name.as_str()),
            Some("author")
        );
        let names: Vec<&str> = sensitive_columns(t("notes"))
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(names, ["user_email", "phone_number", "date_of_birth"]);
        assert!(!holds_user_data(t("products")));
        assert_eq!(
            owner_column(t("profiles")).map(|c| c.name.as_str()),
            Some("id")
        );
    }
}

//! Helpers shared by the rules on views, functions and grants
//! (`sql/security-definer-view`, `sql/auth-users-exposed`,
//! `sql/function-search-path`, `sql/security-definer-exposed`,
//! `sql/grant-to-anon`, `sql/pii-exposed`): who can reach a view or a
//! function, finding the statement a [`Loc`] points at (also inside a `DO`
//! body), related places in other files, and inserting a statement after
//! another.

use std::ops::Range;

use tree_sitter::Node;

use crate::analysis::sql::model::{Grants, Loc, Privilege, Reach, View};
use crate::analysis::sql::statements::{self, Statement};
use crate::analysis::sql::QualifiedName;
use crate::analysis::util::{child_of_kind, has_child, line_end, newline_of};
use crate::analysis::workspace::SqlWorkspace;
use crate::analysis::Related;
use crate::fix::Edit;
use crate::language::{self, Language};

/// Schemas that Supabase manages itself (and its database linter skips):
/// objects a migration puts there are not the app's API surface, and their
/// settings are Supabase's business.
pub const SYSTEM_SCHEMAS: &[&str] = &[
    "auth",
    "cron",
    "extensions",
    "graphql",
    "graphql_public",
    "information_schema",
    "net",
    "pgmq",
    "pgsodium",
    "pgsodium_masks",
    "pgbouncer",
    "pg_catalog",
    "pgtle",
    "realtime",
    "repack",
    "storage",
    "supabase_functions",
    "supabase_migrations",
    "vault",
];

/// The schema a name resolves to (`public` when unqualified).
pub fn schema_of(name: &QualifiedName) -> &str {
    name.schema.as_deref().unwrap_or("public")
}

/// A name for messages: `schema.name`, with `public.` spelled out.
pub fn display(name: &QualifiedName) -> String {
    format!("{}.{}", schema_of(name), name.name)
}

/// Whether `role` holds `privilege` (itself or through PUBLIC) in `grants`,
/// and whether the answer rests on the assumed Supabase default grants:
/// the same reading as [`Schema::table_reach`](crate::analysis::sql::model::Schema::table_reach),
/// for views and functions.
pub fn reach(
    grants: &Grants,
    explicit: &std::collections::BTreeSet<String>,
    role: &str,
    privilege: Privilege,
) -> Reach {
    let holds = |r: &str| grants.get(r).is_some_and(|p| p.contains(&privilege));
    let granted = holds(role) || holds("public");
    let assumed = if granted {
        !((holds(role) && explicit.contains(role))
            || (holds("public") && explicit.contains("public")))
    } else {
        !explicit.contains(role)
    };
    Reach { granted, assumed }
}

/// Whether `role` may SELECT from a view.
pub fn view_reach(view: &View, role: &str) -> Reach {
    reach(&view.grants, &view.explicit_grants, role, Privilege::Select)
}

/// The API roles (`anon`, then `authenticated`) that may SELECT from a
/// view, each with its [`Reach`].
pub fn view_readers(view: &View) -> Vec<(&'static str, Reach)> {
    ["anon", "authenticated"]
        .into_iter()
        .map(|r| (r, view_reach(view, r)))
        .filter(|(_, reach)| reach.granted)
        .collect()
}

/// `anon` / `anon and authenticated` for a message, each role followed
/// by a note when its access rests on Supabase's assumed default grants,
/// and a closing note for the message when every role's does.
pub fn readers_text(readers: &[(&'static str, Reach)]) -> (String, &'static str) {
    let all_assumed = readers.iter().all(|(_, r)| r.assumed);
    let names: Vec<String> = readers
        .iter()
        .map(|(role, r)| {
            if r.assumed && !all_assumed {
                format!("{role} (by Supabase's default grants, assumed)")
            } else {
                role.to_string()
            }
        })
        .collect();
    let note = if all_assumed {
        " (by Supabase's default grants, which the migrations neither give nor revoke: assumed)"
    } else {
        ""
    };
    (names.join(" and "), note)
}

/// The holders among PUBLIC, `anon` and `authenticated` of `privilege` in
/// `grants`: whom a `revoke` must name to take it from the API roles.
pub fn api_holders(grants: &Grants, privilege: Privilege) -> Vec<&'static str> {
    ["public", "anon", "authenticated"]
        .into_iter()
        .filter(|r| grants.get(*r).is_some_and(|p| p.contains(&privilege)))
        .collect()
}

/// The statement `loc` points at, parsed alone: the file's statement
/// itself, or — for a statement inside a `DO` body, whose `Loc` names the
/// `DO` statement with the inner statement's range — that inner statement,
/// split and parsed again. `None` when it cannot be found.
pub fn statement_at(ws: &SqlWorkspace, loc: &Loc) -> Option<Statement> {
    let file = ws.files.get(loc.file)?;
    let outer = file.statements.get(loc.statement)?;
    if outer.range.start == loc.range.start {
        return Some(outer.clone());
    }
    if !(outer.range.start < loc.range.start && loc.range.start < outer.range.end) {
        return None;
    }
    let rest = file.text.get(loc.range.start..outer.range.end)?;
    let piece = statements::split(rest).into_iter().next()?;
    let range = loc.range.start + piece.start..loc.range.start + piece.end;
    let tree = language::parse(Language::Sql, file.text.get(range.clone())?, None)?;
    Some(Statement { range, tree })
}

/// Whether `loc` points inside a `DO` body rather than at a statement of
/// its own.
pub fn in_do_block(ws: &SqlWorkspace, loc: &Loc) -> bool {
    ws.files
        .get(loc.file)
        .and_then(|f| f.statements.get(loc.statement))
        .is_some_and(|s| s.range.start != loc.range.start)
}

/// A related place: `None` as the path for the finding's own file.
pub fn related(
    ws: &SqlWorkspace,
    this_file: usize,
    file: usize,
    range: Range<usize>,
    message: impl Into<String>,
) -> Related {
    Related {
        path: (file != this_file).then(|| ws.files[file].path.clone()),
        range,
        message: message.into(),
    }
}

/// Whether a CREATE statement makes a temporary object.
pub fn is_temporary(node: Node<'_>) -> bool {
    child_of_kind(node, "OptTemp")
        .is_some_and(|t| has_child(t, "kw_temp") || has_child(t, "kw_temporary"))
}

/// An edit inserting the statement `sql` (with its `;`) after the
/// statement whose bytes are `stmt` (its `;` included when it has one),
/// after a trailing comment on the same line, if any. At the top level
/// (`indent` is `None`) a blank line separates the two; inside a `DO` body
/// the new statement goes on the next line with the given indentation.
pub fn insert_after(text: &str, stmt: Range<usize>, sql: &str, indent: Option<&str>) -> Edit {
    let nl = newline_of(text);
    let sep = match indent {
        None => format!("{nl}{nl}"),
        Some(i) => format!("{nl}{i}"),
    };
    let after = stmt.end.min(text.len());
    if text[..after].ends_with(';') {
        let eol = line_end(text, after);
        let rest = text[after..eol].trim();
        let at = if rest.is_empty() || rest.starts_with("--") {
            eol
        } else {
            after
        };
        Edit::insert(at, format!("{sep}{sql}"))
    } else {
        Edit::insert(after, format!(";{sep}{sql}"))
    }
}

/// The whitespace that starts the line holding byte `offset`.
pub fn indent_at(text: &str, offset: usize) -> &str {
    crate::analysis::util::line_indent(text, offset)
}

/// The text a `function_with_argtypes` needs to name a function created
/// with `func_args_with_defaults` (`(a int default 1, out b text)` →
/// `(a int, out b text)`): each argument without its default.
pub fn argtypes(text: &str, stmt: &Statement, args: Node<'_>) -> String {
    let mut parts = Vec::new();
    crate::analysis::util::walk(args, |cursor, _| {
        let n = cursor.node();
        if n.kind() == "func_arg" {
            parts.push(
                text.get(stmt.file_range(n))
                    .unwrap_or("")
                    .trim()
                    .to_string(),
            );
            crate::analysis::util::Step::Over
        } else {
            crate::analysis::util::Step::Into
        }
    });
    format!("({})", parts.join(", "))
}

/// The name of a view as written in its `create [materialized] view`
/// statement, and its bytes in the file.
pub fn view_name_written<'w>(
    ws: &'w SqlWorkspace,
    view: &View,
    stmt: &Statement,
) -> Option<(&'w str, Range<usize>)> {
    let node = stmt.node()?;
    let name = match node.kind() {
        "ViewStmt" => child_of_kind(node, "qualified_name")?,
        "CreateMatViewStmt" => {
            child_of_kind(child_of_kind(node, "create_mv_target")?, "qualified_name")?
        }
        _ => return None,
    };
    let range = stmt.file_range(name);
    Some((ws.files[view.created.file].text.get(range.clone())?, range))
}

/// A fix that revokes SELECT on a view from the API roles that hold it
/// (PUBLIC, `anon`, `authenticated`), inserted after its `create`
/// statement. `None` when none holds it or the statement is not found.
pub fn revoke_select_fix(
    ws: &SqlWorkspace,
    view: &View,
    stmt: &Statement,
) -> Option<crate::fix::Fix> {
    let holders = api_holders(&view.grants, Privilege::Select);
    if holders.is_empty() {
        return None;
    }
    let (written, _) = view_name_written(ws, view, stmt)?;
    let text = &ws.files[view.created.file].text;
    let indent = in_do_block(ws, &view.created).then(|| indent_at(text, view.created.range.start));
    let sql = format!("revoke select on {written} from {};", holders.join(", "));
    Some(crate::fix::Fix::new(
        format!(
            "Revoke select on {} from {}",
            display(&view.name),
            holders.join(", ")
        ),
        crate::fix::Applicability::Unsafe,
        insert_after(text, stmt.range.clone(), &sql, indent),
    ))
}

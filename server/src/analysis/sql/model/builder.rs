//! Replaying statements into a [`Schema`].
//!
//! Every statement of every file is read in order and applied to the state
//! as PostgreSQL would run it; a statement PostgreSQL would reject (a syntax
//! error, a second `create table` of an existing table, an `alter` of a
//! missing object) changes nothing. One exception: a policy or view whose
//! only syntax errors lie inside its `USING` / `WITH CHECK` expression or
//! its query is kept, since tree-sitter-postgres does not know every
//! expression PostgreSQL does (`x = any (select …)`). What is understood:
//!
//! - `CREATE [TEMP|UNLOGGED] TABLE [IF NOT EXISTS]` with columns, inline and
//!   table-constraint `references`, `LIKE`, `INHERITS`, `PARTITION OF` (the
//!   parent's columns are copied); `CREATE TABLE … AS`.
//! - `ALTER TABLE [IF EXISTS] [ONLY]`: `enable | disable | force | no force
//!   row level security`, `add [column] [if not exists]`, `add constraint …
//!   foreign key`, `drop [column] [if exists]`, `alter [column] … type`,
//!   `set (…)` / `reset (…)` on a view; `RENAME TO`, `RENAME [COLUMN]`,
//!   `SET SCHEMA`; `DROP TABLE` (lists; `cascade` also drops the views that
//!   read the table); `DROP SCHEMA … CASCADE`.
//! - `CREATE POLICY`, `ALTER POLICY` (rename, roles, expressions), `DROP
//!   POLICY`. Policies on tables the migrations never create
//!   (`storage.objects`) are kept; a policy goes away with its table.
//! - `GRANT` / `REVOKE` on tables, views, `ALL TABLES IN SCHEMA`, functions
//!   (with or without argument types: without, every overload), `ALL
//!   FUNCTIONS | ROUTINES | PROCEDURES IN SCHEMA`; column lists count as
//!   the whole privilege; `revoke grant option for` changes no privilege.
//!   `ALTER DEFAULT PRIVILEGES [FOR ROLE …] [IN SCHEMA …] GRANT | REVOKE … ON
//!   TABLES | FUNCTIONS | ROUTINES` (the `FOR ROLE` is ignored: migrations
//!   run as one role).
//! - `CREATE [OR REPLACE] [MATERIALIZED] VIEW` with `security_invoker`, the
//!   relations it reads; `ALTER VIEW … SET | RESET (…)`, renames, `DROP VIEW`.
//! - `CREATE [OR REPLACE] FUNCTION | PROCEDURE` (language, security, `set
//!   search_path`, body), `ALTER FUNCTION` (`set | reset search_path`,
//!   `security definer | invoker`, rename, set schema), `DROP FUNCTION`.
//! - `DO` blocks: the DDL statements of a PL/pgSQL body (`… then alter table
//!   t enable row level security;`) are applied as if they ran (conditions
//!   are not evaluated; dynamic `EXECUTE` strings are not read); a block
//!   with a DDL statement that does not parse does nothing, as PL/pgSQL
//!   rejects the whole body.
//!
//! Not modelled: `set search_path` between statements (an unqualified name
//! is always `public`), `EXECUTE format(…)`, `ALTER … OWNER`, sequences,
//! types, schemas' own privileges (`grant usage on schema`), column
//! privileges as such (they count as the table privilege), roles.
//!
//! Default privileges follow PostgreSQL: a new object gets the global
//! defaults (PUBLIC EXECUTE on functions) united with those of its schema.
//! Supabase's defaults (when [`Settings::default_api_grants`]) are
//! per-schema defaults of the exposed schemas, so — as in a real Supabase
//! database — `alter default privileges revoke … from anon` without `in
//! schema` does not take them away; `… in schema public revoke …` does.
//!
//! `Loc`s: a table's `created.range` is `create table <name>`, a view's
//! `create view <name>`, a function's `create function <name>(<args>)`, a
//! policy's and an RLS change's the whole statement. Statements found in a
//! `DO` body point at the DO statement's index, with the range of the
//! statement inside the body.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};

use tree_sitter::Node;

use super::{
    Column, Command, Function, Grants, Loc, Policy, PolicyExpr, Privilege, Rls, RlsChange, Schema,
    Settings, SqlFile, Table, View,
};
use crate::analysis::sql::statements::{self, Statement};
use crate::analysis::sql::{fold_identifier, statement_name, QualifiedName};
use crate::analysis::util::{child_of_kind, has_child, walk, Step};
use crate::language::{self, Language};

const TABLE_PRIVILEGES: [Privilege; 7] = [
    Privilege::Select,
    Privilege::Insert,
    Privilege::Update,
    Privilege::Delete,
    Privilege::Truncate,
    Privilege::References,
    Privilege::Trigger,
];

/// The roles Supabase's default privileges grant to.
const API_ROLES: [&str; 3] = ["anon", "authenticated", "service_role"];

/// The schema of temporary objects (never exposed).
const TEMP_SCHEMA: &str = "pg_temp";

pub(super) fn build(files: &[SqlFile<'_>], settings: &Settings) -> Schema {
    let mut b = Builder::new(settings);
    for (file, f) in files.iter().enumerate() {
        for (index, stmt) in f.statements.iter().enumerate() {
            let at = At {
                file,
                index,
                text: f.text,
                stmt,
            };
            if cfg!(test) {
                b.statement(at, true);
            } else {
                // A bug here must not cost the whole model.
                let _ = catch_unwind(AssertUnwindSafe(|| b.statement(at, true)));
            }
        }
    }
    Schema {
        files: files.iter().map(|f| f.path.clone()).collect(),
        tables: b.tables,
        policies: b.policies,
        views: b.views,
        functions: b.functions.into_iter().map(|(f, _)| f).collect(),
        exposed_schemas: settings.exposed_schemas.clone(),
        default_api_grants: settings.default_api_grants,
    }
}

/// One statement being replayed, and where it is.
#[derive(Clone, Copy)]
struct At<'a> {
    file: usize,
    index: usize,
    text: &'a str,
    stmt: &'a Statement,
}

impl<'a> At<'a> {
    fn text(&self, node: Node<'_>) -> &'a str {
        self.text.get(self.stmt.file_range(node)).unwrap_or("")
    }

    fn range(&self, node: Node<'_>) -> Range<usize> {
        self.stmt.file_range(node)
    }

    fn loc(&self, range: Range<usize>) -> Loc {
        Loc {
            file: self.file,
            statement: self.index,
            range,
        }
    }

    /// The whole statement.
    fn whole(&self) -> Loc {
        self.loc(self.stmt.range.clone())
    }

    /// From the statement's start to the end of `node`.
    fn head(&self, node: Node<'_>) -> Loc {
        let end = self.range(node).end.max(self.stmt.range.start);
        self.loc(self.stmt.range.start..end)
    }

    fn name(&self, node: Node<'_>) -> Option<QualifiedName> {
        statement_name(self.text, self.stmt, node)
    }

    /// A single identifier (`name`, `ColId`, `RoleSpec`), folded.
    fn ident(&self, node: Node<'_>) -> String {
        fold_identifier(self.text(node))
    }
}

/// The kinds of objects default privileges apply to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// Tables, views, materialized views.
    Relation,
    /// Functions and procedures.
    Routine,
}

/// Default privileges of one scope (global, or one schema) for one kind.
#[derive(Clone, Debug, Default)]
struct DefaultAcl {
    grants: Grants,
    /// Roles an `ALTER DEFAULT PRIVILEGES` of the migrations touched.
    touched: BTreeSet<String>,
}

/// `ALTER DEFAULT PRIVILEGES` state: global and per-schema defaults.
#[derive(Debug)]
struct Defaults {
    global: BTreeMap<Kind, DefaultAcl>,
    schemas: BTreeMap<(String, Kind), DefaultAcl>,
    exposed: Vec<String>,
    api_grants: bool,
}

impl Defaults {
    fn new(settings: &Settings) -> Defaults {
        let mut global = BTreeMap::new();
        let mut routines = DefaultAcl::default();
        routines
            .grants
            .insert("public".to_string(), BTreeSet::from([Privilege::Execute]));
        global.insert(Kind::Routine, routines);
        Defaults {
            global,
            schemas: BTreeMap::new(),
            exposed: settings.exposed_schemas.clone(),
            api_grants: settings.default_api_grants,
        }
    }

    /// The per-schema defaults, created with Supabase's assumed ones.
    fn schema_acl(&mut self, schema: &str, kind: Kind) -> &mut DefaultAcl {
        let api = self.api_grants && self.exposed.iter().any(|s| s == schema);
        self.schemas
            .entry((schema.to_string(), kind))
            .or_insert_with(|| {
                let mut acl = DefaultAcl::default();
                if api {
                    let privileges: BTreeSet<Privilege> = match kind {
                        Kind::Relation => TABLE_PRIVILEGES.into_iter().collect(),
                        Kind::Routine => BTreeSet::from([Privilege::Execute]),
                    };
                    for role in API_ROLES {
                        acl.grants.insert(role.to_string(), privileges.clone());
                    }
                }
                acl
            })
    }

    /// The grants a new object of `kind` in `schema` starts with, and the
    /// roles among them that do not rest on the assumed defaults.
    fn for_new(&mut self, schema: &str, kind: Kind) -> (Grants, BTreeSet<String>) {
        let global = self.global.get(&kind).cloned().unwrap_or_default();
        let local = self.schema_acl(schema, kind).clone();
        let mut grants = global.grants.clone();
        for (role, privileges) in &local.grants {
            grants
                .entry(role.clone())
                .or_default()
                .extend(privileges.iter().copied());
        }
        grants.retain(|_, p| !p.is_empty());
        // A role's grant is assumed when it comes from an untouched
        // per-schema entry, which only the settings create.
        let assumed: BTreeSet<&String> = local
            .grants
            .iter()
            .filter(|(r, p)| !p.is_empty() && !local.touched.contains(*r))
            .map(|(r, _)| r)
            .collect();
        let mut explicit: BTreeSet<String> = local.touched.clone();
        explicit.extend(
            global
                .touched
                .iter()
                .filter(|r| !assumed.contains(r))
                .cloned(),
        );
        if kind == Kind::Routine {
            explicit.insert("public".to_string());
        }
        (grants, explicit)
    }

    fn alter(
        &mut self,
        schemas: &[String],
        kind: Kind,
        grant: bool,
        privileges: &BTreeSet<Privilege>,
        roles: &[String],
    ) {
        let apply = |acl: &mut DefaultAcl| {
            change_grants(&mut acl.grants, &mut acl.touched, roles, privileges, grant);
        };
        if schemas.is_empty() {
            apply(self.global.entry(kind).or_default());
        } else {
            for schema in schemas {
                apply(self.schema_acl(schema, kind));
            }
        }
    }
}

/// Grants or revokes `privileges` for `roles`, marking them explicit.
fn change_grants(
    grants: &mut Grants,
    explicit: &mut BTreeSet<String>,
    roles: &[String],
    privileges: &BTreeSet<Privilege>,
    grant: bool,
) {
    for role in roles {
        explicit.insert(role.clone());
        if grant {
            grants
                .entry(role.clone())
                .or_default()
                .extend(privileges.iter().copied());
        } else if let Some(held) = grants.get_mut(role) {
            held.retain(|p| !privileges.contains(p));
            if held.is_empty() {
                grants.remove(role);
            }
        }
    }
}

/// The privileges a GRANT or REVOKE names.
enum Privileges {
    All,
    Some(BTreeSet<Privilege>),
}

impl Privileges {
    /// Those that apply to an object of `kind`.
    fn on(&self, kind: Kind) -> BTreeSet<Privilege> {
        match (self, kind) {
            (Privileges::All, Kind::Relation) => TABLE_PRIVILEGES.into_iter().collect(),
            (Privileges::All, Kind::Routine) => BTreeSet::from([Privilege::Execute]),
            (Privileges::Some(p), Kind::Relation) => p
                .iter()
                .copied()
                .filter(|p| *p != Privilege::Execute)
                .collect(),
            (Privileges::Some(p), Kind::Routine) => p
                .iter()
                .copied()
                .filter(|p| *p == Privilege::Execute)
                .collect(),
        }
    }
}

struct Builder {
    tables: Vec<Table>,
    policies: Vec<Policy>,
    views: Vec<View>,
    /// Functions with their identity key (normalised input argument types).
    functions: Vec<(Function, String)>,
    defaults: Defaults,
    /// Every relation the migrations ever created (a policy on one that was
    /// dropped since would fail; one on a relation never created is on a
    /// table made elsewhere, such as `storage.objects`, and is kept).
    ever_created: Vec<QualifiedName>,
    /// RLS changes made by `alter table` on a table no statement created
    /// (yet): a table made outside the migrations (in the dashboard, by a
    /// dump), or one whose migrations' timestamps are out of order. When a
    /// later `create table` makes it, it starts with these changes applied
    /// — the database where those statements ran had the table already.
    early_rls: Vec<(QualifiedName, Loc, RlsChange)>,
    /// Replaying the statements of a DO block: they are often guarded by
    /// `if exists (…)`, which the model does not evaluate, so a statement
    /// there on a table that does not exist yet is taken as skipped.
    in_do_block: bool,
}

impl Builder {
    fn new(settings: &Settings) -> Builder {
        Builder {
            tables: Vec::new(),
            policies: Vec::new(),
            views: Vec::new(),
            functions: Vec::new(),
            defaults: Defaults::new(settings),
            ever_created: Vec::new(),
            early_rls: Vec::new(),
            in_do_block: false,
        }
    }

    fn statement(&mut self, at: At<'_>, top_level: bool) {
        if !parses(at.stmt) {
            return;
        }
        let Some(node) = at.stmt.node() else { return };
        match node.kind() {
            "CreateStmt" => self.create_table(at, node),
            "CreateAsStmt" => self.create_table_as(at, node),
            "AlterTableStmt" => self.alter_table(at, node),
            "RenameStmt" => self.rename(at, node),
            "AlterObjectSchemaStmt" => self.set_schema(at, node),
            "DropStmt" => self.drop(at, node),
            "CreatePolicyStmt" => self.create_policy(at, node),
            "AlterPolicyStmt" => self.alter_policy(at, node),
            "GrantStmt" => self.grant(at, node, true),
            "RevokeStmt" => self.grant(at, node, false),
            "AlterDefaultPrivilegesStmt" => self.default_privileges(at, node),
            "ViewStmt" => self.create_view(at, node, false),
            "CreateMatViewStmt" => self.create_view(at, node, true),
            "CreateFunctionStmt" => self.create_function(at, node),
            "AlterFunctionStmt" => self.alter_function(at, node),
            "RemoveFuncStmt" => self.drop_function(at, node),
            "DoStmt" if top_level => self.do_block(at, node),
            _ => {}
        }
    }

    // ----- relations -------------------------------------------------------

    fn table_index(&self, name: &QualifiedName) -> Option<usize> {
        self.tables.iter().position(|t| t.name.same_relation(name))
    }

    fn view_index(&self, name: &QualifiedName) -> Option<usize> {
        self.views.iter().position(|v| v.name.same_relation(name))
    }

    fn relation_exists(&self, name: &QualifiedName) -> bool {
        self.table_index(name).is_some() || self.view_index(name).is_some()
    }

    fn create_table(&mut self, at: At<'_>, node: Node<'_>) {
        if !has_child(node, "kw_table") {
            return;
        }
        let names = children(node, "qualified_name");
        let Some(&name_node) = names.first() else {
            return;
        };
        let Some(name) = at.name(name_node) else {
            return;
        };
        if self.relation_exists(&name) {
            return;
        }
        let temporary = is_temporary(node);
        let mut columns: Vec<Column> = Vec::new();
        // INHERITS and PARTITION OF bring the parent's columns first.
        if let Some(inherit) = child_of_kind(node, "OptInherit") {
            for parent in items(inherit, &["qualified_name_list"], "qualified_name") {
                self.copy_columns(at, parent, at.range(inherit), &mut columns);
            }
        }
        if has_child(node, "kw_partition") {
            if let Some(&parent) = names.get(1) {
                self.copy_columns(at, parent, at.range(parent), &mut columns);
            }
        }
        let mut foreign_keys = Vec::new();
        if let Some(list) = child_of_kind(node, "OptTableElementList") {
            for element in items(list, &["TableElementList"], "TableElement") {
                let Some(inner) = element.named_child(0) else {
                    continue;
                };
                match inner.kind() {
                    "columnDef" => {
                        if let Some(column) = column(at, inner) {
                            columns.retain(|c| c.name != column.name);
                            columns.push(column);
                        }
                    }
                    "TableConstraint" => foreign_keys.extend(foreign_key(at, inner)),
                    "TableLikeClause" => {
                        if let Some(source) = child_of_kind(inner, "qualified_name") {
                            self.copy_columns(at, source, at.range(inner), &mut columns);
                        }
                    }
                    _ => {}
                }
            }
        }
        for (cols, target) in foreign_keys {
            set_references(&mut columns, &cols, &target);
        }
        let created = at.head(name_node);
        self.new_table(name, created, columns, temporary);
    }

    /// Appends the columns of the table `source` names (LIKE, INHERITS,
    /// PARTITION OF), with `range` (in this statement) as their place.
    fn copy_columns(
        &self,
        at: At<'_>,
        source: Node<'_>,
        range: Range<usize>,
        columns: &mut Vec<Column>,
    ) {
        let Some(name) = at.name(source) else { return };
        let Some(i) = self.table_index(&name) else {
            return;
        };
        for c in &self.tables[i].columns {
            if columns.iter().any(|x| x.name == c.name) {
                continue;
            }
            columns.push(Column {
                name: c.name.clone(),
                type_text: c.type_text.clone(),
                references: None,
                range: range.clone(),
            });
        }
    }

    fn create_table_as(&mut self, at: At<'_>, node: Node<'_>) {
        if !has_child(node, "kw_table") {
            return;
        }
        let Some(target) = child_of_kind(node, "create_as_target") else {
            return;
        };
        let Some(name_node) = child_of_kind(target, "qualified_name") else {
            return;
        };
        let Some(name) = at.name(name_node) else {
            return;
        };
        if self.relation_exists(&name) {
            return;
        }
        // Only an explicit column list names the columns; their types are
        // those of the query.
        let columns = child_of_kind(target, "opt_column_list")
            .map(|l| {
                items(l, &["columnList"], "columnElem")
                    .into_iter()
                    .map(|c| Column {
                        name: at.ident(c),
                        type_text: String::new(),
                        references: None,
                        range: at.range(c),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let created = at.head(name_node);
        self.new_table(name, created, columns, is_temporary(node));
    }

    fn new_table(
        &mut self,
        name: QualifiedName,
        created: Loc,
        columns: Vec<Column>,
        temporary: bool,
    ) {
        let schema = if temporary {
            TEMP_SCHEMA.to_string()
        } else {
            schema_of(&name)
        };
        let (grants, explicit_grants) = self.defaults.for_new(&schema, Kind::Relation);
        self.ever_created.push(name.clone());
        let mut table = Table {
            name,
            created,
            columns,
            rls: Rls::default(),
            rls_changes: Vec::new(),
            grants,
            explicit_grants,
            temporary,
        };
        if !temporary {
            let (early, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut self.early_rls)
                .into_iter()
                .partition(|(n, _, _)| n.same_relation(&table.name));
            self.early_rls = rest;
            for (_, loc, change) in early {
                apply_rls(&mut table, loc, change);
            }
        }
        self.tables.push(table);
    }

    fn alter_table(&mut self, at: At<'_>, node: Node<'_>) {
        let on_view = has_child(node, "kw_view") || has_child(node, "kw_materialized");
        let Some(target) =
            child_of_kind(node, "relation_expr").or_else(|| child_of_kind(node, "qualified_name"))
        else {
            return;
        };
        let Some(name) = at.name(target) else { return };
        let Some(cmds) = child_of_kind(node, "alter_table_cmds") else {
            return;
        };
        for cmd in items(cmds, &["alter_table_cmds"], "alter_table_cmd") {
            // ALTER TABLE also alters views; ALTER VIEW only views.
            match (on_view, self.table_index(&name), self.view_index(&name)) {
                (false, Some(t), _) => self.alter_table_cmd(at, t, cmd),
                (_, _, Some(v)) => self.alter_view_cmd(at, v, cmd),
                (false, None, None)
                    if !self.in_do_block
                        && !self.ever_created.iter().any(|n| n.same_relation(&name)) =>
                {
                    if let Some(change) = rls_change(cmd) {
                        self.early_rls.push((name.clone(), at.whole(), change));
                    }
                }
                _ => {}
            }
        }
    }

    fn alter_table_cmd(&mut self, at: At<'_>, t: usize, cmd: Node<'_>) {
        let Some(first) = cmd.named_child(0) else {
            return;
        };
        let table = &mut self.tables[t];
        if let Some(change) = rls_change(cmd) {
            apply_rls(table, at.whole(), change);
            return;
        }
        if has_child(cmd, "kw_row") && has_child(cmd, "kw_level") && has_child(cmd, "kw_security") {
            return;
        }
        match first.kind() {
            "kw_add" => {
                if let Some(def) = child_of_kind(cmd, "columnDef") {
                    if let Some(column) = column(at, def) {
                        if !table.columns.iter().any(|c| c.name == column.name) {
                            table.columns.push(column);
                        }
                    }
                } else if let Some(constraint) = child_of_kind(cmd, "TableConstraint") {
                    if let Some((cols, target)) = foreign_key(at, constraint) {
                        set_references(&mut table.columns, &cols, &target);
                    }
                }
            }
            "kw_drop" if !has_child(cmd, "kw_constraint") => {
                if let Some(col) = child_of_kind(cmd, "ColId") {
                    let col = at.ident(col);
                    table.columns.retain(|c| c.name != col);
                }
            }
            "kw_alter" if has_child(cmd, "kw_type") => {
                if let (Some(col), Some(ty)) =
                    (child_of_kind(cmd, "ColId"), child_of_kind(cmd, "Typename"))
                {
                    let col = at.ident(col);
                    let ty = at.text(ty).to_string();
                    if let Some(c) = table.columns.iter_mut().find(|c| c.name == col) {
                        c.type_text = ty;
                    }
                }
            }
            _ => {}
        }
    }

    fn alter_view_cmd(&mut self, at: At<'_>, v: usize, cmd: Node<'_>) {
        let Some(first) = cmd.named_child(0) else {
            return;
        };
        let Some(options) = child_of_kind(cmd, "reloptions") else {
            return;
        };
        match first.kind() {
            "kw_set" => {
                if let Some(on) = security_invoker(at, options) {
                    self.views[v].security_invoker = on;
                }
            }
            "kw_reset" => {
                let resets = items(options, &["reloption_list"], "reloption_elem")
                    .into_iter()
                    .any(|e| option_name(at, e) == "security_invoker");
                if resets {
                    self.views[v].security_invoker = false;
                }
            }
            _ => {}
        }
    }

    /// Renames a table or view everywhere it is referred to.
    fn rename_relation(&mut self, old: &QualifiedName, new: QualifiedName) {
        if self.relation_exists(&new) {
            return;
        }
        // A relation made outside the migrations is renamed too: its
        // policies follow it.
        let known = if let Some(t) = self.table_index(old) {
            self.tables[t].name = new.clone();
            true
        } else if let Some(v) = self.view_index(old) {
            self.views[v].name = new.clone();
            true
        } else {
            false
        };
        for p in &mut self.policies {
            if p.table.same_relation(old) {
                p.table = new.clone();
            }
        }
        for v in &mut self.views {
            for r in &mut v.reads {
                if r.same_relation(old) {
                    *r = new.clone();
                }
            }
        }
        if known {
            self.ever_created.push(new);
        }
    }

    fn rename(&mut self, at: At<'_>, node: Node<'_>) {
        let Some(object) = node.named_child(1) else {
            return;
        };
        let names = children(node, "name");
        let Some(&new_node) = names.last() else {
            return;
        };
        let new = at.ident(new_node);
        match object.kind() {
            "kw_table" | "kw_view" | "kw_materialized" => {
                if has_child(node, "kw_constraint") {
                    return;
                }
                let Some(target) = child_of_kind(node, "relation_expr")
                    .or_else(|| child_of_kind(node, "qualified_name"))
                else {
                    return;
                };
                let Some(old) = at.name(target) else { return };
                match names.len() {
                    1 => {
                        let renamed = QualifiedName {
                            schema: old.schema.clone(),
                            name: new,
                        };
                        let is_view = object.kind() != "kw_table";
                        if is_view && self.table_index(&old).is_some() {
                            return;
                        }
                        self.rename_relation(&old, renamed);
                    }
                    2 if object.kind() == "kw_table" => {
                        let from = at.ident(names[0]);
                        if let Some(t) = self.table_index(&old) {
                            let columns = &mut self.tables[t].columns;
                            if columns.iter().any(|c| c.name == new) {
                                return;
                            }
                            if let Some(c) = columns.iter_mut().find(|c| c.name == from) {
                                c.name = new;
                            }
                        }
                    }
                    _ => {}
                }
            }
            "kw_policy" => {
                if names.len() != 2 {
                    return;
                }
                let old = at.ident(names[0]);
                let Some(table) = child_of_kind(node, "qualified_name").and_then(|n| at.name(n))
                else {
                    return;
                };
                if self
                    .policies
                    .iter()
                    .any(|p| p.name == new && p.table.same_relation(&table))
                {
                    return;
                }
                if let Some(p) = self
                    .policies
                    .iter_mut()
                    .find(|p| p.name == old && p.table.same_relation(&table))
                {
                    p.name = new;
                }
            }
            "kw_function" | "kw_procedure" | "kw_routine" => {
                let Some(target) = child_of_kind(node, "function_with_argtypes") else {
                    return;
                };
                for i in self.function_matches(at, target) {
                    let f = &mut self.functions[i].0;
                    f.name = QualifiedName {
                        schema: f.name.schema.clone(),
                        name: new.clone(),
                    };
                }
            }
            "kw_schema" => {
                if names.len() != 2 {
                    return;
                }
                let old = at.ident(names[0]);
                self.rename_schema(&old, &new);
            }
            _ => {}
        }
    }

    fn rename_schema(&mut self, old: &str, new: &str) {
        let fix = |n: &mut QualifiedName| {
            if n.schema.as_deref().unwrap_or("public") == old {
                n.schema = Some(new.to_string());
            }
        };
        self.tables.iter_mut().for_each(|t| fix(&mut t.name));
        self.views.iter_mut().for_each(|v| {
            fix(&mut v.name);
            v.reads.iter_mut().for_each(fix);
        });
        self.policies.iter_mut().for_each(|p| fix(&mut p.table));
        self.functions
            .iter_mut()
            .for_each(|(f, _)| fix(&mut f.name));
    }

    fn set_schema(&mut self, at: At<'_>, node: Node<'_>) {
        let Some(object) = node.named_child(1) else {
            return;
        };
        let Some(schema) = child_of_kind(node, "name").map(|n| at.ident(n)) else {
            return;
        };
        match object.kind() {
            "kw_table" | "kw_view" | "kw_materialized" => {
                let Some(target) = child_of_kind(node, "relation_expr")
                    .or_else(|| child_of_kind(node, "qualified_name"))
                else {
                    return;
                };
                let Some(old) = at.name(target) else { return };
                let moved = QualifiedName {
                    schema: Some(schema),
                    name: old.name.clone(),
                };
                self.rename_relation(&old, moved);
            }
            "kw_function" | "kw_procedure" | "kw_routine" => {
                let Some(target) = child_of_kind(node, "function_with_argtypes") else {
                    return;
                };
                for i in self.function_matches(at, target) {
                    self.functions[i].0.name.schema = Some(schema.clone());
                }
            }
            _ => {}
        }
    }

    fn drop(&mut self, at: At<'_>, node: Node<'_>) {
        let cascade =
            child_of_kind(node, "opt_drop_behavior").is_some_and(|b| has_child(b, "kw_cascade"));
        if let Some(object) = child_of_kind(node, "object_type_any_name") {
            let Some(list) = child_of_kind(node, "any_name_list") else {
                return;
            };
            let names: Vec<QualifiedName> = items(list, &["any_name_list"], "any_name")
                .into_iter()
                .filter_map(|n| at.name(n))
                .collect();
            let Some(kind) = object.named_child(0).map(|k| k.kind()) else {
                return;
            };
            for name in names {
                match kind {
                    "kw_table" => {
                        if let Some(t) = self.table_index(&name) {
                            let table = self.tables.remove(t);
                            self.dropped_relation(&table.name, cascade);
                        } else if self.view_index(&name).is_none() {
                            // A table made outside the migrations: its
                            // policies go too, and so does the RLS state
                            // recorded for it.
                            self.dropped_relation(&name, cascade);
                            self.early_rls.retain(|(n, _, _)| !n.same_relation(&name));
                        }
                    }
                    "kw_view" | "kw_materialized" => {
                        let materialized = kind == "kw_materialized";
                        if let Some(v) = self
                            .view_index(&name)
                            .filter(|&v| self.views[v].materialized == materialized)
                        {
                            let view = self.views.remove(v);
                            self.dropped_relation(&view.name, cascade);
                        }
                    }
                    _ => {}
                }
            }
        } else if let Some(object) = child_of_kind(node, "object_type_name_on_any_name") {
            if !has_child(object, "kw_policy") {
                return;
            }
            let Some(name) = child_of_kind(node, "name").map(|n| at.ident(n)) else {
                return;
            };
            let Some(table) = child_of_kind(node, "any_name").and_then(|n| at.name(n)) else {
                return;
            };
            self.policies
                .retain(|p| !(p.name == name && p.table.same_relation(&table)));
        } else if let Some(object) = child_of_kind(node, "drop_type_name") {
            if !has_child(object, "kw_schema") || !cascade {
                return;
            }
            let Some(list) = child_of_kind(node, "name_list") else {
                return;
            };
            for schema in items(list, &["name_list"], "name") {
                let schema = at.ident(schema);
                let in_schema =
                    |n: &QualifiedName| n.schema.as_deref().unwrap_or("public") == schema;
                let dropped: Vec<QualifiedName> = self
                    .tables
                    .iter()
                    .map(|t| &t.name)
                    .chain(self.views.iter().map(|v| &v.name))
                    .filter(|n| in_schema(n))
                    .cloned()
                    .collect();
                self.tables.retain(|t| !in_schema(&t.name));
                self.views.retain(|v| !in_schema(&v.name));
                self.functions.retain(|(f, _)| !in_schema(&f.name));
                for name in dropped {
                    self.dropped_relation(&name, true);
                }
            }
        }
    }

    /// After a table or view is dropped: its policies go, and with CASCADE
    /// the views that read it (and those that read them).
    fn dropped_relation(&mut self, name: &QualifiedName, cascade: bool) {
        self.policies.retain(|p| !p.table.same_relation(name));
        if !cascade {
            return;
        }
        let mut gone = vec![name.clone()];
        while let Some(n) = gone.pop() {
            let mut i = 0;
            while i < self.views.len() {
                if self.views[i].reads.iter().any(|r| r.same_relation(&n)) {
                    let v = self.views.remove(i);
                    self.policies.retain(|p| !p.table.same_relation(&v.name));
                    gone.push(v.name);
                } else {
                    i += 1;
                }
            }
        }
    }

    // ----- policies --------------------------------------------------------

    fn create_policy(&mut self, at: At<'_>, node: Node<'_>) {
        let Some(name) = child_of_kind(node, "name").map(|n| at.ident(n)) else {
            return;
        };
        let Some(table) = child_of_kind(node, "qualified_name").and_then(|n| at.name(n)) else {
            return;
        };
        if self
            .policies
            .iter()
            .any(|p| p.name == name && p.table.same_relation(&table))
        {
            return;
        }
        // A policy on a relation the migrations created and dropped would
        // fail; on one they never created (storage.objects) it is kept.
        let exists = self.table_index(&table).is_some();
        if !exists
            && (self.in_do_block || self.ever_created.iter().any(|n| n.same_relation(&table)))
        {
            return;
        }
        let permissive = !child_of_kind(node, "RowSecurityDefaultPermissive")
            .is_some_and(|p| at.text(p).to_ascii_lowercase().contains("restrictive"));
        let command = child_of_kind(node, "RowSecurityDefaultForCmd")
            .and_then(|c| child_of_kind(c, "row_security_cmd"))
            .and_then(|c| c.named_child(0))
            .map_or(Command::All, |k| match k.kind() {
                "kw_select" => Command::Select,
                "kw_insert" => Command::Insert,
                "kw_update" => Command::Update,
                "kw_delete" => Command::Delete,
                _ => Command::All,
            });
        let to = child_of_kind(node, "RowSecurityDefaultToRole");
        let roles = to.map(|t| roles(at, t)).filter(|r| !r.is_empty());
        let roles_written = roles.is_some();
        let roles = roles.unwrap_or_else(|| vec!["public".to_string()]);
        let using = child_of_kind(node, "RowSecurityOptionalExpr").and_then(|e| policy_expr(at, e));
        let with_check =
            child_of_kind(node, "RowSecurityOptionalWithCheck").and_then(|e| policy_expr(at, e));
        self.policies.push(Policy {
            name,
            table,
            command,
            roles,
            roles_written,
            permissive,
            using,
            with_check,
            created: at.whole(),
        });
    }

    fn alter_policy(&mut self, at: At<'_>, node: Node<'_>) {
        let Some(name) = child_of_kind(node, "name").map(|n| at.ident(n)) else {
            return;
        };
        let Some(table) = child_of_kind(node, "qualified_name").and_then(|n| at.name(n)) else {
            return;
        };
        let Some(policy) = self
            .policies
            .iter_mut()
            .find(|p| p.name == name && p.table.same_relation(&table))
        else {
            return;
        };
        if let Some(to) = child_of_kind(node, "RowSecurityOptionalToRole") {
            let roles = roles(at, to);
            if !roles.is_empty() {
                policy.roles = roles;
                policy.roles_written = true;
            }
        }
        if let Some(e) =
            child_of_kind(node, "RowSecurityOptionalExpr").and_then(|e| policy_expr(at, e))
        {
            policy.using = Some(e);
        }
        if let Some(e) =
            child_of_kind(node, "RowSecurityOptionalWithCheck").and_then(|e| policy_expr(at, e))
        {
            policy.with_check = Some(e);
        }
    }

    // ----- privileges ------------------------------------------------------

    fn grant(&mut self, at: At<'_>, node: Node<'_>, grant: bool) {
        // REVOKE GRANT OPTION FOR … keeps the privilege itself.
        if !grant && has_child(node, "kw_option") {
            return;
        }
        let Some(privileges) = child_of_kind(node, "privileges").map(|p| privileges(at, p)) else {
            return;
        };
        let Some(target) = child_of_kind(node, "privilege_target") else {
            return;
        };
        let Some(roles) = child_of_kind(node, "grantee_list").map(|g| grantees(at, g)) else {
            return;
        };
        if roles.is_empty() {
            return;
        }
        let Some(first) = target.named_child(0) else {
            return;
        };
        match first.kind() {
            "kw_all" => {
                let Some(list) = child_of_kind(target, "name_list") else {
                    return;
                };
                let schemas: Vec<String> = items(list, &["name_list"], "name")
                    .into_iter()
                    .map(|n| at.ident(n))
                    .collect();
                let in_schemas = |n: &QualifiedName| {
                    schemas
                        .iter()
                        .any(|s| s == n.schema.as_deref().unwrap_or("public"))
                };
                if has_child(target, "kw_tables") {
                    let privileges = privileges.on(Kind::Relation);
                    for t in self.tables.iter_mut().filter(|t| in_schemas(&t.name)) {
                        change_grants(
                            &mut t.grants,
                            &mut t.explicit_grants,
                            &roles,
                            &privileges,
                            grant,
                        );
                    }
                    for v in self.views.iter_mut().filter(|v| in_schemas(&v.name)) {
                        change_grants(
                            &mut v.grants,
                            &mut v.explicit_grants,
                            &roles,
                            &privileges,
                            grant,
                        );
                    }
                } else if has_child(target, "kw_functions")
                    || has_child(target, "kw_routines")
                    || has_child(target, "kw_procedures")
                {
                    let privileges = privileges.on(Kind::Routine);
                    for (f, _) in self
                        .functions
                        .iter_mut()
                        .filter(|(f, _)| in_schemas(&f.name))
                    {
                        change_grants(
                            &mut f.grants,
                            &mut f.explicit_grants,
                            &roles,
                            &privileges,
                            grant,
                        );
                    }
                }
            }
            "kw_function" | "kw_procedure" | "kw_routine" => {
                let Some(list) = child_of_kind(target, "function_with_argtypes_list") else {
                    return;
                };
                let privileges = privileges.on(Kind::Routine);
                for f in items(
                    list,
                    &["function_with_argtypes_list"],
                    "function_with_argtypes",
                ) {
                    for i in self.function_matches(at, f) {
                        let f = &mut self.functions[i].0;
                        change_grants(
                            &mut f.grants,
                            &mut f.explicit_grants,
                            &roles,
                            &privileges,
                            grant,
                        );
                    }
                }
            }
            "kw_table" | "qualified_name_list" => {
                let Some(list) = child_of_kind(target, "qualified_name_list") else {
                    return;
                };
                let privileges = privileges.on(Kind::Relation);
                for n in items(list, &["qualified_name_list"], "qualified_name") {
                    let Some(name) = at.name(n) else { continue };
                    if let Some(t) = self.table_index(&name) {
                        let t = &mut self.tables[t];
                        change_grants(
                            &mut t.grants,
                            &mut t.explicit_grants,
                            &roles,
                            &privileges,
                            grant,
                        );
                    } else if let Some(v) = self.view_index(&name) {
                        let v = &mut self.views[v];
                        change_grants(
                            &mut v.grants,
                            &mut v.explicit_grants,
                            &roles,
                            &privileges,
                            grant,
                        );
                    }
                }
            }
            _ => {}
        }
    }

    fn default_privileges(&mut self, at: At<'_>, node: Node<'_>) {
        let mut schemas = Vec::new();
        if let Some(options) = child_of_kind(node, "DefACLOptionList") {
            for option in items(options, &["DefACLOptionList"], "DefACLOption") {
                if has_child(option, "kw_schema") {
                    if let Some(list) = child_of_kind(option, "name_list") {
                        schemas.extend(
                            items(list, &["name_list"], "name")
                                .into_iter()
                                .map(|n| at.ident(n)),
                        );
                    }
                }
            }
        }
        let Some(action) = child_of_kind(node, "DefACLAction") else {
            return;
        };
        let grant = has_child(action, "kw_grant") && !has_child(action, "kw_revoke");
        if !grant && has_child(action, "kw_option") {
            return;
        }
        let Some(target) = child_of_kind(action, "defacl_privilege_target") else {
            return;
        };
        let kind = if has_child(target, "kw_tables") {
            Kind::Relation
        } else if has_child(target, "kw_functions") || has_child(target, "kw_routines") {
            Kind::Routine
        } else {
            return;
        };
        let Some(privileges) =
            child_of_kind(action, "privileges").map(|p| privileges(at, p).on(kind))
        else {
            return;
        };
        let Some(roles) = child_of_kind(action, "grantee_list").map(|g| grantees(at, g)) else {
            return;
        };
        self.defaults
            .alter(&schemas, kind, grant, &privileges, &roles);
    }

    // ----- views -----------------------------------------------------------

    fn create_view(&mut self, at: At<'_>, node: Node<'_>, materialized: bool) {
        let (name_node, options) = if materialized {
            let Some(target) = child_of_kind(node, "create_mv_target") else {
                return;
            };
            let Some(name) = child_of_kind(target, "qualified_name") else {
                return;
            };
            (name, first_descendant(target, "reloptions"))
        } else {
            let Some(name) = child_of_kind(node, "qualified_name") else {
                return;
            };
            (
                name,
                child_of_kind(node, "opt_reloptions").and_then(|o| child_of_kind(o, "reloptions")),
            )
        };
        let Some(name) = at.name(name_node) else {
            return;
        };
        let replace =
            has_child(node, "kw_replace") || child_of_kind(node, "opt_or_replace").is_some();
        let security_invoker = options
            .and_then(|o| security_invoker(at, o))
            .unwrap_or(false);
        let reads = child_of_kind(node, "SelectStmt")
            .map(|q| reads(at, q))
            .unwrap_or_default();
        let created = at.head(name_node);
        if self.table_index(&name).is_some() {
            return;
        }
        if let Some(v) = self.view_index(&name) {
            let view = &mut self.views[v];
            // CREATE OR REPLACE keeps the grants and replaces the options.
            if replace && !materialized && !view.materialized {
                view.created = created;
                view.security_invoker = security_invoker;
                view.reads = reads;
            }
            return;
        }
        let schema = if is_temporary(node) {
            TEMP_SCHEMA.to_string()
        } else {
            schema_of(&name)
        };
        let (grants, explicit_grants) = self.defaults.for_new(&schema, Kind::Relation);
        self.ever_created.push(name.clone());
        self.views.push(View {
            name,
            created,
            materialized,
            security_invoker,
            reads,
            grants,
            explicit_grants,
        });
    }

    // ----- functions -------------------------------------------------------

    /// The functions a `function_with_argtypes` names: by name and argument
    /// types, or every overload when no argument list is written.
    fn function_matches(&self, at: At<'_>, node: Node<'_>) -> Vec<usize> {
        let Some(name) = at.name(node) else {
            return Vec::new();
        };
        let key = child_of_kind(node, "func_args").map(|a| args_key(at, a));
        (0..self.functions.len())
            .filter(|&i| {
                let (f, k) = &self.functions[i];
                f.name.same_relation(&name) && key.as_ref().is_none_or(|key| key == k)
            })
            .collect()
    }

    fn create_function(&mut self, at: At<'_>, node: Node<'_>) {
        let Some(name_node) = child_of_kind(node, "func_name") else {
            return;
        };
        let Some(name) = at.name(name_node) else {
            return;
        };
        let args_node = child_of_kind(node, "func_args_with_defaults");
        let args = args_node.map_or(String::new(), |a| at.text(a).to_string());
        let key = args_node.map_or(String::new(), |a| args_key(at, a));
        let replace =
            child_of_kind(node, "opt_or_replace").is_some() || has_child(node, "kw_replace");
        let created = at.head(args_node.unwrap_or(name_node));
        let mut f = Function {
            name,
            args,
            created,
            security_definer: false,
            search_path: None,
            grants: Grants::new(),
            explicit_grants: BTreeSet::new(),
            language: String::new(),
            body: None,
        };
        if let Some(list) = child_of_kind(node, "opt_createfunc_opt_list") {
            for item in items(list, &["createfunc_opt_list"], "createfunc_opt_item") {
                if has_child(item, "kw_language") {
                    if let Some(l) = child_of_kind(item, "NonReservedWord_or_Sconst") {
                        f.language = unquote(at.text(l)).to_lowercase();
                    }
                } else if has_child(item, "kw_as") {
                    if let Some(s) =
                        child_of_kind(item, "func_as").and_then(|a| first_descendant(a, "Sconst"))
                    {
                        f.body = Some(string_body(at, s));
                    }
                } else if let Some(opt) = child_of_kind(item, "common_func_opt_item") {
                    function_option(at, &mut f, opt);
                }
            }
        }
        if let Some(body) = child_of_kind(node, "opt_routine_body") {
            f.body = Some(at.range(body));
        }
        if let Some(i) = self
            .functions
            .iter()
            .position(|(g, k)| g.name.same_relation(&f.name) && *k == key)
        {
            if replace {
                // OR REPLACE keeps the owner and the grants.
                let (old, _) = &mut self.functions[i];
                f.grants = std::mem::take(&mut old.grants);
                f.explicit_grants = std::mem::take(&mut old.explicit_grants);
                *old = f;
            }
            return;
        }
        let schema = schema_of(&f.name);
        let (grants, explicit_grants) = self.defaults.for_new(&schema, Kind::Routine);
        f.grants = grants;
        f.explicit_grants = explicit_grants;
        self.functions.push((f, key));
    }

    fn alter_function(&mut self, at: At<'_>, node: Node<'_>) {
        let Some(target) = child_of_kind(node, "function_with_argtypes") else {
            return;
        };
        let Some(list) = child_of_kind(node, "alterfunc_opt_list") else {
            return;
        };
        let options = items(list, &["alterfunc_opt_list"], "common_func_opt_item");
        for i in self.function_matches(at, target) {
            for &opt in &options {
                function_option(at, &mut self.functions[i].0, opt);
            }
        }
    }

    fn drop_function(&mut self, at: At<'_>, node: Node<'_>) {
        let Some(list) = child_of_kind(node, "function_with_argtypes_list") else {
            return;
        };
        for target in items(
            list,
            &["function_with_argtypes_list"],
            "function_with_argtypes",
        ) {
            let matches = self.function_matches(at, target);
            for i in matches.into_iter().rev() {
                self.functions.remove(i);
            }
        }
    }

    // ----- DO blocks -------------------------------------------------------

    /// Applies the DDL statements of a PL/pgSQL `DO` body.
    fn do_block(&mut self, at: At<'_>, node: Node<'_>) {
        let mut body = None;
        let mut plpgsql = true;
        if let Some(list) = child_of_kind(node, "dostmt_opt_list") {
            for item in items(list, &["dostmt_opt_list"], "dostmt_opt_item") {
                if has_child(item, "kw_language") {
                    let lang = child_of_kind(item, "NonReservedWord_or_Sconst")
                        .map(|l| unquote(at.text(l)).to_lowercase());
                    plpgsql = lang.as_deref() == Some("plpgsql");
                } else if let Some(s) = child_of_kind(item, "Sconst") {
                    body = Some(string_body(at, s));
                }
            }
        }
        let (Some(body), true) = (body, plpgsql) else {
            return;
        };
        let Some(body_text) = at.text.get(body.clone()) else {
            return;
        };
        let mut found = Vec::new();
        for piece in statements::split(body_text) {
            let Some(piece_text) = body_text.get(piece.clone()) else {
                continue;
            };
            let Some(offset) = ddl_start(piece_text) else {
                continue;
            };
            let range = body.start + piece.start + offset..body.start + piece.end;
            let Some(sql) = at.text.get(range.clone()) else {
                continue;
            };
            let Some(tree) = language::parse(Language::Sql, sql, None) else {
                return;
            };
            let stmt = Statement { range, tree };
            // PL/pgSQL checks the syntax of the whole body before running
            // it: one broken statement and the block does nothing.
            if !parses(&stmt) {
                return;
            }
            found.push(stmt);
        }
        self.in_do_block = true;
        for stmt in &found {
            self.statement(At { stmt, ..at }, false);
        }
        self.in_do_block = false;
    }
}

// ----- reading nodes ---------------------------------------------------------

/// Whether a statement parsed, as far as the model is concerned: no syntax
/// error, or (for policies and views) errors only inside the `USING` /
/// `WITH CHECK` expressions or the view's query. tree-sitter-postgres does
/// not know every expression PostgreSQL accepts (`x = any (select …)`), and
/// the parts the model reads around them are intact.
fn parses(stmt: &Statement) -> bool {
    if !stmt.has_error() {
        return true;
    }
    let Some(node) = stmt.node() else {
        return false;
    };
    let mut allowed: Vec<Range<usize>> = Vec::new();
    match node.kind() {
        "CreatePolicyStmt" | "AlterPolicyStmt" => {
            for clause in ["RowSecurityOptionalExpr", "RowSecurityOptionalWithCheck"] {
                if let Some(expr) =
                    child_of_kind(node, clause).and_then(|c| child_of_kind(c, "a_expr"))
                {
                    allowed.push(expr.byte_range());
                }
            }
        }
        "ViewStmt" | "CreateMatViewStmt" => {
            if let Some(query) = child_of_kind(node, "SelectStmt") {
                allowed.push(query.byte_range());
            }
        }
        _ => return false,
    }
    let mut confined = true;
    walk(stmt.tree.root_node(), |cursor, _| {
        let n = cursor.node();
        if !n.has_error() {
            return Step::Over;
        }
        // A missing token (an unclosed parenthesis) is never a grammar gap.
        if n.is_missing() {
            confined = false;
            return Step::Stop;
        }
        if n.is_error() {
            let r = n.byte_range();
            if !allowed.iter().any(|a| a.start <= r.start && r.end <= a.end) {
                confined = false;
                return Step::Stop;
            }
            return Step::Over;
        }
        Step::Into
    });
    confined
}

/// The direct named children of `node` of kind `kind`.
fn children<'t>(node: Node<'t>, kind: &str) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|c| c.kind() == kind)
        .collect()
}

/// The nodes of kind `item` in a (left-recursive) list: under `node`,
/// descending only through `node` itself and nodes of the `through` kinds.
fn items<'t>(node: Node<'t>, through: &[&str], item: &str) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    walk(node, |cursor, depth| {
        let n = cursor.node();
        if n.kind() == item {
            out.push(n);
            Step::Over
        } else if depth == 0 || through.contains(&n.kind()) {
            Step::Into
        } else {
            Step::Over
        }
    });
    out
}

/// The first node of kind `kind` under `node` (itself included).
fn first_descendant<'t>(node: Node<'t>, kind: &str) -> Option<Node<'t>> {
    let mut found = None;
    walk(node, |cursor, _| {
        if cursor.node().kind() == kind {
            found = Some(cursor.node());
            Step::Stop
        } else {
            Step::Into
        }
    });
    found
}

fn is_temporary(node: Node<'_>) -> bool {
    child_of_kind(node, "OptTemp")
        .is_some_and(|t| has_child(t, "kw_temp") || has_child(t, "kw_temporary"))
}

fn schema_of(name: &QualifiedName) -> String {
    name.schema.clone().unwrap_or_else(|| "public".to_string())
}

/// A `columnDef`.
fn column(at: At<'_>, def: Node<'_>) -> Option<Column> {
    let name = at.ident(child_of_kind(def, "ColId")?);
    let type_text =
        child_of_kind(def, "Typename").map_or(String::new(), |t| at.text(t).to_string());
    let references = child_of_kind(def, "ColQualList").and_then(|quals| {
        items(
            quals,
            &["ColQualList", "ColConstraint"],
            "ColConstraintElem",
        )
        .into_iter()
        .filter(|e| has_child(*e, "kw_references"))
        .find_map(|e| child_of_kind(e, "qualified_name").and_then(|n| at.name(n)))
    });
    Some(Column {
        name,
        type_text,
        references,
        range: at.range(def),
    })
}

/// The columns and target of a `foreign key (…) references t` constraint.
fn foreign_key(at: At<'_>, constraint: Node<'_>) -> Option<(Vec<String>, QualifiedName)> {
    let elem = child_of_kind(constraint, "ConstraintElem")?;
    if !has_child(elem, "kw_foreign") {
        return None;
    }
    let target = at.name(child_of_kind(elem, "qualified_name")?)?;
    let cols = child_of_kind(elem, "columnList")?;
    let cols = items(cols, &["columnList"], "columnElem")
        .into_iter()
        .map(|c| at.ident(c))
        .collect();
    Some((cols, target))
}

fn set_references(columns: &mut [Column], names: &[String], target: &QualifiedName) {
    for c in columns.iter_mut().filter(|c| names.contains(&c.name)) {
        if c.references.is_none() {
            c.references = Some(target.clone());
        }
    }
}

/// The roles of a `TO` clause (a node holding a `role_list`).
fn roles(at: At<'_>, node: Node<'_>) -> Vec<String> {
    let Some(list) = child_of_kind(node, "role_list") else {
        return Vec::new();
    };
    items(list, &["role_list"], "RoleSpec")
        .into_iter()
        .map(|r| at.ident(r))
        .collect()
}

/// The roles of a `grantee_list` (`group x` counts as `x`).
fn grantees(at: At<'_>, list: Node<'_>) -> Vec<String> {
    items(list, &["grantee_list", "grantee"], "RoleSpec")
        .into_iter()
        .map(|r| at.ident(r))
        .collect()
}

fn privileges(at: At<'_>, node: Node<'_>) -> Privileges {
    if has_child(node, "kw_all") {
        return Privileges::All;
    }
    let mut out = BTreeSet::new();
    for p in items(node, &["privilege_list"], "privilege") {
        let Some(word) = p.named_child(0) else {
            continue;
        };
        let privilege = match at.text(word).to_ascii_lowercase().as_str() {
            "select" => Privilege::Select,
            "insert" => Privilege::Insert,
            "update" => Privilege::Update,
            "delete" => Privilege::Delete,
            "truncate" => Privilege::Truncate,
            "references" => Privilege::References,
            "trigger" => Privilege::Trigger,
            "execute" => Privilege::Execute,
            _ => continue,
        };
        out.insert(privilege);
    }
    Privileges::Some(out)
}

/// `USING (…)` / `WITH CHECK (…)`: the expression inside the parentheses.
fn policy_expr(at: At<'_>, node: Node<'_>) -> Option<PolicyExpr> {
    let expr = child_of_kind(node, "a_expr")?;
    Some(PolicyExpr {
        text: at.text(expr).to_string(),
        range: at.range(expr),
        file: at.file,
    })
}

fn option_name(at: At<'_>, elem: Node<'_>) -> String {
    elem.named_child(0)
        .map_or(String::new(), |n| at.text(n).to_ascii_lowercase())
}

/// The `security_invoker` value in a `reloptions` node, if it is set there.
fn security_invoker(at: At<'_>, options: Node<'_>) -> Option<bool> {
    let mut value = None;
    for elem in items(options, &["reloption_list"], "reloption_elem") {
        if option_name(at, elem) != "security_invoker" {
            continue;
        }
        value = Some(match child_of_kind(elem, "def_arg") {
            None => true,
            Some(arg) => {
                matches!(
                    unquote(at.text(arg)).to_ascii_lowercase().as_str(),
                    "true" | "on" | "1" | "yes" | "y" | "t"
                )
            }
        });
    }
    value
}

/// The relations a view's query reads, without its CTE names.
fn reads(at: At<'_>, query: Node<'_>) -> Vec<QualifiedName> {
    let mut relations = Vec::new();
    let mut ctes = Vec::new();
    walk(query, |cursor, _| {
        let n = cursor.node();
        match n.kind() {
            "relation_expr" => {
                relations.extend(at.name(n));
                Step::Over
            }
            "common_table_expr" => {
                if let Some(name) = child_of_kind(n, "name") {
                    ctes.push(at.ident(name));
                }
                Step::Into
            }
            _ => Step::Into,
        }
    });
    let mut out: Vec<QualifiedName> = Vec::new();
    for r in relations {
        if r.schema.is_none() && ctes.contains(&r.name) {
            continue;
        }
        if !out.iter().any(|o| o.same_relation(&r)) {
            out.push(r);
        }
    }
    out
}

/// Applies a `common_func_opt_item` (security, `set` / `reset search_path`).
fn function_option(at: At<'_>, f: &mut Function, opt: Node<'_>) {
    if has_child(opt, "kw_security") {
        f.security_definer = has_child(opt, "kw_definer");
        return;
    }
    let Some(clause) = child_of_kind(opt, "FunctionSetResetClause") else {
        return;
    };
    if let Some(set) = child_of_kind(clause, "set_rest_more") {
        let generic = child_of_kind(set, "generic_set");
        let holder = generic.unwrap_or(set);
        let Some(var) = child_of_kind(holder, "var_name") else {
            return;
        };
        if at.ident(var) != "search_path" {
            return;
        }
        let value = at
            .text
            .get(at.range(var).end..at.range(holder).end)
            .unwrap_or("")
            .trim();
        let value = value
            .strip_prefix('=')
            .or_else(|| {
                value
                    .get(..2)
                    .filter(|p| p.eq_ignore_ascii_case("to"))
                    .map(|_| &value[2..])
            })
            .unwrap_or(value)
            .trim();
        f.search_path = if value.eq_ignore_ascii_case("default") {
            None
        } else {
            Some(value.to_string())
        };
    } else if let Some(reset) = first_descendant(clause, "reset_rest") {
        let all = first_descendant(reset, "kw_all").is_some();
        let var = first_descendant(reset, "var_name").map(|v| at.ident(v));
        if all || var.as_deref() == Some("search_path") {
            f.search_path = None;
        }
    }
}

/// A string constant's content range: inside `$tag$…$tag$` or `'…'`.
fn string_body(at: At<'_>, sconst: Node<'_>) -> Range<usize> {
    let range = at.range(sconst);
    let text = at.text(sconst);
    if let Some(rest) = text.strip_prefix('$') {
        if let Some(end) = rest.find('$') {
            let tag = end + 2;
            if text.len() >= 2 * tag {
                return range.start + tag..range.end - tag;
            }
        }
    } else if let Some(open) = text.find('\'') {
        if text.len() >= open + 2 && text.ends_with('\'') {
            return range.start + open + 1..range.end - 1;
        }
    }
    range
}

fn unquote(text: &str) -> &str {
    let t = text.trim();
    for q in ['\'', '"'] {
        if t.len() >= 2 && t.starts_with(q) && t.ends_with(q) {
            return &t[1..t.len() - 1];
        }
    }
    t
}

/// A function's identity: its input argument types, normalised
/// (`func_args` or `func_args_with_defaults`).
fn args_key(at: At<'_>, args: Node<'_>) -> String {
    let through = [
        "func_args_list",
        "func_args_with_defaults_list",
        "func_arg_with_default",
    ];
    items(args, &through, "func_arg")
        .into_iter()
        .filter(|a| {
            let class = child_of_kind(*a, "arg_class");
            !class.is_some_and(|c| {
                has_child(c, "kw_out") && !has_child(c, "kw_inout") && !has_child(c, "kw_in")
            })
        })
        .filter_map(|a| child_of_kind(a, "func_type"))
        .map(|t| normalize_type(at.text(t)))
        .collect::<Vec<_>>()
        .join(",")
}

/// A type name as PostgreSQL identifies it, roughly: lower case, single
/// spaces, no type modifiers, no `public.`, common aliases resolved.
fn normalize_type(text: &str) -> String {
    let mut s = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            '"' => {}
            c if c.is_whitespace() => {
                if !s.ends_with(' ') {
                    s.push(' ');
                }
            }
            c => s.extend(c.to_lowercase()),
        }
    }
    let s = s.trim().replace(" [", "[");
    let (base, arrays) = match s.find('[') {
        Some(i) => (
            s[..i].trim().to_string(),
            "[]".repeat(s[i..].matches('[').count()),
        ),
        None => (s, String::new()),
    };
    let base = base.strip_prefix("public.").unwrap_or(&base);
    let base = match base {
        "int" | "int4" => "integer",
        "int8" => "bigint",
        "int2" => "smallint",
        "bool" => "boolean",
        "float8" | "double precision" => "double precision",
        "float4" => "real",
        "varchar" | "character varying" => "character varying",
        "char" | "character" | "bpchar" => "character",
        "decimal" => "numeric",
        "timestamptz" | "timestamp with time zone" => "timestamp with time zone",
        "timestamp" | "timestamp without time zone" => "timestamp without time zone",
        "timetz" | "time with time zone" => "time with time zone",
        "time" | "time without time zone" => "time without time zone",
        other => other,
    };
    format!("{base}{arrays}")
}

/// Where a DDL statement starts in one piece of a PL/pgSQL body (`begin
/// alter table …;`, `if … then create policy …;`): the byte offset of its
/// first word, which must open the piece or follow `begin`, `then`, `else`
/// or `loop` outside parentheses and quotes.
fn ddl_start(piece: &str) -> Option<usize> {
    const STARTS: [&str; 5] = ["alter", "create", "drop", "grant", "revoke"];
    const AFTER: [&str; 4] = ["begin", "then", "else", "loop"];
    let bytes = piece.as_bytes();
    let mut i = 0;
    let mut depth = 0usize;
    let mut previous: Option<String> = None;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b'\'' | b'"' => {
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != b {
                    j += 1;
                }
                i = j + 1;
                previous = Some(String::new());
                continue;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = bytes[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(bytes.len(), |p| i + p + 1);
                continue;
            }
            _ if b.is_ascii_alphabetic() || b == b'_' => {
                let start = i;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'$')
                {
                    i += 1;
                }
                let word = piece[start..i].to_ascii_lowercase();
                if depth == 0 && STARTS.contains(&word.as_str()) {
                    let opens = previous.as_deref().is_none_or(|p| AFTER.contains(&p));
                    if opens {
                        return Some(start);
                    }
                }
                if depth == 0 {
                    previous = Some(word);
                }
                continue;
            }
            _ if b.is_ascii_whitespace() => {}
            _ => {
                if depth == 0 {
                    previous = Some(String::new());
                }
            }
        }
        i += 1;
    }
    None
}

/// The RLS change an `alter_table_cmd` makes, if it is one (`enable`,
/// `disable`, `force`, `no force row level security`).
fn rls_change(cmd: Node<'_>) -> Option<RlsChange> {
    if !(has_child(cmd, "kw_row") && has_child(cmd, "kw_level") && has_child(cmd, "kw_security")) {
        return None;
    }
    Some(match cmd.named_child(0)?.kind() {
        "kw_enable" => RlsChange::Enable,
        "kw_disable" => RlsChange::Disable,
        "kw_force" => RlsChange::Force,
        "kw_no" => RlsChange::NoForce,
        _ => return None,
    })
}

/// Applies an RLS change to a table and records where it was made.
fn apply_rls(table: &mut Table, loc: Loc, change: RlsChange) {
    match change {
        RlsChange::Enable => table.rls.enabled = true,
        RlsChange::Disable => table.rls.enabled = false,
        RlsChange::Force => table.rls.forced = true,
        RlsChange::NoForce => table.rls.forced = false,
    }
    table.rls_changes.push((loc, change));
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::normalize_type;
    use crate::analysis::sql::model::{Command, Privilege, RlsChange, Schema, Settings, SqlFile};
    use crate::analysis::sql::statements::{self, Statement};
    use crate::analysis::sql::QualifiedName;

    fn build_with(sources: &[&str], settings: &Settings) -> Schema {
        let parsed: Vec<Vec<Statement>> = sources.iter().map(|s| statements::parse(s)).collect();
        let files: Vec<SqlFile<'_>> = sources
            .iter()
            .zip(&parsed)
            .enumerate()
            .map(|(i, (text, stmts))| SqlFile {
                path: PathBuf::from(format!("supabase/migrations/{i:03}_m.sql")),
                text,
                statements: stmts,
            })
            .collect();
        Schema::build(&files, settings)
    }

    fn build(sources: &[&str]) -> Schema {
        build_with(sources, &Settings::default())
    }

    fn new_grants() -> Settings {
        Settings {
            default_api_grants: false,
            ..Settings::default()
        }
    }

    fn qn(s: &str) -> QualifiedName {
        match s.split_once('.') {
            Some((schema, name)) => QualifiedName {
                schema: Some(schema.to_string()),
                name: name.to_string(),
            },
            None => QualifiedName {
                schema: None,
                name: s.to_string(),
            },
        }
    }

    fn privs(list: &[Privilege]) -> std::collections::BTreeSet<Privilege> {
        list.iter().copied().collect()
    }

    const ALL_TABLE: [Privilege; 7] = super::TABLE_PRIVILEGES;

    fn holds(grants: &super::Grants, role: &str, p: Privilege) -> bool {
        grants.get(role).is_some_and(|s| s.contains(&p))
    }

    #[test]
    fn create_table_reads_names_columns_and_references() {
        let sql = "-- head\ncreate table if not exists public.\"Foo\" (\n  id uuid references auth.users(id) primary key,\n  Email text not null,\n  tags text[],\n  at timestamp with time zone default now(),\n  owner uuid,\n  constraint fk foreign key (owner) references public.users(id)\n);\ncreate table Bar (id int);";
        let s = build(&[sql]);
        assert_eq!(
            s.files,
            vec![PathBuf::from("supabase/migrations/000_m.sql")]
        );
        let foo = s.table(&qn("public.Foo")).unwrap();
        assert_eq!(foo.name, qn("public.Foo"));
        assert!(s.table(&qn("foo")).is_none());
        assert_eq!(
            &sql[foo.created.range.clone()],
            "create table if not exists public.\"Foo\""
        );
        assert_eq!((foo.created.file, foo.created.statement), (0, 0));
        let cols: Vec<(&str, &str)> = foo
            .columns
            .iter()
            .map(|c| (c.name.as_str(), c.type_text.as_str()))
            .collect();
        assert_eq!(
            cols,
            [
                ("id", "uuid"),
                ("email", "text"),
                ("tags", "text[]"),
                ("at", "timestamp with time zone"),
                ("owner", "uuid")
            ]
        );
        assert_eq!(foo.columns[0].references, Some(qn("auth.users")));
        assert_eq!(foo.columns[1].references, None);
        assert_eq!(foo.columns[4].references, Some(qn("public.users")));
        assert_eq!(&sql[foo.columns[1].range.clone()], "Email text not null");
        assert!(!foo.temporary);
        assert_eq!(foo.rls, super::Rls::default());
        let bar = s.table(&qn("public.bar")).unwrap();
        assert_eq!(bar.name, qn("bar"));
        assert_eq!((bar.created.file, bar.created.statement), (0, 1));
        assert_eq!(&sql[bar.created.range.clone()], "create table Bar");
    }

    #[test]
    fn rls_enabled_before_a_table_is_created_applies_when_it_is() {
        // Timestamps out of order, or a table made outside the migrations
        // and written down later: the database that ran the `alter` had the
        // table.
        let s = build(&[
            "alter table public.workspaces enable row level security;",
            "create table public.workspaces (id uuid);\ncreate table public.other (id int);",
        ]);
        let t = |n: &str| s.tables.iter().find(|t| t.name.name == n).unwrap();
        assert!(t("workspaces").rls.enabled);
        assert_eq!(t("workspaces").rls_changes.len(), 1);
        assert_eq!(t("workspaces").rls_changes[0].0.file, 0);
        assert!(!t("other").rls.enabled);
        // Not when the table is dropped between the alter and the create.
        let s = build(&["alter table n enable row level security; drop table if exists n; create table n (id int);"]);
        assert!(!s.tables[0].rls.enabled);
        // Not for a table that existed and was dropped before the alter.
        let s = build(&["create table a (id int); drop table a; alter table a enable row level security; create table a (id int);"]);
        assert!(!s.tables[0].rls.enabled);
    }

    #[test]
    fn create_table_if_not_exists_of_an_existing_table_changes_nothing() {
        let s = build(&[
            "create table t (a int); alter table t enable row level security;",
            "create table if not exists t (b text); create table t (c text);",
        ]);
        assert_eq!(s.tables.len(), 1);
        let t = &s.tables[0];
        assert_eq!(t.columns.len(), 1);
        assert_eq!(t.columns[0].name, "a");
        assert!(t.rls.enabled);
        assert_eq!(t.created.file, 0);
    }

    #[test]
    fn table_variants_temp_unlogged_like_inherits_partition_and_as() {
        let s = build(&[
            "create table base (id uuid references auth.users, name text);
             create temp table t1 (a int);
             create temporary table t2 (a int);
             create unlogged table t3 (like base including all, extra int);
             create table t4 partition of base for values in (1);
             create table t5 (more int) inherits (base);
             create table t6 as select * from base;
             create table t7 (x, y) as select 1, 2;
             create materialized view mv as select * from base;",
        ]);
        let names: Vec<&str> = s.tables.iter().map(|t| t.name.name.as_str()).collect();
        assert_eq!(names, ["base", "t1", "t2", "t3", "t4", "t5", "t6", "t7"]);
        assert!(s.table(&qn("t1")).unwrap().temporary);
        assert!(s.table(&qn("t2")).unwrap().temporary);
        assert!(!s.table(&qn("t3")).unwrap().temporary);
        // Temporary tables are not in an exposed schema: no API grants.
        assert!(s.table(&qn("t1")).unwrap().grants.is_empty());
        let cols = |t: &str| {
            s.table(&qn(t))
                .unwrap()
                .columns
                .iter()
                .map(|c| c.name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(cols("t3"), ["id", "name", "extra"]);
        assert_eq!(cols("t4"), ["id", "name"]);
        assert_eq!(cols("t5"), ["id", "name", "more"]);
        assert!(cols("t6").is_empty());
        assert_eq!(cols("t7"), ["x", "y"]);
        // LIKE does not copy foreign keys.
        assert_eq!(s.table(&qn("t3")).unwrap().columns[0].references, None);
        assert_eq!(s.views.len(), 1);
        assert!(s.views[0].materialized);
    }

    #[test]
    fn alter_table_rls_commands_mixed_with_others_last_wins() {
        let sql = "create table t (a int, b int);
            alter table if exists only public.t enable row level security, add column c text, force row level security,
              drop column if exists b cascade, no force row level security, disable row level security, enable row level security;
            alter table t alter column a type bigint, rename column a to id;";
        let s = build(&[sql]);
        let t = s.table(&qn("t")).unwrap();
        assert_eq!(
            t.rls,
            super::Rls {
                enabled: true,
                forced: false
            }
        );
        let changes: Vec<RlsChange> = t.rls_changes.iter().map(|(_, c)| *c).collect();
        assert_eq!(
            changes,
            [
                RlsChange::Enable,
                RlsChange::Force,
                RlsChange::NoForce,
                RlsChange::Disable,
                RlsChange::Enable
            ]
        );
        assert!(sql[t.rls_changes[0].0.range.clone()]
            .starts_with("alter table if exists only public.t enable"));
        assert_eq!(t.rls_changes[0].0.statement, 1);
        let cols: Vec<(&str, &str)> = t
            .columns
            .iter()
            .map(|c| (c.name.as_str(), c.type_text.as_str()))
            .collect();
        // `rename column` inside ALTER TABLE … , is not valid SQL: the whole
        // third statement is skipped.
        assert_eq!(cols, [("a", "int"), ("c", "text")]);
        let s = build(&[sql, "alter table t alter column a type bigint; alter table t rename column a to id; alter table t rename c to d; alter table t add constraint f foreign key (id) references auth.users;"]);
        let t = s.table(&qn("t")).unwrap();
        let cols: Vec<(&str, &str)> = t
            .columns
            .iter()
            .map(|c| (c.name.as_str(), c.type_text.as_str()))
            .collect();
        assert_eq!(cols, [("id", "bigint"), ("d", "text")]);
        assert_eq!(t.columns[0].references, Some(qn("auth.users")));
    }

    #[test]
    fn rls_on_a_table_created_in_an_earlier_file() {
        let s = build(&[
            "create table public.notes (id int);",
            "create table other (id int);",
            "alter table notes enable row level security;",
        ]);
        let t = s.table(&qn("notes")).unwrap();
        assert!(t.rls.enabled);
        assert_eq!(
            (
                t.created.file,
                t.rls_changes[0].0.file,
                t.rls_changes[0].0.statement
            ),
            (0, 2, 0)
        );
        assert!(!s.table(&qn("other")).unwrap().rls.enabled);
    }

    #[test]
    fn renamed_then_secured_and_policies_follow_renames() {
        let s = build(&[
            "create table old_name (id int); create policy p on old_name using (true);",
            "alter table old_name rename to new_name; alter table if exists new_name enable row level security;",
            "alter table new_name set schema private; alter table gone rename to x;",
        ]);
        assert_eq!(s.tables.len(), 1);
        let t = &s.tables[0];
        assert_eq!(t.name, qn("private.new_name"));
        assert!(t.rls.enabled);
        assert_eq!(s.policies.len(), 1);
        assert_eq!(s.policies[0].table, qn("private.new_name"));
        assert!(!s.is_exposed(&t.name));
    }

    #[test]
    fn dropped_and_recreated_is_a_new_table() {
        let s = build(&[
            "create table a (id int); create table b (id int); create table c (id int);
             alter table a enable row level security; create policy pa on a using (true);
             create policy pc on c using (true);",
            "drop table if exists a, public.b cascade; drop table if exists nothing; drop table c;",
            "create table a (x text);",
        ]);
        assert_eq!(s.tables.len(), 1);
        let a = &s.tables[0];
        assert_eq!(a.created.file, 2);
        assert!(!a.rls.enabled);
        assert!(a.rls_changes.is_empty());
        assert_eq!(a.columns[0].name, "x");
        assert!(s.policies.is_empty());
    }

    #[test]
    fn policies_on_tables_made_elsewhere_follow_renames_and_drops() {
        let s = build(&[
            "create policy a on ext1 using (true); create policy b on ext2 using (true); create policy c on ext3 using (true);",
            "alter table ext1 rename to ext1b; drop table if exists ext2; alter table ext3 set schema private;",
            "create policy d on ext2 using (true);",
        ]);
        let on: Vec<(String, QualifiedName)> = s
            .policies
            .iter()
            .map(|p| (p.name.clone(), p.table.clone()))
            .collect();
        assert_eq!(
            on,
            [
                ("a".to_string(), qn("ext1b")),
                ("c".to_string(), qn("private.ext3")),
                ("d".to_string(), qn("ext2")),
            ]
        );
    }

    #[test]
    fn policies_are_read_with_expressions_without_parentheses() {
        let sql = "create table t (id uuid);\ncreate policy \"Read Own\" on public.t as restrictive for select to Authenticated, anon, \"Weird\", public using ( (select auth.uid()) = id ) with check (true);\ncreate policy p2 on t for insert with check (auth.uid() = id);\ncreate policy p3 on t using (true);";
        let s = build(&[sql]);
        assert_eq!(s.policies.len(), 3);
        let p = &s.policies[0];
        assert_eq!(p.name, "Read Own");
        assert_eq!(p.table, qn("public.t"));
        assert_eq!(p.command, Command::Select);
        assert!(!p.permissive);
        assert!(p.roles_written);
        assert_eq!(p.roles, ["authenticated", "anon", "Weird", "public"]);
        let using = p.using.as_ref().unwrap();
        assert_eq!(using.text, "(select auth.uid()) = id");
        assert_eq!(&sql[using.range.clone()], "(select auth.uid()) = id");
        assert_eq!(using.file, 0);
        assert_eq!(p.with_check.as_ref().unwrap().text, "true");
        assert!(sql[p.created.range.clone()].starts_with("create policy \"Read Own\""));
        assert!(sql[p.created.range.clone()].ends_with("with check (true);"));
        let p2 = &s.policies[1];
        assert_eq!(p2.command, Command::Insert);
        assert!(p2.permissive);
        assert!(!p2.roles_written);
        assert_eq!(p2.roles, ["public"]);
        assert!(p2.using.is_none());
        assert_eq!(p2.with_check.as_ref().unwrap().text, "auth.uid() = id");
        assert_eq!(s.policies[2].command, Command::All);
        assert_eq!(s.policies_on(&qn("public.t")).count(), 3);
    }

    #[test]
    fn policies_altered_renamed_and_dropped() {
        let s = build(&[
            "create table t (id int); create policy p on t using (false); create policy q on t using (true); create policy q on t using (1 = 1);",
            "alter policy p on t rename to p2; alter policy p2 on public.t to anon, authenticated using (id = 1) with check (id = 2);\nalter policy q on t rename to p2;",
            "drop policy if exists q on t; drop policy if exists nothing on t; create policy on_storage on storage.objects for select using (bucket_id = 'x');",
        ]);
        let names: Vec<&str> = s.policies.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["p2", "on_storage"]);
        let p = &s.policies[0];
        assert_eq!(p.roles, ["anon", "authenticated"]);
        assert!(p.roles_written);
        let using = p.using.as_ref().unwrap();
        assert_eq!((using.text.as_str(), using.file), ("id = 1", 1));
        assert_eq!(p.with_check.as_ref().unwrap().text, "id = 2");
        assert_eq!(p.created.file, 0);
        // A policy on a table made outside the migrations is kept.
        assert_eq!(s.policies[1].table, qn("storage.objects"));
    }

    #[test]
    fn default_api_grants_and_their_absence() {
        let s = build(&["create table t (id int); create table private.p (id int); create function f() returns int language sql as 'select 1';"]);
        let t = s.table(&qn("t")).unwrap();
        for role in ["anon", "authenticated", "service_role"] {
            assert_eq!(t.grants[role], privs(&ALL_TABLE));
        }
        assert!(t.explicit_grants.is_empty());
        let r = s.table_reach(t, "anon", Privilege::Select);
        assert!(r.granted && r.assumed);
        assert!(s.table(&qn("private.p")).unwrap().grants.is_empty());
        let f = &s.functions[0];
        for role in ["public", "anon", "authenticated", "service_role"] {
            assert!(holds(&f.grants, role, Privilege::Execute), "{role}");
        }
        assert!(f.explicit_grants.contains("public"));

        let s = build_with(&["create table t (id int); create function f() returns int language sql as 'select 1';"], &new_grants());
        let t = s.table(&qn("t")).unwrap();
        assert!(t.grants.is_empty());
        let r = s.table_reach(t, "anon", Privilege::Select);
        assert!(!r.granted && r.assumed);
        let f = &s.functions[0];
        assert_eq!(f.grants.keys().collect::<Vec<_>>(), ["public"]);
    }

    #[test]
    fn grants_and_revokes_on_tables() {
        let s = build(&[
            "create table t (a int, b int); create table u (id int); create table private.p (id int); create view v as select 1;",
            "revoke all on t, u from anon, authenticated; grant select, update (a, b) on table public.t to anon with grant option;
             revoke grant option for select on t from anon; revoke insert on u from \"Anon\";
             grant all privileges on all tables in schema private to authenticated; revoke select on v from anon;
             grant usage on schema public to anon; grant select on sequence s to anon; grant authenticated to someone;",
        ]);
        let t = s.table(&qn("t")).unwrap();
        assert_eq!(
            t.grants["anon"],
            privs(&[Privilege::Select, Privilege::Update])
        );
        assert!(!t.grants.contains_key("authenticated"));
        assert_eq!(t.grants["service_role"], privs(&ALL_TABLE));
        assert!(t.explicit_grants.contains("anon") && t.explicit_grants.contains("authenticated"));
        let r = s.table_reach(t, "anon", Privilege::Select);
        assert!(r.granted && !r.assumed);
        let r = s.table_reach(t, "authenticated", Privilege::Select);
        assert!(!r.granted && !r.assumed);
        let u = s.table(&qn("u")).unwrap();
        assert!(!u.grants.contains_key("anon"));
        assert!(u.explicit_grants.contains("Anon"));
        let p = s.table(&qn("private.p")).unwrap();
        assert_eq!(p.grants["authenticated"], privs(&ALL_TABLE));
        let v = &s.views[0];
        assert!(!holds(&v.grants, "anon", Privilege::Select));
        assert!(holds(&v.grants, "anon", Privilege::Insert));
        assert!(v.explicit_grants.contains("anon"));
    }

    #[test]
    fn grant_to_public_and_all_tables_in_schema() {
        let s = build_with(
            &["create table a (id int); create table b (id int); create view v as select * from a;
               grant select on all tables in schema public to public; grant insert on a to anon;
               create table c (id int);"],
            &new_grants(),
        );
        for name in ["a", "b"] {
            let t = s.table(&qn(name)).unwrap();
            assert!(holds(&t.grants, "public", Privilege::Select));
            let r = s.table_reach(t, "anon", Privilege::Select);
            assert!(r.granted && !r.assumed);
        }
        assert!(holds(&s.views[0].grants, "public", Privilege::Select));
        assert!(s.table(&qn("c")).unwrap().grants.is_empty());
        assert!(holds(
            &s.table(&qn("a")).unwrap().grants,
            "anon",
            Privilege::Insert
        ));
    }

    #[test]
    fn default_privileges_affect_later_objects_only() {
        let s = build(&[
            "create table before (id int);",
            "alter default privileges in schema public revoke all on tables from anon, authenticated;
             alter default privileges for role postgres in schema public revoke execute on functions from anon;",
            "create table after (id int); create function f() returns int language sql as 'select 1';",
        ]);
        let before = s.table(&qn("before")).unwrap();
        assert!(holds(&before.grants, "anon", Privilege::Select));
        assert!(before.explicit_grants.is_empty());
        let after = s.table(&qn("after")).unwrap();
        assert!(!after.grants.contains_key("anon") && !after.grants.contains_key("authenticated"));
        assert_eq!(after.grants["service_role"], privs(&ALL_TABLE));
        let r = s.table_reach(after, "anon", Privilege::Select);
        assert!(!r.granted && !r.assumed);
        let f = &s.functions[0];
        assert!(!f.grants.contains_key("anon"));
        // PUBLIC keeps EXECUTE (a global default) so anon can still run it.
        assert!(holds(&f.grants, "public", Privilege::Execute));
        assert!(f.explicit_grants.contains("anon"));
    }

    #[test]
    fn default_privileges_without_in_schema_are_global_like_postgres() {
        let s = build(&[
            "alter default privileges revoke all on tables from anon;
             alter default privileges revoke execute on functions from public;
             alter default privileges in schema public revoke execute on functions from authenticated;
             alter default privileges grant select on tables to reporting;",
            "create table t (id int); create table private.p (id int); create function f() returns int language sql as 'select 1';
             create function private.g() returns int language sql as 'select 1';",
        ]);
        let t = s.table(&qn("t")).unwrap();
        // Supabase's grants are per-schema defaults of public: a global
        // revoke does not take them away (as in PostgreSQL).
        assert!(holds(&t.grants, "anon", Privilege::Select));
        assert!(s.table_reach(t, "anon", Privilege::Select).assumed);
        assert!(holds(&t.grants, "reporting", Privilege::Select));
        assert!(t.explicit_grants.contains("reporting"));
        let p = s.table(&qn("private.p")).unwrap();
        assert_eq!(p.grants.keys().collect::<Vec<_>>(), ["reporting"]);
        let f = s.functions.iter().find(|f| f.name.name == "f").unwrap();
        assert!(!f.grants.contains_key("public"));
        assert!(!f.grants.contains_key("authenticated"));
        assert!(holds(&f.grants, "anon", Privilege::Execute));
        let g = s.functions.iter().find(|f| f.name.name == "g").unwrap();
        assert!(g.grants.is_empty());
    }

    #[test]
    fn default_privileges_grant_under_the_new_default() {
        let s = build_with(
            &["alter default privileges in schema public grant select on tables to anon; create table t (id int);
               alter default privileges in schema public grant all on functions to authenticated;
               create function f() returns int language sql as 'select 1';"],
            &new_grants(),
        );
        let t = s.table(&qn("t")).unwrap();
        assert_eq!(t.grants.keys().collect::<Vec<_>>(), ["anon"]);
        let r = s.table_reach(t, "anon", Privilege::Select);
        assert!(r.granted && !r.assumed);
        let f = &s.functions[0];
        assert_eq!(
            f.grants.keys().collect::<Vec<_>>(),
            ["authenticated", "public"]
        );
    }

    #[test]
    fn grants_on_functions_by_signature_by_name_and_by_schema() {
        let s = build(&[
            "create function f(a int) returns int language sql as 'select 1';
             create function f(a text, b int default 2) returns int language sql as 'select 1';
             create function private.g() returns int language sql as 'select 1';
             create procedure pr() language sql as $$ select 1 $$;",
            "revoke execute on function f(integer) from public, anon;
             revoke all on function f from authenticated;
             grant execute on all functions in schema private to anon;
             revoke execute on procedure pr() from public;",
        ]);
        let f_int = &s.functions[0];
        let f_text = &s.functions[1];
        assert!(!f_int.grants.contains_key("public") && !f_int.grants.contains_key("anon"));
        assert!(
            holds(&f_text.grants, "public", Privilege::Execute)
                && holds(&f_text.grants, "anon", Privilege::Execute)
        );
        assert!(
            !f_int.grants.contains_key("authenticated")
                && !f_text.grants.contains_key("authenticated")
        );
        assert!(f_int.explicit_grants.contains("anon"));
        let g = &s.functions[2];
        assert!(holds(&g.grants, "anon", Privilege::Execute));
        assert!(!s.functions[3].grants.contains_key("public"));
    }

    #[test]
    fn functions_are_read_replaced_altered_and_dropped() {
        let sql = "create or replace function public.is_admin(uid uuid, in b text default 'x', out c int) returns boolean language sql security definer set search_path = public, pg_temp stable as $fn$ select true $fn$;";
        let s = build(&[sql]);
        let f = &s.functions[0];
        assert_eq!(f.name, qn("public.is_admin"));
        assert_eq!(f.args, "(uid uuid, in b text default 'x', out c int)");
        assert_eq!(&sql[f.created.range.clone()], "create or replace function public.is_admin(uid uuid, in b text default 'x', out c int)");
        assert!(f.security_definer);
        assert_eq!(f.search_path.as_deref(), Some("public, pg_temp"));
        assert_eq!(f.language, "sql");
        assert_eq!(&sql[f.body.clone().unwrap()], " select true ");

        let s = build(&[
            "create function f(x int) returns int as 'select 1' language SQL;
             revoke execute on function f(int) from public;",
            "create or replace function f(y integer) returns int language plpgsql security definer as $$ begin return 1; end $$;
             create function f(x int) returns int language sql as 'select 2';",
            "alter function f(int4) set search_path = ''; alter function public.f security invoker;",
        ]);
        assert_eq!(s.functions.len(), 1);
        let f = &s.functions[0];
        assert_eq!(f.args, "(y integer)");
        assert_eq!(f.language, "plpgsql");
        assert_eq!(f.created.file, 1);
        assert!(!f.security_definer);
        assert_eq!(f.search_path.as_deref(), Some("''"));
        // OR REPLACE keeps the grants.
        assert!(!f.grants.contains_key("public"));
        let s = build(&[
            "create function f() returns int language sql set search_path to public, extensions as 'select 1';
             create function g() returns int language sql set search_path from current as 'select 1';
             create function \"public\".\"q\"() returns \"trigger\" language \"plpgsql\" security definer set \"search_path\" to '' as $$ begin return new; end $$;
             create function h(a int) returns int language sql return a + 1;",
            "alter function f reset search_path; alter function f() rename to f2; alter function g() set schema private;",
            "drop function if exists h(int), nothing; drop function h;",
        ]);
        let names: Vec<String> = s
            .functions
            .iter()
            .map(|f| format!("{:?}.{}", f.name.schema, f.name.name))
            .collect();
        assert_eq!(
            names,
            ["None.f2", "Some(\"private\").g", "Some(\"public\").q"]
        );
        assert_eq!(s.functions[2].search_path.as_deref(), Some("''"));
        assert_eq!(s.functions[2].language, "plpgsql");
        assert_eq!(s.functions[0].search_path, None);
        assert_eq!(s.functions[1].search_path.as_deref(), Some("from current"));
        let s = build(&["create function h(a int) returns int language sql return a + 1; alter function h(int) set search_path to default;"]);
        assert_eq!(s.functions[0].search_path, None);
        assert!(s.functions[0].body.is_some());
    }

    #[test]
    fn argument_types_are_normalised() {
        assert_eq!(normalize_type("INT"), "integer");
        assert_eq!(normalize_type("int4[]"), "integer[]");
        assert_eq!(
            normalize_type("character  varying(20)"),
            "character varying"
        );
        assert_eq!(normalize_type("public.\"my_type\""), "my_type");
        assert_eq!(normalize_type("timestamptz"), "timestamp with time zone");
        let s = build(&[
            "create function f(a varchar(10), b timestamptz) returns int language sql as 'select 1';
             drop function f(character varying, timestamp with time zone);",
        ]);
        assert!(s.functions.is_empty());
    }

    #[test]
    fn views_options_reads_and_replacement() {
        let sql = "create table a (id int);
            create or replace view public.v with (security_invoker = true, security_barrier) as
              with c as (select * from a join b.x on true) select * from c, d where exists (select 1 from e) union select * from only f;
            create view w with (security_invoker=on) as select * from auth.users;
            create view x with (security_invoker = false) as select 1;
            create view y as select * from a;";
        let s = build(&[sql]);
        let v = &s.views[0];
        assert_eq!(v.name, qn("public.v"));
        assert!(v.security_invoker && !v.materialized);
        assert_eq!(
            &sql[v.created.range.clone()],
            "create or replace view public.v"
        );
        assert_eq!(v.reads, [qn("a"), qn("b.x"), qn("d"), qn("e"), qn("f")]);
        assert!(holds(&v.grants, "anon", Privilege::Select));
        assert!(s.views[1].security_invoker);
        assert_eq!(s.views[1].reads, [qn("auth.users")]);
        assert!(!s.views[2].security_invoker);
        assert!(!s.views[3].security_invoker);

        let s = build(&[
            sql,
            "alter view y set (security_invoker = 1); alter view w reset (security_invoker); alter table x set (security_invoker);
             revoke all on v from anon; create or replace view v as select * from a;
             create view y as select 2;",
        ]);
        let find = |n: &str| s.views.iter().find(|v| v.name.name == n).unwrap();
        assert!(find("y").security_invoker);
        assert!(!find("w").security_invoker);
        assert!(find("x").security_invoker);
        let v = find("v");
        // CREATE OR REPLACE replaces the options and keeps the grants.
        assert!(!v.security_invoker);
        assert_eq!(v.reads, [qn("a")]);
        assert_eq!(v.created.file, 1);
        assert!(!v.grants.contains_key("anon"));
    }

    #[test]
    fn views_renamed_and_dropped() {
        let s = build(&[
            "create table a (id int); create view v1 as select * from a; create view v2 as select * from v1;
             create materialized view m as select * from a; create view keep as select 1;
             create materialized view if not exists m as select 2;",
            "alter view keep rename to kept; alter materialized view m rename to m2; alter view kept set schema private;
             drop view m2; drop materialized view if exists nothing;",
        ]);
        let names: Vec<String> = s
            .views
            .iter()
            .map(|v| format!("{:?}.{}", v.name.schema, v.name.name))
            .collect();
        assert_eq!(
            names,
            ["None.v1", "None.v2", "None.m2", "Some(\"private\").kept"]
        );
        let s = build(&[
            "create table a (id int); create view v1 as select * from a; create view v2 as select * from v1; create view other as select 1;",
            "drop table a cascade;",
        ]);
        let names: Vec<&str> = s.views.iter().map(|v| v.name.name.as_str()).collect();
        assert_eq!(names, ["other"]);
        let s = build(&[
            "create table a (id int); create view v as select * from a; alter table a rename to b;",
        ]);
        assert_eq!(s.views[0].reads, [qn("b")]);
    }

    #[test]
    fn drop_schema_cascade_drops_its_objects() {
        let s = build(&[
            "create table s.t (id int); create table u (id int); create policy p on s.t using (true);
             create function s.f() returns int language sql as 'select 1'; create view s.v as select 1;",
            "drop schema if exists s cascade;",
        ]);
        assert_eq!(s.tables.len(), 1);
        assert!(s.policies.is_empty() && s.functions.is_empty() && s.views.is_empty());
    }

    #[test]
    fn reset_all_unfixes_the_search_path() {
        let s = build(&["create function public.b2() returns int language sql set search_path = public as $$ select 1 $$;\nalter function public.b2() reset all;"]);
        assert_eq!(s.functions[0].search_path, None);
    }

    #[test]
    fn do_block_statements_on_tables_that_do_not_exist_yet_are_taken_as_skipped() {
        let s = build(&[
            "do $$ begin if exists (select 1 from pg_tables where tablename = 'inv') then\n  create policy \"p\" on inv for select using (true);\n  alter table inv enable row level security;\nend if; end $$;",
            "create table inv (id int);",
        ]);
        assert!(s.policies.is_empty());
        assert!(!s.tables[0].rls.enabled);
    }

    #[test]
    fn do_blocks_apply_their_ddl() {
        let sql = "create table t (id int); create table u (id int);
            do $$
            begin
              if exists (select 1 from pg_tables where tablename = 't') then
                alter table t enable row level security;
                create policy \"p\" on t for select to authenticated using (true);
              end if;
              if not exists (select 1 from pg_policies where policyname = 'q') then
                create policy q on t using (false);
              else
                drop policy q on t;
              end if;
              execute 'alter table u enable row level security';
              alter table nowhere enable row level security;
            exception when others then null;
            end $$;";
        let s = build(&[sql]);
        let t = s.table(&qn("t")).unwrap();
        assert!(t.rls.enabled);
        assert_eq!(t.rls_changes[0].0.statement, 2);
        assert_eq!(
            &sql[t.rls_changes[0].0.range.clone()],
            "alter table t enable row level security;"
        );
        assert!(!s.table(&qn("u")).unwrap().rls.enabled);
        let names: Vec<&str> = s.policies.iter().map(|p| p.name.as_str()).collect();
        // Conditions are not evaluated: q is created, then the ELSE branch drops it.
        assert_eq!(names, ["p"]);
        assert_eq!(s.policies[0].roles, ["authenticated"]);
        assert_eq!(
            &sql[s.policies[0].using.as_ref().unwrap().range.clone()],
            "true"
        );
        // One statement PL/pgSQL cannot parse and the block does nothing.
        let s = build(&["create table t (id int); do $$ begin alter table t enable row level security; create policy if not exists p on t using (true); end $$;"]);
        assert!(!s.tables[0].rls.enabled);
        assert!(s.policies.is_empty());
        // Another language is not read.
        let s = build(&["create table t (id int); do language plpython3u $$ alter table t enable row level security; $$;"]);
        assert!(!s.tables[0].rls.enabled);
    }

    #[test]
    fn issue_input_b_profiles_secured_in_a_later_migration() {
        let s = build(&[
            "create table profiles (id uuid references auth.users primary key, email text);",
            "create table unrelated (id int);",
            "alter table profiles enable row level security;\ncreate policy \"read own\" on profiles for select to authenticated using ((select auth.uid()) = id);",
        ]);
        let t = s.table(&qn("public.profiles")).unwrap();
        assert!(t.rls.enabled);
        assert_eq!(t.columns[0].references, Some(qn("auth.users")));
        let policies: Vec<_> = s.policies_on(&t.name).collect();
        assert_eq!(policies.len(), 1);
        assert_eq!(policies[0].name, "read own");
        assert_eq!(policies[0].command, Command::Select);
        assert_eq!(policies[0].roles, ["authenticated"]);
        assert_eq!(
            policies[0].using.as_ref().unwrap().text,
            "(select auth.uid()) = id"
        );
        assert_eq!(policies[0].created.file, 2);
    }

    #[test]
    fn issue_input_f_security_definer_without_search_path() {
        let sql = "create or replace function public.is_admin() returns boolean language sql security definer as $$ select exists(select 1 from admins where id = auth.uid()) $$;";
        let s = build(&[sql]);
        let f = &s.functions[0];
        assert_eq!(f.name, qn("public.is_admin"));
        assert_eq!(f.args, "()");
        assert!(f.security_definer);
        assert_eq!(f.search_path, None);
        assert!(s.is_exposed(&f.name));
        assert!(
            holds(&f.grants, "anon", Privilege::Execute)
                && holds(&f.grants, "public", Privilege::Execute)
        );
        assert_eq!(
            &sql[f.body.clone().unwrap()],
            " select exists(select 1 from admins where id = auth.uid()) "
        );
        assert_eq!(
            &sql[f.created.range.clone()],
            "create or replace function public.is_admin()"
        );
    }

    #[test]
    fn broken_statements_are_skipped_and_do_not_hide_the_next() {
        let s = build(&[
            "create table a (id int;\ncreate tabel oops;\ncreate policy if not exists p on c using (true);\ncreate table c (id int);\nalter table c enable row level security",
        ]);
        assert_eq!(s.tables.len(), 1);
        assert!(s.tables[0].rls.enabled);
        assert!(s.policies.is_empty());
    }

    #[test]
    fn grammar_gaps_inside_policy_expressions_and_view_queries_are_tolerated() {
        let sql = "create table t (org_id int);
            create policy p on t for select to authenticated using (org_id = any(select org_id from m where m.u = auth.uid())) with check (true);
            create view v as select * from t where org_id = any(select org_id from m);
            create policy q on t using (a = b with check (true);
            create table u (id int) with oops;";
        let s = build(&[sql]);
        assert_eq!(s.policies.len(), 1);
        let p = &s.policies[0];
        assert_eq!(p.roles, ["authenticated"]);
        assert_eq!(
            p.using.as_ref().unwrap().text,
            "org_id = any(select org_id from m where m.u = auth.uid())"
        );
        assert_eq!(s.views.len(), 1);
        assert_eq!(s.views[0].reads[0], qn("t"));
        assert_eq!(s.tables.len(), 1);
    }

    #[test]
    fn garbage_never_panics() {
        let fragments = [
            "create",
            "create table",
            "create table (",
            "create table t (",
            "alter table",
            "alter table t",
            "alter table t enable",
            "create policy",
            "create policy p on",
            "create policy p on t using (",
            "grant",
            "grant select on",
            "revoke all on function",
            "alter default privileges",
            "create view v as",
            "create function f(",
            "create function f() returns int as $$",
            "drop",
            "drop table",
            "drop policy x on",
            "do $$",
            "do $$ begin alter table",
            "alter policy p on t rename to",
            "$$;$$;",
            "'",
            "\"",
            "$a$",
            "--",
            "/*",
            "alter function f(",
            "create or replace view v with (security_invoker",
            "grant all on all tables in schema",
            "\\set x",
            "copy t from stdin;\n1\n",
            ";",
            ";;;",
            "create table t (like",
            "create table p partition of",
            "alter table t rename",
            "alter table t set schema",
            "create materialized view",
            "alter view v set (",
            "drop schema cascade",
            "create table \"",
            "create table a.b.c.d (id int);",
            "grant x on t to ;",
            "é",
            "\u{0}",
            "create table t (id int) inherits (",
            "alter table t alter column",
            "revoke grant option for",
        ];
        let mut inputs: Vec<String> = fragments.iter().map(|s| s.to_string()).collect();
        for a in fragments {
            for b in fragments.iter().step_by(3) {
                inputs.push(format!("{a} {b};"));
            }
        }
        // Deterministic pseudo-random bytes and token soups.
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let words = [
            "create",
            "table",
            "policy",
            "on",
            "to",
            "using",
            "(",
            ")",
            "with",
            "check",
            "alter",
            "enable",
            "row",
            "level",
            "security",
            "grant",
            "revoke",
            "all",
            "select",
            ";",
            "t",
            "public.t",
            "anon",
            "function",
            "f",
            "()",
            "as",
            "$$",
            "'",
            "view",
            "drop",
            "cascade",
            "default",
            "privileges",
            "in",
            "schema",
            "rename",
            "do",
            "begin",
            "end",
            "then",
            "if",
            ",",
            ".",
            "\"",
            "set",
            "search_path",
            "=",
            "security_invoker",
        ];
        for _ in 0..300 {
            let n = (next() % 40) as usize;
            let soup: Vec<&str> = (0..n)
                .map(|_| words[(next() % words.len() as u64) as usize])
                .collect();
            inputs.push(soup.join(" "));
            let bytes: Vec<u8> = (0..n * 3).map(|_| (next() % 128) as u8).collect();
            inputs.push(String::from_utf8_lossy(&bytes).into_owned());
        }
        for chunk in inputs.chunks(7) {
            let refs: Vec<&str> = chunk.iter().map(|s| s.as_str()).collect();
            let _ = build(&refs);
        }
    }

    #[test]
    fn locations_index_files_and_statements() {
        let files = [
            "select 1; create table a (id int);",
            "-- only a comment\n",
            "insert into a values (1); alter table a enable row level security;",
        ];
        let s = build(&files);
        assert_eq!(s.files.len(), 3);
        let a = &s.tables[0];
        assert_eq!((a.created.file, a.created.statement), (0, 1));
        let (loc, _) = &a.rls_changes[0];
        assert_eq!((loc.file, loc.statement), (2, 1));
        assert_eq!(
            &files[2][loc.range.clone()],
            "alter table a enable row level security;"
        );
    }
}

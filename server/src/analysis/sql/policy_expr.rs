//! Reading row level security policies for the policy rules: who an
//! expression lets through ([`Truth`]), the functions it calls (and whether
//! each call is wrapped in `(select …)`), where it reads `user_metadata`,
//! and the statement tree of a policy wherever it was written.
//!
//! Expressions are read from the syntax tree of the statement that holds
//! them (`ws.files[file].statements[…]`). A policy created inside a `DO`
//! body has no node of its own in that tree (the body is a string), so its
//! text is parsed alone; ranges are file byte offsets either way.

use std::ops::Range;

use tree_sitter::Node;

use crate::analysis::sql::model::{Command, Loc, Policy, PolicyExpr, Schema, Table};
use crate::analysis::sql::statements::Statement;
use crate::analysis::sql::{fold_identifier, QualifiedName};
use crate::analysis::util::{ancestors, child_of_kind, has_child, walk, Step};
use crate::analysis::workspace::SqlWorkspace;
use crate::language::{self, Language};

/// Which users of the Data API an expression lets through, from the
/// viewpoint of the `anon` and `authenticated` roles (the service role
/// bypasses row level security anyway). Ordered from closed to open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Truth {
    /// Nobody: `false`, `null`, `auth.role() = 'service_role'`.
    Never,
    /// Depends on the row or on who asks (an owner check, a membership
    /// lookup), or Moat cannot tell.
    Unknown,
    /// Every signed-in user, whatever the row: `auth.uid() is not null`,
    /// `auth.role() = 'authenticated'`.
    SignedIn,
    /// Everyone the policy applies to: `true`, `1 = 1`.
    Always,
}

impl Truth {
    /// Lets every user the policy applies to through (at least every
    /// signed-in one), whatever the row.
    pub fn is_open(self) -> bool {
        self >= Truth::SignedIn
    }

    fn or(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::Always, _) | (_, Truth::Always) => Truth::Always,
            (Truth::SignedIn, _) | (_, Truth::SignedIn) => Truth::SignedIn,
            (Truth::Never, x) | (x, Truth::Never) => x,
            _ => Truth::Unknown,
        }
    }

    fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::Never, _) | (_, Truth::Never) => Truth::Never,
            (Truth::Always, x) | (x, Truth::Always) => x,
            (Truth::SignedIn, Truth::SignedIn) => Truth::SignedIn,
            _ => Truth::Unknown,
        }
    }

    fn not(self) -> Truth {
        match self {
            Truth::Always => Truth::Never,
            Truth::Never => Truth::Always,
            _ => Truth::Unknown,
        }
    }
}

/// A function call in an expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// The function's name as called (folded; schema when qualified).
    pub name: QualifiedName,
    /// The call's bytes in the file (`auth.uid()`).
    pub range: Range<usize>,
    /// Inside a subquery without `FROM` (`(select auth.uid())`), which
    /// PostgreSQL runs once per statement as an init plan.
    pub wrapped: bool,
}

/// What the policy rules need to know about one expression.
#[derive(Clone, Debug)]
pub struct ExprFacts {
    /// Who the expression lets through.
    pub truth: Truth,
    /// The expression is false (or null) for every caller who is not signed
    /// in, whatever the row: it compares `auth.uid()` with something, asks
    /// `auth.uid() is not null` or `auth.role() = 'authenticated'`, or looks
    /// rows up by `auth.uid()` in `exists (…)` / `in (select …)` — in a
    /// conjunct, or in every branch of an `or`. Calls to other functions
    /// are not followed (`is_member(auth.uid())` may be true for `null`).
    pub needs_user: bool,
    /// Every function call, in order.
    pub calls: Vec<Call>,
    /// Where the expression reads `user_metadata`: string constants naming
    /// it (`auth.jwt() -> 'user_metadata'`, `'{user_metadata,role}'`) and
    /// the columns `raw_user_meta_data` / `user_metadata`.
    pub user_metadata: Vec<Range<usize>>,
}

/// Reads a policy expression. `None` when its text cannot be found or
/// parsed.
pub fn facts(ws: &SqlWorkspace, expr: &PolicyExpr) -> Option<ExprFacts> {
    with_expr(ws, expr, |node, src, to_file| {
        let mut facts = ExprFacts {
            truth: truth(node, src, 0),
            needs_user: needs_user(node, src, 0),
            calls: Vec::new(),
            user_metadata: Vec::new(),
        };
        collect(node, src, to_file, &mut facts);
        facts
    })
}

/// The effective expressions of a policy's two checks, as PostgreSQL applies
/// them: `using` filters the rows a command sees (SELECT, UPDATE, DELETE);
/// `check` the rows it writes (INSERT, UPDATE), and falls back to `using`
/// when there is no `WITH CHECK`. A missing `USING` lets no row through.
pub struct PolicyFacts<'p> {
    pub using: Option<(&'p PolicyExpr, ExprFacts)>,
    pub check: Option<(&'p PolicyExpr, ExprFacts)>,
    /// Whether `check` is the `USING` expression standing in for a missing
    /// `WITH CHECK`.
    pub check_is_using: bool,
}

impl<'p> PolicyFacts<'p> {
    /// Reads both expressions of `policy`.
    pub fn of(ws: &SqlWorkspace, policy: &'p Policy) -> PolicyFacts<'p> {
        let read =
            |e: &'p Option<PolicyExpr>| e.as_ref().and_then(|e| facts(ws, e).map(|f| (e, f)));
        let using = read(&policy.using);
        let (check, check_is_using) = match read(&policy.with_check) {
            Some(c) => (Some(c), false),
            None if policy.with_check.is_none() => (using.clone(), true),
            None => (None, false),
        };
        PolicyFacts {
            using,
            check,
            check_is_using,
        }
    }

    /// Who the USING expression lets through (`Never` when missing;
    /// `Unknown` when it could not be read).
    pub fn using_truth(&self, policy: &Policy) -> Truth {
        match (&self.using, &policy.using) {
            (Some((_, f)), _) => f.truth,
            (None, Some(_)) => Truth::Unknown,
            (None, None) => Truth::Never,
        }
    }

    /// Who the effective WITH CHECK lets write.
    pub fn check_truth(&self, policy: &Policy) -> Truth {
        match &self.check {
            Some((_, f)) => f.truth,
            None if policy.with_check.is_none() && policy.using.is_none() => Truth::Never,
            None => Truth::Unknown,
        }
    }

    /// Who the policy lets through on the parts its command uses: the
    /// most open of them.
    pub fn widest(&self, policy: &Policy) -> Truth {
        let using = self.using_truth(policy);
        let check = self.check_truth(policy);
        match policy.command {
            Command::Select | Command::Delete => using,
            Command::Insert => check,
            // UPDATE reaches only the rows USING lets through.
            Command::Update if using == Truth::Never => Truth::Never,
            Command::Update | Command::All => using.max(check),
        }
    }

    /// The expressions the command uses, each once (a `USING` standing in
    /// for the check is not repeated).
    pub fn used(&self, policy: &Policy) -> Vec<&(&'p PolicyExpr, ExprFacts)> {
        let mut out = Vec::new();
        if policy.command != Command::Insert {
            out.extend(self.using.as_ref());
        }
        if !matches!(policy.command, Command::Select | Command::Delete) && !self.check_is_using {
            out.extend(self.check.as_ref());
        }
        out
    }
}

/// Whether a policy's roles include the Data API's users: `anon`,
/// `authenticated` or `public` (every role).
pub fn applies_to_api(policy: &Policy) -> bool {
    policy
        .roles
        .iter()
        .any(|r| matches!(r.as_str(), "anon" | "authenticated" | "public"))
}

/// Whether a policy's table is one the Data API or Supabase Storage
/// serves: a table in an exposed schema, or `storage.objects` /
/// `storage.buckets` (Storage checks their policies on every upload and
/// download).
pub fn table_is_served(schema: &Schema, table: &QualifiedName) -> bool {
    schema.is_exposed(table) || table.schema.as_deref() == Some("storage")
}

/// Calls `f` with the statement node at `loc` (`CreatePolicyStmt`,
/// `AlterTableStmt`, …) and a function from its tree's byte offsets to the
/// file's. A statement inside a `DO` body is parsed alone.
pub fn with_statement<R>(
    ws: &SqlWorkspace,
    loc: &Loc,
    f: impl FnOnce(Node<'_>, &dyn Fn(Range<usize>) -> Range<usize>) -> R,
) -> Option<R> {
    let src = ws.files.get(loc.file)?;
    let stmt = src.statements.get(loc.statement)?;
    if stmt.range == loc.range {
        let base = stmt.range.start;
        return Some(f(stmt.node()?, &move |r| base + r.start..base + r.end));
    }
    // A statement found in a DO body: parse its text alone.
    let text = src.text.get(loc.range.clone())?;
    let tree = language::parse(Language::Sql, text, None)?;
    let alone = Statement {
        range: loc.range.clone(),
        tree,
    };
    let base = loc.range.start;
    Some(f(alone.node()?, &move |r| base + r.start..base + r.end))
}

/// Calls `f` with the expression's node, the text its tree was parsed from,
/// and a function from that tree's byte offsets to the file's.
fn with_expr<R>(
    ws: &SqlWorkspace,
    expr: &PolicyExpr,
    f: impl FnOnce(Node<'_>, &str, &dyn Fn(Range<usize>) -> Range<usize>) -> R,
) -> Option<R> {
    let src = ws.files.get(expr.file)?;
    let i = src
        .statements
        .partition_point(|s| s.range.start <= expr.range.start)
        .checked_sub(1)?;
    let stmt = &src.statements[i];
    if stmt.range.end >= expr.range.end {
        let rel = expr.range.start - stmt.range.start..expr.range.end - stmt.range.start;
        if let Some(node) = outermost_spanning(stmt.tree.root_node(), rel) {
            let text = src.text.get(stmt.range.clone())?;
            let base = stmt.range.start;
            return Some(f(node, text, &move |r| base + r.start..base + r.end));
        }
    }
    // Inside a DO body (a string in the statement's tree): parse the
    // expression alone, as a select list.
    const PREFIX: &str = "select ";
    let text = format!("{PREFIX}{}", src.text.get(expr.range.clone())?);
    let tree = language::parse(Language::Sql, &text, None)?;
    let node = outermost_spanning(tree.root_node(), PREFIX.len()..text.len())?;
    let start = expr.range.start;
    Some(f(node, &text, &move |r| {
        start + r.start - PREFIX.len()..start + r.end - PREFIX.len()
    }))
}

/// The outermost expression node under `root` whose bytes are exactly
/// `range` (not the select list around it), or the innermost node there.
fn outermost_spanning(root: Node<'_>, range: Range<usize>) -> Option<Node<'_>> {
    let inner = root.descendant_for_byte_range(range.start, range.end)?;
    if inner.byte_range() != range {
        return None;
    }
    ancestors(root, inner)
        .into_iter()
        .find(|n| n.byte_range() == range && matches!(n.kind(), "a_expr" | "c_expr"))
        .or(Some(inner))
}

/// Walks the expression once: calls (wrapped or not) and user_metadata
/// reads.
fn collect(
    node: Node<'_>,
    src: &str,
    to_file: &dyn Fn(Range<usize>) -> Range<usize>,
    facts: &mut ExprFacts,
) {
    // (depth, has FROM) of the enclosing `simple_select`s.
    let mut selects: Vec<(u32, bool)> = Vec::new();
    walk(node, |cursor, depth| {
        while selects.last().is_some_and(|&(d, _)| d >= depth) {
            selects.pop();
        }
        let n = cursor.node();
        match n.kind() {
            "simple_select" => selects.push((depth, has_child(n, "from_clause"))),
            "func_application" => {
                if let Some(name) =
                    child_of_kind(n, "func_name").and_then(|f| func_name(&src[f.byte_range()]))
                {
                    facts.calls.push(Call {
                        name,
                        range: to_file(n.byte_range()),
                        wrapped: selects.last().is_some_and(|&(_, from)| !from),
                    });
                }
            }
            "Sconst" => {
                if src[n.byte_range()]
                    .to_ascii_lowercase()
                    .contains("user_metadata")
                {
                    facts.user_metadata.push(to_file(n.byte_range()));
                }
                return Step::Over;
            }
            "identifier" | "quoted_identifier" => {
                let name = fold_identifier(&src[n.byte_range()]);
                if name == "raw_user_meta_data" || name == "user_metadata" {
                    facts.user_metadata.push(to_file(n.byte_range()));
                }
            }
            _ => {}
        }
        Step::Into
    });
}

/// A dotted function name, folded: `auth.uid` → (auth, uid).
fn func_name(text: &str) -> Option<QualifiedName> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            '.' if !quoted => parts.push(std::mem::take(&mut current)),
            c if c.is_whitespace() && !quoted => {}
            c => current.push(c),
        }
    }
    parts.push(current);
    let mut parts: Vec<String> = parts.iter().map(|p| fold_identifier(p)).collect();
    let name = parts.pop().filter(|n| !n.is_empty())?;
    Some(QualifiedName {
        schema: parts.pop(),
        name,
    })
}

/// The nodes under `node`, named and anonymous, without comments.
fn all_children(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    let children = node
        .children(&mut cursor)
        .filter(|c| !c.is_extra())
        .collect();
    children
}

/// Deeper than this, an expression is `Unknown` (no recursion limit is hit
/// on machine-made policies).
const MAX_DEPTH: u32 = 200;

/// Who the expression rooted at `node` lets through.
fn truth(node: Node<'_>, src: &str, depth: u32) -> Truth {
    if depth > MAX_DEPTH {
        return Truth::Unknown;
    }
    let kids = all_children(node);
    let kinds: Vec<&str> = kids.iter().map(|k| k.kind()).collect();
    let rec = |n: Node<'_>| truth(n, src, depth + 1);
    match node.kind() {
        "kw_true" => return Truth::Always,
        "kw_false" | "kw_null" => return Truth::Never,
        "AexprConst" => {
            return match kinds.as_slice() {
                ["kw_true"] => Truth::Always,
                ["kw_false"] | ["kw_null"] => Truth::Never,
                _ => Truth::Unknown,
            }
        }
        "a_expr" | "a_expr_prec" | "c_expr" | "b_expr" => {}
        _ => return Truth::Unknown,
    }
    match kinds.as_slice() {
        [_] => rec(kids[0]),
        ["(", _, ")"] => rec(kids[1]),
        [_, "kw_or", _] => rec(kids[0]).or(rec(kids[2])),
        [_, "kw_and", _] => rec(kids[0]).and(rec(kids[2])),
        ["kw_not", _] => rec(kids[1]).not(),
        [_, "kw_is", "kw_true"] => rec(kids[0]),
        [_, "kw_is", "kw_not", "kw_null"] | [_, "kw_notnull"] => {
            match identity(&src[kids[0].byte_range()]) {
                Some(Identity::User) => Truth::SignedIn,
                _ if constant(kids[0], src).is_some() => Truth::Always,
                _ => Truth::Unknown,
            }
        }
        // `x::boolean`
        [_, "::", "Typename"] => rec(kids[0]),
        [_, "=", _] => equality(kids[0], kids[2], src),
        [_, "qual_Op", _] => match reassociated(&kids) {
            Some((a, "=", b)) => {
                let compare = |side: Side<'_>, other: Side<'_>| {
                    role_compare(side.text(src), other.node()?, src)
                };
                compare(a, b)
                    .or_else(|| compare(b, a))
                    .unwrap_or(Truth::Unknown)
            }
            _ => Truth::Unknown,
        },
        _ => Truth::Unknown,
    }
}

/// The comparison operators.
const COMPARISONS: &[&str] = &["=", "<>", "!=", "<", ">", "<=", ">="];

/// One side of a comparison: a node, or (where the grammar split it) a
/// byte range of the tree's text.
#[derive(Clone, Copy)]
enum Side<'t> {
    Node(Node<'t>),
    Text(usize, usize),
}

impl Side<'_> {
    fn text<'s>(&self, src: &'s str) -> &'s str {
        match self {
            Side::Node(n) => &src[n.byte_range()],
            Side::Text(a, b) => &src[*a..*b],
        }
    }

    fn node(&self) -> Option<Node<'_>> {
        match self {
            Side::Node(n) => Some(*n),
            Side::Text(..) => None,
        }
    }
}

/// A comparison (`l cmp r`) directly under `n`, through single-child
/// wrappers.
fn comparison(mut n: Node<'_>) -> Option<(Node<'_>, &'static str, Node<'_>)> {
    loop {
        let inner = all_children(n);
        let kinds: Vec<&str> = inner.iter().map(|k| k.kind()).collect();
        match kinds.as_slice() {
            [_] if matches!(n.kind(), "a_expr" | "a_expr_prec") => n = inner[0],
            [_, op, _] => {
                let op = COMPARISONS.iter().find(|c| *c == op)?;
                return Some((inner[0], op, inner[2]));
            }
            _ => return None,
        }
    }
}

/// tree-sitter-postgres binds comparisons tighter than other operators:
/// it reads `auth.jwt() ->> 'role' = 'x'` as `auth.jwt() ->> ('role' = 'x')`
/// and `email = auth.jwt() ->> 'email'` as `(email = auth.jwt()) ->>
/// 'email'`. PostgreSQL binds `->>` (like every other operator) tighter
/// than `=`. For `x op y` where `x` or `y` is such a comparison, this
/// returns the comparison PostgreSQL sees.
fn reassociated<'t>(kids: &[Node<'t>]) -> Option<(Side<'t>, &'static str, Side<'t>)> {
    let (x, y) = (*kids.first()?, *kids.get(2)?);
    if let Some((l, cmp, r)) = comparison(y) {
        return Some((Side::Text(x.start_byte(), l.end_byte()), cmp, Side::Node(r)));
    }
    let (l, cmp, r) = comparison(x)?;
    Some((Side::Node(l), cmp, Side::Text(r.start_byte(), y.end_byte())))
}

/// Whether the expression rooted at `node` is false or null for callers
/// who are not signed in (see [`ExprFacts::needs_user`]).
fn needs_user(node: Node<'_>, src: &str, depth: u32) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    if truth(node, src, depth) == Truth::SignedIn {
        return true;
    }
    if !matches!(node.kind(), "a_expr" | "a_expr_prec" | "c_expr" | "b_expr") {
        return false;
    }
    let kids = all_children(node);
    let kinds: Vec<&str> = kids.iter().map(|k| k.kind()).collect();
    let rec = |n: Node<'_>| needs_user(n, src, depth + 1);
    let is_user = |n: Node<'_>| identity(&src[n.byte_range()]) == Some(Identity::User);
    match kinds.as_slice() {
        [_] => rec(kids[0]),
        ["(", _, ")"] => rec(kids[1]),
        [_, "kw_and", _] => rec(kids[0]) || rec(kids[2]),
        [_, "kw_or", _] => rec(kids[0]) && rec(kids[2]),
        // A comparison with a null user id is null.
        [_, op, _] if COMPARISONS.contains(op) => is_user(kids[0]) || is_user(kids[2]),
        [_, "qual_Op", _] => reassociated(&kids).is_some_and(|(a, _, b)| {
            identity(a.text(src)) == Some(Identity::User)
                || identity(b.text(src)) == Some(Identity::User)
        }),
        [_, "kw_in", _] => {
            is_user(kids[0])
                || (kids[2].kind() == "select_with_parens"
                    && select_needs_user(kids[2], src, depth))
        }
        ["kw_exists", "select_with_parens"] => select_needs_user(kids[1], src, depth),
        _ => false,
    }
}

/// Whether a subquery returns no row for callers who are not signed in:
/// its `WHERE` needs a user.
fn select_needs_user(select: Node<'_>, src: &str, depth: u32) -> bool {
    let Some(simple) =
        child_of_kind(select, "select_no_parens").and_then(|s| child_of_kind(s, "simple_select"))
    else {
        return false;
    };
    child_of_kind(simple, "where_clause")
        .and_then(|w| child_of_kind(w, "a_expr"))
        .is_some_and(|e| needs_user(e, src, depth + 1))
}

/// `a = b`: constants compared, or the caller's role compared with one.
fn equality(a: Node<'_>, b: Node<'_>, src: &str) -> Truth {
    if let (Some(x), Some(y)) = (constant(a, src), constant(b, src)) {
        return if x == y { Truth::Always } else { Truth::Never };
    }
    role_compare(&src[a.byte_range()], b, src)
        .or_else(|| role_compare(&src[b.byte_range()], a, src))
        .unwrap_or(Truth::Unknown)
}

/// `<role> = 'name'` where `side` is the text of the caller's role
/// (`auth.role()`): `authenticated` is every signed-in user; the service
/// and admin roles are no API user.
fn role_compare(side: &str, other: Node<'_>, src: &str) -> Option<Truth> {
    if identity(side) != Some(Identity::Role) {
        return None;
    }
    let value = constant(other, src)?;
    Some(match value.trim_matches('\'') {
        "authenticated" => Truth::SignedIn,
        "service_role" | "supabase_admin" | "postgres" => Truth::Never,
        _ => Truth::Unknown,
    })
}

/// The text of a constant (number, string, boolean), normalised: lower
/// case, no whitespace, a `::type` cast dropped.
fn constant(node: Node<'_>, src: &str) -> Option<String> {
    let mut n = node;
    loop {
        match n.kind() {
            "AexprConst" => break,
            "a_expr" | "a_expr_prec" | "c_expr" | "b_expr" => {
                let kids = all_children(n);
                let kinds: Vec<&str> = kids.iter().map(|k| k.kind()).collect();
                n = match kinds.as_slice() {
                    [_] => kids[0],
                    ["(", _, ")"] => kids[1],
                    [_, "::", "Typename"] => kids[0],
                    _ => return None,
                };
            }
            _ => return None,
        }
    }
    let text = &src[n.byte_range()];
    // A string keeps its case; keywords and numbers do not have any.
    Some(if text.starts_with('\'') {
        text.to_string()
    } else {
        text.to_ascii_lowercase()
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Identity {
    /// The caller's user id or token: set exactly when signed in.
    User,
    /// The caller's role name.
    Role,
}

/// Recognises the caller's identity in an expression's text: `auth.uid()`,
/// `auth.jwt() ->> 'sub'`, `(select auth.uid())` (a user id, null unless
/// signed in; `auth.jwt()` itself is not: `anon` requests carry a token);
/// `auth.role()`, `auth.jwt() ->> 'role'` (the role).
fn identity(text: &str) -> Option<Identity> {
    let mut s: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    for f in ["uid", "jwt", "role", "email"] {
        s = s.replace(&format!("(selectauth.{f}())"), &format!("auth.{f}()"));
    }
    loop {
        let inner = s
            .strip_prefix('(')
            .and_then(|x| x.strip_suffix(')'))
            .map(|x| x.strip_prefix("select").unwrap_or(x).to_string());
        match inner {
            Some(x) if balanced(&x) => s = x,
            _ => break,
        }
    }
    let s = s.strip_suffix("::text").unwrap_or(&s);
    match s {
        "auth.uid()"
        | "auth.email()"
        | "auth.jwt()->>'sub'"
        | "auth.jwt()->'sub'"
        | "auth.jwt()->>'email'" => Some(Identity::User),
        "auth.role()" | "auth.jwt()->>'role'" => Some(Identity::Role),
        _ => None,
    }
}

/// Whether parentheses balance in `s` (so stripping an outer pair kept the
/// text one expression).
fn balanced(s: &str) -> bool {
    let mut depth = 0i32;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// Why a table holds user data, for the policy rules: its owner column
/// ([`owner_column`](crate::analysis::sql::owner_column)) when that names
/// an app user — it references `auth.users` or a users / profiles /
/// accounts / members / customers table, or is a `uuid` with no reference
/// (a `user_id text` holding a GitHub login, or an `author_id` referencing
/// a public `contributors` table, does not) — and its personal columns
/// ([`sensitive_columns`](crate::analysis::sql::sensitive_columns)), up to
/// four names in all. Empty when it holds none.
pub fn user_data_columns(table: &Table) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    if let Some(c) = crate::analysis::sql::owner_column(table) {
        let app_user = match &c.references {
            Some(r) => {
                (r.schema.as_deref() == Some("auth") && r.name == "users")
                    || matches!(
                        r.name.as_str(),
                        "users"
                            | "profiles"
                            | "user_profiles"
                            | "accounts"
                            | "members"
                            | "customers"
                    )
            }
            None => c.type_text.trim().to_ascii_lowercase().starts_with("uuid"),
        };
        if app_user {
            names.push(&c.name);
        }
    }
    for c in crate::analysis::sql::sensitive_columns(table) {
        if names.len() >= 4 {
            break;
        }
        if !names.contains(&c.name.as_str()) {
            names.push(&c.name);
        }
    }
    names
}

/// Words in a policy's name that promise a per-user restriction ("their
/// own data", "owner", "my posts").
pub fn name_promises_ownership(name: &str) -> bool {
    name.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| {
            matches!(
                w,
                "own" | "their" | "owner" | "owners" | "my" | "mine" | "self" | "themselves"
            )
        })
}

/// An identifier as it must be written in SQL: quoted unless it is a plain
/// lower-case name.
pub fn sql_identifier(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !matches!(
            name,
            "user" | "order" | "group" | "table" | "select" | "from" | "where" | "to" | "end"
        );
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::sql::model::Settings;
    use crate::analysis::workspace::SqlSource;

    fn ws(sql: &str) -> SqlWorkspace {
        let src = SqlSource::new(
            "supabase/migrations/1_a.sql".into(),
            "/1_a.sql".into(),
            sql.into(),
        );
        SqlWorkspace::build(vec![src], &Settings::default())
    }

    fn using_truth(expr: &str) -> Truth {
        let w = ws(&format!("create policy p on t using ({expr});"));
        facts(&w, w.schema.policies[0].using.as_ref().unwrap())
            .unwrap()
            .truth
    }

    #[test]
    fn truth_of_common_expressions() {
        assert_eq!(using_truth("true"), Truth::Always);
        assert_eq!(using_truth("(true)"), Truth::Always);
        assert_eq!(using_truth("1 = 1"), Truth::Always);
        assert_eq!(using_truth("'a' = 'a'"), Truth::Always);
        assert_eq!(using_truth("true::boolean"), Truth::Always);
        assert_eq!(using_truth("not false"), Truth::Always);
        assert_eq!(using_truth("x = 1 or true"), Truth::Always);
        assert_eq!(using_truth("false"), Truth::Never);
        assert_eq!(using_truth("1 = 2"), Truth::Never);
        assert_eq!(using_truth("x = 1 and false"), Truth::Never);
        assert_eq!(using_truth("auth.uid() is not null"), Truth::SignedIn);
        assert_eq!(
            using_truth("(select auth.uid()) is not null"),
            Truth::SignedIn
        );
        assert_eq!(
            using_truth("auth.role() = 'authenticated'"),
            Truth::SignedIn
        );
        assert_eq!(
            using_truth("(select auth.role()) = 'authenticated'"),
            Truth::SignedIn
        );
        assert_eq!(
            using_truth("'authenticated' = auth.role()"),
            Truth::SignedIn
        );
        assert_eq!(
            using_truth("auth.role() = 'service_role' or auth.uid() is not null"),
            Truth::SignedIn
        );
        assert_eq!(using_truth("auth.role() = 'service_role'"), Truth::Never);
        assert_eq!(
            using_truth("'service_role' = auth.jwt() ->> 'role'"),
            Truth::Never
        );
        assert_eq!(
            using_truth("auth.jwt() ->> 'role' = 'service_role'"),
            Truth::Never
        );
        assert_eq!(
            using_truth("(select auth.jwt()) ->> 'role' = 'authenticated'"),
            Truth::SignedIn
        );
        assert_eq!(
            using_truth("auth.jwt() -> 'app_metadata' ->> 'role' = 'admin'"),
            Truth::Unknown
        );
        assert_eq!(using_truth("(select auth.uid()) = user_id"), Truth::Unknown);
        assert_eq!(
            using_truth("auth.role() = 'authenticated' and user_id = auth.uid()"),
            Truth::Unknown
        );
        assert_eq!(using_truth("x is not null"), Truth::Unknown);
        assert_eq!(using_truth("is_admin()"), Truth::Unknown);
    }

    fn needs(expr: &str) -> bool {
        let w = ws(&format!("create policy p on t using ({expr});"));
        facts(&w, w.schema.policies[0].using.as_ref().unwrap())
            .unwrap()
            .needs_user
    }

    #[test]
    fn expressions_that_need_a_signed_in_user() {
        assert!(needs("auth.uid() = user_id"));
        assert!(needs("(select auth.uid()) = user_id and x"));
        assert!(needs("user_id <> (select auth.uid())"));
        assert!(needs("auth.uid() = a or auth.uid() = b"));
        assert!(needs(
            "exists (select 1 from m where m.team = t.team and m.user_id = auth.uid())"
        ));
        assert!(needs(
            "team_id in (select team_id from m where user_id = (select auth.uid()))"
        ));
        assert!(needs("auth.role() = 'authenticated'"));
        assert!(needs("auth.jwt() ->> 'sub' = user_id::text"));
        assert!(needs("email = auth.jwt() ->> 'email'"));
        assert!(needs(
            "invited_by = auth.uid() or email = (select auth.jwt()) ->> 'email'"
        ));
        assert!(needs("-- signed in\n (select auth.uid()) is not null\n -- and a member\n and exists (select 1 from m where m.x = t.x)"));
        assert!(!needs("auth.uid() = user_id or is_public"));
        assert!(!needs("true"));
        assert!(!needs("is_member(auth.uid())"));
        assert!(!needs("auth.jwt() is not null"));
        assert!(!needs(
            "exists (select 1 from m where m.user_id = auth.uid() or m.public)"
        ));
    }

    #[test]
    fn calls_know_whether_they_are_wrapped() {
        let w = ws("create policy p on t using ((select auth.uid()) = a and auth.uid() = b and exists (select 1 from m where m.u = auth.uid()) and current_setting('x', true) = 'y');");
        let f = facts(&w, w.schema.policies[0].using.as_ref().unwrap()).unwrap();
        let text = &w.files[0].text;
        let calls: Vec<(&str, bool)> = f
            .calls
            .iter()
            .map(|c| (&text[c.range.clone()], c.wrapped))
            .collect();
        assert_eq!(
            calls,
            [
                ("auth.uid()", true),
                ("auth.uid()", false),
                ("auth.uid()", false),
                ("current_setting('x', true)", false)
            ]
        );
        assert_eq!(f.calls[0].name.schema.as_deref(), Some("auth"));
        assert_eq!(f.calls[3].name.schema, None);
    }

    #[test]
    fn user_metadata_reads() {
        let w = ws("create policy p on t using (auth.jwt() -> 'user_metadata' ->> 'role' = 'admin' and (select raw_user_meta_data from auth.users) is not null and auth.jwt() -> 'app_metadata' ->> 'x' = 'y');");
        let f = facts(&w, w.schema.policies[0].using.as_ref().unwrap()).unwrap();
        let text = &w.files[0].text;
        let found: Vec<&str> = f.user_metadata.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(found, ["'user_metadata'", "raw_user_meta_data"]);
    }

    #[test]
    fn policies_in_do_blocks_are_read_from_their_text() {
        let sql = "create table t (id int, user_id uuid);\ndo $$ begin\n  create policy p on t for all using (auth.uid() = user_id);\nend $$;";
        let w = ws(sql);
        let p = &w.schema.policies[0];
        let f = facts(&w, p.using.as_ref().unwrap()).unwrap();
        assert_eq!(&sql[f.calls[0].range.clone()], "auth.uid()");
        assert!(f.needs_user);
        let w2 = ws(
            "create table t (id int);\ndo $$\nbegin\n  create policy p on t using (true);\nend $$;",
        );
        let f = facts(&w2, w2.schema.policies[0].using.as_ref().unwrap()).unwrap();
        assert_eq!(f.truth, Truth::Always);
        let kind = with_statement(&w, &p.created, |n, to_file| {
            (n.kind().to_string(), to_file(n.byte_range()))
        })
        .unwrap();
        assert_eq!(kind.0, "CreatePolicyStmt");
        assert!(sql[kind.1].starts_with("create policy p"));
    }

    #[test]
    fn identifiers_are_quoted_when_needed() {
        assert_eq!(sql_identifier("user_id"), "user_id");
        assert_eq!(sql_identifier("userId"), "\"userId\"");
        assert_eq!(sql_identifier("user"), "\"user\"");
        assert!(name_promises_ownership(
            "All users can access their own data"
        ));
        assert!(!name_promises_ownership("Public read"));
        assert!(!name_promises_ownership("Owned-by nobody"));
    }
}

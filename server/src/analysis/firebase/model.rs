//! A model of one rules file: its service, `rules_version`, the tree of
//! `match` blocks with their composed paths, every `allow` with the methods
//! it grants, and the functions and `let` bindings in scope.
//!
//! Built in one top-down walk of the syntax tree ([`RulesFile::build`]);
//! the rules read the model instead of walking the tree again.

use tree_sitter::Node;

use crate::analysis::firebase::paths::root_len;
use crate::analysis::util::{walk, Step};
use crate::analysis::FileContext;

/// Which Firebase product the rules govern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    /// `service cloud.firestore`: documents.
    Firestore,
    /// `service firebase.storage`: files (objects in buckets).
    Storage,
    /// No service, or one Moat does not know.
    Other,
}

/// One segment of a match path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Segment<'a> {
    /// A literal segment: `users`, `documents`.
    Literal(&'a str),
    /// `{name}`: exactly one segment, bound to `name`.
    Wildcard(&'a str),
    /// `{name=**}`: the rest of the path (zero or more segments with
    /// `rules_version = '2'`, one or more before it).
    Recursive(&'a str),
}

impl Segment<'_> {
    /// The wildcard name, if this is a wildcard.
    pub fn wildcard_name(&self) -> Option<&str> {
        match self {
            Segment::Wildcard(n) | Segment::Recursive(n) => Some(n),
            Segment::Literal(_) => None,
        }
    }
}

/// The five operations a request can be; `read` = get + list, `write` =
/// create + update + delete.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    Get,
    List,
    Create,
    Update,
    Delete,
}

impl Op {
    /// Every operation, in display order.
    pub const ALL: [Op; 5] = [Op::Get, Op::List, Op::Create, Op::Update, Op::Delete];

    /// The method keyword.
    pub fn name(self) -> &'static str {
        match self {
            Op::Get => "get",
            Op::List => "list",
            Op::Create => "create",
            Op::Update => "update",
            Op::Delete => "delete",
        }
    }

    /// Whether the operation changes data.
    pub fn is_write(self) -> bool {
        matches!(self, Op::Create | Op::Update | Op::Delete)
    }
}

/// A set of [`Op`]s.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Ops(u8);

impl Ops {
    /// The empty set.
    pub const NONE: Ops = Ops(0);

    fn bit(op: Op) -> u8 {
        1 << (op as u8)
    }

    /// The operations a method keyword grants (`read` gives get and list);
    /// empty for an unknown keyword.
    pub fn of_method(method: &str) -> Ops {
        let ops: &[Op] = match method {
            "read" => &[Op::Get, Op::List],
            "write" => &[Op::Create, Op::Update, Op::Delete],
            "get" => &[Op::Get],
            "list" => &[Op::List],
            "create" => &[Op::Create],
            "update" => &[Op::Update],
            "delete" => &[Op::Delete],
            _ => &[],
        };
        ops.iter().fold(Ops::NONE, |acc, op| acc.with(*op))
    }

    /// This set plus `op`.
    pub fn with(self, op: Op) -> Ops {
        Ops(self.0 | Ops::bit(op))
    }

    /// Whether `op` is in the set.
    pub fn contains(self, op: Op) -> bool {
        self.0 & Ops::bit(op) != 0
    }

    /// The operations in both sets.
    pub fn intersect(self, other: Ops) -> Ops {
        Ops(self.0 & other.0)
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The operations in the set, in display order.
    pub fn iter(self) -> impl Iterator<Item = Op> {
        Op::ALL.into_iter().filter(move |op| self.contains(*op))
    }

    /// Whether any operation in the set changes data.
    pub fn any_write(self) -> bool {
        self.iter().any(Op::is_write)
    }

    /// Whether any operation in the set reads data.
    pub fn any_read(self) -> bool {
        self.iter().any(|op| !op.is_write())
    }
}

/// One `match` block.
#[derive(Clone, Debug)]
pub struct Match<'t> {
    /// The `match_block` node.
    pub node: Node<'t>,
    /// The enclosing match, as an index into [`RulesFile::matches`].
    pub parent: Option<usize>,
    /// This block's own path segments.
    pub segments: Vec<Segment<'t>>,
}

/// One `allow` statement.
#[derive(Clone, Debug)]
pub struct Allow<'t> {
    /// The `allow_statement` node.
    pub node: Node<'t>,
    /// The innermost enclosing match, as an index into
    /// [`RulesFile::matches`]; `None` for an allow outside any match (a
    /// syntax error Firebase rejects).
    pub match_index: Option<usize>,
    /// The method keywords as written.
    pub methods: Vec<Node<'t>>,
    /// The operations the methods grant.
    pub ops: Ops,
    /// The `condition` node (`if …`), absent for `allow read;`.
    pub condition: Option<Node<'t>>,
    /// The condition's expression.
    pub expression: Option<Node<'t>>,
    /// Whether the statement holds a syntax error (then rules skip it).
    pub has_error: bool,
}

/// A `function` declaration.
#[derive(Clone, Debug)]
pub struct Function<'t> {
    /// The `function_declaration` node.
    pub node: Node<'t>,
    /// Its name.
    pub name: &'t str,
    /// Parameter names, in order.
    pub params: Vec<&'t str>,
    /// `let` bindings in the body, in order.
    pub lets: Vec<(&'t str, Node<'t>)>,
    /// The returned expression (the last `return`).
    pub returns: Option<Node<'t>>,
    /// The match it is declared in (visible there and in nested matches),
    /// or `None` for service level (visible everywhere).
    pub scope: Option<usize>,
}

impl<'t> Function<'t> {
    /// The parameters paired with the arguments of a call, in order, as
    /// (parameter name, argument). A parameter with no argument, or an
    /// argument with no parameter (a call Firebase rejects), is left out.
    pub fn bind<'f, A, I>(&'f self, args: I) -> impl Iterator<Item = (&'t str, A)> + 'f
    where
        I: IntoIterator<Item = A>,
        I::IntoIter: 'f,
    {
        self.params.iter().copied().zip(args)
    }
}

/// The model of one rules file.
#[derive(Clone, Debug)]
pub struct RulesFile<'t> {
    /// The service the rules are for (the first `service` block's).
    pub service: Service,
    /// The `rules_version` statement, if any.
    pub rules_version: Option<Node<'t>>,
    /// The version it declares (`"2"`), if any.
    pub version: Option<&'t str>,
    /// Every match block, parents before children, in document order.
    pub matches: Vec<Match<'t>>,
    /// Every allow statement, in document order.
    pub allows: Vec<Allow<'t>>,
    /// Every function declaration, in document order.
    pub functions: Vec<Function<'t>>,
    /// `let` bindings declared directly in match bodies: (match index,
    /// name, value).
    pub match_lets: Vec<(usize, &'t str, Node<'t>)>,
}

/// How deep matches may nest before the model stops descending: real rules
/// nest a handful deep; the cap bounds the work on pathological files.
pub const MAX_MATCH_DEPTH: usize = 64;

impl<'t> RulesFile<'t> {
    /// Builds the model in one walk of the tree.
    pub fn build(ctx: &FileContext<'t>) -> RulesFile<'t> {
        let mut file = RulesFile {
            service: Service::Other,
            rules_version: None,
            version: None,
            matches: Vec::new(),
            allows: Vec::new(),
            functions: Vec::new(),
            match_lets: Vec::new(),
        };
        let mut service_seen = false;
        // Enclosing matches as (index, depth).
        let mut stack: Vec<(usize, u32)> = Vec::new();
        walk(ctx.tree.root_node(), |cursor, depth| {
            let node = cursor.node();
            while stack.last().is_some_and(|(_, d)| *d >= depth) {
                stack.pop();
            }
            let current = stack.last().map(|(i, _)| *i);
            let mut step = Step::Into;
            match node.kind() {
                "rules_version" => {
                    file.rules_version = Some(node);
                    file.version = node
                        .child_by_field_name("version")
                        .map(|v| ctx.node_text(v).trim_matches(['\'', '"']));
                    step = Step::Over;
                }
                "service_declaration" if !service_seen => {
                    service_seen = true;
                    let name = node
                        .child_by_field_name("name")
                        .map(|n| ctx.node_text(n))
                        .unwrap_or("");
                    file.service = match name.split_whitespace().collect::<String>().as_str() {
                        "cloud.firestore" => Service::Firestore,
                        "firebase.storage" => Service::Storage,
                        _ => Service::Other,
                    };
                }
                "match_block" => {
                    if stack.len() >= MAX_MATCH_DEPTH {
                        step = Step::Over;
                    } else {
                        file.matches.push(Match {
                            node,
                            parent: current,
                            segments: segments(ctx, node),
                        });
                        stack.push((file.matches.len() - 1, depth));
                    }
                }
                "allow_statement" => {
                    let mut c = node.walk();
                    let methods: Vec<Node<'t>> =
                        node.children_by_field_name("method", &mut c).collect();
                    let ops = methods.iter().fold(Ops::NONE, |acc, m| {
                        Ops(acc.0 | Ops::of_method(ctx.node_text(*m)).0)
                    });
                    let condition = node.child_by_field_name("condition");
                    file.allows.push(Allow {
                        node,
                        match_index: current,
                        methods,
                        ops,
                        condition,
                        expression: condition.and_then(|c| c.child_by_field_name("expression")),
                        has_error: node.has_error(),
                    });
                    step = Step::Over;
                }
                "function_declaration" => {
                    file.functions.push(function(ctx, node, current));
                    step = Step::Over;
                }
                "let_declaration" => {
                    if let (Some(m), Some(name), Some(value)) = (
                        current,
                        node.child_by_field_name("name"),
                        node.child_by_field_name("value"),
                    ) {
                        file.match_lets.push((m, ctx.node_text(name), value));
                    }
                    step = Step::Over;
                }
                _ => {}
            }
            step
        });
        file
    }

    /// The allows that rules judge, in document order: those without a
    /// syntax error that grant at least one operation (a statement whose
    /// only methods are unknown grants none).
    pub fn checkable_allows(&self) -> impl Iterator<Item = &Allow<'t>> + '_ {
        self.allows
            .iter()
            .filter(|a| !a.has_error && !a.ops.is_empty())
    }

    /// The indices of the matches enclosing match `index`, outermost
    /// first, ending with `index` itself.
    pub fn match_chain(&self, index: usize) -> Vec<usize> {
        let mut chain = vec![index];
        let mut i = index;
        while let Some(p) = self.matches[i].parent {
            chain.push(p);
            i = p;
        }
        chain.reverse();
        chain
    }

    /// The full path of match `index`: the segments of every enclosing
    /// match, outermost first.
    pub fn full_segments(&self, index: usize) -> Vec<Segment<'t>> {
        self.match_chain(index)
            .into_iter()
            .flat_map(|i| self.matches[i].segments.iter().copied())
            .collect()
    }

    /// The full path of match `index` as written:
    /// `/databases/{database}/documents/users/{userId}`.
    pub fn path_text(&self, index: usize) -> String {
        path_text(&self.full_segments(index))
    }

    /// The innermost enclosing wildcard whose name says it holds a user id
    /// (`uid`, `…Uid`, `…UserId`, or `user`, `owner`, `author`, `account`,
    /// `member`, `profile`, `creator`, alone or followed by `Id`), for
    /// writing an owner check. `None` when no wildcard names a user.
    pub fn owner_wildcard(&self, index: usize) -> Option<&'t str> {
        const OWNER_WORDS: &[&str] = &[
            "user", "owner", "author", "account", "member", "profile", "creator",
        ];
        let names_a_user = |name: &str| {
            let lower = name.to_ascii_lowercase();
            lower.ends_with("uid")
                || lower.ends_with("userid")
                || OWNER_WORDS
                    .iter()
                    .any(|w| lower == *w || lower.strip_prefix(w) == Some("id"))
        };
        self.full_segments(index)
            .into_iter()
            .rev()
            .find_map(|s| match s {
                Segment::Wildcard(name) if names_a_user(name) => Some(name),
                _ => None,
            })
    }

    /// The functions visible from match `index` (or from service level
    /// when `None`), innermost declarations first so they shadow outer ones.
    pub fn visible_functions(&self, index: Option<usize>) -> Vec<&Function<'t>> {
        let chain = index.map(|i| self.match_chain(i)).unwrap_or_default();
        let mut out: Vec<&Function<'t>> = Vec::new();
        for scope in chain.iter().rev().map(|i| Some(*i)).chain([None]) {
            out.extend(self.functions.iter().filter(|f| f.scope == scope));
        }
        out
    }

    /// The function a call expression calls, when its callee is a plain
    /// name declared in the file and visible from match `scope` (the
    /// innermost declaration of that name). `None` for methods
    /// (`data.keys()`), built-ins (`get(...)`, `exists(...)`), names not
    /// declared, and nodes that are not calls.
    pub fn called_function(
        &self,
        ctx: &FileContext<'t>,
        scope: Option<usize>,
        call: Node<'t>,
    ) -> Option<&Function<'t>> {
        let callee = call
            .child_by_field_name("function")
            .filter(|f| f.kind() == "identifier")?;
        let name = ctx.node_text(callee);
        self.visible_functions(scope)
            .into_iter()
            .find(|f| f.name == name)
    }

    /// The `let` bindings declared directly in the bodies of match `index`
    /// and of the matches around it, as (name, value), in document order
    /// (so a later one shadows an earlier one of the same name); none for
    /// `None` (service level).
    pub fn visible_lets(&self, index: Option<usize>) -> Vec<(&'t str, Node<'t>)> {
        let Some(index) = index else {
            return Vec::new();
        };
        let chain = self.match_chain(index);
        self.match_lets
            .iter()
            .filter(|(m, _, _)| chain.contains(m))
            .map(|(_, name, value)| (*name, *value))
            .collect()
    }

    /// The collection (in Cloud Storage, the folder) match `index` governs:
    /// the last literal segment of its full path below the service's root
    /// (`/databases/{database}/documents`, `/b/{bucket}/o`; see
    /// [`root_len`]), or of the whole path when it does not start with
    /// one. `posts` for `/databases/{database}/documents/posts/{postId}` and
    /// for `/users/{uid}/posts/{postId}`, `images` for
    /// `/b/{bucket}/o/images/{file}`; `None` when no literal stands below the
    /// root (`/{collection}/{doc}`, or the root match itself). The name is
    /// as written (not lower-cased). Panics if `index` is not a match of
    /// this file.
    pub fn collection(&self, index: usize) -> Option<&'t str> {
        let segments = self.full_segments(index);
        let root = root_len(&segments).unwrap_or(0);
        segments[root..].iter().rev().find_map(|s| match s {
            Segment::Literal(l) => Some(*l),
            _ => None,
        })
    }

    /// [`RulesFile::collection`] when match `index` governs the documents
    /// of that collection one at a time: its path ends with the collection
    /// and a single wildcard (`/users/{userId}`). `None` otherwise
    /// (`/users/{userId}/{rest=**}`, `/users/admin`).
    pub fn document_collection(&self, index: usize) -> Option<&'t str> {
        let one_document = matches!(
            self.full_segments(index).as_slice(),
            [.., Segment::Literal(_), Segment::Wildcard(_)]
        );
        self.collection(index).filter(|_| one_document)
    }

    /// "file" for Cloud Storage rules, "document" otherwise.
    pub fn noun(&self) -> &'static str {
        if self.service == Service::Storage {
            "file"
        } else {
            "document"
        }
    }
}

/// A path written from segments: `/users/{userId}/{rest=**}`.
pub fn path_text(segments: &[Segment<'_>]) -> String {
    let mut out = String::new();
    for s in segments {
        out.push('/');
        match s {
            Segment::Literal(l) => out.push_str(l),
            Segment::Wildcard(n) => {
                out.push('{');
                out.push_str(n);
                out.push('}');
            }
            Segment::Recursive(n) => {
                out.push('{');
                out.push_str(n);
                out.push_str("=**}");
            }
        }
    }
    out
}

fn segments<'t>(ctx: &FileContext<'t>, match_block: Node<'t>) -> Vec<Segment<'t>> {
    let Some(path) = match_block.child_by_field_name("path") else {
        return Vec::new();
    };
    let mut cursor = path.walk();
    let list: Vec<Segment<'t>> = path
        .named_children(&mut cursor)
        .filter_map(|c| match c.kind() {
            "path_segment" => Some(Segment::Literal(ctx.node_text(c))),
            "wildcard" => {
                let name = ctx.node_text(c.child_by_field_name("name")?);
                Some(if c.child_by_field_name("recursive").is_some() {
                    Segment::Recursive(name)
                } else {
                    Segment::Wildcard(name)
                })
            }
            _ => None,
        })
        .collect();
    list
}

fn function<'t>(ctx: &FileContext<'t>, node: Node<'t>, scope: Option<usize>) -> Function<'t> {
    let name = node
        .child_by_field_name("name")
        .map(|n| ctx.node_text(n))
        .unwrap_or("");
    let mut params = Vec::new();
    if let Some(list) = node.child_by_field_name("parameters") {
        let mut c = list.walk();
        params.extend(
            list.children_by_field_name("parameter", &mut c)
                .map(|p| ctx.node_text(p)),
        );
    }
    let mut lets = Vec::new();
    let mut returns = None;
    if let Some(body) = node.child_by_field_name("body") {
        let mut c = body.walk();
        for stmt in body.named_children(&mut c) {
            match stmt.kind() {
                "let_declaration" => {
                    if let (Some(n), Some(v)) = (
                        stmt.child_by_field_name("name"),
                        stmt.child_by_field_name("value"),
                    ) {
                        lets.push((ctx.node_text(n), v));
                    }
                }
                "return_statement" => returns = stmt.child_by_field_name("value"),
                _ => {}
            }
        }
    }
    Function {
        node,
        name,
        params,
        lets,
        returns,
        scope,
    }
}

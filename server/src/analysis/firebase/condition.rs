//! What an `allow` condition lets through, judged without running it.
//!
//! [`evaluate`] reduces a condition to an [`Access`] level by abstract
//! interpretation: constants are folded (`true`, `1 == 1`, `!false`), `||`
//! takes the more permissive side and `&&` the stricter one, functions
//! declared in the file are followed into their bodies (parameters bound to
//! the arguments, up to [`MAX_CALL_DEPTH`] calls deep), `let` bindings are
//! followed, and a few shapes are recognised: `request.auth != null`
//! (signed-in users), `request.auth.uid == <wildcard or field>` (the owner),
//! and `request.time < timestamp.date(Y, M, D)` (Firebase's test-mode
//! template: anyone, until that date). Anything else is "restricted": it
//! depends on something Moat does not judge.
//!
//! [`facts::reach`](super::facts::reach) walks every node a condition can
//! reach, through the same function calls and bindings, for rules that look
//! for a particular check; [`call_arguments`] is shared by both.

use tree_sitter::Node;

use crate::analysis::firebase::model::{Allow, Function, RulesFile};
use crate::analysis::firebase::unparenthesize;
use crate::analysis::FileContext;

/// How far function calls are followed (recursion is not allowed in rules,
/// but a broken file may still recurse).
pub const MAX_CALL_DEPTH: u32 = 12;

/// Who a condition lets through, from least to most permissive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Access {
    /// Always false.
    Nobody,
    /// Depends on data, roles, request fields… Not judged further.
    Restricted,
    /// The signed-in user whose id is in the path or the document.
    Owner,
    /// Anyone signed in (`request.auth != null`).
    SignedIn,
    /// Anyone, until a date (`request.time < timestamp.date(...)`).
    Until,
    /// Always true.
    Anyone,
}

/// A calendar date, as written in `timestamp.date(Y, M, D)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i64,
    pub month: i64,
    pub day: i64,
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Date {
    /// Today's date in UTC, from the system clock.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Date::from_days(secs.div_euclid(86_400))
    }

    /// The civil date of a count of days since 1970-01-01 (Howard
    /// Hinnant's algorithm).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date { year, month, day }
    }
}

/// The judgement of a condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub access: Access,
    /// For [`Access::Until`]: the date access ends.
    pub until: Option<Date>,
    /// For [`Access::Until`]: the `request.time < …` comparison.
    pub until_node: Option<(usize, usize)>,
}

impl Verdict {
    /// Who a permissive verdict lets in, for messages: "anyone on the
    /// internet", "anyone on the internet (until 2025-10-18)" or "any
    /// signed-in user". Meant for [`Access::Anyone`], [`Access::Until`] and
    /// [`Access::SignedIn`]; any other verdict also reads "any signed-in
    /// user".
    pub fn who(&self) -> String {
        match (self.access, self.until) {
            (Access::Anyone, _) => "anyone on the internet".to_string(),
            (Access::Until, Some(date)) => format!("anyone on the internet (until {date})"),
            _ => "any signed-in user".to_string(),
        }
    }

    fn of(access: Access) -> Verdict {
        Verdict {
            access,
            until: None,
            until_node: None,
        }
    }

    fn or(self, other: Verdict) -> Verdict {
        if other.access > self.access {
            other
        } else if other.access == self.access && self.access == Access::Until {
            // Open until the later of the two dates.
            if other.until > self.until {
                other
            } else {
                self
            }
        } else {
            self
        }
    }

    fn and(self, other: Verdict) -> Verdict {
        use Access::*;
        match (self.access, other.access) {
            // The owner, with extra conditions: still the owner.
            (Owner, Restricted) => self,
            (Restricted, Owner) => other,
            _ if other.access < self.access => other,
            _ => self,
        }
    }
}

/// A value known at analysis time.
#[derive(Clone, Debug, PartialEq)]
enum Const {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Null,
}

/// Names bound while following a call: parameters to arguments, `let`s to
/// their values, each with the scope its expression must be read in.
#[derive(Clone, Debug)]
struct Env<'t> {
    bindings: Vec<(&'t str, Node<'t>, usize)>,
}

struct Evaluator<'a, 't> {
    ctx: &'a FileContext<'t>,
    model: &'a RulesFile<'t>,
    /// The match the allow sits in (for function and `let` visibility).
    scope: Option<usize>,
    /// Environments, referred to by index from bindings; 0 is the allow's.
    envs: Vec<Env<'t>>,
    /// How deep `eval`/`constant` are nested right now: a guard against
    /// stack overflow on pathological expressions (`&&`/`||` chains are
    /// walked in a loop and do not count).
    nesting: u32,
}

/// How deep expressions are followed before giving up (as "restricted").
const MAX_NESTING: u32 = 200;

/// Judges the condition of `allow`. An allow with no condition lets
/// anyone through; a statement with a syntax error is judged
/// [`Access::Restricted`] (the rules that use this skip such statements).
pub fn evaluate<'t>(ctx: &FileContext<'t>, model: &RulesFile<'t>, allow: &Allow<'t>) -> Verdict {
    if allow.has_error {
        return Verdict::of(Access::Restricted);
    }
    let Some(expr) = allow.expression else {
        return Verdict::of(if allow.condition.is_none() {
            Access::Anyone
        } else {
            Access::Restricted
        });
    };
    let mut ev = Evaluator {
        ctx,
        model,
        scope: allow.match_index,
        envs: vec![match_env(model, allow.match_index)],
        nesting: 0,
    };
    ev.eval(expr, 0, 0)
}

/// The argument expressions of a call, in order, comments left out:
/// `[a, b]` for `f(a, /* note */ b)`. `None` when the node has no argument
/// list (it is not a call; the grammar gives every call one, if only with
/// a missing `)`).
pub fn call_arguments(call: Node<'_>) -> Option<Vec<Node<'_>>> {
    let list = call.child_by_field_name("arguments")?;
    let mut cursor = list.walk();
    let arguments = list
        .named_children(&mut cursor)
        .filter(|n| n.kind() != "comment")
        .collect();
    Some(arguments)
}

/// The `let` bindings of the matches enclosing `index` ([`RulesFile::visible_lets`]), read in
/// environment 0.
fn match_env<'t>(model: &RulesFile<'t>, index: Option<usize>) -> Env<'t> {
    Env {
        bindings: model
            .visible_lets(index)
            .into_iter()
            .map(|(name, value)| (name, value, 0))
            .collect(),
    }
}

impl<'a, 't> Evaluator<'a, 't> {
    fn text(&self, n: Node<'t>) -> &'t str {
        self.ctx.node_text(n)
    }

    /// The text of an expression with whitespace removed, for shape tests.
    fn compact(&self, n: Node<'t>) -> String {
        self.text(n).split_whitespace().collect()
    }

    fn lookup(&self, name: &str, env: usize) -> Option<(Node<'t>, usize)> {
        self.envs[env]
            .bindings
            .iter()
            .rev()
            .find(|(n, _, _)| *n == name)
            .map(|(_, v, e)| (*v, *e))
            .or_else(|| {
                // Match-level `let`s are visible from every environment.
                self.envs[0]
                    .bindings
                    .iter()
                    .rev()
                    .find(|(n, _, _)| *n == name)
                    .map(|(_, v, e)| (*v, *e))
            })
    }

    fn eval(&mut self, expr: Node<'t>, env: usize, depth: u32) -> Verdict {
        if self.nesting > MAX_NESTING {
            return Verdict::of(Access::Restricted);
        }
        self.nesting += 1;
        let v = self.eval_inner(expr, env, depth);
        self.nesting -= 1;
        v
    }

    /// The operands of a chain of one logical operator (`a || b || c`), in
    /// order, walked without recursion.
    fn chain(&self, expr: Node<'t>, op: &str) -> Vec<Node<'t>> {
        let mut out = Vec::new();
        let mut stack = vec![expr];
        while let Some(n) = stack.pop() {
            let n = unparenthesize(n);
            let same = n.kind() == "binary_expression"
                && n.child_by_field_name("operator")
                    .is_some_and(|o| self.text(o) == op);
            match (
                same,
                n.child_by_field_name("left"),
                n.child_by_field_name("right"),
            ) {
                (true, Some(l), Some(r)) => {
                    stack.push(r);
                    stack.push(l);
                }
                _ => out.push(n),
            }
        }
        out
    }

    fn eval_inner(&mut self, expr: Node<'t>, env: usize, depth: u32) -> Verdict {
        use Access::*;
        let expr = unparenthesize(expr);
        if depth > MAX_CALL_DEPTH {
            return Verdict::of(Restricted);
        }
        let logical = |e: Node<'t>| {
            e.child_by_field_name("operator")
                .map(|o| self.text(o))
                .filter(|o| matches!(*o, "||" | "&&"))
        };
        // `||` and `&&` combine verdicts (constants included: `true || x` is
        // Anyone); everything else is first tried as a constant.
        if expr.kind() != "binary_expression" || logical(expr).is_none() {
            if let Some(c) = self.constant(expr, env, depth) {
                return Verdict::of(match c {
                    Const::Bool(true) => Anyone,
                    Const::Bool(false) => Nobody,
                    // A non-boolean condition is an error, and errors deny.
                    _ => Nobody,
                });
            }
        }
        match expr.kind() {
            "binary_expression" => {
                let (Some(l), Some(r), Some(op)) = (
                    expr.child_by_field_name("left"),
                    expr.child_by_field_name("right"),
                    expr.child_by_field_name("operator"),
                ) else {
                    return Verdict::of(Restricted);
                };
                match self.text(op) {
                    op @ ("||" | "&&") => {
                        let operands = self.chain(expr, op);
                        let mut verdicts = operands
                            .into_iter()
                            .map(|o| self.eval(o, env, depth))
                            .collect::<Vec<_>>()
                            .into_iter();
                        let first = verdicts.next().unwrap_or(Verdict::of(Restricted));
                        if op == "||" {
                            verdicts.fold(first, Verdict::or)
                        } else {
                            verdicts.fold(first, Verdict::and)
                        }
                    }
                    _ => self.comparison(expr, l, r, self.text(op), env, depth),
                }
            }
            "unary_expression" => Verdict::of(Restricted),
            "conditional_expression" => {
                let (Some(c), Some(a), Some(b)) = (
                    expr.child_by_field_name("condition"),
                    expr.child_by_field_name("consequence"),
                    expr.child_by_field_name("alternative"),
                ) else {
                    return Verdict::of(Restricted);
                };
                match self.eval(c, env, depth).access {
                    Anyone => self.eval(a, env, depth),
                    Nobody => self.eval(b, env, depth),
                    _ => {
                        let (va, vb) = (self.eval(a, env, depth), self.eval(b, env, depth));
                        if va.access == vb.access {
                            va
                        } else {
                            Verdict::of(Restricted)
                        }
                    }
                }
            }
            "identifier" => match self.lookup(self.text(expr), env) {
                Some((value, value_env)) => self.eval(value, value_env, depth + 1),
                None => Verdict::of(Restricted),
            },
            "call_expression" => self.call(expr, env, depth),
            _ => Verdict::of(Restricted),
        }
    }

    /// `==`, `!=`, `<`… between two operands that are not both constant.
    fn comparison(
        &mut self,
        expr: Node<'t>,
        l: Node<'t>,
        r: Node<'t>,
        op: &str,
        env: usize,
        depth: u32,
    ) -> Verdict {
        use Access::*;
        let (lt, rt) = (
            self.resolved_compact(l, env, depth),
            self.resolved_compact(r, env, depth),
        );
        let is_auth = |s: &str| s == "request.auth" || s == "request.auth.uid";
        // request.auth != null
        if op == "!=" && ((is_auth(&lt) && rt == "null") || (lt == "null" && is_auth(&rt))) {
            return Verdict::of(SignedIn);
        }
        // request.auth.uid == userId / resource.data.owner
        if op == "==" && (lt == "request.auth.uid" || rt == "request.auth.uid") {
            let other = if lt == "request.auth.uid" { &rt } else { &lt };
            if other != "null" && !other.starts_with('\'') && !other.starts_with('"') {
                return Verdict::of(Owner);
            }
        }
        // request.time < timestamp.date(Y, M, D)
        let date_of = |s: &str| -> Option<Date> {
            let args = s.strip_prefix("timestamp.date(")?.strip_suffix(')')?;
            let parts: Vec<i64> = args
                .split(',')
                .map(|p| p.trim().parse().ok())
                .collect::<Option<_>>()?;
            match parts.as_slice() {
                [year, month, day] => Some(Date {
                    year: *year,
                    month: *month,
                    day: *day,
                }),
                _ => None,
            }
        };
        let until = match op {
            "<" | "<=" if lt == "request.time" => date_of(&rt),
            ">" | ">=" if rt == "request.time" => date_of(&lt),
            _ => None,
        };
        if let Some(date) = until {
            return Verdict {
                access: Until,
                until: Some(date),
                until_node: Some((expr.start_byte(), expr.end_byte())),
            };
        }
        Verdict::of(Restricted)
    }

    /// The compact text of an operand, following identifiers bound to other
    /// expressions (so `let uid = request.auth.uid` still reads as
    /// `request.auth.uid`).
    fn resolved_compact(&mut self, n: Node<'t>, env: usize, depth: u32) -> String {
        let n = unparenthesize(n);
        if n.kind() == "identifier" && depth <= MAX_CALL_DEPTH {
            if let Some((value, value_env)) = self.lookup(self.text(n), env) {
                return self.resolved_compact(value, value_env, depth + 1);
            }
        }
        self.compact(n)
    }

    /// A call to a function declared in the file: its body, with the
    /// parameters bound to the arguments.
    fn call(&mut self, expr: Node<'t>, env: usize, depth: u32) -> Verdict {
        let Some(decl) = self.model.called_function(self.ctx, self.scope, expr) else {
            return Verdict::of(Access::Restricted);
        };
        let Some(returns) = decl.returns else {
            return Verdict::of(Access::Nobody);
        };
        let args = call_arguments(expr).unwrap_or_default();
        let new_env = self.enter(decl, args, env);
        self.eval(returns, new_env, depth + 1)
    }

    /// A new environment for the body of `decl`: its parameters bound to
    /// `args` (read in environment `env`; extra parameters or arguments are
    /// left out) and its `let`s to their values (read in the new one).
    /// Returns the new environment's index.
    fn enter(&mut self, decl: &Function<'t>, args: Vec<Node<'t>>, env: usize) -> usize {
        let new_env = self.envs.len();
        let mut bindings: Vec<(&'t str, Node<'t>, usize)> =
            decl.bind(args).map(|(p, a)| (p, a, env)).collect();
        bindings.extend(decl.lets.iter().map(|(n, v)| (*n, *v, new_env)));
        self.envs.push(Env { bindings });
        new_env
    }

    /// The value of an expression when it is known without a request.
    fn constant(&mut self, expr: Node<'t>, env: usize, depth: u32) -> Option<Const> {
        if self.nesting > MAX_NESTING {
            return None;
        }
        self.nesting += 1;
        let c = self.constant_inner(expr, env, depth);
        self.nesting -= 1;
        c
    }

    fn constant_inner(&mut self, expr: Node<'t>, env: usize, depth: u32) -> Option<Const> {
        let expr = unparenthesize(expr);
        if depth > MAX_CALL_DEPTH {
            return None;
        }
        match expr.kind() {
            "true" => Some(Const::Bool(true)),
            "false" => Some(Const::Bool(false)),
            "null" => Some(Const::Null),
            "integer" => {
                let t = self.text(expr);
                t.strip_prefix("0x")
                    .or_else(|| t.strip_prefix("0X"))
                    .map_or_else(|| t.parse().ok(), |h| i64::from_str_radix(h, 16).ok())
                    .map(Const::Int)
            }
            "float" => self.text(expr).parse().ok().map(Const::Float),
            "string" => {
                let t = self.text(expr);
                let has_escape = {
                    let mut c = expr.walk();
                    let found = expr
                        .named_children(&mut c)
                        .any(|n| n.kind() == "escape_sequence");
                    found
                };
                (!has_escape && t.len() >= 2).then(|| Const::Str(t[1..t.len() - 1].to_string()))
            }
            "unary_expression" => {
                let op = expr.child_by_field_name("operator").map(|o| self.text(o))?;
                let arg = self.constant(expr.child_by_field_name("argument")?, env, depth)?;
                match (op, arg) {
                    ("!", Const::Bool(b)) => Some(Const::Bool(!b)),
                    ("-", Const::Int(i)) => i.checked_neg().map(Const::Int),
                    ("-", Const::Float(f)) => Some(Const::Float(-f)),
                    _ => None,
                }
            }
            "binary_expression" => {
                let op = self.text(expr.child_by_field_name("operator")?);
                let l = expr.child_by_field_name("left")?;
                let r = expr.child_by_field_name("right")?;
                match op {
                    // `true || x` is true and `false && x` false, whatever x is.
                    "||" | "&&" => {
                        let (absorbing, neutral) = if op == "||" {
                            (true, false)
                        } else {
                            (false, true)
                        };
                        let mut all_neutral = true;
                        for operand in self.chain(expr, op) {
                            match self.constant(operand, env, depth) {
                                Some(Const::Bool(b)) if b == absorbing => {
                                    return Some(Const::Bool(absorbing))
                                }
                                Some(Const::Bool(b)) if b == neutral => {}
                                _ => all_neutral = false,
                            }
                        }
                        all_neutral.then_some(Const::Bool(neutral))
                    }
                    _ => {
                        let (a, b) = (self.constant(l, env, depth)?, self.constant(r, env, depth)?);
                        fold(op, &a, &b)
                    }
                }
            }
            "identifier" => {
                let (value, value_env) = self.lookup(self.text(expr), env)?;
                self.constant(value, value_env, depth + 1)
            }
            "call_expression" => {
                // A declared function whose body is constant.
                let decl = self.model.called_function(self.ctx, self.scope, expr)?;
                let returns = decl.returns?;
                let args = call_arguments(expr)?;
                let new_env = self.enter(decl, args, env);
                self.constant(returns, new_env, depth + 1)
            }
            _ => None,
        }
    }
}

/// Folds a comparison or arithmetic on two constants.
fn fold(op: &str, a: &Const, b: &Const) -> Option<Const> {
    use Const::*;
    let num = |c: &Const| match c {
        Int(i) => Some(*i as f64),
        Float(f) => Some(*f),
        _ => None,
    };
    Some(match op {
        "==" => Bool(a == b || matches!((num(a), num(b)), (Some(x), Some(y)) if x == y)),
        "!=" => Bool(!(a == b || matches!((num(a), num(b)), (Some(x), Some(y)) if x == y))),
        "<" | "<=" | ">" | ">=" => {
            let ord = match (a, b) {
                (Str(x), Str(y)) => x.partial_cmp(y)?,
                _ => num(a)?.partial_cmp(&num(b)?)?,
            };
            Bool(match op {
                "<" => ord.is_lt(),
                "<=" => ord.is_le(),
                ">" => ord.is_gt(),
                _ => ord.is_ge(),
            })
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::with_file;
    use crate::language::Language;

    /// The verdict on the first allow of `rules`.
    fn judge(rules: &str) -> Verdict {
        with_file("firestore.rules", rules, Language::FirebaseRules, |ctx| {
            let model = ctx.firebase_model();
            evaluate(ctx, model, &model.allows[0])
        })
    }

    fn access(condition: &str) -> Access {
        judge(&format!(
            "service cloud.firestore {{ match /databases/{{database}}/documents {{\n\
             function signedIn() {{ return request.auth != null; }}\n\
             function yes() {{ return true; }}\n\
             function isOwner(uid) {{ let me = request.auth.uid; return me == uid; }}\n\
             match /users/{{userId}} {{ allow read: if {condition}; }} }} }}"
        ))
        .access
    }

    #[test]
    fn always_true_conditions() {
        for c in [
            "true",
            "(true)",
            "1 == 1",
            "true || request.auth.uid == userId",
            "!false",
            "yes()",
            "'a' < 'b'",
            "2 > 1 && true",
            "0x10 == 16",
        ] {
            assert_eq!(access(c), Access::Anyone, "{c}");
        }
        assert_eq!(
            judge("service cloud.firestore { match /a/{b} { allow read; } }").access,
            Access::Anyone
        );
    }

    #[test]
    fn never_true_conditions() {
        for c in [
            "false",
            "1 == 2",
            "!true",
            "false && request.auth != null",
            "'x'",
        ] {
            assert_eq!(access(c), Access::Nobody, "{c}");
        }
    }

    #[test]
    fn signed_in_owner_and_restricted() {
        assert_eq!(access("request.auth != null"), Access::SignedIn);
        assert_eq!(access("null != request.auth"), Access::SignedIn);
        assert_eq!(access("request.auth.uid != null"), Access::SignedIn);
        assert_eq!(access("signedIn()"), Access::SignedIn);
        assert_eq!(access("request.auth.uid == userId"), Access::Owner);
        assert_eq!(access("isOwner(userId)"), Access::Owner);
        assert_eq!(
            access("signedIn() && request.auth.uid == resource.data.owner"),
            Access::Owner
        );
        assert_eq!(
            access("isOwner(userId) && request.resource.data.name is string"),
            Access::Owner
        );
        assert_eq!(
            access("request.auth.token.admin == true"),
            Access::Restricted
        );
        assert_eq!(access("signedIn() || true"), Access::Anyone);
        assert_eq!(access("request.auth.uid == 'abc'"), Access::Restricted);
    }

    #[test]
    fn test_mode_dates() {
        let v = judge("service cloud.firestore { match /{d=**} { allow read, write: if request.time < timestamp.date(2025, 10, 18); } }");
        assert_eq!(v.access, Access::Until);
        assert_eq!(
            v.until,
            Some(Date {
                year: 2025,
                month: 10,
                day: 18
            })
        );
        assert_eq!(
            access("timestamp.date(2030, 1, 2) > request.time"),
            Access::Until
        );
        assert_eq!(
            access("request.auth != null && request.time < timestamp.date(2030, 1, 2)"),
            Access::SignedIn
        );
    }

    #[test]
    fn recursion_in_a_broken_file_terminates() {
        let v = judge("service cloud.firestore { function f() { return f(); } match /a/{b} { allow read: if f(); } }");
        assert_eq!(v.access, Access::Restricted);
    }

    #[test]
    fn civil_dates() {
        assert_eq!(
            Date::from_days(0),
            Date {
                year: 1970,
                month: 1,
                day: 1
            }
        );
        assert_eq!(
            Date::from_days(19_723),
            Date {
                year: 2024,
                month: 1,
                day: 1
            }
        );
        assert_eq!(
            Date::from_days(-1),
            Date {
                year: 1969,
                month: 12,
                day: 31
            }
        );
        assert!(Date::today().year >= 2024);
    }

    #[test]
    fn very_long_chains_and_deep_nesting_do_not_overflow_the_stack() {
        let chain = vec!["request.auth != null"; 20_000].join(" && ");
        assert_eq!(access(&chain), Access::SignedIn);
        let ors = format!("{} || true", vec!["false"; 20_000].join(" || "));
        assert_eq!(access(&ors), Access::Anyone);
        let nested = format!("{}true{}", "(!".repeat(5_000), ")".repeat(5_000));
        assert!(matches!(
            access(&nested),
            Access::Restricted | Access::Anyone | Access::Nobody
        ));
    }
}

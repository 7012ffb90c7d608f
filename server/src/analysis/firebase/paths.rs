//! Which documents a match path governs, and how two match paths relate:
//! does one cover every document of the other ([`covers`]), do they share
//! any ([`overlaps`]).
//!
//! A match path is a pattern over request paths (`/databases/(default)/
//! documents/users/alice`): a literal segment matches itself, `{name}`
//! matches exactly one segment, and `{name=**}` matches the rest of a path:
//! zero or more segments with `rules_version = '2'`, one or more before it
//! (version 1). Version 2 also allows a recursive wildcard in the middle of
//! a path (`/{path=**}/posts/{post}`, for collection-group queries); the
//! functions here accept one anywhere, in both versions.
//!
//! Both questions are answered exactly for these patterns, not by
//! comparing text: `/users/{uid}/{rest=**}` covers `/users/{id}` in
//! version 2 (the recursive part may be empty) but not in version 1.

use crate::analysis::firebase::model::{RulesFile, Segment};

/// A segment of a pattern, with the version's meaning of `=**` resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token<'a> {
    /// This literal segment.
    Lit(&'a str),
    /// Any one segment.
    One,
    /// Any number of segments, zero included.
    Any,
}

/// Whether the file's recursive wildcards follow version 2 (zero or more
/// segments): it declares `rules_version = '2'`.
pub fn is_v2(model: &RulesFile<'_>) -> bool {
    model.version == Some("2")
}

/// The tokens of a path: `{x=**}` is [`Token::Any`] in version 2 and
/// `One, Any` (one or more) before it.
fn tokens<'a>(segments: &[Segment<'a>], v2: bool) -> Vec<Token<'a>> {
    let mut out = Vec::with_capacity(segments.len() + 1);
    for s in segments {
        match s {
            Segment::Literal(l) => out.push(Token::Lit(l)),
            Segment::Wildcard(_) => out.push(Token::One),
            Segment::Recursive(_) => {
                if !v2 {
                    out.push(Token::One);
                }
                out.push(Token::Any);
            }
        }
    }
    out
}

/// A concrete path, for [`covers`]: a literal, or a value that equals no
/// literal of the covering pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Concrete<'a> {
    Lit(&'a str),
    Fresh,
}

/// Whether `pattern` matches the concrete path `path`.
fn matches(pattern: &[Token<'_>], path: &[Concrete<'_>]) -> bool {
    // reach[j]: the pattern read so far can end exactly after path[..j].
    let mut reach = vec![false; path.len() + 1];
    reach[0] = true;
    for token in pattern {
        let mut next = vec![false; path.len() + 1];
        match token {
            Token::Any => {
                let mut on = false;
                for j in 0..=path.len() {
                    on |= reach[j];
                    next[j] = on;
                }
            }
            Token::One | Token::Lit(_) => {
                for j in 0..path.len() {
                    let fits = match (token, path[j]) {
                        (Token::Lit(a), Concrete::Lit(b)) => *a == b,
                        (Token::Lit(_), Concrete::Fresh) => false,
                        _ => true,
                    };
                    next[j + 1] = reach[j] && fits;
                }
            }
        }
        reach = next;
    }
    reach[path.len()]
}

/// More recursive wildcards than this in one path are not compared
/// ([`covers`] answers `false`): real paths have one.
const MAX_RECURSIVE: usize = 3;

/// Whether every path that `inner` matches is also matched by `outer`
/// (with `v2` deciding what `=**` matches): a rule at `outer` applies to
/// every document a rule at `inner` governs.
pub fn covers(outer: &[Segment<'_>], inner: &[Segment<'_>], v2: bool) -> bool {
    covers_tokens(&tokens(outer, v2), &tokens(inner, v2))
}

/// A match path read once, for comparing it with many others.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern<'a>(Vec<Token<'a>>);

impl<'a> Pattern<'a> {
    /// The pattern of a full match path, with `v2` deciding what `=**`
    /// matches.
    pub fn new(segments: &[Segment<'a>], v2: bool) -> Pattern<'a> {
        Pattern(tokens(segments, v2))
    }

    /// [`covers`]: every path `inner` matches, `self` matches too.
    pub fn covers(&self, inner: &Pattern<'_>) -> bool {
        // Cheap refusals first: without a run, `self` matches paths of one
        // length only; literals at the start must agree.
        let fixed = |p: &[Token<'_>]| p.iter().all(|t| *t != Token::Any);
        if fixed(&self.0) && (!fixed(&inner.0) || self.0.len() != inner.0.len()) {
            return false;
        }
        for (a, b) in self.0.iter().zip(&inner.0) {
            match (a, b) {
                (Token::Any, _) | (_, Token::Any) => break,
                (Token::Lit(x), Token::Lit(y)) if x != y => return false,
                (Token::Lit(_), Token::One) => return false,
                _ => {}
            }
        }
        // A literal of `self` can only match the same literal of `inner`
        // (its wildcards may hold any other value).
        let literals_present = self.0.iter().all(|t| match t {
            Token::Lit(_) => inner.0.contains(t),
            _ => true,
        });
        literals_present && covers_tokens(&self.0, &inner.0)
    }

    /// [`overlaps`]: some path is matched by both.
    pub fn overlaps(&self, other: &Pattern<'_>) -> bool {
        overlaps_tokens(&self.0, &other.0)
    }
}

fn covers_tokens(outer: &[Token<'_>], inner: &[Token<'_>]) -> bool {
    let stars = inner.iter().filter(|t| **t == Token::Any).count();
    if stars > MAX_RECURSIVE {
        return false;
    }
    // The worst case for `outer` gives every wildcard of `inner` a value
    // equal to none of outer's literals ("fresh"), and each `Any` a run of
    // fresh segments. Runs longer than outer's fixed segments + 1 add
    // nothing: if outer matches a path with such a run, one of its segments
    // is read by an `Any` of outer, which reads one more as well (and if a
    // longer run fails, removing a segment keeps it failing).
    let bound = outer.iter().filter(|t| **t != Token::Any).count() + 1;
    let mut lengths = vec![0usize; stars];
    loop {
        let mut path = Vec::new();
        let mut k = 0;
        for t in inner {
            match t {
                Token::Lit(l) => path.push(Concrete::Lit(l)),
                Token::One => path.push(Concrete::Fresh),
                Token::Any => {
                    path.extend(std::iter::repeat_n(Concrete::Fresh, lengths[k]));
                    k += 1;
                }
            }
        }
        if !matches(outer, &path) {
            return false;
        }
        // Next combination of run lengths.
        let mut i = 0;
        loop {
            if i == stars {
                return true;
            }
            if lengths[i] < bound {
                lengths[i] += 1;
                break;
            }
            lengths[i] = 0;
            i += 1;
        }
    }
}

/// Whether some path is matched by both `a` and `b`.
pub fn overlaps(a: &[Segment<'_>], b: &[Segment<'_>], v2: bool) -> bool {
    overlaps_tokens(&tokens(a, v2), &tokens(b, v2))
}

fn overlaps_tokens(a: &[Token<'_>], b: &[Token<'_>]) -> bool {
    // memo[i][j]: Some(answer) for a[i..] against b[j..].
    let mut memo = vec![vec![None; b.len() + 1]; a.len() + 1];
    fn go(
        a: &[Token<'_>],
        b: &[Token<'_>],
        i: usize,
        j: usize,
        memo: &mut Vec<Vec<Option<bool>>>,
    ) -> bool {
        if let Some(r) = memo[i][j] {
            return r;
        }
        let result = if i == a.len() && j == b.len() {
            true
        } else {
            let (ta, tb) = (a.get(i).copied(), b.get(j).copied());
            // A run that stops here (reads nothing more).
            (ta == Some(Token::Any) && go(a, b, i + 1, j, memo))
                || (tb == Some(Token::Any) && go(a, b, i, j + 1, memo))
                // Both read one more segment (a run stays where it is).
                || match (ta, tb) {
                    (Some(x), Some(y)) if !(x == Token::Any && y == Token::Any) => {
                        let same = match (x, y) {
                            (Token::Lit(p), Token::Lit(q)) => p == q,
                            _ => true,
                        };
                        let ni = if x == Token::Any { i } else { i + 1 };
                        let nj = if y == Token::Any { j } else { j + 1 };
                        same && go(a, b, ni, nj, memo)
                    }
                    _ => false,
                }
        };
        memo[i][j] = Some(result);
        result
    }
    go(a, b, 0, 0, &mut memo)
}

/// The prefix every document path starts with: `/databases/{database}/
/// documents` (Firestore) or `/b/{bucket}/o` (Cloud Storage), when `segments`
/// starts with it; its length in segments.
pub fn root_len(segments: &[Segment<'_>]) -> Option<usize> {
    match segments {
        [Segment::Literal("databases"), Segment::Wildcard(_) | Segment::Literal(_), Segment::Literal("documents"), ..]
        | [Segment::Literal("b"), Segment::Wildcard(_) | Segment::Literal(_), Segment::Literal("o"), ..] => {
            Some(3)
        }
        _ => None,
    }
}

/// Whether a match path governs every document (every file) there is:
/// `/databases/{database}/documents/{document=**}`, `/b/{bucket}/o/
/// {allPaths=**}`, `/{document=**}` at the top level, or anything that
/// covers those (`/{collection}/{document=**}`).
pub fn covers_everything(segments: &[Segment<'_>], v2: bool) -> bool {
    let root = root_len(segments).unwrap_or(0);
    let mut everything = tokens(&segments[..root], v2);
    // A Firestore document is at least a collection and an id below the
    // root; a file, at least a name.
    if matches!(segments.first(), Some(Segment::Literal("databases"))) && root > 0 {
        everything.push(Token::One);
    }
    everything.push(Token::One);
    everything.push(Token::Any);
    covers_tokens(&tokens(segments, v2), &everything)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Segments of a path written `/a/{b}/{c=**}`.
    fn p(path: &str) -> Vec<Segment<'_>> {
        path.split('/')
            .filter(|s| !s.is_empty())
            .map(
                |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(inner) => match inner.strip_suffix("=**") {
                        Some(name) => Segment::Recursive(name),
                        None => Segment::Wildcard(inner),
                    },
                    None => Segment::Literal(s),
                },
            )
            .collect()
    }

    fn cov(outer: &str, inner: &str, v2: bool) -> bool {
        covers(&p(outer), &p(inner), v2)
    }

    #[test]
    fn literal_and_single_wildcards() {
        assert!(cov("/users/{uid}", "/users/{id}", true));
        assert!(cov("/users/{uid}", "/users/alice", true));
        assert!(!cov("/users/alice", "/users/{uid}", true));
        assert!(!cov("/users/{uid}", "/posts/{id}", true));
        assert!(cov("/{coll}/{id}", "/posts/{id}", true));
        assert!(!cov("/{coll}/{id}", "/posts/{id}/comments/{c}", true));
        assert!(!cov("/users/{uid}", "/users/{uid}/posts/{p}", true));
    }

    #[test]
    fn recursive_wildcards_follow_the_version() {
        // Version 2: zero or more segments.
        assert!(cov("/{document=**}", "/users/{uid}", true));
        assert!(cov("/users/{uid}/{rest=**}", "/users/{id}", true));
        assert!(cov("/users/{uid}/{rest=**}", "/users/{id}/posts/{p}", true));
        // Version 1: one or more.
        assert!(cov("/{document=**}", "/users/{uid}", false));
        assert!(!cov("/users/{uid}/{rest=**}", "/users/{id}", false));
        assert!(cov(
            "/users/{uid}/{rest=**}",
            "/users/{id}/posts/{p}",
            false
        ));
        assert!(cov("/users/{rest=**}", "/users/{uid}/{more=**}", false));
        assert!(!cov("/users/{uid}/{rest=**}", "/users/{rest=**}", true));
        assert!(!cov("/users/{id}", "/users/{rest=**}", true));
    }

    #[test]
    fn collection_group_paths() {
        assert!(cov(
            "/{path=**}/posts/{post}",
            "/users/{uid}/posts/{p}",
            true
        ));
        assert!(cov("/{path=**}/posts/{post}", "/posts/{p}", true));
        assert!(!cov("/{path=**}/posts/{post}", "/users/{uid}", true));
        assert!(!cov(
            "/{path=**}/posts/{post}",
            "/users/{uid}/{rest=**}",
            true
        ));
        assert!(cov("/{a=**}/{b}", "/{c}/{d=**}", true));
        assert!(!cov("/{a=**}/{b}", "/{c=**}", true));
        assert!(!cov("/{a=**}/x/{b}", "/{c}/x/{d=**}", true));
        assert!(cov("/{a=**}/x/{b=**}", "/{c}/x/{d}/{e=**}", true));
        assert!(cov("/{a=**}/{b}", "/{c}/{d}/{e=**}", true));
    }

    /// Match paths of every shape the comparisons treat apart.
    const SAMPLES: &[&str] = &[
        "/users/{uid}",
        "/users/alice",
        "/{coll}/{id}",
        "/{document=**}",
        "/users/{uid}/{rest=**}",
        "/users/{rest=**}",
        "/{path=**}/posts/{post}",
        "/users/{uid}/posts/{p}",
        "/posts/{p}",
        "/{a=**}/{b}",
        "/{c}/{d=**}",
        "/{a=**}/x/{b=**}",
        "/{c}/x/{d}/{e=**}",
        "/x/x",
        "/{a}/x",
        "/{a=**}/x/{b}",
        "/{c}/x/{d=**}",
    ];

    #[test]
    fn patterns_answer_as_the_functions_do() {
        for v2 in [false, true] {
            for a in SAMPLES {
                for b in SAMPLES {
                    let (pa, pb) = (Pattern::new(&p(a), v2), Pattern::new(&p(b), v2));
                    assert_eq!(pa.covers(&pb), cov(a, b, v2), "{a} covers {b} (v2: {v2})");
                    assert_eq!(
                        pa.overlaps(&pb),
                        overlaps(&p(a), &p(b), v2),
                        "{a} overlaps {b}"
                    );
                }
            }
        }
    }

    /// Every path of up to five segments over a few names, matched by brute
    /// force, agrees with `covers` and `overlaps`.
    #[test]
    fn agrees_with_brute_force() {
        let names = ["users", "alice", "posts", "x", "zz"];
        let mut all: Vec<Vec<Concrete<'_>>> = vec![vec![]];
        let mut frontier = all.clone();
        for _ in 0..5 {
            let mut next = Vec::new();
            for path in &frontier {
                for n in names {
                    let mut longer = path.clone();
                    longer.push(Concrete::Lit(n));
                    next.push(longer);
                }
            }
            all.extend(next.iter().cloned());
            frontier = next;
        }
        for v2 in [false, true] {
            let matched: Vec<Vec<bool>> = SAMPLES
                .iter()
                .map(|s| {
                    all.iter()
                        .map(|path| matches(&tokens(&p(s), v2), path))
                        .collect()
                })
                .collect();
            for (i, a) in SAMPLES.iter().enumerate() {
                for (j, b) in SAMPLES.iter().enumerate() {
                    let included = (0..all.len()).all(|k| !matched[j][k] || matched[i][k]);
                    let shared = (0..all.len()).any(|k| matched[j][k] && matched[i][k]);
                    assert_eq!(cov(a, b, v2), included, "{a} covers {b} (v2: {v2})");
                    assert_eq!(
                        overlaps(&p(a), &p(b), v2),
                        shared,
                        "{a} overlaps {b} (v2: {v2})"
                    );
                }
            }
        }
    }

    #[test]
    fn overlap() {
        let ov = |a: &str, b: &str| overlaps(&p(a), &p(b), true);
        assert!(ov("/users/{uid}", "/users/alice"));
        assert!(ov("/users/alice", "/{coll}/{id}"));
        assert!(!ov("/users/{uid}", "/posts/{id}"));
        assert!(!ov("/users/{uid}", "/users/{uid}/posts/{p}"));
        assert!(ov("/{path=**}/posts/{post}", "/users/{uid}/{rest=**}"));
        assert!(ov("/{a=**}/x", "/y/{b=**}"));
        assert!(!ov("/{a=**}/x", "/{b=**}/y"));
        assert!(!overlaps(&p("/users/{u}/{r=**}"), &p("/users/{u}"), false));
    }

    #[test]
    fn everything() {
        let root = "/databases/{database}/documents";
        let all = |s: &str, v2| covers_everything(&p(&format!("{root}{s}")), v2);
        assert!(all("/{document=**}", true));
        assert!(all("/{document=**}", false));
        assert!(all("/{collection}/{document=**}", true));
        assert!(all("/{collection}/{document=**}", false));
        assert!(all("/{collection}/{document}/{rest=**}", true));
        assert!(!all("/users/{document=**}", true));
        assert!(!all("/{collection}/{document}", true));
        assert!(covers_everything(&p("/{document=**}"), true));
        assert!(covers_everything(&p("/b/{bucket}/o/{allPaths=**}"), false));
        assert!(!covers_everything(
            &p("/b/{bucket}/o/images/{allPaths=**}"),
            true
        ));
    }
}

//! The check shared by detectors of keys with a fixed prefix: the prefix,
//! then a body of known characters and length, on token boundaries.

use super::{ends_token, noise, run_end, starts_token, Candidate, Hit, Scan};
use crate::analysis::rule::{Rule, Severity};

/// A key format: `prefix` then a body of `body` characters, `min..=max`
/// long, optionally of a finer `shape`.
pub(crate) struct TokenSpec {
    /// Compared case-sensitively (the prefilter ignores case).
    pub prefix: &'static str,
    pub body: fn(u8) -> bool,
    pub min: usize,
    pub max: usize,
    pub rule: &'static Rule,
    pub severity: Severity,
    /// "A GitHub personal access token"
    pub what: &'static str,
    /// The environment variable a fix reads it from.
    pub env: &'static str,
    /// A finer test of the body (separators, required characters).
    pub shape: Option<fn(&str) -> bool>,
}

/// Checks a hit of `spec.prefix`.
pub(crate) fn check(scan: &mut Scan<'_>, hit: Hit, spec: &TokenSpec) {
    let b = scan.bytes;
    if &b[hit.start..hit.end] != spec.prefix.as_bytes() || !starts_token(b, hit.start) {
        return;
    }
    let end = run_end(b, hit.end, spec.body, spec.max + 1);
    let len = end - hit.end;
    if len < spec.min || len > spec.max || !ends_token(b, end) {
        return;
    }
    let body = &scan.text[hit.end..end];
    if spec.shape.is_some_and(|shape| !shape(body)) {
        return;
    }
    if !noise::looks_issued(body) || noise::is_documented(&scan.text[hit.start..end]) {
        // A placeholder in the provider's format: nobody else reports it.
        scan.quiet(hit.start..end);
        return;
    }
    scan.push(Candidate::specific(
        spec.rule,
        hit.start..end,
        spec.severity,
        spec.what,
        spec.env,
    ));
}

/// Whether `s` has an ASCII digit and an ASCII letter.
pub(crate) fn has_digit_and_letter(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit()) && s.bytes().any(|b| b.is_ascii_alphabetic())
}

/// A trigger on `spec.prefix` that runs [`check`] with `spec`.
pub(crate) const fn trigger(spec: TokenSpec) -> super::Trigger {
    super::Trigger {
        literal: spec.prefix,
        check: super::Check::Token(spec),
    }
}

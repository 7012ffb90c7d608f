//! Findings to LSP diagnostics, and the quick-fix data they carry.
//!
//! Every diagnostic carries its fixes in `Diagnostic.data`, already as LSP
//! text edits for the document version it was computed on:
//!
//! ```json
//! {"version": 7, "fixes": [{"title": "...", "safe": false,
//!   "edits": [{"range": {...}, "newText": "..."}]}]}
//! ```
//!
//! so a code-action request needs no server state beyond the current
//! version, which it compares to drop fixes computed on older text.

use ropey::Rope;
use serde::{Deserialize, Serialize};
use tower_lsp_server::ls_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Position, Range, TextEdit, Uri,
};

use crate::analysis::{rule, Finding, Severity};
use crate::fix::{Applicability, Edit, Fix};
use crate::position::{position_at, LinePosition, PositionEncoding};

/// The `source` of every diagnostic Moat publishes.
pub const SOURCE: &str = "moat";

/// The LSP range of a byte range.
pub fn range(rope: &Rope, bytes: &std::ops::Range<usize>, enc: PositionEncoding) -> Range {
    Range {
        start: to_lsp(position_at(rope, bytes.start, enc)),
        end: to_lsp(position_at(rope, bytes.end, enc)),
    }
}

/// Our position type to LSP's.
pub fn to_lsp(p: LinePosition) -> Position {
    Position {
        line: p.line,
        character: p.character,
    }
}

/// LSP's position type to ours.
pub fn from_lsp(p: Position) -> LinePosition {
    LinePosition {
        line: p.line,
        character: p.character,
    }
}

fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

/// One fix as carried in `Diagnostic.data`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct FixData {
    pub title: String,
    /// Whether fix-all may apply it.
    pub safe: bool,
    pub edits: Vec<TextEdit>,
}

/// The whole `Diagnostic.data` payload.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct DiagnosticData {
    /// The document version the edits apply to.
    pub version: i32,
    pub fixes: Vec<FixData>,
}

/// LSP text edits for byte-range edits on `rope`.
pub fn text_edits(rope: &Rope, edits: &[Edit], enc: PositionEncoding) -> Vec<TextEdit> {
    edits
        .iter()
        .map(|e| TextEdit {
            range: range(rope, &e.range, enc),
            new_text: e.new_text.clone(),
        })
        .collect()
}

fn fix_data(rope: &Rope, fix: &Fix, enc: PositionEncoding) -> FixData {
    FixData {
        title: fix.title.clone(),
        safe: fix.applicability == Applicability::Safe,
        edits: text_edits(rope, &fix.edits, enc),
    }
}

/// Converts a finding on the document `uri` (text `rope`, version
/// `version`) to an LSP diagnostic: range in the negotiated encoding,
/// severity, `code` = rule id, `codeDescription.href` = the rule's docs,
/// `source` = "moat", related places, and fixes in `data`. `other_file`
/// resolves a related place's path in another file to its URI and text;
/// places it cannot resolve are left out.
pub fn diagnostic(
    uri: &Uri,
    rope: &Rope,
    version: i32,
    finding: &Finding,
    enc: PositionEncoding,
    other_file: &dyn Fn(&std::path::Path) -> Option<(Uri, Rope)>,
) -> Diagnostic {
    let href = rule::find(finding.rule).and_then(|r| r.docs_url().parse::<Uri>().ok());
    let related: Vec<DiagnosticRelatedInformation> = finding
        .related
        .iter()
        .filter_map(|r| {
            let location = match &r.path {
                None => Location {
                    uri: uri.clone(),
                    range: range(rope, &r.range, enc),
                },
                Some(path) => {
                    let (other_uri, other_rope) = other_file(path)?;
                    Location {
                        uri: other_uri,
                        range: range(&other_rope, &r.range, enc),
                    }
                }
            };
            Some(DiagnosticRelatedInformation {
                location,
                message: r.message.clone(),
            })
        })
        .collect();
    let data = DiagnosticData {
        version,
        fixes: finding
            .fixes
            .iter()
            .map(|f| fix_data(rope, f, enc))
            .collect(),
    };
    Diagnostic {
        range: range(rope, &finding.range, enc),
        severity: Some(severity(finding.severity)),
        code: Some(NumberOrString::String(finding.rule.to_string())),
        code_description: href.map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message: finding.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: serde_json::to_value(data).ok(),
    }
}

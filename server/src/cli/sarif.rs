//! SARIF 2.1.0 output for code-scanning services (GitHub, GitLab, Azure).
//!
//! One run, tool `moat`, with every rule described (id, summary, docs URL,
//! default level, `security-severity` for GitHub's ranking). Each finding is
//! a result with its rule id, level, message, location and fixes. Lines and
//! columns are one-based; `columnKind` is `unicodeCodePoints`, matching the
//! JSON output. Files and folders that could not be read are reported as
//! error notifications of an invocation that did not succeed.

use std::collections::BTreeMap;
use std::io::{self, Write};

use ropey::Rope;
use serde_sarif::sarif::{
    ArtifactChange, ArtifactContent, ArtifactLocation, Fix as SarifFix, Invocation, Location,
    Message, MultiformatMessageString, Notification, PhysicalLocation, PropertyBag, Region,
    Replacement, ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel,
    Run, Sarif, Tool, ToolComponent, SCHEMA_URL,
};

use crate::analysis::{rule::RULES, Severity};
use crate::cli::CheckResult;
use crate::position::line_column;

fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Info | Severity::Hint => ResultLevel::Note,
    }
}

/// GitHub's `security-severity` (0.0 to 10.0) for a default severity.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Info => "2.0",
        Severity::Hint => "0.0",
    }
}

fn region(rope: &Rope, range: &std::ops::Range<usize>) -> Region {
    let (start_line, start_column) = line_column(rope, range.start);
    let (end_line, end_column) = line_column(rope, range.end);
    Region::builder()
        .start_line(start_line as i64)
        .start_column(start_column as i64)
        .end_line(end_line as i64)
        .end_column(end_column as i64)
        .build()
}

fn text(s: impl Into<String>) -> Message {
    Message::builder().text(s.into()).build()
}

/// Builds the SARIF log for a check result.
pub fn sarif(result: &CheckResult) -> Sarif {
    let rules: Vec<ReportingDescriptor> = RULES
        .iter()
        .map(|r| {
            let mut props = BTreeMap::new();
            props.insert(
                "security-severity".to_string(),
                serde_json::json!(security_severity(r.default_severity)),
            );
            ReportingDescriptor::builder()
                .id(r.id)
                .name(r.id)
                .short_description(MultiformatMessageString::builder().text(r.summary).build())
                .help(
                    MultiformatMessageString::builder()
                        .text(r.summary)
                        .markdown(r.docs_page())
                        .build(),
                )
                .help_uri(r.docs_url())
                .default_configuration(
                    ReportingConfiguration::builder()
                        .level(serde_json::json!(level(r.default_severity)))
                        .build(),
                )
                .properties(
                    PropertyBag::builder()
                        .tags(vec!["security".to_string(), r.domain().to_string()])
                        .additional_properties(props)
                        .build(),
                )
                .build()
        })
        .collect();

    let mut results = Vec::new();
    for file in &result.files {
        let rope = Rope::from_str(&file.text);
        let uri = file.path.to_string_lossy().replace('\\', "/");
        let artifact = || ArtifactLocation::builder().uri(uri.clone()).build();
        for f in &file.findings {
            let location = Location::builder()
                .physical_location(
                    PhysicalLocation::builder()
                        .artifact_location(artifact())
                        .region(region(&rope, &f.range))
                        .build(),
                )
                .build();
            let fixes: Vec<SarifFix> = f
                .fixes
                .iter()
                .map(|fx| {
                    let replacements: Vec<Replacement> = fx
                        .edits
                        .iter()
                        .map(|e| {
                            Replacement::builder()
                                .deleted_region(region(&rope, &e.range))
                                .inserted_content(
                                    ArtifactContent::builder().text(e.new_text.clone()).build(),
                                )
                                .build()
                        })
                        .collect();
                    SarifFix::builder()
                        .description(text(format!(
                            "{} ({})",
                            fx.title,
                            fx.applicability.as_str()
                        )))
                        .artifact_changes(vec![ArtifactChange::builder()
                            .artifact_location(artifact())
                            .replacements(replacements)
                            .build()])
                        .build()
                })
                .collect();
            let related: Vec<Location> = f
                .related
                .iter()
                .map(|r| {
                    let physical = match &r.path {
                        None => PhysicalLocation::builder()
                            .artifact_location(artifact())
                            .region(region(&rope, &r.range))
                            .build(),
                        Some(other) => {
                            let location = ArtifactLocation::builder()
                                .uri(other.to_string_lossy().replace('\\', "/"))
                                .build();
                            match crate::cli::report::position_in(other, r.range.start) {
                                Some((line, column)) => PhysicalLocation::builder()
                                    .artifact_location(location)
                                    .region(
                                        Region::builder()
                                            .start_line(line as i64)
                                            .start_column(column as i64)
                                            .build(),
                                    )
                                    .build(),
                                None => PhysicalLocation::builder()
                                    .artifact_location(location)
                                    .build(),
                            }
                        }
                    };
                    Location::builder()
                        .physical_location(physical)
                        .message(text(r.message.clone()))
                        .build()
                })
                .collect();
            let rule_index = RULES.iter().position(|r| r.id == f.rule).map(|i| i as i64);
            let mut builder = SarifResult::builder()
                .rule_id(f.rule)
                .level(level(f.severity))
                .message(text(f.message.clone()))
                .locations(vec![location])
                .fixes(fixes)
                .related_locations(related)
                .build();
            builder.rule_index = rule_index;
            results.push(builder);
        }
    }

    let driver = ToolComponent::builder()
        .name("moat")
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri("https://github.com/moat-lsp/moat")
        .rules(rules)
        .build();
    let mut run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .column_kind(serde_json::json!("unicodeCodePoints"))
        .build();
    if !result.io_errors.is_empty() {
        let notifications: Vec<Notification> = result
            .io_errors
            .iter()
            .map(|(path, message)| {
                let uri = path.to_string_lossy().replace('\\', "/");
                Notification::builder()
                    .level(serde_json::json!("error"))
                    .message(text(format!("{uri}: {message}")))
                    .locations(vec![Location::builder()
                        .physical_location(
                            PhysicalLocation::builder()
                                .artifact_location(ArtifactLocation::builder().uri(uri).build())
                                .build(),
                        )
                        .build()])
                    .build()
            })
            .collect();
        run.invocations = Some(vec![Invocation::builder()
            .execution_successful(false)
            .tool_execution_notifications(notifications)
            .build()]);
    }
    Sarif::builder()
        .schema(SCHEMA_URL)
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build()
}

/// Writes the SARIF log as pretty JSON followed by a newline.
pub fn write_sarif(out: &mut impl Write, result: &CheckResult) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &sarif(result))?;
    writeln!(out)
}

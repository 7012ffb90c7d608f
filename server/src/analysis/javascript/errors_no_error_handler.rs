//! `errors/no-error-handler`: an Express app with routes and no error
//! middleware.

use crate::analysis::javascript::routes::Framework;
use crate::analysis::rule::{Rule, Severity, JS_FAMILY};
use crate::analysis::{FileContext, Finding};
use crate::fix::{Applicability, Edit, Fix};

/// The rule declaration.
pub static RULE: Rule = Rule {
    id: "errors/no-error-handler",
    default_severity: Severity::Info,
    summary: "An Express app serves routes without a 4-argument error middleware; Express's default handler sends stack traces outside production.",
    docs: r#"
## What it does
Reports an Express app (`const app = express()`) that serves at least one
route (its own or a mounted router's) and never registers an error
middleware: a function with four parameters `(err, req, res, next)` passed
to `app.use`. Reported on the `express()` call.

## Why is this bad?
Express's built-in error handler answers an error with the stack trace in the
HTML body unless `NODE_ENV` is `production`. Apps deployed without that
variable (many container and PaaS setups) leak file paths, library versions
and code to anyone who can trigger an error (CWE-209, CWE-215).

## How to fix
Register an error middleware after all routes that logs the error and sends a
generic answer. The quick fix inserts one before `app.listen(...)`,
`module.exports = app` or `export default app` (or at the end of the file); it is marked unsafe because it changes what clients receive
on errors.

## Example
```js
app.use((err, req, res, next) => {
  console.error(err);
  res.status(500).json({ error: 'Internal Server Error' });
});
```

## References
- CWE-209: Generation of Error Message Containing Sensitive Information
- CWE-215: Insertion of Sensitive Information Into Debugging Code
- Express guide: "Error handling"
"#,
    languages: JS_FAMILY,
    check: Some(check),
};

fn check(ctx: &FileContext<'_>) -> Vec<Finding> {
    let (project, me) = ctx.js_project();
    let mut out = Vec::new();
    for app in project.routes().apps.iter().filter(|a| a.file == me) {
        if app.framework != Framework::Express || app.routes == 0 || app.error_handler {
            continue;
        }
        let mut f = Finding::new(
            &RULE,
            app.range.clone(),
            format!(
                "This Express app serves {} route{} but has no error middleware: Express's default handler sends the stack trace unless NODE_ENV is production.",
                app.routes,
                if app.routes == 1 { "" } else { "s" }
            ),
        );
        let at = insertion_point(ctx.text, app.range.end, &app.name);
        let newline = crate::analysis::util::newline_of(ctx.text);
        let handler = format!(
            "{name}.use((err, req, res, next) => {{{nl}  console.error(err);{nl}  res.status(500).json({{ error: 'Internal Server Error' }});{nl}}});{nl}",
            name = app.name,
            nl = newline
        );
        let edit = match at {
            Some(at) => Edit::insert(at, format!("{handler}{newline}")),
            None => {
                let sep = if ctx.text.ends_with('\n') {
                    ""
                } else {
                    newline
                };
                Edit::insert(ctx.text.len(), format!("{sep}{newline}{handler}"))
            }
        };
        f.fixes.push(Fix::new(
            "Add an error middleware that sends a generic 500",
            Applicability::Unsafe,
            edit,
        ));
        out.push(f);
    }
    out
}

/// Where to insert the error middleware: at the start of the line of the
/// first top-level `<app>.listen(`, `module.exports = <app>` or `export
/// default <app>` after the app's creation; `None` for the end of the file.
fn insertion_point(text: &str, from: usize, app: &str) -> Option<usize> {
    let markers = [
        format!("{app}.listen("),
        format!("module.exports = {app}"),
        format!("export default {app}"),
    ];
    let mut offset = text[..from].rfind('\n').map_or(0, |i| i + 1);
    for line in text[offset..].split_inclusive('\n') {
        if offset >= from && markers.iter().any(|m| line.starts_with(m.as_str())) {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

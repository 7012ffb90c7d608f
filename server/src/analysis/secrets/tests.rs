//! The engine on small inputs: the issue's three reports, noise control,
//! masking, and linear time on pathological text.

use std::path::Path;

use base64::Engine as _;

use crate::analysis::{analyze_plain_text, analyze_text, FileFacts, Finding, Severity};
use crate::config::Config;
use crate::language::Language;

/// A JWT with `payload` (JSON), an HS256-looking header and a signature
/// that is obviously made up but random enough.
pub(crate) fn jwt(payload: &str) -> String {
    let enc = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!(
        "{}.{}.Q7v2R9xLp4Zt8WmK3bN6MoatFixtureSig0nly4Tests",
        enc(r#"{"alg":"HS256","typ":"JWT"}"#),
        enc(payload)
    )
}

fn plain(path: &str, text: &str, gitignored: Option<bool>) -> Vec<Finding> {
    analyze_plain_text(
        Path::new(path),
        text,
        &Config::default(),
        FileFacts { gitignored },
    )
}

fn ids(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.rule).collect()
}

const OPENAI: &str = "sk-proj-MoatFixture0nlyQ7v2R9xLp4Zt8WmK3bN6cJ5hY1gF0dS9aT3BlbkFJ";

#[test]
fn env_file_with_an_openai_key_and_an_anon_key_and_no_gitignore() {
    let anon = jwt(
        r#"{"iss":"supabase","ref":"abcdefghijklmnopqrst","role":"anon","iat":1700000000,"exp":2000000000}"#,
    );
    let text = format!(
        "VITE_SUPABASE_URL=https://abcdefghijklmnopqrst.supabase.co\nVITE_SUPABASE_ANON_KEY={anon}\nOPENAI_API_KEY={OPENAI}\n"
    );
    let found = plain(".env", &text, Some(false));
    assert_eq!(
        ids(&found),
        ["secrets/committed-env-file", "secrets/openai-key"],
        "{found:#?}"
    );
    // Covered by a .gitignore: that is where keys belong.
    assert!(plain(".env", &text, Some(true)).is_empty());
    // Not known: only the key.
    assert_eq!(ids(&plain(".env", &text, None)), ["secrets/openai-key"]);
    for f in &found {
        assert!(!f.message.contains(OPENAI), "{}", f.message);
        assert!(!f.message.contains(&anon[..20]), "{}", f.message);
    }
}

#[test]
fn a_service_role_jwt_in_a_js_file() {
    let key = jwt(
        r#"{"iss":"supabase","ref":"abcdefghijklmnopqrst","role":"service_role","iat":1700000000,"exp":2000000000}"#,
    );
    let text = format!("export const SERVICE_KEY = '{key}';\n");
    let found = analyze_text(
        Path::new("src/lib/custom-sdk.js"),
        &text,
        Language::JavaScript,
        &Config::default(),
    );
    assert_eq!(ids(&found), ["secrets/supabase-service-role-key"]);
    let f = &found[0];
    assert_eq!(f.severity, Severity::Error);
    assert!(f.message.contains("Rotate it") && f.message.contains("SUPABASE_SERVICE_ROLE_KEY"));
    assert!(f.message.contains("eyJh…"), "{}", f.message);
    let fixed = crate::fix::apply(&text, &f.fixes[0].edits).unwrap();
    assert_eq!(
        fixed,
        "export const SERVICE_KEY = process.env.SUPABASE_SERVICE_ROLE_KEY;\n"
    );
    // The same key in an Edge Function reads Deno's environment.
    let found = analyze_text(
        Path::new("supabase/functions/pay/index.ts"),
        &text,
        Language::TypeScript,
        &Config::default(),
    );
    let fixed = crate::fix::apply(&text, &found[0].fixes[0].edits).unwrap();
    assert_eq!(
        fixed,
        "export const SERVICE_KEY = Deno.env.get('SUPABASE_SERVICE_ROLE_KEY');\n"
    );
    // The anon key is public.
    let anon = jwt(r#"{"iss":"supabase","role":"anon"}"#);
    let text = format!("export const ANON_KEY = '{anon}';\n");
    assert!(analyze_text(
        Path::new("a.ts"),
        &text,
        Language::TypeScript,
        &Config::default()
    )
    .is_empty());
}

#[test]
fn a_placeholder_stripe_key_is_nothing() {
    let text = "const stripe = new Stripe('sk_live_your_key_here');\n";
    assert!(analyze_text(
        Path::new("a.ts"),
        text,
        Language::TypeScript,
        &Config::default()
    )
    .is_empty());
    for v in [
        "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
        "sk_live_000000000000000000000000",
        "sk_live_abcdefghijklmnopqrstuvwx",
    ] {
        let text = format!("const stripe = new Stripe('{v}');\n");
        assert!(
            analyze_text(
                Path::new("a.ts"),
                &text,
                Language::TypeScript,
                &Config::default()
            )
            .is_empty(),
            "{v}"
        );
    }
}

#[test]
fn tests_folders_get_info_not_silence() {
    let text = "const stripe = new Stripe('sk_live_MoatFixture0nlyQ7v2R9xLp4Zt');\n";
    let found = analyze_text(
        Path::new("tests/pay.ts"),
        text,
        Language::TypeScript,
        &Config::default(),
    );
    assert_eq!(ids(&found), ["secrets/stripe-secret-key"]);
    assert_eq!(found[0].severity, Severity::Info);
    let found = analyze_text(
        Path::new("src/pay.ts"),
        text,
        Language::TypeScript,
        &Config::default(),
    );
    assert_eq!(found[0].severity, Severity::Error);
}

#[test]
fn configuration_and_suppressions_apply_to_plain_text() {
    let text = format!("# moat-ignore: secrets/openai-key -- revoked\nA={OPENAI}\nB={OPENAI}\n");
    let found = plain("config.yaml", &text, None);
    assert_eq!(found.len(), 1);
    let (config, problems) = Config::parse("[rules]\n\"secrets\" = \"info\"\n", None);
    assert!(problems.is_empty());
    let found = analyze_plain_text(
        Path::new("x.toml"),
        &format!("k = \"{OPENAI}\"\n"),
        &config,
        FileFacts::default(),
    );
    assert_eq!(found[0].severity, Severity::Info);
}

#[test]
fn binary_and_huge_plain_text_is_skipped() {
    let text = format!("\0\0{OPENAI}\n");
    assert!(plain("blob.bin", &text, None).is_empty());
    let mut huge = "a".repeat(super::MAX_PLAIN_TEXT_BYTES);
    huge.push_str(OPENAI);
    assert!(plain("big.txt", &huge, None).is_empty());
}

#[test]
fn redactions_cover_every_secret() {
    let text = format!("KEY={OPENAI}\nDB_PASSWORD=Xk29fjs8Ql\n");
    let r = super::redactions(Path::new(".env"), &text);
    let covered: Vec<&str> = r.iter().map(|r| &text[r.clone()]).collect();
    assert!(covered.contains(&OPENAI), "{covered:?}");
    assert!(covered.contains(&"Xk29fjs8Ql"), "{covered:?}");
}

/// Many triggers on one huge line: linear, and no panic on cut-off input.
#[test]
fn pathological_lines_are_linear() {
    let mut text = String::new();
    for _ in 0..20_000 {
        text.push_str("token=key-secret:password=eyJ.eyJ.://@AKIA sk-ant- -----BEGIN ");
    }
    let start = std::time::Instant::now();
    let _ = plain("big.env", &text, Some(false));
    let _ = analyze_text(
        Path::new("a.ts"),
        &format!("const a = '{text}';"),
        Language::TypeScript,
        &Config::default(),
    );
    // Generous: a quadratic scan of this line takes minutes.
    assert!(start.elapsed() < std::time::Duration::from_secs(20));
    for cut in [
        "sk_live_",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIE",
        "postgres://u:",
        "eyJhbGciOi.eyJ",
        "\"service_account\" \"client_email\" \"private_key\": \"-----BEGIN ",
    ] {
        let _ = plain("a.env", cut, Some(false));
    }
}

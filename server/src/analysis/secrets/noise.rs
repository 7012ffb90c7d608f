//! Telling secrets from the text around them: placeholders, examples,
//! made-up values, how random a value looks, where test files live, and the
//! masked form that is the only way a secret is ever shown.

use std::path::{Component, Path};

/// Words that mark a value as a placeholder or an example, compared
/// case-insensitively with the value (after a known prefix such as
/// `sk_live_`). `test` is not among them: `sk_test_` keys are real keys.
const PLACEHOLDER_WORDS: &[&str] = &[
    "your",
    "example",
    "placeholder",
    "changeme",
    "change_me",
    "change-me",
    "replace",
    "xxxx",
    "****",
    // An elided value: `APA91bHP...4jDPL` in a tutorial's sample output.
    "...",
    "…",
    "dummy",
    "sample",
    "redacted",
    "insert",
    "here",
    "fake",
    "mock",
    "demo",
    "foobar",
    "todo",
    "secret_key",
    "secretkey",
    "my-secret",
    "my_secret",
    "mysecret",
    "notarealkey",
    "not_a_real",
    "not-a-real",
    "notasecret",
    // "your" and "password" in Portuguese, Spanish and French tutorials:
    // `postgresql://postgres:sua-senha@db.seu-projeto.supabase.co`.
    "sua-",
    "sua_",
    "seu-",
    "seu_",
    "senha",
    "contrase",
    "tu_clave",
    "tu-clave",
    "votre",
    "mot_de_passe",
    "mot-de-passe",
];

/// Whether `value` (a whole value, or a key's body after its prefix) is a
/// placeholder, a reference to a value kept elsewhere, or an example:
/// `your-key-here`, `xxx`, `<token>`, `changeme`, `${VAR}`, `{{var}}`,
/// `process.env.X`, values ending in `EXAMPLE`, and values made of
/// repeated or sequential characters.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() {
        return true;
    }
    if is_reference(v) {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    if PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    if lower.ends_with("example") || lower.ends_with("examplekey") {
        return true;
    }
    if v.contains('<') && v.contains('>') || v.starts_with('[') && v.ends_with(']') {
        return true;
    }
    made_up(v)
}

/// Whether `v` names a value kept elsewhere instead of holding one:
/// `${VAR}`, `$VAR`, `{{ var }}`, `%(name)s`, `process.env.X`,
/// `import.meta.env.X`, `Deno.env.get(...)`, `os.environ[...]`,
/// `secrets.X`, 1Password and Vault references.
pub fn is_reference(v: &str) -> bool {
    const MARKS: &[&str] = &[
        "${",
        "{{",
        "}}",
        "%(",
        "%s",
        "process.env",
        "import.meta.env",
        "deno.env",
        "os.environ",
        "os.getenv",
        "getenv(",
        "env(",
        "env[",
        "secrets.",
        "vault:",
        "op://",
        "arn:aws:secretsmanager",
        "#{",
    ];
    let lower = v.to_ascii_lowercase();
    v.starts_with('$') || MARKS.iter().any(|m| lower.contains(m)) || is_secret_manager_name(&lower)
}

/// A Google Secret Manager resource name,
/// `projects/<project>/secrets/<name>[/versions/<version>]`: where a secret
/// is kept, not the secret (Firebase `defineSecret` and extension params).
fn is_secret_manager_name(lower: &str) -> bool {
    let mut parts = lower.split('/');
    parts.next() == Some("projects")
        && parts.next().is_some_and(|p| !p.is_empty())
        && parts.next() == Some("secrets")
        && parts.next().is_some_and(|p| !p.is_empty())
}

/// Values nobody would issue: one character repeated (`aaaaaaaa`, five or
/// more in a row), a run of six or more sequential characters (`123456`,
/// `abcdef`), too few distinct characters for the length, or letters or
/// digits that count through the alphabet with other characters between
/// them (`4a8b3c2d1e0f9g8h7i6j`, see [`interleaved_sequence`]).
pub fn made_up(v: &str) -> bool {
    if interleaved_sequence(v) {
        return true;
    }
    let b = v.as_bytes();
    let mut same = 1;
    let mut up = 1;
    let mut down = 1;
    for w in b.windows(2) {
        let (x, y) = (w[0], w[1]);
        same = if x == y { same + 1 } else { 1 };
        up = if x.is_ascii_alphanumeric() && y == x.wrapping_add(1) {
            up + 1
        } else {
            1
        };
        down = if x.is_ascii_alphanumeric() && y.wrapping_add(1) == x {
            down + 1
        } else {
            1
        };
        if same >= 5 || up >= 6 || down >= 6 {
            return true;
        }
    }
    let mut seen = [false; 256];
    let mut distinct = 0;
    for &c in b {
        if !seen[c as usize] {
            seen[c as usize] = true;
            distinct += 1;
        }
    }
    b.len() >= 16 && distinct * 4 < b.len().min(64)
}

/// Whether the letters of `v`, taken alone, hold a run of eight or more
/// consecutive letters of the alphabet (`a`, `b`, `c`, ... up or down,
/// whatever stands between them), or its digits a run of eight or more
/// counting up or down (`9` wraps to `0`). A person typing a fake key
/// fills it this way (`4a8b3c2d1e0f9g8h7i6j5k4l3m2n1o0p`); in an issued
/// random key such a run has odds below one in a million.
fn interleaved_sequence(v: &str) -> bool {
    // For letters and for digits: the last one seen, and the lengths of the
    // runs counting up and down that end at it.
    let mut letters: Option<(u8, u32, u32)> = None;
    let mut digits: Option<(u8, u32, u32)> = None;
    for c in v.bytes() {
        let slot = if c.is_ascii_alphabetic() {
            &mut letters
        } else if c.is_ascii_digit() {
            &mut digits
        } else {
            continue;
        };
        let c = c.to_ascii_lowercase();
        let (up, down) = match *slot {
            Some((p, up, down)) => (
                if next_of(p, c) { up + 1 } else { 1 },
                if next_of(c, p) { down + 1 } else { 1 },
            ),
            None => (1, 1),
        };
        if up >= 8 || down >= 8 {
            return true;
        }
        *slot = Some((c, up, down));
    }
    false
}

/// Whether `b` follows `a` in the alphabet or among the digits (`9` → `0`).
fn next_of(a: u8, b: u8) -> bool {
    if a.is_ascii_digit() && b.is_ascii_digit() {
        b == if a == b'9' { b'0' } else { a + 1 }
    } else {
        b == a.wrapping_add(1)
    }
}

/// Whether the body of a PEM block is a stand-in: `...`, `…`, `<your key>`,
/// `xxxx`.
pub fn is_placeholder_block(body: &str) -> bool {
    let lower = body.to_ascii_lowercase();
    body.contains("...")
        || body.contains('…')
        || body.contains('<')
        || lower.contains("xxxx")
        || lower.contains("your")
}

/// Keys published in providers' documentation as examples: everyone has
/// them, and they open nothing.
const DOCUMENTED: &[&str] = &[
    "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
    "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
    "sk_test_26PHem9AhJZvU623DfE1x4sd",
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
];

/// Whether `value` is a key published in documentation as an example.
pub fn is_documented(value: &str) -> bool {
    DOCUMENTED.contains(&value)
}

/// Shannon entropy of `v`, in bits per byte.
pub fn entropy(v: &str) -> f64 {
    let mut counts = [0usize; 256];
    for &c in v.as_bytes() {
        counts[c as usize] += 1;
    }
    let n = v.len() as f64;
    if n == 0.0 {
        return 0.0;
    }
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// Whether a key's body (the part after its fixed prefix) looks issued: not
/// a placeholder, and random enough (at least 3 bits of entropy per
/// character once it is 16 characters or longer).
pub fn looks_issued(body: &str) -> bool {
    !is_placeholder(body) && (body.len() < 16 || entropy(body) >= 3.0)
}

/// Whether a file lives where tests and fixtures live (`test/`, `tests/`,
/// `__tests__/`, `__mocks__/`, `fixtures/`, `__fixtures__/`), or is a
/// `*.test.*` / `*.spec.*` file. Findings there are reported as info.
pub fn is_test_path(path: &Path) -> bool {
    let in_folder = path.parent().is_some_and(|p| {
        p.components().any(|c| match c {
            Component::Normal(name) => {
                let name = name.to_string_lossy().to_ascii_lowercase();
                matches!(
                    name.as_str(),
                    "test" | "tests" | "__tests__" | "__mocks__" | "fixtures" | "__fixtures__"
                )
            }
            _ => false,
        })
    });
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    in_folder || name.contains(".test.") || name.contains(".spec.")
}

/// The masked form of a secret: at most its first four and last two
/// characters (fewer for short values), with `…` between.
pub fn mask(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    let n = chars.len();
    let head = (n / 4).min(4);
    let tail = (n / 8).min(2);
    let mut out: String = chars[..head].iter().collect();
    out.push('…');
    out.extend(&chars[n - tail..]);
    out
}

/// `secret` with every character but the ones [`mask`] shows replaced by
/// `*`: the same number of characters, so a code frame keeps its columns.
/// Line breaks are kept.
pub fn blank_out(secret: &str) -> String {
    let n = secret.chars().count();
    let head = (n / 4).min(4);
    let tail = (n / 8).min(2);
    secret
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i < head || i >= n - tail || c == '\n' || c == '\r' {
                c
            } else {
                '*'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_made_up_values() {
        for v in [
            "your-key-here",
            "xxxxxxxxxxxxxxxx",
            "<token>",
            "changeme",
            "${STRIPE_KEY}",
            "$STRIPE_KEY",
            "{{ stripe_key }}",
            "process.env.STRIPE_KEY",
            "AKIAIOSFODNN7EXAMPLE",
            "aaaaaaaaaaaaaaaaaaaaaaaa",
            "abcdefghijklmnopqrstuvwx",
            "1234567890123456",
            "[YOUR-PASSWORD]",
            "your_key_here",
            // Elided, a Secret Manager name, a Portuguese "your password",
            // letters and digits counting through the alphabet.
            "APA91bQz...Lk9Xq2Wv",
            "projects/acme-prod/secrets/STRIPE/versions/latest",
            "sua-senha-forte",
            "z1y2x3w4v5u6t7s8r9q0",
            "k0l9m8n7o6P5q4R3",
        ] {
            assert!(is_placeholder(v), "{v}");
        }
        for v in [
            "Q7v2R9xLp4Zt8WmK3bN6",
            "MoatFixtureKeyQ7v2R9xLp4Zt",
            "projects/acme-prod/keys/Q7v2R9xLp4Zt",
            "a1b2c3d4e5f6Q7v2R9xLp4Zt",
        ] {
            assert!(!is_placeholder(v), "{v}");
        }
    }

    #[test]
    fn masks_show_at_most_four_and_two() {
        assert_eq!(mask("sk_live_Q7v2R9xLp4Zt8WmK3bN6"), "sk_l…N6");
        assert_eq!(mask("hunter2x"), "hu…x");
        assert_eq!(mask("abc"), "…");
        assert_eq!(mask(""), "…");
        assert_eq!(
            blank_out("sk_live_Q7v2R9xLp4Zt8WmK3bN6"),
            "sk_l**********************N6"
        );
        assert_eq!(blank_out("é漢字😀ab"), "é*****");
    }

    #[test]
    fn test_paths() {
        assert!(is_test_path(Path::new("tests/keys.ts")));
        assert!(is_test_path(Path::new("src/__tests__/a.ts")));
        assert!(is_test_path(Path::new("a/fixtures/x.env")));
        assert!(is_test_path(Path::new("src/pay.test.ts")));
        assert!(!is_test_path(Path::new("src/testing.ts")));
        assert!(!is_test_path(Path::new("tests")));
    }
}

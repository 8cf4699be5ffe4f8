// Owns: reading the literal fields of a plugin's version.php the way Moodle's installer does.
// Must not: run or evaluate PHP; only literals count, as they do for the installer.

use serde::Serialize;

use super::moodle_version::VersionNumber;

/// `$plugin->maturity`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Maturity {
    Alpha,
    Beta,
    Rc,
    Stable,
    Other(String),
}

impl Maturity {
    fn from_constant(constant: &str) -> Self {
        match constant {
            "MATURITY_ALPHA" => Self::Alpha,
            "MATURITY_BETA" => Self::Beta,
            "MATURITY_RC" => Self::Rc,
            "MATURITY_STABLE" => Self::Stable,
            other => Self::Other(other.to_owned()),
        }
    }

    pub fn label(&self) -> &str {
        match self {
            Self::Alpha => "alpha",
            Self::Beta => "beta",
            Self::Rc => "release candidate",
            Self::Stable => "stable",
            Self::Other(constant) => constant,
        }
    }
}

/// What a `version.php` declares with literals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionPhp {
    pub version: Option<VersionNumber>,
    pub requires: Option<VersionNumber>,
    pub release: Option<String>,
    pub maturity: Option<Maturity>,
    /// Found with the installer's own pattern on the raw text.
    pub component: Option<String>,
    /// `$plugin->supported = [33, 401]`: the lowest and highest supported branch.
    pub supported: Option<(u32, u32)>,
    /// The pre-2.x `$module->...` syntax was used; the installer refuses it.
    pub module_syntax: bool,
}

/// Parses the fields Moodle's validator reads from `version.php`.
///
/// Like the validator, comments and whitespace are dropped first and then literal
/// assignments are matched; the component is found on the raw text with the installer's
/// pattern `^\s*\$plugin->component\s*=\s*(['"])(.+?_.+?)\1\s*;` (multi-line).
pub fn parse_version_php(source: &str) -> VersionPhp {
    let stripped = strip_comments_and_whitespace(source);
    let mut parsed = VersionPhp {
        component: find_component(source),
        ..VersionPhp::default()
    };
    for (owner, field, value) in assignments(&stripped) {
        if owner == Owner::Module {
            parsed.module_syntax = true;
            continue;
        }
        match field {
            "version" => {
                if let Some(number) = numeric_literal(value) {
                    parsed.version = VersionNumber::parse(number);
                }
            }
            "requires" => {
                if let Some(number) = numeric_literal(value) {
                    parsed.requires = VersionNumber::parse(number);
                }
            }
            "release" => {
                parsed.release = string_literal(value)
                    .or_else(|| numeric_literal(value))
                    .map(str::to_owned);
            }
            "maturity" => {
                if let Some(constant) = maturity_literal(value) {
                    parsed.maturity = Some(Maturity::from_constant(constant));
                }
            }
            "supported" => parsed.supported = supported_literal(value),
            _ => {}
        }
    }
    parsed
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    Plugin,
    Module,
}

/// `$plugin->field=value;` statements in stripped source: owner, field and the text after `=`
/// (running to the end of the source; the value matchers stop at their own `;`).
fn assignments(stripped: &str) -> Vec<(Owner, &str, &str)> {
    let mut found = Vec::new();
    let mut rest = stripped;
    while let Some(at) = rest.find('$') {
        rest = &rest[at + 1..];
        let (owner, after) = if let Some(after) = rest.strip_prefix("plugin->") {
            (Owner::Plugin, after)
        } else if let Some(after) = rest.strip_prefix("module->") {
            (Owner::Module, after)
        } else {
            continue;
        };
        let field_len = after
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        let (field, after_field) = after.split_at(field_len);
        if let Some(value) = after_field.strip_prefix('=') {
            if !value.starts_with('=') && !field.is_empty() {
                found.push((owner, field, value));
            }
        }
    }
    found
}

/// `\d+(\.\d+)?;`
fn numeric_literal(value: &str) -> Option<&str> {
    let end = value.find(';')?;
    let literal = &value[..end];
    VersionNumber::parse(literal).map(|_| literal)
}

/// `(['"])(.*?)\1;`
fn string_literal(value: &str) -> Option<&str> {
    let quote = value.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let body = &value[1..];
    let mut search_from = 0;
    while let Some(offset) = body[search_from..].find(quote) {
        let close = search_from + offset;
        if body[close + 1..].starts_with(';') {
            return Some(&body[..close]);
        }
        search_from = close + 1;
    }
    None
}

/// `MATURITY_\w+;`
fn maturity_literal(value: &str) -> Option<&str> {
    let end = value.find(';')?;
    let literal = &value[..end];
    let valid = literal.starts_with("MATURITY_")
        && literal.len() > "MATURITY_".len()
        && literal
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_');
    valid.then_some(literal)
}

/// `[33,401];` or `array(33,401);`
fn supported_literal(value: &str) -> Option<(u32, u32)> {
    let inner = if let Some(rest) = value.strip_prefix('[') {
        rest.split_once("];")?.0
    } else {
        let rest = value
            .get(..6)
            .filter(|head| head.eq_ignore_ascii_case("array("))
            .map(|_| &value[6..])?;
        rest.split_once(");")?.0
    };
    let mut numbers = inner.split(',').map(|n| n.parse::<u32>());
    let low = numbers.next()?.ok()?;
    let high = numbers.next()?.ok()?;
    if numbers.next().is_some() || low > high {
        return None;
    }
    Some((low, high))
}

/// The installer's `^\s*\$plugin->component\s*=\s*(['"])(.+?_.+?)\1\s*;` with the multi-line
/// flag: `^` at any line start, `\s` crossing lines, `.` not.
pub fn find_component(source: &str) -> Option<String> {
    let bytes = source.as_bytes();
    let mut line_start = 0;
    loop {
        if let Some(component) = component_at(source, line_start) {
            return Some(component);
        }
        let next_newline = bytes[line_start..].iter().position(|b| *b == b'\n')?;
        line_start += next_newline + 1;
    }
}

fn skip_whitespace(source: &str, from: usize) -> usize {
    from + source[from..]
        .bytes()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c'))
        .count()
}

fn component_at(source: &str, start: usize) -> Option<String> {
    let mut at = skip_whitespace(source, start);
    at += source[at..]
        .starts_with("$plugin->component")
        .then_some("$plugin->component".len())?;
    at = skip_whitespace(source, at);
    at += source[at..].starts_with('=').then_some(1)?;
    at = skip_whitespace(source, at);
    let quote = source[at..]
        .chars()
        .next()
        .filter(|c| *c == '\'' || *c == '"')?;
    at += 1;
    let line_end = source[at..].find('\n').map_or(source.len(), |n| at + n);
    let line = &source[at..line_end];
    // Lazy match: the first closing quote that gives a `x_y` body followed by `\s*;`.
    for (close, _) in line.match_indices(quote) {
        let body = &line[..close];
        let underscore_inside = body
            .char_indices()
            .any(|(i, c)| c == '_' && i > 0 && i + 1 < body.len());
        if !underscore_inside {
            continue;
        }
        let after = skip_whitespace(source, at + close + 1);
        if source[after..].starts_with(';') {
            return Some(body.to_owned());
        }
    }
    None
}

/// Drops comments and whitespace outside string literals, as Moodle's validator does with
/// `token_get_all` before matching assignments.
fn strip_comments_and_whitespace(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                out.push(c);
                while let Some(inner) = chars.next() {
                    out.push(inner);
                    if inner == '\\' {
                        if let Some(escaped) = chars.next() {
                            out.push(escaped);
                        }
                    } else if inner == c {
                        break;
                    }
                }
            }
            '#' => skip_line(&mut chars),
            '/' if chars.peek() == Some(&'/') => skip_line(&mut chars),
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut previous = '\0';
                for inner in chars.by_ref() {
                    if previous == '*' && inner == '/' {
                        break;
                    }
                    previous = inner;
                }
            }
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

fn skip_line(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if c == '\n' {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AUTH_USERKEY: &str = r#"<?php
// This file is part of Moodle - http://moodle.org/
/**
 * Version information
 *
 * @package    auth_userkey
 */

defined('MOODLE_INTERNAL') || die;

$plugin->version   = 2022081901;        // The current plugin version (Date: YYYYMMDDXX).
$plugin->release   = 2022081901;        // Match release exactly to version.
$plugin->requires  = 2017051500;        // Requires this Moodle version.
$plugin->component = 'auth_userkey';    // Full name of the plugin (used for diagnostics).
$plugin->maturity  = MATURITY_STABLE;
$plugin->supported = [33, 401];
"#;

    #[test]
    fn reads_the_auth_userkey_fields() {
        let parsed = parse_version_php(AUTH_USERKEY);
        assert_eq!(parsed.component.as_deref(), Some("auth_userkey"));
        assert_eq!(
            parsed.version.map(|v| v.to_string()).as_deref(),
            Some("2022081901")
        );
        assert_eq!(
            parsed.requires.map(|v| v.to_string()).as_deref(),
            Some("2017051500")
        );
        assert_eq!(parsed.release.as_deref(), Some("2022081901"));
        assert_eq!(parsed.maturity, Some(Maturity::Stable));
        assert_eq!(parsed.supported, Some((33, 401)));
        assert!(!parsed.module_syntax);
    }

    #[test]
    fn comments_do_not_count_as_values() {
        let source = "<?php\n// $plugin->version = 1999010100;\n/* $plugin->requires = 2099010100; */\n$plugin->version = 2024010100; # note\n";
        let parsed = parse_version_php(source);
        assert_eq!(
            parsed.version.map(|v| v.to_string()).as_deref(),
            Some("2024010100")
        );
        assert_eq!(parsed.requires, None);
    }

    #[test]
    fn non_literal_values_are_ignored() {
        let source = "<?php\n$plugin->version = get_version();\n$plugin->requires = 2020 + 1;\n$plugin->component = $name;\n";
        let parsed = parse_version_php(source);
        assert_eq!(parsed.version, None);
        assert_eq!(parsed.requires, None);
        assert_eq!(parsed.component, None);
    }

    #[test]
    fn strings_keep_their_content() {
        let source = "<?php\n$plugin->release = 'v1.2 // not a comment';\n$plugin->component = \"local_opensis\";\n$plugin->maturity = MATURITY_BETA;\n$plugin->supported = array(39, 405);\n";
        let parsed = parse_version_php(source);
        assert_eq!(parsed.release.as_deref(), Some("v1.2 // not a comment"));
        assert_eq!(parsed.component.as_deref(), Some("local_opensis"));
        assert_eq!(parsed.maturity, Some(Maturity::Beta));
        assert_eq!(parsed.supported, Some((39, 405)));
    }

    #[test]
    fn module_syntax_is_detected() {
        let parsed = parse_version_php("<?php\n$module->version = 2010010100;\n");
        assert!(parsed.module_syntax);
        assert_eq!(parsed.version, None);
    }

    #[test]
    fn component_pattern_matches_the_installer() {
        assert_eq!(
            find_component("$plugin->component='a_b';").as_deref(),
            Some("a_b")
        );
        assert_eq!(
            find_component("  \n\t$plugin->component\n =\n \"auth_x\"  ;").as_deref(),
            Some("auth_x")
        );
        // Not at a line start.
        assert_eq!(find_component("x; $plugin->component = 'auth_x';"), None);
        // No underscore inside the quotes.
        assert_eq!(find_component("$plugin->component = 'auth';"), None);
        assert_eq!(find_component("$plugin->component = '_auth';"), None);
        // A commented line does not match.
        assert_eq!(find_component("// $plugin->component = 'auth_x';"), None);
        // The value must close on its own line.
        assert_eq!(find_component("$plugin->component = 'auth_\nx';"), None);
    }
}

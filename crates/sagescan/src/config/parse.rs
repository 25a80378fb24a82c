//! Parsing and validating `sagescan.toml` in one pass.
//!
//! The TOML parser recovers from syntax errors and keeps a span on every key and value, so
//! syntax errors (including duplicate keys) and schema problems (unknown keys, wrong types,
//! unknown check codes, bad severities, globs and dates, waivers without a reason) are all
//! collected and reported together, each at its line and column, as cargo-deny does: a user
//! fixes the whole file in one round instead of one error per run.

use super::{Config, ConfigWaiver, Problem};
use globset::Glob;
use sagescan_checks::{CHECKS, Date, Options, Severity, find};
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

type Table<'i> = DeTable<'i>;
type Value<'i> = Spanned<DeValue<'i>>;

/// Parses `text` (read from `file`, the path to show). Every problem found is returned.
pub fn parse(file: &str, text: &str) -> Result<Config, Vec<Problem>> {
    let mut v = Validator {
        file,
        lines: Lines::new(text),
        problems: Vec::new(),
    };
    let (doc, errors) = DeTable::parse_recoverable(text);
    for e in errors {
        let span = e.span().unwrap_or(0..0);
        let message = e.message().trim().replace('\n', " ");
        v.problem(span, message);
    }
    let config = v.document(doc.get_ref());
    if v.problems.is_empty() {
        Ok(config)
    } else {
        v.problems.sort_by_key(|p| (p.line, p.column));
        Err(v.problems)
    }
}

struct Validator<'a> {
    file: &'a str,
    lines: Lines<'a>,
    problems: Vec<Problem>,
}

impl Validator<'_> {
    fn problem(&mut self, span: Range<usize>, message: impl Into<String>) {
        let (line, column) = self.lines.line_column(span.start);
        self.problems.push(Problem {
            file: self.file.to_string(),
            line,
            column,
            message: message.into(),
        });
    }

    /// Calls `each` for every entry of `table`, reporting keys not in `allowed`.
    fn entries<'i>(
        &mut self,
        table: &'i Table<'i>,
        section: &str,
        allowed: &[&str],
        mut each: impl FnMut(&mut Self, &str, &'i Value<'i>),
    ) {
        for (key, value) in table.iter() {
            if allowed.contains(&key.get_ref().as_ref()) {
                each(self, key.get_ref(), value);
            } else {
                let expected = allowed
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                self.problem(
                    key.span(),
                    format!(
                        "unknown key `{}` in {section}; expected one of {expected}",
                        key.get_ref()
                    ),
                );
            }
        }
    }

    fn document(&mut self, doc: &Table<'_>) -> Config {
        let mut config = Config::default();
        self.entries(
            doc,
            "the top level",
            &["checks", "severity", "options", "waivers"],
            |v, key, value| match key {
                "checks" => v.checks(value, &mut config),
                "severity" => v.severity(value, &mut config),
                "options" => v.options(value, &mut config.options),
                _ => v.waivers(value, &mut config.waivers),
            },
        );
        config
    }

    fn table<'i>(&mut self, value: &'i Value<'i>, what: &str) -> Option<&'i Table<'i>> {
        match value.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                self.problem(
                    value.span(),
                    format!("{what} must be a table, found {}", kind(other)),
                );
                None
            }
        }
    }

    fn string<'i>(&mut self, value: &'i Value<'i>, what: &str) -> Option<&'i str> {
        match value.get_ref() {
            DeValue::String(s) => Some(s),
            other => {
                self.problem(
                    value.span(),
                    format!("{what} must be a string, found {}", kind(other)),
                );
                None
            }
        }
    }

    fn strings(&mut self, value: &Value<'_>, what: &str) -> Option<Vec<(String, Range<usize>)>> {
        let DeValue::Array(items) = value.get_ref() else {
            let found = kind(value.get_ref());
            self.problem(
                value.span(),
                format!("{what} must be an array of strings, found {found}"),
            );
            return None;
        };
        let mut out = Vec::new();
        for item in items.iter() {
            if let Some(s) = self.string(item, &format!("each item of {what}")) {
                out.push((s.to_string(), item.span()));
            }
        }
        Some(out)
    }

    /// The check a code or name denotes, reporting one that is unknown.
    fn check_code(&mut self, token: &str, span: Range<usize>) -> Option<&'static str> {
        let found = find(token.trim()).map(|c| c.code);
        if found.is_none() {
            self.problem(
                span,
                format!("unknown check `{token}`; `sagescan checks` lists them"),
            );
        }
        found
    }

    fn checks(&mut self, value: &Value<'_>, config: &mut Config) {
        let Some(table) = self.table(value, "`checks`") else {
            return;
        };
        self.entries(
            table,
            "[checks]",
            &["enable", "disable"],
            |v, key, value| {
                let list = v
                    .strings(value, &format!("`checks.{key}`"))
                    .unwrap_or_default();
                let mut tokens = Vec::new();
                for (token, span) in list {
                    // A code, a name or a code prefix (`SM1`), as `--checks` accepts.
                    let upper = token.trim().to_ascii_uppercase();
                    let known = find(token.trim()).is_some()
                        || (!upper.is_empty() && CHECKS.iter().any(|c| c.code.starts_with(&upper)));
                    if known {
                        tokens.push(token);
                    } else {
                        v.problem(
                            span,
                            format!("unknown check `{token}`; `sagescan checks` lists them"),
                        );
                    }
                }
                match key {
                    "enable" => config.enable = tokens,
                    _ => config.disable = tokens,
                }
            },
        );
    }

    fn severity(&mut self, value: &Value<'_>, config: &mut Config) {
        let Some(table) = self.table(value, "`severity`") else {
            return;
        };
        for (key, value) in table.iter() {
            let code = self.check_code(key.get_ref(), key.span());
            let Some(s) = self.string(value, &format!("`severity.{}`", key.get_ref())) else {
                continue;
            };
            match Severity::parse(s) {
                Some(severity) => {
                    if let Some(code) = code {
                        config.severity.insert(code.to_string(), severity);
                    }
                }
                None => self.problem(
                    value.span(),
                    format!("unknown severity `{s}`; expected low, medium, high or critical"),
                ),
            }
        }
    }

    fn options(&mut self, value: &Value<'_>, options: &mut Options) {
        let Some(table) = self.table(value, "`options`") else {
            return;
        };
        let keys = [
            "required_endpoints",
            "too_broad_domains",
            "required_tags",
            "environment_tag",
            "authorized_ingress_ports",
            "admin_ports",
            "flow_logs_require_all",
        ];
        self.entries(table, "[options]", &keys, |v, key, value| {
            let what = format!("`options.{key}`");
            let strings = |v: &mut Self| {
                v.strings(value, &what)
                    .map(|l| l.into_iter().map(|(s, _)| s).collect::<Vec<_>>())
            };
            match key {
                "required_endpoints" => v.endpoints(value, options),
                "too_broad_domains" => set(&mut options.too_broad_domains, strings(v)),
                "required_tags" => set(&mut options.required_tags, strings(v)),
                "environment_tag" => set(
                    &mut options.environment_tag,
                    v.string(value, &what).map(str::to_string),
                ),
                "authorized_ingress_ports" => {
                    set(&mut options.authorized_ingress_ports, v.ports(value, &what))
                }
                "admin_ports" => set(&mut options.admin_ports, v.ports(value, &what)),
                _ => match value.get_ref() {
                    DeValue::Boolean(b) => options.flow_logs_require_all = *b,
                    other => v.problem(
                        value.span(),
                        format!("{what} must be a boolean, found {}", kind(other)),
                    ),
                },
            }
        });
    }

    fn endpoints(&mut self, value: &Value<'_>, options: &mut Options) {
        let Some(table) = self.table(value, "`options.required_endpoints`") else {
            return;
        };
        let e = &mut options.required_endpoints;
        self.entries(
            table,
            "[options.required_endpoints]",
            &["any_workload", "studio_vpc_only", "private_ecr"],
            |v, key, value| {
                let list = v
                    .strings(value, &format!("`options.required_endpoints.{key}`"))
                    .map(|l| l.into_iter().map(|(s, _)| s).collect());
                match key {
                    "any_workload" => set(&mut e.any_workload, list),
                    "studio_vpc_only" => set(&mut e.studio_vpc_only, list),
                    _ => set(&mut e.private_ecr, list),
                }
            },
        );
    }

    fn ports(&mut self, value: &Value<'_>, what: &str) -> Option<Vec<u16>> {
        let DeValue::Array(items) = value.get_ref() else {
            let found = kind(value.get_ref());
            self.problem(
                value.span(),
                format!("{what} must be an array of ports, found {found}"),
            );
            return None;
        };
        let mut out = Vec::new();
        for item in items.iter() {
            let port = match item.get_ref() {
                DeValue::Integer(i) => {
                    i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok()
                }
                _ => None,
            };
            match port.and_then(|p| u16::try_from(p).ok()) {
                Some(p) => out.push(p),
                None => self.problem(
                    item.span(),
                    format!("each item of {what} must be a port number (0-65535)"),
                ),
            }
        }
        Some(out)
    }

    fn waivers(&mut self, value: &Value<'_>, out: &mut Vec<ConfigWaiver>) {
        let DeValue::Array(items) = value.get_ref() else {
            let found = kind(value.get_ref());
            self.problem(
                value.span(),
                format!("`waivers` must be an array of tables (`[[waivers]]`), found {found}"),
            );
            return;
        };
        for item in items.iter() {
            if let Some(table) = self.table(item, "each `[[waivers]]` entry")
                && let Some(w) = self.waiver(table, item.span())
            {
                out.push(w);
            }
        }
    }

    fn waiver(&mut self, table: &Table<'_>, span: Range<usize>) -> Option<ConfigWaiver> {
        let before = self.problems.len();
        let (mut code, mut glob, mut reason, mut expires) = (None, None, None, None);
        self.entries(
            table,
            "[[waivers]]",
            &["code", "resource", "reason", "expires"],
            |v, key, value| match key {
                "code" => {
                    code = v
                        .string(value, "`code`")
                        .and_then(|s| v.check_code(s, value.span()));
                }
                "resource" => {
                    let Some(s) = v.string(value, "`resource`") else {
                        return;
                    };
                    match Glob::new(s) {
                        Ok(g) => glob = Some((s.to_string(), g.compile_matcher())),
                        Err(e) => {
                            v.problem(value.span(), format!("invalid glob `{s}`: {}", e.kind()))
                        }
                    }
                }
                "reason" => match v.string(value, "`reason`") {
                    Some(s) if s.trim().is_empty() => v.problem(
                        value.span(),
                        "waiver `reason` is empty; say why the finding is accepted",
                    ),
                    Some(s) => reason = Some(s.trim().to_string()),
                    None => {}
                },
                _ => expires = v.date(value),
            },
        );
        let line = self.lines.line_column(span.start).0;
        for (missing, name) in [
            (code.is_none() && !table.contains_key("code"), "code"),
            (
                glob.is_none() && !table.contains_key("resource"),
                "resource",
            ),
            (reason.is_none() && !table.contains_key("reason"), "reason"),
        ] {
            if missing {
                self.problem(span.clone(), format!("waiver has no `{name}`"));
            }
        }
        if self.problems.len() > before {
            return None;
        }
        let (resource, matcher) = glob?;
        Some(ConfigWaiver {
            code: code?.to_string(),
            resource,
            matcher,
            reason: reason?,
            expires,
            line,
        })
    }

    /// `expires = "2025-12-31"` or the TOML date literal `expires = 2025-12-31`.
    fn date(&mut self, value: &Value<'_>) -> Option<Date> {
        let text = match value.get_ref() {
            DeValue::String(s) => s.to_string(),
            DeValue::Datetime(d) if d.time.is_none() && d.offset.is_none() => d.to_string(),
            other => {
                let found = kind(other);
                self.problem(
                    value.span(),
                    format!("`expires` must be a date, found {found}"),
                );
                return None;
            }
        };
        let date = Date::parse(&text);
        if date.is_none() {
            self.problem(
                value.span(),
                format!("invalid date `{text}`; expected an existing day as YYYY-MM-DD"),
            );
        }
        date
    }
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *slot = v;
    }
}

fn kind(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a datetime",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// The start of every line of a text, to turn byte offsets into lines and columns without
/// rescanning the text for each: a file may hold thousands of problems (the `config` fuzz
/// target spent most of its time counting newlines from the start of the file, once per
/// problem).
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { text, starts }
    }

    /// 1-based line and column (in characters) of byte `offset`.
    fn line_column(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        // Spans from the TOML parser fall on character boundaries; `get` keeps a bad one
        // from panicking.
        let column = self
            .text
            .get(start..offset)
            .map_or(1, |s| s.chars().count() + 1);
        (line as u32, column as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_count_characters_from_one() {
        let lines = Lines::new("ab\n\u{e9}x = 1\n\n");
        assert_eq!(lines.line_column(0), (1, 1));
        assert_eq!(lines.line_column(2), (1, 3));
        assert_eq!(lines.line_column(3), (2, 1));
        // `x` is the second character but the third byte of line 2 (é is two bytes).
        assert_eq!(lines.line_column(5), (2, 2));
        assert_eq!(lines.line_column(11), (3, 1));
        // Past the end: the end of the text.
        assert_eq!(lines.line_column(99), (4, 1));
    }

    /// Found profiling the `config` fuzz target: every problem counted the lines before it
    /// from the start of the file, so a file of many problems took quadratic time (a
    /// 4 MB file of 200,000 unknown keys: minutes). No timed assertion (speed is measured
    /// in benchmarks): a regression shows as this test taking minutes.
    #[test]
    fn many_problems_in_a_large_file_are_located_in_linear_time() {
        let text = "[checks]\n".to_string() + &"bogus = 1\n".repeat(200_000);
        let problems = parse("big.toml", &text).expect_err("unknown keys");
        assert_eq!(problems.len(), 200_000);
        let last = problems.last().unwrap();
        assert_eq!((last.line, last.column), (200_001, 1));
    }
}

//! A tokenizer and parser for the common subset of Suricata rules that Network Firewall
//! accepts in a rule group's `RulesString`, and an interpretation of their options.
//!
//! Parsing is total: it never panics, returns every rule it could read, and records each
//! malformed one as a [`ParseError`] with the byte offset where reading failed (the parser
//! then resumes at the next line). Interpretation ([`Rule::interpret`]) understands the
//! keywords the NFW checks need (`msg`, `sid`, `rev`, `priority`, `flow`, `ssl_state`, the
//! sticky buffers `tls.sni` / `http.host` with `dotprefix`, `content`, `startswith`,
//! `endswith`, `nocase`, and the informational `metadata`, `classtype`, `reference`, `gid`)
//! and lists every other keyword as uninterpreted, so that a verdict depending on such a
//! rule can be Unknown instead of a guess (reachability-semantics §6.6;
//! <https://docs.aws.amazon.com/network-firewall/latest/developerguide/suricata-limitations-caveats.html>).
//!
//! Rule shape (<https://docs.suricata.io/en/latest/rules/intro.html>):
//! `action proto src sport direction dst dport (keyword[:value]; …)`. A line ending in `\`
//! continues on the next; `#` starts a comment line.

use std::ops::Range;

/// Everything read from a rules string.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rules {
    pub rules: Vec<Rule>,
    pub errors: Vec<ParseError>,
}

/// A rule that could not be read, and where reading failed.
#[derive(Clone, Debug, PartialEq)]
pub struct ParseError {
    /// Byte offset into the rules string.
    pub offset: usize,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Pass,
    Drop,
    Alert,
    Reject,
}

impl Action {
    fn parse(s: &str) -> Option<Action> {
        match s.to_ascii_lowercase().as_str() {
            "pass" => Some(Action::Pass),
            "drop" => Some(Action::Drop),
            "alert" => Some(Action::Alert),
            "reject" => Some(Action::Reject),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// `->`
    Forward,
    /// `<>`
    Both,
}

/// One rule as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// Byte range of the whole rule in the rules string.
    pub span: Range<usize>,
    pub action: Action,
    pub protocol: String,
    pub source: String,
    pub source_port: String,
    pub direction: Direction,
    pub destination: String,
    pub destination_port: String,
    pub options: Vec<RuleOption>,
}

/// `keyword` or `keyword:value`; a quoted value is unquoted and unescaped.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleOption {
    pub keyword: String,
    pub value: Option<String>,
    /// Whether the value was written as `!"…"` (content negation).
    pub negated: bool,
    pub offset: usize,
}

/// The buffer a `content` match inspects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Buffer {
    TlsSni,
    HttpHost,
}

/// A `content` match on `tls.sni` or `http.host`, with its modifiers.
#[derive(Clone, Debug, PartialEq)]
pub struct DomainMatch {
    pub buffer: Buffer,
    pub content: String,
    pub negated: bool,
    pub dotprefix: bool,
    pub startswith: bool,
    pub endswith: bool,
}

/// What a rule's options mean to the checks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Meaning {
    pub sid: Option<u64>,
    /// Values of every `flow` option, lower-cased (`to_server`, `established`, …).
    pub flow: Vec<String>,
    pub domains: Vec<DomainMatch>,
    /// A `content` on the payload (no sticky buffer): the rule matches only some packets.
    pub payload_content: bool,
    /// Keywords this module does not interpret, in order of appearance.
    pub uninterpreted: Vec<String>,
}

impl Meaning {
    /// `flow` says the rule matches only packets before the connection is established
    /// (`not_established`) or outside any flow (`stateless`).
    pub fn setup_only(&self) -> bool {
        self.flow
            .iter()
            .any(|f| f == "not_established" || f == "stateless")
    }

    /// `flow` restricts the rule to server→client packets.
    pub fn to_client_only(&self) -> bool {
        self.flow
            .iter()
            .any(|f| f == "to_client" || f == "from_server")
    }
}

impl Rule {
    /// Interprets the options in order. Modifiers (`startswith`, `endswith`, `nocase`)
    /// apply to the preceding `content`; `dotprefix` to the next one; `tls.sni` and
    /// `http.host` select the buffer for the contents that follow.
    pub fn interpret(&self) -> Meaning {
        let mut m = Meaning::default();
        let mut buffer: Option<Buffer> = None;
        let mut dotprefix = false;
        // Which content the modifiers apply to: a domain match (its index) or the payload.
        let mut last: Option<Option<usize>> = None;
        for opt in &self.options {
            let value = opt.value.as_deref();
            match opt.keyword.as_str() {
                "msg" | "rev" | "priority" | "metadata" | "classtype" | "reference" | "gid" => {}
                "sid" => m.sid = value.and_then(|v| v.trim().parse().ok()),
                "flow" => m.flow.extend(
                    value
                        .unwrap_or_default()
                        .split(',')
                        .map(|f| f.trim().to_ascii_lowercase()),
                ),
                // `ssl_state:client_hello` is true of every TLS connection a client opens.
                "ssl_state" => {}
                "tls.sni" => buffer = Some(Buffer::TlsSni),
                "http.host" => buffer = Some(Buffer::HttpHost),
                "dotprefix" if buffer.is_some() => dotprefix = true,
                "content" => {
                    let content = value.unwrap_or_default();
                    // Hex bytes (`|2e|`) would need decoding before matching names.
                    if content.contains('|') {
                        m.uninterpreted.push("content with hex bytes".into());
                        last = None;
                        continue;
                    }
                    match buffer {
                        Some(b) => {
                            m.domains.push(DomainMatch {
                                buffer: b,
                                content: content.to_string(),
                                negated: opt.negated,
                                dotprefix,
                                startswith: false,
                                endswith: false,
                            });
                            last = Some(Some(m.domains.len() - 1));
                        }
                        None => {
                            m.payload_content = true;
                            last = Some(None);
                        }
                    }
                    dotprefix = false;
                }
                "startswith" | "endswith" | "nocase" => match last {
                    Some(Some(i)) => {
                        let d = &mut m.domains[i];
                        match opt.keyword.as_str() {
                            "startswith" => d.startswith = true,
                            "endswith" => d.endswith = true,
                            _ => {}
                        }
                    }
                    Some(None) => {}
                    None => m.uninterpreted.push(opt.keyword.clone()),
                },
                other => m.uninterpreted.push(other.to_string()),
            }
        }
        m
    }

    /// `pass tls $HOME_NET any -> $EXTERNAL_NET 443`, for messages.
    pub fn header(&self) -> String {
        let action = match self.action {
            Action::Pass => "pass",
            Action::Drop => "drop",
            Action::Alert => "alert",
            Action::Reject => "reject",
        };
        let dir = match self.direction {
            Direction::Forward => "->",
            Direction::Both => "<>",
        };
        format!(
            "{action} {} {} {} {dir} {} {}",
            self.protocol, self.source, self.source_port, self.destination, self.destination_port
        )
    }
}

/// Parses a whole rules string.
pub fn parse(text: &str) -> Rules {
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        pos: 0,
    };
    let mut out = Rules::default();
    loop {
        p.skip_space();
        match p.peek() {
            None => break,
            Some(b'#') => p.skip_line(),
            Some(_) => {
                let start = p.pos;
                match p.rule() {
                    Ok(rule) => out.rules.push(rule),
                    Err(e) => {
                        out.errors.push(e);
                        // Resume after the line the rule started on (or where it failed,
                        // if that is further on), so one bad rule costs one rule.
                        p.pos = p.pos.max(start);
                        p.skip_line();
                    }
                }
            }
        }
    }
    out
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn err<T>(&self, message: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError {
            offset: self.pos,
            message: message.into(),
        })
    }

    /// Whitespace, including `\` line continuations.
    fn skip_space(&mut self) {
        while let Some(c) = self.peek() {
            if c.is_ascii_whitespace() {
                self.pos += 1;
            } else if c == b'\\' && matches!(self.s.get(self.pos + 1), Some(b'\n' | b'\r')) {
                self.pos += 2;
            } else {
                break;
            }
        }
    }

    fn skip_line(&mut self) {
        while let Some(c) = self.peek() {
            self.pos += 1;
            if c == b'\n' {
                break;
            }
        }
    }

    /// A header token: up to whitespace or `(`, keeping `[…]` lists (which may contain
    /// spaces) whole.
    fn token(&mut self) -> Result<String, ParseError> {
        self.skip_space();
        let start = self.pos;
        let mut depth = 0usize;
        while let Some(c) = self.peek() {
            match c {
                b'[' => depth += 1,
                b']' => depth = depth.saturating_sub(1),
                b'(' if depth == 0 => break,
                c if c.is_ascii_whitespace() && depth == 0 => break,
                _ => {}
            }
            self.pos += 1;
        }
        if depth > 0 {
            return self.err("unclosed [ in rule header");
        }
        if self.pos == start {
            return self.err("rule header ends early");
        }
        // Only ASCII bytes delimit tokens, so both ends are char boundaries.
        let raw = &self.text[start..self.pos];
        Ok(raw.split_whitespace().collect::<Vec<_>>().join(""))
    }

    fn rule(&mut self) -> Result<Rule, ParseError> {
        let start = self.pos;
        let action_at = self.pos;
        let action_text = self.token()?;
        let Some(action) = Action::parse(&action_text) else {
            return Err(ParseError {
                offset: action_at,
                message: format!("unsupported action {action_text}"),
            });
        };
        let protocol = self.token()?.to_ascii_lowercase();
        let source = self.token()?;
        let source_port = self.token()?;
        self.skip_space();
        let dir_at = self.pos;
        let direction = match self.token()?.as_str() {
            "->" => Direction::Forward,
            "<>" => Direction::Both,
            other => {
                return Err(ParseError {
                    offset: dir_at,
                    message: format!("expected -> or <>, found {other}"),
                });
            }
        };
        let destination = self.token()?;
        let destination_port = self.token()?;
        self.skip_space();
        if self.peek() != Some(b'(') {
            return self.err("expected ( before rule options");
        }
        self.pos += 1;
        let options = self.options()?;
        Ok(Rule {
            span: start..self.pos,
            action,
            protocol,
            source,
            source_port,
            direction,
            destination,
            destination_port,
            options,
        })
    }

    /// `keyword[:value]; …)`; consumes the closing `)`.
    fn options(&mut self) -> Result<Vec<RuleOption>, ParseError> {
        let mut options = Vec::new();
        loop {
            self.skip_space();
            match self.peek() {
                None => return self.err("rule options not closed with )"),
                Some(b')') => {
                    self.pos += 1;
                    return Ok(options);
                }
                Some(_) => {}
            }
            let offset = self.pos;
            while let Some(c) = self.peek() {
                if c == b':' || c == b';' || c == b')' || c.is_ascii_whitespace() {
                    break;
                }
                self.pos += 1;
            }
            let keyword = self.text[offset..self.pos].to_ascii_lowercase();
            if keyword.is_empty() {
                return self.err("empty rule option");
            }
            self.skip_space();
            let (value, negated) = if self.peek() == Some(b':') {
                self.pos += 1;
                let (v, n) = self.value()?;
                (Some(v), n)
            } else {
                (None, false)
            };
            self.skip_space();
            match self.peek() {
                Some(b';') => self.pos += 1,
                // The last option may omit its `;`.
                Some(b')') => {}
                _ => return self.err(format!("expected ; after option {keyword}")),
            }
            options.push(RuleOption {
                keyword,
                value,
                negated,
                offset,
            });
        }
    }

    /// An option value up to an unescaped `;` outside quotes (or the closing `)`).
    /// Quotes are removed and `\"`, `\;`, `\\` unescaped; a leading `!` before a quoted
    /// value is the negation flag.
    fn value(&mut self) -> Result<(String, bool), ParseError> {
        self.skip_space();
        let mut negated = false;
        if self.peek() == Some(b'!') && self.s.get(self.pos + 1) == Some(&b'"') {
            negated = true;
            self.pos += 1;
        }
        let mut out: Vec<u8> = Vec::new();
        let mut quoted = false;
        loop {
            let Some(c) = self.peek() else {
                return self.err(if quoted {
                    "unterminated quoted value"
                } else {
                    "rule options not closed with )"
                });
            };
            match c {
                b'\\' => match self.s.get(self.pos + 1) {
                    Some(&e @ (b'"' | b';' | b'\\')) => {
                        out.push(e);
                        self.pos += 2;
                        continue;
                    }
                    _ => out.push(c),
                },
                b'"' => quoted = !quoted,
                b';' if !quoted => break,
                // An unquoted `)` at the end of the options closes them.
                b')' if !quoted && self.rest_of_line_blank(self.pos + 1) => break,
                b'\n' if quoted => return self.err("unterminated quoted value"),
                _ => out.push(c),
            }
            self.pos += 1;
        }
        // Only ASCII bytes were removed, so the bytes are still valid UTF-8.
        let text = String::from_utf8_lossy(&out).trim().to_string();
        Ok((text, negated))
    }

    fn rest_of_line_blank(&self, from: usize) -> bool {
        self.s[from.min(self.s.len())..]
            .iter()
            .take_while(|&&c| c != b'\n')
            .all(|c| c.is_ascii_whitespace())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_aws_generated_allow_rule() {
        let text = r#"pass tls $HOME_NET any -> $EXTERNAL_NET any (tls.sni; dotprefix; content:".example.com"; nocase; endswith; msg:"matching TLS allowlisted FQDNs"; ssl_state:client_hello; flow:to_server, established; sid:1; rev:1;)"#;
        let r = parse(text);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.rules.len(), 1);
        let rule = &r.rules[0];
        assert_eq!(rule.action, Action::Pass);
        assert_eq!(rule.protocol, "tls");
        assert_eq!(rule.source, "$HOME_NET");
        assert_eq!(rule.destination, "$EXTERNAL_NET");
        assert_eq!(rule.direction, Direction::Forward);
        assert_eq!(rule.span, 0..text.len());
        let m = rule.interpret();
        assert_eq!(m.sid, Some(1));
        assert_eq!(m.flow, ["to_server", "established"]);
        assert!(m.uninterpreted.is_empty(), "{:?}", m.uninterpreted);
        assert_eq!(
            m.domains,
            [DomainMatch {
                buffer: Buffer::TlsSni,
                content: ".example.com".into(),
                negated: false,
                dotprefix: true,
                startswith: false,
                endswith: true,
            }]
        );
    }

    #[test]
    fn escaped_quotes_and_semicolons_stay_inside_values() {
        let text =
            r#"alert http any any -> any any (msg:"say \"hi\"; then go"; content:"a\;b"; sid:7;)"#;
        let r = parse(text);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let opts = &r.rules[0].options;
        assert_eq!(opts[0].value.as_deref(), Some(r#"say "hi"; then go"#));
        assert_eq!(opts[1].value.as_deref(), Some("a;b"));
        assert_eq!(r.rules[0].interpret().sid, Some(7));
        assert!(r.rules[0].interpret().payload_content);
    }

    #[test]
    fn comments_blank_lines_and_continuations() {
        let text = "# allow the package index\n\n  pass tls $HOME_NET any -> $EXTERNAL_NET 443 \\\n    (tls.sni; content:\"pypi.org\"; startswith; endswith; sid:2;)\n# done\ndrop ip any any <> any any (sid:3;)\n";
        let r = parse(text);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.rules.len(), 2);
        assert_eq!(r.rules[0].destination_port, "443");
        let d = &r.rules[0].interpret().domains[0];
        assert!(d.startswith && d.endswith && !d.dotprefix);
        assert_eq!(r.rules[1].direction, Direction::Both);
        assert_eq!(r.rules[1].protocol, "ip");
        assert_eq!(
            &text[r.rules[1].span.clone()],
            "drop ip any any <> any any (sid:3;)"
        );
    }

    #[test]
    fn options_may_span_lines() {
        let text = "pass http $HOME_NET any -> $EXTERNAL_NET any (\n  http.host; content:\"github.com\";\n  endswith; sid:4;\n)";
        let r = parse(text);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let m = r.rules[0].interpret();
        assert_eq!(m.domains[0].buffer, Buffer::HttpHost);
        assert!(m.domains[0].endswith);
    }

    #[test]
    fn address_lists_negation_and_port_ranges() {
        let text = "drop tcp [10.0.0.0/8, !10.1.0.0/16] any -> !$HOME_NET [80,8000:8100] (sid:5;)";
        let r = parse(text);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let rule = &r.rules[0];
        assert_eq!(rule.source, "[10.0.0.0/8,!10.1.0.0/16]");
        assert_eq!(rule.destination, "!$HOME_NET");
        assert_eq!(rule.destination_port, "[80,8000:8100]");
    }

    #[test]
    fn unknown_keywords_are_listed_not_guessed() {
        let r = parse(
            r#"pass tls any any -> any any (tls.sni; pcre:"/^a.*\.com$/"; flowbits:set,x; sid:6;)"#,
        );
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.rules[0].interpret().uninterpreted, ["pcre", "flowbits"]);
    }

    #[test]
    fn negated_content_is_recorded() {
        let r = parse(r#"pass tls any any -> any any (tls.sni; content:!"evil.com"; sid:8;)"#);
        assert!(r.rules[0].interpret().domains[0].negated);
    }

    #[test]
    fn errors_carry_offsets_and_parsing_resumes() {
        let text = "pass tls any any => any any (sid:1;)\nlog tcp any any -> any any (sid:2;)\ndrop tcp any any -> any any (msg:\"open\nalert ip any any -> any any (sid:4;)\ndrop udp any any -> any 443 (sid:5;)";
        let r = parse(text);
        assert_eq!(r.errors.len(), 3, "{:?}", r.errors);
        assert_eq!(r.errors[0].offset, text.find("=>").unwrap());
        assert!(
            r.errors[0].message.contains("=>"),
            "{}",
            r.errors[0].message
        );
        assert_eq!(r.errors[1].offset, text.find("log").unwrap());
        assert!(
            r.errors[2].message.contains("unterminated"),
            "{:?}",
            r.errors[2]
        );
        let sids: Vec<_> = r.rules.iter().map(|r| r.interpret().sid).collect();
        assert_eq!(sids, [Some(4), Some(5)]);
    }

    #[test]
    fn truncated_input_never_panics() {
        let text = r#"pass tls $HOME_NET any -> $EXTERNAL_NET any (tls.sni; content:"a\"b"; endswith; sid:1;)"#;
        for end in 0..=text.len() {
            let _ = parse(&text[..end]);
        }
        let r = parse("pass tls [any any -> any any (sid:1;)");
        assert_eq!(r.errors.len(), 1);
        let r = parse("pass tls any any -> any any sid:1;");
        assert!(r.errors[0].message.contains("("), "{:?}", r.errors);
    }

    #[test]
    fn modifier_without_content_is_uninterpreted() {
        let r = parse("pass tls any any -> any any (endswith; sid:1;)");
        assert_eq!(r.rules[0].interpret().uninterpreted, ["endswith"]);
    }
}

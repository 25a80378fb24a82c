//! One hostile name through every emitter ([`crate::fixtures::tricks`]): the report a pull
//! request's author controls the names of must not forge lines, drive or reorder the
//! terminal, ping anyone, break its own syntax or run in a spreadsheet, and must still
//! show the name. Each format is asserted on what matters to its reader, and the rendered
//! text formats are snapshotted.

use crate::escape::is_hazard;
use crate::fixtures::{TOOL, emit, tricks};
use crate::{Csv, Emitter, Html, Json, Junit, Markdown, Report, Sarif, Text};

fn render(emitter: &dyn Emitter) -> String {
    let (model, run, waivers) = tricks();
    emit(
        emitter,
        &Report::new(TOOL, &model, &run).with_waivers(waivers),
    )
}

/// The hazards in `s` other than the line feeds the format itself writes.
fn raw_hazards(s: &str) -> Vec<char> {
    s.chars().filter(|&c| is_hazard(c) && c != '\n').collect()
}

/// The forged summary line must never start a line of its own.
fn assert_no_forged_line(out: &str) {
    for line in out.lines() {
        assert!(
            !line.trim_start().starts_with("0 configurations"),
            "a forged line: {line:?} in\n{out}"
        );
    }
}

#[test]
fn text_shows_every_trick_escaped_on_its_own_line() {
    let out = render(&Text::default());
    assert_eq!(raw_hazards(&out), Vec::<char>::new(), "{out}");
    assert_no_forged_line(&out);
    // The name is still shown, each trick spelled out as in a Rust literal.
    let shown =
        r"x\n0 configurations, 0 resources: 0 failed\r\u{1b}[2K\u{202e}gnp.exe\u{fffe} @org/team";
    assert!(
        out.contains(&format!("aws_sagemaker_notebook_instance.{shown}")),
        "{out}"
    );
    // The quoted source line replaces raw ESC, CR, U+202E and U+FFFE byte for byte.
    assert!(
        out.contains("\"x?[2K????gnp.exe???\" {"),
        "the snippet keeps its width: {out}"
    );
    // The real summary line is the last line, and the only one.
    assert!(
        out.ends_with(
            "1 configuration, 1 resource, 3 checks: 1 failed (1 high), 1 inconclusive, 0 passed, \
             1 suppressed, 1 coverage gap\n"
        ),
        "{out}"
    );
    insta::assert_snapshot!("text", out);
}

#[test]
fn coloured_text_has_no_escape_but_its_own_colours() {
    let (model, run, waivers) = tricks();
    let report = Report::new(TOOL, &model, &run).with_waivers(waivers);
    let out = Text {
        color: true,
        explain_paths: true,
        ..Text::default()
    }
    .render(&report);
    assert_no_forged_line(&out);
    // Every ESC the report writes starts a colour (SGR) sequence: `ESC [ digits;… m`.
    for (i, _) in out.match_indices('\u{1b}') {
        let rest = &out[i + 1..];
        let end = rest.find('m').expect("an SGR sequence ends with m");
        assert!(
            rest.starts_with('[') && rest[1..end].chars().all(|c| c.is_ascii_digit() || c == ';'),
            "not a colour: {:?}",
            &rest[..end.min(12)]
        );
    }
    let others: Vec<char> = raw_hazards(&out)
        .into_iter()
        .filter(|&c| c != '\u{1b}')
        .collect();
    assert_eq!(others, Vec::<char>::new(), "{out}");
    assert!(out.contains(r"path:"), "{out}");
    assert!(
        out.contains(r"aws_security_group.x\n0 configurations"),
        "{out}"
    );
}

#[test]
fn markdown_pings_nobody_and_keeps_its_table() {
    let md = render(&Markdown);
    assert_eq!(raw_hazards(&md), Vec::<char>::new(), "{md}");
    assert_no_forged_line(&md);
    // Every `@` sits alone in a code span, which GitHub never links as a mention.
    for (i, _) in md.match_indices('@') {
        assert!(
            md[..i].ends_with('`') && md[i + 1..].starts_with('`'),
            "a live mention at {i}: {md}"
        );
    }
    assert!(md.contains("`@`org/team"), "{md}");
    // Header, rule and three findings, each with six cells.
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| ")).collect();
    assert_eq!(rows.len(), 5, "{md}");
    for row in &rows {
        assert_eq!(row.replace("\\|", "").matches('|').count(), 7, "{row}");
    }
    assert!(!md.contains("</script>"), "{md}");
    assert!(md.contains(r"\</script\>"), "{md}");
    assert!(md.contains(r"\u{202e}gnp.exe\u{fffe}"), "{md}");
    insta::assert_snapshot!("markdown", md);
}

#[test]
fn junit_is_well_formed_and_keeps_the_name() {
    let xml = render(&Junit);
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
    let names: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .filter_map(|n| n.attribute("name"))
        .collect();
    let shown = r#"aws_sagemaker_notebook_instance.x\n0 configurations, 0 resources: 0 failed\r\u{1b}[2K\u{202e}gnp.exe\u{fffe} @org/team </script> =cmd|' /C calc'!A0 "<&"#;
    assert!(names.contains(&shown), "{names:?}");
    // What a CI system reads back: no hazard in any attribute or text.
    for node in doc.descendants() {
        for a in node.attributes() {
            assert_eq!(raw_hazards(a.value()), Vec::<char>::new(), "{a:?}");
            assert!(!a.value().contains('\n'), "{a:?}");
        }
        if let Some(t) = node.text() {
            assert_eq!(raw_hazards(t), Vec::<char>::new(), "{t:?}");
            assert_no_forged_line(t);
        }
    }
    insta::assert_snapshot!("junit", xml);
}

#[test]
fn html_has_one_script_and_no_raw_hazard() {
    let html = render(&Html);
    assert_eq!(raw_hazards(&html), Vec::<char>::new());
    assert_eq!(html.matches("<script").count(), 1);
    assert_eq!(html.matches("</script>").count(), 1);
    assert!(html.contains("&lt;/script&gt;"));
    // In attributes too: the filter's data and the cells show the same escapes.
    assert!(html.contains(r"data-search="), "{html}");
    assert!(
        html.contains(r"<code>aws_sagemaker_notebook_instance.x\n0 configurations, 0 resources: 0 failed\r\u{1b}[2K\u{202e}gnp.exe\u{fffe} @org/team &lt;/script&gt; =cmd|&#39; /C calc&#39;!A0 &quot;&lt;&amp;</code>"),
        "{html}"
    );
    // Every quote inside a tag is a delimiter: attributes cannot be broken out of.
    for tag in html.split('<').skip(1) {
        let inside = tag.split('>').next().unwrap_or_default();
        assert_eq!(inside.matches('"').count() % 2, 0, "{inside}");
    }
}

/// Splits RFC 4180 CSV into records of unquoted cells.
fn parse_csv(s: &str) -> Vec<Vec<String>> {
    let (mut records, mut record, mut cell) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, s.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') if cell.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut cell)),
            (false, '\r') if chars.peek() == Some(&'\n') => {
                chars.next();
                record.push(std::mem::take(&mut cell));
                records.push(std::mem::take(&mut record));
            }
            (_, c) => cell.push(c),
        }
    }
    assert!(
        !quoted && cell.is_empty() && record.is_empty(),
        "CSV ends cleanly"
    );
    records
}

#[test]
fn csv_cells_never_start_a_formula() {
    let csv = render(&Csv);
    // The CRLF record ends are the file's own; nothing else breaks a line.
    assert_eq!(
        raw_hazards(&csv.replace("\r\n", "\n")),
        Vec::<char>::new(),
        "{csv:?}"
    );
    assert!(!csv.contains("\n0 configurations"), "{csv:?}");
    let records = parse_csv(&csv);
    assert_eq!(records.len(), 4, "header and three findings: {csv:?}");
    for r in &records {
        assert_eq!(r.len(), 14, "{r:?}");
        for cell in r {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a formula: {cell:?}"
            );
        }
    }
    let messages: Vec<&str> = records[1..].iter().map(|r| r[10].as_str()).collect();
    assert!(
        messages.contains(&r#"'=cmd|' /C calc'!A0 cannot tell RootAccess of x\n0 configurations, 0 resources: 0 failed\r\u{1b}[2K\u{202e}gnp.exe\u{fffe} @org/team </script> =cmd|' /C calc'!A0 "<&"#),
        "{messages:?}"
    );
    let configs: Vec<&str> = records[1..].iter().map(|r| r[4].as_str()).collect();
    assert!(
        configs.iter().all(|c| c.starts_with("'@org/team x")),
        "{configs:?}"
    );
    let reasons: Vec<&str> = records[1..].iter().map(|r| r[12].as_str()).collect();
    assert!(reasons.iter().any(|r| r.starts_with("'+x")), "{reasons:?}");
    insta::assert_snapshot!("csv", csv);
}

#[test]
fn json_and_sarif_keep_the_exact_name_as_data() {
    let (_, run, _) = tricks();
    let address = &run.findings[0].resource.address;
    for (format, out) in [("json", render(&Json)), ("sarif", render(&Sarif))] {
        // serde writes every control character in a string as a JSON escape; the data keep
        // the exact name (a JSON reader gets what the file said).
        assert!(
            !out.chars().any(|c| c.is_control() && c != '\n'),
            "{format}: {out}"
        );
        let value: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
        let mut found = false;
        walk(&value, &mut |s| found |= s.contains(address.as_str()));
        assert!(found, "{format} keeps the address exactly: {out}");
    }
}

fn walk(v: &serde_json::Value, f: &mut dyn FnMut(&str)) {
    match v {
        serde_json::Value::String(s) => f(s),
        serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, f)),
        serde_json::Value::Object(o) => o.values().for_each(|x| walk(x, f)),
        _ => {}
    }
}

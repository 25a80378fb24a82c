//! One self-contained HTML page: a summary, a verdict card per SageMaker workload, the
//! findings in a table that filters as you type, a diagram of each configuration's network
//! with the offending reachability paths highlighted, and the coverage gaps.
//!
//! The page fetches nothing: CSS, script and SVG are inline, and its Content-Security-Policy
//! says so (`default-src 'none'`) and admits exactly one script, by hash. That makes the
//! escaping of user text (resource names, tags, paths, messages — all of it goes through
//! [`escape`]) the first defence and the policy the second: even an unescaped `<script>`
//! would not run.
//!
//! The filter also reads the URL fragment on load (`report.html#filter=nat&severity=high`),
//! so a filtered view can be linked to, and tested by dumping the DOM in a headless browser.

use crate::graph::{self, Highlight};
use crate::{Emitter, Report, origin_label};
use base64::Engine as _;
use sagescan_checks::workload::workloads;
use sagescan_checks::{Finding, Severity, Status};
use sagescan_model::{ConfigId, Topology};
use sagescan_reach::Decision;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;

/// Emits the HTML report.
#[derive(Clone, Copy, Debug, Default)]
pub struct Html;

const STYLE: &str = r#"
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0;color:#1f2328;background:#fff}
header,main{padding:0 24px}header{border-bottom:1px solid #d0d7de}
h1{font-size:22px;margin:16px 0 4px}h2{font-size:18px;margin:28px 0 10px}
.muted{color:#59636e}.counts{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0 16px}
.count{border:1px solid #d0d7de;border-radius:6px;padding:8px 14px;min-width:90px}
.count b{display:block;font-size:22px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:12px}
.card{border:1px solid #d0d7de;border-left:6px solid #1a7f37;border-radius:6px;padding:10px 12px;overflow-wrap:anywhere}
.card.fail{border-left-color:#cf222e}.card.inconclusive{border-left-color:#bf8700}
.verdict{font-weight:600}.card ul{margin:6px 0 0;padding-left:18px}
.filters{display:flex;gap:8px;margin-bottom:8px;align-items:center}
.filters input{flex:1;max-width:420px;padding:5px 8px}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d0d7de;padding:5px 8px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f6f8fa;white-space:nowrap}.nowrap{white-space:nowrap}tr[hidden]{display:none}
.sev{font-weight:600}.sev-critical,.sev-high{color:#cf222e}.sev-medium{color:#9a6700}.sev-low{color:#59636e}
figure{margin:0 0 24px;overflow-x:auto}figcaption{margin-bottom:6px;font-weight:600}
svg.network text{font:12px system-ui,sans-serif;fill:#1f2328}svg.network text.kind{font-weight:600}
svg.network text.band-label{fill:#59636e}
"#;

/// Applies the filter from the inputs, and first from the URL fragment.
const SCRIPT: &str = r##"
(function () {
  var text = document.getElementById("filter");
  var severity = document.getElementById("severity");
  var status = document.getElementById("status");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#findings tbody tr"));
  var shown = document.getElementById("shown");
  function apply() {
    var needle = text.value.trim().toLowerCase();
    var n = 0;
    rows.forEach(function (row) {
      var ok = (!needle || row.getAttribute("data-search").indexOf(needle) >= 0) &&
        (!severity.value || row.getAttribute("data-severity") === severity.value) &&
        (!status.value || row.getAttribute("data-status") === status.value);
      row.hidden = !ok;
      if (ok) { n += 1; }
    });
    shown.textContent = n + " of " + rows.length + " shown";
  }
  var params = new URLSearchParams(location.hash.replace(/^#/, ""));
  if (params.has("filter")) { text.value = params.get("filter"); }
  if (params.has("severity")) { severity.value = params.get("severity"); }
  if (params.has("status")) { status.value = params.get("status"); }
  [text, severity, status].forEach(function (el) { el.addEventListener("input", apply); });
  apply();
})();
"##;

/// The one escaping for HTML and its inline SVG, for text and attribute values alike: the
/// five markup characters as entities (so text can close neither an element, a `<script>`
/// nor a quoted attribute), and line breaks, control characters, bidi overrides and the
/// characters XML cannot carry written visibly as `\n`, `\u{202e}`… ([`crate::escape`]),
/// so a name can neither reorder what the page shows nor break the SVG, and is still shown.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if crate::escape::is_hazard(c) => crate::escape::push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::Fail => "fail",
        Status::Inconclusive => "inconclusive",
        Status::Suppressed => "waived",
    }
}

fn config_name<'a>(report: &Report<'a>, c: ConfigId) -> &'a str {
    report
        .model
        .configs
        .get(c as usize)
        .map_or("", |c| c.name.as_str())
}

fn summary(report: &Report<'_>, h: &mut String) {
    let s = &report.summary;
    h.push_str(r#"<section id="summary"><div class="counts">"#);
    for (label, n) in [
        ("failed", s.failed),
        ("inconclusive", s.inconclusive),
        ("waived", s.suppressed),
        ("passed", s.passed),
        ("resources", s.resources),
        ("configurations", s.configurations),
        ("coverage gaps", report.gaps.len()),
    ] {
        let _ = write!(h, r#"<div class="count"><b>{n}</b>{label}</div>"#);
    }
    h.push_str("</div>");
    let by: Vec<String> = s
        .by_severity
        .nonzero()
        .iter()
        .map(|(sev, n)| format!(r#"<span class="sev sev-{sev}">{n} {sev}</span>"#))
        .collect();
    if !by.is_empty() {
        let _ = write!(h, "<p>Failed by severity: {}</p>", by.join(", "));
    }
    h.push_str("</section>\n");
}

fn workload_cards(report: &Report<'_>, h: &mut String) {
    let mut by_resource: BTreeMap<(ConfigId, &str), Vec<&Finding>> = BTreeMap::new();
    for f in report.findings {
        by_resource
            .entry((f.resource.config, f.resource.address.as_str()))
            .or_default()
            .push(f);
    }
    let list = workloads(report.model);
    if list.is_empty() {
        return;
    }
    h.push_str(r#"<section id="workloads"><h2>Workloads</h2><div class="cards">"#);
    for w in &list {
        let findings = by_resource
            .get(&(w.meta.config, w.meta.address.as_str()))
            .map_or(&[][..], Vec::as_slice);
        let (class, verdict) = if findings.iter().any(|f| f.status == Status::Fail) {
            ("fail", "findings")
        } else if findings.iter().any(|f| f.status == Status::Inconclusive) {
            ("inconclusive", "inconclusive")
        } else {
            ("pass", "no findings")
        };
        let _ = write!(
            h,
            r#"<div class="card {class}"><div class="verdict">{verdict}</div><div><code>{}</code></div><div class="muted">{} · {}</div>"#,
            escape(&w.meta.address),
            escape(&w.meta.source_type),
            escape(config_name(report, w.meta.config)),
        );
        if !findings.is_empty() {
            h.push_str("<ul>");
            for f in findings {
                let _ = write!(
                    h,
                    r#"<li><span class="sev sev-{}">{}</span> {} {}: {}</li>"#,
                    f.severity,
                    status_word(f.status),
                    f.code,
                    f.name,
                    escape(&f.message)
                );
            }
            h.push_str("</ul>");
        }
        h.push_str("</div>\n");
    }
    h.push_str("</div></section>\n");
}

fn findings_table(report: &Report<'_>, h: &mut String) {
    h.push_str(r#"<section id="findings"><h2>Findings</h2><div class="filters">"#);
    h.push_str(r#"<input id="filter" type="search" placeholder="Filter: code, resource, file, message" aria-label="Filter findings">"#);
    h.push_str(
        r#"<select id="severity" aria-label="Severity"><option value="">any severity</option>"#,
    );
    for s in Severity::ALL.iter().rev() {
        let _ = write!(h, r#"<option value="{s}">{s}</option>"#);
    }
    h.push_str("</select>");
    h.push_str(r#"<select id="status" aria-label="Status"><option value="">any status</option>"#);
    for s in ["fail", "inconclusive", "waived"] {
        let _ = write!(h, r#"<option value="{s}">{s}</option>"#);
    }
    h.push_str(r#"</select><span id="shown" class="muted"></span></div>"#);
    h.push_str("<table><thead><tr><th>Severity</th><th>Status</th><th>Check</th><th>Resource</th><th>Location</th><th>Message</th></tr></thead><tbody>\n");
    for f in report.findings {
        let at = origin_label(&f.location).unwrap_or_default();
        let waiver = f
            .suppression
            .as_ref()
            .map(|w| format!(" (waived: {})", w.reason))
            .unwrap_or_default();
        let search = format!(
            "{} {} {} {} {} {}{waiver}",
            f.code, f.name, f.resource.address, at, f.message, f.severity
        )
        .to_lowercase();
        let _ = writeln!(
            h,
            r#"<tr data-severity="{sev}" data-status="{st}" data-search="{}"><td class="sev sev-{sev} nowrap">{sev}</td><td class="nowrap">{st}</td><td><span class="nowrap">{}</span> <span class="muted">{}</span></td><td><code>{}</code></td><td>{}</td><td>{}{}</td></tr>"#,
            escape(&search),
            f.code,
            f.name,
            escape(&f.resource.address),
            escape(&at),
            escape(&f.message),
            escape(&waiver),
            sev = f.severity,
            st = status_word(f.status),
        );
    }
    h.push_str("</tbody></table></section>\n");
}

/// The highlight for a reachability finding: the workload, then each hop.
fn highlight(f: &Finding) -> Highlight {
    Highlight::of_path(
        &f.resource.address,
        &f.path,
        f.path.iter().all(|hop| hop.decision != Decision::Block),
        format!("{} {}", f.code, f.resource.address),
    )
}

fn networks(report: &Report<'_>, h: &mut String) {
    let model = report.model;
    let mut configs: Vec<ConfigId> = model.vpcs.iter().map(|v| v.meta.config).collect();
    configs.sort_unstable();
    configs.dedup();
    if configs.is_empty() {
        return;
    }
    let topology = Topology::new(model);
    let mut paths: BTreeMap<ConfigId, Vec<Highlight>> = BTreeMap::new();
    for f in report.findings {
        if f.status == Status::Fail && !f.path.is_empty() {
            paths
                .entry(f.resource.config)
                .or_default()
                .push(highlight(f));
        }
    }
    let mut svgs = graph::svgs(model, &topology, &configs, &paths);
    h.push_str(r#"<section id="networks"><h2>Networks</h2>"#);
    for c in configs {
        let highlights = paths.get(&c).map_or(&[][..], Vec::as_slice);
        let caption = if highlights.is_empty() {
            String::new()
        } else {
            let names: Vec<&str> = highlights.iter().map(|x| x.title.as_str()).collect();
            format!(" — highlighted: {}", names.join("; "))
        };
        let _ = write!(
            h,
            r#"<figure data-configuration="{}"><figcaption>{}{}</figcaption>"#,
            escape(config_name(report, c)),
            escape(config_name(report, c)),
            escape(&caption)
        );
        h.push_str(&svgs.remove(&c).unwrap_or_default());
        h.push_str("</figure>\n");
    }
    h.push_str("</section>\n");
}

fn gaps(report: &Report<'_>, h: &mut String) {
    if report.gaps.is_empty() {
        return;
    }
    h.push_str(r#"<section id="gaps"><h2>Coverage gaps (not scanned)</h2><ul>"#);
    for g in &report.gaps {
        let at = origin_label(&g.origin)
            .map(|l| format!("{l}: "))
            .unwrap_or_default();
        let _ = write!(
            h,
            "<li>{}{} <span class=\"muted\">({})</span></li>",
            escape(&at),
            escape(&g.message),
            escape(&g.kind)
        );
    }
    h.push_str("</ul></section>\n");
}

impl Emitter for Html {
    fn emit(&self, report: &Report<'_>, out: &mut dyn io::Write) -> io::Result<()> {
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(SCRIPT));
        let mut h = String::new();
        let _ = write!(
            h,
            r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{hash}'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{name} report</title><style>{STYLE}</style></head>
<body><header><h1>{name} report</h1><p class="muted">{name} {version}</p></header><main>
"#,
            name = escape(report.tool.name),
            version = escape(report.tool.version),
        );
        summary(report, &mut h);
        workload_cards(report, &mut h);
        findings_table(report, &mut h);
        networks(report, &mut h);
        gaps(report, &mut h);
        let _ = writeln!(h, "</main><script>{SCRIPT}</script></body></html>");
        out.write_all(h.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{TOOL, emit, hostile, sample};

    fn render(model: &sagescan_model::Model, run: &sagescan_checks::CheckRun) -> String {
        emit(&Html, &Report::new(TOOL, model, run))
    }

    #[test]
    fn page_matches_snapshot() {
        let (model, run) = sample();
        insta::assert_snapshot!(render(&model, &run));
    }

    #[test]
    fn user_text_is_escaped_everywhere() {
        let (model, run) = hostile();
        let html = render(&model, &run);
        // The only script element is the page's own.
        assert_eq!(html.matches("<script").count(), 1, "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<b>root</b>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("in&quot;f&amp;r&lt;a&gt;/main.tf:2:3"));
    }

    #[test]
    fn the_policy_admits_exactly_the_inline_script() {
        let (model, run) = sample();
        let html = render(&model, &run);
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(SCRIPT));
        assert!(html.contains(&format!("script-src 'sha256-{hash}'")));
        assert!(html.contains(&format!("<script>{SCRIPT}</script>")));
        assert!(html.contains("default-src 'none'"));
        // Nothing is fetched: no external URL in any attribute that loads.
        for attr in ["src=\"http", "href=\"http", "url(http", "@import"] {
            assert!(!html.contains(attr), "{attr}");
        }
    }

    #[test]
    fn one_row_per_finding_with_filter_data() {
        let (model, run) = sample();
        let html = render(&model, &run);
        assert_eq!(
            html.matches("<tr data-severity=").count(),
            run.findings.len()
        );
        assert!(html.contains(r#"<tr data-severity="high" data-status="fail" data-search="sm111 notebook-direct-internet-access aws_sagemaker_notebook_instance.nb infra/main.tf:4:3"#), "{html}");
    }
}

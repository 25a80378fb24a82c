//! A reachability answer for the terminal: the verdict, the path hop by hop with each
//! deciding rule and its source line, then every blocking control and every unknown.
//! (`--format json` serializes the [`Answer`] itself.)

use crate::text::clean;
use sagescan_model::{Model, Origin};
use sagescan_reach::{Answer, Decision, Hop, Verdict};
use std::fmt::Write as _;

/// Renders `a`; `color` adds ANSI colours (terminals only).
pub fn text(model: &Model, a: &Answer, color: bool) -> String {
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut out = String::new();
    let verdict = match a.verdict {
        Verdict::Reachable => paint("1;31", "reachable"),
        Verdict::NotReachable => paint("1;32", "not reachable"),
        Verdict::Unknown => paint("1;33", "unknown"),
    };
    let arrow = match a.direction {
        sagescan_reach::Direction::Egress => "→",
        sagescan_reach::Direction::Ingress => "←",
    };
    let _ = writeln!(
        out,
        "{} {arrow} {}: {verdict}",
        clean(&a.from),
        clean(&a.to.to_string())
    );
    if !a.admitted.is_empty() {
        let _ = writeln!(out, "\nadmitted end to end (request and reply):");
        for x in &a.admitted {
            let port = x.port.map(|p| format!("/{p}")).unwrap_or_default();
            let inspected = if x.inspected {
                ""
            } else {
                "  (no stateful firewall inspection)"
            };
            let _ = writeln!(
                out,
                "  {}{port}  {}{inspected}",
                x.protocol,
                clean(&x.application)
            );
        }
    }
    let title = match a.verdict {
        Verdict::Reachable => "path (witness)",
        _ => "path (as far as it goes)",
    };
    if !a.path.is_empty() {
        let _ = writeln!(out, "\n{title}:");
        for (i, h) in a.path.iter().enumerate() {
            hop_line(&mut out, model, i + 1, h, &paint);
        }
    }
    for (what, hops) in [
        ("blocked by", &a.blocked_by),
        ("unknown because", &a.unknown_because),
        ("asymmetric firewall path", &a.asymmetric),
    ] {
        if hops.is_empty()
            || (what == "blocked by" && a.verdict == Verdict::Reachable && hops.len() > 12)
        {
            continue;
        }
        let _ = writeln!(out, "\n{what}:");
        for (i, h) in hops.iter().enumerate() {
            hop_line(&mut out, model, i + 1, h, &paint);
        }
    }
    for n in &a.notes {
        let _ = writeln!(out, "\nnote: {}", clean(n));
    }
    out
}

/// A titled hop list, as `scan --explain-paths` prints a finding's path.
pub fn hops(model: &Model, title: &str, hops: &[Hop], color: bool) -> String {
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut out = format!("{title}\n");
    for (i, h) in hops.iter().enumerate() {
        hop_line(&mut out, model, i + 1, h, &paint);
    }
    out
}

fn hop_line(
    out: &mut String,
    model: &Model,
    n: usize,
    h: &Hop,
    paint: &dyn Fn(&str, &str) -> String,
) {
    let mark = match h.decision {
        Decision::Allow => paint("32", "✓"),
        Decision::Block => paint("31", "✗"),
        Decision::Unknown => paint("33", "?"),
    };
    let _ = writeln!(
        out,
        "  {n:>2}. {mark} {} {}: {}",
        h.kind,
        clean(&h.resource),
        clean(&h.rule)
    );
    if let Origin::File(f) = &h.origin {
        let line = model
            .source_text(&f.file)
            .and_then(|t| t.lines().nth(f.line.saturating_sub(1) as usize))
            .map(|l| clean(l.trim()))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "      {}:{}:{}  {line}",
            clean(&f.file),
            f.line,
            f.column
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sagescan_reach::{Destination, Direction};
    use std::sync::Arc;

    #[test]
    fn names_from_the_scanned_files_cannot_drive_the_terminal() {
        let hop = Hop {
            resource: Arc::from("aws_subnet.a\u{1b}[2J"),
            kind: "route_table",
            decision: Decision::Block,
            rule: Arc::from("no route\u{7}"),
            origin: Origin::None,
        };
        let answer = Answer {
            verdict: Verdict::NotReachable,
            from: "aws_sagemaker_notebook_instance.n\u{1b}]0;owned\u{7}".into(),
            to: Destination::Internet { port: None },
            direction: Direction::Egress,
            path: vec![hop.clone()],
            blocked_by: vec![hop],
            unknown_because: Vec::new(),
            admitted: Vec::new(),
            asymmetric: Vec::new(),
            return_unknown: Vec::new(),
            notes: vec!["note\u{1b}[31m".into()],
        };
        let out = text(&Model::default(), &answer, false);
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
        assert!(out.contains("aws_subnet.a\\u{1b}[2J"), "{out}");
        assert!(
            out.contains("notebook_instance.n\\u{1b}]0;owned\\u{7}"),
            "{out}"
        );
    }
}

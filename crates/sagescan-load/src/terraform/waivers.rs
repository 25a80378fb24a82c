//! Inline waivers: `# sagescan:ignore SM111,SM112 reason` (or `//`) in a comment line of
//! its own, inside a `resource` block or on the comment lines directly above its header.
//!
//! Only the loader knows where comments and blocks are, so it extracts waivers and ties
//! each to its resource's declaration; it does not judge them. A waiver without codes, a
//! reason or a resource is still recorded (with what is missing left empty) so that the
//! binary reports it as an error instead of it silently not applying.

use super::parse::ParsedFile;
use hcl_edit::Span;
use sagescan_model::Origin;
use sagescan_model::model::InlineWaiver;
use std::ops::Range;

const MARKER: &str = "sagescan:ignore";

/// A top-level `resource` block: its byte range, the line of its header and its identity.
struct Declared {
    span: Range<usize>,
    header_line_start: usize,
    address: String,
    origin: Origin,
}

/// Every inline waiver of one parsed file, in line order.
pub(crate) fn extract(file: &ParsedFile) -> Vec<InlineWaiver> {
    let Some(body) = &file.body else {
        return Vec::new();
    };
    let text = &file.source.text;
    if !text.contains(MARKER) {
        return Vec::new();
    }
    let mut blocks: Vec<Declared> = body
        .blocks()
        .filter(|b| b.ident.as_str() == "resource" && b.labels.len() == 2)
        .filter_map(|b| {
            let span = b.span()?;
            let header_line_start = text.get(..span.start)?.rfind('\n').map_or(0, |i| i + 1);
            Some(Declared {
                header_line_start,
                address: format!("{}.{}", b.labels[0].as_str(), b.labels[1].as_str()),
                origin: file.source.header_origin(b),
                span,
            })
        })
        .collect();
    blocks.sort_by_key(|b| b.span.start);

    let lines: Vec<(usize, &str)> = line_offsets(text).collect();
    let mut out = Vec::new();
    for (i, &(start, line)) in lines.iter().enumerate() {
        let Some(comment) = comment_body(line) else {
            continue;
        };
        let Some(rest) = comment.strip_prefix(MARKER) else {
            continue;
        };
        if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
            continue;
        }
        let (codes, reason) = split_codes(rest);
        let marker_at = start + (line.len() - line.trim_start().len());
        let target = inside(&blocks, start).or_else(|| above(&blocks, &lines[i + 1..]));
        out.push(InlineWaiver {
            codes,
            reason: reason.to_string(),
            origin: file.source.origin(marker_at..start + line.trim_end().len()),
            resource: target.map(|b| b.address.clone()).unwrap_or_default(),
            resource_origin: target.map(|b| b.origin.clone()).unwrap_or_default(),
        });
    }
    out
}

/// `(byte offset, line without its terminator)` for every line.
fn line_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split_inclusive('\n').map(move |raw| {
        let at = offset;
        offset += raw.len();
        (at, raw.trim_end_matches(['\n', '\r']))
    })
}

/// The text of a line that is only a `#` or `//` comment, after the marker and spaces.
fn comment_body(line: &str) -> Option<&str> {
    let t = line.trim_start();
    t.strip_prefix('#')
        .or_else(|| t.strip_prefix("//"))
        .map(str::trim)
}

/// `SM111, SM112 the reason` → (`[SM111, SM112]`, `the reason`).
fn split_codes(rest: &str) -> (Vec<String>, &str) {
    let mut codes = Vec::new();
    let mut rest = rest.trim_start();
    loop {
        let end = rest
            .find(|c: char| c.is_whitespace() || c == ',')
            .unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        codes.push(rest[..end].to_string());
        rest = rest[end..].trim_start();
        match rest.strip_prefix(',') {
            Some(more) => rest = more.trim_start(),
            None => break,
        }
    }
    (codes, rest.trim())
}

/// The resource block whose body holds the byte at `offset`.
fn inside(blocks: &[Declared], offset: usize) -> Option<&Declared> {
    let i = blocks.partition_point(|b| b.span.start <= offset);
    blocks[..i].last().filter(|b| offset < b.span.end)
}

/// The resource block whose header follows `after` with only comment lines between.
fn above<'b>(blocks: &'b [Declared], after: &[(usize, &str)]) -> Option<&'b Declared> {
    let &(start, _) = after.iter().find(|(_, l)| comment_body(l).is_none())?;
    blocks.iter().find(|b| b.header_line_start == start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::terraform::parse::parse_text;

    fn waivers(text: &str) -> Vec<InlineWaiver> {
        extract(&parse_text("main.tf".into(), text.to_string()))
    }

    fn line(o: &Origin) -> u32 {
        o.file().map_or(0, |f| f.line)
    }

    #[test]
    fn above_and_inside_a_resource_both_apply_to_it() {
        let got = waivers(
            "# network is isolated by the VPC\n\
             # sagescan:ignore SM111 lab notebook, no data\n\
             resource \"aws_sagemaker_notebook_instance\" \"lab\" {\n\
             \x20 // sagescan:ignore SM112,SM113 root needed for drivers\n\
             \x20 name = \"lab\"\n\
             }\n",
        );
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].codes, ["SM111"]);
        assert_eq!(got[0].reason, "lab notebook, no data");
        assert_eq!(got[0].resource, "aws_sagemaker_notebook_instance.lab");
        assert_eq!(
            (line(&got[0].origin), line(&got[0].resource_origin)),
            (2, 3)
        );
        assert_eq!(got[1].codes, ["SM112", "SM113"]);
        assert_eq!(got[1].reason, "root needed for drivers");
        assert_eq!(got[1].resource, "aws_sagemaker_notebook_instance.lab");
    }

    #[test]
    fn codes_may_be_spaced_and_the_reason_may_be_missing() {
        let got = waivers("resource \"a\" \"b\" {\n  # sagescan:ignore SM111 , SM112\n}\n");
        assert_eq!(got[0].codes, ["SM111", "SM112"]);
        assert_eq!(got[0].reason, "");
    }

    #[test]
    fn a_waiver_far_from_any_resource_has_no_target() {
        let got = waivers(
            "# sagescan:ignore SM111 detached\n\nresource \"a\" \"b\" {}\n\
             variable \"x\" {\n  # sagescan:ignore SM112 in a variable\n}\n",
        );
        assert_eq!(got.len(), 2);
        assert!(got.iter().all(|w| w.resource.is_empty()));
        assert_eq!(got[0].resource_origin, Origin::None);
    }

    #[test]
    fn similar_words_and_code_in_strings_are_not_waivers() {
        let got = waivers(
            "resource \"a\" \"b\" {\n  # sagescan:ignored SM111 no\n  x = \"# sagescan:ignore SM1 y\"\n}\n",
        );
        assert!(got.is_empty(), "{got:?}");
    }
}

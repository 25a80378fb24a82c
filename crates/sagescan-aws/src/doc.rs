//! Synthesized source text for live resources.
//!
//! A live resource has no file, yet findings on it should render like findings on IaC: a
//! snippet with the offending attribute underlined. As cargo-deny does for inputs that are
//! not files, the collector writes each resource's attributes, as the API returned them, as
//! a small YAML-like text named by the resource's ARN, and every value's origin is a span in
//! that text. The first line names the API call, account and region the values came from,
//! so provenance stays visible in every snippet and survives a snapshot.

use sagescan_model::{FileSpan, Origin, SourceFile};
use std::fmt::Display;
use std::sync::Arc;

pub(crate) struct Doc {
    path: Arc<str>,
    text: String,
    line: u32,
    header: Origin,
}

impl Doc {
    /// A document for the resource `arn`, read by `service:operation`.
    pub(crate) fn new(
        arn: &str,
        service: &str,
        operation: &str,
        account: &str,
        region: &str,
    ) -> Doc {
        let mut doc = Doc {
            path: arn.into(),
            text: String::new(),
            line: 0,
            header: Origin::None,
        };
        doc.header = doc.line_at(
            0,
            format_args!("# {service}:{operation} in {account}/{region}"),
        );
        doc
    }

    /// The header line: the origin of the resource itself and of the defaults applied to it.
    pub(crate) fn header(&self) -> Origin {
        self.header.clone()
    }

    /// `key: value` at `indent` levels; returns the span of the value.
    pub(crate) fn field(&mut self, indent: usize, key: &str, value: impl Display) -> Origin {
        let prefix = format!("{}{key}: ", "  ".repeat(indent));
        self.span_after(&prefix, value)
    }

    /// `key:` opening a nested block; returns the span of the key.
    pub(crate) fn block(&mut self, indent: usize, key: &str) -> Origin {
        self.line_at(indent, format_args!("{key}:"))
    }

    /// `- item` at `indent` levels; returns the span of the item.
    pub(crate) fn item(&mut self, indent: usize, value: impl Display) -> Origin {
        let prefix = format!("{}- ", "  ".repeat(indent));
        self.span_after(&prefix, value)
    }

    fn line_at(&mut self, indent: usize, text: impl Display) -> Origin {
        let prefix = "  ".repeat(indent);
        self.span_after(&prefix, text)
    }

    fn span_after(&mut self, prefix: &str, value: impl Display) -> Origin {
        self.line += 1;
        self.text.push_str(prefix);
        let start = self.text.len();
        // One line per value: a newline inside (a policy document) would break the spans.
        let value = value.to_string().replace(['\n', '\r'], " ");
        self.text.push_str(&value);
        let end = self.text.len();
        self.text.push('\n');
        Origin::File(FileSpan {
            file: self.path.clone(),
            start: start as u32,
            end: end as u32,
            line: self.line,
            column: prefix.len() as u32 + 1,
        })
    }

    pub(crate) fn finish(self) -> SourceFile {
        SourceFile {
            path: self.path.to_string(),
            text: self.text,
        }
    }
}

/// `[a, b]`, the flow style of a list.
pub(crate) fn list<T: Display>(items: &[T]) -> String {
    let parts: Vec<String> = items.iter().map(ToString::to_string).collect();
    format!("[{}]", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_point_at_the_values() {
        let mut d = Doc::new(
            "arn:aws:sagemaker:eu-west-1:1:notebook-instance/nb",
            "sagemaker",
            "DescribeNotebookInstance",
            "1",
            "eu-west-1",
        );
        d.field(0, "NotebookInstanceName", "nb");
        d.block(0, "Tags");
        let at = d.field(1, "DirectInternetAccess", "Enabled");
        let file = d.finish();
        let Origin::File(span) = at else {
            panic!("a file span")
        };
        assert_eq!(
            &file.text[span.start as usize..span.end as usize],
            "Enabled"
        );
        assert_eq!((span.line, span.column), (4, 25));
        assert!(file.text.starts_with(
            "# sagemaker:DescribeNotebookInstance in 1/eu-west-1\nNotebookInstanceName: nb\n"
        ));
    }
}

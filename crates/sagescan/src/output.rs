//! `scan -o FORMAT[:FILE]`: which reports one run writes, and where.
//!
//! Every report is rendered from the same [`Report`], so one scan can write SARIF for code
//! scanning, JUnit for the CI's test tab and HTML for people at once. A report without a
//! file goes to stdout; at most one may, since two formats interleaved are neither. When no
//! `-o` names stdout, stdout gets `--format` (text by default), as before `-o` existed.

use crate::cli::Format;
use anyhow::{Context as _, Result, bail};
use sagescan_report::{Csv, Emitter, Html, Json, Junit, Markdown, Report, Sarif, Text};
use std::path::PathBuf;

/// A report format `-o` accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    Text,
    Json,
    Sarif,
    Junit,
    Html,
    Csv,
    Markdown,
}

impl ReportFormat {
    const ALL: [(&'static str, ReportFormat); 7] = [
        ("text", ReportFormat::Text),
        ("json", ReportFormat::Json),
        ("sarif", ReportFormat::Sarif),
        ("junit", ReportFormat::Junit),
        ("html", ReportFormat::Html),
        ("csv", ReportFormat::Csv),
        ("markdown", ReportFormat::Markdown),
    ];
}

/// One `-o` argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    pub format: ReportFormat,
    /// `None`: stdout.
    pub file: Option<PathBuf>,
}

/// Parses `FORMAT` or `FORMAT:FILE` (the file may itself contain `:`).
pub fn parse(s: &str) -> Result<Output, String> {
    let (name, file) = match s.split_once(':') {
        Some((name, file)) => (name, Some(file)),
        None => (s, None),
    };
    let format = ReportFormat::ALL
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|&(_, f)| f)
        .ok_or_else(|| {
            let names: Vec<&str> = ReportFormat::ALL.iter().map(|(n, _)| *n).collect();
            format!(
                "unknown report format `{name}`; expected one of {}",
                names.join(", ")
            )
        })?;
    match file {
        Some("") => Err(format!("`{s}`: the file name after `:` is empty")),
        file => Ok(Output {
            format,
            file: file.map(PathBuf::from),
        }),
    }
}

/// Rejects what no scan could satisfy (two reports for stdout), before scanning.
pub fn check(outputs: &[Output]) -> Result<()> {
    if outputs.iter().filter(|o| o.file.is_none()).count() > 1 {
        bail!("more than one -o report goes to stdout; give all but one a file (`-o FORMAT:FILE`)");
    }
    Ok(())
}

/// How the text report looks on stdout (colour only on a terminal).
pub struct TextStyle {
    pub color: bool,
    pub explain_paths: bool,
}

/// Renders every requested report; returns the bytes for stdout after writing the files.
pub fn write(
    report: &Report<'_>,
    outputs: &[Output],
    format: Format,
    style: TextStyle,
) -> Result<Vec<u8>> {
    check(outputs)?;
    let to_stdout = outputs.iter().find(|o| o.file.is_none());
    let stdout_format = to_stdout.map_or(
        match format {
            Format::Text => ReportFormat::Text,
            Format::Json => ReportFormat::Json,
        },
        |o| o.format,
    );
    // The reports are independent renderings of one immutable report: render them side by
    // side (the HTML and SARIF of a large scan take longest), the stdout one on this thread.
    std::thread::scope(|scope| {
        let files: Vec<_> = outputs
            .iter()
            .filter_map(|o| o.file.as_ref().map(|path| (o.format, path)))
            .map(|(format, path)| {
                let style = &style;
                scope.spawn(move || {
                    let mut bytes = Vec::new();
                    render(report, format, style, false, &mut bytes)?;
                    sagescan_fs::write_atomic(path, &bytes).map_err(anyhow::Error::from)
                })
            })
            .collect();
        let mut stdout = Vec::new();
        render(report, stdout_format, &style, style.color, &mut stdout)?;
        for handle in files {
            handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        }
        Ok(stdout)
    })
}

fn render(
    report: &Report<'_>,
    format: ReportFormat,
    style: &TextStyle,
    color: bool,
    out: &mut Vec<u8>,
) -> Result<()> {
    match format {
        ReportFormat::Text => Text {
            color,
            explain_paths: style.explain_paths,
            ..Text::default()
        }
        .emit(report, out),
        ReportFormat::Json => Json.emit(report, out),
        ReportFormat::Sarif => Sarif.emit(report, out),
        ReportFormat::Junit => Junit.emit(report, out),
        ReportFormat::Html => Html.emit(report, out),
        ReportFormat::Csv => Csv.emit(report, out),
        ReportFormat::Markdown => Markdown.emit(report, out),
    }
    .context("rendering the report")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_and_optional_file() {
        assert_eq!(
            parse("sarif:out/a.sarif"),
            Ok(Output {
                format: ReportFormat::Sarif,
                file: Some("out/a.sarif".into())
            })
        );
        assert_eq!(
            parse("HTML"),
            Ok(Output {
                format: ReportFormat::Html,
                file: None
            })
        );
        assert_eq!(
            parse("csv:C:/r.csv").map(|o| o.file),
            Ok(Some("C:/r.csv".into()))
        );
        assert!(parse("pdf:x").is_err_and(|e| e.contains("expected one of text, json, sarif")));
        assert!(parse("json:").is_err());
    }
}

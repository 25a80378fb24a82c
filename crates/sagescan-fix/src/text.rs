//! Line arithmetic on source text, shared by the Terraform and CloudFormation appliers.

/// The offset of the start of the line holding `pos`.
pub(crate) fn line_start(text: &str, pos: usize) -> usize {
    text[..pos].rfind('\n').map_or(0, |i| i + 1)
}

/// The 0-based line number of `pos`.
pub(crate) fn line_of(text: &str, pos: usize) -> usize {
    text[..pos].bytes().filter(|&b| b == b'\n').count()
}

/// The whitespace from the start of `pos`'s line up to `pos`, or up to the first
/// non-blank character when something precedes `pos` on its line.
pub(crate) fn indent_at(text: &str, pos: usize) -> &str {
    let start = line_start(text, pos);
    let line = &text[start..pos];
    let blank = line.len() - line.trim_start().len();
    &line[..blank]
}

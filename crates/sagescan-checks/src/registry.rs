//! The static registry: every check, sorted by code. Adding a check is one line here.

use crate::check::Check;
use crate::sagemaker;

pub static CHECKS: &[&Check] = &[
    &sagemaker::notebook_direct_internet_access::CHECK,
];

/// Looks a check up by code (case-insensitive) or by name.
pub fn find(code_or_name: &str) -> Option<&'static Check> {
    CHECKS
        .iter()
        .copied()
        .find(|c| c.code.eq_ignore_ascii_case(code_or_name) || c.name == code_or_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_sorted() {
        for pair in CHECKS.windows(2) {
            assert!(pair[0].code < pair[1].code, "{} must sort before {}", pair[0].code, pair[1].code);
        }
    }

    #[test]
    fn names_are_kebab_case_hazards() {
        for c in CHECKS {
            assert!(
                c.name.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-'),
                "{}: {}",
                c.code,
                c.name
            );
            assert!(!c.name.starts_with("ensure"), "{}: name the hazard, not the wish", c.code);
        }
    }

    #[test]
    fn every_page_has_the_fixed_headings() {
        const HEADINGS: &[&str] = &[
            "## What it checks",
            "## Why it matters",
            "## Example",
            "## Use instead",
            "## Remediation",
            "## References",
        ];
        for c in CHECKS {
            let page = c.page();
            let mut at = 0;
            for h in HEADINGS {
                let found = page[at..].find(h).unwrap_or_else(|| panic!("{}: missing or misplaced {h}", c.code));
                at += found + h.len();
            }
            for sub in ["Console", "CLI", "Terraform", "CloudFormation"] {
                assert!(page.contains(sub), "{}: remediation lacks {sub}", c.code);
            }
        }
    }
}

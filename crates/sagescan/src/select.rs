//! Turns `--checks` / `--skip-checks` lists and `explain` arguments into registry entries.
//!
//! A token is a code (`SM111`, any case), a name (`notebook-direct-internet-access`) or a
//! code prefix (`SM1`, `VPCE`). A token that matches nothing is an error naming it, with a
//! suggestion when a code or name is close: a typo must never quietly run fewer checks.

use anyhow::{Result, anyhow, bail};
use sagescan_checks::{CHECKS, Check, find};

/// The checks to run, in registry (code) order.
pub fn select(only: &[String], skip: &[String]) -> Result<Vec<&'static Check>> {
    let only = matching_all(only)?;
    let skip = matching_all(skip)?;
    let selected: Vec<&'static Check> = CHECKS
        .iter()
        .copied()
        .filter(|c| only.is_empty() || only.iter().any(|o| o.code == c.code))
        .filter(|c| !skip.iter().any(|s| s.code == c.code))
        .collect();
    if selected.is_empty() {
        bail!("no checks selected: --skip-checks removes every check --checks selected");
    }
    Ok(selected)
}

/// Looks up one check for `explain`.
pub fn lookup(code: &str) -> Result<&'static Check> {
    find(code.trim()).ok_or_else(|| unknown(code.trim()))
}

fn matching_all(tokens: &[String]) -> Result<Vec<&'static Check>> {
    let mut out = Vec::new();
    for token in tokens.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        out.extend(matching(token)?);
    }
    Ok(out)
}

fn matching(token: &str) -> Result<Vec<&'static Check>> {
    if let Some(check) = find(token) {
        return Ok(vec![check]);
    }
    let prefix = token.to_ascii_uppercase();
    let by_prefix: Vec<_> = CHECKS
        .iter()
        .copied()
        .filter(|c| c.code.starts_with(&prefix))
        .collect();
    if by_prefix.is_empty() {
        Err(unknown(token))
    } else {
        Ok(by_prefix)
    }
}

fn unknown(token: &str) -> anyhow::Error {
    match suggestion(token) {
        Some(s) => anyhow!("unknown check `{token}`; did you mean `{s}`?"),
        None => anyhow!("unknown check `{token}`; `sagescan checks` lists them"),
    }
}

/// The closest code or name, if it is close enough to be a plausible typo.
fn suggestion(token: &str) -> Option<&'static str> {
    let token = token.to_ascii_lowercase();
    CHECKS
        .iter()
        .flat_map(|c| [c.code, c.name])
        .map(|candidate| {
            (
                strsim::levenshtein(&token, &candidate.to_ascii_lowercase()),
                candidate,
            )
        })
        .filter(|&(distance, candidate)| distance <= (candidate.len() / 3).max(1))
        .min()
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(checks: &[&Check]) -> Vec<&'static str> {
        checks.iter().map(|c| c.code).collect()
    }

    #[test]
    fn empty_lists_select_every_check() {
        assert_eq!(select(&[], &[]).unwrap().len(), CHECKS.len());
    }

    #[test]
    fn codes_names_and_prefixes_select() {
        let first = CHECKS[0];
        let by_code = select(&[first.code.to_ascii_lowercase()], &[]).unwrap();
        assert_eq!(codes(&by_code), [first.code]);
        let by_name = select(&[first.name.to_string()], &[]).unwrap();
        assert_eq!(codes(&by_name), [first.code]);
        let prefix = &first.code[..2];
        let by_prefix = select(&[prefix.to_string()], &[]).unwrap();
        assert!(by_prefix.iter().all(|c| c.code.starts_with(prefix)));
        assert!(by_prefix.iter().any(|c| c.code == first.code));
    }

    #[test]
    fn skipping_removes_from_the_selection() {
        let first = CHECKS[0];
        let rest = select(&[], &[first.code.to_string()]).unwrap();
        assert_eq!(rest.len(), CHECKS.len() - 1);
        assert!(rest.iter().all(|c| c.code != first.code));
    }

    #[test]
    fn unknown_code_is_an_error_naming_it() {
        let err = select(&["XYZ999".into()], &[]).unwrap_err().to_string();
        assert!(err.contains("`XYZ999`"), "{err}");
    }

    #[test]
    fn typo_gets_a_suggestion() {
        let first = CHECKS[0];
        let mut typo = first.code.to_string();
        typo.pop();
        typo.push('9');
        let err = lookup(&typo).unwrap_err().to_string();
        // Another real code may be just as close; the suggestion must be a real one.
        assert!(err.contains("did you mean `"), "{err}");
    }
}

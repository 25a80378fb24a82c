//! Macros: the template-level `Transform` section and `Fn::Transform`, which CloudFormation
//! runs at deployment and sagescan does not.
//!
//! A macro receives part of the template and returns whatever it likes, so nothing written
//! in its scope can be trusted as deployed: a template-level `Transform` covers the whole
//! template (and what it passes to its nested stacks), and `Fn::Transform` (`AWS::Include`
//! and custom macros) the object it is written in. Each one is a coverage gap (a macro may
//! add resources), and the values in its scope are Unknown naming it, so a check that reads
//! them is inconclusive rather than passing on text that may never be deployed.
//!
//! One transform is well known and narrow: `AWS::LanguageExtensions` only expands
//! `Fn::ForEach`, `Fn::Length`, `Fn::ToJsonString` and a few relaxations of where intrinsic
//! functions may appear. sagescan does not evaluate those functions (they read as Unknown),
//! so under it the template is read as written, and each `Fn::ForEach` loop is a gap of its
//! own (its resources are not read). `AWS::Serverless-2016-10-31` (SAM) is treated like any
//! macro: sagescan does not model SAM's resources, so it cannot say what SAM adds.
//! (Sources: "Template macros", "AWS::Include transform" and "AWS::LanguageExtensions
//! transform", AWS CloudFormation User Guide.)

use super::tree::{Kind, MAX_DEPTH, Node, Span};

/// The transform whose effect sagescan knows and keeps bounded (see the module doc).
pub(crate) const LANGUAGE_EXTENSIONS: &str = "AWS::LanguageExtensions";

/// The key that starts a `Fn::ForEach` loop in `Resources`, `Outputs` or `Conditions`.
pub(crate) const FOR_EACH: &str = "Fn::ForEach::";

/// One macro named by the template-level `Transform` section, and where it is named.
#[derive(Debug)]
pub(crate) struct Declared {
    pub name: String,
    pub span: Span,
}

/// The macros of the template-level `Transform`: a name, a list of names, or the
/// `{Name, Parameters}` form (`AWS::Include` at the top of a template), alone or in a list.
/// A value of another shape is still a macro, one whose name cannot be read.
pub(crate) fn declared(root: &Node) -> Vec<Declared> {
    let Some(section) = root.get("Transform") else {
        return Vec::new();
    };
    let one = |n: &Node| Declared {
        name: name_of(n),
        span: n.span,
    };
    match &section.kind {
        Kind::Seq(items) => items.iter().map(one).collect(),
        _ => vec![one(section)],
    }
}

/// A macro's name: the string itself, or the `Name` of an object.
fn name_of(node: &Node) -> String {
    match &node.kind {
        Kind::Str(s) => s.clone(),
        Kind::Map(_) => match node.get("Name").and_then(Node::as_str) {
            Some(name) => name.to_owned(),
            None => "(a macro whose Name is not a string)".into(),
        },
        _ => "(a macro whose name is not a string)".into(),
    }
}

/// The macro of the `Fn::Transform` written directly in `node`, if `node` is an object that
/// has one: that object is what the macro rewrites.
pub(crate) fn in_object(node: &Node) -> Option<String> {
    node.entry("Fn::Transform").map(|e| name_of(&e.value))
}

/// The reason a value in the scope of macro `name` is unknown.
pub(crate) fn rewritten_by(name: &str, scope: &str) -> String {
    format!("{scope} is rewritten at deployment by the macro {name}, which sagescan does not run")
}

/// Every `Fn::Transform` of the tree (its macro and the key's span), depth-bounded like the
/// readers, in document order.
pub(crate) fn every_fn_transform(node: &Node) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    walk(node, &mut out, 0);
    out
}

fn walk(node: &Node, out: &mut Vec<(String, Span)>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match &node.kind {
        Kind::Seq(items) => items.iter().for_each(|i| walk(i, out, depth + 1)),
        Kind::Map(entries) => {
            for e in entries {
                if e.key == "Fn::Transform" {
                    out.push((name_of(&e.value), e.key_span));
                } else {
                    walk(&e.value, out, depth + 1);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::yaml;
    use super::*;

    fn names(doc: &str) -> Vec<String> {
        declared(&yaml::parse(doc).unwrap().root)
            .into_iter()
            .map(|d| d.name)
            .collect()
    }

    #[test]
    fn every_form_of_the_transform_section_names_its_macros() {
        assert_eq!(names("Transform: A::B\n"), ["A::B"]);
        assert_eq!(names("Transform: [A::B, C::D]\n"), ["A::B", "C::D"]);
        assert_eq!(
            names("Transform: {Name: AWS::Include, Parameters: {Location: s3://b/k}}\n"),
            ["AWS::Include"]
        );
        assert_eq!(
            names("Transform: [X, {Name: AWS::Include}]\n"),
            ["X", "AWS::Include"]
        );
        assert_eq!(names("Transform: 3\n").len(), 1);
        assert!(names("Resources: {}\n").is_empty());
    }

    #[test]
    fn fn_transform_is_found_at_any_depth_and_not_inside_itself() {
        let doc = "A:\n  Fn::Transform: {Name: M1}\n  B:\n    - C: {Fn::Transform: {Name: M2, Parameters: {Fn::Transform: x}}}\nD: !Transform {Name: M3}\n";
        let found: Vec<(String, u32)> = every_fn_transform(&yaml::parse(doc).unwrap().root)
            .into_iter()
            .map(|(n, s)| (n, s.line))
            .collect();
        assert_eq!(
            found,
            [("M1".into(), 2), ("M2".into(), 4), ("M3".into(), 5)]
        );
    }
}

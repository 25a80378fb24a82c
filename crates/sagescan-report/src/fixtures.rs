//! A hand-built model and check run for the emitters' tests, independent of the loader and
//! the catalogue so that a change there cannot silently change what these tests assert.

use sagescan_checks::{
    CheckRun, Date, Finding, ResourceRef, Severity, Status, Suppression, WaiverNotice, WaiverReport,
};
use sagescan_model::{CoverageGap, FileSpan, Model, Origin, SourceFile};

/// The tool the emitters' tests report as.
pub const TOOL: crate::Tool<'static> = crate::Tool {
    name: "sagescan",
    version: "0.0.0-test",
};

/// What `emitter` writes for `report`, as text.
pub fn emit(emitter: &dyn crate::Emitter, report: &crate::Report<'_>) -> String {
    let mut out = Vec::new();
    emitter.emit(report, &mut out).expect("writing to a Vec");
    String::from_utf8(out).expect("reports are UTF-8")
}

pub const MAIN_TF: &str = r#"resource "aws_sagemaker_notebook_instance" "nb" {
  name                   = "research"
  instance_type          = "ml.t3.medium"
  direct_internet_access = "Enabled"
}

resource "aws_sagemaker_endpoint_configuration" "ec" {
  name = "serve"
  production_variant {
    variant_name           = "main"
    initial_instance_count = var.count
  }
}
"#;

/// The span of the first occurrence of `needle` in [`MAIN_TF`], with its line and column.
pub fn span_of(needle: &str) -> Origin {
    let start = MAIN_TF.find(needle).expect("needle in MAIN_TF");
    let before = &MAIN_TF[..start];
    let line = before.matches('\n').count() as u32 + 1;
    let column = (start - before.rfind('\n').map_or(0, |i| i + 1)) as u32 + 1;
    Origin::File(FileSpan {
        file: "infra/main.tf".into(),
        start: start as u32,
        end: (start + needle.len()) as u32,
        line,
        column,
    })
}

fn resource(kind: &'static str, address: &str, source_type: &str) -> ResourceRef {
    ResourceRef {
        kind,
        address: address.into(),
        source_type: source_type.into(),
        config: 0,
    }
}

/// `id` is the check's (code, name, severity); `resource` the resource and its declaration.
fn finding(
    id: (&'static str, &'static str, Severity),
    status: Status,
    resource: (&ResourceRef, &Origin),
    location: Origin,
    message: &str,
) -> Finding {
    let (code, name, severity) = id;
    Finding {
        code,
        name,
        severity,
        status,
        resource: resource.0.clone(),
        resource_origin: resource.1.clone(),
        location,
        message: message.into(),
        remediation: "Do the right thing",
        suppression: None,
        // The engine marks exactly the findings about a configuration it could not read whole.
        incomplete: resource.0.kind == "configuration",
        path: Vec::new(),
        fix: None,
    }
}

/// Two resources with findings, one finding in a file whose text was not kept, and a
/// parse error in a second configuration.
pub fn sample() -> (Model, CheckRun) {
    let mut model = Model::default();
    model.add_config("infra", "terraform");
    model.add_config("broken", "terraform");
    model.sources.push(SourceFile {
        path: "infra/main.tf".into(),
        text: MAIN_TF.into(),
    });
    model.gaps.push(CoverageGap {
        config: Some(1),
        kind: "parse-error".into(),
        message: "expected `=`".into(),
        origin: Origin::File(FileSpan {
            file: "broken/main.tf".into(),
            start: 30,
            end: 31,
            line: 3,
            column: 5,
        }),
    });
    model.finish();

    let nb = resource(
        "sagemaker_notebook_instance",
        "aws_sagemaker_notebook_instance.nb",
        "aws_sagemaker_notebook_instance",
    );
    let nb_origin = span_of(&MAIN_TF[..MAIN_TF.find("}\n").expect("block end") + 1]);
    let ec = resource(
        "sagemaker_endpoint_config",
        "aws_sagemaker_endpoint_configuration.ec",
        "aws_sagemaker_endpoint_configuration",
    );
    let ec_origin = span_of("resource \"aws_sagemaker_endpoint_configuration\"");
    let mut unkept = match span_of("name") {
        Origin::File(f) => f,
        _ => unreachable!("span_of returns a file origin"),
    };
    unkept.file = "infra/generated.tf".into();

    let broken = ResourceRef {
        kind: "configuration",
        address: "broken".into(),
        source_type: "terraform".into(),
        config: 1,
    };
    let gap_origin = model.gaps[0].origin.clone();

    // Sorted as the engine sorts: by file, line, column.
    let findings = vec![
        finding(
            ("SM101", "domain-public-internet-access", Severity::High),
            Status::Inconclusive,
            (&broken, &gap_origin),
            gap_origin.clone(),
            "nothing to check was found, but the configuration is incomplete",
        ),
        finding(
            ("SM132", "endpoint-config-kms-missing", Severity::Medium),
            Status::Fail,
            (&ec, &ec_origin),
            Origin::File(unkept),
            "endpoint configuration has no \"KmsKeyId\"\n\tsecond line\u{1b}[31m \u{7}",
        ),
        finding(
            ("SM113", "notebook-root-access", Severity::High),
            Status::Fail,
            (&nb, &nb_origin),
            // A defaulted value points at the whole resource block.
            nb_origin.clone(),
            "notebook instance allows root access (RootAccess is not set; AWS default applies)",
        ),
        finding(
            ("SM111", "notebook-direct-internet-access", Severity::High),
            Status::Fail,
            (&nb, &nb_origin),
            span_of("direct_internet_access = \"Enabled\""),
            "notebook instance has direct internet access Enabled",
        ),
        finding(
            ("SM131", "endpoint-single-instance", Severity::Medium),
            Status::Inconclusive,
            (&ec, &ec_origin),
            span_of("initial_instance_count = var.count"),
            "cannot tell InitialInstanceCount: var.count has no value",
        ),
    ];
    let run = CheckRun {
        failed: 3,
        inconclusive: 2,
        passed: 7,
        checks_run: 5,
        resources: 2,
        findings,
    };
    (model, run)
}

/// [`sample`] after a config waiver suppressed SM111, with one expired and one unused waiver.
pub fn waived() -> (Model, CheckRun, WaiverReport) {
    let (model, mut run) = sample();
    let config = |line: u32| {
        Origin::File(FileSpan {
            file: "sagescan.toml".into(),
            start: line * 10,
            end: line * 10 + 1,
            line,
            column: 1,
        })
    };
    let sm111 = run
        .findings
        .iter_mut()
        .find(|f| f.code == "SM111")
        .expect("SM111 in the sample");
    sm111.status = Status::Suppressed;
    sm111.suppression = Some(Suppression {
        reason: "lab notebook, \"no data\"".into(),
        source: config(12),
        expires: Some("2030-01-31".into()),
    });
    run.failed -= 1;
    let notice = |code: &str, line: u32, expires: Option<&str>| WaiverNotice {
        code: code.into(),
        resource: "aws_sagemaker_notebook_instance.*".into(),
        reason: "migration pending".into(),
        source: config(line),
        expires: expires.and_then(Date::parse),
    };
    let waivers = WaiverReport {
        expired: vec![notice("SM113", 20, Some("2024-12-31"))],
        unused: vec![notice("SM115", 26, None)],
    };
    (model, run, waivers)
}

/// A hostile input for every format's escaping: a resource named like a script tag, a file
/// path with `"&<>`, a message that a spreadsheet would run as a formula and that carries
/// Markdown table pipes, and a reachability path whose hops point into that file.
pub fn hostile() -> (Model, CheckRun) {
    const FILE: &str = "in\"f&r<a>/main.tf";
    const ADDRESS: &str = "aws_sagemaker_notebook_instance.<script>alert(1)</script>";
    let text = "resource \"aws_sagemaker_notebook_instance\" \"x\" {\n  direct_internet_access = \"Enabled\"\n}\n";
    let mut model = Model::default();
    model.add_config("<b>root</b>", "terraform");
    model.sources.push(SourceFile {
        path: FILE.into(),
        text: text.into(),
    });
    model.finish();
    let at = |line: u32, start: u32| {
        Origin::File(FileSpan {
            file: FILE.into(),
            start,
            end: start + 5,
            line,
            column: 3,
        })
    };
    let nb = resource(
        "sagemaker_notebook_instance",
        ADDRESS,
        "aws_sagemaker_notebook_instance",
    );
    let mut reach = finding(
        (
            "NET101",
            "workload-internet-egress-uninspected",
            Severity::High,
        ),
        Status::Fail,
        (&nb, &at(1, 0)),
        at(2, 50),
        "=cmd|' /C calc'!A0 reaches the internet | through <igw> & \"nat\"",
    );
    reach.path = vec![
        sagescan_reach::Hop {
            resource: "aws_security_group.<img src=x onerror=alert(2)>".into(),
            kind: "security_group",
            decision: sagescan_reach::Decision::Allow,
            rule: "egress 0.0.0.0/0 \"all\" <any>".into(),
            origin: at(2, 50),
        },
        sagescan_reach::Hop {
            resource: "internet".into(),
            kind: "internet",
            decision: sagescan_reach::Decision::Allow,
            rule: "default route".into(),
            origin: Origin::None,
        },
    ];
    let unsure = finding(
        ("SM113", "notebook-root-access", Severity::High),
        Status::Inconclusive,
        (&nb, &at(1, 0)),
        at(1, 0),
        "+SUM(1,2) @x -y\tcannot tell RootAccess | unknown",
    );
    let run = CheckRun {
        failed: 1,
        inconclusive: 1,
        passed: 0,
        checks_run: 2,
        resources: 1,
        findings: vec![reach, unsure],
    };
    (model, run)
}

/// The source of the file [`tricks`] reads: its one resource label carries raw ESC, a lone
/// CR, U+202E and U+FFFE, which a snippet quoted under a finding must not pass on.
pub const TRICKS_TF: &str = "resource \"aws_sagemaker_notebook_instance\" \"x\u{1b}[2K\r\u{202e}gnp.exe\u{fffe}\" {\n  direct_internet_access = \"Enabled\"\n}\n";

/// [`crate::escape::HOSTILE`] (a line feed forging a summary line, CR, ESC, U+202E,
/// U+FFFE, `@org/team`, `</script>`, a spreadsheet formula, `"`, `<`, `&`) in every place
/// user text reaches a report: the configuration name, the file's directory, the resource
/// address, the messages, a gap, a waiver's reason and a notice, a path hop; one failed,
/// one inconclusive (whose message starts with a formula) and one waived finding.
pub fn tricks() -> (Model, CheckRun, WaiverReport) {
    let h = crate::escape::HOSTILE;
    let file = format!("{h}/main.tf");
    let mut model = Model::default();
    model.add_config(format!("@org/team {h}"), "terraform");
    model.sources.push(SourceFile {
        path: file.clone(),
        text: TRICKS_TF.into(),
    });
    let at = |needle: &str| {
        let start = TRICKS_TF.find(needle).expect("needle in TRICKS_TF");
        let before = &TRICKS_TF[..start];
        let line = before.matches('\n').count() as u32 + 1;
        Origin::File(FileSpan {
            file: file.as_str().into(),
            start: start as u32,
            end: (start + needle.len()) as u32,
            line,
            column: (start - before.rfind('\n').map_or(0, |i| i + 1)) as u32 + 1,
        })
    };
    model.gaps.push(CoverageGap {
        config: Some(0),
        kind: format!("parse-error {h}"),
        message: format!("cannot read {h}"),
        origin: at("}"),
    });
    model.finish();
    let nb = resource(
        "sagemaker_notebook_instance",
        &format!("aws_sagemaker_notebook_instance.{h}"),
        "aws_sagemaker_notebook_instance",
    );
    let declared = at("resource");
    let mut open = finding(
        ("SM111", "notebook-direct-internet-access", Severity::High),
        Status::Fail,
        (&nb, &declared),
        at("direct_internet_access = \"Enabled\""),
        &format!("{h} has direct internet access Enabled"),
    );
    open.path = vec![sagescan_reach::Hop {
        resource: format!("aws_security_group.{h}").into(),
        kind: "security_group",
        decision: sagescan_reach::Decision::Allow,
        rule: format!("egress {h}").into(),
        origin: at("direct_internet_access"),
    }];
    let unsure = finding(
        ("SM113", "notebook-root-access", Severity::High),
        Status::Inconclusive,
        (&nb, &declared),
        at("\"x"),
        &format!("=cmd|' /C calc'!A0 cannot tell RootAccess of {h}"),
    );
    let mut waived = finding(
        ("SM115", "notebook-kms-missing", Severity::Medium),
        Status::Suppressed,
        (&nb, &declared),
        declared.clone(),
        &format!("{h} has no KMS key"),
    );
    let config = Origin::File(FileSpan {
        file: "sagescan.toml".into(),
        start: 0,
        end: 1,
        line: 3,
        column: 1,
    });
    waived.suppression = Some(Suppression {
        reason: format!("+{h}"),
        source: config.clone(),
        expires: None,
    });
    let waivers = WaiverReport {
        expired: vec![WaiverNotice {
            code: "SM111".into(),
            resource: format!("aws_sagemaker_notebook_instance.{h}"),
            reason: format!("-{h}"),
            source: config,
            expires: Date::parse("2024-12-31"),
        }],
        unused: Vec::new(),
    };
    let run = CheckRun {
        failed: 1,
        inconclusive: 1,
        passed: 0,
        checks_run: 3,
        resources: 1,
        findings: vec![waived, unsure, open],
    };
    (model, run, waivers)
}

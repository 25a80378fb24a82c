//! What a scan reads from a hostile tree, end to end (issue 17): a `.gitignore` added by a
//! pull request cannot hide committed files, a link cannot pull a file from elsewhere on
//! the runner into the report, a link into `/proc` cannot hang the scan, and a plan
//! written with a byte order mark is judged. Each tree is built in a temporary directory;
//! the git repositories with the git binary (sagescan itself never runs git).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const NOTEBOOK: &str = r#"resource "aws_sagemaker_notebook_instance" "nb" {
  name                   = "nb"
  role_arn               = "arn:aws:iam::123456789012:role/x"
  instance_type          = "ml.t3.medium"
  direct_internet_access = "Enabled"
}
"#;

const VPC: &str = "resource \"aws_vpc\" \"v\" {\n  cidr_block = \"10.0.0.0/16\"\n}\n";

fn write(root: &Path, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, bytes).unwrap();
    path
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
        .args(args)
        .status()
        .expect("the tests need the git binary");
    assert!(status.success(), "git {args:?}");
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// A scan still running after this is killed and fails the test (the bound on r11's
/// hang); nothing asserts how fast a scan is.
const HANG: Duration = Duration::from_secs(120);

fn scan(dir: &Path, args: &[&str]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sagescan"))
        .env("SAGESCAN_STORE", "")
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .args(["scan"])
        .args(args)
        .args(["--no-store"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the sagescan binary runs");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            pipe.read_to_string(&mut s).unwrap();
            s
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > HANG {
            let _ = child.kill();
            panic!("sagescan {args:?} in {} hung", dir.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.code().expect("exited"),
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

/// r08: the PR adds `infra/.gitignore` with `*.tf` over the committed `infra/main.tf`.
#[test]
fn a_gitignore_in_a_pull_request_does_not_hide_committed_terraform() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    write(repo, "infra/main.tf", NOTEBOOK);
    git(repo, &["init", "-q"]);
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-qm", "base"]);
    write(repo, "infra/.gitignore", "*.tf\n");
    git(repo, &["add", "infra/.gitignore"]);
    git(repo, &["commit", "-qm", "PR"]);
    let run = scan(repo, &[".", "--strict"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("SM111 notebook-direct-internet-access (high, fail)"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("infra/main.tf:5:3"), "{}", run.stdout);
    assert!(!run.stdout.contains("coverage gap"), "{}", run.stdout);
    // Next to another file, the same.
    write(repo, "other.tf", VPC);
    let run = scan(repo, &[".", "--strict"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("SM111"), "{}", run.stdout);
}

/// r08 outside a work tree: the same files as a plain copy. What the rule hides cannot be
/// told committed or not, so it is a gap, and `--strict` fails the scan.
#[test]
fn outside_a_work_tree_an_ignored_file_is_a_named_gap() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "infra/main.tf", NOTEBOOK);
    write(dir.path(), "infra/.gitignore", "*.tf\n");
    write(dir.path(), "other.tf", VPC);
    let run = scan(dir.path(), &[".", "--strict"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "./infra/main.tf:1:1: ignored: 1 file skipped by ignore rules (.gitignore, .ignore, \
             git's excludes), and this is not a git work tree"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("the scan is incomplete (1 coverage gap)"),
        "{}",
        run.stderr
    );
}

/// r12: `leak.yaml` links to another team's template elsewhere on the runner.
#[cfg(unix)]
#[test]
fn a_link_out_of_the_tree_is_a_gap_and_nothing_of_its_target_is_quoted() {
    let dir = tempfile::tempdir().unwrap();
    let outside = write(
        dir.path(),
        "outside/other-team.yaml",
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  X:\n    Type: \
         AWS::SageMaker::NotebookInstance\n    Properties: {RoleArn: \"OUTSIDE_SECRET_MARKER \
         db_password=hunter2\", InstanceType: t, DirectInternetAccess: Enabled}\n",
    );
    let tree = dir.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    std::os::unix::fs::symlink(&outside, tree.join("leak.yaml")).unwrap();
    write(&tree, "main.tf", VPC);
    for format in ["text", "json"] {
        let run = scan(&tree, &[".", "--format", format]);
        assert!(
            !run.stdout.contains("OUTSIDE_SECRET_MARKER") && !run.stdout.contains("hunter2"),
            "{format}: {}",
            run.stdout
        );
        assert!(
            run.stdout.contains("leads outside the scanned tree"),
            "{format}: {}",
            run.stdout
        );
    }
    let run = scan(&tree, &["."]);
    assert!(
        run.stdout.contains(&format!(
            "./leak.yaml:1:1: outside-tree: ./leak.yaml: a link (to {}) that leads outside the \
             scanned tree; not read",
            outside.display()
        )),
        "{}",
        run.stdout
    );
}

/// r11: `kmsg.tf -> /proc/kmsg`, a "regular file" whose read waits for the next kernel
/// message (as root). The scan ends, with a gap naming the link.
#[cfg(target_os = "linux")]
#[test]
fn a_link_to_proc_kmsg_does_not_hang_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/proc/kmsg", dir.path().join("kmsg.tf")).unwrap();
    write(dir.path(), "main.tf", VPC);
    let run = scan(dir.path(), &["."]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("./kmsg.tf:1:1: outside-tree: ./kmsg.tf: a link (to /proc/kmsg)"),
        "{}",
        run.stdout
    );
}

/// r21: a plan saved by PowerShell 5.1 (`Out-File -Encoding utf8`) starts with a BOM.
#[test]
fn a_plan_with_a_byte_order_mark_is_judged() {
    let dir = tempfile::tempdir().unwrap();
    let plan = r#"{"format_version":"1.2","terraform_version":"1.9.0","planned_values":{"root_module":{"resources":[{"address":"aws_sagemaker_notebook_instance.bom","mode":"managed","type":"aws_sagemaker_notebook_instance","name":"bom","values":{"name":"bom","instance_type":"ml.t3.medium","role_arn":"arn:aws:iam::123456789012:role/x","direct_internet_access":"Enabled","root_access":"Enabled"}}]}}}"#;
    write(dir.path(), "plan/plan.json", format!("\u{feff}{plan}\r\n"));
    write(dir.path(), "main.tf", VPC);
    let run = scan(dir.path(), &[".", "--strict"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "sagemaker_notebook_instance aws_sagemaker_notebook_instance.bom (./plan/plan.json"
        ),
        "{}",
        run.stdout
    );
    for code in ["SM111", "SM113"] {
        assert!(
            run.stdout.contains(&format!("{code} notebook-")),
            "{code}: {}",
            run.stdout
        );
    }
}

//! What the walk reads from a hostile tree (issue 17): ignore rules that hide committed
//! files, links that lead out of the scanned tree or into the kernel's pseudo file
//! systems, and a plan written with a byte order mark. Each case is built in a temporary
//! directory, outside any git work tree unless the test makes one.
//!
//! The git repositories are made with the git binary, in the test only (sagescan itself
//! never runs git), isolated from the machine's git configuration.

use sagescan_load::{LoadOptions, load};
use sagescan_model::{CoverageGap, Model};
use std::path::{Path, PathBuf};
use std::process::Command;

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

/// Runs git in `dir` as the test's author, reading no configuration of the machine.
fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args([
            "-c",
            "user.email=t@example.com",
            "-c",
            "user.name=t",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .status()
        .expect("the tests need the git binary");
    assert!(status.success(), "git {args:?} in {}", dir.display());
}

/// The r08 repository: `infra/main.tf` committed, then a `.gitignore` (or `.ignore`)
/// matching it committed on top.
fn repo_hiding_main_tf(root: &Path, ignore_file: &str) {
    write(root, "infra/main.tf", NOTEBOOK);
    git(root, &["init", "-q"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "base"]);
    write(root, &format!("infra/{ignore_file}"), "*.tf\n");
    git(root, &["add", "-f", "-A"]);
    git(root, &["commit", "-qm", "PR"]);
}

fn scan(path: &Path) -> Model {
    load(&[path.to_path_buf()], &LoadOptions::default()).expect("loads")
}

fn notebooks(model: &Model) -> Vec<&str> {
    model
        .notebook_instances
        .iter()
        .map(|n| n.meta.address.as_str())
        .collect()
}

fn gaps<'m>(model: &'m Model, kind: &str) -> Vec<&'m CoverageGap> {
    model.gaps.iter().filter(|g| g.kind == kind).collect()
}

fn gap_file(gap: &CoverageGap) -> String {
    gap.origin.file().expect("a file").file.to_string()
}

#[test]
fn a_committed_file_is_read_whatever_a_gitignore_says() {
    for ignore_file in [".gitignore", ".ignore"] {
        let dir = tempfile::tempdir().unwrap();
        repo_hiding_main_tf(dir.path(), ignore_file);
        // Not committed, and ignored: skipped, as ignore rules intend, without a gap.
        write(dir.path(), "infra/local.tf", VPC);
        let model = scan(dir.path());
        assert_eq!(notebooks(&model), ["aws_sagemaker_notebook_instance.nb"]);
        assert!(
            model.vpcs.is_empty(),
            "{ignore_file}: the untracked file is skipped"
        );
        assert!(model.gaps.is_empty(), "{ignore_file}: {:?}", model.gaps);
        // Scanning the directory below the work tree's top finds it too.
        let model = scan(&dir.path().join("infra"));
        assert_eq!(notebooks(&model), ["aws_sagemaker_notebook_instance.nb"]);
    }
}

#[test]
fn tracked_files_are_known_in_every_index_version_and_in_linked_worktrees() {
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("main");
    repo_hiding_main_tf(&main, ".gitignore");
    for version in ["2", "3", "4"] {
        git(&main, &["update-index", "--index-version", version]);
        assert_eq!(
            notebooks(&scan(&main)),
            ["aws_sagemaker_notebook_instance.nb"],
            "index version {version}"
        );
    }
    // A linked worktree's `.git` is a file naming its git directory, which has its index.
    git(&main, &["worktree", "add", "-q", "../wt"]);
    let wt = dir.path().join("wt");
    assert!(std::fs::metadata(wt.join(".git")).unwrap().is_file());
    let model = scan(&wt);
    assert_eq!(notebooks(&model), ["aws_sagemaker_notebook_instance.nb"]);
    assert!(model.gaps.is_empty(), "{:?}", model.gaps);
}

#[test]
fn a_nested_repository_answers_for_its_own_files() {
    // A vendored clone inside the scanned tree: its files are in its own index, not in
    // the outer one.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "top.tf", VPC);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "outer"]);
    repo_hiding_main_tf(&dir.path().join("vendor/inner"), ".gitignore");
    let model = scan(dir.path());
    assert_eq!(notebooks(&model), ["aws_sagemaker_notebook_instance.nb"]);
    assert!(model.gaps.is_empty(), "{:?}", model.gaps);
}

#[test]
fn outside_a_work_tree_what_ignore_rules_skip_is_a_gap() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "infra/main.tf", NOTEBOOK);
    write(dir.path(), "infra/.gitignore", "*.tf\n");
    write(dir.path(), "other.tf", VPC);
    let model = scan(dir.path());
    assert!(notebooks(&model).is_empty());
    let ignored = gaps(&model, "ignored");
    assert_eq!(ignored.len(), 1, "{:?}", model.gaps);
    let main = dir.path().join("infra/main.tf").display().to_string();
    assert_eq!(gap_file(ignored[0]), main);
    assert_eq!(
        ignored[0].message,
        format!(
            "1 file skipped by ignore rules (.gitignore, .ignore, git's excludes), and this is \
             not a git work tree, so whether they are committed (and deployed) cannot be \
             told: {main}"
        )
    );
    // A gap of the whole input: no configuration may pass for complete.
    assert_eq!(ignored[0].config, None);
    // Alone, the hidden file is still not "nothing to scan".
    std::fs::remove_file(dir.path().join("other.tf")).unwrap();
    assert_eq!(gaps(&scan(dir.path()), "ignored").len(), 1);
}

#[test]
fn an_index_that_cannot_be_read_is_a_gap_not_a_guess() {
    let dir = tempfile::tempdir().unwrap();
    repo_hiding_main_tf(dir.path(), ".gitignore");
    write(dir.path(), ".git/index", b"DIRC\0\0\0\x02\0\0\0\x09garbage");
    let model = scan(dir.path());
    let ignored = gaps(&model, "ignored");
    assert_eq!(ignored.len(), 1, "{:?}", model.gaps);
    assert!(
        ignored[0]
            .message
            .contains(".git/index: not a git index that can be read (truncated)"),
        "{}",
        ignored[0].message
    );
    assert!(
        ignored[0].message.ends_with("infra/main.tf"),
        "{}",
        ignored[0].message
    );
    // A `.git` file that names nothing sagescan can follow: the same.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "main.tf", NOTEBOOK);
    write(dir.path(), ".gitignore", "*.tf\n");
    write(dir.path(), ".git", "not a gitdir line\n");
    let model = scan(dir.path());
    let ignored = gaps(&model, "ignored");
    assert_eq!(ignored.len(), 1, "{:?}", model.gaps);
    assert!(ignored[0].message.contains("not a `gitdir: <path>` file"));
}

#[cfg(unix)]
#[test]
fn a_link_out_of_the_scanned_tree_is_a_gap_and_not_read() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let outside = write(
        dir.path(),
        "outside/other-team.yaml",
        "Resources:\n  X:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties: \
         {RoleArn: OUTSIDE_SECRET_MARKER, InstanceType: t, DirectInternetAccess: Enabled}\n",
    );
    let outside_tf = write(dir.path(), "outside/shared.tf", NOTEBOOK);
    let tree = dir.path().join("tree");
    write(&tree, "main.tf", VPC);
    symlink(&outside, tree.join("leak.yaml")).unwrap();
    symlink(&outside_tf, tree.join("shared.tf")).unwrap();
    // A link that stays inside the tree works as before, however it is spelled.
    write(
        &tree,
        "shared/providers.tf",
        NOTEBOOK.replace("\"nb\"", "\"inside\""),
    );
    symlink("../shared/providers.tf", {
        std::fs::create_dir_all(tree.join("env")).unwrap();
        tree.join("env/providers.tf")
    })
    .unwrap();
    let model = scan(&tree);
    let outside_gaps = gaps(&model, "outside-tree");
    let files: Vec<String> = outside_gaps.iter().map(|g| gap_file(g)).collect();
    let leak = tree.join("leak.yaml").display().to_string();
    let shared = tree.join("shared.tf").display().to_string();
    assert_eq!(files, [leak.clone(), shared]);
    assert_eq!(
        outside_gaps[0].message,
        format!(
            "{leak}: a link (to {}) that leads outside the scanned tree; not read",
            outside.display()
        )
    );
    // Nothing of the outside files is in the model, to be quoted.
    assert!(
        model
            .sources
            .iter()
            .all(|s| !s.text.contains("OUTSIDE_SECRET_MARKER") && !s.path.contains("outside")),
        "{:?}",
        model.sources.iter().map(|s| &s.path).collect::<Vec<_>>()
    );
    assert_eq!(
        notebooks(&model),
        [
            "aws_sagemaker_notebook_instance.inside",
            "aws_sagemaker_notebook_instance.inside"
        ]
    );
    // Scanning the common parent puts both in the tree: the links are followed.
    let model = scan(dir.path());
    assert!(gaps(&model, "outside-tree").is_empty(), "{:?}", model.gaps);
}

#[cfg(target_os = "linux")]
#[test]
fn a_link_into_procfs_is_refused_without_blocking() {
    // `kmsg.tf -> /proc/kmsg` blocks a read forever (as root); `/proc/self/status` is a
    // harmless file of the same kind: "regular", on procfs.
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "main.tf", VPC);
    symlink("/proc/self/status", dir.path().join("kmsg.tf")).unwrap();
    let model = scan(dir.path());
    let kmsg = dir.path().join("kmsg.tf").display().to_string();
    let gap = model
        .gaps
        .iter()
        .find(|g| g.message.starts_with(&kmsg))
        .unwrap_or_else(|| panic!("no gap names kmsg.tf: {:?}", model.gaps));
    // Out of the tree as well as on procfs: either refusal names the link, and nothing of
    // the file is read.
    assert_eq!(gap.kind, "outside-tree");
    assert!(model.sources.iter().all(|s| !s.text.contains("VmRSS")));
    assert_eq!(model.vpcs.len(), 1);
}

#[cfg(target_os = "linux")]
#[test]
fn an_ignore_file_linked_into_procfs_leaves_its_directory_out() {
    // The walker itself would open a `.gitignore -> /proc/kmsg` and wait forever.
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "main.tf", VPC);
    write(dir.path(), "sub/main.tf", NOTEBOOK);
    symlink("/proc/self/status", dir.path().join("sub/.gitignore")).unwrap();
    let model = scan(dir.path());
    let sub = dir.path().join("sub");
    let expected = format!(
        "{}: not a regular file; {} was not scanned",
        sub.join(".gitignore").display(),
        sub.display()
    );
    assert!(
        model.gaps.iter().any(|g| g.message == expected),
        "{:?}",
        model.gaps
    );
    assert!(notebooks(&model).is_empty());
}

#[test]
fn a_plan_with_a_byte_order_mark_is_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let plan = r#"{"format_version":"1.2","terraform_version":"1.9.0","planned_values":{"root_module":{"resources":[{"address":"aws_sagemaker_notebook_instance.bom","mode":"managed","type":"aws_sagemaker_notebook_instance","name":"bom","values":{"name":"bom","direct_internet_access":"Enabled","root_access":"Enabled"}}]}}}"#;
    write(dir.path(), "plan/plan.json", format!("\u{feff}{plan}\r\n"));
    write(dir.path(), "main.tf", VPC);
    // A template with one loads too.
    write(
        dir.path(),
        "cfn/template.json",
        "\u{feff}{\"Resources\": {\"V\": {\"Type\": \"AWS::EC2::VPC\", \"Properties\": {\"CidrBlock\": \"10.1.0.0/16\"}}}}",
    );
    let model = scan(dir.path());
    assert!(model.gaps.is_empty(), "{:?}", model.gaps);
    let sources: Vec<(&str, &str)> = model
        .configs
        .iter()
        .map(|c| (c.name.as_str(), c.source.as_str()))
        .collect();
    assert!(
        sources
            .iter()
            .any(|&(n, s)| n.ends_with("plan.json") && s == "terraform-plan"),
        "{sources:?}"
    );
    assert!(
        sources
            .iter()
            .any(|&(n, s)| n.ends_with("template.json") && s == "cloudformation"),
        "{sources:?}"
    );
    assert_eq!(notebooks(&model), ["aws_sagemaker_notebook_instance.bom"]);
    assert_eq!(model.vpcs.len(), 2);
}

//! Every file sagescan writes, attacked the way a pull request can: symlinks planted at the
//! names a writer might use, the target itself a link, a module outside the scanned tree,
//! and files that hang or never end where `fix` reads. Each writer (fix, `-o FORMAT:FILE`
//! reports, `init`) must leave the victim file untouched and write nothing through a link;
//! `--aws-script` and `collect -o` go through the same `sagescan_fs::write_atomic`.
#![cfg(unix)]

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[cfg(feature = "aws")]
#[path = "support/aws_standin.rs"]
mod aws_standin;

/// Root access enabled: SM113 fails and its safe fix rewrites `root_access`.
const NOTEBOOK: &str = r#"resource "aws_sagemaker_notebook_instance" "nb" {
  name          = "nb"
  role_arn      = "arn:aws:iam::123456789012:role/x"
  instance_type = "ml.t3.medium"
  root_access   = "Enabled"
}
"#;

const VICTIM: &str = "victim content: e.g. ~/.bashrc or a CI script\n";

fn sagescan(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sagescan"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the sagescan binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A scratch directory with `victim` beside the repository `tree/`.
struct Scene {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Scene {
    fn new() -> Scene {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir(root.join("tree")).unwrap();
        std::fs::write(root.join("victim"), VICTIM).unwrap();
        Scene { _dir: dir, root }
    }

    fn tree(&self) -> PathBuf {
        self.root.join("tree")
    }

    fn victim_untouched(&self) {
        assert_eq!(
            std::fs::read_to_string(self.root.join("victim")).unwrap(),
            VICTIM,
            "the victim outside the tree was written"
        );
    }

    /// Hidden links to the victim at every name a writer of `name` in `dir` might guess:
    /// the old fix writer's `.NAME.sagescan-fix.<pid>` for the pids a child is likely to
    /// get, and common temporary-file patterns.
    fn plant(&self, dir: &Path, name: &str) {
        let me = std::process::id();
        for pid in (me.saturating_sub(50)..me + 2000).chain(2..300) {
            let _ = symlink(
                self.root.join("victim"),
                dir.join(format!(".{name}.sagescan-fix.{pid}")),
            );
        }
        for guess in [
            format!("{name}.tmp"),
            format!(".{name}.tmp"),
            format!("{name}~"),
        ] {
            symlink(self.root.join("victim"), dir.join(guess)).unwrap();
        }
    }
}

#[test]
fn fix_writes_nothing_through_links_planted_at_temporary_names() {
    let scene = Scene::new();
    let tree = scene.tree();
    std::fs::write(tree.join("main.tf"), NOTEBOOK).unwrap();
    scene.plant(&tree, "main.tf");
    let out = sagescan(&scene.root, &["fix", "tree", "--checks=SM113"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    scene.victim_untouched();
    let meta = std::fs::symlink_metadata(tree.join("main.tf")).unwrap();
    assert!(
        meta.file_type().is_file(),
        "main.tf is no longer a regular file"
    );
    let fixed = std::fs::read_to_string(tree.join("main.tf")).unwrap();
    assert!(fixed.contains(r#"root_access   = "Disabled""#), "{fixed}");
}

#[test]
fn fix_refuses_a_file_that_is_a_link_and_quotes_nothing_of_its_target() {
    let scene = Scene::new();
    let tree = scene.tree();
    // The link points at a Terraform file outside the tree, so the scan of the link would
    // find SM111 there; the victim holds the notebook.
    std::fs::write(scene.root.join("victim"), NOTEBOOK).unwrap();
    symlink(scene.root.join("victim"), tree.join("main.tf")).unwrap();
    let out = sagescan(&scene.root, &["fix", "tree", "--checks=SM113"]);
    assert_eq!(
        std::fs::read_to_string(scene.root.join("victim")).unwrap(),
        NOTEBOOK
    );
    assert!(
        std::fs::symlink_metadata(tree.join("main.tf"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    // Whether the scan follows such a link is the walker's business; what fix does with a
    // finding in it is refuse.
    if out.status.code() == Some(1) {
        assert!(stderr(&out).contains("symbolic link"), "{}", stderr(&out));
        assert!(out.stdout.is_empty(), "a diff was printed for a link");
    }
}

#[test]
fn fix_leaves_a_module_outside_the_scanned_tree_alone_and_says_so() {
    let scene = Scene::new();
    let outside = scene.root.join("outside_mod");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(outside.join("main.tf"), NOTEBOOK).unwrap();
    std::fs::write(
        scene.tree().join("main.tf"),
        "module \"m\" {\n  source = \"../outside_mod\"\n}\n",
    )
    .unwrap();
    let out = sagescan(&scene.root, &["fix", "tree", "--checks=SM113"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(
        std::fs::read_to_string(outside.join("main.tf")).unwrap(),
        NOTEBOOK
    );
    assert!(err.contains("not fixed"), "{err}");
    assert!(err.contains("outside the scanned tree"), "{err}");
    assert!(
        out.stdout.is_empty(),
        "a diff was printed for a file not fixed"
    );
}

#[test]
fn fix_leaves_a_directory_link_out_of_the_tree_alone() {
    let scene = Scene::new();
    let outside = scene.root.join("elsewhere");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(outside.join("main.tf"), NOTEBOOK).unwrap();
    symlink(&outside, scene.tree().join("infra")).unwrap();
    let out = sagescan(&scene.root, &["fix", "tree", "--checks=SM113"]);
    assert_eq!(
        std::fs::read_to_string(outside.join("main.tf")).unwrap(),
        NOTEBOOK,
        "{}",
        stderr(&out)
    );
}

/// `root_access = var.ra`: the fix sets the variable's default, and to know that nothing
/// else uses `var.ra` it reads every `.tf` of the module, which is where a FIFO or a link
/// to `/dev/zero` would hang it or exhaust memory.
const NOTEBOOK_VIA_VARIABLE: &str = r#"variable "ra" {
  default = "Enabled"
}

resource "aws_sagemaker_notebook_instance" "nb" {
  name          = "nb"
  role_arn      = "arn:aws:iam::123456789012:role/x"
  instance_type = "ml.t3.medium"
  root_access   = var.ra
}
"#;

#[test]
fn fix_reads_the_module_through_the_guarded_reader() {
    for special in ["fifo", "zero"] {
        let scene = Scene::new();
        let tree = scene.tree();
        std::fs::write(tree.join("main.tf"), NOTEBOOK_VIA_VARIABLE).unwrap();
        let odd = tree.join("odd.tf");
        match special {
            "fifo" => assert!(Command::new("mkfifo").arg(&odd).status().unwrap().success()),
            _ => symlink("/dev/zero", &odd).unwrap(),
        }
        // Were the FIFO opened, this would never return: no writer ever comes.
        let out = sagescan(&scene.root, &["fix", "tree", "--dry-run", "--checks=SM113"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{special}: {err}");
        assert!(err.contains("not fixed"), "{special}: {err}");
        assert!(
            err.contains("odd.tf: not a regular file"),
            "{special}: {err}"
        );
        assert_eq!(
            std::fs::read_to_string(tree.join("main.tf")).unwrap(),
            NOTEBOOK_VIA_VARIABLE
        );
    }
}

#[test]
fn reports_are_written_beside_planted_links_never_through_them() {
    let scene = Scene::new();
    std::fs::write(scene.tree().join("main.tf"), NOTEBOOK).unwrap();
    let out_dir = scene.tree().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let formats = ["json", "sarif", "junit", "html", "csv", "markdown"];
    for f in formats {
        scene.plant(&out_dir, &format!("report.{f}"));
    }
    let mut args = vec!["scan".to_string(), "tree".to_string()];
    for f in formats {
        args.push(format!("--output={f}:tree/out/report.{f}"));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = sagescan(&scene.root, &args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    scene.victim_untouched();
    for f in formats {
        let path = out_dir.join(format!("report.{f}"));
        let meta = std::fs::symlink_metadata(&path).unwrap();
        assert!(meta.file_type().is_file(), "{f}");
        assert!(meta.len() > 0, "{f}");
    }
}

#[test]
fn a_report_whose_path_is_a_link_is_refused() {
    let scene = Scene::new();
    std::fs::write(scene.tree().join("main.tf"), NOTEBOOK).unwrap();
    symlink(scene.root.join("victim"), scene.tree().join("report.json")).unwrap();
    let out = sagescan(
        &scene.root,
        &["scan", "tree", "-o", "json:tree/report.json"],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("symbolic link"), "{err}");
    scene.victim_untouched();
}

#[test]
fn init_refuses_a_config_file_that_is_a_link() {
    let scene = Scene::new();
    symlink(
        scene.root.join("victim"),
        scene.tree().join("sagescan.toml"),
    )
    .unwrap();
    let out = sagescan(&scene.tree(), &["init", "--force"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("symbolic link"), "{err}");
    scene.victim_untouched();
}

#[cfg(feature = "aws")]
#[test]
fn snapshots_are_written_beside_planted_links_never_through_them() {
    let scene = Scene::new();
    let url = aws_standin::refusing_aws();
    let collect = |target: &str| {
        Command::new(env!("CARGO_BIN_EXE_sagescan"))
            .current_dir(&scene.root)
            .args([
                "collect",
                "--aws",
                "--regions=us-east-1",
                "--endpoint-url",
                &url,
            ])
            .args(["-o", target])
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env_remove("AWS_PROFILE")
            .output()
            .unwrap()
    };
    scene.plant(&scene.tree(), "snapshot.json");
    let out = collect("tree/snapshot.json");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    scene.victim_untouched();
    let written = scene.tree().join("snapshot.json");
    assert!(std::fs::symlink_metadata(&written).unwrap().is_file());
    let text = std::fs::read_to_string(&written).unwrap();
    assert!(text.starts_with("{\"sagescan_snapshot\":"), "{text:.80}");

    // The target itself a link: refused, and the victim keeps its content.
    symlink(scene.root.join("victim"), scene.tree().join("linked.json")).unwrap();
    let out = collect("tree/linked.json");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("symbolic link"), "{}", stderr(&out));
    scene.victim_untouched();
}

#[test]
fn fix_progress_shows_a_line_feed_in_a_path_escaped() {
    let scene = Scene::new();
    let forged = scene.tree().join("infra\nfixed      all findings");
    std::fs::create_dir(&forged).unwrap();
    std::fs::write(forged.join("main.tf"), NOTEBOOK).unwrap();
    let out = sagescan(&scene.root, &["fix", "tree", "--dry-run", "--checks=SM113"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("infra\\nfixed      all findings/main.tf"),
        "{err}"
    );
    assert!(
        !err.lines()
            .any(|l| l.starts_with("fixed      all findings")),
        "{err}"
    );
    // The diff names the file as git would, quoted, so the header stays one line.
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(
        diff.contains("--- \"a/tree/infra\\nfixed      all findings/main.tf\"\n"),
        "{diff}"
    );
    assert!(!diff.lines().any(|l| l.starts_with("fixed")), "{diff}");
}

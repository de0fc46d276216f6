//! The `migrate` and `user create` commands of the real binary.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::helpers::tempfile_dir::TempDir;

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_autotechjobs"))
        .args(args)
        .env("ATJ_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn migrate_and_user_create_work_and_refuse_bad_input() {
    let dir = TempDir::new();
    let url = format!("sqlite://{}/cli.db?mode=rwc", dir.path().display());
    let out = run(&["migrate", "--database-url", &url], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let create = |email: &str, kind: &str, password: &str, extra: &[&str]| {
        let mut args = vec![
            "user",
            "create",
            "--database-url",
            &url,
            "--email",
            email,
            "--name",
            "Site Admin",
            "--account-type",
            kind,
        ];
        args.extend_from_slice(extra);
        run(&args, password)
    };
    let out = create(
        "admin@example.co.uk",
        "admin",
        "a long admin passphrase\n",
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Created admin account admin@example.co.uk")
    );

    let out = create(
        "admin@example.co.uk",
        "admin",
        "a long admin passphrase\n",
        &[],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));

    let out = create("short@example.co.uk", "developer", "short\n", &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 12 characters"));

    let out = create(
        "boss@example.co.uk",
        "employer",
        "a long employer passphrase\n",
        &[],
    );
    assert!(!out.status.success(), "employers need --company");
    let out = create(
        "boss@example.co.uk",
        "employer",
        "a long employer passphrase\n",
        &["--company", "Boss Motors"],
    );
    assert!(out.status.success());
    // The password never appears on the command line or in the output.
    assert!(!String::from_utf8_lossy(&out.stdout).contains("passphrase"));
}

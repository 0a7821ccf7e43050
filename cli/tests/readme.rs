//! The README's command-line session runs as written: each `$ command` of its
//! `console` blocks, in order, in one scratch folder (with `jwtauth` on PATH
//! and the `clients.json` the example checks), must print the lines shown
//! after it — numbers aside (times and ages differ from run to run).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "test code")]

use std::path::Path;
use std::process::Command;

/// Digits as `#`: "expired 840 s ago" and "expired 841 s ago" are the same line.
fn shape(s: &str) -> String {
    s.trim_end().chars().map(|c| if c.is_ascii_digit() { '#' } else { c }).collect()
}

#[test]
fn the_readme_console_session_runs() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md")).unwrap();
    let dir = std::env::temp_dir().join(format!("jwtauth-readme-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("clients.json"),
        r#"{"clients":[{"client_id":"web","token_endpoint_auth_method":"client_secret_basic","client_secret":"short"}]}"#,
    )
    .unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_jwtauth")).parent().unwrap().to_owned();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let mut commands = 0;
    for block in readme.split("```console\n").skip(1) {
        let block = block.split("```").next().unwrap();
        let mut lines = block.lines().peekable();
        while let Some(line) = lines.next() {
            let command = line.strip_prefix("$ ").unwrap_or_else(|| panic!("not a command: {line}"));
            let mut expected = Vec::new();
            while let Some(next) = lines.peek().filter(|l| !l.starts_with("$ ")) {
                expected.push(shape(next));
                lines.next();
            }
            let out = Command::new("sh")
                .arg("-c")
                .arg(command)
                .current_dir(&dir)
                .env("PATH", &path)
                .output()
                .unwrap();
            let got: Vec<String> = String::from_utf8(out.stdout).unwrap().lines().map(shape).collect();
            assert_eq!(
                got,
                expected,
                "`{command}` printed something else (stderr: {})",
                String::from_utf8_lossy(&out.stderr)
            );
            commands += 1;
        }
    }
    assert!(commands >= 4, "the README shows a command-line session");
}

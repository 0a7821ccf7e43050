//! The attempts page of `jwtauth serve` in a real browser: Debian's Chromium,
//! headless, loads `/` after a refused request; the rendered DOM must show
//! the failed rule and its fix, and a screenshot is kept
//! (`$JWTAUTH_ARTIFACTS/serve-page.png`, by default `target/artifacts/`).
//! Without Chromium the test is skipped, unless `JWTAUTH_REQUIRE_BROWSER` is
//! set (CI sets it): then a missing browser is a failure.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code"
)]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{Server, assertion_body, get, post_form, scratch, setup};

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("JWTAUTH_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"].iter().map(PathBuf::from).find(|p| p.exists())
}

/// Run headless Chromium with `args` (at most 90 s); its standard output.
fn browse(browser: &Path, profile: &Path, args: &[&str]) -> String {
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out, &mut s).map(|_| s)
    });
    let until = Instant::now() + Duration::from_secs(90);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > until {
            let _ = child.kill();
            panic!("chromium did not finish in 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    reader.join().unwrap().unwrap_or_default()
}

#[test]
fn the_page_shows_the_failed_rule_and_its_fix_in_a_browser() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("JWTAUTH_REQUIRE_BROWSER").is_none(),
            "JWTAUTH_REQUIRE_BROWSER is set and no Chromium was found (apt-get install chromium)"
        );
        eprintln!("skipped: no Chromium (set JWTAUTH_CHROMIUM or install Debian's chromium)");
        return;
    };
    let dir = scratch("browser");
    let key = setup(&dir);
    let s = Server::start(&dir, &[]);
    // One accepted request, then one refused for its audience.
    assert_eq!(post_form(&s.addr, &assertion_body(&key, "svc", &s.base), None).status, 200);
    assert_eq!(
        post_form(&s.addr, &assertion_body(&key, "svc", "https://elsewhere.example"), None).status,
        401
    );
    assert!(get(&s.addr, "/attempts").body.contains("elsewhere"));
    let profile = dir.join("profile");
    let url = format!("{}/", s.base);
    let dom = browse(&browser, &profile, &["--dump-dom", &url]);
    // The rendered DOM: the refusal first (newest first), its rule and fix.
    let refused = dom.find("refused · 401 · JWTAUTH_AUDIENCE_MISMATCH").unwrap_or_else(|| panic!("{dom}"));
    let accepted = dom.find("accepted · 200").unwrap_or_else(|| panic!("{dom}"));
    assert!(refused < accepted, "newest first");
    assert!(dom.contains("Failed rule 7 — <span class=\"rule-name\">audience</span>"), "{dom}");
    assert!(dom.contains("aud \"https://elsewhere.example\""), "{dom}");
    assert!(dom.contains(&format!("fix: set aud to {}", s.base)), "{dom}");
    // The screenshot, kept as an artifact.
    let artifacts = std::env::var_os("JWTAUTH_ARTIFACTS")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/artifacts"), PathBuf::from);
    std::fs::create_dir_all(&artifacts).unwrap();
    let shot = artifacts.join("serve-page.png");
    let _ = std::fs::remove_file(&shot);
    browse(
        &browser,
        &profile,
        &[&format!("--screenshot={}", shot.display()), "--window-size=1200,800", &url],
    );
    let png = std::fs::read(&shot).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", shot.display()));
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000, "not a screenshot of a page");
    eprintln!("screenshot: {}", shot.display());
}

//! The pages built into the binary: served without `--www` / `--pkg`, from any folder,
//! byte for byte the repository's.

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{config, started, BIN};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn repo_file(path: &str) -> Vec<u8> {
    std::fs::read(Path::new(ROOT).join(path)).unwrap()
}

async fn get(url: &str) -> reqwest::Response {
    reqwest::get(url).await.unwrap()
}

#[tokio::test]
async fn the_pages_are_served_from_the_binary() {
    let app = started(&config()).await;
    let (addr, server): (SocketAddr, _) =
        warp::serve(app.routes.clone()).bind_ephemeral(([127, 0, 0, 1], 0));
    tokio::spawn(server);
    let base = format!("http://{addr}");
    for (path, file, content_type) in [
        ("/", "www/dashboard.html", "text/html; charset=utf-8"),
        ("/playground", "www/index.html", "text/html; charset=utf-8"),
        ("/www/", "www/index.html", "text/html; charset=utf-8"),
        ("/style.css", "www/style.css", "text/css; charset=utf-8"),
        (
            "/www/dashboard.mjs",
            "www/dashboard.mjs",
            "text/javascript; charset=utf-8",
        ),
        (
            "/pkg/src/browser.mjs",
            "pkg/src/browser.mjs",
            "text/javascript; charset=utf-8",
        ),
    ] {
        let res = get(&format!("{base}{path}")).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers()["content-type"], content_type, "{path}");
        let etag = res.headers()["etag"].to_str().unwrap().to_owned();
        assert_eq!(res.bytes().await.unwrap(), repo_file(file), "{path}");
        // Revalidation with the ETag costs no body.
        let res = reqwest::Client::new()
            .get(format!("{base}{path}"))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 304, "{path}");
    }
    for path in [
        "/README.md",
        "/www/../Cargo.toml",
        "/pkg/src/../package.json",
        "/pkg/gen/hookproof_bg.wasm.mjs",
        "/nothing.js",
    ] {
        let res = get(&format!("{base}{path}")).await;
        assert_eq!(res.status(), 404, "{path}");
    }
    // The playground's wasm: embedded when pkg/gen was built before the sender, else a
    // 404 that says how to get it.
    let res = get(&format!("{base}/pkg/gen/hookproof_tools_bg.wasm")).await;
    if hookproof_sender::api::files::has_playground_wasm() {
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "application/wasm");
        assert_eq!(
            res.bytes().await.unwrap(),
            repo_file("pkg/gen/hookproof_tools_bg.wasm")
        );
    } else {
        assert_eq!(res.status(), 404);
        assert!(res
            .text()
            .await
            .unwrap()
            .contains("bash scripts/build-pkg.sh"));
    }
}

/// An installed binary: copied away from the checkout and run from another folder, it
/// still serves the dashboard.
#[tokio::test]
async fn a_copied_binary_serves_the_dashboard_from_anywhere() {
    let tmp = std::env::temp_dir().join(format!("hookproof-sender-copy-{}", ulid::Ulid::new()));
    let bin_dir = tmp.join("bin");
    let cwd = tmp.join("elsewhere");
    std::fs::create_dir_all(&bin_dir).unwrap();
    std::fs::create_dir_all(&cwd).unwrap();
    let bin = bin_dir.join("hookproof-sender");
    std::fs::copy(BIN, &bin).unwrap();
    let mut child = Command::new(&bin)
        .args(["serve", "--memory", "--addr", "127.0.0.1:0"])
        .current_dir(&cwd)
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line.trim().strip_prefix("listening on ").expect(&line);
    let res = get(&format!("{base}/")).await;
    let status = res.status();
    let body = res.bytes().await.unwrap();
    let script = get(&format!("{base}/dashboard.mjs")).await;
    let script_status = script.status();
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&tmp);
    assert_eq!(status, 200);
    assert_eq!(body, repo_file("www/dashboard.html"));
    assert_eq!(script_status, 200);
}

//! Over real loopback HTTP: the server-sent events of `/v1/stream` and the static files
//! (dashboard, playground, the npm package's browser build) with their content types.

mod common;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use common::{call, config, ok, receiver, started};
use serde_json::{json, Value};

/// A sender serving a scratch www/ and pkg/ like the repository's, with `--token` if
/// given; the scratch folder, to remove.
async fn scratch_app(token: Option<&str>) -> (hookproof_sender::App, PathBuf) {
    let root = std::env::temp_dir().join(format!("hookproof-sender-web-{}", ulid::Ulid::new()));
    let www = root.join("www");
    let pkg = root.join("pkg");
    for (path, text) in [
        (www.join("dashboard.html"), "<title>dashboard</title>"),
        (www.join("index.html"), "<title>playground</title>"),
        (www.join("style.css"), "body {}"),
        (www.join("dashboard.mjs"), "export {};"),
        (
            pkg.join("src/browser.mjs"),
            "import '../gen/hookproof.mjs';",
        ),
        (pkg.join("gen/hookproof.mjs"), "export default 1;"),
        (pkg.join("gen/hookproof_bg.wasm"), "\0asm"),
        (pkg.join("package.json"), "{}"),
        (root.join("secret.txt"), "no"),
    ] {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let mut cfg = config();
    cfg.www_dir = Some(www);
    cfg.pkg_dir = Some(pkg);
    cfg.token = token.map(Into::into);
    (started(&cfg).await, root)
}

async fn serve(app: &hookproof_sender::App) -> String {
    let (addr, server): (SocketAddr, _) =
        warp::serve(app.routes.clone()).bind_ephemeral(([127, 0, 0, 1], 0));
    tokio::spawn(server);
    format!("http://{addr}")
}

#[tokio::test]
async fn static_files_with_module_and_wasm_types() {
    let (app, root) = scratch_app(Some("t")).await;
    let base = serve(&app).await;
    let client = reqwest::Client::new();
    for (path, status, content_type, body) in [
        (
            "/",
            200,
            "text/html; charset=utf-8",
            "<title>dashboard</title>",
        ),
        (
            "/playground",
            200,
            "text/html; charset=utf-8",
            "<title>playground</title>",
        ),
        ("/style.css", 200, "text/css; charset=utf-8", "body {}"),
        (
            "/dashboard.mjs",
            200,
            "text/javascript; charset=utf-8",
            "export {};",
        ),
        (
            "/www/index.html",
            200,
            "text/html; charset=utf-8",
            "<title>playground</title>",
        ),
        (
            "/pkg/src/browser.mjs",
            200,
            "text/javascript; charset=utf-8",
            "import '../gen/hookproof.mjs';",
        ),
        (
            "/pkg/gen/hookproof.mjs",
            200,
            "text/javascript; charset=utf-8",
            "export default 1;",
        ),
        (
            "/pkg/gen/hookproof_bg.wasm",
            200,
            "application/wasm",
            "\0asm",
        ),
        ("/pkg/package.json", 404, "application/json", ""),
        ("/www/../secret.txt", 404, "application/json", ""),
        ("/nothing.js", 404, "application/json", ""),
    ] {
        let res = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), status, "{path}");
        let ct = res.headers()["content-type"].to_str().unwrap().to_owned();
        assert_eq!(ct, content_type, "{path}");
        let text = res.text().await.unwrap();
        if status == 200 {
            assert_eq!(text, body, "{path}");
        } else {
            let e: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(e["error"]["code"], "not_found", "{path}");
        }
    }
    let _ = std::fs::remove_dir_all(root);
}

/// The pages may load from their own origin only (the playground compiles wasm), may not
/// be framed, and no file is sniffed into another type.
#[tokio::test]
async fn pages_carry_a_policy_and_no_file_is_sniffed() {
    let (app, root) = scratch_app(None).await;
    let base = serve(&app).await;
    let client = reqwest::Client::new();
    for path in ["/", "/playground", "/www/dashboard.html"] {
        let res = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        let header = |name: &str| res.headers()[name].to_str().unwrap().to_owned();
        let csp = header("content-security-policy");
        for directive in [
            "default-src 'self'",
            "script-src 'self' 'wasm-unsafe-eval'",
            "connect-src 'self'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains('*'),
            "{csp}"
        );
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
    }
    for path in ["/style.css", "/dashboard.mjs", "/pkg/gen/hookproof_bg.wasm"] {
        let res = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(res.headers()["x-content-type-options"], "nosniff", "{path}");
        assert!(
            res.headers().get("content-security-policy").is_none(),
            "{path}"
        );
    }
    let _ = std::fs::remove_dir_all(root);
}

/// A page's relative URLs resolve against its path: `/playground/` would look for
/// `/playground/style.css` and `/pkg/src/browser.mjs` one level too deep, so it redirects.
#[tokio::test]
async fn trailing_slash_pages_redirect_to_where_relative_urls_resolve() {
    let (app, root) = scratch_app(None).await;
    let base = serve(&app).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for (path, location) in [
        ("/playground/", "/playground"),
        ("/playground//", "/playground"),
        ("/playground/?delivery=x#sign", "/playground?delivery=x"),
    ] {
        let res = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 301, "{path}");
        assert_eq!(res.headers()["location"], location, "{path}");
    }
    // Served where they are: their relative URLs resolve to files that exist.
    for (path, title) in [
        ("/", "dashboard"),
        ("/?delivery=x", "dashboard"),
        ("/playground", "playground"),
        ("/playground?x=1", "playground"),
        ("/index.html", "playground"),
        ("/dashboard.html", "dashboard"),
        ("/www/", "playground"),
        ("/www/dashboard.html", "dashboard"),
    ] {
        let res = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200, "{path}");
        assert_eq!(res.text().await.unwrap(), format!("<title>{title}</title>"));
        let page = reqwest::Url::parse(&format!("{base}{path}")).unwrap();
        for relative in ["style.css", "../pkg/src/browser.mjs"] {
            let url = page.join(relative).unwrap();
            let res = client.get(url.clone()).send().await.unwrap();
            assert_eq!(res.status().as_u16(), 200, "{relative} from {path}: {url}");
        }
    }
    // Not a page: still a 404, and the API's routes are untouched.
    for path in ["/playgroundx/", "/pkg/src/"] {
        let res = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 404, "{path}");
    }
    let res = client
        .post(format!("{base}/playground/"))
        .send()
        .await
        .unwrap();
    assert_ne!(res.status().as_u16(), 301);
    let _ = std::fs::remove_dir_all(root);
}

#[tokio::test]
async fn the_stream_tells_of_deliveries_and_attempts() {
    let app = started(&config()).await;
    let base = serve(&app).await;
    let rx = receiver(vec![common::Answer::Status(500)]).await;
    let client = reqwest::Client::new();
    let mut stream = client
        .get(format!("{base}/v1/stream"))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    assert_eq!(stream.headers()["content-type"], "text/event-stream");

    let api = |method: reqwest::Method, path: &str, body: Value| {
        client
            .request(method, format!("{base}{path}"))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
    };
    let w: String = api(
        reqwest::Method::POST,
        "/v1/webhooks",
        json!({"url": rx.url, "events": ["*"], "retry_schedule": [0, 10]}),
    )
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    let w: Value = serde_json::from_str(&w).unwrap();
    let wid = w["data"]["id"].as_str().unwrap().to_owned();
    api(
        reqwest::Method::POST,
        "/v1/events",
        json!({"type": "order.created"}),
    )
    .await
    .unwrap();

    // The webhook made, one delivery event, then two attempts: failed (still pending),
    // then success.
    let events = next_events(&mut stream, 4).await;
    let (name, made) = &events[0];
    assert_eq!(name, "webhook");
    assert_eq!(made["action"], "created");
    assert_eq!(made["webhook"]["id"], wid.as_str());
    let events = &events[1..];
    assert_eq!(events[0].0, "delivery");
    assert_eq!(events[0].1["webhook_id"], wid.as_str());
    assert_eq!(events[0].1["status"], "pending");
    let delivery_id = events[0].1["id"].clone();
    for (i, (status, code)) in [("pending", 500), ("success", 200)].into_iter().enumerate() {
        let (name, a) = &events[i + 1];
        assert_eq!(name, "attempt");
        assert_eq!(a["delivery_id"], delivery_id);
        assert_eq!(a["webhook_id"], wid.as_str());
        assert_eq!(a["event_type"], "order.created");
        assert_eq!(a["attempt"], i + 1);
        assert_eq!(a["status_code"], code);
        assert_eq!(a["status"], status, "{a}");
        assert!(a["response_time_ms"].is_u64() && a["delivered_at"].is_string());
    }
}

/// The next `n` events of a `/v1/stream` response, as (name, data), within 10 s.
async fn next_events(stream: &mut reqwest::Response, n: usize) -> Vec<(String, Value)> {
    let mut text = String::new();
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let chunk = stream.chunk().await.unwrap().expect("stream open");
            text.push_str(&String::from_utf8_lossy(&chunk));
            let events: Vec<(String, Value)> = text
                .split("\n\n")
                .filter_map(|block| {
                    let name = block.lines().find_map(|l| l.strip_prefix("event:"))?;
                    let data = block.lines().find_map(|l| l.strip_prefix("data:"))?;
                    Some((
                        name.trim().to_owned(),
                        serde_json::from_str(data.trim()).ok()?,
                    ))
                })
                .collect();
            if events.len() >= n {
                return events;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{n} events within 10 s"))
}

#[tokio::test]
async fn the_stream_tells_of_every_change_to_a_webhook_without_its_secret() {
    let app = started(&config()).await;
    let base = serve(&app).await;
    let mut stream = reqwest::get(format!("{base}/v1/stream")).await.unwrap();
    let made = ok(
        &app,
        "POST",
        "/v1/webhooks",
        Some(json!({"url": "http://127.0.0.1:9/hook", "events": ["*"]})),
        201,
    )
    .await;
    let id = made["id"].as_str().unwrap().to_owned();
    let secret = made["secret"].as_str().unwrap().to_owned();
    let at = format!("/v1/webhooks/{id}");
    ok(&app, "PUT", &at, Some(json!({"enabled": false})), 200).await;
    let rotated = ok(&app, "POST", &format!("{at}/rotate-secret"), None, 200).await;
    let new_secret = rotated["secret"].as_str().unwrap().to_owned();
    call(&app, "DELETE", &at, None).await;
    // A change refused tells nothing.
    let (status, _) = call(
        &app,
        "POST",
        "/v1/webhooks",
        Some(json!({"url": "not a url", "events": ["*"]})),
    )
    .await;
    assert_eq!(status, 400);
    // The next change is the next event: the refused one told nothing.
    let sentinel = ok(
        &app,
        "POST",
        "/v1/webhooks",
        Some(json!({"url": "http://127.0.0.1:9/next", "events": ["*"]})),
        201,
    )
    .await;

    let events = next_events(&mut stream, 5).await;
    assert_eq!(events.len(), 5, "{events:?}");
    assert_eq!(events[4].1["action"], "created");
    assert_eq!(events[4].1["webhook"]["id"], sentinel["id"]);
    let events = &events[..4];
    let seen: Vec<(&str, &str)> = events
        .iter()
        .map(|(name, d)| (name.as_str(), d["action"].as_str().unwrap()))
        .collect();
    assert_eq!(
        seen,
        [
            ("webhook", "created"),
            ("webhook", "updated"),
            ("webhook", "updated"),
            ("webhook", "deleted")
        ]
    );
    assert_eq!(events[0].1["webhook"]["id"], id.as_str());
    assert_eq!(events[1].1["webhook"]["enabled"], false);
    assert_eq!(events[3].1["id"], id.as_str());
    for (_, data) in events {
        let text = data.to_string();
        assert!(
            !text.contains(&secret) && !text.contains(&new_secret),
            "{text}"
        );
        assert!(data["webhook"].get("secret").is_none(), "{text}");
    }
}

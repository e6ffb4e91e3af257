//! What the inbox shows: the list of inboxes, captures on `/v1/stream`, credentials masked
//! in every view (and sent exact on forward), and a delivery id checked against the whole
//! inbox.

mod common;

use common::inbox::{
    deliver, forwarded, next_capture, post_in, raw, rule, serve, signed, STANDARD_SECRET,
};
use common::{config, http_json, now_secs as now, ok, receiver, spawn_serve, started, Answer};
use hookproof::Scheme;
use serde_json::{json, Value};

#[tokio::test]
async fn the_list_names_every_inbox_with_its_capture_count_and_no_secret() {
    let app = started(&config()).await;
    ok(
        &app,
        "PUT",
        "/v1/inboxes/shop",
        Some(json!({"scheme": "stripe", "secret": "whsec_topsecret", "forward_to": "http://127.0.0.1:9/hook"})),
        201,
    )
    .await;
    ok(&app, "PUT", "/v1/inboxes/quiet", Some(json!({})), 201).await;
    for inbox in ["shop", "shop", "anon"] {
        assert_eq!(post_in(&app, inbox, &[], b"{}").await.0, 200);
    }
    let list = ok(&app, "GET", "/v1/inboxes", None, 200).await;
    assert!(!list.to_string().contains("topsecret"), "{list}");
    let rows: Vec<(&str, bool, u64, u64, bool)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["name"].as_str().unwrap(),
                i["configured"].as_bool().unwrap(),
                i["captures"].as_u64().unwrap(),
                i["secrets"].as_u64().unwrap(),
                i["last_capture_at"].is_string(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("anon", false, 1, 0, true),
            ("quiet", true, 0, 0, false),
            ("shop", true, 2, 1, true)
        ]
    );
    assert_eq!(list[2]["scheme"], "stripe");
    assert_eq!(list[2]["forward_to"], "http://127.0.0.1:9/hook");
    assert_eq!(list[2]["respond_with"]["status"], 200);
    assert!(list[2]["last_capture_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        ok(&app, "GET", "/v1/inboxes/shop", None, 200).await["captures"],
        2
    );
    ok(&app, "DELETE", "/v1/inboxes/shop", None, 204).await;
    let names: Vec<Value> = ok(&app, "GET", "/v1/inboxes", None, 200)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].clone())
        .collect();
    assert_eq!(names, [json!("anon"), json!("quiet")]);
}

#[tokio::test]
async fn credentials_are_masked_in_every_view_and_forwarded_exact() {
    let app = started(&config()).await;
    let rx = receiver(vec![Answer::Status(202)]).await;
    ok(
        &app,
        "PUT",
        "/v1/inboxes/auth",
        Some(json!({"forward_to": rx.url})),
        201,
    )
    .await;
    let addr = serve(&app);
    let base = format!("http://{addr}");
    let mut stream = reqwest::get(format!("{base}/v1/stream")).await.unwrap();
    assert_eq!(stream.status(), 200);
    let status = raw(
        addr,
        "POST /in/auth HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nauthorization: Bearer sk_live_hush\r\ncookie: session=hush1; theme=hush2\r\nproxy-authorization: Basic aHVzaDM=\r\nx-signature: sha256=visible",
        b"{}",
    )
    .await;
    assert_eq!(status, 200);

    // The stream tells of the capture, masked.
    let live = next_capture(&mut stream).await;
    let id = live["id"].as_str().unwrap().to_owned();
    let header = |c: &Value, name: &str| -> String {
        c["headers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h[0] == name)
            .unwrap_or_else(|| panic!("no {name} in {c}"))[1]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let secrets = ["sk_live_hush", "hush1", "hush2", "aHVzaDM"];
    let hides = |v: &Value| {
        let text = v.to_string();
        for s in secrets {
            assert!(!text.contains(s), "{s} shown: {text}");
        }
    };
    hides(&live);
    assert_eq!(header(&live, "authorization"), "Bearer ••••");
    assert_eq!(header(&live, "cookie"), "session=••••; theme=••••");
    assert_eq!(header(&live, "proxy-authorization"), "Basic ••••");
    assert_eq!(header(&live, "x-signature"), "sha256=visible");

    // Forwarded exact (proxy-authorization is hop-by-hop: not sent on); the forward's
    // headers and a replay's are masked when shown.
    let c = forwarded(&app, "auth", &id).await;
    assert_eq!(c["forward"]["status_code"], 202, "{c}");
    let hit = &rx.hits()[0];
    assert_eq!(hit.header("authorization"), Some("Bearer sk_live_hush"));
    assert_eq!(hit.header("cookie"), Some("session=hush1; theme=hush2"));
    assert_eq!(hit.header("proxy-authorization"), None);
    assert_eq!(header(&c["forward"], "authorization"), "Bearer ••••");
    let replay = ok(
        &app,
        "POST",
        &format!("/v1/inboxes/auth/captures/{id}/replay"),
        None,
        200,
    )
    .await;
    assert_eq!(
        rx.hits()[1].header("authorization"),
        Some("Bearer sk_live_hush")
    );
    hides(&replay);
    assert_eq!(header(&replay, "authorization"), "Bearer ••••");
    for path in [
        format!("/v1/inboxes/auth/captures/{id}"),
        "/v1/inboxes/auth/captures".to_owned(),
        "/v1/inboxes/auth".to_owned(),
        "/v1/inboxes".to_owned(),
    ] {
        hides(&ok(&app, "GET", &path, None, 200).await);
    }
    let shown = ok(&app, "GET", "/v1/inboxes/auth/captures", None, 200).await;
    assert_eq!(header(&shown[0], "authorization"), "Bearer ••••");
    assert_eq!(
        header(&shown[0]["replays"][0], "cookie"),
        "session=••••; theme=••••"
    );
}

#[tokio::test]
async fn a_delivery_id_is_checked_against_every_earlier_capture_of_the_inbox() {
    let app = started(&config()).await;
    ok(
        &app,
        "PUT",
        "/v1/inboxes/big",
        Some(json!({"scheme": "standard", "secret": STANDARD_SECRET})),
        201,
    )
    .await;
    let sign = |id: &str, body: &[u8]| signed(Scheme::Standard, STANDARD_SECRET, body, id, now());
    let first = br#"{"type":"order.paid"}"#;
    let c = deliver(&app, "big", &sign("msg_first", first), first).await;
    assert_eq!(c["delivery_id"], "msg_first");
    assert_eq!(rule(&c, "id_unique"), "pass");
    // More captures than a listing returns come after it.
    let filler = br#"{"type":"ping"}"#;
    for i in 0..1000 {
        let headers = sign(&format!("msg_{i}"), filler);
        let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(post_in(&app, "big", &h, filler).await.0, 200);
    }
    let listed = ok(
        &app,
        "GET",
        "/v1/inboxes/big/captures?limit=1000",
        None,
        200,
    )
    .await;
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["delivery_id"] != "msg_first"));
    let other = br#"{"type":"order.refunded"}"#;
    let reused = deliver(&app, "big", &sign("msg_first", other), other).await;
    assert_eq!(rule(&reused, "id_unique"), "fail", "{reused}");
    let retry = deliver(&app, "big", &sign("msg_0", filler), filler).await;
    assert_eq!(rule(&retry, "id_unique"), "pass", "{retry}");
}

#[tokio::test]
async fn serve_records_the_address_a_capture_came_from() {
    let (mut child, base) = spawn_serve(["--memory"]);
    let res = reqwest::Client::new()
        .post(format!("{base}/in/peer"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let list = http_json(
        reqwest::Method::GET,
        format!("{base}/v1/inboxes/peer/captures"),
        None,
    )
    .await;
    child.kill().unwrap();
    child.wait().unwrap();
    let remote = list["data"][0]["remote_addr"].as_str().unwrap_or_default();
    assert!(remote.starts_with("127.0.0.1:"), "{list}");
}

/// The next `n` capture events of a `/v1/stream` response, in the order told.
async fn captures_told(stream: &mut reqwest::Response, n: usize) -> Vec<Value> {
    let mut text = String::new();
    tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            let chunk = stream.chunk().await.unwrap().expect("stream open");
            text.push_str(&String::from_utf8_lossy(&chunk));
            let told: Vec<Value> = text
                .split("\n\n")
                .filter(|b| {
                    b.lines()
                        .any(|l| l.strip_prefix("event:").map(str::trim) == Some("capture"))
                })
                .filter_map(|b| b.lines().find_map(|l| l.strip_prefix("data:")))
                .filter_map(|d| serde_json::from_str(d.trim()).ok())
                .collect();
            if told.len() >= n {
                return told;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{n} capture events within 10 s"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn captures_arriving_together_are_stored_and_told_in_id_order_and_one_id_is_first() {
    let app = std::sync::Arc::new(started(&config()).await);
    let addr = serve(&app);
    ok(
        &app,
        "PUT",
        "/v1/inboxes/together",
        Some(json!({"scheme": "standard", "secret": STANDARD_SECRET})),
        201,
    )
    .await;
    let mut stream = reqwest::get(format!("http://{addr}/v1/stream"))
        .await
        .unwrap();
    const COPIES: usize = 40;
    // One delivery id, a body of its own each: the first to arrive is the delivery, each
    // other reuses its id for another body.
    let posts: Vec<_> = (0..COPIES)
        .map(|i| {
            let app = std::sync::Arc::clone(&app);
            tokio::spawn(async move {
                let body = format!(r#"{{"type":"order.paid","n":{i}}}"#);
                let headers = signed(
                    Scheme::Standard,
                    STANDARD_SECRET,
                    body.as_bytes(),
                    "msg_twice",
                    now(),
                );
                let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
                post_in(&app, "together", &h, body.as_bytes()).await.0
            })
        })
        .collect();
    for p in posts {
        assert_eq!(p.await.unwrap(), 200);
    }
    let told = captures_told(&mut stream, COPIES).await;
    let ids: Vec<&str> = told.iter().map(|c| c["id"].as_str().unwrap()).collect();
    // Told in id order: a wait that goes by ids (`after=`) misses none.
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    // Exactly one is the first; every other reuses its delivery id.
    let first: Vec<&str> = told
        .iter()
        .filter(|c| rule(c, "id_unique") == "pass")
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(first, [ids[0]]);
}

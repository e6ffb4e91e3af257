//! README.md's Rust snippet (between `#region` and `#endregion`), run on a delivery signed
//! here: `cargo run -p hookproof --example readme`.

// #region rust
use hookproof::{Scheme, Webhook};

fn handle(body: &[u8], headers: &http::HeaderMap) -> Result<(), hookproof::Error> {
    let wh = Webhook::new(Scheme::Standard, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
    let verified = wh.verify(body, headers)?; // id and timestamp of the delivery
    println!("delivery {:?}", verified.id);
    Ok(())
}
// #endregion

fn main() -> Result<(), hookproof::Error> {
    let body = br#"{"type":"order.paid","data":{"amount":42}}"#;
    let provider = Webhook::new(Scheme::Standard, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs();
    let mut headers = http::HeaderMap::new();
    for (name, value) in provider.sign(body, "msg_readme", now as i64)? {
        headers.insert(name, value.parse().expect("a header value"));
    }
    handle(body, &headers)?;
    headers.insert("webhook-id", "msg_other".parse().expect("a header value"));
    assert_eq!(
        handle(body, &headers).unwrap_err().code(),
        "no_matching_signature"
    );
    Ok(())
}

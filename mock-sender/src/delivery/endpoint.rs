//! Where a request goes: a user's URL parsed once into hyper's target and the credentials
//! of its userinfo (`https://user:p%40ss@host/hooks`), sent as curl and the providers send
//! them, `Authorization: Basic base64(user:password)`. hyper drops userinfo, so without
//! this a receiver behind Basic auth would answer 401 forever.

use base64::Engine as _;
use hyper::Uri;
use percent_encoding::percent_decode_str;

/// The header the URL's credentials go in.
pub const AUTHORIZATION: &str = "authorization";

/// A URL ready to send to.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The URL without its userinfo: the request line and `Host` never carry it.
    pub uri: Uri,
    /// `Basic base64(user:password)` when the URL has userinfo.
    pub authorization: Option<String>,
}

impl Endpoint {
    /// The `Authorization` value the URL adds to a request with `headers`: none when they
    /// already have one, since a header given explicitly wins (as curl's `-H` wins over
    /// the URL's userinfo).
    pub fn authorization_for(&self, headers: &[(String, String)]) -> Option<&str> {
        let given = headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case(AUTHORIZATION));
        self.authorization.as_deref().filter(|_| !given)
    }

    /// `headers` with the URL's credentials put first (where curl puts them), unless they
    /// have an `Authorization` of their own: what the request sends, so what a log of it
    /// shows (masked: `crate::mask`).
    pub fn authorize(&self, headers: &mut Vec<(String, String)>) {
        if let Some(value) = self.authorization_for(headers) {
            headers.insert(0, (AUTHORIZATION.to_owned(), value.to_owned()));
        }
    }
}

/// Parses `url` as the API checked it (`url::Url`: an absolute http(s) URL, the host
/// normalised) into what hyper sends to, its userinfo taken out as credentials.
pub fn parse_url(url: &str) -> Option<Endpoint> {
    let mut parsed = url::Url::parse(url).ok()?;
    let authorization = take_credentials(&mut parsed);
    Some(Endpoint {
        uri: parsed.as_str().parse().ok()?,
        authorization,
    })
}

/// Takes the userinfo out of `url` and returns the `Authorization` it stands for:
/// `Basic base64(user:password)`, both percent-decoded (`p%40ss` is `p@ss`; a user alone
/// has an empty password, as curl sends it). `None` when there is no userinfo.
pub fn take_credentials(url: &mut url::Url) -> Option<String> {
    if url.username().is_empty() && url.password().is_none() {
        return None;
    }
    let mut pair: Vec<u8> = percent_decode_str(url.username()).collect();
    pair.push(b':');
    pair.extend(percent_decode_str(url.password().unwrap_or("")));
    // Only a URL without a host cannot lose its userinfo, and such a URL cannot have one.
    let _ = url.set_password(None);
    let _ = url.set_username("");
    Some(format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(s: &str) -> (String, String) {
        let (n, v) = s.split_once(": ").unwrap();
        (n.into(), v.into())
    }

    #[test]
    fn userinfo_becomes_basic_credentials_and_leaves_the_target() {
        let e = parse_url("https://user:p%40ss@example.com/hooks?a=1").unwrap();
        assert_eq!(e.uri.to_string(), "https://example.com/hooks?a=1");
        assert_eq!(e.authorization.as_deref(), Some("Basic dXNlcjpwQHNz"));
        let e = parse_url("http://ghp_abc@127.0.0.1:8080").unwrap();
        assert_eq!(e.uri.to_string(), "http://127.0.0.1:8080/");
        // ghp_abc: (curl's empty password)
        assert_eq!(e.authorization.as_deref(), Some("Basic Z2hwX2FiYzo="));
        let e = parse_url("http://:s%3Acret@h/").unwrap();
        assert_eq!(e.authorization.as_deref(), Some("Basic OnM6Y3JldA=="));
        let e = parse_url("http://h/a@b").unwrap();
        assert_eq!(e.uri.to_string(), "http://h/a@b");
        assert_eq!(e.authorization, None);
        assert!(parse_url("not a url").is_none());
    }

    #[test]
    fn an_authorization_given_explicitly_wins() {
        let e = parse_url("http://u:p@h/").unwrap();
        let mut headers = vec![pair("content-type: application/json")];
        e.authorize(&mut headers);
        assert_eq!(
            headers,
            [
                pair("authorization: Basic dTpw"),
                pair("content-type: application/json")
            ]
        );
        let mut given = vec![pair("Authorization: Bearer t")];
        e.authorize(&mut given);
        assert_eq!(given, [pair("Authorization: Bearer t")]);
        assert_eq!(e.authorization_for(&given), None);
        let plain = parse_url("http://h/").unwrap();
        let mut none = vec![];
        plain.authorize(&mut none);
        assert!(none.is_empty());
    }
}

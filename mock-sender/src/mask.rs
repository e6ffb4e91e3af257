//! Credentials, masked wherever they are shown: those a request carries in its headers
//! (`Authorization`, `Proxy-Authorization`, `Cookie`), in its URL's userinfo
//! (`http://user:pass@host/`) and in its query string (`?token=`, `api_key=`, ...). They are
//! kept exact where they are stored, since a delivery, forward or replay must send them,
//! and pass through here on the way to every view: the API, `/v1/stream` (so the dashboard
//! and the CLI, which read the API), the sender's logs and its printed lines.

/// Headers whose values are masked when shown.
pub const HEADERS: [&str; 3] = ["authorization", "proxy-authorization", "cookie"];

/// What stands for a hidden value.
pub const MASK: &str = "••••";

/// Query parameters whose values are masked when shown, by name, case-insensitive (a name
/// ending in `_token`, `_secret`, `_key`, `_password` or `_signature` too, `-` read as `_`).
pub const QUERY_NAMES: [&str; 10] = [
    "token",
    "access_token",
    "api_key",
    "apikey",
    "key",
    "secret",
    "signature",
    "sig",
    "password",
    "passwd",
];

/// `headers` with the credentials' values masked: `Bearer ••••` (the scheme word kept),
/// `session=••••; theme=••••` (cookie names kept), other headers as they are.
pub fn headers(headers: &[(String, String)]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let shown = if name.eq_ignore_ascii_case("cookie") {
                mask_cookies(value)
            } else if HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h)) {
                mask_credentials(value)
            } else {
                value.clone()
            };
            (name.clone(), shown)
        })
        .collect()
}

/// `url` as it may be shown: the userinfo's password masked (`http://user:••••@host/`; a
/// user alone, which is often a token, masked whole: `http://••••@host/`) and the query's
/// credentials (`query`); the rest as written, unparsed, so a URL shows as it was given.
pub fn url(url: &str) -> String {
    let (before_fragment, fragment) = match url.find('#') {
        Some(i) => url.split_at(i),
        None => (url, ""),
    };
    let (before_query, query_part) = match before_fragment.find('?') {
        Some(i) => (&before_fragment[..i], Some(&before_fragment[i + 1..])),
        None => (before_fragment, None),
    };
    let mut out = String::with_capacity(url.len());
    let authority_start = before_query.find("://").map_or(0, |i| i + 3);
    let authority_end = before_query[authority_start..]
        .find('/')
        .map_or(before_query.len(), |i| authority_start + i);
    let authority = &before_query[authority_start..authority_end];
    out.push_str(&before_query[..authority_start]);
    match authority.rfind('@') {
        Some(at) => {
            match authority[..at].split_once(':') {
                Some((user, _)) => {
                    out.push_str(user);
                    out.push(':');
                    out.push_str(MASK);
                }
                None => out.push_str(MASK),
            }
            out.push_str(&authority[at..]);
        }
        None => out.push_str(authority),
    }
    out.push_str(&before_query[authority_end..]);
    if let Some(q) = query_part {
        out.push('?');
        out.push_str(&query(q));
    }
    out.push_str(fragment);
    out
}

/// A query string (without `?`) as it may be shown: the values of the parameters
/// `QUERY_NAMES` names masked (`token=••••`), the others and the order kept.
pub fn query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) if !value.is_empty() && secret_param(name) => {
                format!("{name}={MASK}")
            }
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn secret_param(name: &str) -> bool {
    let name: String = percent_decoded(name)
        .chars()
        .map(|c| {
            if c == '-' {
                '_'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    QUERY_NAMES.contains(&name.as_str())
        || ["_token", "_secret", "_key", "_password", "_signature"]
            .iter()
            .any(|end| name.ends_with(end))
}

fn percent_decoded(name: &str) -> String {
    url::form_urlencoded::parse(format!("{name}=").as_bytes())
        .next()
        .map_or_else(|| name.to_owned(), |(n, _)| n.into_owned())
}

/// `Bearer abc` -> `Bearer ••••`; a value that is one word (a bare token) is all masked.
fn mask_credentials(value: &str) -> String {
    match value.trim().split_once(' ') {
        // An auth scheme is a short token (RFC 9110 11.1): `Bearer`, `Basic`, `token`, ...
        Some((scheme, _))
            if scheme.len() <= 16
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_')) =>
        {
            format!("{scheme} {MASK}")
        }
        _ => MASK.to_owned(),
    }
}

/// `a=1; b=2` -> `a=••••; b=••••`.
fn mask_cookies(value: &str) -> String {
    value
        .split(';')
        .map(|pair| match pair.trim().split_once('=') {
            Some((name, _)) => format!("{}={MASK}", name.trim()),
            None => MASK.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(name: &str, value: &str) -> String {
        headers(&[(name.into(), value.into())]).remove(0).1
    }

    #[test]
    fn credentials_are_masked_and_the_rest_kept() {
        assert_eq!(shown("authorization", "Bearer sk_live_123"), "Bearer ••••");
        assert_eq!(shown("Authorization", "Basic dXNlcjpwYXNz"), "Basic ••••");
        assert_eq!(shown("authorization", "sk_live_123"), "••••");
        assert_eq!(shown("authorization", "a=b c"), "••••");
        assert_eq!(shown("proxy-authorization", "Basic eA=="), "Basic ••••");
        assert_eq!(
            shown("cookie", "session=abc; theme=dark"),
            "session=••••; theme=••••"
        );
        assert_eq!(shown("cookie", "opaque"), "••••");
        assert_eq!(shown("x-hub-signature-256", "sha256=ab"), "sha256=ab");
    }

    #[test]
    fn a_url_shows_without_its_credentials() {
        let cases = [
            ("http://user:pass@host/in", "http://user:••••@host/in"),
            ("https://ghp_abc@host:8443", "https://••••@host:8443"),
            ("http://u:p:q@h/a@b", "http://u:••••@h/a@b"),
            ("http://host/a?token=x&b=1", "http://host/a?token=••••&b=1"),
            (
                "http://h/?Access_Token=1&API_KEY=2&key=3&secret=4&signature=5&sig=6&password=7",
                "http://h/?Access_Token=••••&API_KEY=••••&key=••••&secret=••••&signature=••••&sig=••••&password=••••",
            ),
            ("http://h/?client_secret=a&x-api-key=b&monkey=c", "http://h/?client_secret=••••&x-api-key=••••&monkey=c"),
            ("http://h/?token=&token", "http://h/?token=&token"),
            ("http://h/p#token=x", "http://h/p#token=x"),
            ("http://a:b@h/p?sig=1#f", "http://a:••••@h/p?sig=••••#f"),
            ("http://127.0.0.1:3000/hooks", "http://127.0.0.1:3000/hooks"),
            ("not a url", "not a url"),
        ];
        for (given, shown) in cases {
            assert_eq!(url(given), shown, "{given}");
        }
        assert_eq!(
            query("a=1&Token=2&tok%65n=3"),
            "a=1&Token=••••&tok%65n=••••"
        );
    }
}

//! The credentials a captured request carries for its own sender (`Authorization`,
//! `Proxy-Authorization`, `Cookie`): kept exact in the capture, since a forward or replay
//! must send them on, and masked wherever a capture is shown (the API, `/v1/stream`, the
//! dashboard and the `inbox` command all read the API).

/// Headers whose values are masked when shown.
pub const HEADERS: [&str; 3] = ["authorization", "proxy-authorization", "cookie"];

/// What stands for a hidden value.
pub const MASK: &str = "••••";

/// `headers` with the credentials' values masked: `Bearer ••••` (the scheme word kept),
/// `session=••••; theme=••••` (cookie names kept), other headers as they are.
pub fn masked(headers: &[(String, String)]) -> Vec<(String, String)> {
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
        masked(&[(name.into(), value.into())]).remove(0).1
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
}

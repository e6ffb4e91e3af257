//! `hookproof-sender doctor`: why a captured request does (not) verify, from its headers
//! as copied from a log and its raw body, via `hookproof::Webhook::diagnose`.

use hookproof::{Diagnosis, Scheme};

/// `Name: value` pairs from a captured request's header block. Blank lines are ignored,
/// and so is a request line (`POST /hooks HTTP/1.1`) or status line before the first
/// header, and HTTP/2 pseudo-headers (`:method: POST`). Any other line without a
/// `Name:` is an error naming its line number.
pub fn parse_headers(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut headers = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with(':') {
            continue;
        }
        match line.split_once(':') {
            Some((name, value)) if is_token(name) => {
                headers.push((name.to_owned(), value.trim().to_owned()));
            }
            _ if headers.is_empty() && is_start_line(line) => {}
            _ => return Err(format!("line {}: not a `Name: value` header", i + 1)),
        }
    }
    Ok(headers)
}

/// An HTTP header name: visible ASCII without separators.
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// `METHOD TARGET HTTP/x` or `HTTP/x STATUS ...`.
fn is_start_line(line: &str) -> bool {
    let mut words = line.split_whitespace();
    let first = words.next().unwrap_or("");
    first.starts_with("HTTP/")
        || (first.bytes().all(|b| b.is_ascii_uppercase())
            && words.nth(1).is_some_and(|v| v.starts_with("HTTP/")))
}

/// The report in plain words: a verdict line, then one line per finding.
pub fn report(scheme: Scheme, detected: bool, d: &Diagnosis) -> String {
    let how = if detected {
        "detected from the headers"
    } else {
        "as given"
    };
    let mut out = if d.verified {
        format!("verified: the signature matches ({scheme} scheme, {how})\n")
    } else {
        format!(
            "not verified ({scheme} scheme, {how}): {}: {}\n",
            d.code.unwrap_or("error"),
            d.message.as_deref().unwrap_or("")
        )
    };
    for f in &d.findings {
        out.push_str(&format!("  {}: {}\n", f.kind, f.message));
    }
    if !d.verified && d.findings.is_empty() {
        out.push_str(
            "  no known mistake explains it: check that the secret is this endpoint's \
             (and current) and that the body file holds the exact bytes received\n",
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_from_a_log() {
        let text = "POST /hooks HTTP/1.1\r\nHost: x:1\r\n\r\nStripe-Signature:  t=1,v1=ab \n";
        let h = parse_headers(text).unwrap();
        assert_eq!(
            h,
            [
                ("Host".to_string(), "x:1".to_string()),
                ("Stripe-Signature".to_string(), "t=1,v1=ab".to_string())
            ]
        );
        assert!(
            parse_headers("POST http://x:8/h HTTP/1.1\n:method: POST\nA: b")
                .is_ok_and(|h| h.len() == 1)
        );
        assert_eq!(
            parse_headers("A: b\nnot a header").unwrap_err(),
            "line 2: not a `Name: value` header"
        );
        assert!(parse_headers("A: b\nPOST /x HTTP/1.1").is_err());
    }
}

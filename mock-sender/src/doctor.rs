//! `hookproof-sender doctor`: why a captured request does (not) verify, from its headers
//! as copied from a log and its raw body, via `hookproof::Webhook::diagnose`.

use hookproof::{Diagnosis, HeaderBlock, Scheme};

/// `Name: value` pairs from a captured request's header block, read as the playground
/// reads a pasted one ([`HeaderBlock::parse`]: a request line, `curl -v` prefixes, blank
/// lines and HTTP/2 pseudo-headers are fine; a repeated name's values are joined). A line
/// that is not a header is an error naming its line number: the doctor checks exactly the
/// headers given.
pub fn parse_headers(text: &str) -> Result<Vec<(String, String)>, String> {
    let block = HeaderBlock::parse(text);
    match block.skipped.first() {
        Some((line, _)) => Err(format!("line {line}: not a `Name: value` header")),
        None => Ok(block.headers),
    }
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

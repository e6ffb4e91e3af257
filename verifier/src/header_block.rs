//! Headers pasted as text: a request's header block as copied from a log, a terminal
//! (`curl -v`) or a browser's network panel. The one reading of such text for the sender's
//! `doctor` command and the playground (through the npm package's tools module).

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;
use serde::Serialize;

use crate::Headers;

/// What [`HeaderBlock::parse`] read from pasted text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HeaderBlock {
    /// Each header once, in the order first seen, named as first written: a name repeated
    /// (in any case) has its values joined with `", "`, as HTTP joins them.
    pub headers: Vec<(String, String)>,
    /// The lines that are not headers (line number from 1, the line as written): what a
    /// tool shows as ignored, or refuses.
    pub skipped: Vec<(usize, String)>,
}

impl HeaderBlock {
    /// Reads `Name: value` lines. Names are HTTP tokens; values are trimmed. Tolerated
    /// without a word in `skipped`: CRLF line ends, blank lines, indentation, `curl -v`'s
    /// `> ` and `< ` prefixes, a request or status line (`POST /hook HTTP/1.1`) before the
    /// first header, and HTTP/2 pseudo-headers (`:method: POST`). Every other line is
    /// `skipped`.
    ///
    /// ```
    /// use hookproof::HeaderBlock;
    /// let block = HeaderBlock::parse("> POST /hook HTTP/1.1\r\n> Webhook-Id: msg_1\r\n> x: 1\r\n> X: 2\r\n");
    /// assert_eq!(block.headers, [("Webhook-Id".into(), "msg_1".into()), ("x".into(), "1, 2".into())]);
    /// assert!(block.skipped.is_empty());
    /// ```
    pub fn parse(text: &str) -> HeaderBlock {
        let mut block = HeaderBlock::default();
        for (i, raw) in text.split('\n').enumerate() {
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            let content = without_curl_prefix(line).trim_ascii();
            if content.is_empty() || content.starts_with(':') {
                continue;
            }
            match content.split_once(':') {
                Some((name, value)) if is_token(name.trim_ascii()) => {
                    block.add(name.trim_ascii(), value.trim_ascii());
                }
                _ if block.headers.is_empty() && is_start_line(content) => {}
                _ => block.skipped.push((i + 1, line.to_owned())),
            }
        }
        block
    }

    fn add(&mut self, name: &str, value: &str) {
        match self
            .headers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some((_, joined)) => {
                joined.push_str(", ");
                joined.push_str(value);
            }
            None => self.headers.push((name.to_owned(), value.to_owned())),
        }
    }
}

impl Headers for HeaderBlock {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.as_slice().header(name)
    }
}

/// The line without `curl -v`'s `> ` (request) or `< ` (response) marker.
fn without_curl_prefix(line: &str) -> &str {
    let rest = line.trim_start_matches([' ', '\t']);
    match rest.strip_prefix(['>', '<']) {
        Some(after) => after.strip_prefix(' ').unwrap_or(after),
        None => line,
    }
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
    let mut words = line.split_ascii_whitespace();
    let first = words.next().unwrap_or("");
    first.starts_with("HTTP/")
        || (first.bytes().all(|b| b.is_ascii_uppercase())
            && words.nth(1).is_some_and(|v| v.starts_with("HTTP/")))
}

#[cfg(test)]
mod tests {
    use super::HeaderBlock;
    use alloc::borrow::ToOwned;
    use alloc::format;
    use alloc::string::String;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    fn pairs(block: &HeaderBlock) -> Vec<(&str, &str)> {
        block
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect()
    }

    #[test]
    fn a_log_with_a_request_line_crlf_and_blank_lines() {
        let block = HeaderBlock::parse(
            "POST /hooks HTTP/1.1\r\nHost: x:1\r\n\r\nStripe-Signature:  t=1,v1=ab \n",
        );
        assert_eq!(
            pairs(&block),
            [("Host", "x:1"), ("Stripe-Signature", "t=1,v1=ab")]
        );
        assert!(block.skipped.is_empty());
    }

    #[test]
    fn curl_verbose_prefixes_indentation_and_pseudo_headers() {
        let text = "* Connected to localhost\n> POST /h HTTP/1.1\n>  Host: x\n< HTTP/1.1 200 OK\n\
                    \t:method: POST\n    webhook-id: msg_1\n";
        let block = HeaderBlock::parse(text);
        assert_eq!(pairs(&block), [("Host", "x"), ("webhook-id", "msg_1")]);
        // The info line comes first; the status line after a header is not a header.
        assert_eq!(
            block.skipped,
            [
                (1, "* Connected to localhost".to_owned()),
                (4, "< HTTP/1.1 200 OK".to_owned())
            ]
        );
    }

    #[test]
    fn repeated_names_join_as_http_does() {
        let block = HeaderBlock::parse("Webhook-Signature: v1,a\nwebhook-signature: v1,b\n");
        assert_eq!(pairs(&block), [("Webhook-Signature", "v1,a, v1,b")]);
    }

    #[test]
    fn lines_that_are_not_headers_are_skipped_with_their_numbers() {
        let block =
            HeaderBlock::parse("A: b\nnot a header\n\"quoted\": x\nna me: v\nPOST /x HTTP/1.1");
        assert_eq!(pairs(&block), [("A", "b")]);
        let lines: Vec<usize> = block.skipped.iter().map(|(n, _)| *n).collect();
        assert_eq!(lines, [2, 3, 4, 5]);
        assert_eq!(block.skipped[0].1, "not a header");
    }

    proptest! {
        // Headers written out as lines (CRLF, a request line first) read back as they were,
        // repeated names joined.
        #[test]
        fn written_headers_read_back(
            headers in prop::collection::vec(("[A-Za-z][A-Za-z0-9-]{0,12}", "[ -~]{0,20}"), 0..8),
        ) {
            let text: String = core::iter::once("POST /hook HTTP/1.1\r\n".to_owned())
                .chain(headers.iter().map(|(n, v)| format!("{n}: {v}\r\n")))
                .collect();
            let mut want = HeaderBlock::default();
            for (n, v) in &headers {
                want.add(n, v.trim_ascii());
            }
            prop_assert_eq!(HeaderBlock::parse(&text), want);
        }

        #[test]
        fn any_text_reads_as_tokens_and_skipped_lines(text in "[ -~\t\r\n<>:é]{0,80}") {
            let block = HeaderBlock::parse(&text);
            prop_assert!(block.headers.iter().all(|(n, _)| !n.is_empty() && n.is_ascii()));
            let lines = text.split('\n').count();
            prop_assert!(block.skipped.iter().all(|(n, _)| (1..=lines).contains(n)));
        }
    }

    #[test]
    fn any_text_parses_without_panicking() {
        let texts: [String; 4] = [
            "é: ü\n\u{a0}: x".into(),
            ">".into(),
            "<\r".into(),
            ":\n::\nA:".into(),
        ];
        for text in &texts {
            let block = HeaderBlock::parse(text);
            assert!(block.headers.iter().all(|(n, _)| !n.is_empty()));
        }
        assert_eq!(pairs(&HeaderBlock::parse("A:")), [("A", "")]);
    }
}

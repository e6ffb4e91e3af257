//! What the client commands print: aligned tables for a person, with colour on a terminal
//! (none when piped or when `NO_COLOR` is set), and every text from the API escaped.

use std::io::IsTerminal;

use serde_json::Value;

/// Whether to colour: stdout is a terminal and `NO_COLOR` is unset or empty.
#[derive(Clone, Copy)]
pub struct Style {
    colour: bool,
}

impl Style {
    pub fn detect() -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            colour: std::io::stdout().is_terminal() && !no_color,
        }
    }

    /// `text` in SGR `code` (e.g. "32" green, "1" bold), or as it is without colour.
    pub fn paint(self, code: &str, text: &str) -> String {
        if self.colour && !code.is_empty() {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

/// The colour of a delivery status or an attempt outcome.
pub fn status_colour(status: &str) -> &'static str {
    match status {
        "success" => "32",
        "pending" | "rejected" => "33",
        "" => "",
        _ => "31",
    }
}

/// One cell: its text (escaped) and colour.
pub struct Cell {
    text: String,
    colour: &'static str,
}

impl Cell {
    pub fn new(text: impl AsRef<str>) -> Cell {
        Cell {
            text: printable(text.as_ref(), 120),
            colour: "",
        }
    }

    pub fn coloured(text: impl AsRef<str>, colour: &'static str) -> Cell {
        Cell {
            colour,
            ..Cell::new(text)
        }
    }
}

/// `rows` under `headers`, columns aligned on the text's width (colour codes aside).
pub fn table(style: Style, headers: &[&str], rows: &[Vec<Cell>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.text.chars().count());
            }
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, cells: Vec<(String, &str)>| {
        let last = cells.len().saturating_sub(1);
        for (i, (text, colour)) in cells.into_iter().enumerate() {
            let pad = if i == last {
                0
            } else {
                widths[i] - text.chars().count() + 2
            };
            out.push_str(&style.paint(colour, &text));
            out.extend(std::iter::repeat_n(' ', pad));
        }
        out.push('\n');
    };
    line(
        &mut out,
        headers.iter().map(|h| (h.to_string(), "1")).collect(),
    );
    for row in rows {
        line(
            &mut out,
            row.iter().map(|c| (c.text.clone(), c.colour)).collect(),
        );
    }
    out
}

/// A JSON value as a cell's text: strings bare, null as `-`.
pub fn text(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// `2025-01-02T03:04:05.678Z` as `03:04:05` (the time of day, UTC).
pub fn clock(v: &Value) -> String {
    match v.as_str() {
        Some(t) if t.len() >= 19 => t[11..19].to_owned(),
        _ => text(v),
    }
}

/// The first `max` characters of `text` (from a receiver or the API), control characters
/// escaped: its bytes must not move the cursor, retitle the terminal or fake a line of
/// output.
pub fn printable(text: &str, max: usize) -> String {
    let mut shown = String::new();
    for c in text.chars().take(max) {
        if c.is_control() {
            shown.extend(c.escape_default());
        } else {
            shown.push(c);
        }
    }
    shown
}

/// Pretty JSON, for `--json`.
pub fn json(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receivers_answer_is_printed_escaped() {
        let shown = printable("no\x1b]0;title\x07\nattempt 9/9: ok", 200);
        assert_eq!(shown, "no\\u{1b}]0;title\\u{7}\\nattempt 9/9: ok");
        assert_eq!(
            printable("é".repeat(300).as_str(), 200).chars().count(),
            200
        );
    }

    #[test]
    fn tables_align_without_colour_codes() {
        let rows = vec![
            vec![Cell::new("wh_1"), Cell::coloured("success", "32")],
            vec![Cell::new("wh_22222"), Cell::coloured("failed", "31")],
        ];
        let plain = table(Style { colour: false }, &["ID", "STATUS"], &rows);
        assert_eq!(
            plain,
            "ID        STATUS\nwh_1      success\nwh_22222  failed\n"
        );
        let coloured = table(Style { colour: true }, &["ID", "STATUS"], &rows);
        assert!(coloured.contains("\x1b[32msuccess\x1b[0m"));
        assert!(coloured.contains("\x1b[1mID\x1b[0m        "));
    }
}

//! Paths into a payload (`data.object.lines.data[0].amount`) and the `--override`
//! edits that set them.

use serde_json::Value;

/// One `path=value` edit of a fixture. The value is JSON if it parses as JSON, else
/// the text as a string.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    pub path: String,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OverrideError {
    #[error("`{0}` is not path=value")]
    NotPathValue(String),
    #[error("`{path}`: the fixture has no `{missing}`")]
    UnknownPath { path: String, missing: String },
    #[error("`{0}`: not a path (dotted keys and [n] indexes)")]
    BadPath(String),
    #[error("the catalog has no {event} event for the {profile} profile")]
    NoFixture { profile: String, event: String },
}

impl Override {
    /// An edit setting `path` (dotted keys and `[n]` indexes) to `value`.
    pub fn new(path: &str, value: Value) -> Result<Override, OverrideError> {
        segments(path)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| OverrideError::BadPath(path.to_owned()))?;
        Ok(Override {
            path: path.to_owned(),
            value,
        })
    }
}

/// `path=value`.
pub fn parse_override(text: &str) -> Result<Override, OverrideError> {
    let (path, value) = text
        .split_once('=')
        .filter(|(p, _)| !p.is_empty())
        .ok_or_else(|| OverrideError::NotPathValue(text.to_owned()))?;
    let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()));
    Override::new(path, value)
}

#[derive(Debug, Clone, PartialEq)]
enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// `a.b[2].c` as its keys and indexes; `""` is no segment (the whole value).
fn segments(path: &str) -> Option<Vec<Seg<'_>>> {
    let mut out = Vec::new();
    if path.is_empty() {
        return Some(out);
    }
    for part in path.split('.') {
        let (key, mut rest) = part.split_at(part.find('[').unwrap_or(part.len()));
        if !key.is_empty() {
            out.push(Seg::Key(key));
        } else if rest.is_empty() {
            return None;
        }
        while !rest.is_empty() {
            let close = rest.find(']')?;
            let n = rest.get(1..close)?.parse().ok()?;
            out.push(Seg::Index(n));
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return None;
            }
        }
    }
    Some(out)
}

/// The value at `path`, if there is one.
pub fn get<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    segments(path)?.iter().try_fold(v, |v, seg| match seg {
        Seg::Key(k) => v.get(k),
        Seg::Index(i) => v.get(i),
    })
}

pub fn get_mut<'a>(v: &'a mut Value, path: &str) -> Option<&'a mut Value> {
    segments(path)?.iter().try_fold(v, |v, seg| match seg {
        Seg::Key(k) => v.get_mut(k),
        Seg::Index(i) => v.get_mut(i),
    })
}

/// The schema of the value at `path` of a value `schema` describes (`properties` and
/// `items` followed).
pub fn schema_at<'a>(schema: &'a Value, path: &str) -> Option<&'a Value> {
    segments(path)?.iter().try_fold(schema, |s, seg| match seg {
        Seg::Key(k) => s.get("properties")?.get(k),
        Seg::Index(_) => s.get("items"),
    })
}

/// Sets every override's path; each path must exist in `v`.
pub fn apply(v: &mut Value, overrides: &[Override]) -> Result<(), OverrideError> {
    for o in overrides {
        let segs = segments(&o.path).ok_or_else(|| OverrideError::BadPath(o.path.clone()))?;
        let mut at = &mut *v;
        let mut walked = String::new();
        for seg in &segs {
            match seg {
                Seg::Key(k) => {
                    if !walked.is_empty() {
                        walked.push('.');
                    }
                    walked.push_str(k);
                }
                Seg::Index(i) => walked.push_str(&format!("[{i}]")),
            }
            let next = match seg {
                Seg::Key(k) => at.get_mut(k),
                Seg::Index(i) => at.get_mut(i),
            };
            at = next.ok_or_else(|| OverrideError::UnknownPath {
                path: o.path.clone(),
                missing: walked.clone(),
            })?;
        }
        *at = o.value.clone();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_take_keys_and_indexes() {
        let v = json!({"a": {"b": [{"c": 1}, {"c": 2}]}, "m": [[5]]});
        assert_eq!(get(&v, "a.b[1].c"), Some(&json!(2)));
        assert_eq!(get(&v, "m[0][0]"), Some(&json!(5)));
        assert_eq!(get(&v, ""), Some(&v));
        assert_eq!(get(&v, "a.x"), None);
        assert!(segments("a..b").is_none());
        assert!(segments("a[x]").is_none());
        assert!(segments("a[1]b").is_none());
    }

    #[test]
    fn overrides_take_json_or_text_and_name_an_unknown_path() {
        let mut v = json!({"a": {"n": 1, "s": "x", "l": [0, 0]}});
        let o =
            ["a.n=2", "a.s=hello world", "a.l[1]={\"k\":true}"].map(|t| parse_override(t).unwrap());
        apply(&mut v, &o).unwrap();
        assert_eq!(
            v,
            json!({"a": {"n": 2, "s": "hello world", "l": [0, {"k": true}]}})
        );
        let err = apply(&mut v, &[parse_override("a.nope.x=1").unwrap()]).unwrap_err();
        assert_eq!(err.to_string(), "`a.nope.x`: the fixture has no `a.nope`");
        assert!(parse_override("novalue").is_err());
        assert!(parse_override("=1").is_err());
        assert_eq!(
            Override::new("a[x]", json!(1)),
            Err(OverrideError::BadPath("a[x]".into()))
        );
        assert!(
            Override::new("", json!(1)).is_err(),
            "the whole body is no path"
        );
    }
}

//! Read-only access to request headers, whatever the HTTP library.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
#[cfg(not(all(target_arch = "wasm32", feature = "npm", not(feature = "tools"))))]
use std::collections::HashMap;

/// Request headers, looked up by name without regard to case.
///
/// Implemented for `http::HeaderMap` (feature `http`, on by default), for slices and
/// vectors of `(name, value)` pairs, and for `HashMap`/`BTreeMap` with `String` or `&str`
/// keys. A header sent more than once is one value here: join the values with `", "` (as
/// HTTP does, and as Node and the Fetch API's `Headers` do) to have every signature in it
/// checked. `http::HeaderMap` keeps them apart, and its impl reads the first.
pub trait Headers {
    /// The value of the header `name` (ASCII, any case), if present and valid UTF-8.
    fn header(&self, name: &str) -> Option<&str>;
}

impl<T: Headers + ?Sized> Headers for &T {
    fn header(&self, name: &str) -> Option<&str> {
        (**self).header(name)
    }
}

impl<K: AsRef<str>, V: AsRef<str>> Headers for [(K, V)] {
    fn header(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

impl<K: AsRef<str>, V: AsRef<str>, const N: usize> Headers for [(K, V); N] {
    fn header(&self, name: &str) -> Option<&str> {
        self.as_slice().header(name)
    }
}

impl<K: AsRef<str>, V: AsRef<str>> Headers for Vec<(K, V)> {
    fn header(&self, name: &str) -> Option<&str> {
        self.as_slice().header(name)
    }
}

#[cfg(not(all(target_arch = "wasm32", feature = "npm", not(feature = "tools"))))]
impl<K: AsRef<str>, V: AsRef<str>, S> Headers for HashMap<K, V, S>
where
    S: std::hash::BuildHasher,
{
    fn header(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

impl<K: AsRef<str>, V: AsRef<str>> Headers for BTreeMap<K, V> {
    fn header(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

#[cfg(feature = "http")]
impl Headers for http::HeaderMap {
    fn header(&self, name: &str) -> Option<&str> {
        // HeaderMap names are stored lower-case; `get` with a &str lower-cases the lookup.
        // Not `HeaderValue::to_str`, which refuses anything but visible ASCII.
        self.get(name)
            .and_then(|v| core::str::from_utf8(v.as_bytes()).ok())
    }
}

//! The static files, read from disk on every request (pkg/gen is built after the
//! sender): `/` the dashboard, `/playground` the playground, `/www/*` and top-level
//! names the `www/` folder (the pages use relative URLs), `/pkg/src/*` and `/pkg/gen/*`
//! the npm package's browser build, so `../pkg/src/browser.mjs` and what it loads
//! (`./wasm.mjs`, `./api.mjs`, `../gen/hookproof_tools.mjs`, `../gen/hookproof_tools_bg.wasm`)
//! resolve.

use std::path::{Path, PathBuf};

use warp::http::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use warp::http::StatusCode;
use warp::path::FullPath;
use warp::reply::Response;
use warp::{Filter, Reply};

use super::filters::Route;

pub fn routes(www: &Path, pkg: &Path) -> Route {
    // `/playground/` would match the route below, but the page's relative URLs would then
    // resolve under `/playground/` and 404: send the browser to `/playground` instead.
    let playground_slash = warp::get()
        .and(warp::path::full())
        .and(raw_query())
        .and_then(|path: FullPath, query: String| async move {
            if path.as_str().len() > "/playground".len()
                && path.as_str().trim_end_matches('/') == "/playground"
            {
                Ok(redirect(&format!("/playground{query}")))
            } else {
                Err(warp::reject::not_found())
            }
        });
    let dashboard = warp::path::end().and(warp::fs::file(www.join("dashboard.html")));
    let playground = warp::path!("playground").and(warp::fs::file(www.join("index.html")));
    let www_dir = warp::path("www").and(warp::fs::dir(www.to_path_buf()));
    let pkg_src = warp::path!("pkg" / "src" / ..).and(warp::fs::dir(pkg.join("src")));
    let pkg_gen = warp::path!("pkg" / "gen" / ..).and(warp::fs::dir(pkg.join("gen")));
    let top = warp::fs::dir(PathBuf::from(www));
    let files = dashboard
        .or(playground)
        .unify()
        .or(www_dir)
        .unify()
        .or(pkg_src)
        .unify()
        .or(pkg_gen)
        .unify()
        .or(top)
        .unify()
        .map(typed);
    playground_slash
        .or(files)
        .unify()
        // A missing file is a plain 404, never a 405 hiding an API route's answer.
        .or_else(|_| async { Err(warp::reject::not_found()) })
        .boxed()
}

/// `?` and the query string, or nothing.
fn raw_query() -> impl Filter<Extract = (String,), Error = std::convert::Infallible> + Clone {
    warp::query::raw()
        .map(|q: String| format!("?{q}"))
        .or(warp::any().map(String::new))
        .unify()
}

/// A redirect to `location` (a path on this origin).
fn redirect(location: &str) -> Response {
    let mut res = StatusCode::MOVED_PERMANENTLY.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        res.headers_mut().insert(LOCATION, value);
    }
    res
}

/// Content types browsers insist on for modules and wasm; no caching, since these are
/// files being worked on.
fn typed(file: warp::fs::File) -> Response {
    let ext = file
        .path()
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let content_type = match ext.as_str() {
        "mjs" | "js" => Some("text/javascript; charset=utf-8"),
        "wasm" => Some("application/wasm"),
        "html" => Some("text/html; charset=utf-8"),
        "css" => Some("text/css; charset=utf-8"),
        "json" => Some("application/json"),
        _ => None,
    };
    let mut res = file.into_response();
    if let Some(ct) = content_type {
        res.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(ct));
    }
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

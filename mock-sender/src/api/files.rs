//! The static files: `/` the dashboard, `/playground` the playground, `/www/*` and
//! top-level names the `www/` folder (the pages use relative URLs), `/pkg/src/*` and
//! `/pkg/gen/*` the npm package's browser build, so `../pkg/src/browser.mjs` and what it
//! loads (`./wasm.mjs`, `./api.mjs`, `./replay.mjs`, `../gen/schemes.mjs`,
//! `../gen/hookproof_tools.mjs`, `../gen/hookproof_tools_bg.wasm`) resolve.
//!
//! They are built into the binary (`embedded`), so an installed sender serves its
//! dashboard from any folder; `--www DIR` / `--pkg DIR` serve a folder from disk instead,
//! read on every request, for working on the pages.

use std::path::{Path, PathBuf};

use warp::http::header::{
    HeaderValue, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, LOCATION,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use warp::http::StatusCode;
use warp::path::{FullPath, Tail};
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use super::filters::Route;

/// The pages' policy: everything from their own origin only (the API, `/v1/stream`, the
/// npm package's modules); the playground compiles the wasm module ('wasm-unsafe-eval');
/// no page may frame them (clickjacking).
const PAGE_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; connect-src 'self'; img-src 'self' data:; object-src 'none'; \
    base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

mod embedded {
    //! The repository's `www/` and the npm package's browser build, as they were when the
    //! sender was compiled (build.rs rebuilds it when they change). `pkg/gen` is made by
    //! `scripts/build-pkg.sh`: a sender built before it has no `Gen` files.

    #[derive(rust_embed::Embed)]
    #[folder = "../www"]
    #[exclude = "README.md"]
    pub struct Www;

    #[derive(rust_embed::Embed)]
    #[folder = "../pkg/src"]
    #[include = "*.mjs"]
    pub struct PkgSrc;

    // Only what the browser entry loads; the Node entries' base64 copies stay out.
    #[derive(rust_embed::Embed)]
    #[folder = "../pkg/gen"]
    #[include = "schemes.mjs"]
    #[include = "hookproof_tools.mjs"]
    #[include = "hookproof_tools_bg.wasm"]
    #[allow_missing = true]
    pub struct Gen;
}

/// Where one folder of pages comes from.
#[derive(Clone)]
enum Source {
    /// Built into the binary: a lookup by relative path.
    Embedded(fn(&str) -> Option<rust_embed::EmbeddedFile>),
    /// A folder on disk (`--www`, `--pkg`).
    Disk(PathBuf),
}

/// Whether this binary carries the playground's wasm (pkg/gen existed when it was built).
pub fn has_playground_wasm() -> bool {
    embedded::Gen::get("hookproof_tools_bg.wasm").is_some()
}

pub fn routes(www: Option<&Path>, pkg: Option<&Path>) -> Route {
    let www = match www {
        Some(dir) => Source::Disk(dir.to_path_buf()),
        None => Source::Embedded(embedded::Www::get),
    };
    let (src, gen) = match pkg {
        Some(dir) => (Source::Disk(dir.join("src")), Source::Disk(dir.join("gen"))),
        None => (
            Source::Embedded(embedded::PkgSrc::get),
            Source::Embedded(embedded::Gen::get),
        ),
    };
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
    let dashboard = warp::path::end().and(file(&www, "dashboard.html"));
    let playground = warp::path!("playground").and(file(&www, "index.html"));
    let www_dir = warp::path("www").and(dir(&www));
    let pkg_src = warp::path!("pkg" / "src" / ..).and(dir(&src));
    let pkg_gen = warp::path!("pkg" / "gen" / ..).and(dir(&gen).or(missing_gen(&gen)).unify());
    let files = dashboard
        .or(playground)
        .unify()
        .or(www_dir)
        .unify()
        .or(pkg_src)
        .unify()
        .or(pkg_gen)
        .unify()
        .or(dir(&www))
        .unify();
    playground_slash
        .or(files)
        .unify()
        // A missing file is a plain 404, never a 405 hiding an API route's answer.
        .or_else(|_| async { Err(warp::reject::not_found()) })
        .boxed()
}

/// The file `name` of `source`, at the route's end.
fn file(source: &Source, name: &'static str) -> Route {
    match source {
        Source::Disk(dir) => warp::fs::file(dir.join(name)).map(from_disk).boxed(),
        Source::Embedded(get) => {
            let get = *get;
            get_or_head()
                .and(if_none_match())
                .and_then(move |etag: Option<String>| async move {
                    serve_embedded(get, name, etag.as_deref())
                })
                .boxed()
        }
    }
}

/// The folder `source`, by the rest of the path (`index.html` for a folder's own path).
fn dir(source: &Source) -> Route {
    match source {
        Source::Disk(dir) => warp::fs::dir(dir.clone()).map(from_disk).boxed(),
        Source::Embedded(get) => {
            let get = *get;
            get_or_head()
                .and(warp::path::tail())
                .and(if_none_match())
                .and_then(move |tail: Tail, etag: Option<String>| async move {
                    let name = match tail.as_str() {
                        "" => "index.html".to_owned(),
                        t if t.ends_with('/') => format!("{t}index.html"),
                        t => t.to_owned(),
                    };
                    serve_embedded(get, &name, etag.as_deref())
                })
                .boxed()
        }
    }
}

/// A file read from disk, its Content-Type set by its extension.
fn from_disk(f: warp::fs::File) -> Response {
    let ext = extension(f.path());
    typed(f.into_response(), &ext)
}

/// GET or HEAD: the methods an embedded file answers.
fn get_or_head() -> impl Filter<Extract = (), Error = Rejection> + Clone {
    warp::get().or(warp::head()).unify()
}

/// The request's `If-None-Match`, for an embedded file's ETag.
fn if_none_match() -> impl Filter<Extract = (Option<String>,), Error = Rejection> + Clone {
    warp::header::optional::<String>("if-none-match")
}

/// Under `/pkg/gen/`, in a sender compiled before `scripts/build-pkg.sh` made pkg/gen: a
/// 404 that says so, where the playground's module load fails.
fn missing_gen(gen: &Source) -> Route {
    let built_without = matches!(gen, Source::Embedded(_)) && !has_playground_wasm();
    warp::any()
        .and_then(move || async move {
            if built_without {
                let mut res = Response::new(GEN_MISSING.into());
                *res.status_mut() = StatusCode::NOT_FOUND;
                res.headers_mut().insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                );
                Ok(res)
            } else {
                Err(warp::reject::not_found())
            }
        })
        .boxed()
}

const GEN_MISSING: &str = "This hookproof-sender was compiled without the npm package's \
browser build (pkg/gen), so the playground cannot load its verifier. Run \
`bash scripts/build-pkg.sh`, then build the sender again (or serve --pkg pkg).\n";

fn serve_embedded(
    get: fn(&str) -> Option<rust_embed::EmbeddedFile>,
    name: &str,
    if_none_match: Option<&str>,
) -> Result<Response, Rejection> {
    // rust-embed's lookup is by exact name: `..` and absolute paths name nothing.
    let file = get(name).ok_or_else(warp::reject::not_found)?;
    let etag = format!(
        "\"{}\"",
        file.metadata
            .sha256_hash()
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let mut res = if if_none_match == Some(etag.as_str()) {
        let mut res = Response::new(Vec::new().into());
        *res.status_mut() = StatusCode::NOT_MODIFIED;
        res
    } else {
        Response::new(match file.data {
            std::borrow::Cow::Borrowed(bytes) => bytes.into(),
            std::borrow::Cow::Owned(bytes) => bytes.into(),
        })
    };
    if let Ok(value) = HeaderValue::from_str(&etag) {
        res.headers_mut().insert(ETAG, value);
    }
    let ext = extension(Path::new(name));
    Ok(typed(res, &ext))
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

fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Content types browsers insist on for modules and wasm, never sniffed; no caching, since
/// these are files being worked on (an embedded file's ETag makes the revalidation cheap);
/// the pages' policy and no framing on HTML.
fn typed(mut res: Response, ext: &str) -> Response {
    let content_type = match ext {
        "mjs" | "js" => Some("text/javascript; charset=utf-8"),
        "wasm" => Some("application/wasm"),
        "html" => Some("text/html; charset=utf-8"),
        "css" => Some("text/css; charset=utf-8"),
        "json" => Some("application/json"),
        _ => None,
    };
    if let Some(ct) = content_type {
        res.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(ct));
    }
    let headers = res.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if ext == "html" {
        headers.insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_POLICY),
        );
        headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    res
}

//! Native verify throughput of the crate, per scheme and body size.
//!
//! `cargo bench -p hookproof --bench verify` (full), or with a filter and a shorter
//! budget: `cargo bench -p hookproof --bench verify -- standard --warm-up-time 0.2 --measurement-time 1`.
//! The JS harness (bench/run.mjs) measures the same operation through wasm.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use hookproof::{Scheme, Webhook};

const SIZES: [usize; 5] = [256, 1024, 16 * 1024, 64 * 1024, 1024 * 1024];
const NOW: i64 = 1_700_000_000;

/// A JSON body of exactly `size` bytes (the signature does not care, but keep it realistic).
fn body(size: usize) -> Vec<u8> {
    let head = br#"{"type":"invoice.paid","data":{"pad":""#;
    let tail = br#""}}"#;
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(head);
    while out.len() + tail.len() < size {
        out.push(b'a' + (out.len() % 26) as u8);
    }
    out.extend_from_slice(tail);
    out.truncate(size.max(head.len() + tail.len()));
    out
}

fn schemes() -> [(&'static str, Webhook); 3] {
    [
        (
            "standard",
            Webhook::new(Scheme::Standard, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap(),
        ),
        (
            "stripe",
            Webhook::new(Scheme::Stripe, "whsec_bench_stripe_secret").unwrap(),
        ),
        (
            "github",
            Webhook::new(Scheme::Github, "bench github secret").unwrap(),
        ),
    ]
}

fn verify(c: &mut Criterion) {
    for (name, wh) in schemes() {
        let mut group = c.benchmark_group(format!("verify/{name}"));
        for size in SIZES {
            let body = body(size);
            let headers = wh.sign(&body, "msg_bench", NOW).unwrap();
            wh.verify_at(&body, &headers, NOW).unwrap();
            group.throughput(Throughput::Bytes(size as u64));
            group.bench_with_input(BenchmarkId::from_parameter(size), &body, |b, body| {
                b.iter(|| {
                    wh.verify_at(black_box(body), black_box(&headers), NOW)
                        .unwrap()
                })
            });
        }
        group.finish();
    }
}

/// Keying (HMAC pads) per secret: what `Webhook::new` costs, paid once per endpoint.
fn keying(c: &mut Criterion) {
    c.bench_function("new/standard", |b| {
        b.iter(|| {
            Webhook::new(
                Scheme::Standard,
                black_box("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
            )
            .unwrap()
        })
    });
}

criterion_group!(benches, verify, keying);
criterion_main!(benches);

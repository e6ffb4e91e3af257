//! A verify with MAC keys allocates nothing (the wasm module's hot path; issue 5): counted
//! by a global allocator. The only test in this binary, so no other test allocates meanwhile.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use hookproof::{Scheme, Webhook};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; it only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[test]
fn verifying_allocates_nothing() {
    let body = br#"{"id":"evt_1","object":"event"}"#;
    // Schemes without a delivery id (`Verified::id` would be a String), with one secret
    // and with a rotation's two, matching and not.
    for scheme in [Scheme::Stripe, Scheme::Slack, Scheme::Generic] {
        for secrets in [&["whsec_a"][..], &["whsec_old", "whsec_a"]] {
            let wh = Webhook::with_secrets(scheme, secrets).unwrap();
            let headers = Webhook::new(scheme, "whsec_a")
                .unwrap()
                .sign(body, "msg_1", 1_700_000_000)
                .unwrap();
            let before = ALLOCATIONS.load(Ordering::SeqCst);
            for _ in 0..10 {
                wh.verify_at(body, &headers, 1_700_000_000).unwrap();
                let err = wh.verify_at(b"{}", &headers, 1_700_000_000).unwrap_err();
                assert_eq!(err.code(), "no_matching_signature");
            }
            let after = ALLOCATIONS.load(Ordering::SeqCst);
            assert_eq!(after - before, 0, "{scheme} with {} secrets", secrets.len());
        }
    }
}

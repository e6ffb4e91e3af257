//! What std would provide to the npm package's verify module, which is built without it
//! (the `npm` feature without `tools`). Issue 5's size goal: std's panic machinery and the
//! `core::fmt` it brings were ~3 kB of the module.

/// A panic traps, with no message to format. The verifier does not panic on any input
/// (bounds are checked, growth is fallible); this is the backstop, as it was with std
/// under `panic = "abort"`.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

/// The allocator std would install (dlmalloc, as a crate). `lol_alloc`'s free list, ~6 kB
/// smaller (the 20 kB gzip goal met), was tried and not kept: in the bench harness's
/// long-running Node 20 process the module's SHA-256 then ran at the lower of that
/// runtime's two speeds in 8 runs of 8 (337–350 MB/s), where dlmalloc builds did in 2 of
/// 10 (the others 370–378); fresh processes, Node 24, Deno and workerd showed no difference.
/// The cause was not found (BENCHMARKS.md, 2026-11-24).
#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

//! What std would provide to the npm package's verify module, which is built without it
//! (the `npm` feature without `tools`): std's panic machinery and the `core::fmt` it brings
//! would be ~3 kB of the module.

/// A panic traps, with no message to format. The verifier does not panic on any input
/// (bounds are checked, growth is fallible); this is the backstop, as it was with std
/// under `panic = "abort"`.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

/// Talc instead of the dlmalloc std would install: ~2 kB of wasm where dlmalloc takes ~7.5 kB
/// (it keeps the module under 20 kB gzipped). It grows
/// wasm memory only when no free chunk fits, extending the heap it has.
/// `disable-realloc-in-place`: a grown block is always moved, which costs only when the
/// request buffer or the verifiers' table outgrows itself.
///
/// Its SHA-256 speed is the same in fresh processes. In the bench harness's long-running
/// Node 20 process, which runs this module at one of two speeds for every build (cause not
/// found), it lands on the slower one in about a third of runs, dlmalloc in one of ten;
/// `lol_alloc`'s free list, smaller still, landed there every time, so it is not used.
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

// Source of dist/index.cjs: the Node entry, bundled by esbuild into CommonJS (the wasm
// is inlined there too, so the bundle is self-contained).
export * from "./node.mjs";

// The same declarations for ES module importers: index.d.ts is read as CommonJS (the
// package has no "type": "module"), where a default import would type-check.
export * from "./index.js";

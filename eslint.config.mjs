// ESLint (flat config): the recommended rules for every JS file of the repo. Formatting
// is prettier's job (scripts/test.sh runs both).
import js from "@eslint/js";
import globals from "globals";

export default [
  {
    ignores: [
      "node_modules/",
      "target/",
      "pkg/gen/",
      "pkg/dist/",
      "bench/results/",
      "tests/artifacts/",
      "verifier/fuzz/",
      "**/.wrangler/",
    ],
  },
  js.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: "latest",
      sourceType: "module",
      globals: { ...globals.node, ...globals.browser, Deno: "readonly", Bun: "readonly" },
    },
    rules: {
      // `catch {}` and `_`-prefixed names mark what is ignored on purpose.
      "no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs" },
  },
];

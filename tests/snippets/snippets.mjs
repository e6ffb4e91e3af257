// The READMEs' code blocks and the files they come from. A block of code is preceded by
// a marker naming its source, a whole file or one region of it:
//
//   <!-- snippet: examples/express.mjs -->
//   <!-- snippet: examples/api.mjs#api -->      (between `// #region api` and `// #endregion`)
//
// readme.test.mjs checks that every block is its source, byte for byte; the sources are
// type-checked and run by tests/snippets/run.sh. `node tests/snippets/snippets.mjs --write`
// rewrites the blocks from their sources after an edit.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const READMES = ["README.md", "pkg/README.md", "mock-sender/README.md"];
const MARKER = /^<!-- snippet: (\S+?)(?:#(\S+))? -->$/;
/** The fence language each source file's extension calls for. */
export const LANGUAGE = { mjs: "js", js: "js", cjs: "js", ts: "ts", rs: "rust", jsonc: "jsonc" };

/**
 * Every fenced block of `markdown`: { lang, start, end, text, source, region } with
 * `start`/`end` the indices of the fence lines and `source`/`region` from the marker line
 * just before the opening fence (undefined without one).
 */
export function blocks(markdown) {
  const lines = markdown.split("\n");
  const found = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)/.exec(lines[i]);
    if (!open) continue;
    let end = i + 1;
    while (end < lines.length && lines[end] !== "```") end++;
    if (end === lines.length) throw new Error(`unclosed code block at line ${i + 1}`);
    const marker = i > 0 ? MARKER.exec(lines[i - 1]) : null;
    found.push({
      lang: open[1],
      start: i,
      end,
      line: i + 1,
      text: lines.slice(i + 1, end).join("\n"),
      source: marker?.[1],
      region: marker?.[2],
    });
    i = end;
  }
  return found;
}

/** A source file, or its region `name` (dedented), as a README block shows it. */
export function sourceText(path, region) {
  const text = readFileSync(join(ROOT, path), "utf8").replace(/\n+$/, "");
  if (region === undefined) return text;
  const lines = text.split("\n");
  const from = lines.findIndex((l) => l.trim() === `// #region ${region}`);
  const to = lines.findIndex((l, i) => i > from && l.trim() === "// #endregion");
  if (from < 0 || to < 0) throw new Error(`${path}: no region ${region} (// #region ${region} ... // #endregion)`);
  const body = lines.slice(from + 1, to);
  const indent = Math.min(...body.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  return body.map((l) => l.slice(indent)).join("\n");
}

/** The fence language a source file needs. */
export function languageOf(path) {
  return LANGUAGE[path.split(".").pop()];
}

/** `markdown` with every marked block replaced by its source. */
export function rewrite(markdown) {
  const lines = markdown.split("\n");
  for (const block of blocks(markdown).reverse()) {
    if (block.source === undefined) continue;
    lines.splice(block.start + 1, block.end - block.start - 1, ...sourceText(block.source, block.region).split("\n"));
  }
  return lines.join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === "--write") {
  for (const readme of READMES) {
    const path = join(ROOT, readme);
    const before = readFileSync(path, "utf8");
    const after = rewrite(before);
    if (after !== before) {
      writeFileSync(path, after);
      console.log(`rewrote ${readme}'s blocks from their sources`);
    }
  }
}

// Every code block of README.md, pkg/README.md and mock-sender/README.md is a tested
// file or a checked command: JS, TS and Rust blocks are their source under examples/ (or
// verifier/examples/), byte for byte (run.sh type-checks and runs those); shell blocks
// name only hookproof-sender subcommands and flags that its --help lists, scripts and
// paths that exist, and JSON that parses; JSON blocks parse.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { READMES, ROOT, blocks, languageOf, sourceText } from "./snippets.mjs";

const SENDER = process.env.HOOKPROOF_SENDER ?? join(ROOT, "target/debug/hookproof-sender");

function readmeBlocks() {
  return READMES.flatMap((readme) =>
    blocks(readFileSync(join(ROOT, readme), "utf8")).map((b) => ({ ...b, where: `${readme}:${b.line}` })),
  );
}

test("every JS, TS and Rust block is its source file (node tests/snippets/snippets.mjs --write)", () => {
  const code = readmeBlocks().filter((b) => !["sh", "json"].includes(b.lang));
  assert.ok(code.length >= 15, `only ${code.length} code blocks found`);
  for (const block of code) {
    assert.ok(block.source, `${block.where}: a \`\`\`${block.lang} block without a <!-- snippet: FILE --> marker`);
    assert.equal(block.lang, languageOf(block.source), `${block.where}: the fence's language for ${block.source}`);
    const expected = sourceText(block.source, block.region);
    assert.equal(
      block.text,
      expected,
      `${block.where} differs from ${block.source}${block.region ? "#" + block.region : ""}`,
    );
  }
});

test("JSON blocks parse (a lone member is read inside braces)", () => {
  for (const block of readmeBlocks().filter((b) => b.lang === "json")) {
    const text = block.text.trim().startsWith('"') ? `{${block.text}}` : block.text;
    assert.doesNotThrow(() => JSON.parse(text), `${block.where}: not JSON`);
  }
});

/** The words of one shell command line, quotes removed; a `#` comment ends it. */
function words(line) {
  const out = [];
  let word = null;
  let quote = null;
  for (const c of line) {
    if (quote) {
      if (c === quote) quote = null;
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= "";
    } else if (/\s/.test(c)) {
      if (word !== null) out.push(word);
      word = null;
    } else if (c === "#" && word === null) {
      break;
    } else {
      word = (word ?? "") + c;
    }
  }
  if (word !== null) out.push(word);
  return out;
}

/** The commands of a shell block: continuation lines joined, comment lines dropped. */
function commands(text) {
  return text
    .replace(/\\\n/g, " ")
    .split("\n")
    .filter((l) => l.trim() && !l.trim().startsWith("#"))
    .map(words);
}

/** The arguments given to hookproof-sender in a command, or null when it is not run. */
function senderArgs(argv) {
  if (argv[0] === "npm") return null; // installing the package, not running it
  const direct = argv.findIndex((w) => /(^|\/)hookproof-sender$/.test(w) && argv[argv.indexOf(w) - 1] !== "-p");
  if (direct >= 0) return argv.slice(direct + 1);
  if (argv[0] === "cargo" && argv[1] === "run" && argv.includes("hookproof-sender") && argv.includes("--")) {
    return argv.slice(argv.indexOf("--") + 1);
  }
  return null;
}

const helps = new Map();
function help(subcommand) {
  if (!helps.has(subcommand)) {
    const args = subcommand ? [...subcommand.split(" "), "--help"] : ["--help"];
    helps.set(subcommand, execFileSync(SENDER, args, { encoding: "utf8", timeout: 10_000 }));
  }
  return helps.get(subcommand);
}

test("shell blocks: hookproof-sender's subcommands and flags, scripts, paths and JSON exist", () => {
  assert.ok(existsSync(SENDER), `build the sender first (cargo build -p hookproof-sender): ${SENDER}`);
  let senderCommands = 0;
  for (const block of readmeBlocks().filter((b) => b.lang === "sh")) {
    for (const argv of commands(block.text)) {
      const where = `${block.where}: ${argv.join(" ")}`;
      const args = senderArgs(argv);
      if (args) {
        senderCommands++;
        let [subcommand, ...rest] = args;
        assert.match(help(""), new RegExp(`^  ${subcommand} `, "m"), `${where}: no subcommand ${subcommand}`);
        // A client command's own subcommand (`webhooks create`): its flags are in its help.
        if (rest[0] && /^[a-z]+$/.test(rest[0]) && new RegExp(`^  ${rest[0]} `, "m").test(help(subcommand))) {
          subcommand = `${subcommand} ${rest.shift()}`;
        }
        for (const arg of rest) {
          const flag = /^\[?(--[a-z0-9-]+)/.exec(arg)?.[1];
          if (flag)
            assert.ok(
              help(subcommand).includes(`${flag} `) || help(subcommand).includes(`${flag}\n`),
              `${where}: ${subcommand} has no ${flag}`,
            );
        }
      }
      if (argv[0] === "bash") assert.ok(existsSync(join(ROOT, argv[1])), `${where}: no ${argv[1]}`);
      if (argv[0] === "cargo" && argv[1] === "install") {
        assert.ok(existsSync(join(ROOT, argv[argv.indexOf("--path") + 1])), `${where}: no such path`);
      }
      if (argv[0] === "curl") {
        for (const [i, w] of argv.entries()) {
          if (w === "-d" || w === "--data")
            assert.doesNotThrow(() => JSON.parse(argv[i + 1]), `${where}: -d is not JSON`);
        }
      }
    }
  }
  assert.ok(senderCommands >= 10, `only ${senderCommands} hookproof-sender commands found`);
});

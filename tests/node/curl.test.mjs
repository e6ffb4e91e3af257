// www/curl.mjs: the curl commands of the playground and the dashboard, run by bash's curl
// against a loopback server, send the body byte for byte and the headers in order, for
// any text: quotes, shell characters, Unicode, control characters, a NUL.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import { promisify } from "node:util";
import { curlCommand, shellQuote } from "../../www/curl.mjs";

const run = promisify(execFile);
const received = [];
const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    received.push({ method: req.method, url: req.url, raw: req.rawHeaders, body: Buffer.concat(chunks) });
    res.end("ok");
  });
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
after(() => new Promise((ok) => server.close(ok)));
const url = `http://127.0.0.1:${server.address().port}/hook?a=1&b='2'`;

/** What bash makes of `command`'s request. */
async function sent(command) {
  const before = received.length;
  await run("bash", ["-c", command], { timeout: 10_000 });
  assert.equal(received.length, before + 1);
  return received.at(-1);
}

test("a word is quoted for the shell whatever it holds", async () => {
  for (const word of ["plain", "it's", 'a "b" $HOME `ls` \\ \n', "tab\tcr\r\x7f esc\x1b", "é 🎉"]) {
    const { stdout } = await run("bash", ["-c", `printf %s ${shellQuote(word)}`]);
    assert.equal(stdout, word, shellQuote(word));
  }
  assert.equal(shellQuote("plain"), "plain");
  assert.equal(shellQuote("tab\there"), "$'tab\\x09here'");
});

test("exact: the body's bytes and the headers in order, nothing of curl's own but Host and Content-Length", async () => {
  const headers = [
    ["Content-Type", "application/json"],
    ["webhook-id", "msg_1"],
    ["x-empty", ""],
    ["x-quoted", `a'b "c" $d`],
  ];
  const bodies = [
    `{"a":"it's \\"q\\" $HOME \`ls\` é 🎉"}\n\t\r end\\x`,
    "nul\0here \\0 %s %b \\n",
    "x".repeat(5000), // past the size at which curl would send Expect: 100-continue
  ];
  for (const body of bodies) {
    const r = await sent(curlCommand(url, headers, body, { exact: true }));
    assert.equal(r.method, "POST");
    assert.equal(r.url, "/hook?a=1&b='2'");
    assert.ok(r.body.equals(Buffer.from(body)), JSON.stringify(r.body.toString()));
    const pairs = [];
    for (let i = 0; i < r.raw.length; i += 2) pairs.push([r.raw[i], r.raw[i + 1]]);
    assert.deepEqual(pairs, [
      ["Host", new URL(url).host],
      ...headers,
      ["Content-Length", String(Buffer.byteLength(body))],
    ]);
  }
});

test("the playground's command adds a JSON content type and takes an object", async () => {
  const r = await sent(curlCommand(url, { "x-sig": "v1,abc" }, '{"a":1}'));
  assert.equal(r.body.toString(), '{"a":1}');
  const names = r.raw.filter((_, i) => i % 2 === 0).map((k) => k.toLowerCase());
  assert.ok(names.includes("content-type") && names.includes("x-sig"), names.join());
});

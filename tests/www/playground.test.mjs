// The playground (www/index.html) in Chromium: the published Standard Webhooks vector
// verifies; one changed body byte gives no_matching_signature; a stale timestamp gives
// timestamp_too_old with the age in words; the sign tab's output verifies back; a pasted
// curl command is read; a null JSON header is none; "now" is refused past 15 digits; after a
// trap in the page's wasm module, the next call runs on a new instance.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { serveStatic } from "./static-server.mjs";
import { launch, loopbackOnly, ROOT, ARTIFACTS } from "./browser.mjs";
import { readFileSync } from "node:fs";
import { initSync } from "../../pkg/gen/hookproof_tools.mjs";
import { parseHeaders, shellWords, unixSeconds } from "../../www/parse.mjs";

// parse.mjs reads header lines with the tools module, which the page's package import
// instantiates; here, this does.
initSync({ module: readFileSync(join(ROOT, "pkg/gen/hookproof_tools_bg.wasm")) });

const VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  body: '{"test": 2432232314}',
  headers: [
    "webhook-id: msg_p5jXN8AQM9LWM0D4loKWxJek",
    "webhook-timestamp: 1614265330",
    "webhook-signature: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
  ].join("\n"),
  timestamp: 1614265330,
};

let server, url, browser, page, outside;
before(async () => {
  ({ server, url } = await serveStatic(ROOT));
  browser = await launch();
  outside = await loopbackOnly(browser.context);
  page = await browser.context.newPage();
  await page.goto(`${url}/www/`);
  await page.waitForSelector("html[data-ready=true]");
});
after(async () => {
  await browser?.close();
  server?.close();
});

async function fill({
  secret = VECTOR.secret,
  headers = VECTOR.headers,
  body = VECTOR.body,
  now,
  tolerance = "300",
  scheme = "auto",
}) {
  await page.selectOption("#v-scheme", scheme);
  await page.fill("#v-tolerance", tolerance);
  await page.fill("#v-now", now === undefined ? "" : String(now));
  await page.fill("#v-secret", secret);
  await page.fill("#v-headers", headers);
  await page.fill("#v-body", body);
}

async function verdict() {
  // The page verifies synchronously on every input event, so this is the current verdict.
  await page.waitForFunction(() => document.querySelector("#v-result").dataset.state !== "idle");
  return page.$eval("#v-result", (el) => ({ state: el.dataset.state, code: el.dataset.code, text: el.innerText }));
}

test("a known-good Standard Webhooks delivery shows verified", async () => {
  await fill({ now: VECTOR.timestamp });
  const r = await verdict();
  assert.equal(r.state, "verified", r.text);
  assert.equal(r.code, "verified");
  assert.match(r.text, /Verified/);
  assert.match(await page.innerText("#v-facts"), /standard \(detected\)/);
  await page.screenshot({ path: join(ARTIFACTS, "playground.png"), fullPage: true });
});

test("the same with one body byte changed shows no_matching_signature", async () => {
  await fill({ now: VECTOR.timestamp, body: VECTOR.body.replace("4}", "5}") });
  const r = await verdict();
  assert.equal(r.state, "failed");
  assert.equal(r.code, "no_matching_signature");
  assert.match(r.text, /no_matching_signature/);
  assert.match(r.text, /exact raw bytes/);
  await page.screenshot({ path: join(ARTIFACTS, "playground-no-match.png"), fullPage: true });
});

test("a v1a (Ed25519) delivery verifies with the whpk_ public key", async () => {
  // node:crypto's signature (verifier/tests/asymmetric.rs): the browser's module checks it.
  const headers = [
    "webhook-id: msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
    "webhook-timestamp: 1674087231",
    "webhook-signature: v1a,Z3F95vJ8Lt/I8cPLteXoDouIk/Ce9DPXzKaVtHpHjmUp4N486bKWJG7j8BGNf3C0MvQRpSiN5vybZDFyx2tmCg==",
  ].join("\n");
  const signed = { headers, now: 1674087231, body: '{"type":"user.created","data":{"id":1}}' };
  await fill({ ...signed, secret: "whpk_HPrKjlN28DWaN5yx0n+RYd/7CqfvSKFqEGsKKtfsWac=" });
  const r = await verdict();
  assert.equal(r.state, "verified", r.text);
  await fill({ ...signed, secret: VECTOR.secret });
  assert.equal((await verdict()).code, "invalid_header");
});

test("the signature doctor names a re-serialized body and an added newline", async () => {
  await fill({ now: VECTOR.timestamp, body: '{"test":2432232314}' });
  let r = await verdict();
  assert.equal(r.code, "no_matching_signature");
  assert.deepEqual(await page.$$eval("#v-findings li", (lis) => lis.map((li) => li.dataset.kind)), [
    "body_reserialized",
  ]);
  assert.match(r.text, /Likely cause:\s+the body was re-serialized/);
  await page.screenshot({ path: join(ARTIFACTS, "playground-doctor.png"), fullPage: true });
  await fill({ now: VECTOR.timestamp, body: VECTOR.body + "\n" });
  r = await verdict();
  assert.deepEqual(await page.$$eval("#v-findings li", (lis) => lis.map((li) => li.dataset.kind)), [
    "trailing_newline_added",
  ]);
});

test("a stale timestamp shows timestamp_too_old, in words", async () => {
  await fill({ now: VECTOR.timestamp + 412 });
  const r = await verdict();
  assert.equal(r.state, "failed");
  assert.equal(r.code, "timestamp_too_old");
  assert.match(r.text, /timestamp is 412 s old; tolerance is 300 s/);
  await page.screenshot({ path: join(ARTIFACTS, "playground-stale.png"), fullPage: true });
  // Raising the tolerance makes it verify.
  await page.fill("#v-tolerance", "600");
  await page.waitForFunction(() => document.querySelector("#v-result").dataset.code === "verified");
});

test("headers copied from a log with noise, and the current clock", async () => {
  // A stale delivery against the real clock (empty "now") is too old.
  await fill({
    headers: `> POST /hook HTTP/1.1\r\n> Host: example\r\n> ${VECTOR.headers.replace(/\n/g, "\r\n> ")}\r\n`,
  });
  const r = await verdict();
  assert.equal(r.code, "timestamp_too_old");
  // "Use the delivery's timestamp" sets now and it verifies.
  await page.click("#v-now-from-headers");
  await page.waitForFunction(() => document.querySelector("#v-result").dataset.code === "verified");
  assert.equal(await page.inputValue("#v-now"), String(VECTOR.timestamp));
});

test("sign tab: every scheme's headers and curl command verify back", async () => {
  await page.click("#tab-sign");
  assert.equal(await page.isVisible("#panel-sign"), true);
  for (const scheme of ["standard", "stripe", "github", "slack", "shopify"]) {
    await page.selectOption("#s-scheme", scheme);
    await page.fill("#s-body", `{"scheme":"${scheme}","quote":"it's"}`);
    const headers = await page.innerText("#s-headers");
    const curl = await page.innerText("#s-curl");
    assert.match(curl, /^curl -sS -X POST http:\/\/localhost:3000\/webhook/);
    assert.match(curl, /--data-binary '\{"scheme":"[a-z]+","quote":"it'\\''s"\}'/);
    await page.click("#s-to-verify");
    await page.waitForFunction(() => document.querySelector("#v-result").dataset.state !== "idle");
    const r = await page.$eval("#v-result", (el) => ({ code: el.dataset.code, text: el.innerText }));
    assert.equal(r.code, "verified", `${scheme}: ${r.text}\n${headers}`);
    await page.click("#tab-sign");
  }
  await page.screenshot({ path: join(ARTIFACTS, "playground-sign.png"), fullPage: true });
});

// ----------------------------------------------------------- pasted curl commands, JSON, "now"
test("parse.mjs: curl words, null JSON values, Unix seconds", () => {
  assert.deepEqual(shellWords(`curl -H 'a: b' --header "c: \\"d\\"" \\\n --data-raw $'x\\ny' e\\ f`), [
    "curl",
    "-H",
    "a: b",
    "--header",
    'c: "d"',
    "--data-raw",
    "x\ny",
    "e f",
  ]);
  const curl = parseHeaders(`curl http://x/hook -H 'webhook-id: msg_1' --header "webhook-timestamp: 5" -d '{"a":1}'`);
  assert.deepEqual(
    [...curl.headers],
    [
      ["webhook-id", "msg_1"],
      ["webhook-timestamp", "5"],
    ],
  );
  assert.equal(curl.body, '{"a":1}');
  // A file or several data options: the body is left to the user.
  assert.equal(parseHeaders("curl -H 'a: b' --data-binary @body.json u").body, null);
  assert.equal(parseHeaders("curl -d a=1 -d b=2 u").body, null);
  const json = parseHeaders('{"webhook-id": null, "webhook-timestamp": "5"}');
  assert.deepEqual([...json.headers], [["webhook-timestamp", "5"]]);
  assert.equal(unixSeconds("999999999999999"), 999999999999999);
  assert.equal(unixSeconds("9999999999999999"), null);
  assert.equal(unixSeconds("1.5"), null);
});

test("a curl command pasted as headers (the Sign tab's, or Copy as cURL) verifies, its body filling the body box", async () => {
  await page.click("#tab-sign");
  await page.selectOption("#s-scheme", "standard");
  await page.fill("#s-body", `{"curl":"it's"}`);
  const curl = await page.innerText("#s-curl");
  const secret = await page.inputValue("#s-secret");
  await page.click("#tab-verify");
  await fill({ secret, headers: "", body: "" });
  await page.fill("#v-headers", curl);
  let r = await verdict();
  assert.equal(r.code, "verified", r.text);
  assert.equal(await page.inputValue("#v-body"), `{"curl":"it's"}`);

  // A browser's "Copy as cURL (bash)": --header, $'…' bodies.
  const browserCurl = [
    `curl 'http://localhost:3000/hook' \\`,
    `  -H 'accept: */*' \\`,
    ...VECTOR.headers.split("\n").map((h) => `  --header "${h}" \\`),
    `  --data-raw $'{"test": 2432232314}'`,
  ].join("\n");
  await fill({ now: VECTOR.timestamp, headers: "", body: "" });
  await page.fill("#v-headers", browserCurl);
  r = await verdict();
  assert.equal(r.code, "verified", r.text);
  // A body the user pasted stays: it is what they mean to check.
  await fill({ now: VECTOR.timestamp, headers: "", body: "{}" });
  await page.fill("#v-headers", browserCurl);
  r = await verdict();
  assert.equal(r.code, "no_matching_signature", r.text);
  assert.equal(await page.inputValue("#v-body"), "{}");
});

test("a JSON header that is null is no header", async () => {
  const headers = Object.fromEntries(VECTOR.headers.split("\n").map((l) => l.split(": ")));
  await fill({ now: VECTOR.timestamp, headers: JSON.stringify({ ...headers, "webhook-id": null }) });
  const r = await verdict();
  assert.equal(r.code, "missing_header", r.text);
  assert.doesNotMatch(await page.innerText("#v-facts"), /webhook-id/);
});

test('"now" must be whole Unix seconds of at most 15 digits, and its figures agree', async () => {
  await fill({ now: "99999999999999999999" });
  let r = await verdict();
  assert.equal(r.code, "invalid_option", r.text);
  assert.match(r.text, /whole Unix seconds of at most 15 digits/);
  // 15 digits (here one that seconds * 1000 / 1000 would floor to the second before): the
  // package's age and the page's agree.
  const now = 463912788829348;
  await fill({ now });
  r = await verdict();
  assert.equal(r.code, "timestamp_too_old", r.text);
  const age = now - VECTOR.timestamp;
  assert.match(r.text, new RegExp(`timestamp is ${age} s old`));
  assert.match(await page.innerText("#v-facts"), new RegExp(`${age} s old`));
  assert.match(await page.innerText("#v-facts"), new RegExp(`${now} \\(past the year 275760\\) \\(set\\)`));
});

test("a trap in the page's wasm module (its memory exhausted) is one failed call: the next runs on a new instance", async () => {
  const got = await page.evaluate(async () => {
    const { Webhook } = await import("/pkg/src/browser.mjs");
    const { core, tools } = await import("/pkg/src/wasm.mjs");
    const wh = new Webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    const before = tools();
    const size = before.memory.buffer.byteLength + 1024 * 1024;
    for (let pages = 1 << 14; pages >= 1;) {
      try {
        before.memory.grow(pages);
      } catch {
        pages >>= 1;
      }
    }
    let threw = "";
    try {
      wh.sign(new Uint8Array(size));
    } catch (e) {
      threw = e.message;
    }
    const body = '{"type":"ping"}';
    const event = wh.verify(body, wh.sign(body));
    return { threw, renewed: tools() !== before, shared: core() === tools(), event };
  });
  assert.match(got.threw, /WebAssembly module failed in webhookSign/);
  assert.deepEqual(got, { threw: got.threw, renewed: true, shared: true, event: { type: "ping" } });
});

test("keyboard: arrow keys switch tabs; no page errors; nothing left loopback", async () => {
  await page.focus("#tab-sign");
  await page.keyboard.press("ArrowLeft");
  assert.equal(await page.getAttribute("#tab-verify", "aria-selected"), "true");
  assert.equal(await page.evaluate(() => document.activeElement.id), "tab-verify");
  assert.equal(await page.getAttribute("#v-result", "aria-live"), "polite");
  assert.deepEqual(browser.errors, []);
  assert.deepEqual(outside, []);
});

// The dashboard's inspection and management, in Chromium, against target/debug/hookproof-sender
// (in memory) and a loopback receiver that verifies every request with the package and
// answers with headers and a JSON body of its own. Cases: a webhook created, edited, its id
// copied, its secret rotated (the new one verifies), another to the same URL told apart and
// deleted, all from the page; an attempt's request line, headers, exact body (pretty and
// raw) and the answer's status, headers and body; "Copy as curl" run by bash's curl
// against the receiver verifies; a webhook URL with a password: the receiver gets Basic
// auth, the page masks it, and the copied curl asks for it (-u user) instead of sending the
// mask; search by id, event type and status; a deep link to an
// attempt opens it on load.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import { join } from "node:path";
import { promisify } from "node:util";
import { launch, loopbackOnly, ARTIFACTS } from "./browser.mjs";
import { client, startSender } from "./sender.mjs";
import { Webhook } from "../../pkg/src/node.mjs";

const run = promisify(execFile);
const cleanups = [];
after(async () => {
  for (const f of cleanups.reverse()) await f();
});

// ------------------------------------------------------------------------- receiver
// Verifies with `receiver.secret` (the webhook's, once the page shows it); `failNext`
// answers the next verified request 503.
const receiver = { secret: null, requests: [], failNext: false };
const receiverServer = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const r = { rawHeaders: req.rawHeaders, headers: req.headers, body, verified: false };
    receiver.requests.push(r);
    try {
      new Webhook(receiver.secret, { scheme: "standard" }).verify(body, req.headers);
      r.verified = true;
    } catch (e) {
      res.writeHead(401, { "content-type": "text/plain" }).end(e.code ?? "error");
      return;
    }
    if (receiver.failNext) {
      receiver.failNext = false;
      res.writeHead(503, { "content-type": "text/plain", "retry-after": "0" }).end("down for a moment");
      return;
    }
    res
      .writeHead(200, { "content-type": "application/json", "x-receiver": "inspect" })
      .end(JSON.stringify({ ok: true, n: receiver.requests.length }));
  });
});
await new Promise((ok) => receiverServer.listen(0, "127.0.0.1", ok));
cleanups.push(() => new Promise((ok) => receiverServer.close(ok)));
const receiverUrl = `http://127.0.0.1:${receiverServer.address().port}/inspect?via=dashboard`;

// --------------------------------------------------------------------------- sender
const base = await startSender(cleanups);
const call = client(base);
const browser = await launch();
cleanups.push(() => browser.close());
await loopbackOnly(browser.context);
await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
const page = await browser.context.newPage();
await page.goto(base + "/");
await page.waitForSelector("html[data-loaded=true]");

const row = (id) => `#deliveries tr[data-delivery="${id}"]`;
const hookRow = (id) => `#webhooks tr[data-webhook="${id}"]`;
// Live updates change the table in place (dashboard-live.test.mjs): one click each.
/** Clicks the button that asks for a second click; it is then armed. */
async function arm(id) {
  await page.click(`[id="${id}"]`);
  await page.waitForSelector(`[id="${id}"][data-armed=true]`, { timeout: 2000 });
}
/** Clicks armed button `id`; selector `done` is then in `state` (attached or detached). */
async function fire(id, done, state = "attached") {
  await page.click(`[id="${id}"]`);
  await page.waitForSelector(done, { timeout: 5000, state });
}
const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
/** The rows of a headers table: [[name, value], ...]. */
const headerRows = (sel) =>
  page.$$eval(`${sel} tr`, (trs) => trs.map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent]));

let HOOK; // the webhook made on the page
let SECRET; // its secret, as the page showed it

test("a webhook created, edited, its id copied and its secret rotated from the page; a twin told apart and deleted", async () => {
  await page.click("#new-webhook");
  await page.fill("#w-url", receiverUrl);
  await page.fill("#w-profile", "standard");
  await page.fill("#w-events", "inspect.*, webhook.test");
  await page.fill("#w-description", "made on the page");
  await page.fill("#w-retry", "0, 5s, 5m");
  await page.click("#w-submit");
  await page.waitForSelector("#secret-box:not([hidden])");
  SECRET = await page.textContent("#secret-value");
  assert.match(SECRET, /^whsec_/);
  const hooks = (await call("GET", "/webhooks")).data;
  const made = hooks.find((w) => w.description === "made on the page");
  assert.ok(made, JSON.stringify(hooks));
  HOOK = made.id;
  assert.deepEqual(made.events, ["inspect.*", "webhook.test"]);
  assert.deepEqual(made.retry_schedule, [0, 5, 300]);
  assert.match(await page.textContent("#secret-what"), new RegExp(HOOK));
  await page.click("#secret-copy");
  assert.equal(await clipboard(), SECRET);
  await page.click("#secret-done");
  assert.equal(await page.isHidden("#secret-box"), true);
  receiver.secret = SECRET;

  // A second webhook to the same URL: its own id (in full) and description tell them apart.
  const twin = (
    await call("POST", "/webhooks", {
      url: receiverUrl,
      profile: "standard",
      events: ["other.*"],
      description: "the twin",
    })
  ).data.id;
  await page.waitForSelector(hookRow(twin));
  const cells = (id) => page.$eval(hookRow(id), (tr) => tr.cells[0].innerText);
  assert.match(
    await cells(HOOK),
    new RegExp(`^${HOOK}[\\s\\S]*made on the page[\\s\\S]*${receiverUrl.replace(/[?.]/g, "\\$&")}`),
  );
  assert.match(await cells(twin), /the twin/);
  assert.equal(await page.textContent(`${hookRow(HOOK)} .webhook-id`), HOOK, "the id in full");
  await page.click(`[id="copy-webhook-${HOOK}"]`);
  assert.equal(await clipboard(), HOOK);

  // Edit: the description and the events change, nothing else.
  await page.click(`[id="edit-${HOOK}"]`);
  assert.equal(await page.inputValue("#w-description"), "made on the page");
  assert.equal(await page.isDisabled("#w-profile"), true);
  await page.fill("#w-description", "made and edited on the page");
  await page.click("#w-submit");
  await page.waitForFunction(
    (sel) => document.querySelector(sel)?.textContent === "made and edited on the page",
    `${hookRow(HOOK)} .description`,
  );
  const edited = (await call("GET", `/webhooks/${HOOK}`)).data;
  assert.deepEqual(edited.retry_schedule, [0, 5, 300]);
  assert.equal(edited.profile, "standard");

  // Rotate (a second click confirms): the new secret is shown once, and signs.
  await arm(`rotate-${HOOK}`);
  assert.equal(
    await call("GET", `/webhooks/${HOOK}`).then((r) => r.data.updated_at),
    edited.updated_at,
    "one click rotates nothing",
  );
  await fire(`rotate-${HOOK}`, "#secret-box:not([hidden])");
  const rotated = await page.textContent("#secret-value");
  assert.match(rotated, /^whsec_/);
  assert.notEqual(rotated, SECRET);
  await page.click("#secret-done");
  SECRET = receiver.secret = rotated;

  // Send test, from the page: signed with the new secret, it verifies.
  const before = receiver.requests.length;
  await page.click(`[id="test-${HOOK}"]`);
  const t0 = Date.now();
  while (receiver.requests.length === before) {
    assert.ok(Date.now() - t0 < 5000, "the test event never came");
    await new Promise((ok) => setTimeout(ok, 50));
  }
  assert.equal(receiver.requests.at(-1).verified, true, "signed with the rotated secret");

  // Delete the twin (a second click confirms).
  await arm(`delete-${twin}`);
  await fire(`delete-${twin}`, hookRow(twin), "detached");
  assert.equal((await call("GET", "/webhooks")).data.filter((w) => w.id === twin).length, 0);
  await page.screenshot({ path: join(ARTIFACTS, "dashboard-webhooks.png"), fullPage: true });
  assert.deepEqual(browser.errors, []);
});

/**
 * A request's headers as [name, value] pairs in order, but hookproof-sender-hop (the
 * sender's own mark) and Host's place (curl sends it first).
 */
const pairs = (raw) => {
  const out = [];
  for (let i = 0; i < raw.length; i += 2) out.push([raw[i].toLowerCase(), raw[i + 1]]);
  const host = out.find(([k]) => k === "host");
  return [host, ...out.filter(([k]) => k !== "hookproof-sender-hop" && k !== "host")];
};

let DELIVERY; // a delivery whose first attempt failed and second succeeded
// Sent as written (the sender keeps data's bytes): quotes, shell characters, Unicode, and a
// number past what a double holds.
const DATA = String.raw`{"note":"it's \"quoted\" é 🎉 $HOME ${"`x`"} \\ back","big":12345678901234567890123,"list":[1,{},[]]}`;

test("an attempt's request and answer, and Copy as curl, which verifies when replayed", async () => {
  receiver.failNext = true;
  const res = await fetch(`${base}/v1/events`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: `{"type":"inspect.created","data":${DATA}}`,
    signal: AbortSignal.timeout(5000),
  });
  assert.equal(res.status, 202);
  DELIVERY = (await res.json()).data.deliveries[0].id;
  await page.waitForSelector(`${row(DELIVERY)}[data-status=succeeded]`, { timeout: 5000 });
  await page.click(row(DELIVERY));
  await page.waitForFunction(() => document.querySelectorAll("#attempts li[data-attempt]").length === 2);
  await page.waitForSelector("#attempt-detail:not([hidden]) #attempt-body");
  const sent = receiver.requests.at(-1); // the second attempt, shown by default

  assert.equal(await page.textContent("#attempt-request-line"), "POST /inspect?via=dashboard HTTP/1.1");
  const requestHeaders = await headerRows("#attempt-request-headers");
  const names = requestHeaders.map(([k]) => k.toLowerCase());
  for (const name of ["content-type", "webhook-id", "webhook-timestamp", "webhook-signature"])
    assert.ok(names.includes(name), `${name} in ${JSON.stringify(requestHeaders)}`);
  for (const [k, v] of requestHeaders) assert.equal(sent.headers[k.toLowerCase()], v, `${k} as received`);
  assert.ok(!JSON.stringify(requestHeaders).includes(SECRET), "no secret shown");

  // The body: pretty (re-indented, the big number's digits kept), and raw (the bytes received).
  const pretty = await page.textContent("#attempt-body");
  assert.match(pretty, /\n {4}"note": /);
  assert.match(pretty, /12345678901234567890123/);
  await page.click("#body-raw");
  await page.waitForSelector("#attempt-body[data-view=raw]");
  assert.equal(await page.textContent("#attempt-body"), sent.body.toString("utf8"));
  assert.ok(sent.body.toString("utf8").includes(DATA), "data sent byte for byte");

  // The answer.
  assert.match(await page.textContent("#attempt-status"), /^200 in \d+ ms/);
  const responseHeaders = await headerRows("#attempt-response-headers");
  assert.deepEqual(
    responseHeaders.filter(([k]) => k === "content-type" || k === "x-receiver"),
    [
      ["content-type", "application/json"],
      ["x-receiver", "inspect"],
    ],
  );
  assert.match(await page.textContent("#attempt-response-body"), /^\{"ok":true,"n":\d+\}$/);
  // The first attempt's answer: its 503, headers and body.
  await page.click("#attempts li[data-attempt='1']");
  await page.waitForFunction(() => document.querySelector("#attempt-status")?.textContent.startsWith("503"));
  assert.deepEqual(
    (await headerRows("#attempt-response-headers")).find(([k]) => k === "retry-after"),
    ["retry-after", "0"],
  );
  assert.equal(await page.textContent("#attempt-response-body"), "down for a moment");
  await page.click("#attempts li[data-attempt='2']");
  await page.waitForFunction(() => document.querySelector("#attempt-status")?.textContent.startsWith("200"));

  // Copy as curl: the command on the clipboard is the one shown; run by bash, it sends the
  // same bytes and headers, and the receiver verifies it (well within the 5 min tolerance).
  await page.click("#copy-curl");
  const curl = await clipboard();
  assert.equal(curl, await page.textContent("#attempt-curl"));
  assert.match(curl, /^curl -sS -X POST /);
  const n = receiver.requests.length;
  const { stdout } = await run("bash", ["-c", curl], { timeout: 10_000 });
  assert.match(stdout, /^\{"ok":true/);
  const replayed = receiver.requests[n];
  assert.ok(replayed, "curl reached the receiver");
  assert.equal(replayed.verified, true, "the replayed request verifies");
  assert.ok(replayed.body.equals(sent.body), "the same body bytes");
  // The same headers with the same values in the same order (`pairs`).
  assert.deepEqual(pairs(replayed.rawHeaders), pairs(sent.rawHeaders));
  await page.screenshot({ path: join(ARTIFACTS, "dashboard-attempt.png"), fullPage: true });
  assert.deepEqual(browser.errors, []);
});

/** Runs `command` in bash without a terminal (a session of its own), `input` on its stdin. */
function runDetached(command, input) {
  return new Promise((resolve, reject) => {
    const child = execFile("bash", ["-c", command], { timeout: 10_000, detached: true }, (err, stdout, stderr) =>
      err ? reject(err) : resolve({ stdout, stderr }),
    );
    child.stdin.end(input);
  });
}

test("a URL's password: sent as Basic auth, masked on the page, and Copy as curl asks for it", async () => {
  const url = receiverUrl.replace("http://", "http://user:p%40ss@").replace("via=dashboard", "via=basic");
  const hook = (await call("POST", "/webhooks", { url, events: ["basic.*"], profile: "standard", secret: SECRET }))
    .data;
  const id = (await call("POST", `/webhooks/${hook.id}/test`, { type: "basic.check" })).data.id;
  await page.waitForSelector(`${row(id)}[data-status=succeeded]`, { timeout: 5000 });
  const sent = receiver.requests.at(-1);
  assert.equal(sent.headers.authorization, "Basic dXNlcjpwQHNz", "user:p@ss, percent-decoded");
  await page.click(row(id));
  await page.waitForFunction(
    () => document.querySelector("#attempt-request-line")?.textContent === "POST /inspect?via=basic HTTP/1.1",
  );
  await page.waitForSelector("#attempt-detail:not([hidden]) #attempt-body");
  const shown = await page.textContent("#attempt-detail");
  assert.ok(!/p%40ss|p@ss|dXNlcjpwQHNz/.test(shown), "the password shows nowhere");
  assert.ok(shown.includes("http://user:••••@127.0.0.1:"), `the URL, masked: ${shown}`);
  assert.deepEqual((await headerRows("#attempt-request-headers"))[0], ["authorization", "Basic ••••"]);

  // The command asks for the password (-u user) rather than sending the mask, and says so.
  assert.match(await page.textContent("#curl-note"), /password is masked here: curl asks for it when run \(-u user\)/);
  assert.equal(await page.getAttribute("#copy-curl", "aria-describedby"), "curl-note");
  await page.click("#copy-curl");
  const curl = await clipboard();
  assert.ok(!curl.includes("••••"), curl);
  assert.ok(curl.startsWith(`curl -sS -X POST '${url.replace("user:p%40ss@", "")}'`), curl);
  assert.match(curl, /\n {2}-u user \\\n/);
  // Run with no terminal, curl reads the password from stdin: the same request again.
  const n = receiver.requests.length;
  const { stdout } = await runDetached(curl, "p@ss\n");
  assert.match(stdout, /^\{"ok":true/);
  const replayed = receiver.requests[n];
  assert.equal(replayed.verified, true);
  // Authorization too, where the sender put it: first, after Host.
  assert.deepEqual(pairs(replayed.rawHeaders), pairs(sent.rawHeaders));
  assert.deepEqual(pairs(sent.rawHeaders)[1], ["authorization", "Basic dXNlcjpwQHNz"]);
  assert.ok(replayed.body.equals(sent.body), "the same body bytes");
  await call("DELETE", `/webhooks/${hook.id}`);
  assert.deepEqual(browser.errors, []);
});

test("search by id, event type and status; a deep link opens a delivery's attempt on load", async () => {
  // Another delivery, so that a search has something to leave out.
  const other = (await call("POST", "/events", { type: "inspect.updated", data: {} })).data.deliveries[0].id;
  await page.waitForSelector(`${row(other)}[data-status=succeeded]`, { timeout: 5000 });
  await page.fill("#f-id", DELIVERY);
  await page.press("#f-id", "Enter");
  await page.waitForFunction((id) => {
    const rows = [...document.querySelectorAll("#deliveries tr[data-delivery]")];
    return rows.length === 1 && rows[0].dataset.delivery === id;
  }, DELIVERY);
  await page.fill("#f-id", "msg_nothing_has_this_id");
  await page.press("#f-id", "Enter");
  await page.waitForSelector("#deliveries-empty:not([hidden])");
  await page.fill("#f-id", "");
  await page.press("#f-id", "Enter");
  await page.fill("#f-event", "inspect.updated");
  await page.press("#f-event", "Enter");
  await page.selectOption("#f-status", "success");
  await page.waitForFunction(
    ([id, gone]) =>
      document.querySelector(`#deliveries tr[data-delivery="${id}"]`) &&
      !document.querySelector(`#deliveries tr[data-delivery="${gone}"]`),
    [other, DELIVERY],
  );
  await page.fill("#f-event", "");
  await page.press("#f-event", "Enter");
  await page.selectOption("#f-status", "");

  // The link of the first attempt, as the page gives it, in a fresh tab.
  const attempts = (await call("GET", `/deliveries/${DELIVERY}/attempts`)).data;
  const first = attempts.find((a) => a.attempt === 1);
  await page.click(row(DELIVERY));
  await page.click(`[id="attempt-${first.id}"]`);
  await page.waitForFunction((id) => document.querySelector("#attempt-id")?.textContent === id, first.id);
  await page.click("#copy-attempt-id");
  assert.equal(await clipboard(), first.id);
  await page.click("#copy-delivery-id");
  assert.equal(await clipboard(), DELIVERY);
  const href = await page.$eval("#attempt-link", (a) => a.href);
  assert.equal(new URL(page.url()).hash, new URL(href).hash, "the address links to what is shown");
  const tab = await browser.context.newPage();
  try {
    await tab.goto(href);
    await tab.waitForSelector("html[data-loaded=true]");
    await tab.waitForFunction((id) => document.querySelector("#attempt-id")?.textContent === id, first.id, {
      timeout: 5000,
    });
    assert.equal(await tab.getAttribute(`[id="attempt-${first.id}"]`, "aria-selected"), "true");
    assert.match(await tab.textContent("#attempt-status"), /^503/);
    // A link to the delivery alone opens its last attempt; followed in the page, too.
    await tab.evaluate((id) => (location.hash = `delivery=${id}`), other);
    await tab.waitForFunction((id) => document.querySelector("#timeline")?.textContent.includes(id), other);
    await tab.waitForFunction(() => document.querySelector("#attempt-status")?.textContent.startsWith("200"));
  } finally {
    await tab.close();
  }
  assert.deepEqual(browser.errors, []);
});

// The dashboard's Inbox tab and "Send an event", in Chromium, against
// target/debug/hookproof-sender (tests/www/sender.mjs) and a loopback receiver that
// verifies Standard Webhooks with the package. Cases: an inbox made on the page shows a
// capture live (its request as received, credentials masked, its verification and
// diagnosis, its conformance table, its forward's answer and the inbox's summary), and a
// re-signed replay's answer; "Send an event" fills a catalog event of the chosen webhook's
// profile, sends the data as typed, and a delivery is made.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { join } from "node:path";
import { launch, loopbackOnly, ARTIFACTS } from "./browser.mjs";
import { client, startSender } from "./sender.mjs";
import { Webhook } from "../../pkg/src/node.mjs";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const cleanups = [];
after(async () => {
  for (const f of cleanups.reverse()) await f();
});

// The receiver: 204 for a delivery that verifies, 401 and the error's code for one that does not.
const received = [];
const verifier = new Webhook(SECRET, { scheme: "standard" });
const receiverServer = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const hit = { url: req.url, headers: req.headers, body: body.toString(), verified: false };
    received.push(hit);
    try {
      verifier.verify(body, req.headers);
      hit.verified = true;
      res.writeHead(204).end();
    } catch (e) {
      res.writeHead(401).end(e.code);
    }
  });
});
await new Promise((ok) => receiverServer.listen(0, "127.0.0.1", ok));
cleanups.push(() => new Promise((ok) => receiverServer.close(ok)));
const receiverUrl = `http://127.0.0.1:${receiverServer.address().port}`;

const base = await startSender(cleanups);
const call = client(base);
const browser = await launch();
cleanups.push(() => browser.close());
await loopbackOnly(browser.context);
const page = await browser.context.newPage();
await page.goto(`${base}/?tab=inbox`);
await page.waitForSelector("html[data-loaded=true]");

/** Waits for `selector`, failing with what `what` reads on the page when it does not come. */
async function shown(selector, what = "#capture", timeout = 5000) {
  try {
    return await page.waitForSelector(selector, { timeout });
  } catch {
    assert.fail(`${selector} never shown; ${what} reads: ${await page.textContent(what).catch(() => "?")}`);
  }
}

/** Waits for an element that need not be visible (an option of a select). */
async function attached(selector, what) {
  try {
    return await page.waitForSelector(selector, { state: "attached", timeout: 5000 });
  } catch {
    assert.fail(`${selector} never there; ${what} reads: ${await page.textContent(what).catch(() => "?")}`);
  }
}

/** Posts `body` to inbox `name`, signed for the standard scheme at `ts` (Unix seconds). */
async function postSigned(name, body, id, ts, extra = {}) {
  const signed = verifier.sign(body, { id, timestamp: ts });
  const res = await fetch(`${base}/in/${name}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...signed, ...extra },
    body,
    signal: AbortSignal.timeout(5000),
  });
  assert.equal(res.status, 200);
  return res.headers.get("x-hookproof-capture");
}

const now = () => Math.floor(Date.now() / 1000);

test("an inbox made on the page shows a capture live, checked and forwarded, and a re-signed replay's answer", async () => {
  await page.fill("#i-name", "shop");
  await page.selectOption("#i-scheme", "standard");
  await page.fill("#i-secret", SECRET);
  await page.fill("#i-forward", `${receiverUrl}/forward`);
  await page.click("#i-save");
  await shown('#inboxes tr[data-inbox="shop"][aria-selected="true"]', "#inbox-result");
  const inbox = (await call("GET", "/inboxes/shop")).data;
  assert.equal(inbox.scheme, "standard");
  assert.equal(inbox.secrets, 1);
  assert.equal(await page.inputValue("#i-secret"), "", "the secret is not kept on the page");
  assert.equal(await page.textContent("#inbox-url code"), `${base}/in/shop`);
  assert.ok(await page.$("#copy-inbox-url"), "a copy button for the URL");

  // Signed ten minutes ago, with credentials of its own: captured without a reload.
  await page.evaluate(() => (window.__sameDocument = true));
  const body = '{"type":"invoice.paid",  "data":{"amount":4200}}';
  const t0 = Date.now();
  const id = await postSigned("shop", body, "msg_stale", now() - 600, { authorization: "Bearer hush-token" });
  await shown(`#captures tr[data-capture="${id}"]`, "#captures", 2000);
  assert.ok(Date.now() - t0 <= 2000, "listed within 2 s");
  assert.equal(await page.evaluate(() => window.__sameDocument), true, "the page was reloaded");

  // The newest capture is shown: as received, credentials masked.
  await shown(`#capture [data-capture="${id}"]`);
  assert.equal(await page.textContent("#capture-request"), "POST /in/shop");
  assert.equal(await page.textContent("#capture-body"), body, "the exact body");
  assert.match(await page.textContent("#capture"), /from 127\.0\.0\.1:\d+/);
  const headers = await page.$$eval("#capture-headers tr", (trs) =>
    Object.fromEntries(trs.map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent])),
  );
  assert.equal(headers.authorization, "Bearer ••••");
  assert.equal(headers["webhook-id"], "msg_stale");
  assert.ok(!(await page.content()).includes("hush-token"), "a credential on the page");

  // Not verified (stale), with the doctor's diagnosis; the conformance table says why.
  await shown('#capture-verification[data-verified="false"]');
  assert.match(await page.textContent("#capture-verification"), /timestamp/i);
  assert.ok((await page.$$("#capture-verification li[data-kind]")).length > 0, "a diagnosis");
  const rules = await page.$$eval("#conformance tr[data-rule]", (trs) =>
    Object.fromEntries(trs.map((tr) => [tr.dataset.rule, tr.dataset.status])),
  );
  assert.deepEqual(rules, {
    headers_present: "pass",
    signature_format: "pass",
    timestamp_seconds: "pass",
    timestamp_fresh: "fail",
    id_unique: "pass",
    content_type_json: "pass",
    body_json: "pass",
  });
  // Forwarded as received: the receiver refuses it (stale), and the answer is shown.
  await shown('#capture-forward[data-status="401"]');
  const forwarded = received.find((r) => r.url === "/forward");
  assert.equal(forwarded.body, body);
  assert.equal(forwarded.headers.authorization, "Bearer hush-token", "forwarded as received");
  await shown('#summary tr[data-rule="timestamp_fresh"][data-fail="1"]', "#inbox-summary");
  assert.match(await page.textContent("#summary-line"), /not compliant/);

  // Replayed re-signed: a fresh timestamp and id, and the receiver accepts it.
  await page.fill("#replay-url", `${receiverUrl}/replay`);
  await page.check("#replay-resign");
  await page.click("#replay");
  await shown('#replay-answer[data-status="204"]', "#replay-result");
  assert.match(await page.textContent("#replay-answer"), /re-signed/);
  const replayed = received.find((r) => r.url === "/replay");
  assert.equal(replayed.body, body, "the same bytes");
  assert.ok(replayed.verified, "verifies within the receiver's tolerance");
  assert.notEqual(replayed.headers["webhook-id"], "msg_stale");
  await shown("#capture-replays li", "#capture");

  // A fresh delivery verifies and passes every rule.
  const fresh = await postSigned("shop", '{"type":"invoice.paid"}', "msg_fresh", now());
  await shown(`#captures tr[data-capture="${fresh}"]`, "#captures");
  await page.click(`#captures tr[data-capture="${fresh}"]`);
  await shown('#capture-verification[data-verified="true"]');
  assert.deepEqual(
    await page.$$eval("#conformance tr[data-rule]", (trs) => [...new Set(trs.map((tr) => tr.dataset.status))]),
    ["pass"],
  );
  await shown('#inboxes tr[data-inbox="shop"] td[data-captures="2"]', "#inboxes");
  await page.evaluate(() => document.activeElement.blur());
  await page.screenshot({ path: join(ARTIFACTS, "dashboard-inbox.png"), fullPage: true });
  assert.deepEqual(browser.errors, []);
});

test('"Send an event" fills a catalog event of the webhook\'s profile and sends the data as typed', async () => {
  const hook = (
    await call("POST", "/webhooks", {
      url: `${receiverUrl}/events`,
      profile: "standard",
      secret: SECRET,
      events: ["*"],
    })
  ).data.id;
  await page.click("#tab-deliveries");
  await attached(`#e-webhook option[value="${hook}"]`, "#send-form");
  await page.selectOption("#e-webhook", hook);
  const catalog = (await call("GET", "/event-types?profile=standard")).data;
  const event = catalog.find((t) => t.event_type === "invoice.paid") ?? catalog[0];
  await attached(`#e-fixture option[value="standard ${event.event_type}"]`, "#send-form");
  await page.selectOption("#e-fixture", `standard ${event.event_type}`);
  await page.waitForFunction((type) => document.querySelector("#e-type").value === type, event.event_type);
  assert.deepEqual(JSON.parse(await page.inputValue("#e-data")), event.data, "pre-filled with the fixture");

  // Edited: a key first, and a number JSON.parse would rewrite.
  const data = (await page.inputValue("#e-data")).replace("{", '{"zeta": 1.50, ');
  await page.fill("#e-data", data);
  const before = received.length;
  await page.click("#send-form button[type=submit]");
  await page.waitForFunction(() => /accepted: 1 delivery/.test(document.querySelector("#send-result").textContent));
  const deliveries = (await call("GET", `/deliveries?webhook_id=${hook}`)).data;
  assert.equal(deliveries.length, 1);
  await shown(`#deliveries tr[data-delivery="${deliveries[0].id}"]`, "#deliveries");
  const t0 = Date.now();
  while (!received.slice(before).some((r) => r.url === "/events") && Date.now() - t0 < 5000) {
    await new Promise((ok) => setTimeout(ok, 50));
  }
  const got = received.slice(before).find((r) => r.url === "/events");
  assert.ok(got, "the receiver got the delivery");
  assert.ok(got.verified);
  assert.ok(got.body.includes(`"data":${data}`), `the data as typed, byte for byte: ${got.body}`);
  assert.equal(JSON.parse(got.body).type, event.event_type);
  assert.deepEqual(browser.errors, []);
});

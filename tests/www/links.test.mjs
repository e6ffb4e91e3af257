// The dashboard's address and the credentials in URLs, in Chromium, against
// target/debug/hookproof-sender (tests/www/sender.mjs) and a loopback receiver that records
// what it is sent. Cases: each kind of link (#tab=inbox&inbox=&capture=, #delivery=&attempt=,
// and the older ?tab=inbox&inbox=&capture= and ?delivery=) opened in a new page shows what it
// names on its tab, and the address is rewritten in the one form; a #delivery= link followed
// on the Inbox tab switches tabs; the address follows the user's moves. An inbox's forward_to
// and a webhook's URL with credentials, and a capture's query token, show masked on the page,
// and saving the inbox form as shown keeps the real URL.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { launch, loopbackOnly } from "./browser.mjs";
import { client, startSender } from "./sender.mjs";

const SECRETS = ["fwd_pass_hush", "fwd_tok_hush", "cap_tok_hush", "wh_pass_hush", "wh_key_hush"];
const cleanups = [];
after(async () => {
  for (const f of cleanups.reverse()) await f();
});

const received = []; // the request targets the receiver got
const receiver = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    received.push(req.url);
    res.writeHead(200).end("ok");
  });
});
await new Promise((ok) => receiver.listen(0, "127.0.0.1", ok));
cleanups.push(() => new Promise((ok) => receiver.close(ok)));
const port = receiver.address().port;

const base = await startSender(cleanups);
const call = client(base);
const browser = await launch();
cleanups.push(() => browser.close());
await loopbackOnly(browser.context);

/** Polls `fn` until it answers something truthy, 10 s at most. */
async function until(fn, what) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = await fn();
    if (v) return v;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

// An inbox forwarding to a URL with credentials, one capture with a token in its query.
await call("PUT", "/inboxes/sec", {
  forward_to: `http://ops:fwd_pass_hush@127.0.0.1:${port}/fwd?token=fwd_tok_hush&x=1`,
});
const posted = await fetch(`${base}/in/sec?token=cap_tok_hush&page=2`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: "{}",
});
const CAPTURE = posted.headers.get("x-hookproof-capture");
await until(async () => (await call("GET", `/inboxes/sec/captures/${CAPTURE}`)).data.forward, "the forward");
// A second capture, so that a link to the first is not the default (the newest).
await fetch(`${base}/in/sec`, { method: "POST", body: "{}" });
// A webhook to a URL with credentials, and one delivery to it.
await call("POST", "/webhooks", {
  url: `http://hook:wh_pass_hush@127.0.0.1:${port}/wh?api_key=wh_key_hush`,
  events: ["*"],
  profile: "standard",
});
const sent = await call("POST", "/events", { type: "order.created", data: { n: 1 } });
const DELIVERY = sent.data.deliveries[0].id;
const ATTEMPT = await until(
  async () => (await call("GET", `/deliveries/${DELIVERY}/attempts`)).data[0]?.id,
  "the attempt",
);
assert.ok(received.includes("/fwd?token=fwd_tok_hush&x=1"), received.join(" "));
assert.ok(received.includes("/wh?api_key=wh_key_hush"), received.join(" "));

/** A new page at `path`, loaded. */
async function open(path) {
  const page = await browser.context.newPage();
  cleanups.push(() => page.close().catch(() => {}));
  await page.goto(base + path);
  await page.waitForSelector("html[data-loaded=true]");
  return page;
}
const selectedTab = (page) => page.getAttribute('[role=tab][aria-selected="true"]', "id");
const hashOf = (page) => new URL(page.url()).hash;
/** Waits until the Inbox tab shows capture `id`. */
const showsCapture = (page, id) =>
  page.waitForSelector(`#panel-inbox [data-capture="${id}"] #capture-request`, { timeout: 5000 });
/** Waits until the Deliveries tab shows attempt `id`. */
const showsAttempt = (page, id) =>
  page.waitForFunction((id) => document.querySelector("#attempt-id")?.textContent === id, id, { timeout: 5000 });
/** Fails when the page's text or its form fields show a secret. */
async function hidesSecrets(page) {
  const text = await page.evaluate(
    () => document.body.innerText + [...document.querySelectorAll("input")].map((i) => i.value).join(" "),
  );
  for (const s of SECRETS) assert.ok(!text.includes(s), `${s} shown on the page`);
}

test("an inbox link opens its capture on the Inbox tab, masked", async () => {
  const page = await open(`/#tab=inbox&inbox=sec&capture=${CAPTURE}`);
  await showsCapture(page, CAPTURE);
  assert.equal(await selectedTab(page), "tab-inbox");
  assert.equal(await page.textContent("#capture-request"), "POST /in/sec?token=••••&page=2");
  await page.waitForSelector("#capture-forward");
  assert.match(await page.textContent("#capture-forward"), /http:\/\/ops:••••@127\.0\.0\.1:\d+\/fwd\?token=••••&x=1/);
  await page.waitForFunction(() => document.querySelector("#i-forward").value !== "");
  assert.match(await page.inputValue("#i-forward"), /^http:\/\/ops:••••@.*token=••••&x=1$/);
  await hidesSecrets(page);
  // Saved as shown, the form keeps the real URL: a replay still reaches it with the token.
  const before = received.length;
  await page.click("#i-save");
  await page.waitForFunction(() => /saved/.test(document.querySelector("#inbox-result").textContent));
  await page.click("#replay");
  await page.waitForSelector("#replay-answer");
  assert.equal(received.length, before + 1);
  assert.equal(received.at(-1), "/fwd?token=fwd_tok_hush&x=1");
  await hidesSecrets(page);
});

test("a delivery link opens its attempt on the Deliveries tab, masked", async () => {
  const page = await open(`/#delivery=${DELIVERY}&attempt=${ATTEMPT}`);
  await showsAttempt(page, ATTEMPT);
  assert.equal(await selectedTab(page), "tab-deliveries");
  assert.match(await page.textContent("#panel-deliveries"), /http:\/\/hook:••••@127\.0\.0\.1:\d+\/wh\?api_key=••••/);
  await hidesSecrets(page);
});

test("the older forms still open, and the address is rewritten in the one form", async () => {
  const inbox = await open(`/?tab=inbox&inbox=sec&capture=${CAPTURE}`);
  await showsCapture(inbox, CAPTURE);
  assert.equal(await selectedTab(inbox), "tab-inbox");
  assert.equal(hashOf(inbox), `#tab=inbox&inbox=sec&capture=${CAPTURE}`);
  assert.equal(new URL(inbox.url()).search, "");
  const delivery = await open(`/?delivery=${DELIVERY}`);
  await showsAttempt(delivery, ATTEMPT);
  assert.equal(hashOf(delivery), `#delivery=${DELIVERY}`);
  assert.equal(new URL(delivery.url()).search, "");
});

test("a delivery link followed on the Inbox tab switches tabs; the address follows the user", async () => {
  const page = await open(`/#tab=inbox&inbox=sec`);
  await page.waitForSelector(`#panel-inbox [data-capture="${CAPTURE}"]`);
  // Picking a capture puts it in the address.
  await page.click(`#capture-${CAPTURE}`);
  await showsCapture(page, CAPTURE);
  assert.equal(hashOf(page), `#tab=inbox&inbox=sec&capture=${CAPTURE}`);
  // A link to a delivery, followed in the page.
  await page.evaluate(
    ({ d, a }) => {
      const link = Object.assign(document.createElement("a"), { href: `#delivery=${d}&attempt=${a}` });
      document.body.append(link);
      link.click();
    },
    { d: DELIVERY, a: ATTEMPT },
  );
  await showsAttempt(page, ATTEMPT);
  assert.equal(await selectedTab(page), "tab-deliveries");
  assert.equal(await page.isVisible("#panel-inbox"), false);
  assert.equal(hashOf(page), `#delivery=${DELIVERY}&attempt=${ATTEMPT}`);
  // Back to the Inbox tab: the address names its capture again; and back to the delivery.
  await page.click("#tab-inbox");
  assert.equal(hashOf(page), `#tab=inbox&inbox=sec&capture=${CAPTURE}`);
  await page.click("#tab-deliveries");
  assert.equal(hashOf(page), `#delivery=${DELIVERY}&attempt=${ATTEMPT}`);
  // The browser's Back returns to the capture link, on its tab.
  await page.goBack();
  await showsCapture(page, CAPTURE);
  assert.equal(await selectedTab(page), "tab-inbox");
  // The address, opened in a new page, shows the same.
  const copy = await open(new URL(page.url()).pathname + new URL(page.url()).hash);
  await showsCapture(copy, CAPTURE);
  assert.equal(await selectedTab(copy), "tab-inbox");
});

// The dashboard served by hookproof-sender at / (www/dashboard.html), in Chromium.
// Starts target/debug/hookproof-sender (in memory, retry delays x0.001) and a loopback
// receiver that verifies every delivery with the package and can be told to fail once.
// Cases: a delivery POSTed to /events appears within 2 s without a reload; a delivery
// whose first attempt failed shows 2 attempts; "Retry now" adds a third; a chaos webhook's
// forged request is marked "must be rejected", and red when the receiver accepted it.
// The pages are the ones built into the binary (tests/www/run.sh builds it after pkg/).
// The page's connection mode (live = SSE, polling = no stream) is printed.
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

// ------------------------------------------------------------------------- receiver
// `naive`: answer 204 without verifying (for the chaos case).
const receiver = { failuresLeft: 0, throttleLeft: 0, received: [], verified: 0, naive: false };
const verifier = new Webhook(SECRET, { scheme: "standard" });
const receiverServer = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    if (receiver.naive) {
      res.writeHead(204).end();
      return;
    }
    receiver.received.push({ headers: req.headers, body: body.toString() });
    try {
      verifier.verify(body, req.headers);
      receiver.verified++;
    } catch (e) {
      res.writeHead(401).end(e.code);
      return;
    }
    if (receiver.throttleLeft > 0) {
      receiver.throttleLeft--;
      // The longest pause the sender grants (1 h): 3.6 s at --time-scale 0.001.
      res.writeHead(429, { "retry-after": "3600" }).end("slow down");
      return;
    }
    if (receiver.failuresLeft > 0) {
      receiver.failuresLeft--;
      res.writeHead(503, { "content-type": "text/plain" }).end("down for a moment");
      return;
    }
    res.writeHead(204).end();
  });
});
await new Promise((ok) => receiverServer.listen(0, "127.0.0.1", ok));
cleanups.push(() => new Promise((ok) => receiverServer.close(ok)));
const receiverUrl = `http://127.0.0.1:${receiverServer.address().port}/hook`;

// --------------------------------------------------------------------------- sender
const base = await startSender(cleanups);
const call = client(base);

/** Creates a standard-profile webhook. */
async function createWebhook(events) {
  // Waits before attempts 1..4 (s, scaled x0.001): a delivery fails for good in ~2 s.
  const r = await call("POST", "/webhooks", {
    url: receiverUrl,
    profile: "standard",
    secret: SECRET,
    events,
    enabled: true,
    retry_schedule: [0, 5, 300, 1800],
  });
  return r.data.id;
}
/** POST /events; the ids of the deliveries it made. */
async function sendEvent(type, data) {
  const r = await call("POST", "/events", { type, data });
  const deliveries = r.data.deliveries;
  assert.ok(Array.isArray(deliveries), `POST /events answered without deliveries: ${JSON.stringify(r)}`);
  return deliveries.map((d) => d.id);
}

const ORDERS = await createWebhook(["order.created", "order.paid", "order.*"]);
const USERS = await createWebhook(["user.deleted", "user.*"]);
const browser = await launch();
cleanups.push(() => browser.close());
await loopbackOnly(browser.context);
const page = await browser.context.newPage();
await page.goto(base + "/");
await page.waitForSelector("html[data-loaded=true]");
await new Promise((ok) => setTimeout(ok, 500));
console.log(`# dashboard connection: ${await page.textContent("#conn")}`);

let RETRIED, FAILED;
const row = (id) => `#deliveries tr[data-delivery="${id}"]`;
/** Waits until deliveries are listed and the cells at `cell` of every row read one of `texts`. */
async function listedAre(cell, texts) {
  const seen = () =>
    page.$$eval(`#deliveries tr[data-delivery] ${cell}`, (tds) => [...new Set(tds.map((td) => td.textContent))]);
  try {
    await page.waitForFunction(
      ([sel, want]) => {
        const got = [...document.querySelectorAll(sel)].map((td) => td.textContent);
        return got.length > 0 && got.every((t) => want.includes(t));
      },
      [`#deliveries tr[data-delivery] ${cell}`, texts],
      { timeout: 5000 },
    );
  } catch {
    assert.fail(`listed ${JSON.stringify(await seen())}, want only ${JSON.stringify(texts)}`);
  }
}

test("after POST /events, the new delivery appears within 2 s without a reload", async () => {
  await page.evaluate(() => (window.__sameDocument = true));
  const ids = await sendEvent("order.created", { id: "ord_1", amount: 4200 });
  assert.equal(ids.length, 1);
  const t0 = Date.now();
  for (const id of ids) await page.waitForSelector(row(id), { timeout: Math.max(1, 2000 - (Date.now() - t0)) });
  assert.ok(Date.now() - t0 <= 2000);
  assert.equal(await page.evaluate(() => window.__sameDocument), true, "the page was reloaded");
  // ... and reaches "succeeded" on its own.
  await page.waitForSelector(`${row(ids[0])}[data-status=succeeded]`, { timeout: 5000 });
});

test("against a receiver that fails once, the timeline shows 2 attempts", async () => {
  receiver.failuresLeft = 1;
  const [id] = await sendEvent("order.paid", { id: "ord_2" });
  RETRIED = id;
  await page.waitForSelector(`${row(id)}[data-status=succeeded]`, { timeout: 5000 });
  // Keyboard: focus the row and press Enter to open its timeline.
  await page.focus(row(id));
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelectorAll("#attempts li[data-attempt]").length === 2, null, {
    timeout: 5000,
  });
  const attempts = await page.$$eval("#attempts li[data-attempt]", (lis) =>
    lis.map((li) => ({ n: li.dataset.attempt, ok: li.dataset.ok, text: li.innerText })),
  );
  assert.deepEqual(
    attempts.map((a) => [a.n, a.ok]),
    [
      ["1", "false"],
      ["2", "true"],
    ],
  );
  assert.match(attempts[0].text, /503/);
  assert.match(attempts[1].text, /204/);
  assert.equal(await page.$$eval(".timeline-axis .mark", (m) => m.length), 2);
  assert.equal(await page.evaluate(() => document.activeElement.id), "timeline-title");
});

test("clicking Retry now adds an attempt", async () => {
  await page.click("#retry");
  await page.waitForFunction(() => document.querySelectorAll("#attempts li[data-attempt]").length === 3, null, {
    timeout: 5000,
  });
  const last = await page.$eval("#attempts li[data-attempt='3']", (li) => li.dataset.ok);
  assert.equal(last, "true");
});

test("a 429 shows the webhook throttled until its pause ends", async () => {
  receiver.throttleLeft = 1;
  const [id] = await sendEvent("order.paid", { id: "ord_429" });
  const throttled = `#webhooks tr[data-webhook="${ORDERS}"] [data-throttled]`;
  await page.waitForSelector(throttled, { timeout: 2000 });
  assert.match(await page.textContent(throttled), /throttled until \d\d:\d\d:\d\d/);
  await page.screenshot({ path: join(ARTIFACTS, "dashboard-throttled.png") });
  // The second attempt waits for the pause, then succeeds, and the badge goes.
  await page.waitForSelector(`${row(id)}[data-status=succeeded]`, { timeout: 10_000 });
  await page.waitForSelector(throttled, { state: "detached", timeout: 5000 });
});

test("filters, enable/disable, send test; screenshot", async () => {
  // One failed-for-good delivery for the chart and the status filter.
  receiver.failuresLeft = 100;
  [FAILED] = await sendEvent("user.deleted", { id: "usr_9" });
  await page.waitForSelector(`${row(FAILED)}[data-status=failed]`, { timeout: 10_000 });
  receiver.failuresLeft = 0;

  // The sender filters: the list is reloaded, so wait for it.
  await page.selectOption("#f-status", "failed");
  await listedAre("td:nth-child(4)", ["failed"]);
  await page.selectOption("#f-status", "");
  await page.fill("#f-event", "order.paid");
  await listedAre("td:nth-child(2) div:first-child", ["order.paid"]);
  await page.fill("#f-event", "");
  await page.selectOption("#f-webhook", USERS);
  await listedAre("td:nth-child(3)", [USERS]);
  await page.selectOption("#f-webhook", "");

  await page.click(`[id="toggle-${USERS}"]`);
  await page.waitForFunction(
    (id) => document.querySelector(`#webhooks tr[data-webhook="${id}"] .badge`)?.textContent === "disabled",
    USERS,
  );
  await page.click(`[id="toggle-${USERS}"]`);
  await page.waitForFunction(
    (id) => document.querySelector(`#webhooks tr[data-webhook="${id}"] .badge`)?.textContent === "enabled",
    USERS,
  );

  // Keyboard focus survives the live updates (rows and buttons are rebuilt).
  await page.focus(`[id="test-${ORDERS}"]`);
  await sendEvent("order.created", { id: "ord_3" });
  await new Promise((ok) => setTimeout(ok, 2500));
  assert.equal(await page.evaluate(() => document.activeElement.id), `test-${ORDERS}`);

  const before = receiver.received.length;
  await page.click(`[id="test-${ORDERS}"]`);
  // The standard profile's test event: the catalog's user.created, to this webhook.
  await page.waitForFunction(
    (id) =>
      [...document.querySelectorAll("#deliveries tr[data-delivery]")].some(
        (tr) => tr.innerText.includes("user.created") && tr.innerText.includes(id),
      ),
    ORDERS,
  );
  await new Promise((ok) => setTimeout(ok, 300));
  assert.ok(receiver.received.length > before);
  assert.equal(receiver.verified, receiver.received.length, "every delivery verified with the package");

  // Show the retried delivery's timeline in the screenshot.
  await page.click(`#deliveries tr[data-delivery="${RETRIED}"]`);
  await page.evaluate(() => document.activeElement.blur());
  await new Promise((ok) => setTimeout(ok, 1600)); // let the "fresh" highlight fade
  await page.screenshot({ path: join(ARTIFACTS, "dashboard.png"), fullPage: true });
  assert.deepEqual(browser.errors, []);
});

test("chaos: a forged request is marked 'must be rejected', and flagged red when accepted", async () => {
  const r = await call("POST", "/webhooks", {
    url: receiverUrl,
    profile: "standard",
    secret: SECRET,
    events: ["chaos.*"],
    chaos: { forge_signature: 1 },
  });
  const hook = r.data.id;
  // Waits for the selected delivery's forged-request badge to read `text` (the panel may
  // still show the previous delivery's attempts for a moment after the click).
  const forgedBadge = async (type, text) => {
    const [id] = await sendEvent(type, {});
    await page.waitForSelector(`${row(id)}[data-status=succeeded]`, { timeout: 5000 });
    await page.click(row(id));
    const selector = "#attempts li [data-chaos=forged]";
    try {
      await page.waitForFunction(
        ([sel, want]) => [...document.querySelectorAll(sel)].some((b) => b.textContent === want),
        [selector, text],
        { timeout: 5000 },
      );
    } catch {
      const seen = await page.$$eval(selector, (bs) => bs.map((b) => b.textContent));
      assert.fail(`badge ${JSON.stringify(text)} never shown; saw ${JSON.stringify(seen)}`);
    }
    const cls = await page.$$eval(selector, (bs, want) => bs.find((b) => b.textContent === want).className, text);
    return { text, cls };
  };
  // The receiver verifies: the forged request is rejected (401), as it should be.
  const rejected = await forgedBadge("chaos.rejected", "forged: must be rejected");
  assert.doesNotMatch(rejected.cls, /failed/);
  // The forged request is not an attempt: one attempt, numbered #1, the request apart.
  assert.equal(await page.$$eval("#attempts li[data-attempt]", (lis) => lis.length), 1);
  assert.equal(await page.$$eval("#attempts li[data-chaos-after='1']", (lis) => lis.length), 1);
  assert.match(await page.textContent("#timeline-summary"), /^1 attempt, and 1 chaos request \(forged; not attempts\)/);
  const labels = (sel) => page.$$eval(sel, (ms) => ms.map((m) => m.textContent));
  assert.deepEqual(await labels(".timeline-axis .mark:not(.chaos):not(.next) span"), ["#1"]);
  assert.deepEqual(await labels(".timeline-axis .mark.chaos span"), ["forged"]);
  receiver.naive = true;
  try {
    const accepted = await forgedBadge("chaos.accepted", "forged: accepted!");
    assert.match(accepted.cls, /failed/);
  } finally {
    receiver.naive = false;
    await call("DELETE", `/webhooks/${hook}`);
  }
  assert.deepEqual(browser.errors, []);
});

test("a ?token= in the address replaces a token typed earlier in the tab, and leaves the address", async () => {
  const tab = await browser.context.newPage();
  try {
    await tab.goto(base + "/");
    await tab.waitForSelector("html[data-loaded=true]");
    // As the token form does.
    await tab.evaluate(() => sessionStorage.setItem("hookproof-token", "typed-earlier"));
    await tab.goto("about:blank"); // no request of the first load is counted below
    const sent = [];
    tab.on("request", (r) => {
      if (new URL(r.url()).pathname.endsWith("/webhooks")) sent.push(r.headers().authorization);
    });
    await tab.goto(base + "/?token=from-the-url&x=1");
    await tab.waitForSelector("html[data-loaded=true]");
    assert.ok(sent.length > 0);
    assert.deepEqual([...new Set(sent)], ["Bearer from-the-url"]);
    assert.equal(await tab.evaluate(() => sessionStorage.getItem("hookproof-token")), "from-the-url");
    // A link copied from the address bar does not carry the token; the rest of it stays.
    assert.ok(!tab.url().includes("from-the-url"), tab.url());
    assert.ok(!new URL(tab.url()).searchParams.has("token"), tab.url());
    assert.equal(new URL(tab.url()).searchParams.get("x"), "1");
    // A reload keeps the token (this tab's sessionStorage).
    sent.length = 0;
    await tab.reload();
    await tab.waitForSelector("html[data-loaded=true]");
    assert.deepEqual([...new Set(sent)], ["Bearer from-the-url"]);
  } finally {
    await tab.close();
  }
});

test("a load error goes away once a load succeeds", async () => {
  const webhooks = (url) => url.pathname.endsWith("/webhooks");
  await page.route(webhooks, (route) =>
    route.fulfill({
      status: 503,
      contentType: "application/json",
      body: JSON.stringify({ error: { code: "unavailable", message: "down for a test" } }),
    }),
  );
  try {
    // The page reloads every 5 s even when the stream is quiet.
    await page.waitForFunction(
      () => document.querySelector("#announce").textContent.includes("Could not load: down for a test"),
      null,
      { timeout: 8000 },
    );
  } finally {
    await page.unroute(webhooks);
  }
  await page.waitForFunction(() => !document.querySelector("#announce").textContent.includes("Could not load"), null, {
    timeout: 8000,
  });
});

test("past the newest deliveries the page lists: filters, counts, deep links and the chart ask the sender", async () => {
  const hook = async (events, extra = {}) =>
    (await call("POST", "/webhooks", { url: receiverUrl, profile: "standard", secret: SECRET, events, ...extra })).data
      .id;
  const statsAsked = new Set(); // webhooks whose counts the page asked the sender for
  page.on("request", (r) => {
    const m = /\/v1\/webhooks\/([^/]+)\/stats$/.exec(new URL(r.url()).pathname);
    if (m) statsAsked.add(decodeURIComponent(m[1]));
  });
  const OLD = await hook(["old.event"]);
  const [OLD_ID] = await sendEvent("old.event", { n: 0 });
  // Then more deliveries than the page lists, and (with a duplicate of every attempt)
  // more logged requests than it charts.
  const BULK = await hook(["bulk.*"], { chaos: { duplicate: 1 } });
  const N = 520;
  for (let i = 0; i < N; i += 26) {
    await Promise.all(
      Array.from({ length: 26 }, (_, j) =>
        call("POST", "/events", { type: "bulk.tick", data: { i: i + j }, webhook_ids: [BULK] }),
      ),
    );
  }
  const t0 = Date.now();
  for (;;) {
    const pending = await call("GET", `/deliveries?webhook_id=${BULK}&status=pending&limit=1`);
    const logged = await call("GET", `/logs?webhook_id=${BULK}&limit=1000`);
    if (pending.data.length === 0 && logged.data.length >= 1000) break;
    assert.ok(Date.now() - t0 < 60_000, "the bulk deliveries did not finish in 60 s");
    await new Promise((ok) => setTimeout(ok, 200));
  }

  // The "Delivered" column.
  const counts = (id) => page.textContent(`#webhooks tr[data-webhook="${id}"] td:nth-child(5)`);
  await page
    .waitForFunction(
      ([old, bulk, n]) => {
        const text = (id) => document.querySelector(`#webhooks tr[data-webhook="${id}"] td:nth-child(5)`)?.textContent;
        return text(old)?.startsWith("1 ✓ 0 ✗") && text(bulk)?.startsWith(`${n} ✓ 0 ✗`);
      },
      [OLD, BULK, N],
      { timeout: 8000 },
    )
    .catch(async () => assert.fail(`counts: ${await counts(OLD)} | ${await counts(BULK)}`));
  assert.ok(statsAsked.has(OLD) && statsAsked.has(BULK), "the counts are the sender's (GET .../stats)");
  assert.equal(await page.isVisible("#deliveries-more"), true);
  assert.equal(await page.$(row(OLD_ID)), null, "the old delivery is past the list");
  assert.match(await page.textContent("#chart-total"), /the newest 1000 logged requests/);

  await page.selectOption("#f-webhook", OLD);
  await page.waitForSelector(row(OLD_ID), { timeout: 5000 });
  await listedAre("td:nth-child(3)", [OLD]);
  await page.selectOption("#f-webhook", "");
  await page.fill("#f-event", "old.event");
  await page.press("#f-event", "Enter");
  await page.waitForSelector(row(OLD_ID), { timeout: 5000 });
  await page.fill("#f-event", "");
  await page.selectOption("#f-status", "failed");
  await page.waitForSelector(row(FAILED), { timeout: 5000 });
  await listedAre("td:nth-child(4)", ["failed"]);
  await page.selectOption("#f-status", "");

  // A deep link to a delivery the list does not hold.
  await page.goto(`${base}/?delivery=${OLD_ID}`);
  await page.waitForSelector("html[data-loaded=true]");
  await page.waitForFunction((id) => document.querySelector("#timeline").textContent.includes(id), OLD_ID, {
    timeout: 5000,
  });
  assert.equal(await page.$$eval("#attempts li[data-attempt]", (lis) => lis.length), 1);
  assert.deepEqual(browser.errors, []);
});

test("a webhook's profile and its Vector.co segments are shown", async () => {
  const { id } = (
    await call("POST", "/webhooks", {
      url: receiverUrl,
      profile: "vectorco",
      events: ["contact.*"],
      segments: ["segment_12345"],
    })
  ).data;
  // A new webhook makes no stream event: load the page afresh.
  await page.goto(`${base}/`);
  await page.waitForSelector("html[data-loaded=true]");
  const cell = `#webhooks tr[data-webhook="${id}"]`;
  assert.equal(await page.textContent(`${cell} [data-segments]`), "segments: segment_12345");
  assert.equal(await page.textContent(`${cell} td:nth-child(2)`), "vectorco");
  // The form offers the sender's profiles, vectorco among them (it is no scheme).
  await page.waitForSelector('#w-profiles option[value="vectorco"]', { state: "attached", timeout: 5000 });
  await call("DELETE", `/webhooks/${id}`);
  assert.deepEqual(browser.errors, []);
});

test("a webhook or an inbox named like one of the page's own parts takes no id of the page", async () => {
  // Each name is the rest of an id the page has (webhook-form, copy-curl, inbox-form, ...).
  const names = ["form", "curl", "attempt-id", "inbox-url"];
  for (const id of names) await call("POST", "/webhooks", { id, url: receiverUrl, profile: "standard", events: ["*"] });
  for (const name of ["form", "url", "result", "summary"])
    await call("PUT", `/inboxes/${name}`, { scheme: "standard" });
  const duplicates = () =>
    page.evaluate(() => {
      const ids = [...document.querySelectorAll("[id]")].map((e) => e.id);
      return ids.filter((id, i) => ids.indexOf(id) !== i);
    });
  try {
    await page.goto(`${base}/`);
    await page.waitForSelector("html[data-loaded=true]");
    await page.waitForSelector('#webhooks tr[data-webhook="form"]');
    assert.deepEqual(await duplicates(), []);
    assert.equal(await page.evaluate(() => document.getElementById("webhook-form").tagName), "FORM");
    await page.goto(`${base}/#tab=inbox`);
    await page.waitForSelector('#inboxes tr[data-inbox="form"]');
    assert.deepEqual(await duplicates(), []);
    assert.equal(await page.evaluate(() => document.getElementById("inbox-form").tagName), "FORM");
  } finally {
    for (const id of names) await call("DELETE", `/webhooks/${id}`);
    for (const name of ["form", "url", "result", "summary"]) await call("DELETE", `/inboxes/${name}`);
    await page.goto(`${base}/`);
    await page.waitForSelector("html[data-loaded=true]");
  }
  assert.deepEqual(browser.errors, []);
});

test("the sender also serves the playground, linked from the dashboard", async () => {
  await page.click("#playground-link");
  await page.waitForSelector("html[data-ready=true]");
  assert.equal(new URL(page.url()).pathname, "/playground");
  await page.click("#v-example");
  await page.waitForFunction(() => document.querySelector("#v-result").dataset.code === "verified");
  await page.click("#dashboard-link");
  await page.waitForSelector("html[data-loaded=true]");
  assert.equal(new URL(page.url()).pathname, "/");
  assert.deepEqual(browser.errors, []);
});

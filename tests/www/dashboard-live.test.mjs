// The dashboard while events stream in, in Chromium, against target/debug/hookproof-sender
// (in memory) and a loopback receiver that answers 204. Cases: the lists update in place
// (a delivery row, a webhook's buttons, an attempt's row and an inbox capture's row stay
// the same elements, the focused row stays focused) and a click whose press and release
// straddle an update still acts; a user's note ("Copied", "… saved") outlives the stream's
// news, which have a live region of their own; an emptied retry schedule in the edit form
// puts the webhook back on its profile's default; a webhook made, changed or deleted
// through the API shows at once (the stream's webhook events).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { launch, loopbackOnly } from "./browser.mjs";
import { client, startSender } from "./sender.mjs";

const cleanups = [];
after(async () => {
  for (const f of cleanups.reverse()) await f();
});

const receiverServer = createServer((req, res) => {
  req.resume();
  req.on("end", () => res.writeHead(204).end());
});
await new Promise((ok) => receiverServer.listen(0, "127.0.0.1", ok));
cleanups.push(() => new Promise((ok) => receiverServer.close(ok)));
const receiverUrl = `http://127.0.0.1:${receiverServer.address().port}/live`;

const base = await startSender(cleanups);
const call = client(base);
const createWebhook = async (fields) =>
  (await call("POST", "/webhooks", { url: receiverUrl, profile: "standard", events: ["live.*"], ...fields })).data;
const LIVE = (await createWebhook({ description: "receives the stream" })).id;
const OTHER = (await createWebhook({ events: ["other.*"], description: "clicked meanwhile" })).id;

const browser = await launch();
cleanups.push(() => browser.close());
await loopbackOnly(browser.context);
await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
const page = await browser.context.newPage();
await page.goto(base + "/");
await page.waitForSelector("html[data-loaded=true]");

const row = (id) => `#deliveries tr[data-delivery="${id}"]`;
let sent = 0;
/** Sends a live.* event; the id of its delivery. */
async function send() {
  const r = await call("POST", "/events", { type: "live.tick", data: { n: ++sent } });
  return r.data.deliveries[0].id;
}
/** Sends an event and waits until the page lists its delivery, succeeded: an update happened. */
async function update() {
  const id = await send();
  await page.waitForSelector(`${row(id)}[data-status=succeeded]`, { timeout: 5000 });
  return id;
}

test("rows are updated in place, keyed by id: the same elements, the focus kept", async () => {
  const first = await update();
  await page.evaluate(
    ([rowSel, live]) => {
      window.__row = document.querySelector(rowSel);
      window.__hook = document.querySelector(`#webhooks tr[data-webhook="${live}"]`);
      window.__toggle = document.getElementById(`toggle-${live}`);
      window.__counts = window.__hook.cells[4].textContent;
    },
    [row(first), LIVE],
  );
  await page.focus(row(first));
  for (let i = 0; i < 3; i++) await update();
  // The counts are asked for at most once a second: wait until the row shows the new ones.
  await page.waitForFunction(() => window.__hook.cells[4].textContent.startsWith("4 ✓"), null, { timeout: 5000 });
  const kept = await page.evaluate(
    ([rowSel, live]) => ({
      row: document.querySelector(rowSel) === window.__row,
      focused: document.activeElement === window.__row,
      hook: document.querySelector(`#webhooks tr[data-webhook="${live}"]`) === window.__hook,
      toggle: document.getElementById(`toggle-${live}`) === window.__toggle,
      countsChanged: window.__hook.cells[4].textContent !== window.__counts,
      rows: document.querySelectorAll("#deliveries tr[data-delivery]").length,
    }),
    [row(first), LIVE],
  );
  assert.deepEqual(kept, { row: true, focused: true, hook: true, toggle: true, countsChanged: true, rows: 4 });

  // The timeline's attempt rows too: "Retry now" adds a row, the first stays.
  await page.click(row(first));
  const attempt = await page.waitForSelector("#attempts li[data-attempt='1']");
  await page.evaluate((li) => (window.__attempt = li), attempt);
  await page.click("#retry");
  await page.waitForFunction(() => document.querySelectorAll("#attempts li[data-attempt]").length === 2, null, {
    timeout: 5000,
  });
  await update();
  assert.ok(await page.evaluate(() => document.querySelector("#attempts li[data-attempt='1']") === window.__attempt));
});

test("a click whose press and release straddle live updates acts", async () => {
  const button = `#toggle-${OTHER}`;
  assert.equal(await page.textContent(button), "Disable");
  const box = await (await page.$(button)).boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  // Two updates (new rows, new counts) while the button is held.
  await update();
  await update();
  await page.mouse.up();
  await page.waitForSelector(`${button}:text("Enable")`, { timeout: 5000 });
  assert.equal((await call("GET", `/webhooks/${OTHER}`)).data.enabled, false);
  await call("PUT", `/webhooks/${OTHER}`, { enabled: true });

  // A Delete armed by its first click stays armed across updates, and the second click deletes.
  const spare = (await createWebhook({ events: ["spare.*"] })).id;
  await page.click(`#delete-${spare}`);
  await page.waitForSelector(`#delete-${spare}[data-armed=true]`);
  const armed = await page.$(`#delete-${spare}`);
  await update();
  assert.ok(await armed.evaluate((b) => b.isConnected && b.dataset.armed === "true"));
  await page.click(`#delete-${spare}`);
  await page.waitForSelector(`#webhooks tr[data-webhook="${spare}"]`, { state: "detached", timeout: 5000 });
});

test("a user's note stays while the stream's news go to a live region of their own", async () => {
  for (const id of ["announce", "stream-note"]) {
    const region = await page.$eval(`#${id}`, (e) => [e.getAttribute("role"), e.getAttribute("aria-live")]);
    assert.deepEqual(region, ["status", "polite"], id);
  }
  await page.click(`#copy-webhook-${LIVE}`);
  await page.waitForSelector(`#announce:text("Copied: the id ${LIVE}.")`);
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), LIVE);
  await page.evaluate(() => (document.getElementById("stream-note").textContent = ""));
  await update();
  await page.waitForFunction(() => document.getElementById("stream-note").textContent.includes("live.tick"), null, {
    timeout: 5000,
  });
  assert.equal(await page.textContent("#announce"), `Copied: the id ${LIVE}.`);
});

test("the edit form: an emptied retry schedule goes back to the profile's default", async () => {
  const standard = (await createWebhook({ events: ["default.*"] })).retry_schedule;
  const own = (await createWebhook({ events: ["own.*"], retry_schedule: [0, 5, 300] })).id;
  await page.click(`#edit-${own}`);
  await page.waitForSelector("#webhook-form:not([hidden])");
  assert.equal(await page.inputValue("#w-retry"), "0, 5, 300");
  assert.match(await page.textContent("#w-retry-hint"), /profile's default/);
  await page.fill("#w-retry", "");
  await page.click("#w-submit");
  await page.waitForSelector(`#announce:text("${own} saved: its retry schedule is the profile's default again")`);
  assert.deepEqual((await call("GET", `/webhooks/${own}`)).data.retry_schedule, standard);
  assert.notDeepEqual(standard, [0, 5, 300]);
  // The note stays while deliveries stream in.
  await update();
  assert.match(await page.textContent("#announce"), /profile's default again/);
});

test("a webhook made, changed or deleted elsewhere shows at once: the stream tells of it", async () => {
  const hookRow = (id) => `#webhooks tr[data-webhook="${id}"]`;
  const made = await createWebhook({ description: "made by a script" });
  // The stream's news say it (a poll would not), and the row is there without a reload.
  await page.waitForFunction(
    (id) => document.getElementById("stream-note").textContent === `Webhook ${id} created`,
    made.id,
    { timeout: 5000 },
  );
  await page.waitForSelector(hookRow(made.id), { timeout: 5000 });
  await call("PUT", `/webhooks/${made.id}`, { enabled: false });
  await page.waitForSelector(`${hookRow(made.id)} button[data-action=toggle]:text("Enable")`, { timeout: 5000 });
  await call("DELETE", `/webhooks/${made.id}`);
  await page.waitForFunction(
    (id) => document.getElementById("stream-note").textContent === `Webhook ${id} deleted`,
    made.id,
    { timeout: 5000 },
  );
  await page.waitForSelector(hookRow(made.id), { state: "detached", timeout: 3000 });
});

test("the Inbox tab's captures are updated in place", async () => {
  const capture = async () => {
    const res = await fetch(`${base}/in/livebox`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ n: ++sent }),
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(res.status, 200);
    const id = res.headers.get("x-hookproof-capture");
    await page.waitForSelector(`#captures tr[data-capture="${id}"]`, { timeout: 5000 });
    return id;
  };
  await page.click("#tab-inbox");
  await fetch(`${base}/in/livebox`, { method: "POST", body: "{}", signal: AbortSignal.timeout(5000) });
  await page.click('#inboxes tr[data-inbox="livebox"]');
  const first = await capture();
  await page.evaluate((id) => {
    window.__capture = document.querySelector(`#captures tr[data-capture="${id}"]`);
    window.__copyUrl = document.getElementById("copy-inbox-url");
  }, first);
  await page.focus(`#captures tr[data-capture="${first}"]`);
  await capture();
  await capture();
  const kept = await page.evaluate((id) => {
    const tr = document.querySelector(`#captures tr[data-capture="${id}"]`);
    return {
      same: tr === window.__capture,
      focused: document.activeElement === tr,
      copyUrl: document.getElementById("copy-inbox-url") === window.__copyUrl,
    };
  }, first);
  assert.deepEqual(kept, { same: true, focused: true, copyUrl: true });
});

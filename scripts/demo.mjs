// Drives the demo: starts a verifying receiver, registers it with the sender, fires
// events, and prints what the receiver verified and what the sender logged.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { randomBytes } from "node:crypto";

const api = process.argv[2];
const call = async (method, path, body) => {
  const res = await fetch(api + path, {
    method,
    headers: { "content-type": "application/json" },
    body: body && JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
};

// Start the receiver on an ephemeral port with a fresh secret, then register it with
// the sender (which would generate a secret itself when none is given).
const secret = "whsec_" + randomBytes(24).toString("base64");
const receiver = spawn(
  process.execPath,
  ["examples/receiver.mjs", "--port", "0", "--secret", secret, "--scheme", "vector", "--fail-first", "1"],
  { stdio: ["ignore", "pipe", "inherit"] },
);
receiver.stdout.setEncoding("utf8");
const [firstLine] = await once(receiver.stdout, "data");
process.stdout.write(firstLine);
receiver.stdout.on("data", (d) => process.stdout.write(d));
const url = `${firstLine.match(/http:\/\/[0-9.:]+/)[0]}/hooks`;

const { data: hook } = await call("POST", "/v1/webhooks", {
  kind: "http",
  url,
  events: ["order.*", "invoice.paid"],
  enabled: true,
  profile: "vector",
  secret,
});
console.log(`registered webhook ${hook.id} (profile vector) -> ${hook.url}`);

try {
  for (const [type, data] of [
    ["order.created", { order_id: 1001, total: 42.5 }],
    ["invoice.paid", { invoice: "in_77", amount: 1299 }],
    ["order.shipped", { order_id: 1001, carrier: "DHL" }],
  ]) {
    const { data: ev } = await call("POST", "/v1/events", { type, data });
    console.log(`sender: event ${type} accepted (${ev.id ?? ""})`);
  }
  // Wait until every delivery has settled (the first one retries after a scaled 42 s).
  const deadline = Date.now() + 15000;
  let deliveries = [];
  while (Date.now() < deadline) {
    ({ data: deliveries } = await call("GET", `/v1/webhooks/${hook.id}/deliveries`));
    if (deliveries.length === 3 && deliveries.every((d) => d.status !== "pending")) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const { data: logs } = await call("GET", `/v1/webhooks/${hook.id}/logs`);
  console.log("\nsender's attempt log (newest first):");
  for (const a of logs) {
    console.log(
      `  ${a.event_type.padEnd(14)} delivery ${a.delivery_id} attempt ${a.attempt}: ${a.status_code ?? "-"} in ${a.response_time_ms} ms${a.error ? ` (${a.error})` : ""}`,
    );
  }
  const ok = deliveries.filter((d) => d.status === "success").length;
  console.log(`\n${ok}/${deliveries.length} deliveries verified and accepted; ${logs.length} attempts in all.`);
  if (ok !== 3) process.exitCode = 1;
} finally {
  receiver.kill();
}

// The load generator for measuring the receiver alone (a child of bench/sender.mjs):
//   node bench/sender/loadgen.mjs PORT CONNECTIONS SECONDS PAD_BYTES   (BENCH_SECRET in the environment)
// Raw keep-alive sockets, one request at a time on each (as the sender sends), with the
// sender's headers and body size; reports `{ done, seconds }` to its parent when the time is up.
import { createHmac } from "node:crypto";
import net from "node:net";

const [port, conns, seconds, padBytes] = process.argv.slice(2).map(Number);
const key = Buffer.from(process.env.BENCH_SECRET.replace(/^whsec_/, ""), "base64");
const id = "01JBENCHLOADGEN0000000000";
const ts = String(Math.floor(Date.now() / 1000));
const body = Buffer.from(
  JSON.stringify({
    type: "load.tick",
    timestamp: new Date().toISOString(),
    data: { sent_at: 0, n: 0, phase: "alone", pad: "x".repeat(padBytes) },
  }),
);
const mac = createHmac("sha256", key).update(`${id}.${ts}.`).update(body).digest("base64");
const head =
  `POST /ok/0 HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\nuser-agent: loadgen\r\n` +
  `webhook-id: ${id}\r\nwebhook-timestamp: ${ts}\r\nwebhook-signature: v1,${mac}\r\ncontent-length: ${body.length}\r\n\r\n`;
const req = Buffer.concat([Buffer.from(head), body]);
let done = 0;
let stop = false;
const t0 = performance.now();
for (let i = 0; i < conns; i++) {
  const s = net.connect(port, "127.0.0.1", () => s.write(req));
  s.setNoDelay(true);
  s.on("data", (d) => {
    // 204 answers have no body: one answer per header block.
    let n = 0;
    for (let at = d.indexOf("\r\n\r\n"); at !== -1; at = d.indexOf("\r\n\r\n", at + 4)) n++;
    done += n;
    if (stop) s.destroy();
    else if (n) s.write(req);
  });
  s.on("error", () => {});
}
setTimeout(() => {
  stop = true;
  process.send({ type: "done", done, seconds: (performance.now() - t0) / 1000 });
  setTimeout(() => process.exit(0), 50);
}, seconds * 1000);

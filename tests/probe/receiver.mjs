// A receiver for the probe suite, on 127.0.0.1 and an ephemeral port (printed as
// `listening PORT` on stdout). PROBE_MODE=correct verifies every request with the npm
// package (204, or 401 with the error code); PROBE_MODE=naive answers 200 to anything.
// PROBE_PROFILE and HOOKPROOF_SECRET say what to verify with.
import { createServer } from "node:http";
import { Webhook, WebhookVerificationError } from "../../pkg/src/node.mjs";

const mode = process.env.PROBE_MODE ?? "correct";
const webhook = new Webhook(process.env.HOOKPROOF_SECRET, { scheme: process.env.PROBE_PROFILE ?? "standard" });
const MAX_BODY = 2 * 1024 * 1024;

const server = createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on("data", (c) => {
    size += c.length;
    if (size > MAX_BODY) {
      res.writeHead(413).end("too large");
      req.destroy();
      return;
    }
    chunks.push(c);
  });
  req.on("end", () => {
    if (res.writableEnded) return;
    if (mode === "naive") {
      res.writeHead(200).end("ok");
      return;
    }
    try {
      webhook.verify(Buffer.concat(chunks), req.headers);
      res.writeHead(204).end();
    } catch (e) {
      if (!(e instanceof WebhookVerificationError)) throw e;
      res.writeHead(401, { "content-type": "text/plain" }).end(e.code);
    }
  });
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));

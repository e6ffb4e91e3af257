// A webhook receiver on node:http using the hookproof package: it reads the raw body,
// verifies it, and answers 204 (verified) or 401 ({"error": {"code", "message"}}).
//
//   node examples/receiver.mjs --port 3000 --secret whsec_... [--scheme vector] [--fail-first 1]
//
// --fail-first N answers 500 to the first N verified deliveries, to show the sender's retries.
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { Webhook, WebhookVerificationError } from "hookproof";

const { values: args } = parseArgs({
  options: {
    port: { type: "string", default: "3000" },
    host: { type: "string", default: "127.0.0.1" },
    secret: { type: "string" },
    scheme: { type: "string", default: "standard" },
    "fail-first": { type: "string", default: "0" },
  },
});
if (!args.secret) {
  console.error("usage: node examples/receiver.mjs --secret SECRET [--scheme S] [--port P] [--fail-first N]");
  process.exit(2);
}

const wh = new Webhook(args.secret, { scheme: /** @type {import("hookproof").Scheme} */ (args.scheme) });
let failuresLeft = Number(args["fail-first"]);

const server = createServer((req, res) => {
  /** @type {Buffer[]} */
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    try {
      const event = /** @type {{ type?: string, event?: string }} */ (wh.verify(body, req.headers));
      const kind = event.type ?? event.event ?? "event";
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        console.log(`receiver: verified ${kind}, answering 500 on purpose`);
        res.writeHead(500).end("failing on purpose");
        return;
      }
      console.log(`receiver: verified ${kind} (${body.length} bytes)`);
      res.writeHead(204).end();
    } catch (e) {
      if (!(e instanceof WebhookVerificationError)) throw e;
      console.log(`receiver: rejected: ${e.code}: ${e.message}`);
      res
        .writeHead(401, { "content-type": "application/json" })
        .end(JSON.stringify({ error: { code: e.code, message: e.message } }));
    }
  });
});

server.listen(Number(args.port), args.host, () => {
  const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
  console.log(`receiver: listening on http://${args.host}:${port} (${args.scheme})`);
});

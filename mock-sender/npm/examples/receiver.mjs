// The receiver under test in the examples: an Express app that verifies each webhook
// with hookproof (the raw body, as received) and keeps the events it accepted.
// `failFirst: N` answers 503 to the first N verified deliveries, as a receiver whose
// database is down would; the sender then retries.
import express from "express";
import { Webhook } from "hookproof";

export function createReceiver({ secret, scheme = "stripe", failFirst = 0 }) {
  const webhook = new Webhook(secret, { scheme });
  const events = [];
  let failuresLeft = failFirst;
  const app = express();
  // express.raw, not express.json: the signature covers the exact bytes received.
  app.post("/webhooks", express.raw({ type: "*/*" }), (req, res) => {
    let event;
    try {
      event = webhook.verify(req.body, req.headers);
    } catch (e) {
      return res.status(401).json({ error: e.code });
    }
    if (failuresLeft > 0) {
      failuresLeft -= 1;
      return res.status(503).json({ error: "try again later" });
    }
    events.push(event);
    res.sendStatus(204);
  });
  return { app, events };
}

/** Listens on a free loopback port; its URL and a close function. */
export function listen(app) {
  return new Promise((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}/webhooks`,
        close: () => new Promise((done) => server.close(done)),
      });
    });
  });
}

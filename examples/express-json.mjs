// hookproof/express behind an app-wide express.json(): rawBodySaver keeps the raw bytes.
//   WEBHOOK_SECRET=whsec_... node express-json.mjs
import express from "express";
import { webhookMiddleware, rawBodySaver } from "hookproof/express";

const secret = process.env.WEBHOOK_SECRET;
if (!secret) throw new Error("set WEBHOOK_SECRET");
const app = express();
app.use(express.json({ verify: rawBodySaver })); // req.body is parsed as usual; req.rawBody keeps the bytes
app.post("/webhooks", webhookMiddleware(secret), (req, res) => {
  console.log("verified", req.webhook, "parsed by express.json too:", req.body);
  res.sendStatus(204);
});
app.listen(Number(process.env.PORT ?? 3000), "127.0.0.1");

// require("hookproof-sender"): the CommonJS entry starts a sender and stops it.
const assert = require("node:assert/strict");
const { startSender, SenderError } = require("hookproof-sender");

(async () => {
  const sender = await startSender({ timeScale: 0.001 });
  try {
    assert.equal((await sender.health()).ok, true);
    await assert.rejects(sender.getDelivery("dlv_nope"), (e) => e instanceof SenderError && e.code === "not_found");
  } finally {
    await sender.close();
  }
  console.log(`require: started at ${sender.url}, answered, closed`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});

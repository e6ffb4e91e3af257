// The peer libraries as one ES module for runtimes that cannot resolve node_modules by
// themselves here (workerd) or should get the edge builds (Deno, workerd): bundled by
// esbuild with the browser/worker conditions into bench/results/build/peers.mjs.
export { Webhook as StandardWebhook } from "standardwebhooks";
export { Webhook as SvixWebhook } from "svix";
export { default as Stripe } from "stripe";
export { verify as octokitVerify } from "@octokit/webhooks-methods";

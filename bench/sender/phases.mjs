// The phases of one sender bench run per store mode: saturation, paced load, retries on an
// idle sender, and memory per queued delivery (bench/README.md, "Sender throughput").
import net from "node:net";
import { statSync } from "node:fs";
import { collect } from "./receiver.mjs";
import { client, startSender } from "./serve.mjs";
import { MAX_IN_FLIGHT, RETRY_WAIT_S, SCHEDULED_MS } from "./settings.mjs";
import { countLines, fmt0, fmtMs, log, now, pct, procCpuMs, rssKiB, settle, sleep, summary, waitFor } from "./util.mjs";

// One sender process in `mode` (memory | db): throughput, latency, retries; then a fresh
// one for the memory figure.
export async function runMode(mode, { root, cfg, secret, receiver, tmp, bin }) {
  const out = { mode };
  const sender = await startSender({ root, bin, mode, tmp, tag: "load" });
  try {
    const api = client(sender.url);
    const K = cfg.webhooks;
    for (let i = 0; i < K; i++) {
      await api.post("/v1/webhooks", {
        url: `http://127.0.0.1:${receiver.port}/ok/${i}`,
        events: ["load.*"],
        profile: "standard",
        secret,
      });
    }
    const { data: retryWebhook } = await api.postJson("/v1/webhooks", {
      url: `http://127.0.0.1:${receiver.port}/fail/0`,
      events: ["retry.*"],
      profile: "standard",
      secret,
      retry_schedule: [0, RETRY_WAIT_S],
    });
    // Warm-up: connections opened, SQLite pages touched.
    for (let i = 0; i < 20; i++) await api.post("/v1/events", eventBody(cfg.pad, "load.warmup", "warm", i));
    await waitFor(() => receiver.received >= 20 * K, 5000);
    await collect(receiver);

    // 1. Saturation: events posted as fast as the sender takes them, keeping at most
    //    `window` deliveries not yet arrived (so latency is not just an ever-growing queue).
    const window = K * MAX_IN_FLIGHT * 4;
    log(
      `${mode}: saturation, ${K} webhooks x up to ${cfg.events} events (cap ${cfg.seconds} s, window ${window} deliveries)`,
    );
    const cpu0 = procCpuMs(sender.pid);
    const rss0 = rssKiB(sender.pid);
    const log0 = statSync(sender.logPath).size;
    const t0 = now();
    let posted = 0;
    let retryPosted = 0;
    const postMs = [];
    const stopAt = performance.now() + cfg.seconds * 1000;
    const retryTimer = setInterval(() => {
      retryPosted++;
      api.post("/v1/events", eventBody(cfg.pad, "retry.tick", "saturation", retryPosted)).catch(() => {});
    }, 20);
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (posted < cfg.events && performance.now() < stopAt) {
          if (posted * K - receiver.received > window) {
            await sleep(1);
            continue;
          }
          const i = posted++;
          const ts = performance.now();
          await api.post("/v1/events", eventBody(cfg.pad, "load.tick", "saturation", i));
          postMs.push(performance.now() - ts);
        }
      }),
    );
    clearInterval(retryTimer);
    const expected = posted * K;
    await waitFor(() => receiver.received >= expected, 20_000);
    const tEnd = now();
    const cpu1 = procCpuMs(sender.pid);
    const rss1 = rssKiB(sender.pid);
    await waitFor(() => receiver.failSecond >= retryPosted, 3000);
    const sat = await collect(receiver);
    const wall = (sat.last - t0) / 1000;
    out.throughput = {
      events: posted,
      deliveries: sat.received,
      missing: expected - sat.received,
      seconds: wall,
      perSecond: sat.received / wall,
      latency: sat.lat,
      eventPostMs: summary(postMs),
      senderCpu: (cpu1 - cpu0) / 1000 / ((tEnd - t0) / 1000),
      receiverCpu: sat.cpuMs / 1000 / ((tEnd - t0) / 1000),
      verified: sat.verified,
      badSig: sat.badSig,
      bodyBytes: sat.received ? Math.round(sat.bytes / sat.received) : 0,
      logBytesPerDelivery: (statSync(sender.logPath).size - log0) / Math.max(1, sat.received + 2 * retryPosted),
      rssGrowthKiB: rss1 - rss0,
      // CPU time per delivery: what the load on this shared machine does not change much.
      senderUsPerDelivery: ((cpu1 - cpu0) * 1000) / Math.max(1, sat.received + 2 * retryPosted),
      receiverUsPerDelivery: (sat.cpuMs * 1000) / Math.max(1, sat.received),
      window,
    };
    out.retryUnderSaturation = gapSummary(sat.gaps.saturation);
    out.firingUnderSaturation = await firingSummary(api, retryWebhook, sat.gapIds.saturation);
    log(
      `${mode}: ${fmt0(out.throughput.perSecond)} deliveries/s, p50 ${fmtMs(sat.lat.p50)} p99 ${fmtMs(sat.lat.p99)}; sender ${pct(out.throughput.senderCpu)}, receiver ${pct(out.throughput.receiverCpu)} of a core`,
    );

    // 2. Paced at half the saturation rate: the end-to-end latency of a sender that keeps up.
    const rate = Math.max(K * 10, out.throughput.perSecond / 2);
    log(`${mode}: paced at ${fmt0(rate)} deliveries/s for ${cfg.pacedSeconds} s (retries 50/s alongside)`);
    {
      const evPerMs = rate / K / 1000;
      const tp = performance.now();
      let sent = 0;
      let retries = 0;
      const pending = new Set();
      const retryTimer2 = setInterval(() => {
        retries++;
        api.post("/v1/events", eventBody(cfg.pad, "retry.tick", "paced", retries)).catch(() => {});
      }, 20);
      while (performance.now() - tp < cfg.pacedSeconds * 1000) {
        const due = Math.floor((performance.now() - tp) * evPerMs);
        while (sent < due && pending.size < 64) {
          const p = api.post("/v1/events", eventBody(cfg.pad, "load.tick", "paced", sent++));
          pending.add(p);
          p.finally(() => pending.delete(p));
        }
        await sleep(1);
      }
      clearInterval(retryTimer2);
      await Promise.all(pending);
      await waitFor(() => receiver.received >= sent * K && receiver.failSecond >= retries, 10_000);
      const paced = await collect(receiver);
      out.paced = {
        rate,
        events: sent,
        deliveries: paced.received,
        perSecond: paced.received / ((paced.last - paced.first) / 1000),
        latency: paced.lat,
        missing: sent * K - paced.received,
      };
      out.retryUnderLoad = gapSummary(paced.gaps.paced);
      out.firingUnderLoad = await firingSummary(api, retryWebhook, paced.gapIds.paced);
      log(
        `${mode}: paced p50 ${fmtMs(paced.lat.p50)} p99 ${fmtMs(paced.lat.p99)}; retry error under load p50 ${fmtMs(out.retryUnderLoad.p50)} p99 ${fmtMs(out.retryUnderLoad.p99)}`,
      );
    }

    // 3. Retries on an idle sender: one event a 10 ms, attempt 1 fails (500), attempt 2
    //    is scheduled 1 s x time-scale later.
    {
      for (let i = 0; i < cfg.idleRetries; i++) {
        api.post("/v1/events", eventBody(cfg.pad, "retry.tick", "idle", i)).catch(() => {});
        await sleep(10);
      }
      await waitFor(() => receiver.failSecond >= cfg.idleRetries, 5000);
      const idle = await collect(receiver);
      out.retryIdle = gapSummary(idle.gaps.idle);
      out.firingIdle = await firingSummary(api, retryWebhook, idle.gapIds.idle);
      log(
        `${mode}: retry error idle p50 ${fmtMs(out.retryIdle.p50)} p99 ${fmtMs(out.retryIdle.p99)} (n=${out.retryIdle.n})`,
      );
    }
    out.logLines = countLines(sender.logPath);
  } finally {
    await sender.stop();
  }

  // 4. Memory per queued delivery: a fresh sender, `queued` deliveries stuck behind a
  //    receiver that accepts connections but never answers (attempt timeout 10 min), so
  //    8 per endpoint are on the wire and the rest wait for a slot.
  out.memory = await measureMemory({ root, bin, mode, tmp, cfg, secret });
  log(
    `${mode}: memory ${fmt0(out.memory.bytesPerDelivery)} B per queued delivery (${out.memory.queued} queued, RSS ${fmt0(out.memory.rssBeforeKiB / 1024)} -> ${fmt0(out.memory.rssAfterKiB / 1024)} MiB)`,
  );
  return out;
}

async function measureMemory({ root, bin, mode, tmp, cfg, secret }) {
  const held = [];
  const stall = net.createServer((s) => {
    held.push(s);
    s.on("error", () => {});
  });
  await new Promise((r) => stall.listen(0, "127.0.0.1", r));
  const port = stall.address().port;
  const sender = await startSender({ root, bin, mode, tmp, tag: "mem", extra: ["--attempt-timeout", "10m"] });
  try {
    const api = client(sender.url);
    const K = cfg.webhooks;
    for (let i = 0; i < K; i++)
      await api.post("/v1/webhooks", {
        url: `http://127.0.0.1:${port}/stall/${i}`,
        events: ["mem.*"],
        profile: "standard",
        secret,
      });
    let events = 0; // each fans out to K deliveries
    let queued = 0;
    const queue = async (upTo) => {
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (events * K < upTo && performance.now() < deadline) {
            const i = events++;
            await api.post("/v1/events", eventBody(cfg.pad, "mem.tick", "memory", i));
          }
        }),
      );
      queued = events * K;
    };
    const t0 = performance.now();
    const deadline = t0 + cfg.memorySeconds * 1000; // a slow store (fsync per write) gets fewer queued
    await queue(K * 20); // the in-flight slots fill; allocator and SQLite warm up
    await settle(sender.pid);
    const before = { queued, rss: rssKiB(sender.pid) };
    await queue(Math.round(cfg.queued / 2));
    await settle(sender.pid);
    const mid = { queued, rss: rssKiB(sender.pid) };
    await queue(cfg.queued);
    await settle(sender.pid);
    const after = { queued, rss: rssKiB(sender.pid) };
    const seconds = (performance.now() - t0) / 1000;
    const per = ((after.rss - before.rss) * 1024) / (after.queued - before.queued);
    const perFirstHalf = ((mid.rss - before.rss) * 1024) / (mid.queued - before.queued);
    const perSecondHalf = ((after.rss - mid.rss) * 1024) / (after.queued - mid.queued);
    const stuck = held.length;
    return {
      queued: after.queued,
      rssBeforeKiB: before.rss,
      rssMidKiB: mid.rss,
      rssAfterKiB: after.rss,
      bytesPerDelivery: per,
      perFirstHalf,
      perSecondHalf,
      enqueuePerSecond: (after.queued - before.queued) / seconds,
      connectionsHeld: stuck,
    };
  } finally {
    await sender.stop(true);
    for (const s of held) s.destroy();
    stall.close();
  }
}

// The sender's own record of each retry (the goal's "actual vs scheduled"): attempt 2's
// `delivered_at` (when its request went out) minus the `next_attempt_at` attempt 1
// scheduled, from GET /v1/webhooks/{id}/logs. Whole milliseconds (the log's resolution).
async function firingSummary(api, webhook, ids = []) {
  const { data: logs } = await api.get(`/v1/webhooks/${webhook.id}/logs?limit=1000`);
  const byMessage = new Map();
  for (const l of logs) {
    if (l.chaos) continue;
    const id = l.request_headers.find(([k]) => k.toLowerCase() === "webhook-id")?.[1];
    if (id) (byMessage.get(id) ?? byMessage.set(id, {}).get(id))[l.attempt] = l;
  }
  const errors = [];
  for (const id of ids) {
    const a = byMessage.get(id);
    if (a?.[1]?.next_attempt_at && a[2]) errors.push(Date.parse(a[2].delivered_at) - Date.parse(a[1].next_attempt_at));
  }
  return { ...summary(errors), of: ids.length };
}

function gapSummary(gaps = []) {
  // Error = arrival gap between attempts 1 and 2 minus the scheduled wait.
  const s = summary(gaps.map((g) => g - SCHEDULED_MS));
  return { ...s, scheduledMs: SCHEDULED_MS };
}

function eventBody(pad, type, phase, n) {
  return { type, data: { sent_at: now(), n, phase, pad } };
}

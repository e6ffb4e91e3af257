// A redis-server of the test's own on 127.0.0.1, without persistence, that the test can
// stop and start again on the same port. Its pid file goes to $REPLAY_TMP, where run.sh's
// trap finds it if the test dies first.
import { spawn } from "node:child_process";
import { createServer, connect } from "node:net";
import { once } from "node:events";
import { join } from "node:path";
import { tmpdir } from "node:os";

const REDIS_SERVER = process.env.REDIS_SERVER ?? "redis-server";
const TMP = process.env.REPLAY_TMP ?? tmpdir();

async function freePort() {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once a PING on `port` gets PONG, within `ms`. */
export async function waitForRedis(port, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const pong = await new Promise((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.setTimeout(500, () => socket.destroy());
      socket.once("error", () => resolve(false));
      socket.once("close", () => resolve(false));
      socket.once("connect", () => socket.write("PING\r\n"));
      socket.once("data", (d) => {
        socket.destroy();
        resolve(d.toString().startsWith("+PONG"));
      });
    });
    if (pong) return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts a redis-server; resolves to { port, url, stop(), start() }. */
export async function startRedis() {
  const port = await freePort();
  let child;
  const server = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn(
        REDIS_SERVER,
        [
          "--port",
          String(port),
          "--bind",
          "127.0.0.1",
          "--save",
          "",
          "--appendonly",
          "no",
          "--dir",
          TMP,
          "--pidfile",
          join(TMP, `redis-${port}.pid`),
          "--logfile",
          "",
          "--loglevel",
          "warning",
        ],
        { stdio: "ignore" },
      );
      await waitForRedis(port);
    },
    /** Kills it (SIGKILL: no goodbye to the clients, as a crashed or unplugged server). */
    async stop() {
      if (!child || child.exitCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGKILL");
      await exited;
    },
  };
  await server.start();
  return server;
}

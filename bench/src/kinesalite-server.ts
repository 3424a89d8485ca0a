/**
 * kinesalite in a process of its own (see kinesalite-process.ts): on `start`, loads the package, opens its
 * LevelDB in the given directory and listens on 127.0.0.1 at a port of the OS's choosing; answers `cpu` with
 * the CPU it has used. Streams are ACTIVE at once (createStreamMs 0), as Eddy's are. kinesalite writes with
 * LevelDB's default options, i.e. without sync: what it acknowledges may still be in the page cache.
 */
import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { isToKinesalite, type FromKinesalite, type ToKinesalite } from "./kinesalite-process.js";

/** The package's programmatic API (it ships no types): an http.Server, not yet listening. */
type Kinesalite = (options: {
  path: string;
  createStreamMs: number;
  deleteStreamMs: number;
  updateStreamMs: number;
  shardLimit: number;
}) => Server;

const send = process.send?.bind(process);
if (!send) throw new Error("kinesalite-server must be started by the bench coordinator (node:child_process fork)");
const post = (message: FromKinesalite): void => void send(message);
// Without its coordinator nobody would stop this process: leave with it.
process.on("disconnect", () => process.exit(1));

let started = false;
process.on("message", (message: unknown) => {
  if (!isToKinesalite(message)) throw new Error(`unexpected message ${JSON.stringify(message)}`);
  if (message.type === "cpu") {
    const used = process.cpuUsage();
    post({ type: "cpu", cpuSeconds: (used.user + used.system) / 1e6 });
  } else if (!started) {
    started = true;
    start(message);
  }
});

function start(options: Extract<ToKinesalite, { type: "start" }>): void {
  let server: Server;
  let version: string;
  try {
    const require = createRequire(import.meta.url);
    const kinesalite = require("kinesalite") as Kinesalite;
    version = (require("kinesalite/package.json") as { version: string }).version;
    // With a path, kinesalite requires its optional dependency leveldown here: a missing or unloadable
    // LevelDB binding fails now, not at the first write.
    server = kinesalite({
      path: options.dataDir,
      createStreamMs: 0,
      deleteStreamMs: 0,
      updateStreamMs: 0,
      shardLimit: options.shardLimit,
    });
  } catch (error) {
    // The coordinator stops this process once it has the reason.
    post({ type: "unavailable", reason: error instanceof Error ? error.message : String(error) });
    return;
  }
  server.once("error", (error) => {
    throw error;
  });
  server.listen(0, "127.0.0.1", () => {
    const { address, port } = server.address() as AddressInfo;
    post({ type: "listening", url: `http://${address}:${port}`, version });
  });
}

#!/usr/bin/env node
// An example consumer-application worker, shipped in the Eddy image for deploy/k8s/examples.
//
// It reads a stream as one worker of a named application (the brokers hold the leases and checkpoints,
// so any number of these share the shards), counts records and bytes, and prints a JSON line every
// --report-ms. Replace `handle` with real work.
//
//   persistent:  node deploy/examples/worker.mjs --stream orders --application billing
//   transient:   node deploy/examples/worker.mjs --stream orders --application nightly --until-caught-up
//
// --until-caught-up turns it into a batch job: the worker exits 0 once every shard it holds has been
// read to the tip (millisBehindLatest 0, or the shard ended) and no record has come for --idle-ms, after
// its last checkpoints and with its leases released. A worker that holds no shard for --idle-ms exits
// too (more workers than shards). A halted shard (the failure policy gave up) makes it exit 1.
//
// Every option can also come from the environment: EDDY_ENDPOINTS, EDDY_STREAM, EDDY_APPLICATION,
// POD_NAME (the worker id), EDDY_INITIAL_POSITION, EDDY_TLS_CA (--tls-ca: connect with TLS, trusting the
// CA in this PEM file).
import { parseArgs } from "node:util";
import { Application } from "@eddy/client";

const { values: options } = parseArgs({
  options: {
    endpoints: { type: "string", default: process.env.EDDY_ENDPOINTS ?? "127.0.0.1:7400" },
    stream: { type: "string", default: process.env.EDDY_STREAM },
    application: { type: "string", default: process.env.EDDY_APPLICATION },
    "worker-id": { type: "string", default: process.env.POD_NAME },
    "initial-position": { type: "string", default: process.env.EDDY_INITIAL_POSITION ?? "TRIM_HORIZON" },
    "tls-ca": { type: "string", default: process.env.EDDY_TLS_CA || undefined },
    "until-caught-up": { type: "boolean", default: false },
    "idle-ms": { type: "string", default: "10000" },
    "report-ms": { type: "string", default: "10000" },
  },
});

function usage(message) {
  process.stderr.write(`worker: ${message}\n`);
  process.exit(2);
}

function positiveMs(name) {
  const value = Number(options[name]);
  if (!Number.isSafeInteger(value) || value <= 0) usage(`--${name} must be a positive number of ms, got ${options[name]}`);
  return value;
}

if (!options.stream) usage("--stream (or EDDY_STREAM) is required");
if (!options.application) usage("--application (or EDDY_APPLICATION) is required");
if (!["TRIM_HORIZON", "LATEST"].includes(options["initial-position"]))
  usage(`--initial-position must be TRIM_HORIZON or LATEST, got ${options["initial-position"]}`);
const idleMs = positiveMs("idle-ms");
const reportMs = positiveMs("report-ms");
const CHECK_INTERVAL_MS = 500;

const totals = { records: 0, bytes: 0 };

/** The work: here, counting. A processor that throws is retried by the application's failure policy. */
function handle(records) {
  for (const record of records) {
    totals.records += 1;
    totals.bytes += record.data.length;
  }
}

const log = (event, fields = {}) =>
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), event, ...fields }) + "\n");

const app = new Application({
  endpoint: options.endpoints.split(",").map((endpoint) => endpoint.trim()).filter(Boolean),
  stream: options.stream,
  application: options.application,
  ...(options["worker-id"] ? { workerId: options["worker-id"] } : {}),
  initialPosition: options["initial-position"],
  ...(options["tls-ca"] ? { tls: { ca: options["tls-ca"] } } : {}),
  processor: { processRecords: ({ records }) => handle(records) },
});
app.on("leaseAcquired", (shardId, epoch) => log("leaseAcquired", { shardId, epoch }));
app.on("leaseLost", (shardId) => log("leaseLost", { shardId }));
app.on("shardHalted", (shardId, reason) => log("shardHalted", { shardId, reason }));
app.on("error", (error) => log("error", { message: error instanceof Error ? error.message : String(error) }));

let stopping = false;
async function finish(code, reason) {
  if (stopping) return;
  stopping = true;
  log("stopping", { reason, ...totals });
  try {
    await app.stop(); // last checkpoints, then every lease released at once
  } finally {
    log("stopped", { code, ...totals });
    process.exit(code);
  }
}
process.on("SIGTERM", () => void finish(0, "SIGTERM"));
process.on("SIGINT", () => void finish(0, "SIGINT"));

await app.start();
log("started", { workerId: app.workerId, stream: options.stream, application: options.application });
setInterval(() => log("progress", { ...totals, shards: app.status() }), reportMs).unref();

if (options["until-caught-up"]) {
  let lastRecords = -1;
  let quietSinceMs = Date.now();
  setInterval(() => {
    const nowMs = Date.now();
    if (totals.records !== lastRecords) {
      lastRecords = totals.records;
      quietSinceMs = nowMs;
    }
    const shards = app.status();
    const halted = shards.find((s) => s.state === "halted");
    if (halted) return void finish(1, `shard ${halted.shardId} halted: ${halted.haltedReason ?? "?"}`);
    const atTip = shards.every((s) => s.state === "ended" || s.millisBehindLatest === 0);
    if (atTip && nowMs - quietSinceMs >= idleMs)
      void finish(0, shards.length === 0 ? "no shard to read" : "caught up");
  }, CHECK_INTERVAL_MS);
}

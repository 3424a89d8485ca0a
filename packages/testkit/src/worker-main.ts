/**
 * A consumer-application worker process for tests: runs `Application` with a processor that appends
 * every record it processes to a file (synchronously, so a SIGKILL loses nothing it processed), and
 * prints what happens to it as JSON lines on stdout. Configured by one JSON argument (WorkerSpec).
 * SIGTERM stops it gracefully (last checkpoints, leases released); exit code 0.
 */
import { appendFileSync } from "node:fs";
import { Application, type FailurePolicy } from "@eddy/client";

export interface WorkerSpec {
  readonly endpoints: readonly string[];
  readonly stream: string;
  readonly application: string;
  readonly workerId: string;
  /**
   * Processed records go here, one line each: "P shardId sequenceNumber partitionKey atMs data" (atMs: when,
   * with sub-millisecond precision); checkpoints as "C shardId sequenceNumber".
   */
  readonly outFile: string;
  readonly leaseTimeoutMs?: number;
  readonly checkpointEveryMs?: number;
  readonly initialPosition?: "TRIM_HORIZON" | "LATEST";
  /** A record whose data equals this string makes processRecords throw. */
  readonly poisonData?: string;
  readonly failurePolicy?: Partial<FailurePolicy>;
}

const spec = JSON.parse(process.argv[2] ?? "{}") as WorkerSpec;
const say = (event: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(event)}\n`);
};

const app = new Application({
  endpoint: spec.endpoints,
  stream: spec.stream,
  application: spec.application,
  workerId: spec.workerId,
  ...(spec.leaseTimeoutMs !== undefined ? { leaseTimeoutMs: spec.leaseTimeoutMs } : {}),
  ...(spec.initialPosition !== undefined ? { initialPosition: spec.initialPosition } : {}),
  checkpoint: { everyMs: spec.checkpointEveryMs ?? 200 },
  ...(spec.failurePolicy !== undefined ? { failurePolicy: spec.failurePolicy } : {}),
  processor: {
    processRecords({ shardId, records }) {
      const lines: string[] = [];
      for (const record of records) {
        const data = record.data.toString("utf8");
        if (spec.poisonData !== undefined && data === spec.poisonData) {
          // What was processed before the poison record is recorded: it was processed.
          if (lines.length > 0) appendFileSync(spec.outFile, lines.join(""));
          throw new Error(`poison record ${record.sequenceNumber}`);
        }
        const atMs = (performance.timeOrigin + performance.now()).toFixed(3);
        lines.push(`P ${shardId} ${record.sequenceNumber} ${record.partitionKey} ${atMs} ${data}\n`);
      }
      appendFileSync(spec.outFile, lines.join(""));
    },
  },
});
app.on("checkpointed", (shardId, position) => {
  if (position.sequenceNumber !== undefined) appendFileSync(spec.outFile, `C ${shardId} ${position.sequenceNumber}\n`);
});
app.on("leaseAcquired", (shardId, epoch) => say({ event: "leaseAcquired", shardId, epoch }));
app.on("leaseLost", (shardId) => say({ event: "leaseLost", shardId }));
app.on("shardHalted", (shardId, reason) => say({ event: "shardHalted", shardId, reason }));
app.on("deadLettered", (shardId, records) =>
  say({ event: "deadLettered", shardId, sequenceNumbers: records.map((r) => r.sequenceNumber) }),
);
app.on("error", (error) => say({ event: "error", message: String(error) }));

process.once("SIGTERM", () => {
  void app.stop().then(() => {
    say({ event: "stopped" });
    process.exit(0);
  });
});

await app.start();
say({ event: "started", workerId: app.workerId });

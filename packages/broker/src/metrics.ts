import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { ShardLogProbe } from "./shard-log.js";

/**
 * The only place that knows prom-client. Names follow Kinesis's CloudWatch metrics where one exists
 * (IncomingRecords, IncomingBytes, PutRecord.Latency, GetRecords.IteratorAgeMilliseconds,
 * WriteProvisionedThroughputExceeded), in Prometheus form.
 */
export class BrokerProbe {
  readonly registry = new Registry();
  private readonly incomingRecords = new Counter({
    name: "eddy_incoming_records_total",
    help: "Records accepted by PutRecord and PutRecords",
    labelNames: ["stream"],
    registers: [this.registry],
  });
  private readonly incomingBytes = new Counter({
    name: "eddy_incoming_bytes_total",
    help: "Bytes (data plus partition key) accepted",
    labelNames: ["stream"],
    registers: [this.registry],
  });
  private readonly putLatency = new Histogram({
    name: "eddy_put_latency_seconds",
    help: "Time from receiving a put to acknowledging it",
    labelNames: ["stream", "operation"],
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  private readonly outgoingRecords = new Counter({
    name: "eddy_outgoing_records_total",
    help: "Records returned by GetRecords and pushed by SubscribeToShard",
    labelNames: ["stream"],
    registers: [this.registry],
  });
  private readonly outgoingBytes = new Counter({
    name: "eddy_outgoing_bytes_total",
    help: "Bytes returned by GetRecords and pushed by SubscribeToShard",
    labelNames: ["stream"],
    registers: [this.registry],
  });
  private readonly iteratorAge = new Gauge({
    name: "eddy_iterator_age_milliseconds",
    help: "millisBehindLatest of the most recent read",
    labelNames: ["stream"],
    registers: [this.registry],
  });
  private readonly throttledCalls = new Counter({
    name: "eddy_throttled_total",
    help: "Calls or records refused with ProvisionedThroughputExceededException",
    labelNames: ["stream", "operation"],
    registers: [this.registry],
  });
  private readonly errors = new Counter({
    name: "eddy_errors_total",
    help: "Calls that failed, by Kinesis error name",
    labelNames: ["operation", "error"],
    registers: [this.registry],
  });
  private readonly subscribers = new Gauge({
    name: "eddy_subscribers",
    help: "Open SubscribeToShard calls",
    labelNames: ["stream"],
    registers: [this.registry],
  });
  private readonly batchRecords = new Histogram({
    name: "eddy_log_batch_records",
    help: "Records per group-commit batch (one log entry, one LevelDB write)",
    buckets: [1, 2, 5, 10, 50, 100, 500, 1000, 5000, 10000],
    registers: [this.registry],
  });
  private readonly batchPuts = new Histogram({
    name: "eddy_log_batch_puts",
    help: "Put calls answered by one group-commit batch",
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [this.registry],
  });
  private readonly batchWriteSeconds = new Histogram({
    name: "eddy_log_batch_write_seconds",
    help: "Time to encode and durably write one batch",
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1],
    registers: [this.registry],
  });
  private readonly trimmedEntries = new Counter({
    name: "eddy_retention_trimmed_entries_total",
    help: "Log entries removed by retention",
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "eddy_" });
  }

  readonly shardLog: ShardLogProbe = {
    batchCommitted: (records, _bytes, puts, durationMs) => {
      this.batchRecords.observe(records);
      this.batchPuts.observe(puts);
      this.batchWriteSeconds.observe(durationMs / 1000);
    },
  };

  recordsPut(stream: string, operation: string, records: number, bytes: number, durationMs: number): void {
    this.incomingRecords.inc({ stream }, records);
    this.incomingBytes.inc({ stream }, bytes);
    this.putLatency.observe({ stream, operation }, durationMs / 1000);
  }

  recordsRead(stream: string, records: number, bytes: number, millisBehindLatest: number): void {
    this.outgoingRecords.inc({ stream }, records);
    this.outgoingBytes.inc({ stream }, bytes);
    this.iteratorAge.set({ stream }, millisBehindLatest);
  }

  throttled(stream: string, operation: string): void {
    this.throttledCalls.inc({ stream, operation });
  }

  failed(operation: string, error: string): void {
    this.errors.inc({ operation, error });
  }

  subscriberChanged(stream: string, delta: number): void {
    this.subscribers.inc({ stream }, delta);
  }

  trimmed(entries: number): void {
    this.trimmedEntries.inc(entries);
  }
}

/**
 * An Application's figures as Prometheus metrics, for a worker process that serves /metrics: register
 * them on the process's registry once, and each scrape reads `application.metrics()`.
 */
import { Counter, Gauge, type Registry } from "prom-client";
import type { Application, ApplicationMetrics } from "./application.js";

export function registerApplicationMetrics(
  application: Application,
  registry: Registry,
  prefix = "eddy_worker_",
): void {
  const counter = (name: string, help: string, read: (m: ApplicationMetrics) => number) => {
    let reported = 0;
    new Counter({
      name: `${prefix}${name}`,
      help,
      registers: [registry],
      collect() {
        // Counters only go up: add what was counted since the last scrape.
        const now = read(application.metrics());
        if (now > reported) this.inc(now - reported);
        reported = Math.max(reported, now);
      },
    });
  };
  const gauge = (name: string, help: string, read: (m: ApplicationMetrics) => number) =>
    new Gauge({
      name: `${prefix}${name}`,
      help,
      registers: [registry],
      collect() {
        this.set(read(application.metrics()));
      },
    });
  counter("processed_records_total", "Records processRecords handled without error", (m) => m.processedRecords);
  counter("retries_total", "Failed processing attempts that were retried", (m) => m.retries);
  counter("dead_lettered_records_total", "Records sent to the dead-letter stream", (m) => m.deadLetteredRecords);
  counter(
    "skipped_records_total",
    "Records skipped by the skip policy after their last attempt",
    (m) => m.skippedRecords,
  );
  counter("leases_lost_total", "Leases that went to another worker while held here", (m) => m.leasesLost);
  gauge("halted_shards", "Shards stopped by the halt policy", (m) => m.haltedShards);
  gauge("leases_held", "Shards this worker holds", (m) => m.leasesHeld);
  gauge(
    "millis_behind_latest",
    "The largest lag over the shards held, ms (-1 when none reported)",
    (m) => m.millisBehindLatest,
  );
}

import {
  APPLICATION_LIMITS,
  applicationKey,
  isWorkerLive,
  resourceNotFound,
  validateApplicationName,
  validateStreamName,
  type Application,
  type HeartbeatResult,
} from "@eddy/core";
import { resumePositionFromWire, resumePositionToWire } from "@eddy/api";
import type * as api from "@eddy/api";
import type { ClusterNode } from "./cluster/cluster-node.js";
import type { ApplicationsView } from "./metrics.js";

/**
 * The consumer-application calls: every change is a controller command (so the lease table is
 * replicated and fenced in one place); reads come from this broker's replica of the controller state.
 * The time a command carries is this broker's clock: lease expiry assumes the brokers' clocks agree to
 * well within a lease timeout, as NTP keeps them.
 */
export class ApplicationService {
  constructor(private readonly cluster: ClusterNode) {}

  async createApplication(req: api.CreateApplicationRequest__Output): Promise<api.CreateApplicationResponse> {
    validateStreamName(req.stream_name);
    validateApplicationName(req.application_name);
    const initialPosition = req.initial_position || "TRIM_HORIZON";
    const app = (await this.cluster.submit({
      type: "CreateApplication",
      streamName: req.stream_name,
      applicationName: req.application_name,
      initialPosition,
      ...(initialPosition === "AT_TIMESTAMP" ? { initialTimestampMs: Number(req.initial_timestamp) } : {}),
      leaseTimeoutMs: req.lease_timeout_ms || APPLICATION_LIMITS.leaseTimeoutMsDefault,
      nowMs: Date.now(),
    })) as Application;
    return { application: this.describe(app, Date.now()) };
  }

  async deleteApplication(req: api.DeleteApplicationRequest__Output): Promise<api.DeleteApplicationResponse> {
    this.require(req.stream_name, req.application_name);
    await this.cluster.submit({
      type: "DeleteApplication",
      streamName: req.stream_name,
      applicationName: req.application_name,
    });
    return {};
  }

  describeApplication(req: api.DescribeApplicationRequest__Output): api.DescribeApplicationResponse {
    return { application: this.describe(this.require(req.stream_name, req.application_name), Date.now()) };
  }

  listApplications(req: api.ListApplicationsRequest__Output): api.ListApplicationsResponse {
    if (req.stream_name) validateStreamName(req.stream_name);
    const nowMs = Date.now();
    const applications = [...this.cluster.state.applications.values()]
      .filter((a) => !req.stream_name || a.streamName === req.stream_name)
      .sort((a, b) =>
        applicationKey(a.streamName, a.applicationName) < applicationKey(b.streamName, b.applicationName) ? -1 : 1,
      )
      .map((a) => this.describe(a, nowMs));
    return { applications };
  }

  async workerHeartbeat(req: api.WorkerHeartbeatRequest__Output): Promise<api.WorkerHeartbeatResponse> {
    validateStreamName(req.stream_name);
    validateApplicationName(req.application_name);
    const result = (await this.cluster.submit({
      type: "WorkerHeartbeat",
      streamName: req.stream_name,
      applicationName: req.application_name,
      workerId: req.worker_id,
      incarnation: req.incarnation,
      nowMs: Date.now(),
      released: req.released,
      leaving: req.leaving,
      reports: req.reports.map((r) => ({
        shardId: r.shard_id,
        ...(Number(r.millis_behind_latest) >= 0 ? { millisBehindLatest: Number(r.millis_behind_latest) } : {}),
        ...(r.halted_reason ? { haltedReason: r.halted_reason } : {}),
      })),
    })) as HeartbeatResult;
    return {
      leases: result.leases.map((l) => ({
        shard_id: l.shardId,
        epoch: String(l.epoch),
        start_from: resumePositionToWire(l.startFrom),
      })),
      release: [...result.release],
      lease_timeout_ms: result.leaseTimeoutMs,
      next_expiry_in_ms: String(result.nextExpiryInMs ?? -1),
    };
  }

  async checkpoint(req: api.CheckpointRequest__Output): Promise<api.CheckpointResponse> {
    validateStreamName(req.stream_name);
    validateApplicationName(req.application_name);
    await this.cluster.submit({
      type: "WriteCheckpoint",
      streamName: req.stream_name,
      applicationName: req.application_name,
      workerId: req.worker_id,
      shardId: req.shard_id,
      epoch: Number(req.epoch),
      position: resumePositionFromWire(req.position),
      nowMs: Date.now(),
    });
    return {};
  }

  async resetApplication(req: api.ResetApplicationRequest__Output): Promise<api.ResetApplicationResponse> {
    this.require(req.stream_name, req.application_name);
    await this.cluster.submit({
      type: "ResetApplication",
      streamName: req.stream_name,
      applicationName: req.application_name,
      position: resumePositionFromWire(req.position),
      ...(req.shard_id ? { shardId: req.shard_id } : {}),
      force: req.force,
      nowMs: Date.now(),
    });
    return {};
  }

  /** Every shard of the stream, with its lease and checkpoint if it has them. */
  private describe(app: Application, nowMs: number): api.ApplicationDescription {
    const shardIds = this.cluster.state.streams.get(app.streamName)?.shards.map((s) => s.shardId) ?? [];
    return describeApplication(app, shardIds, nowMs);
  }

  /** The applications' progress for the metrics, read when scraped. */
  view(nowMs: number): ApplicationsView {
    const apps = [...this.cluster.state.applications.values()];
    return {
      applications: apps.map((a) => ({
        stream: a.streamName,
        application: a.applicationName,
        liveWorkers: [...a.workers.keys()].filter((id) => isWorkerLive(a, id, nowMs)).length,
      })),
      shards: apps.flatMap((a) =>
        [...a.shards].map(([shard, p]) => ({
          labels: { stream: a.streamName, application: a.applicationName, shard },
          ...(p.millisBehindLatest !== undefined ? { millisBehindLatest: p.millisBehindLatest } : {}),
          ...(p.checkpoint ? { checkpointAgeMs: Math.max(0, nowMs - p.checkpoint.writtenAtMs) } : {}),
          halted: p.halted !== undefined,
        })),
      ),
    };
  }

  private require(streamName: string, applicationName: string): Application {
    validateStreamName(streamName);
    validateApplicationName(applicationName);
    const app = this.cluster.state.applications.get(applicationKey(streamName, applicationName));
    if (!app) throw resourceNotFound(`Application ${applicationName} of stream ${streamName} not found.`);
    return app;
  }
}

function describeApplication(app: Application, shardIds: readonly string[], nowMs: number): api.ApplicationDescription {
  const leaseCounts = new Map<string, number>();
  for (const progress of app.shards.values()) {
    const owner = progress.lease?.owner;
    if (owner !== undefined) leaseCounts.set(owner, (leaseCounts.get(owner) ?? 0) + 1);
  }
  return {
    stream_name: app.streamName,
    application_name: app.applicationName,
    created_at: String(app.createdAtMs),
    initial_position: app.initialPosition,
    initial_timestamp: String(app.initialTimestampMs ?? 0),
    lease_timeout_ms: app.leaseTimeoutMs,
    workers: [...app.workers]
      .filter(([id]) => isWorkerLive(app, id, nowMs))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([id, w]) => ({
        worker_id: id,
        last_heartbeat: String(w.lastHeartbeatMs),
        lease_count: leaseCounts.get(id) ?? 0,
      })),
    shards: [...shardIds]
      .sort()
      .map((shardId) => [shardId, app.shards.get(shardId) ?? { epoch: 0 }] as const)
      .map(([shardId, p]) => ({
        shard_id: shardId,
        owner: p.lease?.owner ?? "",
        lease_epoch: String(p.lease?.epoch ?? 0),
        checkpoint: p.checkpoint ? resumePositionToWire(p.checkpoint.position) : null,
        checkpoint_written_at: String(p.checkpoint?.writtenAtMs ?? 0),
        checkpoint_worker: p.checkpoint?.workerId ?? "",
        millis_behind_latest: String(p.millisBehindLatest ?? -1),
        halted_reason: p.halted?.reason ?? "",
        halted_worker: p.halted?.workerId ?? "",
        halted_at: String(p.halted?.atMs ?? 0),
      })),
  };
}

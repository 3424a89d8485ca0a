/**
 * The lease-table calls of consumer applications as the SDK sees them: camelCase values with numbers
 * and Dates, converted from and to the wire messages of the Streams service.
 */
import { resumePositionFromWire, resumePositionToWire } from "@eddy/api";
import type * as wire from "@eddy/api";
import type { HeartbeatResult, InitialPositionType, ResumePosition, ShardReport } from "@eddy/core";
import { int64ToNumber } from "../convert.js";

export type { HeldLease, ResumePosition, ResumeType, ShardReport } from "@eddy/core";
export type InitialPosition = InitialPositionType;

export interface CreateApplicationInput {
  readonly streamName: string;
  readonly applicationName: string;
  readonly initialPosition?: InitialPosition;
  /** For AT_TIMESTAMP. */
  readonly initialTimestamp?: Date;
  /** 1,000 to 600,000; the broker's default (10 s) when absent. */
  readonly leaseTimeoutMs?: number;
}

export interface ApplicationShardInfo {
  readonly shardId: string;
  /** Undefined when no worker holds the lease. */
  readonly owner?: string;
  readonly leaseEpoch: number;
  readonly checkpoint?: ResumePosition;
  readonly checkpointWrittenAt?: Date;
  readonly checkpointWorker?: string;
  readonly millisBehindLatest?: number;
  readonly halted?: { readonly reason: string; readonly workerId: string; readonly at: Date };
}

export interface ApplicationInfo {
  readonly streamName: string;
  readonly applicationName: string;
  readonly createdAt: Date;
  readonly initialPosition: InitialPosition;
  readonly initialTimestamp?: Date;
  readonly leaseTimeoutMs: number;
  /** Live workers only. */
  readonly workers: ReadonlyArray<{
    readonly workerId: string;
    readonly lastHeartbeat: Date;
    readonly leaseCount: number;
  }>;
  readonly shards: readonly ApplicationShardInfo[];
}

export interface WorkerHeartbeatInput {
  readonly streamName: string;
  readonly applicationName: string;
  readonly workerId: string;
  readonly incarnation: string;
  readonly released?: readonly string[];
  readonly leaving?: boolean;
  readonly reports?: readonly ShardReport[];
}

/** What a heartbeat answers: the controller's own result shape. */
export type WorkerHeartbeatOutput = HeartbeatResult;

export interface CheckpointInput {
  readonly streamName: string;
  readonly applicationName: string;
  readonly workerId: string;
  readonly shardId: string;
  readonly epoch: number;
  readonly position: ResumePosition;
}

export interface ResetApplicationInput {
  readonly streamName: string;
  readonly applicationName: string;
  readonly position: ResumePosition;
  readonly shardId?: string;
  readonly force?: boolean;
}

export const positionToWire = resumePositionToWire;

export function positionFromWire(message: wire.ResumePosition__Output): ResumePosition {
  return resumePositionFromWire(message, (value) => int64ToNumber(value, "timestamp"));
}

export function applicationFromWire(message: wire.ApplicationDescription__Output): ApplicationInfo {
  const ms = (value: string, field: string) => int64ToNumber(value, field);
  return {
    streamName: message.stream_name,
    applicationName: message.application_name,
    createdAt: new Date(ms(message.created_at, "created_at")),
    initialPosition: message.initial_position as InitialPosition,
    ...(message.initial_position === "AT_TIMESTAMP"
      ? { initialTimestamp: new Date(ms(message.initial_timestamp, "initial_timestamp")) }
      : {}),
    leaseTimeoutMs: message.lease_timeout_ms,
    workers: message.workers.map((w) => ({
      workerId: w.worker_id,
      lastHeartbeat: new Date(ms(w.last_heartbeat, "last_heartbeat")),
      leaseCount: w.lease_count,
    })),
    shards: message.shards.map((s) => {
      const lag = ms(s.millis_behind_latest, "millis_behind_latest");
      return {
        shardId: s.shard_id,
        ...(s.owner ? { owner: s.owner } : {}),
        leaseEpoch: ms(s.lease_epoch, "lease_epoch"),
        ...(s.checkpoint
          ? {
              checkpoint: positionFromWire(s.checkpoint),
              checkpointWrittenAt: new Date(ms(s.checkpoint_written_at, "checkpoint_written_at")),
              ...(s.checkpoint_worker ? { checkpointWorker: s.checkpoint_worker } : {}),
            }
          : {}),
        ...(lag >= 0 ? { millisBehindLatest: lag } : {}),
        ...(s.halted_reason
          ? {
              halted: {
                reason: s.halted_reason,
                workerId: s.halted_worker,
                at: new Date(ms(s.halted_at, "halted_at")),
              },
            }
          : {}),
      };
    }),
  };
}

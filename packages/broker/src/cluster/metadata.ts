import { randomUUID } from "node:crypto";
import {
  resourceInUse,
  resourceNotFound,
  serviceUnavailable,
  type ControllerStream,
  type StreamMode,
} from "@eddy/core";
import type { BrokerConfig } from "../config.js";
import type { ClusterNode } from "./cluster-node.js";

/**
 * The Kinesis operations' view of the cluster metadata: reads come from this broker's replica of the
 * controller state, changes go through the controller (`ClusterNode.submit`) and are visible here when
 * they return.
 */
export class Metadata {
  private keyHex = "";
  private key = new Uint8Array(0);

  constructor(
    private readonly cluster: ClusterNode,
    private readonly config: BrokerConfig,
  ) {}

  /** The cluster's shard-iterator key, the same on every broker. */
  get iteratorKey(): Uint8Array {
    const hex = this.cluster.state.iteratorKeyHex;
    if (hex === "") throw serviceUnavailable("The cluster is still forming (no iterator key yet); retry.");
    if (hex !== this.keyHex) {
      this.keyHex = hex;
      this.key = Uint8Array.from(Buffer.from(hex, "hex"));
    }
    return this.key;
  }

  get(streamName: string): ControllerStream | undefined {
    return this.cluster.state.streams.get(streamName);
  }

  /** The stream, or ResourceNotFoundException naming it. */
  require(streamName: string): ControllerStream {
    const stream = this.get(streamName);
    if (!stream) throw resourceNotFound(`Stream ${streamName} under account ${this.config.accountId} not found.`);
    return stream;
  }

  /** The stream if it is ACTIVE (or UPDATING, which still serves reads and writes). */
  requireServing(streamName: string): ControllerStream {
    const stream = this.require(streamName);
    if (stream.status === "DELETING") throw resourceNotFound(`Stream ${streamName} is being deleted.`);
    if (stream.status === "CREATING") throw resourceInUse(`Stream ${streamName} is still being created.`);
    return stream;
  }

  list(): ControllerStream[] {
    return [...this.cluster.state.streams.values()].sort((a, b) =>
      a.streamName < b.streamName ? -1 : a.streamName > b.streamName ? 1 : 0,
    );
  }

  async create(input: {
    streamName: string;
    shardCount: number;
    mode: StreamMode;
    retentionPeriodHours: number;
    maxRecordSizeBytes: number;
  }): Promise<ControllerStream> {
    // Capped by the brokers there are: a single broker holds one copy, the same code path.
    const replicationFactor = Math.max(1, Math.min(this.config.replicationFactor, this.cluster.state.brokers.size));
    return (await this.cluster.submit({
      type: "CreateStream",
      ...input,
      streamId: randomUUID(),
      replicationFactor,
      nowMs: Date.now(),
      region: this.config.region,
      accountId: this.config.accountId,
      shardCountTotalMax: this.config.shardCountTotalMax,
    })) as ControllerStream;
  }

  async markDeleting(streamName: string): Promise<void> {
    await this.cluster.submit({ type: "DeleteStream", streamName });
  }

  async setRetention(streamName: string, retentionPeriodHours: number): Promise<void> {
    await this.cluster.submit({ type: "UpdateRetention", streamName, retentionPeriodHours });
  }

  /** A producer id's next epoch (fencing the producers that used it before). */
  async initProducer(producerId: string): Promise<number> {
    return (await this.cluster.submit({ type: "InitProducer", producerId })) as number;
  }

  async setMode(streamName: string, mode: StreamMode): Promise<void> {
    await this.cluster.submit({ type: "UpdateMode", streamName, mode });
  }
}

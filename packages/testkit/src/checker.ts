/**
 * The history checker every fault test ends with, in the spirit of Jepsen's Kafka checker: given the
 * writes a producer saw acknowledged and what each replica returns when every shard is read back, it
 * reports each way a stream can break its promises. It is pure, so it is tested on crafted histories.
 *
 * It assumes every write carries unique data, which is how the tests make their records.
 */

export interface AckedWrite {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: string;
}

export interface StoredRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: string;
}

/** Everything one replica returned, all shards, each shard in the order read. */
export interface ReplicaRead {
  readonly replica: string;
  readonly records: readonly StoredRecord[];
}

export interface HistoryReport {
  /** Acknowledged, but missing from a replica. */
  readonly lost: ReadonlyArray<{ readonly replica: string; readonly write: AckedWrite }>;
  /** One write's data stored at two places in one replica. */
  readonly duplicates: ReadonlyArray<{
    readonly replica: string;
    readonly data: string;
    readonly sequenceNumbers: string[];
  }>;
  /** One sequence number holding two different records (across replicas, or against the acknowledgement). */
  readonly inconsistentOffsets: ReadonlyArray<{
    readonly shardId: string;
    readonly sequenceNumber: string;
    readonly records: string[];
  }>;
  /** A shard read back out of sequence-number order. */
  readonly unordered: ReadonlyArray<{ readonly replica: string; readonly shardId: string; readonly at: number }>;
  /** Records of one partition key read in another order than they were acknowledged. */
  readonly reordered: ReadonlyArray<{ readonly replica: string; readonly partitionKey: string }>;
  /** Two replicas whose logs of one shard are not prefixes of each other. */
  readonly divergent: ReadonlyArray<{ readonly shardId: string; readonly replicas: [string, string] }>;
  readonly ok: boolean;
}

export function checkHistory(acked: readonly AckedWrite[], replicas: readonly ReplicaRead[]): HistoryReport {
  const lost: Array<HistoryReport["lost"][number]> = [];
  const duplicates: Array<HistoryReport["duplicates"][number]> = [];
  const unordered: Array<HistoryReport["unordered"][number]> = [];
  const reordered: Array<HistoryReport["reordered"][number]> = [];
  const offsets = new Map<string, Set<string>>();
  const note = (shardId: string, sequenceNumber: string, data: string) => {
    const key = `${shardId}/${sequenceNumber}`;
    let seen = offsets.get(key);
    if (!seen) offsets.set(key, (seen = new Set()));
    seen.add(data);
  };
  for (const write of acked) note(write.shardId, write.sequenceNumber, write.data);

  for (const replica of replicas) {
    const stored = new Map<string, string[]>();
    for (const record of replica.records) {
      note(record.shardId, record.sequenceNumber, record.data);
      const places = stored.get(record.data) ?? [];
      places.push(record.sequenceNumber);
      stored.set(record.data, places);
    }
    for (const [data, sequenceNumbers] of stored) {
      if (sequenceNumbers.length > 1) duplicates.push({ replica: replica.replica, data, sequenceNumbers });
    }
    for (const write of acked) {
      if (!stored.get(write.data)?.includes(write.sequenceNumber)) lost.push({ replica: replica.replica, write });
    }
    for (const [shardId, records] of byShard(replica.records)) {
      const at = records.findIndex(
        (r, i) => i > 0 && BigInt(r.sequenceNumber) <= BigInt(records[i - 1]!.sequenceNumber),
      );
      if (at >= 0) unordered.push({ replica: replica.replica, shardId, at });
    }
    reordered.push(...keysReadOutOfOrder(acked, replica));
  }

  const inconsistentOffsets = [...offsets]
    .filter(([, records]) => records.size > 1)
    .map(([key, records]) => {
      const [shardId, sequenceNumber] = key.split("/") as [string, string];
      return { shardId, sequenceNumber, records: [...records] };
    });
  const divergent = divergentReplicas(replicas);
  const ok =
    lost.length +
      duplicates.length +
      inconsistentOffsets.length +
      unordered.length +
      reordered.length +
      divergent.length ===
    0;
  return { lost, duplicates, inconsistentOffsets, unordered, reordered, divergent, ok };
}

function byShard(records: readonly StoredRecord[]): Map<string, StoredRecord[]> {
  const shards = new Map<string, StoredRecord[]>();
  for (const record of records) {
    const list = shards.get(record.shardId) ?? [];
    list.push(record);
    shards.set(record.shardId, list);
  }
  return shards;
}

/** Per partition key, the acknowledged writes must appear in acknowledgement order among what was read. */
function keysReadOutOfOrder(acked: readonly AckedWrite[], replica: ReplicaRead): HistoryReport["reordered"][number][] {
  const position = new Map<string, number>();
  replica.records.forEach((record, i) => position.set(record.data, i));
  const lastByKey = new Map<string, number>();
  const broken = new Set<string>();
  for (const write of acked) {
    const at = position.get(write.data);
    if (at === undefined) continue;
    const previous = lastByKey.get(write.partitionKey);
    if (previous !== undefined && at < previous) broken.add(write.partitionKey);
    lastByKey.set(write.partitionKey, at);
  }
  return [...broken].map((partitionKey) => ({ replica: replica.replica, partitionKey }));
}

function divergentReplicas(replicas: readonly ReplicaRead[]): HistoryReport["divergent"][number][] {
  const divergent: HistoryReport["divergent"][number][] = [];
  const shardsOf = replicas.map((r) => byShard(r.records));
  for (let a = 0; a < replicas.length; a++) {
    for (let b = a + 1; b < replicas.length; b++) {
      const shardIds = new Set([...shardsOf[a]!.keys(), ...shardsOf[b]!.keys()]);
      for (const shardId of shardIds) {
        const left = shardsOf[a]!.get(shardId) ?? [];
        const right = shardsOf[b]!.get(shardId) ?? [];
        const common = Math.min(left.length, right.length);
        const agree = left
          .slice(0, common)
          .every((r, i) => r.sequenceNumber === right[i]!.sequenceNumber && r.data === right[i]!.data);
        if (!agree) divergent.push({ shardId, replicas: [replicas[a]!.replica, replicas[b]!.replica] });
      }
    }
  }
  return divergent;
}

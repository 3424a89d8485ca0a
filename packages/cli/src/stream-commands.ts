import { createInterface } from "node:readline";
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Option, type Command } from "commander";
import { KinesisError } from "@eddy/core";
import { EddyClient, Producer, type Shard } from "@eddy/client";
import { durationMs, integer, startingPoint, type Start } from "./parse.js";
import { table } from "./format.js";
import { withClient as withProgramClient } from "./client-options.js";
import { childShards, hashKeyArg, middleHashKey, scaleSteps, shardCountArg } from "./reshard-plan.js";

/**
 * How long a reshard command waits for the stream to be ACTIVE again after each call, unless --timeout.
 * A step seals each parent and creates its children, which is quick; this leaves room for a busy cluster.
 */
const RESHARD_WAIT_MS_DEFAULT = 5 * 60_000;

interface ReshardOptions {
  wait: boolean;
  /** --timeout in milliseconds (commander names the attribute after the flag). */
  timeout: number;
  json?: boolean;
}

export function registerStreamCommands(program: Command): void {
  // Each command opens one client and closes it however the command ends.
  const withClient =
    <A extends unknown[]>(run: (client: EddyClient, ...args: A) => Promise<void>) =>
    (...args: A): Promise<void> =>
      withProgramClient(program, (client) => run(client, ...args));
  const stream = program.command("stream").description("create, delete, list, describe and reshard streams");

  stream
    .command("create <name>")
    .description("create a stream")
    .option("--shards <n>", "shard count (ON_DEMAND defaults to 4)", integer)
    .addOption(
      new Option("--mode <mode>", "capacity mode").choices(["PROVISIONED", "ON_DEMAND"]).default("PROVISIONED"),
    )
    .option("--retention-hours <h>", "retention period, 24..8760", integer)
    .option("--max-record-size-bytes <n>", "largest record, up to 10 MiB", integer)
    .action(
      withClient(
        async (
          c,
          name: string,
          o: {
            shards?: number;
            mode: "PROVISIONED" | "ON_DEMAND";
            retentionHours?: number;
            maxRecordSizeBytes?: number;
          },
        ) => {
          if (o.shards === undefined && o.mode === "PROVISIONED")
            throw new Error("--shards is required for PROVISIONED streams");
          await c.createStream({
            streamName: name,
            shardCount: o.shards,
            streamMode: o.mode,
            retentionPeriodHours: o.retentionHours,
            maxRecordSizeBytes: o.maxRecordSizeBytes,
          });
          print(await c.describeStreamSummary({ streamName: name }));
        },
      ),
    );

  stream
    .command("delete <name>")
    .description("delete a stream and its data")
    .action(
      withClient(async (c, name: string) => {
        await c.deleteStream({ streamName: name });
        print({ streamName: name, status: "DELETING" });
      }),
    );

  stream
    .command("list")
    .description("list streams")
    .action(
      withClient(async (c) => {
        let next: string | undefined;
        do {
          const page = await c.listStreams({ nextToken: next });
          for (const summary of page.streamSummaries) print(summary);
          next = page.nextToken;
        } while (next);
      }),
    );

  stream
    .command("describe <name>")
    .description("describe a stream and its shards")
    .action(
      withClient(async (c, name: string) => {
        print(await c.describeStreamAll(name));
      }),
    );

  // The options every reshard command takes.
  const reshardCommand = (nameAndArgs: string, description: string): Command =>
    stream
      .command(nameAndArgs)
      .description(description)
      .option("--no-wait", "return once the broker has accepted the (last) call, before the stream is ACTIVE again")
      .addOption(
        new Option("--timeout <duration>", "how long to wait for ACTIVE after each call, such as 30s or 5m")
          .argParser(durationMs)
          .default(RESHARD_WAIT_MS_DEFAULT, "5m"),
      )
      .option("--json", "JSON lines instead of text");

  reshardCommand(
    "split <name> <shardId>",
    "split an open shard in two at a hash key (default: the middle of its range); print the children",
  )
    .option("--at <hashKey>", "decimal hash key that starts the second child (default: the middle)", hashKeyArg)
    .action(
      withClient(async (c, streamName: string, shardId: string, o: ReshardOptions & { at?: string }) => {
        const newStartingHashKey = o.at ?? middleHashKey((await shardOf(c, streamName, shardId)).hashKeyRange);
        await c.splitShard({ streamName, shardToSplit: shardId, newStartingHashKey });
        const children = o.wait ? await childrenOnceActive(c, streamName, shardId, o.timeout) : undefined;
        if (o.json) print({ streamName, shardToSplit: shardId, newStartingHashKey, children });
        else {
          const what = `split ${shardId} of stream ${streamName} at ${newStartingHashKey}`;
          say(children ? [`${what} into:`, ...formatShards(children)] : [`${what}: started, not waiting for it`]);
        }
      }),
    );

  reshardCommand(
    "merge <name> <shardId> <adjacentShardId>",
    "merge two open shards with adjacent hash key ranges into one; print it",
  ).action(
    withClient(async (c, streamName: string, shardId: string, adjacentShardId: string, o: ReshardOptions) => {
      await c.mergeShards({ streamName, shardToMerge: shardId, adjacentShardToMerge: adjacentShardId });
      const children = o.wait ? await childrenOnceActive(c, streamName, shardId, o.timeout) : undefined;
      if (o.json) print({ streamName, shardToMerge: shardId, adjacentShardToMerge: adjacentShardId, children });
      else {
        const what = `merged ${shardId} and ${adjacentShardId} of stream ${streamName}`;
        say(children ? [`${what} into:`, ...formatShards(children)] : [`${what}: started, not waiting for it`]);
      }
    }),
  );

  reshardCommand(
    "scale <name>",
    "scale uniformly to COUNT open shards, in as many UpdateShardCount calls as Kinesis's bound " +
      "(half to double the open shards per call) takes, waiting for ACTIVE between them",
  )
    .summary("scale uniformly to COUNT open shards, in several calls if need be")
    .argument("<count>", "open shards wanted, at least 1", shardCountArg)
    .action(
      withClient(async (c, streamName: string, count: number, o: ReshardOptions) => {
        const { openShardCount } = await c.describeStreamSummary({ streamName });
        const steps = scaleSteps(openShardCount, count);
        let open = openShardCount;
        for (const [i, target] of steps.entries()) {
          if (!o.json) say([`${open} -> ${openShards(target)}`]);
          const result = await c.updateShardCount({ streamName, targetShardCount: target });
          if (o.json) print(result);
          // The broker refuses a reshard while one runs, so only the last call may go unwaited.
          if (i === steps.length - 1 && !o.wait) break;
          const summary = await c.waitForStreamActive(streamName, o.timeout);
          if (summary.openShardCount !== target) {
            throw new Error(
              `stream ${streamName} has ${summary.openShardCount} open shards after scaling to ${target}; ` +
                `did another reshard run meanwhile?`,
            );
          }
          open = target;
        }
        if (o.json) return;
        if (steps.length === 0) say([`stream ${streamName} has ${openShards(count)} already`]);
        else if (open === count) say([`stream ${streamName} has ${openShards(count)}`]);
        else say([`stream ${streamName} is scaling to ${openShards(count)}; not waiting for it`]);
      }),
    );

  program
    .command("put <stream>")
    .description("put one record (--data), or one record per line of standard input")
    .option("--key <partitionKey>", "partition key (stdin: default a random key per line)")
    .option("--data <text>", "record data")
    .option("--explicit-hash-key <n>", "route by this hash key instead of the partition key's")
    .option("--no-exactly-once", "stdin: put without exactly-once append (for brokers without InitProducer)")
    .action(
      withClient(
        async (
          c,
          streamName: string,
          o: { key?: string; data?: string; explicitHashKey?: string; exactlyOnce: boolean },
        ) => {
          if (o.data !== undefined) {
            if (!o.key) throw new Error("--key is required with --data");
            print(
              await c.putRecord({ streamName, partitionKey: o.key, data: o.data, explicitHashKey: o.explicitHashKey }),
            );
            return;
          }
          await putLines(c, streamName, o.key, o.explicitHashKey, o.exactlyOnce);
        },
      ),
    );

  program
    .command("get <stream>")
    .description("print records as JSON lines")
    .option("--shard <id>", "read one shard (default: every shard)")
    .option("--from <position>", "trim-horizon | latest | at:SEQ | after:SEQ | time:ISO", startingPoint, {
      type: "TRIM_HORIZON",
    } as Start)
    .option("--limit <n>", "stop after n records", integer)
    .option("--follow", "keep printing new records as they arrive")
    .action(
      withClient(
        async (c, streamName: string, o: { shard?: string; from: Start; limit?: number; follow?: boolean }) => {
          const shardIds = o.shard ? [o.shard] : (await c.listShards({ streamName })).shards.map((s) => s.shardId);
          const budget = { left: o.limit ?? Number.POSITIVE_INFINITY };
          if (o.follow) {
            const abort = new AbortController();
            process.once("SIGINT", () => abort.abort());
            await Promise.all(shardIds.map((shardId) => follow(c, streamName, shardId, o.from, budget, abort)));
          } else {
            for (const shardId of shardIds) await readToTip(c, streamName, shardId, o.from, budget);
          }
        },
      ),
    );
}

/**
 * One record per line of standard input, through a Producer (batched per shard, retried, exactly-once
 * unless turned off); prints each record's shard and sequence number, in input order. The first record
 * that fails for good stops the command with its error.
 */
async function putLines(
  client: EddyClient,
  streamName: string,
  key: string | undefined,
  explicitHashKey: string | undefined,
  exactlyOnce: boolean,
): Promise<void> {
  const producer = new Producer({ client, exactlyOnce });
  try {
    await pipeline(
      Readable.from(createInterface({ input: process.stdin, crlfDelay: Infinity })),
      producer.writable(streamName, {
        ...(key === undefined ? { partitionKeyOf: () => randomUUID() } : { partitionKey: key }),
        explicitHashKey,
        onResult: (result) => print(result),
      }),
    );
  } finally {
    await producer.close();
  }
}

async function readToTip(
  client: EddyClient,
  streamName: string,
  shardId: string,
  from: Start,
  budget: { left: number },
): Promise<void> {
  let iterator: string | undefined = await client.getShardIterator({ streamName, shardId, ...iteratorStart(from) });
  while (iterator && budget.left > 0) {
    const page = await client.getRecords({ shardIterator: iterator, limit: Math.min(10_000, budget.left) });
    for (const record of page.records) printRecord(shardId, record);
    budget.left -= page.records.length;
    if (page.records.length === 0 && page.millisBehindLatest === 0) return;
    iterator = page.nextShardIterator;
  }
}

async function follow(
  client: EddyClient,
  streamName: string,
  shardId: string,
  from: Start,
  budget: { left: number },
  abort: AbortController,
): Promise<void> {
  const startingPosition = iteratorStart(from);
  for await (const event of client.subscribeToShard({
    streamName,
    shardId,
    startingPosition: { type: startingPosition.shardIteratorType, ...startingPosition },
    signal: abort.signal,
  })) {
    for (const record of event.records) {
      if (budget.left <= 0) break;
      printRecord(shardId, record);
      budget.left -= 1;
    }
    if (budget.left <= 0) {
      abort.abort();
      return;
    }
  }
}

function iteratorStart(from: Start) {
  switch (from.type) {
    case "TRIM_HORIZON":
    case "LATEST":
      return { shardIteratorType: from.type } as const;
    case "AT_SEQUENCE_NUMBER":
    case "AFTER_SEQUENCE_NUMBER":
      return {
        shardIteratorType: from.type,
        sequenceNumber: from.sequenceNumber,
        startingSequenceNumber: from.sequenceNumber,
      } as const;
    case "AT_TIMESTAMP":
      return { shardIteratorType: from.type, timestamp: from.timestamp } as const;
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function printRecord(
  shardId: string,
  record: { sequenceNumber: string; partitionKey: string; data: Uint8Array; approximateArrivalTimestamp: Date },
): void {
  let data: { data: string } | { dataBase64: string };
  try {
    data = { data: utf8.decode(record.data) };
  } catch {
    data = { dataBase64: Buffer.from(record.data).toString("base64") };
  }
  print({
    shardId,
    sequenceNumber: record.sequenceNumber,
    partitionKey: record.partitionKey,
    approximateArrivalTimestamp: record.approximateArrivalTimestamp.toISOString(),
    ...data,
  });
}

/** The shard as DescribeStream reports it; ResourceNotFoundException if the stream has no such shard. */
async function shardOf(client: EddyClient, streamName: string, shardId: string): Promise<Shard> {
  const shard = (await client.describeStreamAll(streamName)).shards.find((s) => s.shardId === shardId);
  if (shard === undefined) {
    throw new KinesisError("ResourceNotFoundException", `Stream ${streamName} has no shard ${shardId}.`);
  }
  return shard;
}

/** Waits until the stream is ACTIVE (the reshard done), then returns the shards `parentShardId` became. */
async function childrenOnceActive(
  client: EddyClient,
  streamName: string,
  parentShardId: string,
  timeoutMs: number,
): Promise<Shard[]> {
  await client.waitForStreamActive(streamName, timeoutMs);
  return childShards((await client.describeStreamAll(streamName)).shards, parentShardId);
}

/** One line per shard: its id, its parents and its hash key range. */
function formatShards(shards: readonly Shard[]): string[] {
  return table([
    ["shard", "parents", "hash keys"],
    ...shards.map((s) => [
      s.shardId,
      [s.parentShardId, s.adjacentParentShardId].filter((p) => p !== undefined).join(" + ") || "-",
      `${s.hashKeyRange.startingHashKey}..${s.hashKeyRange.endingHashKey}`,
    ]),
  ]);
}

function openShards(count: number): string {
  return count === 1 ? "1 open shard" : `${count} open shards`;
}

function say(lines: readonly string[]): void {
  process.stdout.write(lines.map((l) => l + "\n").join(""));
}

function print(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + "\n");
}

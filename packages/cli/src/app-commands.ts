import type { Command } from "commander";
import {
  EddyClient,
  type ApplicationInfo,
  type ApplicationShardInfo,
  type InitialPosition,
  type ResumePosition,
} from "@eddy/client";
import { startingPoint } from "./parse.js";
import { table } from "./format.js";
import { withClient as withProgramClient } from "./client-options.js";

/** Sequence numbers longer than this are shortened to their head and tail unless --wide. */
const SEQUENCE_DIGITS_SHOWN_MAX = 16;
const SEQUENCE_HEAD_DIGITS = 4;
/** The tail is where records of one shard differ (the log index and offset are the low bits). */
const SEQUENCE_TAIL_DIGITS = 8;
/** A halt reason is often an error message with a stack; the table shows its start unless --wide. */
const HALT_REASON_CHARS_MAX = 60;

/** `eddy app list|describe|reset|delete`: inspect and administer consumer applications' lease tables. */
export function registerAppCommands(program: Command): void {
  const withClient = (run: (client: EddyClient) => Promise<void>): Promise<void> => withProgramClient(program, run);
  const app = program
    .command("app")
    .description("list, describe, reset and delete consumer applications (their leases and checkpoints)");

  app
    .command("list [stream]")
    .description("one line per application: live workers, shards held, halted shards, largest lag")
    .option("--json", "one JSON object per application and line")
    .action((streamName: string | undefined, o: { json?: boolean }) =>
      withClient(async (c) => {
        const summaries = (await c.listApplications({ streamName })).map(summarize);
        if (o.json) for (const s of summaries) print(JSON.stringify(s));
        else print(formatList(summaries).join("\n"));
      }),
    );

  app
    .command("describe <stream> <application>")
    .description("the application's settings, live workers, and each shard's lease, checkpoint, lag and halt")
    .option("--json", "the application as one JSON object (times as ISO strings)")
    .option("--wide", "full sequence numbers and halt reasons")
    .action((streamName: string, applicationName: string, o: { json?: boolean; wide?: boolean }) =>
      withClient(async (c) => {
        const info = await c.describeApplication({ streamName, applicationName });
        print(o.json ? JSON.stringify(info) : formatApplication(info, Date.now(), o.wide ?? false).join("\n"));
      }),
    );

  app
    .command("reset <stream> <application>")
    .description(
      "move the checkpoints of every shard (or of --shard) to --to; refused while workers hold leases, unless --force",
    )
    .requiredOption(
      "--to <position>",
      "trim-horizon | latest | time:ISO | at:SEQ | after:SEQ (at: and after: need --shard)",
      resetPosition,
    )
    .option("--shard <shardId>", "reset this shard only")
    .option("--force", "reset even while workers hold leases: the leases end and the next owner starts from --to")
    .action(
      (
        streamName: string,
        applicationName: string,
        o: { to: ResumePosition; shard?: string; force?: boolean },
        command: Command,
      ) => {
        if (o.to.sequenceNumber !== undefined && o.shard === undefined) {
          command.error(
            "error: --to at:SEQ and after:SEQ need --shard SHARD_ID: a sequence number belongs to one shard",
          );
        }
        return withClient(async (c) => {
          // Read first only to say what the reset did: the call itself answers nothing.
          const before = await c.describeApplication({ streamName, applicationName });
          await c.resetApplication({ streamName, applicationName, position: o.to, shardId: o.shard, force: o.force });
          print(formatReset(before, o.to, o.shard).join("\n"));
        });
      },
    );

  app
    .command("delete <stream> <application>")
    .description("delete the application: its leases and checkpoints")
    .action((streamName: string, applicationName: string) =>
      withClient(async (c) => {
        await c.deleteApplication({ streamName, applicationName });
        print(`deleted application ${applicationName} of stream ${streamName}`);
      }),
    );
}

/**
 * `--to`: the grammar of `get --from` (one grammar for both, so they cannot drift apart), as the
 * position a checkpoint holds. Commander prefixes a failure with the flag and the value.
 */
export function resetPosition(value: string): ResumePosition {
  const start = startingPoint(value);
  switch (start.type) {
    case "TRIM_HORIZON":
    case "LATEST":
      return { type: start.type };
    case "AT_SEQUENCE_NUMBER":
    case "AFTER_SEQUENCE_NUMBER":
      return { type: start.type, sequenceNumber: start.sequenceNumber };
    case "AT_TIMESTAMP":
      return { type: start.type, timestampMs: start.timestamp.getTime() };
  }
}

// ---------------------------------------------------------------------------------------------------
// formatting: pure, the clock passed in

/** What `app list` shows of one application; also its --json line. */
export interface ApplicationSummary {
  readonly streamName: string;
  readonly applicationName: string;
  readonly liveWorkers: number;
  /** Shards whose lease a live worker holds; an expired lease stays recorded until it is reassigned. */
  readonly shardsHeld: number;
  readonly shardCount: number;
  readonly haltedShards: number;
  /** The largest lag the owners reported; null when none did. */
  readonly maxMillisBehindLatest: number | null;
}

export function summarize(info: ApplicationInfo): ApplicationSummary {
  const live = new Set(info.workers.map((w) => w.workerId));
  const lags = info.shards.flatMap((s) => (s.millisBehindLatest === undefined ? [] : [s.millisBehindLatest]));
  return {
    streamName: info.streamName,
    applicationName: info.applicationName,
    liveWorkers: info.workers.length,
    shardsHeld: info.shards.filter((s) => s.owner !== undefined && live.has(s.owner)).length,
    shardCount: info.shards.length,
    haltedShards: info.shards.filter((s) => s.halted !== undefined).length,
    maxMillisBehindLatest: lags.length > 0 ? Math.max(...lags) : null,
  };
}

export function formatList(summaries: readonly ApplicationSummary[]): string[] {
  if (summaries.length === 0) return ["no applications"];
  return table([
    ["stream", "application", "workers", "held", "halted", "max lag"],
    ...summaries.map((s) => [
      s.streamName,
      s.applicationName,
      String(s.liveWorkers),
      `${s.shardsHeld}/${s.shardCount}`,
      String(s.haltedShards),
      s.maxMillisBehindLatest === null ? "-" : formatDurationMs(s.maxMillisBehindLatest),
    ]),
  ]);
}

export function formatApplication(info: ApplicationInfo, nowMs: number, wide: boolean): string[] {
  const live = new Set(info.workers.map((w) => w.workerId));
  const halted = info.shards.filter((s) => s.halted !== undefined).length;
  const lines = [
    `application ${info.applicationName} of stream ${info.streamName}`,
    ...table([
      ["initial position", describeInitial(info.initialPosition, info.initialTimestamp)],
      ["lease timeout", formatDurationMs(info.leaseTimeoutMs)],
      ["created", `${info.createdAt.toISOString()} (${ageOf(info.createdAt, nowMs)} ago)`],
    ]).map(indent),
    "",
    info.workers.length === 0 ? "workers: none live" : `workers: ${info.workers.length} live`,
  ];
  if (info.workers.length > 0) {
    lines.push(
      ...table([
        ["worker", "leases", "heartbeat age"],
        ...info.workers.map((w) => [w.workerId, String(w.leaseCount), ageOf(w.lastHeartbeat, nowMs)]),
      ]).map(indent),
    );
  }
  lines.push("", `shards: ${info.shards.length}${halted > 0 ? ` (${halted} halted)` : ""}`);
  lines.push(
    ...table([
      ["shard", "owner", "epoch", "checkpoint", "checkpoint age", "lag", ""],
      ...info.shards.map((s) => shardRow(s, live, nowMs, wide)),
    ]).map(indent),
  );
  return lines;
}

function shardRow(s: ApplicationShardInfo, live: ReadonlySet<string>, nowMs: number, wide: boolean): string[] {
  const owner = s.owner === undefined ? "-" : live.has(s.owner) ? s.owner : `${s.owner} (expired)`;
  return [
    s.shardId,
    owner,
    s.owner === undefined ? "-" : String(s.leaseEpoch),
    s.checkpoint ? describePosition(s.checkpoint, wide) : "-",
    s.checkpointWrittenAt ? ageOf(s.checkpointWrittenAt, nowMs) : "-",
    s.millisBehindLatest === undefined ? "-" : formatDurationMs(s.millisBehindLatest),
    s.halted
      ? `HALTED: ${shorten(s.halted.reason.replace(/\s+/g, " ").trim(), wide)} ` +
        `(${s.halted.workerId}, ${ageOf(s.halted.at, nowMs)} ago)`
      : "",
  ];
}

function formatReset(before: ApplicationInfo, to: ResumePosition, shardId: string | undefined): string[] {
  const live = new Set(before.workers.map((w) => w.workerId));
  const targets = before.shards.filter((s) => shardId === undefined || s.shardId === shardId);
  const holders = [
    ...new Set(targets.flatMap((s) => (s.owner !== undefined && live.has(s.owner) ? [s.owner] : []))),
  ].sort();
  const lines = [
    `reset application ${before.applicationName} of stream ${before.streamName} to ${describePosition(to, true)}: ` +
      targets.map((s) => s.shardId).join(", "),
  ];
  if (holders.length > 0) {
    lines.push(
      `ended the leases of ${holders.join(", ")}: the next owner of each shard starts from the reset position`,
    );
  }
  return lines;
}

/** A checkpoint as `trim-horizon`, `after 7922...16777217`, `at-timestamp 2026-...Z` or `shard-end`. */
export function describePosition(position: ResumePosition, wide: boolean): string {
  const sequence = (s: string | undefined) => (s === undefined ? "?" : wide ? s : shortenSequence(s));
  switch (position.type) {
    case "TRIM_HORIZON":
      return "trim-horizon";
    case "LATEST":
      return "latest";
    case "SHARD_END":
      return "shard-end";
    case "AT_SEQUENCE_NUMBER":
      return `at ${sequence(position.sequenceNumber)}`;
    case "AFTER_SEQUENCE_NUMBER":
      return `after ${sequence(position.sequenceNumber)}`;
    case "AT_TIMESTAMP":
      return `at-timestamp ${position.timestampMs === undefined ? "?" : new Date(position.timestampMs).toISOString()}`;
  }
}

function describeInitial(position: InitialPosition, timestamp: Date | undefined): string {
  return describePosition(
    position === "AT_TIMESTAMP" ? { type: position, timestampMs: timestamp?.getTime() } : { type: position },
    true,
  );
}

function shortenSequence(sequenceNumber: string): string {
  if (sequenceNumber.length <= SEQUENCE_DIGITS_SHOWN_MAX) return sequenceNumber;
  return `${sequenceNumber.slice(0, SEQUENCE_HEAD_DIGITS)}...${sequenceNumber.slice(-SEQUENCE_TAIL_DIGITS)}`;
}

function shorten(text: string, wide: boolean): string {
  return wide || text.length <= HALT_REASON_CHARS_MAX ? text : `${text.slice(0, HALT_REASON_CHARS_MAX - 3)}...`;
}

/** Ages use this machine's clock against the broker's timestamps; a clock behind the broker's shows 0. */
function ageOf(time: Date, nowMs: number): string {
  return formatDurationMs(Math.max(0, nowMs - time.getTime()));
}

/** 850ms, 1.5s, 42s, 4m10s, 3h5m, 2d4h: two units at most, rounded down. */
export function formatDurationMs(ms: number): string {
  const whole = Math.floor(ms);
  if (whole < 1_000) return `${whole}ms`;
  if (whole < 10_000) return `${(Math.floor(whole / 100) / 10).toString()}s`;
  const s = Math.floor(whole / 1_000);
  if (s < 60) return `${s}s`;
  if (s < 3_600) return `${Math.floor(s / 60)}m${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3_600)}h${Math.floor((s % 3_600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3_600)}h`;
}

function indent(line: string): string {
  return `  ${line}`;
}

function print(text: string): void {
  process.stdout.write(text + "\n");
}

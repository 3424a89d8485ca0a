/**
 * Controller log entries and snapshots as bytes: UTF-8 JSON with a version field `v`. Metadata is small
 * and rarely written, so JSON is enough (the record log is what is binary). Bigints (hash keys and
 * sequence numbers) travel as decimal strings; maps travel as arrays sorted by key, so that equal states
 * encode to equal bytes. Decoding checks the shape and throws CorruptDataException on anything else:
 * a log entry that does not decode is damage, not input.
 */
import { corruptData } from "../errors.js";
import { shardFromJson, shardToJson, type ShardJson } from "../stream.js";
import { COMMAND_FIELDS, type ControllerCommand, type ControllerCommandType } from "./commands.js";
import { applicationKey, type Application, type ShardProgress, type WorkerInfo } from "../applications/table.js";
import type { BrokerInfo } from "./placement.js";
import type { ControllerState, ControllerStream, ReplicatedShard } from "./state.js";
import type { StreamConsumer, StreamTag } from "../stream-extras.js";
import type { Principal } from "../auth/permissions.js";

export const CONTROLLER_CODEC_VERSION = 1;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export function encodeCommand(command: ControllerCommand): Uint8Array {
  return encoder.encode(JSON.stringify({ v: CONTROLLER_CODEC_VERSION, command }));
}

export function decodeCommand(bytes: Uint8Array): ControllerCommand {
  const envelope = parseEnvelope(bytes, "command");
  const command = envelope["command"];
  if (!isObject(command) || typeof command["type"] !== "string" || !Object.hasOwn(COMMAND_FIELDS, command["type"])) {
    throw corruptData(`Controller command has an unknown type.`);
  }
  const type = command["type"] as ControllerCommandType;
  const fields = COMMAND_FIELDS[type];
  const out: Record<string, unknown> = { type };
  for (const [field, kind] of Object.entries(fields)) {
    const value = command[field];
    const optional = kind.endsWith("?");
    if (value === undefined && optional) continue;
    if (kind === "json") {
      if (value === undefined) throw corruptData(`Controller command ${type}: field ${field} is missing.`);
    } else if (typeof value !== kind.replace("?", "")) {
      throw corruptData(`Controller command ${type}: field ${field} must be a ${kind.replace("?", "")}.`);
    }
    out[field] = value;
  }
  return out as unknown as ControllerCommand;
}

interface StoredStream extends Omit<ControllerStream, "shards"> {
  readonly shards: readonly ShardJson<ReplicatedShard>[];
}

interface StoredApplication extends Omit<Application, "workers" | "shards"> {
  readonly workers: ReadonlyArray<readonly [string, WorkerInfo]>;
  readonly shards: ReadonlyArray<readonly [string, ShardProgress]>;
}

interface StoredState {
  readonly v: number;
  readonly iteratorKeyHex: string;
  readonly producerEpochs?: ReadonlyArray<readonly [string, number]>;
  readonly nextGroupId: number;
  readonly nextStreamSeq: number;
  readonly brokers: readonly BrokerInfo[];
  readonly streams: readonly StoredStream[];
  readonly applications?: readonly StoredApplication[];
  /** Only when there are any, so that a snapshot without principals keeps the bytes it had before them. */
  readonly principals?: readonly Principal[];
}

const byKey =
  <T>(key: (item: T) => string) =>
  (a: T, b: T): number =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/** A controller snapshot. Equal states give equal bytes. */
export function encodeState(state: ControllerState): Uint8Array {
  const stored: StoredState = {
    v: CONTROLLER_CODEC_VERSION,
    iteratorKeyHex: state.iteratorKeyHex,
    producerEpochs: [...state.producerEpochs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
    nextGroupId: state.nextGroupId,
    nextStreamSeq: state.nextStreamSeq,
    brokers: [...state.brokers.values()].sort(byKey((b) => b.id)),
    streams: [...state.streams.values()].sort(byKey((s) => s.streamName)).map(storeStream),
    applications: [...state.applications.values()]
      .sort(byKey((a) => applicationKey(a.streamName, a.applicationName)))
      .map(storeApplication),
    ...(state.principals.size > 0 ? { principals: [...state.principals.values()].sort(byKey((p) => p.name)) } : {}),
  };
  return encoder.encode(JSON.stringify(stored));
}

export function decodeState(bytes: Uint8Array): ControllerState {
  const stored = parseEnvelope(bytes, "state") as unknown as StoredState;
  if (
    typeof stored.nextGroupId !== "number" ||
    typeof stored.nextStreamSeq !== "number" ||
    !Array.isArray(stored.brokers) ||
    !Array.isArray(stored.streams)
  ) {
    throw corruptData("Controller snapshot is missing fields.");
  }
  try {
    return {
      iteratorKeyHex: typeof stored.iteratorKeyHex === "string" ? stored.iteratorKeyHex : "",
      producerEpochs: new Map(stored.producerEpochs ?? []),
      brokers: new Map(stored.brokers.map((b) => [b.id, b])),
      streams: new Map(stored.streams.map((s) => [s.streamName, loadStream(s)])),
      nextGroupId: stored.nextGroupId,
      nextStreamSeq: stored.nextStreamSeq,
      applications: new Map(
        (stored.applications ?? []).map((a) => [applicationKey(a.streamName, a.applicationName), loadApplication(a)]),
      ),
      principals: new Map(loadPrincipals(stored.principals).map((p) => [p.name, p])),
    };
  } catch (error) {
    throw corruptData(`Controller snapshot does not decode: ${String(error)}`);
  }
}

/**
 * Tags (sorted by key) and consumers (sorted by name) go last, and only when there are any, so that a
 * snapshot of a stream without them has the bytes it had before streams could have them.
 */
function storeStream(stream: ControllerStream): StoredStream {
  const { tags, consumers, ...rest } = stream;
  return {
    ...rest,
    shards: stream.shards.map(shardToJson),
    ...(tags && tags.length > 0 ? { tags: [...tags].sort(byKey((t) => t.key)) } : {}),
    ...(consumers && consumers.length > 0 ? { consumers: [...consumers].sort(byKey((c) => c.consumerName)) } : {}),
  };
}

function loadStream(stored: StoredStream): ControllerStream {
  const { tags, consumers, ...rest } = stored;
  return {
    ...rest,
    shards: stored.shards.map(shardFromJson),
    ...(tags !== undefined ? { tags: loadList(tags, "tags", isStoredTag) } : {}),
    ...(consumers !== undefined ? { consumers: loadList(consumers, "consumers", isStoredConsumer) } : {}),
  };
}

function loadPrincipals(value: unknown): Principal[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isStoredPrincipal)) throw new Error("the principals are malformed");
  return value;
}

function isStoredPrincipal(item: unknown): item is Principal {
  return (
    isObject(item) &&
    typeof item["name"] === "string" &&
    typeof item["accessKeyId"] === "string" &&
    typeof item["secretSha256Hex"] === "string" &&
    typeof item["createdAtMs"] === "number" &&
    Array.isArray(item["grants"]) &&
    item["grants"].every(
      (g: unknown) =>
        isObject(g) &&
        typeof g["resource"] === "string" &&
        Array.isArray(g["actions"]) &&
        g["actions"].every((a: unknown) => typeof a === "string"),
    )
  );
}

function loadList<T>(value: unknown, what: string, isItem: (item: unknown) => item is T): T[] {
  if (!Array.isArray(value) || !value.every(isItem)) throw new Error(`a stream's ${what} are malformed`);
  return value;
}

function isStoredTag(item: unknown): item is StreamTag {
  return isObject(item) && typeof item["key"] === "string" && typeof item["value"] === "string";
}

function isStoredConsumer(item: unknown): item is StreamConsumer {
  return (
    isObject(item) &&
    typeof item["consumerName"] === "string" &&
    typeof item["consumerArn"] === "string" &&
    typeof item["consumerStatus"] === "string" &&
    typeof item["consumerCreationTimestampMs"] === "number"
  );
}

const entriesByKey = <V>(map: ReadonlyMap<string, V>): Array<[string, V]> =>
  [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

function storeApplication(app: Application): StoredApplication {
  return { ...app, workers: entriesByKey(app.workers), shards: entriesByKey(app.shards) };
}

function loadApplication(stored: StoredApplication): Application {
  return { ...stored, workers: new Map(stored.workers), shards: new Map(stored.shards) };
}

function parseEnvelope(bytes: Uint8Array, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(bytes));
  } catch (error) {
    throw corruptData(`Controller ${what} is not valid JSON: ${String(error)}`);
  }
  if (!isObject(parsed)) throw corruptData(`Controller ${what} is not a JSON object.`);
  if (parsed["v"] !== CONTROLLER_CODEC_VERSION) {
    throw corruptData(
      `Controller ${what} has version ${String(parsed["v"])}; this build reads ${CONTROLLER_CODEC_VERSION}.`,
    );
  }
  return parsed;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Loading the public API's protos at run time. The loader options here are the ones the generated
 * types in `gen/` were made with (`npm run gen:proto`), so a message read by the loader has exactly
 * the shape its `__Output` type says: snake_case keys, int64 as decimal strings, enums as names,
 * every scalar present (defaults filled in), unset message fields as `null`.
 */
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { LIMITS, assert } from "@eddy/core";
import type { ProtoGrpcType } from "./gen/streams.js";
import type { ProtoGrpcType as ClusterProtoGrpcType } from "./gen/cluster.js";

/** Loader options; they must match the flags of `proto-loader-gen-types` in the root `gen:proto` script. */
export const PROTO_LOADER_OPTIONS = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
} as const satisfies protoLoader.Options;

/**
 * The repository's `proto/` directory. This module sits at `packages/api/{src,dist}/proto.{ts,js}`,
 * so the directory is three levels up from either: the same path serves the compiled package at run
 * time and the sources under vitest.
 */
export const PROTO_ROOT: string = fileURLToPath(new URL("../../../proto", import.meta.url));

/** The Streams service's file, relative to `PROTO_ROOT`. */
export const STREAMS_PROTO_FILE = "eddy/v1/streams.proto";

/**
 * The most one record adds to a message besides its data, bytes: its partition key (a UTF-16 code
 * unit takes at most 3 bytes in UTF-8), a sequence number of at most 40 digits, a timestamp, field
 * tags and lengths. The broker's byte limits may count data alone.
 */
const RECORD_OVERHEAD_BYTES_MAX = LIMITS.partitionKeyLengthMax * 3 + 128;

/**
 * The largest gRPC message either side accepts, bytes: a full PutRecords request or GetRecords
 * response with every record's overhead, plus room for the rest. gRPC's default receive limit of
 * 4 MiB would refuse both.
 */
export const GRPC_MESSAGE_BYTES_MAX =
  Math.max(
    LIMITS.putRecordsBytesMax + LIMITS.putRecordsCountMax * RECORD_OVERHEAD_BYTES_MAX,
    LIMITS.getRecordsBytesMax + LIMITS.getRecordsLimitMax * RECORD_OVERHEAD_BYTES_MAX,
  ) +
  64 * 1024;
assert(LIMITS.recordSizeBytesMax + RECORD_OVERHEAD_BYTES_MAX < GRPC_MESSAGE_BYTES_MAX, "one record must fit a message");

/** Channel options for both the client and the server side of the Streams service. */
export const GRPC_CHANNEL_OPTIONS = {
  "grpc.max_receive_message_length": GRPC_MESSAGE_BYTES_MAX,
  "grpc.max_send_message_length": GRPC_MESSAGE_BYTES_MAX,
  // grpc-js keeps channelz counters and per-call trackers by default; nothing here reads them, and
  // they cost every call (and every peer frame's stream) on the put path.
  "grpc.enable_channelz": 0,
} as const satisfies grpc.ChannelOptions;

type StreamsServiceConstructor = ProtoGrpcType["eddy"]["v1"]["Streams"];

/** The Streams service: its definition (for `Server.addService`) and a typed client constructor. */
export interface StreamsService {
  /** Pass to `server.addService(service, handlers)` with a `StreamsHandlers` implementation. */
  readonly service: StreamsServiceConstructor["service"];
  /** `new Client(target, credentials, options)` gives a `StreamsClient`. */
  readonly Client: StreamsServiceConstructor & grpc.ServiceClientConstructor;
}

let cached: StreamsService | undefined;

/** Loads `eddy/v1/streams.proto` once per process; later calls return the same objects. */
export function loadStreamsService(): StreamsService {
  if (cached === undefined) {
    const packageDefinition = protoLoader.loadSync(STREAMS_PROTO_FILE, {
      ...PROTO_LOADER_OPTIONS,
      includeDirs: [PROTO_ROOT],
    });
    // The generated ProtoGrpcType describes exactly what loadPackageDefinition builds from this file.
    const loaded = grpc.loadPackageDefinition(packageDefinition) as unknown as ProtoGrpcType;
    // grpc-js also sets `serviceName` on the constructor, which the generated type leaves out.
    const Client = loaded.eddy.v1.Streams as StreamsServiceConstructor & grpc.ServiceClientConstructor;
    cached = { service: Client.service, Client };
  }
  return cached;
}

/** The internal Cluster service's file, relative to `PROTO_ROOT`. */
export const CLUSTER_PROTO_FILE = "eddy/v1/cluster.proto";

type ClusterServiceConstructor = ClusterProtoGrpcType["eddy"]["v1"]["Cluster"];

/** The Cluster service (broker to broker, and replica inspection): definition and typed client. */
export interface ClusterService {
  readonly service: ClusterServiceConstructor["service"];
  readonly Client: ClusterServiceConstructor & grpc.ServiceClientConstructor;
}

let cachedCluster: ClusterService | undefined;

/** Loads `eddy/v1/cluster.proto` once per process. */
export function loadClusterService(): ClusterService {
  if (cachedCluster === undefined) {
    const packageDefinition = protoLoader.loadSync(CLUSTER_PROTO_FILE, {
      ...PROTO_LOADER_OPTIONS,
      includeDirs: [PROTO_ROOT],
    });
    const loaded = grpc.loadPackageDefinition(packageDefinition) as unknown as ClusterProtoGrpcType;
    const Client = loaded.eddy.v1.Cluster as ClusterServiceConstructor & grpc.ServiceClientConstructor;
    cachedCluster = { service: Client.service, Client };
  }
  return cachedCluster;
}

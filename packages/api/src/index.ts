export {
  PROTO_LOADER_OPTIONS,
  PROTO_ROOT,
  STREAMS_PROTO_FILE,
  GRPC_MESSAGE_BYTES_MAX,
  GRPC_CHANNEL_OPTIONS,
  loadStreamsService,
  type StreamsService,
  CLUSTER_PROTO_FILE,
  loadClusterService,
  type ClusterService,
} from "./proto.js";
export { ERROR_METADATA_KEY, toServiceError, fromServiceError, isServiceError } from "./errors.js";
export { resumePositionFromWire, resumePositionToWire } from "./positions.js";
export { ACCESS_KEY_ID_METADATA_KEY, SECRET_ACCESS_KEY_METADATA_KEY, credentialsInterceptor } from "./auth.js";
export type * from "./messages.js";
export type { BrokerStatus, BrokerView, ControllerStatus, GroupStatus, RaftGroupStatus } from "./status.js";
// The one grpc-js the service was loaded with. Broker and client take it from here, so that `Metadata`,
// `status` and credentials are the same module instance as the loaded service's, and neither package
// needs its own dependency on @grpc/grpc-js.
export * as grpc from "@grpc/grpc-js";

export { BrokerProcess, EDDY_MAIN, type BrokerProcessOptions } from "./broker-process.js";
export {
  ClusterProcess,
  controllerLeader,
  FAST_FAILOVER_ARGS,
  replicasConverged,
  freePorts,
  isPortFree,
  isProcessAlive,
  shardLeader,
  type BrokerStatus,
  type BrokerView,
  type BrokerCertificate,
  type ClusterBroker,
  type ClusterTls,
  type ClusterProcessOptions,
  type ClusterStatuses,
  type ControllerStatus,
  type GroupStatus,
  type ShardLeader,
} from "./cluster-process.js";
export { runEddy, type EddyRun } from "./cli-process.js";
export { checkHistory, type AckedWrite, type StoredRecord, type ReplicaRead, type HistoryReport } from "./checker.js";
export { readReplica, type ReplicaLog } from "./replica-reader.js";
export {
  WorkerProcess,
  parseWorkerLines,
  type WorkerEvent,
  type WorkerLine,
  type WorkerSpec,
} from "./worker-process.js";
export { createAuthFile, type RootAuthFile } from "./auth-file.js";

export { BrokerProcess, EDDY_MAIN, type BrokerProcessOptions } from "./broker-process.js";
export { runEddy, type EddyRun } from "./cli-process.js";
export { checkHistory, type AckedWrite, type StoredRecord, type ReplicaRead, type HistoryReport } from "./checker.js";

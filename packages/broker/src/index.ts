export { Broker } from "./broker.js";
export { DEFAULT_CONFIG, configProblems, type BrokerConfig, type FsyncMode } from "./config.js";
// The contract of the admin port's GET /v1/status, for the CLI (it lives in @eddy/api).
export type { BrokerStatus, GroupStatus } from "@eddy/api";
export {
  newRootCredentials,
  readRootCredentials,
  writeRootCredentials,
  rootCredentialProblems,
  type RootCredentials,
} from "./auth/root-credentials.js";

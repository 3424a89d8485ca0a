export { Broker } from "./broker.js";
export { DEFAULT_CONFIG, configProblems, type BrokerConfig, type FsyncMode } from "./config.js";

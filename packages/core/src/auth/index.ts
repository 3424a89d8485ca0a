export * from "./permissions.js";
export * from "./operations.js";
export * from "./secrets.js";

export * from "./assignment.js";
export * from "./table.js";

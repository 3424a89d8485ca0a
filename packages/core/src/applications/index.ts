export * from "./assignment.js";

export * from "./placement.js";
export * from "./commands.js";
export * from "./state.js";
export * from "./codec.js";

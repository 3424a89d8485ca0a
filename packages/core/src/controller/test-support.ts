/** Helpers for the controller's tests (not exported from the package). */
import { expect } from "vitest";
import { KinesisError } from "../errors.js";
import type { ControllerCommand } from "./commands.js";
import { applyCommand, type ControllerState } from "./state.js";

/** Applies a command that must succeed; throws its error otherwise. */
export function applyOk(
  state: ControllerState,
  command: ControllerCommand,
): { state: ControllerState; result: unknown } {
  const out = applyCommand(state, command);
  if (out.result instanceof KinesisError) throw out.result;
  return out;
}

/** Applies a command that must fail, checks that it changed nothing, and returns the error. */
export function applyRefused(state: ControllerState, command: ControllerCommand): KinesisError {
  const out = applyCommand(state, command);
  expect(out.result).toBeInstanceOf(KinesisError);
  expect(out.state).toBe(state); // a refused command changes nothing
  return out.result as KinesisError;
}

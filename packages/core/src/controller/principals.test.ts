/** Principals in the controller: the commands, their validation and idempotence, and their snapshots. */
import { describe, expect, it } from "vitest";
import { AUTH_LIMITS } from "../auth/permissions.js";
import { decodeCommand, decodeState, encodeCommand, encodeState } from "./codec.js";
import type { ControllerCommand, CreatePrincipal } from "./commands.js";
import { applyCommand, emptyControllerState, principalByAccessKeyId, type ControllerState } from "./state.js";
import { applyOk, applyRefused } from "./test-support.js";

const ok = (state: ControllerState, command: ControllerCommand): ControllerState => applyOk(state, command).state;
const failure = applyRefused;

const HASH = "a".repeat(64);
const create = (name: string, accessKeyId = "EDDYAAAAAAAAAAAAAAAA"): CreatePrincipal => ({
  type: "CreatePrincipal",
  name,
  accessKeyId,
  secretSha256Hex: HASH,
  nowMs: 1_000,
});

describe("controller: principals", () => {
  it("creates a principal without grants, found by name and by access key id", () => {
    const state = ok(emptyControllerState(), create("reader"));
    expect(state.principals.get("reader")).toEqual({
      name: "reader",
      accessKeyId: "EDDYAAAAAAAAAAAAAAAA",
      secretSha256Hex: HASH,
      createdAtMs: 1_000,
      grants: [],
    });
    expect(principalByAccessKeyId(state, "EDDYAAAAAAAAAAAAAAAA")?.name).toBe("reader");
  });

  it("a retried CreatePrincipal changes nothing; another key under the name, or the key under another name, is in use", () => {
    const state = ok(emptyControllerState(), create("reader"));
    expect(applyCommand(state, create("reader")).state).toBe(state);
    expect(failure(state, create("reader", "EDDYBBBBBBBBBBBBBBBB")).name).toBe("ResourceInUseException");
    expect(failure(state, create("other")).name).toBe("ResourceInUseException");
  });

  it("refuses bad names, key ids and hashes naming the field", () => {
    const state = emptyControllerState();
    expect(failure(state, create("bad name")).message).toMatch(/PrincipalName/);
    expect(failure(state, create("ok", "AKIAAAAAAAAAAAAAAAAA")).message).toMatch(/AccessKeyId/);
    expect(failure(state, { ...create("ok"), secretSha256Hex: "xyz" }).message).toMatch(/SecretSha256Hex/);
  });

  it(`refuses principal number ${AUTH_LIMITS.principalsMax + 1} with LimitExceededException`, () => {
    const principals = new Map(
      Array.from({ length: AUTH_LIMITS.principalsMax }, (_, i) => {
        const name = `p${i}`;
        return [name, { name, accessKeyId: `k${i}`, secretSha256Hex: HASH, createdAtMs: 0, grants: [] }] as const;
      }),
    );
    const full: ControllerState = { ...emptyControllerState(), principals };
    const error = failure(full, create("one-more"));
    expect(error.name).toBe("LimitExceededException");
    expect(error.message).toMatch(/1000/);
  });

  it("grants and revokes actions; revoking without actions removes the resource's grant", () => {
    let state = ok(emptyControllerState(), create("writer"));
    const grant = { type: "GrantPermission", name: "writer", resource: "orders-*", actions: ["write"] } as const;
    state = ok(state, grant);
    expect(applyCommand(state, grant).state.principals.get("writer")).toEqual(state.principals.get("writer"));
    state = ok(state, { type: "GrantPermission", name: "writer", resource: "orders-*", actions: ["read"] });
    expect(state.principals.get("writer")!.grants).toEqual([{ resource: "orders-*", actions: ["read", "write"] }]);
    state = ok(state, { type: "RevokePermission", name: "writer", resource: "orders-*", actions: ["write"] });
    expect(state.principals.get("writer")!.grants).toEqual([{ resource: "orders-*", actions: ["read"] }]);
    state = ok(state, { type: "RevokePermission", name: "writer", resource: "orders-*", actions: [] });
    expect(state.principals.get("writer")!.grants).toEqual([]);
  });

  it("refuses grants to an unknown principal, of unknown actions, on bad resources", () => {
    const state = ok(emptyControllerState(), create("writer"));
    const grant = (name: string, resource: string, actions: string[]) =>
      ({ type: "GrantPermission", name, resource, actions }) as const;
    expect(failure(state, grant("ghost", "orders", ["read"])).name).toBe("ResourceNotFoundException");
    expect(failure(state, grant("writer", "orders", ["fly"])).message).toMatch(/Actions.0/);
    expect(failure(state, grant("writer", "orders", [])).message).toMatch(/Actions/);
    expect(failure(state, grant("writer", "o*rders", ["read"])).message).toMatch(/Resource/);
  });

  it("deletes a principal; deleting it again is ResourceNotFoundException", () => {
    const state = ok(ok(emptyControllerState(), create("reader")), { type: "DeletePrincipal", name: "reader" });
    expect(state.principals.size).toBe(0);
    expect(principalByAccessKeyId(state, "EDDYAAAAAAAAAAAAAAAA")).toBeUndefined();
    expect(failure(state, { type: "DeletePrincipal", name: "reader" }).name).toBe("ResourceNotFoundException");
  });

  it("principals survive a snapshot round trip; a state without them keeps its old bytes", () => {
    let state = ok(emptyControllerState(), create("writer"));
    state = ok(state, { type: "GrantPermission", name: "writer", resource: "orders-*", actions: ["write", "read"] });
    state = ok(state, create("admin", "EDDYBBBBBBBBBBBBBBBB"));
    const bytes = encodeState(state);
    const decoded = decodeState(bytes);
    expect(decoded.principals).toEqual(state.principals);
    expect(encodeState(decoded)).toEqual(bytes);
    expect(new TextDecoder().decode(encodeState(emptyControllerState()))).not.toContain("principals");
  });

  it("the commands round-trip through the log codec", () => {
    const commands: ControllerCommand[] = [
      create("reader"),
      { type: "DeletePrincipal", name: "reader" },
      { type: "GrantPermission", name: "reader", resource: "*", actions: ["read"] },
      { type: "RevokePermission", name: "reader", resource: "*", actions: [] },
    ];
    for (const command of commands) expect(decodeCommand(encodeCommand(command))).toEqual(command);
  });
});

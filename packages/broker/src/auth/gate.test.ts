/**
 * AuthGate over an in-memory controller state: who a caller is, what it may do, and when the state is
 * read fresh (only for a key this broker does not know yet, or a call it would deny).
 */
import { describe, expect, it } from "vitest";
import {
  applyCommand,
  emptyControllerState,
  KinesisError,
  principalSecretOf,
  sha256Hex,
  type ControllerCommand,
  type ControllerState,
} from "@eddy/core";
import { AuthGate, type StateSource } from "./gate.js";

const ROOT = { accessKeyId: "EDDYROOTROOTROOTROOT", secretAccessKey: "r".repeat(43) };
const KEY = "EDDYAAAAAAAAAAAAAAAA";
const SECRET = principalSecretOf(ROOT.secretAccessKey, KEY);

function apply(state: ControllerState, ...commands: ControllerCommand[]): ControllerState {
  for (const command of commands) {
    const out = applyCommand(state, command);
    if (out.result instanceof KinesisError) throw out.result;
    state = out.state;
  }
  return state;
}

/** The local replica lags `fresh` until a fresh read is made, as a follower's would. */
class LaggingState implements StateSource {
  freshReads = 0;
  constructor(
    public state: ControllerState,
    private fresh: ControllerState = state,
  ) {}
  advance(fresh: ControllerState): void {
    this.fresh = fresh;
  }
  freshState(): Promise<ControllerState> {
    this.freshReads += 1;
    this.state = this.fresh;
    return Promise.resolve(this.fresh);
  }
}

const created: ControllerCommand = {
  type: "CreatePrincipal",
  name: "writer",
  accessKeyId: KEY,
  secretSha256Hex: sha256Hex(SECRET),
  nowMs: 0,
};
const grantWrite: ControllerCommand = {
  type: "GrantPermission",
  name: "writer",
  resource: "orders-*",
  actions: ["write"],
};

async function refusal(call: Promise<unknown>): Promise<KinesisError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KinesisError);
  return error as KinesisError;
}

describe("AuthGate", () => {
  it("knows root by the auth file, and refuses missing credentials or a wrong secret", async () => {
    const gate = new AuthGate(ROOT, new LaggingState(emptyControllerState()));
    expect(await gate.authenticate(ROOT.accessKeyId, ROOT.secretAccessKey)).toEqual({
      kind: "root",
      accessKeyId: ROOT.accessKeyId,
    });
    expect((await refusal(gate.authenticate(undefined, undefined))).message).toMatch(/^missing credentials/);
    expect((await refusal(gate.authenticate(ROOT.accessKeyId, "wrong"))).name).toBe("UnrecognizedClientException");
  });

  it("finds a principal created through another broker with a fresh read, then without one", async () => {
    const source = new LaggingState(emptyControllerState(), apply(emptyControllerState(), created, grantWrite));
    const gate = new AuthGate(ROOT, source);
    const caller = await gate.authenticate(KEY, SECRET);
    expect(caller.kind === "principal" && caller.principal.name).toBe("writer");
    expect(source.freshReads).toBe(1);
    await gate.authorize(caller, "PutRecords", "orders-eu");
    expect(source.freshReads).toBe(1); // allowed by the local state: no round trip
  });

  it("denies with AccessDeniedException naming principal, operation, action and stream, after a fresh look", async () => {
    const state = apply(emptyControllerState(), created, grantWrite);
    const source = new LaggingState(state);
    const gate = new AuthGate(ROOT, source);
    const caller = await gate.authenticate(KEY, SECRET);
    const error = await refusal(gate.authorize(caller, "GetRecords", "billing"));
    expect(error.name).toBe("AccessDeniedException");
    expect(error.message).toBe(`writer (${KEY}) is not allowed to GetRecords (read) on stream billing.`);
    expect(source.freshReads).toBe(1);
    // A grant made elsewhere meanwhile is found by that fresh look.
    source.advance(apply(state, { type: "GrantPermission", name: "writer", resource: "billing", actions: ["read"] }));
    await gate.authorize(caller, "GetRecords", "billing");
  });

  it("principal management needs admin on *, an operation outside the table only root", async () => {
    const gate = new AuthGate(ROOT, new LaggingState(apply(emptyControllerState(), created, grantWrite)));
    const caller = await gate.authenticate(KEY, SECRET);
    expect((await refusal(gate.authorize(caller, "CreatePrincipal", undefined))).message).toMatch(
      /every stream \(\*\)/,
    );
    expect((await refusal(gate.authorize(caller, "NoSuchOperation", "orders-eu"))).name).toBe("AccessDeniedException");
    await gate.authorize({ kind: "root", accessKeyId: ROOT.accessKeyId }, "NoSuchOperation", undefined);
    await gate.authorize(caller, "ListStreams", undefined);
  });

  it("gives SigV4 the derived secret, and says so plainly when the root file changed since", async () => {
    const state = apply(emptyControllerState(), created);
    const found = await new AuthGate(ROOT, new LaggingState(state)).signingSecretOf(KEY);
    expect(found).not.toBeInstanceOf(KinesisError);
    expect((found as { secret: string }).secret).toBe(SECRET);
    const rotated = new AuthGate({ ...ROOT, secretAccessKey: "n".repeat(43) }, new LaggingState(state));
    const error = (await rotated.signingSecretOf(KEY)) as KinesisError;
    expect(error.name).toBe("UnrecognizedClientException");
    expect(error.message).toMatch(/root credentials changed since principal writer was created/);
    expect(((await rotated.signingSecretOf("EDDYNOBODY2222222222")) as KinesisError).name).toBe(
      "UnrecognizedClientException",
    );
  });
});

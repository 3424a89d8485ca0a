/**
 * The broker's front-door check, shared by the gRPC API and the Kinesis endpoint: who is calling (root,
 * or a principal of the replicated metadata), and whether the operation's requirement
 * (core's OPERATION_REQUIREMENTS) allows it on the stream the request names.
 *
 * Principals are looked up in this broker's replica of the controller state first; only when that does
 * not know the key, or denies the call, is the state read fresh (a read index at the controller leader)
 * and checked again. So a principal or grant made through any broker works at once everywhere, a plain
 * call costs no round trip, and a deletion or revoke takes effect on each broker as it applies the
 * controller entry (usually within milliseconds).
 */
import {
  accessDenied,
  callerName,
  hasAnyAction,
  isAllowed,
  KinesisError,
  principalByAccessKeyId,
  principalSecretOf,
  requirementOf,
  secretMatches,
  sha256Hex,
  unrecognizedClient,
  type Caller,
  type ControllerState,
  type Principal,
} from "@eddy/core";
import { INVALID_TOKEN_MESSAGE, unknownAccessKey } from "../kinesis/sigv4.js";
import type { RootCredentials } from "./root-credentials.js";

export interface StateSource {
  readonly state: ControllerState;
  freshState(): Promise<ControllerState>;
}

export class AuthGate {
  constructor(
    readonly root: RootCredentials,
    private readonly cluster: StateSource,
  ) {}

  /** A caller of the gRPC API by the key id and secret it sent; UnrecognizedClientException otherwise. */
  async authenticate(accessKeyId: string | undefined, secret: string | undefined): Promise<Caller> {
    if (!accessKeyId || !secret) {
      throw unrecognizedClient(
        "missing credentials: send the access key id and secret access key in the call metadata " +
          "(x-eddy-access-key-id, x-eddy-secret-access-key); the SDK and CLI take them from options, " +
          "EDDY_ACCESS_KEY_ID / EDDY_SECRET_ACCESS_KEY or ~/.eddy/credentials.",
      );
    }
    if (accessKeyId === this.root.accessKeyId) {
      if (!constantTimeEqual(secret, this.root.secretAccessKey)) throw unrecognizedClient(INVALID_TOKEN_MESSAGE);
      return { kind: "root", accessKeyId };
    }
    const principal = await this.principal(accessKeyId);
    if (!principal || !secretMatches(secret, principal.secretSha256Hex)) {
      throw unrecognizedClient(INVALID_TOKEN_MESSAGE);
    }
    return { kind: "principal", principal };
  }

  /**
   * The secret the Kinesis endpoint checks a SigV4 signature with. A principal's is derived from the root
   * secret and must hash to what the metadata stores: if it does not, the root file changed since the
   * principal was made, and that is said plainly.
   */
  async signingSecretOf(accessKeyId: string): Promise<{ caller: Caller; secret: string } | KinesisError> {
    if (accessKeyId === this.root.accessKeyId) {
      return { caller: { kind: "root", accessKeyId }, secret: this.root.secretAccessKey };
    }
    const principal = await this.principal(accessKeyId);
    if (!principal) return unknownAccessKey();
    const secret = principalSecretOf(this.root.secretAccessKey, accessKeyId);
    if (!secretMatches(secret, principal.secretSha256Hex)) {
      return unrecognizedClient(
        `${INVALID_TOKEN_MESSAGE} (the broker's root credentials changed since principal ${principal.name} was created; create it again)`,
      );
    }
    return { caller: { kind: "principal", principal }, secret };
  }

  /**
   * Refuses with AccessDeniedException unless the caller may run `operation` on `streamName` (undefined:
   * the request names no stream). A principal is checked against fresh metadata before it is refused.
   */
  async authorize(caller: Caller, operation: string, streamName: string | undefined): Promise<Caller> {
    if (this.allows(caller, operation, streamName)) return caller;
    if (caller.kind === "principal") {
      const state = await this.cluster.freshState();
      const fresh = principalByAccessKeyId(state, caller.principal.accessKeyId);
      if (fresh && fresh.name === caller.principal.name) {
        const refreshed: Caller = { kind: "principal", principal: fresh };
        if (this.allows(refreshed, operation, streamName)) return refreshed;
      }
    }
    const requirement = requirementOf(operation);
    const action = requirement && requirement.scope !== "authenticated" ? requirement.action : "any";
    const on =
      requirement?.scope === "cluster" || streamName === undefined ? "every stream (*)" : `stream ${streamName}`;
    throw accessDenied(`${callerName(caller)} is not allowed to ${operation} (${action}) on ${on}.`);
  }

  /** What ListStreams shows the caller. */
  sees(caller: Caller, streamName: string): boolean {
    return hasAnyAction(caller, streamName);
  }

  private allows(caller: Caller, operation: string, streamName: string | undefined): boolean {
    const requirement = requirementOf(operation);
    if (requirement === undefined) return caller.kind === "root"; // not in the table: default deny
    if (requirement.scope === "authenticated") return true;
    return isAllowed(caller, requirement.action, requirement.scope === "cluster" ? undefined : streamName);
  }

  /** The principal holding the key, from the local replica or else from a fresh read. */
  private async principal(accessKeyId: string): Promise<Principal | undefined> {
    return (
      principalByAccessKeyId(this.cluster.state, accessKeyId) ??
      principalByAccessKeyId(await this.cluster.freshState(), accessKeyId)
    );
  }
}

/** Compared as hashes, so that the time taken says nothing about the secret. */
function constantTimeEqual(a: string, b: string): boolean {
  return secretMatches(a, sha256Hex(b));
}

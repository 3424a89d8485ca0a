/**
 * The principal RPCs: each goes to the controller like CreateStream does. CreatePrincipal makes the key
 * id here and derives the secret from the root secret (core/auth/secrets.ts); only the secret's hash goes
 * into the metadata, and the secret is answered this once.
 */
import {
  invalidArgument,
  principalSecretOf,
  sha256Hex,
  validatePrincipalName,
  type ControllerCommand,
  type ControllerState,
  type Principal,
} from "@eddy/core";
import type * as api from "@eddy/api";
import { newAccessKeyId, type RootCredentials } from "./root-credentials.js";

export interface ControllerAccess {
  submit(command: ControllerCommand): Promise<unknown>;
  freshState(): Promise<ControllerState>;
}

export class PrincipalService {
  constructor(
    private readonly cluster: ControllerAccess,
    /** Undefined when the broker runs without authentication: principals need the root secret. */
    private readonly root: RootCredentials | undefined,
  ) {}

  async createPrincipal(req: api.CreatePrincipalRequest__Output): Promise<api.CreatePrincipalResponse> {
    const root = this.requireRoot();
    validatePrincipalName(req.name, "Name");
    const accessKeyId = newAccessKeyId();
    const secret = principalSecretOf(root.secretAccessKey, accessKeyId);
    const principal = (await this.cluster.submit({
      type: "CreatePrincipal",
      name: req.name,
      accessKeyId,
      secretSha256Hex: sha256Hex(secret),
      nowMs: Date.now(),
    })) as Principal;
    return { principal: principalOut(principal), secret_access_key: secret };
  }

  async deletePrincipal(req: api.DeletePrincipalRequest__Output): Promise<api.DeletePrincipalResponse> {
    this.requireRoot();
    await this.cluster.submit({ type: "DeletePrincipal", name: req.name });
    return {};
  }

  async listPrincipals(): Promise<api.ListPrincipalsResponse> {
    this.requireRoot();
    const state = await this.cluster.freshState();
    const principals = [...state.principals.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { principals: principals.map(principalOut) };
  }

  async grantPermission(req: api.GrantPermissionRequest__Output): Promise<api.GrantPermissionResponse> {
    this.requireRoot();
    const principal = (await this.cluster.submit({
      type: "GrantPermission",
      name: req.name,
      resource: req.resource,
      actions: req.actions,
    })) as Principal;
    return { principal: principalOut(principal) };
  }

  async revokePermission(req: api.RevokePermissionRequest__Output): Promise<api.RevokePermissionResponse> {
    this.requireRoot();
    const principal = (await this.cluster.submit({
      type: "RevokePermission",
      name: req.name,
      resource: req.resource,
      actions: req.actions,
    })) as Principal;
    return { principal: principalOut(principal) };
  }

  private requireRoot(): RootCredentials {
    if (!this.root) {
      throw invalidArgument(
        "This broker runs without authentication (no --auth-file), so it has no principals; start it with --auth-file.",
      );
    }
    return this.root;
  }
}

/** A principal as the API shows it: never the secret nor its hash. */
function principalOut(p: Principal): api.Principal {
  return {
    name: p.name,
    access_key_id: p.accessKeyId,
    created_at_ms: String(p.createdAtMs),
    grants: p.grants.map((g) => ({ resource: g.resource, actions: [...g.actions] })),
  };
}

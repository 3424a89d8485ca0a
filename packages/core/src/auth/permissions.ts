/**
 * Principals and what they may do: per stream name, stream-name prefix (`orders-*`) or every stream
 * (`*`), the actions read, write, consume and admin. Pure: the controller applies grants and revokes with
 * these functions, and both front doors (gRPC and the Kinesis endpoint) ask `isAllowed` before a call runs.
 * Anything not granted is denied.
 */
import { constraintViolation } from "../violations.js";
import { limitExceeded } from "../errors.js";

export const ACTIONS = ["read", "write", "consume", "admin"] as const;
export type Action = (typeof ACTIONS)[number];

/** A resource pattern and the actions it grants. */
export interface Grant {
  /** A stream name, a prefix with one trailing `*` (`orders-*`), or `*` (every stream). */
  readonly resource: string;
  /** Sorted in ACTIONS order, never empty. */
  readonly actions: readonly Action[];
}

/** A principal as the replicated metadata stores it: never its secret, only the secret's SHA-256. */
export interface Principal {
  readonly name: string;
  readonly accessKeyId: string;
  /** SHA-256 of the secret access key, lowercase hex. */
  readonly secretSha256Hex: string;
  readonly createdAtMs: number;
  /** Sorted by resource, one grant per resource. */
  readonly grants: readonly Grant[];
}

/** Who made a call: the root credentials of the auth file, or a principal of the metadata. */
export type Caller =
  | { readonly kind: "root"; readonly accessKeyId: string }
  | { readonly kind: "principal"; readonly principal: Principal };

export const AUTH_LIMITS = {
  /** Principals in the cluster: each is checked on every call, and the whole table is in every snapshot. */
  principalsMax: 1_000,
  grantsPerPrincipalMax: 100,
  principalNameLengthMax: 64,
  /** A stream name is at most 128 characters; a prefix pattern adds the `*`. */
  resourceLengthMax: 129,
} as const;

const PRINCIPAL_NAME_PATTERN = /^[A-Za-z0-9_.@-]+$/;
/** "EDDY" and 16 characters of base32 (RFC 4648 alphabet): 20 characters, like AWS's access key ids. */
export const ACCESS_KEY_ID_PATTERN = /^EDDY[A-Z2-7]{16}$/;
const SHA256_HEX_PATTERN = /^[0-9a-f]{64}$/;
/** A stream name's characters (as Kinesis allows them), optionally followed by one `*`; or `*` alone. */
const RESOURCE_PATTERN = /^(\*|[a-zA-Z0-9_.-]+\*?)$/;

export function validatePrincipalName(name: unknown, field = "PrincipalName"): string {
  if (typeof name !== "string") throw constraintViolation(field, "be a string");
  if (name.length < 1 || name.length > AUTH_LIMITS.principalNameLengthMax) {
    throw constraintViolation(field, `have length between 1 and ${AUTH_LIMITS.principalNameLengthMax}`, name);
  }
  if (!PRINCIPAL_NAME_PATTERN.test(name)) {
    throw constraintViolation(field, `satisfy regular expression pattern: ${PRINCIPAL_NAME_PATTERN.source}`, name);
  }
  return name;
}

export function validateAccessKeyId(id: unknown, field = "AccessKeyId"): string {
  if (typeof id !== "string" || !ACCESS_KEY_ID_PATTERN.test(id)) {
    throw constraintViolation(field, `satisfy regular expression pattern: ${ACCESS_KEY_ID_PATTERN.source}`, String(id));
  }
  return id;
}

export function validateSecretSha256Hex(hex: unknown, field = "SecretSha256Hex"): string {
  if (typeof hex !== "string" || !SHA256_HEX_PATTERN.test(hex)) {
    throw constraintViolation(field, "be 64 lowercase hex characters (a SHA-256)");
  }
  return hex;
}

export function validateResource(resource: unknown, field = "Resource"): string {
  if (typeof resource !== "string") throw constraintViolation(field, "be a string");
  if (resource.length < 1 || resource.length > AUTH_LIMITS.resourceLengthMax) {
    throw constraintViolation(field, `have length between 1 and ${AUTH_LIMITS.resourceLengthMax}`, resource);
  }
  if (!RESOURCE_PATTERN.test(resource)) {
    throw constraintViolation(field, "be a stream name, a stream-name prefix ending in a single '*', or '*'", resource);
  }
  return resource;
}

/** The actions sorted and without repeats; an unknown one or an empty list is refused. */
export function validateActions(actions: unknown, field = "Actions", allowEmpty = false): Action[] {
  if (!Array.isArray(actions)) throw constraintViolation(field, "be a list of actions");
  for (const [i, action] of actions.entries()) {
    if (!ACTIONS.includes(action as Action)) {
      throw constraintViolation(`${field}.${i}`, `satisfy enum value set: [${ACTIONS.join(", ")}]`, String(action));
    }
  }
  if (!allowEmpty && actions.length === 0) throw constraintViolation(field, "have at least 1 action");
  return ACTIONS.filter((a) => actions.includes(a));
}

/** Whether a resource pattern covers a stream name. */
export function resourceMatches(resource: string, streamName: string): boolean {
  if (resource === "*") return true;
  if (resource.endsWith("*")) return streamName.startsWith(resource.slice(0, -1));
  return resource === streamName;
}

/** Whether the caller may do `action` on `streamName`; `undefined` stands for "every stream" (only `*` covers it). */
export function isAllowed(caller: Caller, action: Action, streamName: string | undefined): boolean {
  if (caller.kind === "root") return true;
  return caller.principal.grants.some(
    (g) =>
      g.actions.includes(action) &&
      (streamName === undefined ? g.resource === "*" : resourceMatches(g.resource, streamName)),
  );
}

/** Whether the caller has any action at all on the stream (what ListStreams shows it). */
export function hasAnyAction(caller: Caller, streamName: string): boolean {
  if (caller.kind === "root") return true;
  return caller.principal.grants.some((g) => g.actions.length > 0 && resourceMatches(g.resource, streamName));
}

const byResource = (a: Grant, b: Grant): number => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0);

/** The grants with `actions` added on `resource` (merged into an existing grant of the same resource). */
export function grantAdded(grants: readonly Grant[], resource: string, actions: readonly Action[]): Grant[] {
  const existing = grants.find((g) => g.resource === resource);
  if (!existing && grants.length >= AUTH_LIMITS.grantsPerPrincipalMax) {
    throw limitExceeded(
      `A principal has at most ${AUTH_LIMITS.grantsPerPrincipalMax} grants; revoke one before granting on ${resource}.`,
    );
  }
  const merged = ACTIONS.filter((a) => actions.includes(a) || (existing?.actions.includes(a) ?? false));
  return [...grants.filter((g) => g !== existing), { resource, actions: merged }].sort(byResource);
}

/**
 * The grants with `actions` removed from `resource`'s grant; without actions (or when none is left) the
 * resource's whole grant goes. A resource without a grant is left as it is.
 */
export function grantRevoked(grants: readonly Grant[], resource: string, actions?: readonly Action[]): Grant[] {
  return grants.flatMap((g) => {
    if (g.resource !== resource) return [g];
    if (actions === undefined || actions.length === 0) return [];
    const left = g.actions.filter((a) => !actions.includes(a));
    return left.length === 0 ? [] : [{ resource, actions: left }];
  });
}

/** How a caller is named in an AccessDeniedException. */
export function callerName(caller: Caller): string {
  return caller.kind === "root"
    ? `root (${caller.accessKeyId})`
    : `${caller.principal.name} (${caller.principal.accessKeyId})`;
}

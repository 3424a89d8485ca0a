/** Permission matching, grants and revokes, the operation table and secret derivation. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KinesisError } from "../errors.js";
import {
  ACTIONS,
  AUTH_LIMITS,
  grantAdded,
  grantRevoked,
  hasAnyAction,
  isAllowed,
  resourceMatches,
  validateActions,
  validatePrincipalName,
  validateResource,
  type Action,
  type Caller,
  type Grant,
} from "./permissions.js";
import { accessKeyIdOf, principalSecretOf, secretMatches, sha256Hex } from "./secrets.js";

const streamName = fc.stringMatching(/^[a-zA-Z0-9_.-]{1,20}$/);
const action = fc.constantFrom(...ACTIONS);

function callerWith(grants: Grant[]): Caller {
  return {
    kind: "principal",
    principal: {
      name: "p",
      accessKeyId: "EDDYAAAAAAAAAAAAAAAA",
      secretSha256Hex: "0".repeat(64),
      createdAtMs: 0,
      grants,
    },
  };
}

describe("resource patterns", () => {
  it("an exact name matches only itself", () => {
    fc.assert(
      fc.property(streamName, streamName, (a, b) => {
        expect(resourceMatches(a, b)).toBe(a === b);
      }),
    );
  });

  it("a prefix pattern matches exactly the names that start with the prefix", () => {
    fc.assert(
      fc.property(streamName, streamName, (prefix, name) => {
        expect(resourceMatches(`${prefix}*`, name)).toBe(name.startsWith(prefix));
      }),
    );
  });

  it("* matches every name", () => {
    fc.assert(
      fc.property(streamName, (name) => {
        expect(resourceMatches("*", name)).toBe(true);
      }),
    );
  });

  it("orders-* covers orders-eu but not billing or orders", () => {
    expect(resourceMatches("orders-*", "orders-eu")).toBe(true);
    expect(resourceMatches("orders-*", "billing")).toBe(false);
    expect(resourceMatches("orders-*", "orders")).toBe(false);
  });

  it("refuses patterns with a * anywhere but the end, or characters a stream name cannot have", () => {
    for (const bad of ["", "a*b", "**", "*a", "a b", "x".repeat(AUTH_LIMITS.resourceLengthMax + 1)]) {
      expect(() => validateResource(bad)).toThrow(/Resource/);
    }
    expect(validateResource("orders-*")).toBe("orders-*");
  });
});

describe("isAllowed", () => {
  it("allows an action only when some grant has it on a matching resource", () => {
    const grant = fc.record({
      resource: fc.oneof(
        streamName,
        streamName.map((s) => `${s}*`),
        fc.constant("*"),
      ),
      actions: fc.subarray([...ACTIONS], { minLength: 1 }),
    });
    fc.assert(
      fc.property(fc.array(grant, { maxLength: 5 }), action, streamName, (grants, a, name) => {
        const expected = grants.some((g) => g.actions.includes(a) && resourceMatches(g.resource, name));
        expect(isAllowed(callerWith(grants), a, name)).toBe(expected);
      }),
    );
  });

  it("denies everything to a principal without grants (default deny) and allows everything to root", () => {
    fc.assert(
      fc.property(action, streamName, (a, name) => {
        expect(isAllowed(callerWith([]), a, name)).toBe(false);
        expect(hasAnyAction(callerWith([]), name)).toBe(false);
        expect(isAllowed({ kind: "root", accessKeyId: "EDDYROOT" }, a, name)).toBe(true);
      }),
    );
  });

  it("a request naming no stream needs the action on *", () => {
    expect(isAllowed(callerWith([{ resource: "a*", actions: ["consume"] }]), "consume", undefined)).toBe(false);
    expect(isAllowed(callerWith([{ resource: "*", actions: ["consume"] }]), "consume", undefined)).toBe(true);
  });
});

describe("grants and revokes", () => {
  it("grant merges actions into the resource's grant, sorted, once", () => {
    let grants = grantAdded([], "orders-*", ["write"]);
    grants = grantAdded(grants, "orders-*", ["read", "write"]);
    grants = grantAdded(grants, "billing", ["admin"]);
    expect(grants).toEqual([
      { resource: "billing", actions: ["admin"] },
      { resource: "orders-*", actions: ["read", "write"] },
    ]);
  });

  it("revoke removes the named actions, or the whole grant without actions", () => {
    const grants: Grant[] = [{ resource: "orders", actions: ["read", "write", "admin"] }];
    expect(grantRevoked(grants, "orders", ["write"])).toEqual([{ resource: "orders", actions: ["read", "admin"] }]);
    expect(grantRevoked(grants, "orders", ["read", "write", "admin"])).toEqual([]);
    expect(grantRevoked(grants, "orders")).toEqual([]);
    expect(grantRevoked(grants, "billing", ["read"])).toEqual(grants);
  });

  it("grant then revoke of the same actions on a new resource leaves the grants as they were", () => {
    fc.assert(
      fc.property(fc.subarray([...ACTIONS], { minLength: 1 }), (actions: Action[]) => {
        const before: Grant[] = [{ resource: "a", actions: ["read"] }];
        expect(grantRevoked(grantAdded(before, "b*", actions), "b*", actions)).toEqual(before);
      }),
    );
  });

  it("refuses a grant past the per-principal limit with LimitExceededException", () => {
    let grants: Grant[] = [];
    for (let i = 0; i < AUTH_LIMITS.grantsPerPrincipalMax; i++) grants = grantAdded(grants, `s${i}`, ["read"]);
    expect(() => grantAdded(grants, "one-more", ["read"])).toThrow(/at most 100 grants/);
    // Adding actions to an existing grant is not a new grant.
    expect(grantAdded(grants, "s0", ["write"])).toHaveLength(AUTH_LIMITS.grantsPerPrincipalMax);
  });

  it("validates actions and principal names naming the field", () => {
    expect(validateActions(["write", "read", "read"])).toEqual(["read", "write"]);
    expect(() => validateActions(["fly"])).toThrow(/Actions.0.*read, write, consume, admin/);
    expect(() => validateActions([])).toThrow(/Actions/);
    expect(() => validatePrincipalName("a b")).toThrow(/PrincipalName/);
    expect(() => validatePrincipalName("x".repeat(65))).toThrow(/between 1 and 64/);
    expect(validatePrincipalName("ci-bot@team.x_1")).toBe("ci-bot@team.x_1");
    try {
      validatePrincipalName("");
    } catch (error) {
      expect(error).toBeInstanceOf(KinesisError);
    }
  });
});

describe("secrets", () => {
  it("derives the same secret from the same root secret and key id, another one otherwise", () => {
    const a = principalSecretOf("root-secret", "EDDYAAAAAAAAAAAAAAAA");
    expect(principalSecretOf("root-secret", "EDDYAAAAAAAAAAAAAAAA")).toBe(a);
    expect(principalSecretOf("root-secret", "EDDYAAAAAAAAAAAAAAAB")).not.toBe(a);
    expect(principalSecretOf("another-root", "EDDYAAAAAAAAAAAAAAAA")).not.toBe(a);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("checks a secret against its stored SHA-256", () => {
    const secret = principalSecretOf("root-secret", "EDDYAAAAAAAAAAAAAAAA");
    expect(secretMatches(secret, sha256Hex(secret))).toBe(true);
    expect(secretMatches(`${secret}x`, sha256Hex(secret))).toBe(false);
    expect(secretMatches(secret, "not hex")).toBe(false);
  });

  it("makes access key ids of EDDY and 16 base32 characters", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        expect(accessKeyIdOf(bytes)).toMatch(/^EDDY[A-Z2-7]{16}$/);
      }),
    );
  });
});

/**
 * Every operation either front door serves has a row in core's OPERATION_REQUIREMENTS: an RPC or a
 * Kinesis operation added without one would be refused to every principal (default deny) and this
 * test says which.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OPERATION_REQUIREMENTS } from "@eddy/core";
import { PROTO_ROOT, STREAMS_PROTO_FILE, loadStreamsService } from "@eddy/api";
import { KinesisOperations } from "../kinesis/operations.js";

describe("every operation is mapped to what it needs", () => {
  it("every RPC of the Streams service", () => {
    const proto = readFileSync(join(PROTO_ROOT, STREAMS_PROTO_FILE), "utf8");
    const rpcs = [...proto.matchAll(/^\s*rpc (\w+)\(/gm)].map((m) => m[1]!);
    expect(rpcs.sort()).toEqual(Object.keys(loadStreamsService().service).sort());
    expect(rpcs.filter((rpc) => !Object.hasOwn(OPERATION_REQUIREMENTS, rpc))).toEqual([]);
  });

  it("every operation of the Kinesis endpoint", () => {
    const operations = new KinesisOperations({} as never).operationNames();
    expect(operations.length).toBeGreaterThan(20);
    expect(operations.filter((op) => !Object.hasOwn(OPERATION_REQUIREMENTS, op))).toEqual([]);
  });

  it("principal management needs admin on every stream", () => {
    for (const rpc of ["CreatePrincipal", "DeletePrincipal", "ListPrincipals", "GrantPermission", "RevokePermission"]) {
      expect(OPERATION_REQUIREMENTS[rpc]).toEqual({ scope: "cluster", action: "admin" });
    }
  });
});

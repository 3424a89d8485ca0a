import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROTO_LOADER_OPTIONS, PROTO_ROOT, STREAMS_PROTO_FILE, loadStreamsService } from "./proto.js";

const packageSrc = new URL(".", import.meta.url);

describe("proto loading", () => {
  it("finds the repository's proto directory", () => {
    expect(existsSync(join(PROTO_ROOT, STREAMS_PROTO_FILE))).toBe(true);
  });

  it("loads the Streams service once, with every RPC of the proto", () => {
    const loaded = loadStreamsService();
    expect(loadStreamsService()).toBe(loaded);
    expect(loaded.Client.serviceName).toBe("Streams");
    expect(loaded.service.PutRecord.path).toBe("/eddy.v1.Streams/PutRecord");
    expect(Object.keys(loaded.service).sort()).toEqual(
      [
        "CreateStream",
        "DeleteStream",
        "DescribeStream",
        "DescribeStreamSummary",
        "GetRecords",
        "GetShardIterator",
        "InitProducer",
        "ListShards",
        "ListStreams",
        "PutRecord",
        "PutRecords",
        "SubscribeToShard",
        "UpdateRetentionPeriod",
        "UpdateStreamMode",
        "CreateApplication",
        "DeleteApplication",
        "DescribeApplication",
        "ListApplications",
        "WorkerHeartbeat",
        "Checkpoint",
        "ResetApplication",
        "SplitShard",
        "MergeShards",
        "UpdateShardCount",
        "CreatePrincipal",
        "DeletePrincipal",
        "ListPrincipals",
        "GrantPermission",
        "RevokePermission",
      ].sort(),
    );
    expect(loaded.service.SubscribeToShard.responseStream).toBe(true);
  });

  it("uses the loader options the types were generated with", () => {
    const rootPackage = JSON.parse(readFileSync(new URL("../../../package.json", packageSrc), "utf8")) as {
      scripts: Record<string, string>;
    };
    const flags = (rootPackage.scripts["gen:proto"] ?? "").split(/\s+/);
    expect(PROTO_LOADER_OPTIONS).toEqual({
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
    });
    for (const flag of ["--keepCase", "--longs=String", "--enums=String", "--defaults", "--oneofs"]) {
      expect(flags).toContain(flag);
    }
  });

  it("re-exports every generated type file", () => {
    const messages = readFileSync(new URL("messages.ts", packageSrc), "utf8");
    const generated = readdirSync(new URL("gen/eddy/v1/", packageSrc)).filter((f) => f.endsWith(".ts"));
    expect(generated.length).toBeGreaterThan(0);
    for (const file of generated) {
      expect(messages).toContain(`"./gen/eddy/v1/${file.replace(/\.ts$/, ".js")}"`);
    }
  });
});

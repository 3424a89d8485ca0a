import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(fileURLToPath(import.meta.url), "../../..");

/**
 * The layers, and what each may import: cli -> client/broker -> storage -> raft -> core, with api (the
 * gRPC contract) beside them and testkit for tests only. Nothing imports upwards, so there are no cycles.
 */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  raft: ["core"],
  storage: ["core", "raft"],
  api: ["core"],
  broker: ["core", "raft", "storage", "api"],
  client: ["core", "api"],
  cli: ["core", "client", "broker"],
  testkit: ["core", "client", "api"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "gen" ? [] : sourceFiles(path);
    return path.endsWith(".ts") && !path.endsWith(".test.ts") ? [path] : [];
  });
}

describe("layout", () => {
  const packages = readdirSync(join(ROOT, "packages"));

  it("every package is a known layer", () => {
    expect(packages.sort()).toEqual(Object.keys(ALLOWED).sort());
  });

  it.each(Object.keys(ALLOWED))("%s imports only the layers below it", (name) => {
    const files = sourceFiles(join(ROOT, "packages", name, "src"));
    expect(files.length).toBeGreaterThan(0);
    const imported = new Set<string>();
    for (const file of files) {
      for (const match of readFileSync(file, "utf8").matchAll(/from\s+["']@eddy\/([a-z]+)["']/g))
        imported.add(match[1]!);
    }
    imported.delete(name);
    expect([...imported].filter((dep) => !ALLOWED[name]!.includes(dep))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(ROOT, "packages", name, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
    };
    const declared = Object.keys(manifest.dependencies ?? {})
      .filter((d) => d.startsWith("@eddy/"))
      .map((d) => d.slice("@eddy/".length));
    expect(declared.filter((dep) => !ALLOWED[name]!.includes(dep))).toEqual([]);
    // Whatever is imported is declared, so a clean install links it.
    expect([...imported].filter((dep) => !declared.includes(dep))).toEqual([]);
  });
});

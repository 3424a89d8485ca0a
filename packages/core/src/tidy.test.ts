/**
 * Keeps the pure packages pure: core and raft must not read clocks or randomness, start timers, or
 * import I/O modules, so that the deterministic simulator can drive them from one seed.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const PACKAGES_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const PURE_SOURCE_DIRS = ["core/src", "raft/src"].map((dir) => join(PACKAGES_DIR, dir));

const BANNED_CALLS: readonly RegExp[] = [
  /\bDate\.now\b/,
  /\bnew Date\(\s*\)/,
  /\bMath\.random\b/,
  /\bsetTimeout\b/,
  /\bsetInterval\b/,
  /\bsetImmediate\b/,
  /\bperformance\.now\b/,
  /\bprocess\.hrtime\b/,
];
const BANNED_MODULES =
  /^(node:)?(fs|net|http|http2|https|child_process|dgram|tls)(\/.*)?$|^(level|classic-level)(\/.*)?$|^@grpc\//;
const IMPORT_SPECIFIER = /(?:\bfrom|\bimport|\brequire)\s*\(?\s*["']([^"']+)["']/g;

function pureSourceFiles(): string[] {
  return PURE_SOURCE_DIRS.flatMap((dir) =>
    readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts"))
      .map((file) => join(dir, file)),
  );
}

/** Comments may mention what is banned; only code counts. A "//" inside a string is left alone. */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

function violationsIn(source: string): string[] {
  const code = withoutComments(source);
  const calls = BANNED_CALLS.filter((pattern) => pattern.test(code)).map((pattern) => `uses ${pattern.source}`);
  const imports = [...code.matchAll(IMPORT_SPECIFIER)]
    .map((match) => match[1] ?? "")
    .filter((specifier) => BANNED_MODULES.test(specifier))
    .map((specifier) => `imports ${specifier}`);
  return [...calls, ...imports];
}

describe("tidy: core and raft stay pure", () => {
  it("scans the source files of both packages", () => {
    const files = pureSourceFiles().map((file) => relative(PACKAGES_DIR, file));
    expect(files).toContain(join("core", "src", "codec.ts"));
    expect(files.some((file) => file.startsWith(join("raft", "src")))).toBe(true);
  });

  it("finds no clock, randomness, timer or I/O import in them", () => {
    const found = pureSourceFiles().flatMap((file) =>
      violationsIn(readFileSync(file, "utf8")).map((violation) => `${relative(PACKAGES_DIR, file)} ${violation}`),
    );
    expect(found).toEqual([]);
  });

  it("recognises each banned use (the checker itself works)", () => {
    const banned = [
      "const t = Date.now();",
      "const d = new Date();",
      "Math.random()",
      "setTimeout(f, 1)",
      "setInterval(f, 1)",
      "performance.now()",
      'import { readFileSync } from "node:fs";',
      'import * as fs from "fs/promises";',
      'import net from "node:net";',
      'import { request } from "node:http";',
      'import http2 from "node:http2";',
      'import { spawn } from "node:child_process";',
      'import { Level } from "level";',
      'import { ClassicLevel } from "classic-level";',
      'import * as grpc from "@grpc/grpc-js";',
      'const m = await import("node:fs");',
    ];
    for (const line of banned) expect(violationsIn(line), line).not.toEqual([]);
    const allowed = [
      'import { createHash } from "node:crypto";',
      'import { crc32 } from "node:zlib";',
      "// Date.now is banned here",
      "const date = new Date(ms);",
      'import { x } from "./level.js";',
    ];
    for (const line of allowed) expect(violationsIn(line), line).toEqual([]);
  });
});

/** The root credentials file: written once with mode 0600, read back, and refused when malformed. */
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  newRootCredentials,
  readRootCredentials,
  rootCredentialProblems,
  writeRootCredentials,
} from "./root-credentials.js";

const dir = mkdtempSync(join(tmpdir(), "eddy-root-"));

describe("root credentials file", () => {
  it("is written owner-only, read back as written, and never overwritten", () => {
    const file = join(dir, "root.json");
    const root = newRootCredentials();
    expect(root.accessKeyId).toMatch(/^EDDY[A-Z2-7]{16}$/);
    writeRootCredentials(file, root);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readRootCredentials(file)).toEqual(root);
    expect(() => writeRootCredentials(file, newRootCredentials())).toThrow(
      /exists; root credentials are never overwritten/,
    );
  });

  it("names what is wrong with a malformed file", () => {
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ accessKeyId: "AKIA", secretAccessKey: "short" }));
    expect(() => readRootCredentials(file)).toThrow(
      /accessKeyId must match.*secretAccessKey must be a string of at least 32/,
    );
    writeFileSync(file, "not json");
    expect(() => readRootCredentials(file)).toThrow(/not readable JSON/);
    expect(rootCredentialProblems(null)).toEqual(["must be a JSON object"]);
  });
});

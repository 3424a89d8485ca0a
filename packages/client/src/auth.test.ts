/** Where the SDK finds credentials: options, then the environment, then the credentials file's profile. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveAuth } from "./auth.js";

const dir = mkdtempSync(join(tmpdir(), "eddy-auth-"));
const file = join(dir, "credentials");
writeFileSync(
  file,
  "[default]\naccess_key_id = EDDYDEFAULTAAAAAAAAA\nsecret_access_key = default-secret\n\n" +
    "[ci]\naccess_key_id = EDDYCIAAAAAAAAAAAAAA\nsecret_access_key = ci-secret\n\n[broken]\naccess_key_id = x\n",
);
const fileEnv = { EDDY_SHARED_CREDENTIALS_FILE: file };

describe("resolveAuth", () => {
  it("takes the options first", () => {
    const auth = { accessKeyId: "EDDYOPTIONSAAAAAAAAA", secretAccessKey: "s" };
    expect(resolveAuth({ auth }, { ...fileEnv, EDDY_ACCESS_KEY_ID: "x", EDDY_SECRET_ACCESS_KEY: "y" })).toEqual(auth);
  });

  it("then the environment, which needs both variables", () => {
    expect(resolveAuth({}, { ...fileEnv, EDDY_ACCESS_KEY_ID: "id", EDDY_SECRET_ACCESS_KEY: "secret" })).toEqual({
      accessKeyId: "id",
      secretAccessKey: "secret",
    });
    expect(() => resolveAuth({}, { EDDY_ACCESS_KEY_ID: "id" })).toThrow(/EDDY_SECRET_ACCESS_KEY/);
  });

  it("then the credentials file: [default], or the profile named by the option or EDDY_PROFILE", () => {
    expect(resolveAuth({}, fileEnv)).toEqual({
      accessKeyId: "EDDYDEFAULTAAAAAAAAA",
      secretAccessKey: "default-secret",
    });
    expect(resolveAuth({ profile: "ci" }, fileEnv)?.accessKeyId).toBe("EDDYCIAAAAAAAAAAAAAA");
    expect(resolveAuth({}, { ...fileEnv, EDDY_PROFILE: "ci" })?.accessKeyId).toBe("EDDYCIAAAAAAAAAAAAAA");
  });

  it("a named profile that is missing or incomplete is an error naming it; no file at all is no credentials", () => {
    expect(() => resolveAuth({ profile: "nope" }, fileEnv)).toThrow(/nope/);
    expect(() => resolveAuth({ profile: "broken" }, fileEnv)).toThrow(/secret_access_key/);
    expect(resolveAuth({}, { EDDY_SHARED_CREDENTIALS_FILE: join(dir, "absent") })).toBeUndefined();
  });
});

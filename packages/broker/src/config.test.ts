import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG, configProblems, exposureOf, exposureProblems, isLoopbackHost } from "./config.js";

describe("isLoopbackHost", () => {
  it("is 127.0.0.0/8, ::1 and localhost", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "127.255.255.255", "::1", "[::1]", "localhost", "LOCALHOST"])
      expect(isLoopbackHost(host), host).toBe(true);
  });
  it("is not the wildcard addresses, other addresses, or look-alikes", () => {
    for (const host of ["0.0.0.0", "::", "10.0.0.7", "128.0.0.1", "127.0.0.256", "127.0.0", "localhost.example.com"])
      expect(isLoopbackHost(host), host).toBe(false);
  });
});

describe("exposureProblems: a broker off loopback needs TLS and authentication, or --insecure", () => {
  const exposed = { host: "0.0.0.0", tls: false, authenticationEnabled: false, insecure: false };

  it("on loopback, nothing is needed", () => {
    expect(exposureProblems({ ...exposed, host: "127.0.0.1" })).toEqual([]);
    expect(exposureProblems({ ...exposed, host: "::1" })).toEqual([]);
  });

  it("off loopback without TLS or authentication, names the host and what to add for each", () => {
    const problems = exposureProblems(exposed);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      /host 0\.0\.0\.0 is not a loopback address and TLS is off: add --tls-cert, --tls-key and --tls-ca/,
    );
    expect(problems[1]).toMatch(/host 0\.0\.0\.0 .* authentication is off: add --auth-file/);
    expect(problems.every((p) => p.includes("--insecure"))).toBe(true);
  });

  it("with TLS but no authentication, only authentication is missing", () => {
    expect(exposureProblems({ ...exposed, host: "10.0.0.7", tls: true })).toEqual([
      expect.stringMatching(/host 10\.0\.0\.7 .*authentication is off/),
    ]);
  });

  it("with both, or with --insecure, it may start", () => {
    expect(exposureProblems({ ...exposed, tls: true, authenticationEnabled: true })).toEqual([]);
    expect(exposureProblems({ ...exposed, insecure: true })).toEqual([]);
  });

  it("exposureOf counts TLS only with certificate, key and CA", () => {
    const files = { tlsCertFile: "b.crt", tlsKeyFile: "b.key" };
    expect(exposureOf({ ...DEFAULT_CONFIG, ...files }, false).tls).toBe(false);
    expect(exposureOf({ ...DEFAULT_CONFIG, ...files, tlsCaFile: "ca.crt" }, true)).toEqual({
      host: DEFAULT_CONFIG.host,
      tls: true,
      authenticationEnabled: true,
      insecure: false,
    });
  });
});

describe("configProblems: TLS files", () => {
  it("a certificate without the cluster CA is a problem: brokers could not verify each other", () => {
    expect(configProblems({ ...DEFAULT_CONFIG, tlsCertFile: "b.crt", tlsKeyFile: "b.key" })).toEqual([
      expect.stringMatching(/^tlsCaFile \(--tls-ca\) is required with tlsCertFile/),
    ]);
  });
  it("a CA without a certificate is a problem, and all three together are sound", () => {
    expect(configProblems({ ...DEFAULT_CONFIG, tlsCaFile: "ca.crt" })).toEqual([
      expect.stringMatching(/^tlsCaFile needs tlsCertFile and tlsKeyFile/),
    ]);
    expect(
      configProblems({ ...DEFAULT_CONFIG, tlsCertFile: "b.crt", tlsKeyFile: "b.key", tlsCaFile: "ca.crt" }),
    ).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { grpc } from "@eddy/api";
import { EddyClient } from "./client.js";
import { tlsCredentials } from "./tls.js";

describe("tls options", () => {
  it("a CA file that cannot be read is an InvalidArgumentException naming the field and the path", () => {
    expect(() => tlsCredentials({ ca: "/nonexistent/ca.crt" })).toThrow(
      expect.objectContaining({
        name: "InvalidArgumentException",
        message: expect.stringMatching(/^tls\.ca: cannot read \/nonexistent\/ca\.crt/),
      }),
    );
  });

  it("a certificate without its key is refused", () => {
    expect(() => tlsCredentials({ cert: Buffer.from("x") })).toThrow(/tls\.cert and tls\.key must be given together/);
  });

  it("credentials and tls together are refused; tls alone makes secure credentials", () => {
    expect(() => new EddyClient({ credentials: grpc.credentials.createInsecure(), tls: {} })).toThrow(
      /give credentials or tls, not both/,
    );
    expect(tlsCredentials({})._isSecure()).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { SERVER_AUTH_OID, brokerCertificateRefusal } from "./tls.js";

const CLIENT_AUTH_OID = "1.3.6.1.5.5.7.3.2";

describe("brokerCertificateRefusal: who may call the cluster service", () => {
  it("a broker certificate of the cluster CA (serverAuth) is let in", () => {
    const auth = {
      transportSecurityType: "ssl",
      sslPeerCertificate: { subject: { CN: "b2" }, ext_key_usage: [SERVER_AUTH_OID, CLIENT_AUTH_OID] },
    };
    expect(brokerCertificateRefusal(auth)).toBeUndefined();
  });

  it("no certificate, or one the CA did not sign (grpc-js then reports none), is UNAUTHENTICATED", () => {
    for (const auth of [null, undefined, {}, { transportSecurityType: "ssl" }]) {
      expect(brokerCertificateRefusal(auth)).toEqual({
        code: "UNAUTHENTICATED",
        reason: expect.stringMatching(/no client certificate signed by the cluster CA/),
      });
    }
  });

  it("a client certificate (clientAuth only, or no extendedKeyUsage) is PERMISSION_DENIED, naming what it lacks", () => {
    const client = { subject: { CN: "client" }, ext_key_usage: [CLIENT_AUTH_OID] };
    expect(brokerCertificateRefusal({ transportSecurityType: "ssl", sslPeerCertificate: client })).toEqual({
      code: "PERMISSION_DENIED",
      reason: `the client certificate CN=client is not a broker certificate: its extendedKeyUsage lacks serverAuth (${SERVER_AUTH_OID})`,
    });
    expect(brokerCertificateRefusal({ transportSecurityType: "ssl", sslPeerCertificate: {} })?.code).toBe(
      "PERMISSION_DENIED",
    );
  });
});

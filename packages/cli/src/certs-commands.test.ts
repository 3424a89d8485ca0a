import { describe, expect, it } from "vitest";
import { subjectAltNames } from "./certs-commands.js";

describe("subjectAltNames", () => {
  it("names the broker id, localhost and 127.0.0.1, then the hosts; IPs as IP, names as DNS, each once", () => {
    expect(subjectAltNames("b1", [])).toBe("DNS:b1,DNS:localhost,IP:127.0.0.1");
    expect(subjectAltNames("eddy-0", ["eddy-0.eddy-peers", "10.0.0.7", "::1", "localhost"])).toBe(
      "DNS:eddy-0,DNS:localhost,IP:127.0.0.1,DNS:eddy-0.eddy-peers,IP:10.0.0.7,IP:::1",
    );
  });
});

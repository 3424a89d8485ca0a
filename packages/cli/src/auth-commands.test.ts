/** Parsing of the auth commands' flags. */
import { Command, InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { actionList, registerAuthCommands } from "./auth-commands.js";
import { clientOptionsOf } from "./client-options.js";

describe("auth flags", () => {
  it("--actions takes a comma-separated list of the four actions, each once", () => {
    expect(actionList("read,write")).toEqual(["read", "write"]);
    expect(actionList(" consume , admin,consume")).toEqual(["consume", "admin"]);
    expect(() => actionList("read,fly")).toThrow(InvalidArgumentError);
    expect(() => actionList(",")).toThrow(/read, write, consume, admin/);
  });

  it("the credential flags come together, and become the client's auth", () => {
    expect(clientOptionsOf({ endpoint: "h:1" })).toEqual({ endpoint: "h:1" });
    expect(clientOptionsOf({ endpoint: "h:1", accessKeyId: "EDDYX", secretAccessKey: "s", profile: "ci" })).toEqual({
      endpoint: "h:1",
      auth: { accessKeyId: "EDDYX", secretAccessKey: "s" },
      profile: "ci",
    });
    expect(() => clientOptionsOf({ endpoint: "h:1", accessKeyId: "EDDYX" })).toThrow(/go together/);
  });

  it("grant needs --stream and --actions; revoke needs --stream only; bad actions are a usage error", async () => {
    const errors: string[] = [];
    const program = new Command("eddy").exitOverride().configureOutput({
      writeErr: (text) => errors.push(text),
      writeOut: () => undefined,
    });
    registerAuthCommands(program);
    const parse = (args: string[]) => program.parseAsync(["node", "eddy", ...args]);
    await expect(parse(["auth", "grant", "bot", "--actions", "read"])).rejects.toThrow(/--stream/);
    await expect(parse(["auth", "grant", "bot", "--stream", "orders-*"])).rejects.toThrow(/--actions/);
    await expect(parse(["auth", "grant", "bot", "--stream", "o", "--actions", "fly"])).rejects.toThrow(/fly/);
    await expect(parse(["auth", "revoke", "bot"])).rejects.toThrow(/--stream/);
    await expect(parse(["auth", "init"])).rejects.toThrow(/--out/);
  });
});

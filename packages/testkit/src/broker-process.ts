import { spawn, type ChildProcess } from "node:child_process";
import { ChildHandle, exitOf, type ChildExit } from "./child-handle.js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** The compiled `eddy` entry point; `npm test` builds it before the tests run. */
export const EDDY_MAIN = resolve(fileURLToPath(import.meta.url), "../../../cli/dist/main.js");

/**
 * Extra node flags for every broker this testkit starts, split on spaces, e.g.
 * `EDDY_BROKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"` to profile the brokers of a test or a
 * bench run. Read only here, so that it never changes how a user's `eddy broker` runs. A profile is
 * written when the broker exits by SIGTERM (`stop()`), not by SIGKILL.
 */
export const BROKER_NODE_ARGS_ENV = "EDDY_BROKER_NODE_ARGS";

function brokerNodeArgs(): string[] {
  return (process.env[BROKER_NODE_ARGS_ENV] ?? "").split(" ").filter((arg) => arg !== "");
}

export interface BrokerProcessOptions {
  /** Reuse a data directory (for restarts); a fresh temporary one otherwise. */
  readonly dataDir?: string;
  /** Extra `eddy broker` flags, e.g. ["--shard-write-records-per-sec", "100"]. */
  readonly args?: readonly string[];
  /** How long to wait for the broker to report that it listens. */
  readonly startTimeoutMs?: number;
  /** PEM files for `--tls-cert`, `--tls-key` and `--tls-ca`: TLS on every listener. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly caFile: string };
  /** Root credentials file (see `createAuthFile`): the broker then authenticates every call. */
  readonly authFile?: string;
}

/**
 * A real broker in its own process, on loopback with ports picked by the OS, as a user would run it.
 * Its JSON log is parsed to learn the ports, so tests await readiness instead of sleeping.
 */
export class BrokerProcess extends ChildHandle {
  readonly logLines: string[] = [];

  private constructor(
    child: ChildProcess,
    readonly dataDir: string,
    readonly endpoint: string,
    readonly adminUrl: string,
    /** http(s)://host:port of the Kinesis-compatible endpoint ("" when it is off). */
    readonly kinesisUrl: string,
    private readonly options: BrokerProcessOptions,
    exited: Promise<ChildExit>,
  ) {
    super(child, exited);
  }

  static async start(options: BrokerProcessOptions = {}): Promise<BrokerProcess> {
    const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "eddy-test-")));
    const child = spawn(
      process.execPath,
      [
        ...brokerNodeArgs(),
        EDDY_MAIN,
        "broker",
        ...["--data-dir", dataDir, "--grpc-port", "0", "--admin-port", "0", "--kinesis-port", "0"],
        ...(options.tls
          ? ["--tls-cert", options.tls.certFile, "--tls-key", options.tls.keyFile, "--tls-ca", options.tls.caFile]
          : []),
        ...(options.authFile !== undefined ? ["--auth-file", options.authFile] : []),
        ...(options.args ?? []),
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const exited = exitOf(child);
    const logLines: string[] = [];
    const stderr: string[] = [];
    child.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
    const started = new Promise<{ grpc: string; admin: string; kinesis: string }>((resolveStart, rejectStart) => {
      const timeoutMs = options.startTimeoutMs ?? 30_000;
      const timer = setTimeout(
        () => rejectStart(new Error(`broker did not start in ${timeoutMs} ms:\n${stderr.join("")}`)),
        timeoutMs,
      );
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        rejectStart(
          new Error(`broker exited (${code ?? signal}) before it started:\n${stderr.join("")}\n${logLines.join("\n")}`),
        );
      });
      createInterface({ input: child.stdout! }).on("line", (line) => {
        logLines.push(line);
        const event = parseLog(line);
        if (event?.msg === "broker started" && typeof event.grpc === "string" && typeof event.admin === "string") {
          clearTimeout(timer);
          resolveStart({
            grpc: event.grpc,
            admin: `${event.adminTls === true ? "https" : "http"}://${event.admin}`,
            kinesis:
              typeof event.kinesis === "string"
                ? `${event.kinesisTls === true ? "https" : "http"}://${event.kinesis}`
                : "",
          });
        }
      });
    });
    const { grpc, admin, kinesis } = await started.catch((error: unknown) => {
      child.kill("SIGKILL"); // one that did not start in time must not outlive the test
      throw error;
    });
    const broker = new BrokerProcess(child, dataDir, grpc, admin, kinesis, options, exited);
    broker.logLines.push(...logLines);
    return broker;
  }

  /** A new process on the same data directory. */
  restart(): Promise<BrokerProcess> {
    return BrokerProcess.start({ ...this.options, dataDir: this.dataDir });
  }

  /** Kills the process if it still runs and removes the data directory. */
  async destroy(): Promise<void> {
    await this.kill();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

function parseLog(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

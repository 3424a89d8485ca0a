// deploy/: the Kubernetes manifests as kustomize renders them, and the Dockerfile.
//
// Every object that `kubectl kustomize` renders (base, overlays/dev, overlays/prod) and every example
// manifest is validated offline against the Kubernetes OpenAPI schemas (the JSON schemas that ship with
// kubernetes-models), and then the rules that matter for a replicated broker are checked: selectors
// select the pods, probe and Service ports exist on the container, the PDB keeps a majority, brokers
// spread over zones, peer DNS comes from the headless Service, the securityContext is restrictive.
// Also here: the Dockerfile's user, init and ports, and the two halves of the zone hand-over (the init
// container's node-zone.mjs and `eddy broker --zone-file`).
//
// kubectl is required (it embeds kustomize): without it these tests fail with a message saying so,
// rather than passing on a weaker check. The schemas do not reject unknown fields (Kubernetes'
// OpenAPI allows them), so misspelled fields are caught only by the rules below.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { Job } from "kubernetes-models/batch/v1/Job";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole";
import { ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { IProbe } from "kubernetes-models/v1/Probe";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const K8S = join(REPO, "deploy/k8s");
const ZONE_KEY = "topology.kubernetes.io/zone";
const ADMIN_PORT = 7480;
/** The broker drains within 10 s by default (DEFAULT_CONFIG.drainTimeoutMs); the pod must wait longer. */
const DRAIN_MS = 10_000;

/** A validating model per apiVersion/kind; anything else rendered is a failure (unchecked). */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "v1/Namespace": Namespace,
  "v1/ServiceAccount": ServiceAccount,
  "v1/ConfigMap": ConfigMap,
  "v1/Service": Service,
  "apps/v1/StatefulSet": StatefulSet,
  "apps/v1/Deployment": Deployment,
  "batch/v1/Job": Job,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "rbac.authorization.k8s.io/v1/ClusterRole": ClusterRole,
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": ClusterRoleBinding,
};

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  // The shape depends on the kind; each check narrows what it reads.
  [field: string]: unknown;
}

function kubectlVersion(): string | undefined {
  try {
    return execFileSync("kubectl", ["version", "--client"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch {
    return undefined;
  }
}

function render(dir: string): K8sObject[] {
  const text = execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return parseYaml(text);
}

function parseYaml(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`YAML: ${document.errors.map((e) => e.message).join("; ")}`);
      return document.toJS() as K8sObject | null;
    })
    .filter((object): object is K8sObject => object !== null);
}

/** Validates each object against its OpenAPI schema; the message names the object and the field. */
function validateAll(objects: readonly K8sObject[]): void {
  for (const object of objects) {
    const Model = MODELS[`${object.apiVersion}/${object.kind}`];
    if (!Model) throw new Error(`no schema check for ${object.apiVersion} ${object.kind} ${object.metadata.name}`);
    try {
      new Model(object as never).validate();
    } catch (error) {
      throw new Error(`${object.kind}/${object.metadata.name}: ${error instanceof Error ? error.message : error}`);
    }
  }
}

const only = (objects: readonly K8sObject[], kind: string): K8sObject[] => objects.filter((o) => o.kind === kind);
function one(objects: readonly K8sObject[], kind: string, name?: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ""}, found ${found.length}`);
  return found[0]!;
}

/** A label selector (matchLabels) selects labels when every pair is among them, and it is not empty. */
function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  const pairs = Object.entries(selector ?? {});
  return pairs.length > 0 && pairs.every(([key, value]) => labels?.[key] === value);
}

/** Pods that may be unavailable under the budget, for `replicas` pods (percentages round as Kubernetes does). */
function disruptionsAllowed(
  spec: { maxUnavailable?: number | string; minAvailable?: number | string },
  replicas: number,
): number {
  const scaled = (value: number | string, roundUp: boolean) => {
    if (typeof value === "number") return value;
    const percent = Number(value.replace(/%$/, "")) / 100;
    return roundUp ? Math.ceil(percent * replicas) : Math.floor(percent * replicas);
  };
  if (spec.maxUnavailable !== undefined) return scaled(spec.maxUnavailable, true);
  if (spec.minAvailable !== undefined) return replicas - scaled(spec.minAvailable, true);
  throw new Error("the PodDisruptionBudget sets neither maxUnavailable nor minAvailable");
}

function allContainers(pod: IPodSpec): IContainer[] {
  return [...(pod.initContainers ?? []), ...pod.containers];
}

/** The probe's port exists on the container: a named containerPort, or a declared number. */
function probePortExists(probe: IProbe, container: IContainer): boolean {
  const port = probe.httpGet?.port ?? probe.tcpSocket?.port ?? probe.grpc?.port;
  if (port === undefined) return true; // exec probes have no port
  const ports = container.ports ?? [];
  return typeof port === "string" ? ports.some((p) => p.name === port) : ports.some((p) => p.containerPort === port);
}

function portNumber(port: number | string | undefined, container: IContainer): number | undefined {
  if (typeof port === "number") return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

/** The value of `--flag=value` in the container's args. */
function flag(container: IContainer, name: string): string | undefined {
  const prefix = `--${name}=`;
  return container.args?.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
}

function envValue(container: IContainer, name: string): string | undefined {
  return container.env?.find((e) => e.name === name)?.value;
}

const VARIABLE_REFERENCE = /\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g;

/**
 * Every $(VAR) names a variable Kubernetes will expand: in command and args any variable of the
 * container (env, or a ConfigMap's keys through envFrom); in an env value only those defined before it.
 */
function undefinedVariables(container: IContainer, objects: readonly K8sObject[]): string[] {
  const defined = new Set<string>();
  for (const source of container.envFrom ?? []) {
    const name = source.configMapRef?.name;
    if (!name) continue;
    const map = one(objects, "ConfigMap", name) as unknown as { data?: Record<string, string> };
    for (const key of Object.keys(map.data ?? {})) defined.add(key);
  }
  const missing = new Set<string>();
  const check = (text: string) => {
    for (const match of text.matchAll(VARIABLE_REFERENCE)) if (!defined.has(match[1]!)) missing.add(match[1]!);
  };
  for (const variable of container.env ?? []) {
    check(variable.value ?? "");
    defined.add(variable.name);
  }
  for (const text of [...(container.command ?? []), ...(container.args ?? [])]) check(text);
  return [...missing];
}

/** The restrictive securityContext every pod of ours has, container by container. */
function expectRestricted(pod: IPodSpec, what: string): void {
  expect(pod.securityContext?.runAsNonRoot, `${what}: pod runAsNonRoot`).toBe(true);
  expect(pod.securityContext?.runAsUser ?? 0, `${what}: pod runAsUser`).toBeGreaterThan(0);
  expect(pod.securityContext?.seccompProfile?.type, `${what}: seccompProfile`).toBe("RuntimeDefault");
  for (const container of allContainers(pod)) {
    const context = container.securityContext;
    const name = `${what}: container ${container.name}`;
    expect(context?.allowPrivilegeEscalation, `${name}: allowPrivilegeEscalation`).toBe(false);
    expect(context?.readOnlyRootFilesystem, `${name}: readOnlyRootFilesystem`).toBe(true);
    expect(context?.capabilities?.drop, `${name}: capabilities.drop`).toContain("ALL");
    expect(context?.capabilities?.add ?? [], `${name}: capabilities.add`).toEqual([]);
    expect(context?.privileged ?? false, `${name}: privileged`).toBe(false);
    expect(context?.runAsUser ?? 1, `${name}: runAsUser`).not.toBe(0);
  }
}

function expectResources(pod: IPodSpec, what: string): void {
  for (const container of allContainers(pod)) {
    for (const kind of ["requests", "limits"] as const) {
      for (const resource of ["cpu", "memory"]) {
        expect(container.resources?.[kind]?.[resource], `${what}: ${container.name} ${kind}.${resource}`).toBeDefined();
      }
    }
  }
}

const kubectl = kubectlVersion();
const NO_KUBECTL =
  "kubectl is not on PATH: these tests render deploy/k8s with `kubectl kustomize` (kubectl 1.27 or later, " +
  "kustomize v5). Install kubectl to run them; they do not pass without it.";

describe("deploy/k8s: the broker StatefulSet as kustomize renders it", () => {
  const cases = [
    // The base chooses no security: a broker of it refuses to start off loopback, so pick an overlay.
    { dir: "base", replicas: 3, hardZones: false, security: "none" },
    { dir: "overlays/dev", replicas: 1, hardZones: false, security: "insecure" },
    { dir: "overlays/prod", replicas: 3, hardZones: true, security: "tls" },
  ] as const;

  it("kubectl is available to render the manifests", () => {
    expect(kubectl, NO_KUBECTL).toBeDefined();
  });

  describe.each(cases)("$dir", ({ dir, replicas, hardZones, security }) => {
    let objects: K8sObject[] = [];
    let set: K8sObject;
    let pod: IPodSpec;
    let broker: IContainer;
    let podLabels: Record<string, string>;

    beforeAll(() => {
      if (kubectl === undefined) throw new Error(NO_KUBECTL);
      objects = render(join(K8S, dir));
      set = one(objects, "StatefulSet");
      const spec = set.spec as { template: { metadata: { labels: Record<string, string> }; spec: IPodSpec } };
      pod = spec.template.spec;
      podLabels = spec.template.metadata.labels;
      broker = pod.containers.find((c) => c.name === "broker")!;
    });

    it("every rendered object validates against the Kubernetes OpenAPI schema", () => {
      expect(objects.length).toBeGreaterThan(5);
      validateAll(objects);
    });

    it("the StatefulSet, both Services and the PDB select the broker pods", () => {
      const spec = set.spec as { selector: { matchLabels: Record<string, string> }; replicas: number };
      expect(spec.replicas).toBe(replicas);
      expect(selects(spec.selector.matchLabels, podLabels), "StatefulSet selector").toBe(true);
      for (const service of only(objects, "Service")) {
        const selector = (service.spec as { selector?: Record<string, string> }).selector;
        expect(selects(selector, podLabels), `Service ${service.metadata.name} selector`).toBe(true);
      }
      for (const pdb of only(objects, "PodDisruptionBudget")) {
        const selector = (pdb.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
        expect(selects(selector, podLabels), `PDB ${pdb.metadata.name} selector`).toBe(true);
      }
    });

    it("the headless Service is the StatefulSet's serviceName and publishes brokers before they are ready", () => {
      const name = (set.spec as { serviceName: string }).serviceName;
      const peers = one(objects, "Service", name).spec as { clusterIP?: string; publishNotReadyAddresses?: boolean };
      expect(peers.clusterIP).toBe("None");
      // Brokers are ready only once the controller formed, which needs them to find each other first.
      expect(peers.publishNotReadyAddresses).toBe(true);
      expect((set.spec as { podManagementPolicy?: string }).podManagementPolicy).toBe("Parallel");
    });

    it("the client Service offers gRPC 7400, Kinesis 4567 and admin 7480, on ports the broker declares", () => {
      const client = one(objects, "Service", "eddy").spec as {
        clusterIP?: string;
        ports: { name: string; port: number; targetPort?: number | string }[];
      };
      expect(client.clusterIP).not.toBe("None");
      expect(client.ports.map((p) => p.port).sort()).toEqual([4567, 7400, 7480]);
      for (const service of only(objects, "Service")) {
        for (const port of (service.spec as { ports: { port: number; targetPort?: number | string }[] }).ports) {
          const target = port.targetPort ?? port.port;
          expect(portNumber(target, broker), `Service ${service.metadata.name} targetPort ${target}`).toBe(port.port);
        }
      }
    });

    it("probes: startup and liveness on /healthz, readiness on /readyz, on the admin port the container has", () => {
      expect(broker.readinessProbe?.httpGet?.path).toBe("/readyz");
      expect(broker.livenessProbe?.httpGet?.path).toBe("/healthz");
      for (const probe of [broker.readinessProbe, broker.livenessProbe, broker.startupProbe]) {
        expect(probe).toBeDefined();
        expect(probePortExists(probe!, broker), `probe port ${String(probe!.httpGet?.port)}`).toBe(true);
        expect(portNumber(probe!.httpGet?.port, broker)).toBe(ADMIN_PORT);
      }
      for (const container of allContainers(pod)) {
        for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
          if (probe) expect(probePortExists(probe, container), `${container.name} probe port`).toBe(true);
        }
      }
      expect(flag(broker, "admin-port")).toBe(String(ADMIN_PORT));
    });

    it(replicas > 1 ? "the PDB keeps a majority and still lets one broker go" : "one broker has no PDB", () => {
      const pdbs = only(objects, "PodDisruptionBudget");
      if (replicas === 1) {
        expect(pdbs).toEqual([]); // a budget for one pod blocks every node drain
        return;
      }
      expect(pdbs).toHaveLength(1);
      const allowed = disruptionsAllowed(pdbs[0]!.spec as { maxUnavailable?: number }, replicas);
      expect(allowed).toBeGreaterThanOrEqual(1);
      expect(replicas - allowed).toBeGreaterThanOrEqual(Math.floor(replicas / 2) + 1);
    });

    it("brokers spread over zones (hard in prod) and prefer distinct nodes", () => {
      const constraints = pod.topologySpreadConstraints ?? [];
      const zone = constraints.filter((c) => c.topologyKey === ZONE_KEY);
      expect(zone).toHaveLength(1);
      expect(selects(zone[0]!.labelSelector?.matchLabels, podLabels)).toBe(true);
      expect(zone[0]!.maxSkew).toBe(1);
      expect(zone[0]!.whenUnsatisfiable).toBe(hardZones ? "DoNotSchedule" : "ScheduleAnyway");
      if (hardZones) expect(zone[0]!.minDomains).toBe(3);
      const preferred = pod.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
      const byHost = preferred.filter((p) => p.podAffinityTerm.topologyKey === "kubernetes.io/hostname");
      expect(byHost).toHaveLength(1);
      expect(selects(byHost[0]!.podAffinityTerm.labelSelector?.matchLabels, podLabels)).toBe(true);
    });

    it("the broker's id, advertised name and peers come from the pod and the headless Service", () => {
      const serviceName = (set.spec as { serviceName: string }).serviceName;
      expect(broker.args?.[0]).toBe("broker");
      expect(flag(broker, "id")).toBe("$(POD_NAME)");
      expect(flag(broker, "listen")).toBe("0.0.0.0:7400");
      expect(flag(broker, "host")).toBe("0.0.0.0");
      expect(flag(broker, "advertise")).toBe(`$(POD_NAME).${serviceName}.$(NAMESPACE).svc.$(CLUSTER_DOMAIN):7400`);
      const fieldPath = (name: string) => broker.env?.find((e) => e.name === name)?.valueFrom?.fieldRef?.fieldPath;
      expect(fieldPath("POD_NAME")).toBe("metadata.name");
      expect(fieldPath("NAMESPACE")).toBe("metadata.namespace");
      const setName = set.metadata.name;
      const expectedPeers = Array.from(
        { length: replicas === 1 ? 0 : replicas },
        (_, i) => `${setName}-${i}=${setName}-${i}.${serviceName}.$(NAMESPACE).svc.$(CLUSTER_DOMAIN):7400`,
      ).join(",");
      expect(envValue(broker, "EDDY_PEERS")).toBe(expectedPeers);
      for (const container of allContainers(pod)) {
        expect(undefinedVariables(container, objects), `${container.name}: undefined $(VAR)`).toEqual([]);
      }
    });

    it("the zone comes from the node: the init container writes the file the broker reads", () => {
      const zoneFile = flag(broker, "zone-file");
      expect(zoneFile).toBeDefined();
      const init = (pod.initContainers ?? []).find((c) => c.name === "node-zone");
      expect(init?.command).toEqual(["node", "deploy/docker/node-zone.mjs", zoneFile]);
      expect(existsSync(join(REPO, "deploy/docker/node-zone.mjs"))).toBe(true);
      const zoneDir = dirname(zoneFile!);
      const mountOf = (c: IContainer) => c.volumeMounts?.find((m) => m.mountPath === zoneDir);
      expect(mountOf(init!)?.name).toBe(mountOf(broker)?.name);
      expect(pod.volumes?.find((v) => v.name === mountOf(broker)?.name)?.emptyDir).toBeDefined();
      // Only the init container gets an API token, and the account may only get nodes.
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(broker.volumeMounts?.some((m) => m.mountPath.startsWith("/var/run/secrets"))).toBe(false);
      const account = one(objects, "ServiceAccount", pod.serviceAccountName);
      const binding = only(objects, "ClusterRoleBinding").find((b) =>
        (b.subjects as { name: string; namespace?: string }[]).some((s) => s.name === account.metadata.name),
      );
      expect(binding).toBeDefined();
      expect((binding!.subjects as { namespace?: string }[])[0]!.namespace).toBe(account.metadata.namespace);
      const role = one(objects, "ClusterRole", (binding!.roleRef as { name: string }).name);
      expect(role.rules).toEqual([{ apiGroups: [""], resources: ["nodes"], verbs: ["get"] }]);
    });

    it("the data directory is on the volume claim, writable; the root filesystem is read-only", () => {
      const claims = (set.spec as { volumeClaimTemplates: { metadata: { name: string } }[] }).volumeClaimTemplates;
      expect(claims.map((c) => c.metadata.name)).toEqual(["data"]);
      const mount = broker.volumeMounts?.find((m) => m.name === "data");
      expect(mount).toBeDefined();
      expect(mount!.readOnly ?? false).toBe(false);
      const dataDir = flag(broker, "data-dir")!;
      expect(dataDir === mount!.mountPath || dataDir.startsWith(`${mount!.mountPath}/`)).toBe(true);
      expectRestricted(pod, dir);
    });

    it("resources are requested and limited; the grace period outlasts the drain", () => {
      expectResources(pod, dir);
      expect(pod.terminationGracePeriodSeconds! * 1000).toBeGreaterThanOrEqual(DRAIN_MS * 3);
    });

    it("Prometheus scrapes /metrics on the admin port", () => {
      const annotations = (set.spec as { template: { metadata: { annotations: Record<string, string> } } }).template
        .metadata.annotations;
      expect(annotations).toMatchObject({
        "prometheus.io/scrape": "true",
        "prometheus.io/port": String(ADMIN_PORT),
        "prometheus.io/path": "/metrics",
      });
    });

    it(`listening on the pod network, the broker is ${security === "tls" ? "given TLS from Secrets" : security === "insecure" ? "told --insecure" : "neither TLS nor --insecure"}`, () => {
      const insecure = broker.args?.includes("--insecure") ?? false;
      const tlsFlags = ["tls-cert", "tls-key", "tls-ca"].map((name) => flag(broker, name));
      expect(insecure).toBe(security === "insecure");
      if (security !== "tls") {
        expect(tlsFlags).toEqual([undefined, undefined, undefined]);
        for (const probe of [broker.readinessProbe, broker.livenessProbe, broker.startupProbe])
          expect(probe?.httpGet?.scheme ?? "HTTP").toBe("HTTP");
        return;
      }
      // Each file is a key of the Secret eddy-tls, mounted read-only where the flag points.
      const secretOf = (file: string) => {
        const mount = broker.volumeMounts?.find((m) => m.mountPath === dirname(file));
        expect(mount?.readOnly, `${file} is mounted read-only`).toBe(true);
        return pod.volumes?.find((v) => v.name === mount?.name)?.secret?.secretName;
      };
      expect(tlsFlags.map((file) => file && file.slice(file.lastIndexOf("/") + 1))).toEqual([
        "tls.crt",
        "tls.key",
        "ca.crt",
      ]);
      for (const file of tlsFlags) expect(secretOf(file!)).toBe("eddy-tls");
      // The root credentials come from the Secret eddy-auth, mounted where --auth-file points.
      expect(flag(broker, "auth-file")).toBe("/etc/eddy/auth/root.json");
      expect(secretOf(flag(broker, "auth-file")!)).toBe("eddy-auth");
      // The admin port speaks HTTPS with TLS on.
      for (const probe of [broker.readinessProbe, broker.livenessProbe, broker.startupProbe])
        expect(probe?.httpGet?.scheme).toBe("HTTPS");
    });

    it("the broker flags come from the ConfigMap", () => {
      expect(broker.envFrom?.map((e) => e.configMapRef?.name)).toEqual(["eddy-config"]);
      const map = one(objects, "ConfigMap", "eddy-config") as unknown as { data: Record<string, string> };
      expect(flag(broker, "replication-factor")).toBe("$(EDDY_REPLICATION_FACTOR)");
      expect(map.data.EDDY_REPLICATION_FACTOR).toBe(replicas === 1 ? "1" : "3");
    });
  });
});

describe("deploy/k8s/examples: the application manifests", () => {
  const examples = ["persistent-app.yaml", "transient-job.yaml"];

  it.each(examples)("%s validates and runs the example worker under the restrictive securityContext", (file) => {
    const objects = parseYaml(readFileSync(join(K8S, "examples", file), "utf8"));
    validateAll(objects);
    expect(objects).toHaveLength(1);
    const workload = objects[0]!;
    const spec = workload.spec as {
      selector?: { matchLabels: Record<string, string> };
      template: { metadata: { labels: Record<string, string> }; spec: IPodSpec };
    };
    if (spec.selector) expect(selects(spec.selector.matchLabels, spec.template.metadata.labels)).toBe(true);
    const pod = spec.template.spec;
    expectRestricted(pod, file);
    expectResources(pod, file);
    const worker = pod.containers[0]!;
    expect(worker.command).toEqual(["/usr/bin/tini", "--", "node", "deploy/examples/worker.mjs"]);
    expect(existsSync(join(REPO, "deploy/examples/worker.mjs"))).toBe(true);
    expect(undefinedVariables(worker, objects)).toEqual([]);
    if (workload.kind === "Job") expect(worker.args).toContain("--until-caught-up");
    // The brokers speak TLS: the worker trusts the cluster CA, mounted alone from the Secret eddy-tls.
    const caFile = worker.env?.find((e) => e.name === "EDDY_TLS_CA")?.value;
    expect(caFile).toBeDefined();
    const mount = worker.volumeMounts?.find((m) => m.mountPath === dirname(caFile!));
    expect(mount?.readOnly).toBe(true);
    const secret = pod.volumes?.find((v) => v.name === mount?.name)?.secret;
    expect(secret?.secretName).toBe("eddy-tls");
    expect(secret?.items).toEqual([{ key: "ca.crt", path: caFile!.slice(caFile!.lastIndexOf("/") + 1) }]);
    // The brokers authenticate: the SDK's environment variables come from the application's own Secret.
    const fromSecret = (name: string) => worker.env?.find((e) => e.name === name)?.valueFrom?.secretKeyRef;
    const keyId = fromSecret("EDDY_ACCESS_KEY_ID");
    const secretKey = fromSecret("EDDY_SECRET_ACCESS_KEY");
    expect(keyId?.name).toMatch(/-credentials$/);
    expect(secretKey?.name).toBe(keyId?.name);
    expect([keyId?.key, secretKey?.key]).toEqual(["access_key_id", "secret_access_key"]);
  });
});

describe("deploy/docker/Dockerfile", () => {
  const dockerfile = readFileSync(join(REPO, "deploy/docker/Dockerfile"), "utf8");
  const instructions = dockerfile
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  const stages = instructions.map((line, index) => ({ line, index })).filter(({ line }) => /^FROM\s/i.test(line));
  const runtime = instructions.slice(stages.at(-1)!.index);

  it("is multi-stage, and the runtime stage installs production dependencies only", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(runtime.some((line) => /^RUN .*npm ci .*--omit=dev/.test(line))).toBe(true);
    expect(runtime.some((line) => /^COPY .*proto/.test(line))).toBe(true);
  });

  it("runs as a non-root user, by number, with an init as PID 1 and the eddy CLI as entrypoint", () => {
    const users = runtime.filter((line) => /^USER\s/i.test(line));
    expect(users.length).toBeGreaterThanOrEqual(1);
    const user = users.at(-1)!.split(/\s+/)[1]!;
    expect(user).toMatch(/^[0-9]+(:[0-9]+)?$/);
    expect(user.split(":")[0]).not.toBe("0");
    const entrypoint = runtime.filter((line) => /^ENTRYPOINT\s/i.test(line)).at(-1);
    expect(entrypoint).toBeDefined();
    const argv = JSON.parse(entrypoint!.replace(/^ENTRYPOINT\s+/i, "")) as string[];
    expect(argv.slice(0, 2)).toEqual(["/usr/bin/tini", "--"]);
    expect(argv.slice(2)).toEqual(["node", "packages/cli/dist/main.js"]);
    expect(runtime.some((line) => /^RUN .*apt-get install .*\btini\b/.test(line))).toBe(true);
  });

  it("exposes gRPC, Kinesis and admin ports", () => {
    const exposed = instructions
      .filter((line) => /^EXPOSE\s/i.test(line))
      .flatMap((line) => line.split(/\s+/).slice(1));
    expect(exposed.sort()).toEqual(["4567", "7400", "7480"]);
  });

  it("copies from the build context only paths that exist and .dockerignore keeps", () => {
    const ignored = readFileSync(join(REPO, ".dockerignore"), "utf8")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "" && !line.startsWith("#"));
    for (const pattern of ["**/node_modules", "**/dist", ".git", ".eddy"]) expect(ignored).toContain(pattern);
    const sources = instructions
      .filter((line) => /^COPY\s/i.test(line) && !/--from=/.test(line))
      .flatMap((line) => line.split(/\s+/).slice(1, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(existsSync(join(REPO, source)), `COPY ${source}`).toBe(true);
      const top = source.split("/").slice(0, 2).join("/");
      expect(
        ignored.includes(source) || ignored.includes(source.split("/")[0]!) || ignored.includes(top),
        `COPY ${source} is in .dockerignore`,
      ).toBe(false);
    }
  });
});

describe("deploy/kind/cluster.yaml", () => {
  it("gives the prod overlay the three zones it requires", () => {
    const [cluster] = parseYaml(readFileSync(join(REPO, "deploy/kind/cluster.yaml"), "utf8")) as unknown as {
      nodes: { role: string; labels?: Record<string, string> }[];
    }[];
    const zones = cluster!.nodes.filter((n) => n.role === "worker").map((n) => n.labels?.[ZONE_KEY]);
    expect(new Set(zones).size).toBe(3);
    expect(zones.every((zone) => zone !== undefined)).toBe(true);
  });
});

describe("eddy broker --zone-file (the broker side of the zone init container)", () => {
  const CLI = join(REPO, "packages/cli/dist/main.js");

  function brokerFails(zoneFile: string): { status: number | null; stderr: string } {
    const result = spawnSync(process.execPath, [CLI, "broker", `--zone-file=${zoneFile}`, "--zone=ignored"], {
      encoding: "utf8",
      timeout: 20_000,
    });
    return { status: result.status, stderr: result.stderr };
  }

  it("refuses a missing file, naming the flag", () => {
    const { status, stderr } = brokerFails(join(tmpdir(), `eddy-no-such-zone-${process.pid}`));
    expect(status).toBe(2);
    expect(stderr).toMatch(/--zone-file .*cannot read the zone/);
  });

  it("refuses an empty file, naming the flag", () => {
    const dir = mkdtempSync(join(tmpdir(), "eddy-zone-"));
    try {
      writeFileSync(join(dir, "zone"), " \n");
      const { status, stderr } = brokerFails(join(dir, "zone"));
      expect(status).toBe(2);
      expect(stderr).toMatch(/--zone-file .*empty/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes the trimmed contents as the zone, over --zone", async () => {
    const dir = mkdtempSync(join(tmpdir(), "eddy-zone-"));
    writeFileSync(join(dir, "zone"), "eu-west-1b\n");
    const broker = spawn(
      process.execPath,
      [CLI, "broker", `--zone-file=${join(dir, "zone")}`, "--zone=ignored", `--data-dir=${join(dir, "data")}`].concat([
        "--grpc-port=0",
        "--admin-port=0",
        "--kinesis-port=0",
      ]),
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      const started = await new Promise<{ zone: string }>((resolveStarted, reject) => {
        let out = "";
        broker.stdout.setEncoding("utf8").on("data", (chunk: string) => {
          out += chunk;
          const line = out.split("\n").find((l) => l.includes('"broker started"'));
          if (line) resolveStarted(JSON.parse(line) as { zone: string });
        });
        broker.on("exit", (code) => reject(new Error(`broker exited ${code}: ${out}`)));
      });
      expect(started.zone).toBe("eu-west-1b");
    } finally {
      broker.kill("SIGTERM");
      await new Promise((r) => broker.once("exit", r));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("deploy/docker/node-zone.mjs (the zone init container)", () => {
  const SCRIPT = join(REPO, "deploy/docker/node-zone.mjs");
  const run = (env: Record<string, string>, output: string) =>
    spawnSync(process.execPath, [SCRIPT, output], {
      encoding: "utf8",
      timeout: 20_000,
      env: { PATH: process.env.PATH ?? "", ...env },
    });

  it("fails, saying why, without a node name or outside a pod", () => {
    const noNode = run({ KUBERNETES_SERVICE_HOST: "127.0.0.1" }, join(tmpdir(), "unused"));
    expect(noNode.status).toBe(1);
    expect(noNode.stderr).toContain("NODE_NAME is not set");
    const noApi = run({ NODE_NAME: "n1" }, join(tmpdir(), "unused"));
    expect(noApi.status).toBe(1);
    expect(noApi.stderr).toContain("KUBERNETES_SERVICE_HOST is not set");
  });

  it("writes the node's zone label, read with the pod's token (a fake API server, TLS by openssl)", async (context) => {
    const dir = mkdtempSync(join(tmpdir(), "eddy-sa-"));
    try {
      const made = spawnSync(
        "openssl",
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"].concat([
          "-addext",
          "subjectAltName=IP:127.0.0.1",
          "-keyout",
          join(dir, "key.pem"),
          "-out",
          join(dir, "ca.crt"),
        ]),
        { encoding: "utf8" },
      );
      if (made.status !== 0) context.skip("openssl is not available to make the fake API server's certificate");
      writeFileSync(join(dir, "token"), "secret-token\n");
      const seen: string[] = [];
      const server = createHttpsServer(
        { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "ca.crt")) },
        (req, res) => {
          seen.push(`${req.headers.authorization} ${req.url}`);
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ metadata: { name: "n1", labels: { [ZONE_KEY]: "eu-west-1b" } } }));
        },
      );
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const port = (server.address() as { port: number }).port;
      const env = { NODE_NAME: "n1", KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: String(port) };
      const result = await new Promise<number | null>((r) =>
        spawn(process.execPath, [SCRIPT, join(dir, "zone")], {
          env: { PATH: process.env.PATH ?? "", ...env, SA_DIR: dir },
          stdio: "ignore",
        }).on("exit", r),
      );
      server.close();
      expect(result).toBe(0);
      expect(readFileSync(join(dir, "zone"), "utf8")).toBe("eu-west-1b\n");
      expect(seen).toEqual(["Bearer secret-token /api/v1/nodes/n1"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails, naming the node, when the API server cannot be read", () => {
    const dir = mkdtempSync(join(tmpdir(), "eddy-sa-"));
    try {
      const result = run(
        { NODE_NAME: "n1", KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: "1", SA_DIR: dir },
        join(dir, "zone"),
      );
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("cannot read node n1");
      expect(existsSync(join(dir, "zone"))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

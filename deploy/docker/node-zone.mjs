#!/usr/bin/env node
// Writes the zone of the node this pod runs on to a file, for `eddy broker --zone-file`.
//
// Kubernetes gives a pod no downward-API access to its node's labels, so the brokers' init container
// runs this: it reads the node object from the API server with the pod's service-account token
// (a ClusterRole allows `get` on nodes and nothing else) and writes its
// `topology.kubernetes.io/zone` label. It needs nothing but Node, so the init container runs the
// Eddy image itself: no shell, no third-party kubectl image.
//
// Usage: node deploy/docker/node-zone.mjs <output-file>
// Environment:
//   NODE_NAME       the node's name (downward API: spec.nodeName)                      required
//   ZONE_LABEL      the label to read (default topology.kubernetes.io/zone)
//   ZONE_FALLBACK   the zone to write when the node has no such label (default: fail)
//   SA_DIR          where the token and ca.crt are (default: the service-account mount)
//   KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT   set by Kubernetes in every pod
import { readFileSync, writeFileSync } from "node:fs";
import { request } from "node:https";

const ZONE_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/; // what the broker accepts as a zone
const REQUEST_TIMEOUT_MS = 10_000;

function fail(message) {
  process.stderr.write(`node-zone: ${message}\n`);
  process.exit(1);
}

function getJson({ host, port, path, token, ca }) {
  return new Promise((resolve, reject) => {
    const req = request(
      { host, port, path, method: "GET", ca, headers: { authorization: `Bearer ${token}`, accept: "application/json" } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (body += chunk));
        res.on("end", () => {
          if (res.statusCode !== 200) reject(new Error(`GET ${path}: HTTP ${res.statusCode}: ${body.slice(0, 300)}`));
          else resolve(JSON.parse(body));
        });
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`GET ${path}: no answer in ${REQUEST_TIMEOUT_MS} ms`)));
    req.on("error", reject);
    req.end();
  });
}

const output = process.argv[2];
if (!output) fail("usage: node-zone.mjs <output-file>");
const nodeName = process.env.NODE_NAME;
if (!nodeName) fail("NODE_NAME is not set (give it spec.nodeName through the downward API)");
const label = process.env.ZONE_LABEL || "topology.kubernetes.io/zone";
const saDir = process.env.SA_DIR || "/var/run/secrets/kubernetes.io/serviceaccount";
const host = process.env.KUBERNETES_SERVICE_HOST;
const port = Number(process.env.KUBERNETES_SERVICE_PORT || 443);
if (!host) fail("KUBERNETES_SERVICE_HOST is not set: not running in a Kubernetes pod?");

let node;
try {
  node = await getJson({
    host,
    port,
    path: `/api/v1/nodes/${encodeURIComponent(nodeName)}`,
    token: readFileSync(`${saDir}/token`, "utf8").trim(),
    ca: readFileSync(`${saDir}/ca.crt`),
  });
} catch (error) {
  fail(`cannot read node ${nodeName}: ${error instanceof Error ? error.message : String(error)}`);
}
let zone = node?.metadata?.labels?.[label];
if (!zone) {
  zone = process.env.ZONE_FALLBACK;
  if (!zone) fail(`node ${nodeName} has no label ${label} (label it, or set ZONE_FALLBACK)`);
  process.stderr.write(`node-zone: node ${nodeName} has no label ${label}; using ZONE_FALLBACK ${zone}\n`);
}
if (!ZONE_PATTERN.test(zone)) fail(`zone ${JSON.stringify(zone)} of node ${nodeName} is not 1-64 of [A-Za-z0-9_.-]`);
writeFileSync(output, `${zone}\n`);
process.stdout.write(`node-zone: node ${nodeName} is in zone ${zone}\n`);

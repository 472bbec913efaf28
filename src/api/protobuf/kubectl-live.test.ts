// Runs the installed kubectl against a scripted HTTP server, decodes the
// protobuf bodies it sends and compares them with what the same command
// prints with --dry-run=client -o json (Go's json.Marshal of the same object).
// Needs the installed kubectl, as the end-to-end suites do.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { decodeProtobufBody, protobufContentType } from "./body.ts";

const run = promisify(execFile);

const resource = (name: string, kind: string, namespaced: boolean) => ({
  name,
  singularName: "",
  namespaced,
  kind,
  verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
});

const discovery: Record<string, ReturnType<typeof resource>[]> = {
  v1: [
    resource("configmaps", "ConfigMap", true),
    resource("secrets", "Secret", true),
    resource("services", "Service", true),
    resource("pods", "Pod", true),
  ],
  "apps/v1": [resource("deployments", "Deployment", true)],
  "batch/v1": [resource("jobs", "Job", true), resource("cronjobs", "CronJob", true)],
  "rbac.authorization.k8s.io/v1": [resource("roles", "Role", true)],
};

interface Received {
  contentType: string;
  body: Buffer;
}

// kubectl is on every machine of this project (the e2e suites need it too): its absence is a failure.
describe("bodies from the installed kubectl", () => {
  let server: http.Server;
  let home: string;
  let received: Received[] = [];

  before(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), "k8ts-protobuf-"));
    fs.writeFileSync(path.join(home, "bin.dat"), Buffer.from([0x62, 0x00, 0xff, 0xfe, 0x01]));
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const reply = (code: number, body: unknown) => {
          res.writeHead(code, { "content-type": "application/json" });
          res.end(JSON.stringify(body));
        };
        const p = new URL(req.url ?? "/", "http://localhost").pathname;
        if (req.method === "POST") {
          received.push({ contentType: req.headers["content-type"] ?? "", body: Buffer.concat(chunks) });
          return reply(201, { metadata: { name: "created" } });
        }
        if (p === "/version") return reply(200, { major: "1", minor: "32", gitVersion: "v1.32.4" });
        if (p === "/api") return reply(200, { kind: "APIVersions", versions: ["v1"] });
        if (p === "/apis") {
          const groups = Object.keys(discovery)
            .filter((gv) => gv.includes("/"))
            .map((gv) => ({
              name: gv.split("/")[0],
              versions: [{ groupVersion: gv, version: "v1" }],
              preferredVersion: { groupVersion: gv, version: "v1" },
            }));
          return reply(200, { kind: "APIGroupList", apiVersion: "v1", groups });
        }
        const gv = p === "/api/v1" ? "v1" : p.replace(/^\/apis\//, "");
        if (discovery[gv]) {
          return reply(200, {
            kind: "APIResourceList",
            apiVersion: "v1",
            groupVersion: gv,
            resources: discovery[gv],
          });
        }
        reply(404, { kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404 });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });

  after(() => {
    server.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  async function kubectl(args: string[]): Promise<string> {
    const { port } = server.address() as AddressInfo;
    const { stdout } = await run("kubectl", [`--server=http://127.0.0.1:${port}`, ...args], {
      env: { ...process.env, HOME: home, KUBECONFIG: path.join(home, "none") },
      cwd: home,
      timeout: 30_000,
    });
    return stdout;
  }

  const commands: [string, string[], string[]][] = [
    ["configmap", ["create", "configmap", "app", "--from-literal=a=b", "--from-literal=c=d e"], []],
    [
      "secret",
      ["create", "secret", "generic", "creds", "--from-literal=user=admin", "--from-file=bin=bin.dat"],
      [],
    ],
    ["deployment", ["create", "deployment", "web", "--image=nginx", "--replicas=2", "--port=80"], []],
    ["service", ["create", "service", "nodeport", "web", "--tcp=80:8080", "--node-port=30080"], []],
    ["job", ["create", "job", "pi", "--image=busybox"], ["--", "echo", "hi"]],
    ["cronjob", ["create", "cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *"], ["--", "date"]],
    ["role", ["create", "role", "reader", "--verb=get,list", "--resource=pods,deployments.apps"], []],
  ];

  for (const [name, args, rest] of commands) {
    it(`kubectl create ${name}`, async () => {
      received = [];
      await kubectl([...args, ...rest]);
      assert.equal(received.length, 1);
      assert.equal(received[0].contentType, protobufContentType);
      const decoded = decodeProtobufBody(received[0].body);
      const expected = JSON.parse(await kubectl([...args, "--dry-run=client", "-o", "json", ...rest]));
      assert.deepEqual(decoded.object, expected);
    });
  }
});

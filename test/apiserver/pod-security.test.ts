// PodSecurity admission end to end: a real in-process apiserver on in-memory
// SQLite with the plugin in its validating chain, driven over HTTPS so the
// Status bodies and Warning headers are exactly what kubectl receives.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AdmissionChain } from "../../src/apiserver/admission/admission.ts";
import { newPodSecurity } from "../../src/apiserver/admission/plugins/pod-security/plugin.ts";
import { ApiServer, ensurePki } from "../../src/apiserver/index.ts";
import { SqliteStore } from "../../src/storage/sqlite.ts";

interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are arbitrary JSON.
  body: any;
  warnings: string[];
}

let dataDir: string;
let store: SqliteStore;
let server: ApiServer;
let send: (method: string, path: string, body?: unknown, contentType?: string) => Promise<Reply>;
const audited: { resource: string; name: string; annotations: Record<string, string> }[] = [];

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "k8ts-pod-security-test-"));
  const pki = await ensurePki(dataDir);
  store = new SqliteStore({ path: ":memory:" });
  const chain = new AdmissionChain();
  server = new ApiServer({
    store,
    tls: { cert: pki.serving.cert, key: pki.serving.key, ca: pki.caCert },
    port: 0,
    host: "127.0.0.1",
    compactionIntervalMs: 3_600_000,
    admission: chain,
  });
  // The plugin reads the registry the server builds, so it joins the chain once that exists.
  chain.validating.push(
    newPodSecurity({
      registry: server.registry,
      exemptions: { namespaces: ["kube-system"] },
      onAuditAnnotations: (a, annotations) =>
        audited.push({ resource: a.resource.resource, name: a.name, annotations }),
    }),
  );
  await server.start();
  const cred = await pki.ca.issueClient("admin", ["system:masters"]);
  send = (method, path, body, contentType = "application/json") =>
    new Promise<Reply>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        {
          host: "127.0.0.1",
          port: server.port,
          method,
          path,
          ca: pki.caCert,
          cert: cred.cert,
          key: cred.key,
          headers: payload ? { "content-type": contentType, accept: "application/json" } : {},
        },
        (res) => {
          let data = "";
          res.setEncoding("utf8");
          res.on("data", (chunk) => {
            data += chunk;
          });
          res.on("end", () => {
            const warnings: string[] = [];
            for (let i = 0; i < res.rawHeaders.length; i += 2) {
              if (res.rawHeaders[i].toLowerCase() === "warning") warnings.push(res.rawHeaders[i + 1]);
            }
            resolve({ status: res.statusCode ?? 0, body: data ? JSON.parse(data) : undefined, warnings });
          });
        },
      );
      req.on("error", reject);
      if (payload) req.write(payload);
      req.end();
    });
});

after(async () => {
  await server.stop();
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function namespace(name: string, labels: Record<string, string>): Promise<void> {
  const r = await send("POST", "/api/v1/namespaces", {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, labels },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

const privilegedPod = (name: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name },
  spec: { containers: [{ name: "c", image: "busybox", securityContext: { privileged: true } }] },
});

/** The Warning header as the apiserver writes it: code, agent "-", quoted text. */
const header = (text: string) => `299 - ${JSON.stringify(text)}`;

const RESTRICTED_DETAIL =
  'privileged (container "c" must not set securityContext.privileged=true), ' +
  'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), ' +
  'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), ' +
  'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), ' +
  'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';

describe("PodSecurity admission", () => {
  it("enforce=restricted refuses a privileged pod with upstream's 403", async () => {
    await namespace("restricted-ns", { "pod-security.kubernetes.io/enforce": "restricted" });
    const r = await send("POST", "/api/v1/namespaces/restricted-ns/pods", privilegedPod("x"));
    assert.equal(r.status, 403);
    assert.deepEqual(r.body, {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: `pods "x" is forbidden: violates PodSecurity "restricted:latest": ${RESTRICTED_DETAIL}`,
      reason: "Forbidden",
      details: { name: "x", kind: "pods" },
      code: 403,
    });
    assert.deepEqual(r.warnings, []);
    const get = await send("GET", "/api/v1/namespaces/restricted-ns/pods/x");
    assert.equal(get.status, 404);
  });

  it("enforce=restricted admits a pod that meets the standard", async () => {
    const r = await send("POST", "/api/v1/namespaces/restricted-ns/pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "ok" },
      spec: {
        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
        containers: [
          {
            name: "c",
            image: "busybox",
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
          },
        ],
      },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.deepEqual(r.warnings, []);
  });

  it("warn=baseline admits the pod with a Warning header and records audit annotations", async () => {
    await namespace("warn-ns", {
      "pod-security.kubernetes.io/warn": "baseline",
      "pod-security.kubernetes.io/audit": "restricted",
    });
    audited.length = 0;
    const r = await send("POST", "/api/v1/namespaces/warn-ns/pods", privilegedPod("y"));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.deepEqual(r.warnings, [
      header(
        'would violate PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)',
      ),
    ]);
    assert.deepEqual(audited, [
      {
        resource: "pods",
        name: "y",
        annotations: {
          "pod-security.kubernetes.io/enforce-policy": "privileged:latest",
          "pod-security.kubernetes.io/audit-violations": `would violate PodSecurity "restricted:latest": ${RESTRICTED_DETAIL}`,
        },
      },
    ]);
  });

  it("enforce=privileged admits a privileged pod without warnings", async () => {
    await namespace("privileged-ns", { "pod-security.kubernetes.io/enforce": "privileged" });
    const r = await send("POST", "/api/v1/namespaces/privileged-ns/pods", privilegedPod("z"));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.deepEqual(r.warnings, []);
  });

  it("a deployment in an enforce=restricted namespace is admitted but warned", async () => {
    const r = await send("POST", "/apis/apps/v1/namespaces/restricted-ns/deployments", {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: {
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: { containers: [{ name: "c", image: "busybox", securityContext: { privileged: true } }] },
        },
      },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.deepEqual(r.warnings, [
      header(`would violate PodSecurity "restricted:latest": ${RESTRICTED_DETAIL}`),
    ]);
  });

  it("status and metadata-only updates of a pod are not evaluated", async () => {
    const pod = (await send("GET", "/api/v1/namespaces/warn-ns/pods/y")).body;
    const status = await send("PUT", "/api/v1/namespaces/warn-ns/pods/y/status", {
      ...pod,
      status: { ...pod.status, message: "checked" },
    });
    assert.equal(status.status, 200, JSON.stringify(status.body));
    assert.deepEqual(status.warnings, []);
    const relabel = await send(
      "PATCH",
      "/api/v1/namespaces/warn-ns/pods/y",
      { metadata: { labels: { tier: "web" } } },
      "application/merge-patch+json",
    );
    assert.equal(relabel.status, 200, JSON.stringify(relabel.body));
    assert.deepEqual(relabel.warnings, []);
    // A new image is significant: the pod is evaluated (and warned) again.
    const image = await send(
      "PATCH",
      "/api/v1/namespaces/warn-ns/pods/y",
      { spec: { containers: [{ name: "c", image: "busybox:2" }] } },
      "application/strategic-merge-patch+json",
    );
    assert.equal(image.status, 200, JSON.stringify(image.body));
    assert.equal(image.warnings.length, 1);
  });

  it("tightening a namespace's enforce label warns about its existing pods", async () => {
    const r = await send(
      "PATCH",
      "/api/v1/namespaces/warn-ns",
      { metadata: { labels: { "pod-security.kubernetes.io/enforce": "baseline" } } },
      "application/merge-patch+json",
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.warnings, [
      header(
        'existing pods in namespace "warn-ns" violate the new PodSecurity enforce level "baseline:latest"',
      ),
      header("y: privileged"),
    ]);
    assert.equal(r.body.metadata.labels["pod-security.kubernetes.io/enforce"], "baseline");
  });

  it("an invalid label is refused with 422", async () => {
    const r = await send("POST", "/api/v1/namespaces", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "bad-ns", labels: { "pod-security.kubernetes.io/enforce": "strict" } },
    });
    assert.equal(r.status, 422);
    assert.equal(r.body.reason, "Invalid");
    assert.equal(
      r.body.message,
      'Namespace "bad-ns" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted',
    );
  });

  it("an exempt namespace is not enforced, and labelling it warns", async () => {
    const r = await send(
      "PATCH",
      "/api/v1/namespaces/kube-system",
      { metadata: { labels: { "pod-security.kubernetes.io/enforce": "baseline" } } },
      "application/merge-patch+json",
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.warnings, [
      header(
        'namespace "kube-system" is exempt from Pod Security, and the policy (enforce=baseline:latest) will be ignored',
      ),
    ]);
    const pod = await send("POST", "/api/v1/namespaces/kube-system/pods", privilegedPod("sys"));
    assert.equal(pod.status, 201, JSON.stringify(pod.body));
  });
});

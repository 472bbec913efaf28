// Mutating admission runs before the strategy's validation on updates too
// (upstream's order): a PUT of a pod's original manifest — without the fields
// admission added at create (priority, preemptionPolicy, the not-ready and
// unreachable tolerations) — is admitted back into the same object, not
// refused as a change of immutable fields.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { type RunningApiServer, startApiServer } from "../../src/apiserver/index.ts";
import { Resources } from "../../src/client/resources.ts";
import { RestClient } from "../../src/client/rest-client.ts";
import { freePort } from "../support/ports.ts";

let dir: string;
let api: RunningApiServer;
let client: RestClient;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "k8ts-admission-update-"));
  api = await startApiServer({
    dataDir: dir,
    port: await freePort(),
    bindAddress: "127.0.0.1",
    store: "sqlite::memory:",
    // ServiceAccount admission adds a token volume on create that a replaced manifest would
    // drop — refused as upstream refuses it; the plugins under test here are the others.
    disableAdmissionPlugins: ["ServiceAccount"],
  });
  const cred = await api.pki.ca.issueClient("admin", ["system:masters"]);
  client = new RestClient({
    server: api.url,
    ca: api.pki.caCert,
    cert: cred.cert,
    key: cred.key,
    namespace: "default",
  });
});
after(async () => {
  client?.close();
  await api?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("a PUT of the original pod manifest keeps what admission added at create", async () => {
  const manifest = (): Pod & { metadata: object } => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "replace-me", namespace: "default", labels: { v: "1" } },
    spec: { containers: [{ name: "c", image: "k8ts.local/busybox:latest" }] },
  });
  const created = await client.create(Resources.pods, manifest());
  assert.equal(created.spec?.preemptionPolicy, "PreemptLowerPriority");
  assert.equal(created.spec?.tolerations?.length, 2);
  const next = manifest();
  next.metadata = {
    ...next.metadata,
    labels: { v: "2" },
    resourceVersion: created.metadata?.resourceVersion,
  };
  const updated = await client.update(Resources.pods, next);
  assert.equal(updated.metadata?.labels?.v, "2");
  assert.equal(updated.spec?.priority, 0);
  assert.equal(updated.spec?.preemptionPolicy, "PreemptLowerPriority");
  assert.deepEqual(updated.spec?.tolerations, created.spec?.tolerations);
});

// Upstream's Store.Update compares resourceVersions after mutating admission
// and before the strategy's validation.
test("a stale write gets admission's refusal first, then 409 before validation", async () => {
  for (const name of ["n1", "n2"]) {
    await client.create(Resources.nodes, { apiVersion: "v1", kind: "Node", metadata: { name } });
  }
  const cred = await api.pki.ca.issueClient("system:node:n1", ["system:nodes"]);
  const kubelet = new RestClient({
    server: api.url,
    ca: api.pki.caCert,
    cert: cred.cert,
    key: cred.key,
    namespace: "default",
  });
  const merge = { type: "merge" } as const;
  try {
    const stale = async (name: string) => {
      const node = await client.get(Resources.nodes, name);
      await client.patch(Resources.nodes, name, { metadata: { labels: { bump: name + Date.now() } } }, merge);
      return node;
    };
    // Another node's object: NodeRestriction answers, whatever the version.
    await assert.rejects(kubelet.update(Resources.nodes, await stale("n2")), {
      code: 403,
      message: 'nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"',
    });
    // Its own: admitted, then refused as stale.
    await assert.rejects(kubelet.update(Resources.nodes, await stale("n1")), {
      code: 409,
      reason: "Conflict",
    });
    // A stale write is not validated: 409, not 422.
    const invalid = await stale("n1");
    invalid.metadata = { ...invalid.metadata, labels: { "bad label": "x" } };
    await assert.rejects(client.update(Resources.nodes, invalid), { code: 409, reason: "Conflict" });
    // The same holds for a patch that names a resourceVersion.
    await assert.rejects(
      kubelet.patch(Resources.nodes, "n2", { metadata: { resourceVersion: "1", labels: { x: "y" } } }, merge),
      { code: 403 },
    );
    await assert.rejects(
      client.patch(Resources.nodes, "n1", { metadata: { resourceVersion: "1", labels: { x: "y" } } }, merge),
      { code: 409, reason: "Conflict" },
    );
  } finally {
    kubelet.close();
  }
});

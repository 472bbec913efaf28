// The root CA publisher against a real apiserver: every namespace holds
// kube-root-ca.crt with --root-ca-file's bundle and upstream's description,
// made again when deleted and put back when edited; a Terminating namespace
// gets nothing new.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { ConfigMap, Namespace } from "kubernetes-types/core/v1.d.ts";
import { isNotFound } from "../../src/client/api-error.ts";
import { Resources } from "../../src/client/resources.ts";
import { makeCA } from "../../src/controllers/certificates/test-fixtures.ts";
import { rootCACertPublisherDescriptor } from "../../src/controllers/rootcacertpublisher/index.ts";
import { type ControllerCluster, startControllerCluster } from "./cluster.ts";

const DESCRIPTION =
  "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

let c: ControllerCluster;
let rootCAPem: string;
before(async () => {
  // A bundle other than the CA of the controller's client, so that the test sees --root-ca-file win.
  rootCAPem = (await makeCA({ commonName: "published-ca" })).certPem;
  c = await startControllerCluster({
    nodes: 1,
    scheduler: false,
    controllers: [rootCACertPublisherDescriptor],
    config: { rootCAPem },
  });
});
after(() => c.stop());

const get = (ns: string) =>
  c.client.get<ConfigMap>(Resources.configmaps, "kube-root-ca.crt", { namespace: ns });

/** The ConfigMap once it is exactly what the publisher publishes (and, with notUid, a new one). */
function waitPublished(ns: string, notUid?: string): Promise<ConfigMap> {
  return c.waitFor(`kube-root-ca.crt in ${ns}`, async () => {
    const cm = await get(ns).catch(() => undefined);
    if (!cm || cm.metadata?.uid === notUid) return false;
    const ok =
      JSON.stringify(cm.data) === JSON.stringify({ "ca.crt": rootCAPem }) &&
      cm.metadata?.annotations?.["kubernetes.io/description"] === DESCRIPTION;
    return ok ? cm : false;
  });
}

test("every namespace gets kube-root-ca.crt with the root CA and upstream's description", async () => {
  for (const ns of ["default", "kube-system", "kube-public"]) await waitPublished(ns);
  await c.client.create<Namespace>(Resources.namespaces, {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: "fresh" },
  });
  const cm = await waitPublished("fresh");
  assert.deepEqual(cm.metadata?.annotations, { "kubernetes.io/description": DESCRIPTION });
  assert.equal(cm.binaryData, undefined);
});

test("a deleted kube-root-ca.crt is made again; an edited one is put back", async () => {
  const first = await waitPublished("fresh");
  await c.client.delete(Resources.configmaps, "kube-root-ca.crt", { namespace: "fresh" });
  const again = await waitPublished("fresh", first.metadata?.uid);

  // Changed data and an extra key: the data goes back to ca.crt alone.
  again.data = { "ca.crt": "tampered", extra: "x" };
  await c.client.update(Resources.configmaps, again);
  const restored = await waitPublished("fresh");
  assert.equal(restored.metadata?.uid, again.metadata?.uid);

  // Without the description annotation it is put back; other annotations stay.
  await c.client.patch(
    Resources.configmaps,
    "kube-root-ca.crt",
    { metadata: { annotations: { "kubernetes.io/description": null, team: "a" } } },
    { type: "merge", namespace: "fresh" },
  );
  const annotated = await waitPublished("fresh");
  assert.deepEqual(annotated.metadata?.annotations, { "kubernetes.io/description": DESCRIPTION, team: "a" });
});

test("a Terminating namespace does not get kube-root-ca.crt back", async () => {
  await c.client.create<Namespace>(Resources.namespaces, {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: "ending" },
  });
  await waitPublished("ending");
  // No namespace controller runs here: the namespace stays Terminating.
  await c.client.delete(Resources.namespaces, "ending");
  await c.client.delete(Resources.configmaps, "kube-root-ca.crt", { namespace: "ending" });
  await new Promise((r) => setTimeout(r, 1_000));
  await assert.rejects(get("ending"), (e) => isNotFound(e));
});

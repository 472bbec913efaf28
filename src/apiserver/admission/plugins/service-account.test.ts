import assert from "node:assert/strict";
import { test } from "node:test";
import type { Obj } from "../../../api/registry.ts";
import type { Registry } from "../../registry/index.ts";
import { ServiceAccountAdmission } from "./service-account.ts";
import { attrs, newRegistry, pod, status } from "./test-helpers.ts";

async function withAccounts(...accounts: Obj[]): Promise<Registry> {
  const registry = newRegistry();
  const store = registry.byResource("", "v1", "serviceaccounts")!;
  for (const sa of accounts)
    await store.create("default", { apiVersion: "v1", kind: "ServiceAccount", ...sa });
  return registry;
}

function plugin(registry: Registry, sleeps: number[] = []) {
  return new ServiceAccountAdmission({
    registry,
    generateSuffix: () => "x7k2q",
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
  });
}

async function admit(p: ServiceAccountAdmission, obj: Obj): Promise<Obj> {
  const a = attrs({ resource: "pods", object: obj });
  await p.admit(a);
  await p.validate(a);
  return a.object!;
}

const MOUNT = {
  name: "kube-api-access-x7k2q",
  readOnly: true,
  mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
};

test("a pod runs as 'default' and gets the kube-api-access volume in every container", async () => {
  const p = plugin(await withAccounts({ metadata: { name: "default", namespace: "default" } }));
  const out = await admit(
    p,
    pod("web", "default", {
      containers: [
        { name: "a", image: "x" },
        { name: "b", image: "x", volumeMounts: [{ name: "data", mountPath: "/data" }] },
      ],
      initContainers: [{ name: "i", image: "x" }],
      volumes: [{ name: "data", emptyDir: {} }],
    }),
  );
  assert.equal(out.spec.serviceAccountName, "default");
  assert.equal(out.spec.serviceAccount, "default");
  assert.deepEqual(out.spec.containers[0].volumeMounts, [MOUNT]);
  assert.deepEqual(out.spec.containers[1].volumeMounts, [{ name: "data", mountPath: "/data" }, MOUNT]);
  assert.deepEqual(out.spec.initContainers[0].volumeMounts, [MOUNT]);
  assert.deepEqual(out.spec.volumes, [
    { name: "data", emptyDir: {} },
    {
      name: "kube-api-access-x7k2q",
      projected: {
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
          { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
          {
            downwardAPI: {
              items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }],
            },
          },
        ],
        defaultMode: 420,
      },
    },
  ]);
  assert.equal(out.spec.imagePullSecrets, undefined);
});

test("automountServiceAccountToken: the pod's choice wins over the account's", async () => {
  const registry = await withAccounts(
    { metadata: { name: "default", namespace: "default" } },
    { metadata: { name: "quiet", namespace: "default" }, automountServiceAccountToken: false },
  );
  const p = plugin(registry);
  const off = await admit(p, pod("a", "default", { automountServiceAccountToken: false }));
  assert.equal(off.spec.volumes, undefined);
  assert.equal(off.spec.containers[0].volumeMounts, undefined);
  const quiet = await admit(p, pod("b", "default", { serviceAccountName: "quiet" }));
  assert.equal(quiet.spec.volumes, undefined);
  const on = await admit(
    p,
    pod("c", "default", { serviceAccountName: "quiet", automountServiceAccountToken: true }),
  );
  assert.equal(on.spec.volumes.length, 1);
});

test("an existing mount at the token path is kept; the account's imagePullSecrets are copied", async () => {
  const p = plugin(
    await withAccounts({
      metadata: { name: "default", namespace: "default" },
      imagePullSecrets: [{ name: "regcred" }],
    }),
  );
  const own = { name: "mine", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount" };
  const out = await admit(
    p,
    pod("web", "default", {
      containers: [{ name: "a", image: "x", volumeMounts: [own] }],
      volumes: [{ name: "mine", emptyDir: {} }],
    }),
  );
  assert.deepEqual(out.spec.containers[0].volumeMounts, [own]);
  assert.deepEqual(out.spec.volumes, [{ name: "mine", emptyDir: {} }]);
  assert.deepEqual(out.spec.imagePullSecrets, [{ name: "regcred" }]);
});

test("a missing account is refused with upstream's message; 'default' is retried ten times first", async () => {
  const sleeps: number[] = [];
  const p = plugin(await withAccounts(), sleeps);
  await assert.rejects(
    () => admit(p, pod("web")),
    (e) => {
      assert.equal(status(e).code, 403);
      assert.equal(
        status(e).message,
        'pods "web" is forbidden: error looking up service account default/default: serviceaccount "default" not found',
      );
      return true;
    },
  );
  assert.deepEqual(sleeps, Array(9).fill(150));
  sleeps.length = 0;
  await assert.rejects(
    () => admit(p, pod("web", "default", { serviceAccountName: "builder" })),
    (e) =>
      status(e).message ===
      'pods "web" is forbidden: error looking up service account default/builder: serviceaccount "builder" not found',
  );
  assert.deepEqual(sleeps, []);
});

test("mirror pods are not changed and may reference no service account or secret", async () => {
  const p = plugin(await withAccounts({ metadata: { name: "default", namespace: "default" } }));
  const mirror = (spec: Obj = {}) =>
    pod(
      "static-web-node1",
      "default",
      { nodeName: "node1", ...spec },
      { annotations: { "kubernetes.io/config.mirror": "abc" } },
    );
  const out = await admit(p, mirror());
  assert.equal(out.spec.serviceAccountName, undefined);
  assert.equal(out.spec.volumes, undefined);
  const refusal = async (spec: Obj) => {
    try {
      await admit(p, mirror(spec));
    } catch (e) {
      return status(e).message;
    }
    return "admitted";
  };
  assert.equal(
    await refusal({ serviceAccountName: "default" }),
    'pods "static-web-node1" is forbidden: a mirror pod may not reference service accounts',
  );
  assert.equal(
    await refusal({ volumes: [{ name: "s", secret: { secretName: "s" } }] }),
    'pods "static-web-node1" is forbidden: a mirror pod may not reference secrets',
  );
  assert.equal(
    await refusal({
      volumes: [{ name: "t", projected: { sources: [{ serviceAccountToken: { path: "t" } }] } }],
    }),
    'pods "static-web-node1" is forbidden: a mirror pod may not use ServiceAccountToken volume projections',
  );
});

test("kubernetes.io/enforce-mountable-secrets limits pods to the account's secrets", async () => {
  const p = plugin(
    await withAccounts({
      metadata: {
        name: "default",
        namespace: "default",
        annotations: { "kubernetes.io/enforce-mountable-secrets": "true" },
      },
      secrets: [{ name: "allowed" }],
    }),
  );
  await admit(p, pod("ok", "default", { volumes: [{ name: "s", secret: { secretName: "allowed" } }] }));
  await assert.rejects(
    () => admit(p, pod("web", "default", { volumes: [{ name: "s", secret: { secretName: "other" } }] })),
    (e) =>
      status(e).message ===
      'pods "web" is forbidden: volume with secret.secretName="other" is not allowed because service account default does not reference that secret',
  );
  await assert.rejects(
    () =>
      admit(
        p,
        pod("web", "default", {
          containers: [
            {
              name: "c",
              image: "x",
              env: [{ name: "PW", valueFrom: { secretKeyRef: { name: "other", key: "k" } } }],
            },
          ],
        }),
      ),
    (e) =>
      status(e).message ===
      'pods "web" is forbidden: container c with envVar PW referencing secret.secretName="other" is not allowed because service account default does not reference that secret',
  );
});

test("updates and other resources pass through", async () => {
  const p = plugin(await withAccounts());
  const old = pod("web", "default", { serviceAccountName: "gone" });
  await p.admit(attrs({ operation: "UPDATE", resource: "pods", object: old, oldObject: old }));
  await p.validate(attrs({ operation: "UPDATE", resource: "pods", object: old, oldObject: old }));
  await p.admit(attrs({ resource: "configmaps", object: { metadata: { name: "c", namespace: "default" } } }));
});

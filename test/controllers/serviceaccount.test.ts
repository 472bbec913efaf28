// The service-account controllers against a real apiserver: the "default"
// account in every Active namespace (back when deleted), the token controller
// filling kubernetes.io/service-account-token Secrets with a legacy token the
// signing key verifies, and the legacy token cleaner labelling unused
// auto-generated tokens invalid and deleting those invalid for a clean-up period.
import assert from "node:assert/strict";
import { createPublicKey, generateKeyPairSync, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { ConfigMap, Namespace, Pod, Secret, ServiceAccount } from "kubernetes-types/core/v1.d.ts";
import { isNotFound } from "../../src/client/api-error.ts";
import { Resources } from "../../src/client/resources.ts";
import {
  formatDate,
  LEGACY_ISSUER,
  newLegacyServiceAccountTokenCleanerDescriptor,
  serviceAccountControllerDescriptor,
  serviceAccountTokenControllerDescriptor,
} from "../../src/controllers/serviceaccount/index.ts";
import { type ControllerCluster, startControllerCluster } from "./cluster.ts";

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const signingKeyPem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
/** A short clean-up period, so that Secrets made by the test are old enough within it. */
const CLEAN_UP_PERIOD_MS = 2_000;

let c: ControllerCluster;
before(async () => {
  c = await startControllerCluster({
    nodes: 1,
    scheduler: false,
    controllers: [
      serviceAccountControllerDescriptor,
      serviceAccountTokenControllerDescriptor(signingKeyPem, LEGACY_ISSUER),
      newLegacyServiceAccountTokenCleanerDescriptor({
        cleanUpPeriodMs: CLEAN_UP_PERIOD_MS,
        syncIntervalMs: 300,
      }),
    ],
  });
});
after(() => c.stop());

const getSA = (ns: string, name: string) =>
  c.client.get<ServiceAccount>(Resources.serviceaccounts, name, { namespace: ns });
const getSecret = (ns: string, name: string) =>
  c.client.get<Secret>(Resources.secrets, name, { namespace: ns });
const gone = async (get: () => Promise<unknown>) => {
  try {
    await get();
    return false;
  } catch (e) {
    if (isNotFound(e)) return true;
    throw e;
  }
};
const decode = (v: string | undefined) => Buffer.from(v ?? "", "base64").toString("utf8");

function tokenSecret(name: string, sa: string, extra: Partial<Secret["metadata"]> = {}): Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/service-account-token",
    metadata: {
      name,
      namespace: "default",
      ...extra,
      annotations: { "kubernetes.io/service-account.name": sa },
    },
  };
}

test("every Active namespace gets the default service account, made again after a deletion", async () => {
  for (const ns of ["default", "kube-system", "kube-public"]) {
    await c.waitFor(`default service account in ${ns}`, () => getSA(ns, "default").catch(() => false));
  }
  await c.client.create<Namespace>(Resources.namespaces, {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: "team-a" },
  });
  const first = await c.waitFor("default service account in team-a", () =>
    getSA("team-a", "default").catch(() => undefined),
  );
  assert.deepEqual(Object.keys(first).sort(), ["apiVersion", "kind", "metadata"]);
  await c.client.delete(Resources.serviceaccounts, "default", { namespace: "team-a" });
  const again = await c.waitFor("default service account made again", async () => {
    const sa = await getSA("team-a", "default").catch(() => undefined);
    return sa && sa.metadata?.uid !== first.metadata?.uid ? sa : false;
  });
  assert.equal(again.metadata?.name, "default");
});

test("the token controller fills a token Secret, removes tokens of missing accounts and references of deleted Secrets", async () => {
  const sa = await c.client.create<ServiceAccount>(Resources.serviceaccounts, {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: "builder", namespace: "default" },
  });
  await c.client.create(Resources.secrets, tokenSecret("builder-token", "builder"));
  const filled = await c.waitFor("the token Secret filled", async () => {
    const s = await getSecret("default", "builder-token");
    return s.data?.token ? s : false;
  });
  assert.equal(decode(filled.data?.namespace), "default");
  // No --root-ca-file: the CA the controller's own client trusts, the cluster CA.
  assert.equal(decode(filled.data?.["ca.crt"]), readFileSync(join(c.api.dataDir, "pki", "ca.crt"), "utf8"));
  assert.equal(filled.metadata?.annotations?.["kubernetes.io/service-account.uid"], sa.metadata?.uid);
  const [h, p, s] = decode(filled.data?.token).split(".");
  assert.ok(
    verify("sha256", Buffer.from(`${h}.${p}`), createPublicKey(privateKey), Buffer.from(s, "base64url")),
  );
  assert.deepEqual(JSON.parse(Buffer.from(p, "base64url").toString()), {
    iss: "kubernetes/serviceaccount",
    "kubernetes.io/serviceaccount/namespace": "default",
    "kubernetes.io/serviceaccount/secret.name": "builder-token",
    "kubernetes.io/serviceaccount/service-account.name": "builder",
    "kubernetes.io/serviceaccount/service-account.uid": sa.metadata?.uid,
    sub: "system:serviceaccount:default:builder",
  });

  // A token for an account that does not exist is deleted.
  await c.client.create(Resources.secrets, tokenSecret("orphan-token", "nobody"));
  await c.waitFor("the orphan token deleted", () => gone(() => getSecret("default", "orphan-token")));

  // A deleted Secret leaves its account's list.
  const live = await getSA("default", "builder");
  live.secrets = [{ name: "builder-token" }, { name: "other" }];
  await c.client.update(Resources.serviceaccounts, live);
  await c.client.delete(Resources.secrets, "builder-token", { namespace: "default" });
  await c.waitFor("the reference removed", async () => {
    const now = await getSA("default", "builder");
    return JSON.stringify(now.secrets) === JSON.stringify([{ name: "other" }]);
  });

  // A deleted account takes its tokens along.
  await c.client.create(Resources.secrets, tokenSecret("builder-token-2", "builder"));
  await c.waitFor(
    "second token filled",
    async () => !!(await getSecret("default", "builder-token-2")).data?.token,
  );
  await c.client.delete(Resources.serviceaccounts, "builder", { namespace: "default" });
  await c.waitFor("tokens of the deleted account deleted", () =>
    gone(() => getSecret("default", "builder-token-2")),
  );
});

test("the legacy token cleaner labels unused auto-generated tokens invalid, then deletes those invalid long enough", async () => {
  // What the apiserver's legacy-token tracking leaves: tracking began long ago.
  await c.client.create<ConfigMap>(Resources.configmaps, {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "kube-apiserver-legacy-service-account-token-tracking", namespace: "kube-system" },
    data: { since: "2020-01-01" },
  });
  const old = "2020-01-02";
  const today = formatDate(Date.now());
  const invalidLabel = "kubernetes.io/legacy-token-invalid-since";
  const usedLabel = "kubernetes.io/legacy-token-last-used";
  await c.client.create<ServiceAccount>(Resources.serviceaccounts, {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: "legacy", namespace: "default" },
    secrets: [{ name: "unused" }, { name: "invalid-long-ago" }, { name: "mounted" }, { name: "used-today" }],
  });
  await c.client.create(Resources.secrets, tokenSecret("unused", "legacy"));
  await c.client.create(
    Resources.secrets,
    tokenSecret("invalid-long-ago", "legacy", { labels: { [invalidLabel]: old, [usedLabel]: old } }),
  );
  await c.client.create(
    Resources.secrets,
    tokenSecret("mounted", "legacy", { labels: { [invalidLabel]: old } }),
  );
  await c.client.create(
    Resources.secrets,
    tokenSecret("used-today", "legacy", { labels: { [usedLabel]: today } }),
  );
  // Not referenced by its account: not known to be auto-generated.
  await c.client.create(
    Resources.secrets,
    tokenSecret("unreferenced", "legacy", { labels: { [invalidLabel]: old } }),
  );
  await c.client.create<Pod>(Resources.pods, {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "uses-token", namespace: "default" },
    spec: {
      containers: [{ name: "c", image: "k8ts.local/busybox:latest" }],
      volumes: [{ name: "t", secret: { secretName: "mounted" } }],
    },
  });

  await c.waitFor(
    "the long-invalid token deleted",
    () => gone(() => getSecret("default", "invalid-long-ago")),
    20_000,
  );
  const unused = await c.waitFor("the unused token labelled invalid", async () => {
    const s = await getSecret("default", "unused");
    return s.metadata?.labels?.[invalidLabel] ? s : false;
  });
  assert.equal(unused.metadata?.labels?.[invalidLabel], formatDate(Date.now()));
  // A few more passes change nothing else.
  await new Promise((r) => setTimeout(r, 1_000));
  assert.equal(
    (await getSecret("default", "unused")).metadata?.labels?.[invalidLabel],
    unused.metadata?.labels?.[invalidLabel],
  );
  assert.equal((await getSecret("default", "mounted")).metadata?.labels?.[invalidLabel], old);
  assert.equal((await getSecret("default", "used-today")).metadata?.labels?.[invalidLabel], undefined);
  assert.ok(await getSecret("default", "unreferenced"));
});

// The kubelet's volumes on the host against a real in-process apiserver, with
// the node's identity (the Node authorizer lets it read only what its pods
// reference): configMap, secret (on a tmpfs), downwardAPI, emptyDir and the
// kube-api-access projected volume are written under the pod's directory, the
// CRI mounts the fake runtime receives point at them, a configMap update is
// rewritten on the next sync, and removing the pod unmounts and deletes it all.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { ConfigMap, Pod } from "kubernetes-types/core/v1.d.ts";
import {
  authenticationSubresourceHandlers,
  buildAuthenticator,
} from "../../src/apiserver/authentication/config.ts";
import { ensureServiceAccountKeys } from "../../src/apiserver/authentication/service-account-keys.ts";
import { ensurePki } from "../../src/apiserver/certs.ts";
import { Registry } from "../../src/apiserver/registry/index.ts";
import { ApiServer } from "../../src/apiserver/server.ts";
import { realClock } from "../../src/client/clock.ts";
import { Resources } from "../../src/client/resources.ts";
import { RestClient } from "../../src/client/rest-client.ts";
import {
  Backoff,
  CONTAINER_BACKOFF_INITIAL_MS,
  CONTAINER_BACKOFF_MAX_MS,
} from "../../src/kubelet/pod/backoff.ts";
import { KubeRuntimeManager } from "../../src/kubelet/pod/runtime-manager.ts";
import { FakeRuntime } from "../../src/kubelet/runtime/fake.ts";
import type { ContainerConfig, PodSandboxConfig } from "../../src/kubelet/runtime/interface.ts";
import { VolumeManager } from "../../src/kubelet/volume/manager.ts";
import { isMountPoint, mountPointsUnder, unmount } from "../../src/kubelet/volume/mount-util.ts";
import { SqliteStore } from "../../src/storage/sqlite.ts";

const NODE = "vol-node";
const NS = "vol";
let server: ApiServer;
let store: SqliteStore;
let admin: RestClient;
let nodeClient: RestClient;
const rootDir = mkdtempSync(join(tmpdir(), "k8ts-kubelet-volumes-"));

/** The fake runtime keeps no ContainerConfig: this one records the mounts it was given. */
class RecordingRuntime extends FakeRuntime {
  readonly configs: ContainerConfig[] = [];
  override createContainer(sandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig) {
    this.configs.push(config);
    return super.createContainer(sandboxId, config, sandboxConfig);
  }
}

/** An in-process apiserver that serves serviceaccounts/token (startTestApiServer does not). */
before(async () => {
  const dataDir = join(rootDir, "apiserver");
  const pki = await ensurePki(dataDir);
  store = new SqliteStore({ path: ":memory:" });
  const authn = buildAuthenticator({
    registry: new Registry(store),
    serviceAccountKeys: await ensureServiceAccountKeys(dataDir),
  });
  server = new ApiServer({
    store,
    tls: { cert: pki.serving.cert, key: pki.serving.key, ca: pki.caCert },
    port: 0,
    host: "127.0.0.1",
    compactionIntervalMs: 3_600_000,
    authenticator: authn,
    subresources: authenticationSubresourceHandlers(authn, { registry: new Registry(store) }),
  });
  await server.start();
  const config = async (user: string, groups: string[]) => {
    const cred = await pki.ca.issueClient(user, groups);
    return {
      server: `https://127.0.0.1:${server.port}`,
      ca: pki.caCert,
      cert: cred.cert,
      key: cred.key,
      namespace: "default",
    };
  };
  admin = new RestClient(await config("admin", ["system:masters"]));
  nodeClient = new RestClient(await config(`system:node:${NODE}`, ["system:nodes"]));
});
after(async () => {
  admin.close();
  nodeClient.close();
  await server.stop();
  await store.close();
  for (const p of mountPointsUnder(rootDir)) await unmount(p);
  rmSync(rootDir, { recursive: true, force: true });
});

test("a pod's volumes on the host, its CRI mounts, updates and teardown", async () => {
  await admin.create(Resources.namespaces, { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
  await admin.create(
    Resources.serviceaccounts,
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace: NS } },
    { namespace: NS },
  );
  await admin.create(
    Resources.configmaps,
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "kube-root-ca.crt", namespace: NS },
      data: { "ca.crt": "THE CA" },
    },
    { namespace: NS },
  );
  await admin.create(
    Resources.configmaps,
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cfg", namespace: NS },
      data: { "app.conf": "v1" },
    },
    { namespace: NS },
  );
  await admin.create(
    Resources.secrets,
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "sec", namespace: NS },
      data: { password: Buffer.from("hunter2").toString("base64") },
    },
    { namespace: NS },
  );
  const pod = await admin.create<Pod>(
    Resources.pods,
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web", namespace: NS, labels: { app: "web", tier: "front" } },
      spec: {
        nodeName: NODE,
        serviceAccountName: "default",
        containers: [
          {
            name: "app",
            image: "k8ts.local/busybox:latest",
            volumeMounts: [
              { name: "cfg", mountPath: "/etc/app" },
              { name: "sec", mountPath: "/etc/sec", readOnly: true },
              { name: "info", mountPath: "/etc/info" },
              { name: "scratch", mountPath: "/scratch" },
              { name: "scratch", mountPath: "/logs", subPath: "logs" },
              {
                name: "kube-api-access-abcde",
                mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
                readOnly: true,
              },
            ],
          },
        ],
        volumes: [
          { name: "cfg", configMap: { name: "cfg" } },
          { name: "sec", secret: { secretName: "sec", defaultMode: 0o400 } },
          {
            name: "info",
            downwardAPI: {
              items: [
                { path: "labels", fieldRef: { fieldPath: "metadata.labels" } },
                { path: "name", fieldRef: { fieldPath: "metadata.name" } },
              ],
            },
          },
          { name: "scratch", emptyDir: {} },
          // What ServiceAccount admission adds (the test apiserver runs without admission plugins).
          {
            name: "kube-api-access-abcde",
            projected: {
              defaultMode: 0o644,
              sources: [
                { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
                { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
                {
                  downwardAPI: {
                    items: [
                      { path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } },
                    ],
                  },
                },
              ],
            },
          },
        ],
      },
    },
    { namespace: NS },
  );
  const uid = pod.metadata!.uid!;
  const access = pod.spec!.volumes!.find((v) => v.name.startsWith("kube-api-access-"));
  assert.ok(access);

  const rt = new RecordingRuntime({ clock: realClock, podCIDR: () => "10.244.9.0/24" });
  after(() => rt.close());
  const events: string[] = [];
  const volumes = new VolumeManager({ rootDir, client: nodeClient, clock: realClock });
  const m = new KubeRuntimeManager({
    ctx: {
      clock: realClock,
      event: (_p, _t, r, msg) => events.push(`${r}: ${msg}`),
      log: () => {},
      node: () => undefined,
    },
    runtime: rt,
    images: rt,
    volumes,
  });
  const backOff = new Backoff({
    clock: realClock,
    initialMs: CONTAINER_BACKOFF_INITIAL_MS,
    maxMs: CONTAINER_BACKOFF_MAX_MS,
  });
  const sync = async (p: Pod) => m.syncPod(p, await m.getPodStatus(uid, "web", NS), backOff);

  const r = await sync(pod);
  assert.equal(r.error(), undefined);
  const vols = join(rootDir, "pods", uid, "volumes");
  const cfgDir = join(vols, "kubernetes.io~configmap/cfg");
  const secDir = join(vols, "kubernetes.io~secret/sec");
  const infoDir = join(vols, "kubernetes.io~downward-api/info");
  const scratch = join(vols, "kubernetes.io~empty-dir/scratch");
  const accessDir = join(vols, "kubernetes.io~projected", access.name);

  assert.equal(readFileSync(join(cfgDir, "app.conf"), "utf8"), "v1");
  assert.equal(statSync(join(cfgDir, "app.conf")).mode & 0o777, 0o644);
  assert.equal(readFileSync(join(secDir, "password"), "utf8"), "hunter2");
  assert.equal(statSync(join(secDir, "password")).mode & 0o777, 0o400);
  assert.ok(isMountPoint(secDir), "secrets live on a tmpfs");
  assert.equal(readFileSync(join(infoDir, "labels"), "utf8"), 'app="web"\ntier="front"');
  assert.equal(readFileSync(join(infoDir, "name"), "utf8"), "web");
  assert.ok(statSync(join(scratch, "logs")).isDirectory());
  const token = readFileSync(join(accessDir, "token"), "utf8");
  assert.equal(token.split(".").length, 3, "a JWT from the TokenRequest API");
  const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
  assert.equal(claims["kubernetes.io"]?.pod?.uid, uid, "bound to the pod");
  assert.equal(readFileSync(join(accessDir, "ca.crt"), "utf8"), "THE CA");
  assert.equal(readFileSync(join(accessDir, "namespace"), "utf8"), NS);

  const app = rt.configs.find((c) => c.metadata.name === "app");
  assert.deepEqual(
    app?.mounts.map((x) => [x.containerPath, x.hostPath, x.readonly]),
    [
      ["/etc/app", cfgDir, false],
      ["/etc/sec", secDir, true],
      ["/etc/info", infoDir, false],
      ["/scratch", scratch, false],
      ["/logs", join(scratch, "logs"), false],
      ["/var/run/secrets/kubernetes.io/serviceaccount", accessDir, true],
      // The kubelet-managed hosts file, once the pod has an IP.
      ["/etc/hosts", join(rootDir, "pods", uid, "etc-hosts"), false],
    ],
  );

  // A configMap update reaches the running pod on the next sync, swapped atomically.
  const before = readlinkSync(join(cfgDir, "..data"));
  const cm = await admin.get<ConfigMap>(Resources.configmaps, "cfg", { namespace: NS });
  await admin.update(Resources.configmaps, { ...cm, data: { "app.conf": "v2" } }, { namespace: NS });
  await sync(pod);
  assert.equal(readFileSync(join(cfgDir, "app.conf"), "utf8"), "v2");
  assert.notEqual(readlinkSync(join(cfgDir, "..data")), before);

  // A missing configMap holds the pod with FailedMount.
  const broken: Pod = structuredClone(pod);
  broken.spec!.volumes!.push({ name: "gone", configMap: { name: "gone" } });
  const failed = await sync(broken);
  assert.match(
    String(failed.error()?.message),
    /unable to attach or mount volumes: unmounted volumes=\[gone\]/,
  );
  assert.ok(
    events.includes('FailedMount: MountVolume.SetUp failed for volume "gone" : configmap "gone" not found'),
  );

  // The pod is gone: containers, tmpfs mounts and directories go with it.
  await m.killPod(pod, { uid, name: "web", namespace: NS, containers: [], sandboxes: [] });
  await m.removePod(uid);
  assert.deepEqual(mountPointsUnder(join(rootDir, "pods", uid)), []);
  assert.equal(existsSync(vols), false);
});

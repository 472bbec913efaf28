import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { ApiError } from "../../client/api-error.ts";
import { FakeClock } from "../../client/fake-clock.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { ContainerConfigError } from "../pod/env.ts";
import { VolumeManager, VolumeMountError } from "./manager.ts";
import { isMountPoint, mountPointsUnder, unmount } from "./mount-util.ts";

const root = mkdtempSync(join(tmpdir(), "k8ts-volmgr-"));
after(async () => {
  for (const p of mountPointsUnder(root)) await unmount(p);
  rmSync(root, { recursive: true, force: true });
});

/** Answers gets from a map of "resource/ns/name"; counts token requests. */
function stubClient(objects: Record<string, unknown>) {
  const calls = { tokens: 0 };
  const client = {
    async get(res: { resource: string }, name: string, opts: { namespace?: string } = {}) {
      const o = objects[`${res.resource}/${opts.namespace ?? ""}/${name}`];
      if (o === undefined) throw notFound(res.resource, name);
      return structuredClone(o);
    },
    async create(_res: unknown, body: { spec: { expirationSeconds: number } }) {
      calls.tokens++;
      return {
        ...body,
        status: {
          token: `tok-${calls.tokens}`,
          expirationTimestamp: new Date(clock.now() + body.spec.expirationSeconds * 1000).toISOString(),
        },
      };
    },
  };
  return { client: client as unknown as RestClient, calls };
}

function notFound(resource: string, name: string): ApiError {
  return new ApiError({
    kind: "Status",
    apiVersion: "v1",
    status: "Failure",
    reason: "NotFound",
    code: 404,
    metadata: {},
    message: `${resource} "${name}" not found`,
  });
}

const clock = new FakeClock(Date.parse("2026-01-01T00:00:00Z"));

const pod = (
  volumes: Pod["spec"] extends infer S ? (S extends { volumes?: infer V } ? V : never) : never,
  mounts = [] as { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[],
): Pod => ({
  metadata: { name: "p", namespace: "ns", uid: `uid-${Math.random().toString(36).slice(2)}` },
  spec: { serviceAccountName: "sa", containers: [{ name: "c", volumeMounts: mounts }], volumes },
});

test("subPath: created under the volume; `..` and absolute paths refused with upstream's words", async () => {
  const { client } = stubClient({});
  const vm = new VolumeManager({ rootDir: root, client, clock });
  const p = pod(
    [{ name: "data", emptyDir: {} }],
    [
      { name: "data", mountPath: "/d" },
      { name: "data", mountPath: "/s", subPath: "a/b", readOnly: true },
    ],
  );
  await vm.mountPod(p);
  const base = join(root, "pods", p.metadata!.uid!, "volumes/kubernetes.io~empty-dir/data");
  assert.deepEqual(vm.makeMounts(p, p.spec!.containers[0]), [
    { containerPath: "/d", hostPath: base, readonly: false },
    { containerPath: "/s", hostPath: join(base, "a/b"), readonly: true },
  ]);
  assert.ok(statSync(join(base, "a/b")).isDirectory());
  const bad = (subPath: string) =>
    vm.makeMounts(p, { name: "c", volumeMounts: [{ name: "data", mountPath: "/x", subPath }] });
  assert.throws(
    () => bad("../etc"),
    new ContainerConfigError("unable to provision SubPath `../etc`: must not contain '..'"),
  );
  assert.throws(
    () => bad("/etc"),
    new ContainerConfigError("error SubPath `/etc` must not be an absolute path"),
  );
  await vm.unmountPod(p.metadata!.uid!);
  assert.equal(existsSync(base), false);
});

test("a missing configMap fails with MountVolume.SetUp's text; optional ones mount empty", async () => {
  const { client } = stubClient({});
  const vm = new VolumeManager({ rootDir: root, client, clock });
  await assert.rejects(vm.mountPod(pod([{ name: "cfg", configMap: { name: "nope" } }])), (err: unknown) => {
    assert.ok(err instanceof VolumeMountError);
    assert.equal(err.message, 'MountVolume.SetUp failed for volume "cfg" : configmap "nope" not found');
    return true;
  });
  await vm.mountPod(pod([{ name: "cfg", configMap: { name: "nope", optional: true } }]));
});

test("secrets on a tmpfs; tokens requested once and renewed at 80% of their life; teardown unmounts", async () => {
  const { client, calls } = stubClient({
    "secrets/ns/s": { data: { k: Buffer.from("v").toString("base64") } },
    "configmaps/ns/kube-root-ca.crt": { data: { "ca.crt": "CA" } },
  });
  const vm = new VolumeManager({ rootDir: root, client, clock });
  const p = pod([
    { name: "sec", secret: { secretName: "s", defaultMode: 0o400 } },
    {
      name: "kube-api-access-x",
      projected: {
        defaultMode: 0o644,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
          { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
          {
            downwardAPI: {
              items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }],
            },
          },
        ],
      },
    },
  ]);
  const uid = p.metadata!.uid!;
  await vm.mountPod(p);
  const sec = join(root, "pods", uid, "volumes/kubernetes.io~secret/sec");
  const proj = join(root, "pods", uid, "volumes/kubernetes.io~projected/kube-api-access-x");
  assert.ok(isMountPoint(sec));
  assert.equal(readFileSync(join(sec, "k"), "utf8"), "v");
  assert.equal(statSync(join(sec, "k")).mode & 0o777, 0o400);
  assert.equal(readFileSync(join(proj, "token"), "utf8"), "tok-1");
  assert.equal(readFileSync(join(proj, "ca.crt"), "utf8"), "CA");
  assert.equal(readFileSync(join(proj, "namespace"), "utf8"), "ns");
  await vm.mountPod(p);
  assert.equal(calls.tokens, 1);
  clock.step(3607 * 800 + 1000);
  await vm.mountPod(p);
  assert.equal(calls.tokens, 2);
  assert.equal(readFileSync(join(proj, "token"), "utf8"), "tok-2");
  await vm.unmountPod(uid);
  assert.deepEqual(mountPointsUnder(join(root, "pods", uid)), []);
  assert.equal(existsSync(join(root, "pods", uid, "volumes")), false);
});

test("a bound hostPath PVC mounts the PV's path, created for DirectoryOrCreate", async () => {
  const dir = join(root, "pv-data");
  const { client } = stubClient({
    "persistentvolumeclaims/ns/claim": { spec: { volumeName: "pv1" }, status: { phase: "Bound" } },
    "persistentvolumes//pv1": { spec: { hostPath: { path: dir, type: "DirectoryOrCreate" } } },
  });
  const vm = new VolumeManager({ rootDir: root, client, clock });
  const p = pod(
    [{ name: "v", persistentVolumeClaim: { claimName: "claim" } }],
    [{ name: "v", mountPath: "/data" }],
  );
  await vm.mountPod(p);
  assert.deepEqual(vm.makeMounts(p, p.spec!.containers[0]), [
    { containerPath: "/data", hostPath: dir, readonly: false },
  ]);
  assert.ok(statSync(dir).isDirectory());
});

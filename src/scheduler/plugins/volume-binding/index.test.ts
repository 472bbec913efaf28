// Cases ported from upstream's volume_binding_test.go (v1.32), plus the
// Reserve / PreBind flow of binder_test.go against fake informers and a fake clock.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type {
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  Volume,
} from "kubernetes-types/core/v1.d.ts";
import type { StorageClass } from "kubernetes-types/storage/v1.d.ts";
import { FakeClock } from "../../../client/fake-clock.ts";
import { Indexer, type IndexerView } from "../../../client/indexer.ts";
import type { KubeObject, ResourceRef } from "../../../client/rest-client.ts";
import { CycleState } from "../../framework/cycle-state.ts";
import type { PluginApi } from "../../framework/interface.ts";
import { NodeInfo } from "../../framework/node-info.ts";
import { Code, type Result } from "../../framework/status.ts";
import { makeNode, makePod } from "../../testing.ts";
import {
  ANN_BIND_COMPLETED,
  ANN_SELECTED_NODE,
  ERR_REASON_BIND_CONFLICT,
  ERR_REASON_NODE_CONFLICT,
  ERR_REASON_PV_NOT_EXIST,
  ERR_REASON_UNBOUND_IMMEDIATE,
  newVolumeBinding,
  type VolumeBinding,
} from "./index.ts";

// ---- builders (upstream's test_utils.go)

const immediateSC: StorageClass = {
  metadata: { name: "immediate-sc" },
  provisioner: "",
  volumeBindingMode: "Immediate",
};
const waitSC: StorageClass = {
  metadata: { name: "wait-sc" },
  provisioner: "",
  volumeBindingMode: "WaitForFirstConsumer",
};
const waitHDDSC: StorageClass = {
  metadata: { name: "wait-hdd-sc" },
  provisioner: "",
  volumeBindingMode: "WaitForFirstConsumer",
};
const provisionSC: StorageClass = {
  metadata: { name: "provision-sc" },
  provisioner: "example.com/csi",
  volumeBindingMode: "WaitForFirstConsumer",
  allowedTopologies: [{ matchLabelExpressions: [{ key: "topology.kubernetes.io/zone", values: ["z1"] }] }],
};
const classes = [immediateSC, waitSC, waitHDDSC, provisionSC];

function makePV(
  name: string,
  className: string,
  o: { phase?: string; capacity?: string; nodeAffinity?: Record<string, string[]>; rv?: string } = {},
): PersistentVolume {
  return {
    metadata: { name, resourceVersion: o.rv ?? "1" },
    spec: {
      storageClassName: className,
      capacity: o.capacity ? { storage: o.capacity } : undefined,
      nodeAffinity: o.nodeAffinity
        ? {
            required: {
              nodeSelectorTerms: [
                {
                  matchExpressions: Object.entries(o.nodeAffinity).map(([key, values]) => ({
                    key,
                    operator: "In",
                    values,
                  })),
                },
              ],
            },
          }
        : undefined,
    },
    status: o.phase ? { phase: o.phase } : undefined,
  };
}

function makePVC(
  name: string,
  className: string,
  o: {
    boundPV?: string;
    request?: string;
    phase?: string;
    deleting?: boolean;
    annotations?: Record<string, string>;
  } = {},
): PersistentVolumeClaim {
  const annotations: Record<string, string> = { ...o.annotations };
  if (o.boundPV) annotations[ANN_BIND_COMPLETED] = "true";
  return {
    metadata: {
      name,
      namespace: "default",
      uid: `uid-${name}`,
      resourceVersion: "1",
      annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
      deletionTimestamp: o.deleting ? "2024-01-01T00:00:00Z" : undefined,
    },
    spec: {
      storageClassName: className,
      volumeName: o.boundPV,
      resources: o.request ? { requests: { storage: o.request } } : undefined,
    },
    status: o.phase ? { phase: o.phase } : undefined,
  };
}

const pvcVolume = (claimName: string, name = claimName): Volume => ({
  name,
  persistentVolumeClaim: { claimName },
});

function podWith(name: string, volumes: Volume[]): Pod {
  return makePod(name, { spec: { volumes } });
}

// ---- a handle over indexers the test can change (as informers would)

interface World {
  pvs?: PersistentVolume[];
  pvcs?: PersistentVolumeClaim[];
  nodes?: Node[];
  pods?: Pod[];
}

function world(w: World, opts: { bindTimeoutSeconds?: number } = {}) {
  const ix = {
    persistentvolumes: new Indexer<KubeObject>(),
    persistentvolumeclaims: new Indexer<KubeObject>(),
    storageclasses: new Indexer<KubeObject>(),
    nodes: new Indexer<KubeObject>(),
    pods: new Indexer<KubeObject>(),
  };
  ix.persistentvolumes.replace(w.pvs ?? []);
  ix.persistentvolumeclaims.replace(w.pvcs ?? []);
  ix.storageclasses.replace(classes);
  ix.nodes.replace(w.nodes ?? []);
  ix.pods.replace(w.pods ?? []);
  const clock = new FakeClock(0);
  const updates: Array<{ resource: string; obj: KubeObject }> = [];
  let rv = 100;
  const api: PluginApi = {
    bindPod: async () => {},
    deletePod: async () => {},
    setNominatedNodeName: async () => {},
    patchPodCondition: async () => {},
    patch: async () => ({}),
    // The apiserver stores the object with a new resourceVersion; the informer sees it later.
    async update<T extends KubeObject>(res: ResourceRef, obj: T): Promise<T> {
      updates.push({ resource: res.resource, obj });
      return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++rv) } };
    },
  };
  const handle = {
    lister: <T extends KubeObject>(res: ResourceRef) => {
      const i = ix[res.resource as keyof typeof ix];
      if (!i) throw new Error(`no informer for ${res.resource}`);
      return i.view() as unknown as IndexerView<T>;
    },
    api,
    clock,
  };
  const plugin = newVolumeBinding(opts, handle as never) as VolumeBinding;
  return { plugin, ix, clock, updates };
}

type Want = { code: string; reasons: string[] } | null;
const plain = (r: Result): Want => (r ? { code: r.code, reasons: [...r.reasons] } : null);
const unresolvable = (...reasons: string[]): Want => ({ code: Code.UnschedulableAndUnresolvable, reasons });

const flush = () => new Promise((r) => setImmediate(r));

describe("VolumeBinding PreFilter and Filter", () => {
  const nodeA = makeNode("node-a");
  const cases: Array<{
    name: string;
    pod: Pod;
    nodes: Node[];
    pvcs?: PersistentVolumeClaim[];
    pvs?: PersistentVolume[];
    wantPreFilter: Want;
    wantFilter?: Want[];
  }> = [
    {
      name: "pod has not pvcs",
      pod: makePod("pod-a"),
      nodes: [nodeA],
      wantPreFilter: { code: Code.Skip, reasons: [] },
    },
    {
      name: "all bound",
      pod: podWith("pod-a", [pvcVolume("pvc-a")]),
      nodes: [nodeA],
      pvcs: [makePVC("pvc-a", "wait-sc", { boundPV: "pv-a" })],
      pvs: [makePV("pv-a", "wait-sc", { phase: "Available" })],
      wantPreFilter: null,
      wantFilter: [null],
    },
    {
      name: "PVC does not exist",
      pod: podWith("pod-a", [pvcVolume("pvc-a")]),
      nodes: [nodeA],
      wantPreFilter: unresolvable('persistentvolumeclaim "pvc-a" not found'),
    },
    {
      name: "Part of PVCs do not exist",
      pod: podWith("pod-a", [pvcVolume("pvc-a"), pvcVolume("pvc-b")]),
      nodes: [nodeA],
      pvcs: [makePVC("pvc-a", "wait-sc", { boundPV: "pv-a" })],
      wantPreFilter: unresolvable('persistentvolumeclaim "pvc-b" not found'),
    },
    {
      name: "immediate claims not bound",
      pod: podWith("pod-a", [pvcVolume("pvc-a")]),
      nodes: [nodeA],
      pvcs: [makePVC("pvc-a", "immediate-sc")],
      wantPreFilter: unresolvable(ERR_REASON_UNBOUND_IMMEDIATE),
    },
    {
      name: "unbound claims no matches",
      pod: podWith("pod-a", [pvcVolume("pvc-a")]),
      nodes: [nodeA],
      pvcs: [makePVC("pvc-a", "wait-sc")],
      wantPreFilter: null,
      wantFilter: [unresolvable(ERR_REASON_BIND_CONFLICT)],
    },
    {
      name: "bound and unbound unsatisfied",
      pod: podWith("pod-a", [pvcVolume("pvc-a"), pvcVolume("pvc-b")]),
      nodes: [makeNode("node-a", { labels: { foo: "barbar" } })],
      pvcs: [makePVC("pvc-a", "wait-sc", { boundPV: "pv-a" }), makePVC("pvc-b", "wait-sc")],
      pvs: [makePV("pv-a", "wait-sc", { phase: "Available", nodeAffinity: { foo: ["bar"] } })],
      wantPreFilter: null,
      wantFilter: [unresolvable(ERR_REASON_NODE_CONFLICT, ERR_REASON_BIND_CONFLICT)],
    },
    {
      name: "pv not found",
      pod: podWith("pod-a", [pvcVolume("pvc-a")]),
      nodes: [nodeA],
      pvcs: [makePVC("pvc-a", "wait-sc", { boundPV: "pv-a" })],
      wantPreFilter: null,
      wantFilter: [unresolvable(ERR_REASON_PV_NOT_EXIST)],
    },
    {
      name: "pv not found claim lost",
      pod: podWith("pod-a", [pvcVolume("pvc-a")]),
      nodes: [nodeA],
      pvcs: [makePVC("pvc-a", "wait-sc", { boundPV: "pv-a", phase: "Lost" })],
      wantPreFilter: unresolvable(
        'persistentvolumeclaim "pvc-a" bound to non-existent persistentvolume "pv-a"',
      ),
    },
    {
      name: "pvc being deleted",
      pod: podWith("pod-a", [pvcVolume("pvc-a")]),
      nodes: [nodeA],
      pvcs: [makePVC("pvc-a", "wait-sc", { deleting: true })],
      wantPreFilter: unresolvable('persistentvolumeclaim "pvc-a" is being deleted'),
    },
    {
      name: "local volumes with close capacity are preferred",
      pod: podWith("pod-a", [pvcVolume("pvc-a")]),
      nodes: [makeNode("node-a"), makeNode("node-b"), makeNode("node-c")],
      pvcs: [makePVC("pvc-a", "wait-sc", { request: "50Gi" })],
      pvs: [
        makePV("pv-a-0", "wait-sc", {
          phase: "Available",
          capacity: "200Gi",
          nodeAffinity: { "kubernetes.io/hostname": ["node-a"] },
        }),
        makePV("pv-a-1", "wait-sc", {
          phase: "Available",
          capacity: "200Gi",
          nodeAffinity: { "kubernetes.io/hostname": ["node-a"] },
        }),
        makePV("pv-b-0", "wait-sc", {
          phase: "Available",
          capacity: "100Gi",
          nodeAffinity: { "kubernetes.io/hostname": ["node-b"] },
        }),
        makePV("pv-b-1", "wait-sc", {
          phase: "Available",
          capacity: "100Gi",
          nodeAffinity: { "kubernetes.io/hostname": ["node-b"] },
        }),
      ],
      wantPreFilter: null,
      wantFilter: [null, null, unresolvable(ERR_REASON_BIND_CONFLICT)],
    },
    {
      name: "local volumes with close capacity are preferred (multiple pvcs)",
      pod: podWith("pod-a", [pvcVolume("pvc-0"), pvcVolume("pvc-1")]),
      nodes: [makeNode("node-a"), makeNode("node-b"), makeNode("node-c")],
      pvcs: [
        makePVC("pvc-0", "wait-sc", { request: "50Gi" }),
        makePVC("pvc-1", "wait-hdd-sc", { request: "100Gi" }),
      ],
      pvs: [
        makePV("pv-a-0", "wait-sc", {
          phase: "Available",
          capacity: "200Gi",
          nodeAffinity: { "kubernetes.io/hostname": ["node-a"] },
        }),
        makePV("pv-a-2", "wait-hdd-sc", {
          phase: "Available",
          capacity: "200Gi",
          nodeAffinity: { "kubernetes.io/hostname": ["node-a"] },
        }),
        makePV("pv-b-0", "wait-sc", {
          phase: "Available",
          capacity: "100Gi",
          nodeAffinity: { "kubernetes.io/hostname": ["node-b"] },
        }),
        makePV("pv-b-2", "wait-hdd-sc", {
          phase: "Available",
          capacity: "100Gi",
          nodeAffinity: { "kubernetes.io/hostname": ["node-b"] },
        }),
      ],
      wantPreFilter: null,
      wantFilter: [null, null, unresolvable(ERR_REASON_BIND_CONFLICT)],
    },
    {
      name: "no PV, but the class can provision in the allowed topology",
      pod: podWith("pod-a", [pvcVolume("pvc-a")]),
      nodes: [
        makeNode("node-z1", { labels: { "topology.kubernetes.io/zone": "z1" } }),
        makeNode("node-z2", { labels: { "topology.kubernetes.io/zone": "z2" } }),
      ],
      pvcs: [makePVC("pvc-a", "provision-sc", { request: "1Gi" })],
      wantPreFilter: null,
      wantFilter: [null, unresolvable(ERR_REASON_BIND_CONFLICT)],
    },
    {
      name: "a claim already selected for another node",
      pod: podWith("pod-a", [pvcVolume("pvc-a")]),
      nodes: [makeNode("node-a"), makeNode("node-b")],
      pvcs: [makePVC("pvc-a", "provision-sc", { annotations: { [ANN_SELECTED_NODE]: "node-b" } })],
      wantPreFilter: null,
      wantFilter: [unresolvable(ERR_REASON_BIND_CONFLICT), unresolvable(ERR_REASON_BIND_CONFLICT)],
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const { plugin } = world({ pvs: c.pvs, pvcs: c.pvcs, nodes: c.nodes });
      const state = new CycleState();
      assert.deepEqual(plain(plugin.preFilter(state, c.pod).status), c.wantPreFilter);
      if (c.wantPreFilter !== null) return;
      const got = c.nodes.map((n) => plain(plugin.filter(state, c.pod, new NodeInfo(n))));
      assert.deepEqual(got, c.wantFilter);
    });
  }

  it("generic ephemeral volumes: waiting for the claim, and a claim the pod does not own", () => {
    const pod = podWith("pod-a", [{ name: "scratch", ephemeral: { volumeClaimTemplate: { spec: {} } } }]);
    let { plugin } = world({});
    assert.deepEqual(
      plain(plugin.preFilter(new CycleState(), pod).status),
      unresolvable(
        'waiting for ephemeral volume controller to create the persistentvolumeclaim "pod-a-scratch"',
      ),
    );
    ({ plugin } = world({ pvcs: [makePVC("pod-a-scratch", "wait-sc")] }));
    assert.deepEqual(
      plain(plugin.preFilter(new CycleState(), pod).status),
      unresolvable("PVC default/pod-a-scratch was not created for pod default/pod-a (pod is not owner)"),
    );
  });

  it("a class without volumeBindingMode is an error", () => {
    const { plugin, ix } = world({ pvcs: [makePVC("pvc-a", "no-mode-sc")] });
    ix.storageclasses.upsert({ metadata: { name: "no-mode-sc" }, provisioner: "x" } as StorageClass);
    const got = plugin.preFilter(new CycleState(), podWith("pod-a", [pvcVolume("pvc-a")])).status;
    assert.equal(got?.code, Code.Error);
    assert.equal(got?.message(), 'VolumeBindingMode not set for StorageClass "no-mode-sc"');
  });
});

describe("VolumeBinding Reserve, Unreserve and PreBind", () => {
  const nodeA = makeNode("node-a");
  const localPV = (name: string, capacity: string) =>
    makePV(name, "wait-sc", {
      phase: "Available",
      capacity,
      nodeAffinity: { "kubernetes.io/hostname": ["node-a"] },
    });

  function schedule(plugin: VolumeBinding, pod: Pod, node: Node) {
    const state = new CycleState();
    assert.equal(plugin.preFilter(state, pod).status, null);
    assert.equal(plugin.filter(state, pod, new NodeInfo(node)), null);
    assert.equal(plugin.reserve(state, pod, node.metadata!.name!), null);
    return state;
  }

  it("static binding: the assumed PV is not offered to the next pod until Unreserve", () => {
    const { plugin } = world({
      pvs: [localPV("pv-1", "10Gi")],
      pvcs: [
        makePVC("pvc-a", "wait-sc", { request: "5Gi" }),
        makePVC("pvc-b", "wait-sc", { request: "5Gi" }),
      ],
      nodes: [nodeA],
    });
    const podA = podWith("pod-a", [pvcVolume("pvc-a")]);
    const podB = podWith("pod-b", [pvcVolume("pvc-b")]);
    const stateA = schedule(plugin, podA, nodeA);
    assert.equal(plugin.binder.pvCache.get("pv-1")?.spec?.claimRef?.name, "pvc-a");

    const stateB = new CycleState();
    assert.equal(plugin.preFilter(stateB, podB).status, null);
    assert.deepEqual(
      plain(plugin.filter(stateB, podB, new NodeInfo(nodeA))),
      unresolvable(ERR_REASON_BIND_CONFLICT),
    );

    plugin.unreserve(stateA, podA, "node-a");
    assert.equal(plugin.binder.pvCache.get("pv-1")?.spec?.claimRef, undefined);
    const stateB2 = new CycleState();
    assert.equal(plugin.preFilter(stateB2, podB).status, null);
    assert.equal(plugin.filter(stateB2, podB, new NodeInfo(nodeA)), null);
  });

  it("static binding: PreBind updates the PV with claimRef and waits for the PV controller", async () => {
    const pod = podWith("pod-a", [pvcVolume("pvc-a")]);
    const pvcA = makePVC("pvc-a", "wait-sc", { request: "5Gi" });
    const { plugin, ix, clock, updates } = world({
      pvs: [localPV("pv-1", "10Gi"), localPV("pv-2", "20Gi")],
      pvcs: [pvcA],
      nodes: [nodeA],
      pods: [pod],
    });
    const state = schedule(plugin, pod, nodeA);
    const done = plugin.preBind(state, pod, "node-a");
    let settled = false;
    void done.then(() => {
      settled = true;
    });
    await flush();
    assert.equal(updates.length, 1);
    assert.equal(updates[0].resource, "persistentvolumes");
    const written = updates[0].obj as PersistentVolume;
    assert.equal(written.metadata?.name, "pv-1");
    assert.deepEqual(written.spec?.claimRef, {
      kind: "PersistentVolumeClaim",
      namespace: "default",
      name: "pvc-a",
      uid: "uid-pvc-a",
      apiVersion: "v1",
      resourceVersion: "1",
    });
    assert.equal(written.metadata?.annotations?.["pv.kubernetes.io/bound-by-controller"], "yes");

    // The informer has not seen our write yet: keep waiting.
    clock.step(1000);
    await flush();
    ix.persistentvolumes.upsert({ ...written, metadata: { ...written.metadata, resourceVersion: "101" } });
    clock.step(1000);
    await flush();
    // The PV controller completes the binding.
    const boundA: PersistentVolumeClaim = {
      ...pvcA,
      metadata: { ...pvcA.metadata, annotations: { [ANN_BIND_COMPLETED]: "yes" } },
      spec: { ...pvcA.spec, volumeName: "pv-1" },
    };
    ix.persistentvolumeclaims.upsert(boundA);
    assert.equal(settled, false);
    clock.step(1000);
    assert.equal(await done, null);
  });

  it("dynamic provisioning: PreBind sets selected-node on the PVC; a provisioner that gives up fails the binding", async () => {
    const z1 = makeNode("node-z1", { labels: { "topology.kubernetes.io/zone": "z1" } });
    const pod = podWith("pod-a", [pvcVolume("pvc-a")]);
    const { plugin, ix, clock, updates } = world({
      pvcs: [makePVC("pvc-a", "provision-sc", { request: "1Gi" })],
      nodes: [z1],
      pods: [pod],
    });
    const state = schedule(plugin, pod, z1);
    const done = plugin.preBind(state, pod, "node-z1");
    await flush();
    assert.equal(updates.length, 1);
    assert.equal(updates[0].resource, "persistentvolumeclaims");
    const claim = updates[0].obj as PersistentVolumeClaim;
    assert.equal(claim.metadata?.annotations?.[ANN_SELECTED_NODE], "node-z1");
    // The informer sees the annotated claim, then the provisioner removes the annotation.
    ix.persistentvolumeclaims.upsert({ ...claim, metadata: { ...claim.metadata, resourceVersion: "101" } });
    clock.step(1000);
    await flush();
    ix.persistentvolumeclaims.upsert({
      ...claim,
      metadata: { ...claim.metadata, resourceVersion: "102", annotations: {} },
    });
    clock.step(1000);
    const got = await done;
    assert.equal(got?.code, Code.Error);
    assert.equal(got?.message(), 'binding volumes: provisioning failed for PVC "pvc-a"');
  });

  it("dynamic provisioning succeeds once the claim is bound to a PV reachable from the node", async () => {
    const z1 = makeNode("node-z1", { labels: { "topology.kubernetes.io/zone": "z1" } });
    const pod = podWith("pod-a", [pvcVolume("pvc-a")]);
    const { plugin, ix, clock, updates } = world({
      pvcs: [makePVC("pvc-a", "provision-sc", { request: "1Gi" })],
      nodes: [z1],
      pods: [pod],
    });
    const state = schedule(plugin, pod, z1);
    const done = plugin.preBind(state, pod, "node-z1");
    await flush();
    const claim = updates[0].obj as PersistentVolumeClaim;
    ix.persistentvolumes.upsert(
      makePV("pvc-xyz", "provision-sc", { nodeAffinity: { "topology.kubernetes.io/zone": ["z1"] } }),
    );
    const provisioned: PersistentVolumeClaim = {
      ...claim,
      metadata: {
        ...claim.metadata,
        resourceVersion: "105",
        annotations: { ...claim.metadata?.annotations, [ANN_BIND_COMPLETED]: "yes" },
      },
      spec: { ...claim.spec, volumeName: "pvc-xyz" },
    };
    ix.persistentvolumeclaims.upsert(provisioned);
    clock.step(1000);
    assert.equal(await done, null);
  });

  it("PreBind fails when the bound PV's node affinity no longer admits the node", async () => {
    const pod = podWith("pod-a", [pvcVolume("pvc-a")]);
    const { plugin, ix, clock, updates } = world({
      pvs: [localPV("pv-1", "10Gi")],
      pvcs: [makePVC("pvc-a", "wait-sc")],
      nodes: [nodeA],
      pods: [pod],
    });
    const state = schedule(plugin, pod, nodeA);
    const done = plugin.preBind(state, pod, "node-a");
    await flush();
    const written = updates[0].obj as PersistentVolume;
    const moved: PersistentVolume = {
      ...written,
      metadata: { ...written.metadata, resourceVersion: "101" },
      spec: {
        ...written.spec,
        nodeAffinity: makePV("x", "", { nodeAffinity: { zone: ["b"] } }).spec?.nodeAffinity,
      },
    };
    ix.persistentvolumes.upsert(moved);
    clock.step(1000);
    const got = await done;
    assert.equal(
      got?.message(),
      'binding volumes: pv "pv-1" node affinity doesn\'t match node "node-a": no matching NodeSelectorTerms',
    );
  });

  it("PreBind times out after bindTimeoutSeconds", async () => {
    const pod = podWith("pod-a", [pvcVolume("pvc-a")]);
    const { plugin, clock } = world(
      { pvs: [localPV("pv-1", "10Gi")], pvcs: [makePVC("pvc-a", "wait-sc")], nodes: [nodeA], pods: [pod] },
      { bindTimeoutSeconds: 3 },
    );
    const state = schedule(plugin, pod, nodeA);
    const done = plugin.preBind(state, pod, "node-a");
    for (let i = 0; i < 3; i++) {
      await flush();
      clock.step(1000);
    }
    const got = await done;
    assert.equal(got?.code, Code.Error);
    assert.equal(got?.message(), "binding volumes: context deadline exceeded");
  });

  it("PreBind gives up when the pod was deleted", async () => {
    const pod = podWith("pod-a", [pvcVolume("pvc-a")]);
    const { plugin, clock } = world({
      pvs: [localPV("pv-1", "10Gi")],
      pvcs: [makePVC("pvc-a", "wait-sc")],
      nodes: [nodeA],
    });
    const state = schedule(plugin, pod, nodeA);
    const done = plugin.preBind(state, pod, "node-a");
    await flush();
    clock.step(1000);
    const got = await done;
    assert.equal(got?.message(), 'binding volumes: pod does not exist any more: pod "pod-a" not found');
  });

  it("all-bound pods and pods without claims need no API writes", async () => {
    const bound = podWith("pod-a", [pvcVolume("pvc-a")]);
    const { plugin, updates } = world({
      pvs: [makePV("pv-a", "wait-sc", { phase: "Bound" })],
      pvcs: [makePVC("pvc-a", "wait-sc", { boundPV: "pv-a" })],
      nodes: [nodeA],
    });
    const state = schedule(plugin, bound, nodeA);
    assert.equal(await plugin.preBind(state, bound, "node-a"), null);

    const plain = makePod("pod-b");
    const s2 = new CycleState();
    assert.equal(plugin.preFilter(s2, plain).status?.code, Code.Skip);
    assert.equal(plugin.reserve(s2, plain, "node-a"), null);
    assert.equal(await plugin.preBind(s2, plain, "node-a"), null);
    assert.equal(updates.length, 0);
  });
});

// Cases ported from upstream's volume_restrictions_test.go (v1.32).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PersistentVolumeClaim, Pod, Volume } from "kubernetes-types/core/v1.d.ts";
import { CycleState } from "../framework/cycle-state.ts";
import { NodeInfo, PodInfo } from "../framework/node-info.ts";
import { Code, type Result } from "../framework/status.ts";
import { fakeHandle, makeNode, makePod } from "../testing.ts";
import {
  ERR_REASON_DISK_CONFLICT,
  ERR_REASON_READ_WRITE_ONCE_POD_CONFLICT,
  NAME,
  newVolumeRestrictions,
  type VolumeRestrictions,
} from "./volume-restrictions.ts";

type Want = { code: string; reasons: string[] } | null;

const podWith = (name: string, volumes: Volume[], nodeName?: string): Pod =>
  makePod(name, { nodeName, spec: { volumes } });

const plain = (r: Result): Want => (r ? { code: r.code, reasons: [...r.reasons] } : null);

const skipStatus: Want = { code: Code.Skip, reasons: [] };
const diskConflict: Want = { code: Code.Unschedulable, reasons: [ERR_REASON_DISK_CONFLICT] };

function run(
  plugin: VolumeRestrictions,
  pod: Pod,
  nodeInfo: NodeInfo,
): { preFilter: Want; filter: Want | undefined; state: CycleState } {
  const state = new CycleState();
  const pre = plain(plugin.preFilter(state, pod).status);
  // As the framework: Filter runs only after a successful PreFilter.
  const filter = pre === null ? plain(plugin.filter(state, pod, nodeInfo)) : undefined;
  return { preFilter: pre, filter, state };
}

function nodeWith(...pods: Pod[]): NodeInfo {
  const ni = new NodeInfo(makeNode("node-1"));
  for (const p of pods) ni.addPod(new PodInfo(p));
  return ni;
}

const plugin = () => newVolumeRestrictions(undefined, fakeHandle()) as VolumeRestrictions;

function diskTable(kind: string, volState: Volume, volState2: Volume) {
  describe(`${kind} disk conflicts`, () => {
    const cases: Array<{ name: string; pod: Pod; node: NodeInfo; pre: Want; want: Want }> = [
      { name: "nothing", pod: makePod("p"), node: nodeWith(), pre: skipStatus, want: null },
      {
        name: "one state",
        pod: makePod("p"),
        node: nodeWith(podWith("e", [volState])),
        pre: skipStatus,
        want: null,
      },
      {
        name: "same state",
        pod: podWith("p", [volState]),
        node: nodeWith(podWith("e", [volState])),
        pre: null,
        want: diskConflict,
      },
      {
        name: "different state",
        pod: podWith("p", [volState2]),
        node: nodeWith(podWith("e", [volState])),
        pre: null,
        want: null,
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const got = run(plugin(), c.pod, c.node);
        assert.deepEqual(got.preFilter, c.pre);
        if (c.pre === null) assert.deepEqual(got.filter, c.want);
      });
    }
  });
}

diskTable(
  "GCE",
  { name: "v", gcePersistentDisk: { pdName: "foo" } },
  { name: "v", gcePersistentDisk: { pdName: "bar" } },
);
diskTable(
  "AWS",
  { name: "v", awsElasticBlockStore: { volumeID: "foo" } },
  { name: "v", awsElasticBlockStore: { volumeID: "bar" } },
);
diskTable(
  "RBD",
  { name: "v", rbd: { monitors: ["a", "b"], pool: "foo", image: "bar", fsType: "ext4" } },
  { name: "v", rbd: { monitors: ["c", "d"], pool: "foo", image: "bar", fsType: "ext4" } },
);
diskTable(
  "ISCSI",
  {
    name: "v",
    iscsi: {
      targetPortal: "127.0.0.1:3260",
      iqn: "iqn.2016-12.server:storage.target01",
      fsType: "ext4",
      lun: 0,
    },
  },
  {
    name: "v",
    iscsi: {
      targetPortal: "127.0.0.1:3260",
      iqn: "iqn.2017-12.server:storage.target01",
      fsType: "ext4",
      lun: 0,
    },
  },
);

describe("read-only sharing", () => {
  it("GCE PD mounted read-only by both pods does not conflict; one read-write mount does", () => {
    const ro: Volume = { name: "v", gcePersistentDisk: { pdName: "foo", readOnly: true } };
    const rw: Volume = { name: "v", gcePersistentDisk: { pdName: "foo" } };
    assert.equal(run(plugin(), podWith("p", [ro]), nodeWith(podWith("e", [ro]))).filter, null);
    assert.deepEqual(run(plugin(), podWith("p", [ro]), nodeWith(podWith("e", [rw]))).filter, diskConflict);
  });

  it("AWS EBS conflicts even when both are read-only", () => {
    const ro: Volume = { name: "v", awsElasticBlockStore: { volumeID: "foo", readOnly: true } };
    assert.deepEqual(run(plugin(), podWith("p", [ro]), nodeWith(podWith("e", [ro]))).filter, diskConflict);
  });

  it("a volume without restrictions skips", () => {
    const got = run(plugin(), podWith("p", [{ name: "volume with no restriction" }]), nodeWith());
    assert.deepEqual(got.preFilter, skipStatus);
  });
});

describe("ReadWriteOncePod access mode conflicts", () => {
  const pvc = (name: string, mode: string): PersistentVolumeClaim => ({
    metadata: { namespace: "default", name },
    spec: { accessModes: [mode] },
  });
  const withPVCs = (name: string, claims: string[]) =>
    makePod(name, {
      nodeName: "node-1",
      spec: { volumes: claims.map((c, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: c } })) },
    });
  const podWithOnePVC = withPVCs("pod-with-one-pvc", ["claim-with-rwop-1"]);
  const podWithTwoPVCs = withPVCs("pod-with-two-pvcs", ["claim-with-rwop-1", "claim-with-rwop-2"]);
  const podWithOneConflict = withPVCs("pod-with-one-conflict", ["claim-with-rwop-1"]);
  const podWithTwoConflicts = withPVCs("pod-with-two-conflicts", ["claim-with-rwop-1", "claim-with-rwop-2"]);
  const podWithReadWriteManyPVC = withPVCs("pod-with-rwx", ["claim-with-rwx"]);
  const rwop1 = pvc("claim-with-rwop-1", "ReadWriteOncePod");
  const rwop2 = pvc("claim-with-rwop-2", "ReadWriteOncePod");
  const rwx = pvc("claim-with-rwx", "ReadWriteMany");
  const node = makeNode("node-1");
  const rwopConflict: Want = { code: Code.Unschedulable, reasons: [ERR_REASON_READ_WRITE_ONCE_POD_CONFLICT] };

  const cases: Array<{
    name: string;
    pod: Pod;
    existing: Pod[];
    pvcs: PersistentVolumeClaim[];
    pre: Want;
    want: Want;
  }> = [
    { name: "nothing", pod: makePod("p"), existing: [], pvcs: [], pre: skipStatus, want: null },
    {
      name: "failed to get PVC",
      pod: podWithOnePVC,
      existing: [],
      pvcs: [],
      pre: {
        code: Code.UnschedulableAndUnresolvable,
        reasons: ['persistentvolumeclaim "claim-with-rwop-1" not found'],
      },
      want: null,
    },
    {
      name: "no access mode conflict",
      pod: podWithOnePVC,
      existing: [podWithReadWriteManyPVC],
      pvcs: [rwop1, rwx],
      pre: skipStatus,
      want: null,
    },
    {
      name: "access mode conflict, unschedulable",
      pod: podWithOneConflict,
      existing: [podWithOnePVC, podWithReadWriteManyPVC],
      pvcs: [rwop1, rwx],
      pre: null,
      want: rwopConflict,
    },
    {
      name: "two conflicts, unschedulable",
      pod: podWithTwoConflicts,
      existing: [podWithTwoPVCs, podWithReadWriteManyPVC],
      pvcs: [rwop1, rwop2, rwx],
      pre: null,
      want: rwopConflict,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const h = fakeHandle({
        nodes: [node],
        pods: c.existing,
        objects: { "/v1/persistentvolumeclaims": c.pvcs },
      });
      const p = newVolumeRestrictions(undefined, h) as VolumeRestrictions;
      const got = run(p, c.pod, nodeWith(...c.existing));
      assert.deepEqual(got.preFilter, c.pre);
      if (c.pre === null) assert.deepEqual(got.filter, c.want);
    });
  }

  it("preemption: removing the pod that holds the claim clears the conflict, adding it back restores it", () => {
    const h = fakeHandle({
      nodes: [node],
      pods: [podWithOnePVC],
      objects: { "/v1/persistentvolumeclaims": [rwop1] },
    });
    const p = newVolumeRestrictions(undefined, h) as VolumeRestrictions;
    const { state } = run(p, podWithOneConflict, nodeWith(podWithOnePVC));
    const ni = nodeWith(podWithOnePVC);
    const what = state.clone();
    assert.equal(p.removePod(what, podWithOneConflict, new PodInfo(podWithOnePVC), ni), null);
    assert.equal(p.filter(what, podWithOneConflict, nodeWith()), null);
    // The original state is untouched by the clone's update.
    assert.deepEqual(plain(p.filter(state, podWithOneConflict, nodeWith())), rwopConflict);
    assert.equal(p.addPod(what, podWithOneConflict, new PodInfo(podWithOnePVC), ni), null);
    assert.deepEqual(plain(p.filter(what, podWithOneConflict, nodeWith())), rwopConflict);
  });

  it("Filter without PreFilter state is an error", () => {
    const got = plugin().filter(new CycleState(), podWithOnePVC, nodeWith());
    assert.equal(got?.code, Code.Error);
    assert.equal(got?.message(), `cannot read "PreFilter${NAME}" from cycleState`);
  });
});

it("registers Pod delete, Node add and PVC add", () => {
  const events = plugin().eventsToRegister();
  assert.deepEqual(
    events.map((e) => e.resource),
    ["Pod", "Node", "PersistentVolumeClaim"],
  );
});

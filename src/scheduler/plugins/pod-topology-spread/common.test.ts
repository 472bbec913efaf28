// helper.DefaultSelector (helper/spread_test.go), the constraint parsing of
// common.go, ValidatePodTopologySpreadArgs and the plugin's construction.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ReplicaSet, StatefulSet } from "kubernetes-types/apps/v1.d.ts";
import type { ReplicationController, Service } from "kubernetes-types/core/v1.d.ts";
import { Indexer } from "../../../client/indexer.ts";
import type { KubeObject } from "../../../client/rest-client.ts";
import { fakeHandle } from "../../testing.ts";
import { defaultSelector, filterTopologySpreadConstraints, type SpreadListers } from "./common.ts";
import {
  NAME,
  newPodTopologySpread,
  type PodTopologySpread,
  validatePodTopologySpreadArgs,
} from "./index.ts";
import { fooSelector, pod, spread } from "./testing.ts";

function listers(o: {
  services?: Service[];
  rcs?: ReplicationController[];
  rss?: ReplicaSet[];
  sss?: StatefulSet[];
}): SpreadListers {
  const view = <T extends KubeObject>(objs: T[] = []) => {
    const ix = new Indexer<T>();
    ix.replace(objs);
    return ix.view();
  };
  return {
    services: view(o.services),
    replicationControllers: view(o.rcs),
    replicaSets: view(o.rss),
    statefulSets: view(o.sss),
  };
}

const meta = (name: string, namespace = "default") => ({ name, namespace });
const svc = (name: string, selector?: Record<string, string>, namespace?: string): Service => ({
  metadata: meta(name, namespace),
  spec: { selector },
});
const owner = (apiVersion: string, kind: string, name: string) => ({ apiVersion, kind, name });

describe("defaultSelector", () => {
  const cases: Array<{
    name: string;
    labels: Record<string, string>;
    owner?: { apiVersion: string; kind: string; name: string };
    l: Parameters<typeof listers>[0];
    want: string;
  }> = [
    { name: "no services or controllers", labels: { foo: "bar" }, l: {}, want: "" },
    {
      name: "services that select the pod are merged",
      labels: { foo: "bar", baz: "qux", other: "x" },
      l: {
        services: [
          svc("s1", { foo: "bar" }),
          svc("s2", { baz: "qux" }),
          svc("s3", { foo: "nope" }),
          svc("s4", { foo: "bar" }, "other-ns"),
          svc("headless"),
        ],
      },
      want: "baz=qux,foo=bar",
    },
    {
      name: "a ReplicaSet controller adds its selector's requirements",
      labels: { foo: "bar", app: "web" },
      owner: owner("apps/v1", "ReplicaSet", "rs1"),
      l: {
        services: [svc("s1", { app: "web" })],
        rss: [
          {
            metadata: meta("rs1"),
            spec: { selector: { matchExpressions: [{ key: "foo", operator: "Exists" }] } },
          },
        ],
      },
      want: "app=web,foo",
    },
    {
      name: "a StatefulSet controller adds its selector's requirements",
      labels: { app: "db" },
      owner: owner("apps/v1", "StatefulSet", "ss1"),
      l: {
        sss: [
          {
            metadata: meta("ss1"),
            spec: { selector: { matchLabels: { app: "db" } }, serviceName: "db", template: {} },
          },
        ],
      },
      want: "app=db",
    },
    {
      name: "a ReplicationController's selector is merged into the label set",
      labels: { app: "old", tier: "fe" },
      owner: owner("v1", "ReplicationController", "rc1"),
      l: {
        services: [svc("s1", { tier: "fe" })],
        rcs: [{ metadata: meta("rc1"), spec: { selector: { app: "old" } } }],
      },
      want: "app=old,tier=fe",
    },
    {
      name: "a controller of another group version is not a supported controller",
      labels: { app: "web" },
      owner: owner("apps/v1beta2", "ReplicaSet", "rs1"),
      l: { rss: [{ metadata: meta("rs1"), spec: { selector: { matchLabels: { app: "web" } } } }] },
      want: "",
    },
    {
      name: "a missing controller adds nothing",
      labels: { app: "web" },
      owner: owner("apps/v1", "ReplicaSet", "gone"),
      l: {},
      want: "",
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const p = pod("p", tc.labels, { owner: tc.owner });
      assert.equal(defaultSelector(p, listers(tc.l)).toString(), tc.want);
    });
  }

  it("ignores owner references that are not the controller", () => {
    const p = pod("p", { app: "web" });
    p.metadata!.ownerReferences = [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs1", uid: "u" }];
    const l = listers({
      rss: [{ metadata: meta("rs1"), spec: { selector: { matchLabels: { app: "web" } } } }],
    });
    assert.ok(defaultSelector(p, l).empty());
  });
});

describe("filterTopologySpreadConstraints", () => {
  it("keeps only the asked action and applies upstream's defaults", () => {
    const got = filterTopologySpreadConstraints(
      [
        spread(1, "zone", "DoNotSchedule", fooSelector, { minDomains: 3, nodeTaintsPolicy: "Honor" }),
        spread(2, "node", "ScheduleAnyway", fooSelector),
      ],
      { foo: "" },
      "DoNotSchedule",
    );
    assert.deepEqual(
      got.map((c) => ({ ...c, selector: c.selector.toString() })),
      [
        {
          maxSkew: 1,
          topologyKey: "zone",
          selector: "foo",
          minDomains: 3,
          nodeAffinityPolicy: "Honor",
          nodeTaintsPolicy: "Honor",
        },
      ],
    );
  });

  it("merges matchLabelKeys even into a nil selector (mergeLabelSetWithSelector)", () => {
    const [c] = filterTopologySpreadConstraints(
      [spread(1, "zone", "DoNotSchedule", undefined, { matchLabelKeys: ["app", "missing"] })],
      { app: "web" },
      "DoNotSchedule",
    );
    assert.equal(c.selector.toString(), "app=web");
    assert.ok(c.selector.matches({ app: "web" }));
  });

  it("throws on an invalid selector", () => {
    assert.throws(() =>
      filterTopologySpreadConstraints(
        [spread(1, "zone", "DoNotSchedule", { matchExpressions: [{ key: "a", operator: "Bogus" }] })],
        {},
        "DoNotSchedule",
      ),
    );
  });
});

describe("PodTopologySpreadArgs", () => {
  it("accepts the defaults and List defaulting with valid constraints", () => {
    assert.equal(validatePodTopologySpreadArgs({ defaultingType: "System" }), null);
    assert.equal(
      validatePodTopologySpreadArgs({
        defaultingType: "List",
        defaultConstraints: [{ maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "DoNotSchedule" }],
      }),
      null,
    );
  });

  it("rejects System defaulting with constraints, with upstream's message", () => {
    const err = validatePodTopologySpreadArgs({
      defaultingType: "System",
      defaultConstraints: [{ maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "DoNotSchedule" }],
    });
    assert.equal(
      err?.message,
      'defaultingType: Invalid value: "System": when .defaultConstraints are not empty',
    );
  });

  it("rejects bad constraints", () => {
    const err = validatePodTopologySpreadArgs({
      defaultingType: "List",
      defaultConstraints: [
        { maxSkew: 0, topologyKey: "", whenUnsatisfiable: "Never", labelSelector: {} },
        { maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "ScheduleAnyway" },
        { maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "ScheduleAnyway" },
      ],
    });
    const msg = err?.message ?? "";
    for (const want of [
      "defaultConstraints[0].maxSkew: Invalid value: 0: not in valid range (0, inf)",
      "defaultConstraints[0].topologyKey: Required value: can not be empty",
      'defaultConstraints[0].whenUnsatisfiable: Unsupported value: "Never": supported values: "DoNotSchedule", "ScheduleAnyway"',
      "defaultConstraints[0].labelSelector: Forbidden: constraint must not define a selector, as they deduced for each pod",
      'defaultConstraints[2]: Duplicate value: "{zone, ScheduleAnyway}"',
    ]) {
      assert.ok(msg.includes(want), `missing ${want} in ${msg}`);
    }
  });

  it("the factory throws on invalid args and watches the controller listers only when defaulting", () => {
    assert.throws(() => newPodTopologySpread({ defaultingType: "Bogus" }, fakeHandle()));
    const asked: string[] = [];
    const h = fakeHandle();
    const lister = h.lister.bind(h);
    h.lister = ((res) => {
      asked.push(res.resource);
      return lister(res);
    }) as typeof h.lister;
    newPodTopologySpread({ defaultingType: "List" }, h);
    assert.deepEqual(asked, []);
    const pl = newPodTopologySpread(undefined, h) as PodTopologySpread;
    assert.deepEqual(asked.sort(), ["replicasets", "replicationcontrollers", "services", "statefulsets"]);
    assert.equal(pl.name, NAME);
    assert.equal(NAME, "PodTopologySpread");
  });

  it("registers pod and node events", () => {
    const pl = newPodTopologySpread(undefined, fakeHandle()) as PodTopologySpread;
    assert.deepEqual(pl.eventsToRegister(), [
      { resource: "Pod", actions: ["Add", "Update", "Delete"] },
      { resource: "Node", actions: ["Add", "Delete", "UpdateNodeLabel", "UpdateNodeTaint"] },
    ]);
  });
});

// Tests of profile wiring (upstream's framework/runtime/framework.go
// expandMultiPointPlugins and getScoreWeights) and of the configuration file
// (apis/config/v1 defaults, mergePluginSet, apis/config/validation), v1.32.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  ConfigError,
  DEFAULT_SCHEDULER_NAME,
  defaultConfiguration,
  loadConfiguration,
  type Profile,
} from "../config.ts";
import { inTreeRegistry } from "../registry.ts";
import { fakeHandle } from "../testing.ts";
import type { FilterPlugin, Plugin, PluginFactory } from "./interface.ts";
import { buildFramework, ProfileError } from "./profile.ts";
import type { Framework } from "./runtime.ts";

/** The profile a raw profile entry becomes after defaulting. */
function profile(raw: Record<string, unknown> = {}): Profile {
  return defaultConfiguration({ profiles: [raw] }).profiles[0];
}

function build(raw: Record<string, unknown> = {}, registry = inTreeRegistry()): Framework {
  return buildFramework(profile(raw), registry, fakeHandle());
}

const namesOf = (plugins: readonly Plugin[]) => plugins.map((p) => p.name);
const scoresOf = (f: Framework) => f.plugins.score.map((s) => `${s.plugin.name}:${s.weight}`);

// The order of getDefaultPlugins (v1.32) less the plugins k8ts leaves out
// (NodeVolumeLimits, VolumeZone, DynamicResources).
const DEFAULT_FILTERS = [
  "NodeUnschedulable",
  "NodeName",
  "TaintToleration",
  "NodeAffinity",
  "NodePorts",
  "NodeResourcesFit",
  "VolumeRestrictions",
  "VolumeBinding",
  "PodTopologySpread",
  "InterPodAffinity",
];
// Upstream also lists VolumeBinding (weight 1) as a Score plugin, but its PreScore
// skips unless the alpha VolumeCapacityPriority gate is on, so it never scores.
const DEFAULT_SCORES = [
  "TaintToleration:3",
  "NodeAffinity:2",
  "NodeResourcesFit:1",
  "PodTopologySpread:2",
  "InterPodAffinity:2",
  "NodeResourcesBalancedAllocation:1",
  "ImageLocality:1",
];

describe("default profile", () => {
  test("places every default plugin at the points it implements, in upstream's order", () => {
    const f = build();
    assert.equal(f.profileName, DEFAULT_SCHEDULER_NAME);
    assert.deepEqual(namesOf(f.plugins.preEnqueue), ["SchedulingGates"]);
    assert.deepEqual(namesOf(f.plugins.queueSort), ["PrioritySort"]);
    assert.deepEqual(namesOf(f.plugins.preFilter), [
      "NodeAffinity",
      "NodePorts",
      "NodeResourcesFit",
      "VolumeRestrictions",
      "VolumeBinding",
      "PodTopologySpread",
      "InterPodAffinity",
    ]);
    assert.deepEqual(namesOf(f.plugins.filter), DEFAULT_FILTERS);
    assert.deepEqual(namesOf(f.plugins.postFilter), ["DefaultPreemption"]);
    assert.deepEqual(namesOf(f.plugins.preScore), [
      "TaintToleration",
      "NodeAffinity",
      "NodeResourcesFit",
      "PodTopologySpread",
      "InterPodAffinity",
      "NodeResourcesBalancedAllocation",
      "ImageLocality",
    ]);
    assert.deepEqual(scoresOf(f), DEFAULT_SCORES);
    assert.deepEqual(namesOf(f.plugins.reserve), ["VolumeBinding"]);
    assert.deepEqual(namesOf(f.plugins.permit), []);
    assert.deepEqual(namesOf(f.plugins.preBind), ["VolumeBinding"]);
    assert.deepEqual(namesOf(f.plugins.bind), ["DefaultBinder"]);
  });

  test("one instance per plugin, shared by its extension points", () => {
    const f = build();
    const fitFilter = f.plugins.filter.find((p) => p.name === "NodeResourcesFit");
    const fitScore = f.plugins.score.find((s) => s.plugin.name === "NodeResourcesFit")?.plugin;
    assert.ok(fitFilter);
    assert.equal(fitFilter, fitScore);
    assert.ok(f.plugins.enqueueExtensions.some((p) => p === (fitFilter as unknown)));
  });
});

describe("enabling and disabling plugins", () => {
  test("disabled in multiPoint: gone from every extension point", () => {
    const f = build({ plugins: { multiPoint: { disabled: [{ name: "TaintToleration" }] } } });
    assert.deepEqual(
      namesOf(f.plugins.filter),
      DEFAULT_FILTERS.filter((n) => n !== "TaintToleration"),
    );
    assert.ok(!namesOf(f.plugins.preScore).includes("TaintToleration"));
    assert.deepEqual(
      scoresOf(f),
      DEFAULT_SCORES.filter((s) => !s.startsWith("TaintToleration")),
    );
  });

  test("disabled at one extension point: gone from that point only", () => {
    const f = build({
      plugins: {
        filter: { disabled: [{ name: "NodePorts" }] },
        score: { disabled: [{ name: "ImageLocality" }] },
      },
    });
    assert.ok(!namesOf(f.plugins.filter).includes("NodePorts"));
    assert.ok(namesOf(f.plugins.preFilter).includes("NodePorts"));
    assert.ok(!scoresOf(f).includes("ImageLocality:1"));
    assert.ok(namesOf(f.plugins.preScore).includes("ImageLocality"));
  });

  test('disabled "*" at score: no score plugins, other points untouched', () => {
    const f = build({ plugins: { score: { disabled: [{ name: "*" }] } } });
    assert.deepEqual(scoresOf(f), []);
    assert.deepEqual(namesOf(f.plugins.filter), DEFAULT_FILTERS);
  });

  test('disabled "*" at score with one plugin enabled there: only that plugin scores', () => {
    const f = build({
      plugins: { score: { enabled: [{ name: "NodeResourcesFit", weight: 5 }], disabled: [{ name: "*" }] } },
    });
    assert.deepEqual(scoresOf(f), ["NodeResourcesFit:5"]);
  });

  test('disabled "*" in multiPoint drops every default plugin', () => {
    const f = build({
      plugins: {
        multiPoint: {
          enabled: [{ name: "PrioritySort" }, { name: "NodeName" }, { name: "DefaultBinder" }],
          disabled: [{ name: "*" }],
        },
      },
    });
    assert.deepEqual(namesOf(f.plugins.filter), ["NodeName"]);
    assert.deepEqual(scoresOf(f), []);
    assert.deepEqual(namesOf(f.plugins.preEnqueue), []);
  });

  test("a custom weight in multiPoint replaces the default in place", () => {
    const f = build({ plugins: { multiPoint: { enabled: [{ name: "ImageLocality", weight: 5 }] } } });
    assert.deepEqual(scoresOf(f), [...DEFAULT_SCORES.slice(0, -1), "ImageLocality:5"]);
  });

  test("a plugin re-configured at score comes first with its score weight", () => {
    const f = build({ plugins: { score: { enabled: [{ name: "NodeResourcesFit", weight: 4 }] } } });
    assert.deepEqual(scoresOf(f), [
      "NodeResourcesFit:4",
      ...DEFAULT_SCORES.filter((s) => !s.startsWith("NodeResourcesFit")),
    ]);
  });

  // getScoreWeights: the Score entry is read before the MultiPoint one, and a
  // weight of 0 there becomes 1 (it does not fall back to the multiPoint weight).
  test("a plugin enabled at score without a weight weighs 1", () => {
    const f = build({ plugins: { score: { enabled: [{ name: "TaintToleration" }] } } });
    assert.equal(scoresOf(f)[0], "TaintToleration:1");
  });

  test("an out-of-tree plugin enabled in multiPoint joins the end of the points it implements", () => {
    class AlwaysFits implements FilterPlugin {
      readonly name = "AlwaysFits";
      filter() {
        return null;
      }
    }
    const registry = new Map<string, PluginFactory>([
      ...inTreeRegistry(),
      ["AlwaysFits", () => new AlwaysFits()],
    ]);
    const f = build({ plugins: { multiPoint: { enabled: [{ name: "AlwaysFits" }] } } }, registry);
    assert.deepEqual(namesOf(f.plugins.filter), [...DEFAULT_FILTERS, "AlwaysFits"]);
    assert.ok(!namesOf(f.plugins.preFilter).includes("AlwaysFits"));
  });

  test("pluginConfig args reach the plugin's factory", () => {
    const seen: Array<Record<string, unknown> | undefined> = [];
    const registry = inTreeRegistry();
    const fit = registry.get("NodeResourcesFit")!;
    registry.set("NodeResourcesFit", (args, handle) => {
      seen.push(args);
      return fit(args, handle);
    });
    const args = { scoringStrategy: { type: "MostAllocated", resources: [{ name: "cpu", weight: 1 }] } };
    build({ pluginConfig: [{ name: "NodeResourcesFit", args }] }, registry);
    assert.deepEqual(seen, [args]);
  });
});

describe("profile errors", () => {
  test("an unknown plugin name", () => {
    assert.throws(
      () => build({ plugins: { multiPoint: { enabled: [{ name: "NoSuchPlugin" }] } } }),
      (e: unknown) => e instanceof ProfileError && /"NoSuchPlugin" does not exist/.test(e.message),
    );
    assert.throws(
      () => build({ plugins: { filter: { enabled: [{ name: "NoSuchPlugin" }] } } }),
      (e: unknown) => e instanceof ProfileError && /"NoSuchPlugin" does not exist/.test(e.message),
    );
  });

  test("a plugin enabled at a point it does not implement", () => {
    assert.throws(
      () => build({ plugins: { filter: { enabled: [{ name: "PrioritySort" }] } } }),
      (e: unknown) =>
        e instanceof ProfileError && /plugin "PrioritySort" does not extend filter/i.test(e.message),
    );
  });

  test("no queueSort or no bind plugin", () => {
    assert.throws(
      () => build({ plugins: { queueSort: { disabled: [{ name: "*" }] } } }),
      (e: unknown) => e instanceof ProfileError && /queueSort/.test(e.message),
    );
    assert.throws(
      () => build({ plugins: { bind: { disabled: [{ name: "*" }] } } }),
      (e: unknown) => e instanceof ProfileError && /bind plugin/.test(e.message),
    );
  });
});

describe("defaultConfiguration", () => {
  test("fills upstream's v1 defaults", () => {
    const c = defaultConfiguration();
    assert.equal(c.percentageOfNodesToScore, 0);
    assert.equal(c.podInitialBackoffMs, 1000);
    assert.equal(c.podMaxBackoffMs, 10_000);
    assert.deepEqual(c.leaderElection, {
      leaderElect: true,
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      resourceNamespace: "kube-system",
      resourceName: "kube-scheduler",
    });
    assert.equal(c.profiles.length, 1);
    assert.equal(c.profiles[0].schedulerName, "default-scheduler");
    assert.equal(c.profiles[0].percentageOfNodesToScore, undefined);
    assert.equal(c.profiles[0].plugins.multiPoint?.enabled?.length, 16);
  });

  test("a duplicate schedulerName is a field.Duplicate error", () => {
    assert.throws(
      () => defaultConfiguration({ profiles: [{}, { schedulerName: "default-scheduler" }] }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message === 'profiles[1].schedulerName: Duplicate value: "default-scheduler"',
    );
  });

  test("another apiVersion or kind is refused", () => {
    assert.throws(
      () => defaultConfiguration({ apiVersion: "kubescheduler.config.k8s.io/v1beta3" }),
      (e: unknown) => e instanceof ConfigError && /apiVersion/.test(e.message),
    );
    assert.throws(
      () =>
        defaultConfiguration({ apiVersion: "kubescheduler.config.k8s.io/v1", kind: "KubeletConfiguration" }),
      (e: unknown) => e instanceof ConfigError && /kind/.test(e.message),
    );
  });

  // apis/config/validation: field.Invalid(path, value, "not in valid range [0-100]").
  test("percentageOfNodesToScore out of [0, 100] is a field.Invalid error", () => {
    assert.throws(
      () => defaultConfiguration({ percentageOfNodesToScore: 101 }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message === "percentageOfNodesToScore: Invalid value: 101: not in valid range [0-100]",
    );
    assert.throws(
      () => defaultConfiguration({ percentageOfNodesToScore: -1 }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message === "percentageOfNodesToScore: Invalid value: -1: not in valid range [0-100]",
    );
    assert.throws(
      () => defaultConfiguration({ profiles: [{ percentageOfNodesToScore: 101 }] }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message === "profiles[0].percentageOfNodesToScore: Invalid value: 101: not in valid range [0-100]",
    );
  });

  test("podMaxBackoffSeconds below podInitialBackoffSeconds is refused", () => {
    assert.throws(
      () => defaultConfiguration({ podInitialBackoffSeconds: 5, podMaxBackoffSeconds: 2 }),
      (e: unknown) => e instanceof ConfigError && /^podMaxBackoffSeconds: /.test(e.message),
    );
    assert.throws(
      () => defaultConfiguration({ podInitialBackoffSeconds: 0 }),
      (e: unknown) => e instanceof ConfigError && /^podInitialBackoffSeconds: /.test(e.message),
    );
  });
});

describe("loadConfiguration", () => {
  test("reads a YAML file with two profiles and builds both", () => {
    const dir = mkdtempSync(join(tmpdir(), "k8ts-sched-config-"));
    try {
      const path = join(dir, "config.yaml");
      writeFileSync(
        path,
        `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection:
  kubeconfig: /etc/kubernetes/scheduler.conf
leaderElection:
  leaderElect: false
  leaseDuration: 30s
percentageOfNodesToScore: 30
podInitialBackoffSeconds: 2
podMaxBackoffSeconds: 20
profiles:
  - schedulerName: default-scheduler
  - schedulerName: bin-packing
    percentageOfNodesToScore: 100
    plugins:
      multiPoint:
        disabled:
          - name: PodTopologySpread
      score:
        disabled:
          - name: "*"
        enabled:
          - name: NodeResourcesFit
            weight: 10
    pluginConfig:
      - name: NodeResourcesFit
        args:
          scoringStrategy:
            type: MostAllocated
`,
      );
      const c = loadConfiguration(path);
      assert.equal(c.kubeconfig, "/etc/kubernetes/scheduler.conf");
      assert.equal(c.leaderElection.leaderElect, false);
      assert.equal(c.leaderElection.leaseDurationMs, 30_000);
      assert.equal(c.leaderElection.renewDeadlineMs, 10_000);
      assert.equal(c.percentageOfNodesToScore, 30);
      assert.equal(c.podInitialBackoffMs, 2000);
      assert.equal(c.podMaxBackoffMs, 20_000);
      assert.deepEqual(
        c.profiles.map((p) => p.schedulerName),
        ["default-scheduler", "bin-packing"],
      );
      const [def, packing] = c.profiles.map((p) => buildFramework(p, inTreeRegistry(), fakeHandle()));
      assert.deepEqual(scoresOf(def), DEFAULT_SCORES);
      assert.equal(def.percentageOfNodesToScore, undefined);
      assert.equal(packing.profileName, "bin-packing");
      assert.equal(packing.percentageOfNodesToScore, 100);
      assert.deepEqual(
        namesOf(packing.plugins.filter),
        DEFAULT_FILTERS.filter((n) => n !== "PodTopologySpread"),
      );
      assert.deepEqual(scoresOf(packing), ["NodeResourcesFit:10"]);
      assert.deepEqual(c.profiles[1].pluginConfig, [
        { name: "NodeResourcesFit", args: { scoringStrategy: { type: "MostAllocated" } } },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a missing file or a non-object document is a ConfigError naming the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "k8ts-sched-config-"));
    try {
      const missing = join(dir, "missing.yaml");
      assert.throws(
        () => loadConfiguration(missing),
        (e: unknown) => e instanceof ConfigError && e.message.includes(missing),
      );
      const scalar = join(dir, "scalar.yaml");
      writeFileSync(scalar, "just a string\n");
      assert.throws(
        () => loadConfiguration(scalar),
        (e: unknown) => e instanceof ConfigError && e.message.includes(scalar),
      );
      const dup = join(dir, "dup.yaml");
      writeFileSync(dup, "profiles:\n  - schedulerName: a\n  - schedulerName: a\n");
      assert.throws(
        () => loadConfiguration(dup),
        (e: unknown) =>
          e instanceof ConfigError &&
          e.message.includes(dup) &&
          e.message.includes('profiles[1].schedulerName: Duplicate value: "a"'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

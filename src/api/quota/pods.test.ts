// Cases from upstream's pkg/quota/v1/evaluator/core/pods_test.go.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Obj } from "../registry.ts";
import { calculateUsageStats } from "./evaluator.ts";
import { PodEvaluator, quotaV1Pod } from "./pods.ts";
import { type ResourceList, toJSON } from "./resources.ts";

const NOW = Date.parse("2025-01-01T00:00:00Z");
const ev = new PodEvaluator(() => NOW);

function json(list: ResourceList): Record<string, string> {
  return toJSON(list);
}

function container(requests?: Record<string, string>, limits?: Record<string, string>, name = "c"): Obj {
  return { name, resources: { requests, limits } };
}

test("usage: init containers, ephemeral storage, hugepages and extended resources", () => {
  assert.deepEqual(json(ev.usage({ spec: { initContainers: [container({ cpu: "1m" }, { cpu: "2m" })] } })), {
    "count/pods": "1",
    cpu: "1m",
    "limits.cpu": "2m",
    pods: "1",
    "requests.cpu": "1m",
  });
  assert.deepEqual(
    json(
      ev.usage({
        spec: { containers: [container({ "ephemeral-storage": "32Mi" }, { "ephemeral-storage": "64Mi" })] },
      }),
    ),
    {
      "count/pods": "1",
      "ephemeral-storage": "32Mi",
      "limits.ephemeral-storage": "64Mi",
      pods: "1",
      "requests.ephemeral-storage": "32Mi",
    },
  );
  assert.deepEqual(json(ev.usage({ spec: { containers: [container({ "hugepages-2Mi": "100Mi" })] } })), {
    "count/pods": "1",
    "hugepages-2Mi": "100Mi",
    pods: "1",
    "requests.hugepages-2Mi": "100Mi",
  });
  assert.deepEqual(
    json(
      ev.usage({
        spec: { containers: [container({ "example.com/dongle": "3" }, { "example.com/dongle": "3" })] },
      }),
    ),
    { "count/pods": "1", pods: "1", "requests.example.com/dongle": "3" },
  );
});

test("usage: init container maximums override the sum of containers; overhead is added", () => {
  const pod = {
    spec: {
      initContainers: [
        container({ cpu: "4", memory: "100M", "example.com/dongle": "4" }, { cpu: "8", memory: "200M" }),
        container({ cpu: "1", memory: "50M", "example.com/dongle": "2" }, { cpu: "2", memory: "100M" }),
      ],
      containers: [
        container({ cpu: "1", memory: "50M", "example.com/dongle": "1" }, { cpu: "2", memory: "100M" }),
        container({ cpu: "2", memory: "25M", "example.com/dongle": "2" }, { cpu: "5", memory: "50M" }),
      ],
    },
  };
  assert.deepEqual(json(ev.usage(pod)), {
    "count/pods": "1",
    cpu: "4",
    "limits.cpu": "8",
    "limits.memory": "200M",
    memory: "100M",
    pods: "1",
    "requests.cpu": "4",
    "requests.example.com/dongle": "4",
    "requests.memory": "100M",
  });
  const overhead = { spec: { overhead: { cpu: "1" }, containers: [container({ cpu: "1" }, { cpu: "2" })] } };
  assert.deepEqual(json(ev.usage(overhead)), {
    "count/pods": "1",
    cpu: "2",
    "limits.cpu": "3",
    pods: "1",
    "requests.cpu": "2",
  });
});

test("QuotaV1Pod: terminal pods and pods past their deletion grace use only count/pods", () => {
  const spec = { containers: [container({ cpu: "1" }, { cpu: "2" })] };
  assert.deepEqual(json(ev.usage({ spec, status: { phase: "Succeeded" } })), { "count/pods": "1" });
  assert.deepEqual(json(ev.usage({ spec, status: { phase: "Failed" } })), { "count/pods": "1" });
  const past = new Date(NOW - 60_000).toISOString();
  assert.deepEqual(
    json(ev.usage({ metadata: { deletionTimestamp: past, deletionGracePeriodSeconds: 30 }, spec })),
    { "count/pods": "1" },
  );
  const notPast = {
    metadata: { deletionTimestamp: new Date(NOW).toISOString(), deletionGracePeriodSeconds: 30 },
    spec,
  };
  assert.equal(quotaV1Pod(notPast, NOW), true);
  assert.equal(json(ev.usage(notPast))["requests.cpu"], "1");
});

test("constraints: upstream's messages for containers missing a quota'd cpu or memory", () => {
  const noMemory = { spec: { initContainers: [container({ cpu: "1m" }, { cpu: "2m" }, "dummy")] } };
  assert.equal(ev.constraints(["memory"], noMemory), "must specify memory for: dummy");
  const two = {
    spec: { containers: [container(undefined, undefined, "foo"), container(undefined, undefined, "bar")] },
  };
  assert.equal(ev.constraints(["memory", "cpu"], two), "must specify cpu for: bar,foo; memory for: bar,foo");
  // Only the historical validation set is enforced.
  assert.equal(ev.constraints(["ephemeral-storage", "pods"], two), undefined);
});

test("matchingResources: the pod names, hugepages prefixes and requests.<extended>", () => {
  assert.deepEqual(
    ev.matchingResources([
      "pods",
      "requests.cpu",
      "services",
      "hugepages-2Mi",
      "requests.example.com/gpu",
      "example.com/gpu",
    ]),
    ["pods", "requests.cpu", "hugepages-2Mi", "requests.example.com/gpu"],
  );
});

test("scopes: Terminating, BestEffort, PriorityClass operators and cross-namespace affinity", () => {
  const bestEffort = { spec: { containers: [container()] } };
  const burstable = { spec: { activeDeadlineSeconds: 30, containers: [container({ cpu: "1" })] } };
  assert.equal(ev.matchesScope({ scopeName: "BestEffort", operator: "Exists" }, bestEffort), true);
  assert.equal(ev.matchesScope({ scopeName: "NotBestEffort", operator: "Exists" }, burstable), true);
  assert.equal(ev.matchesScope({ scopeName: "Terminating", operator: "Exists" }, burstable), true);
  assert.equal(ev.matchesScope({ scopeName: "NotTerminating", operator: "Exists" }, bestEffort), true);
  // status.qosClass, when set, is what GetPodQOS answers.
  assert.equal(
    ev.matchesScope(
      { scopeName: "BestEffort", operator: "Exists" },
      { ...burstable, status: { qosClass: "BestEffort" } },
    ),
    true,
  );
  const high = { spec: { priorityClassName: "high", containers: [] } };
  const none = { spec: { containers: [] } };
  const pc = (operator: string, values?: string[]) => ({ scopeName: "PriorityClass", operator, values });
  assert.equal(ev.matchesScope(pc("In", ["high", "mid"]), high), true);
  assert.equal(ev.matchesScope(pc("In", ["high"]), none), false);
  assert.equal(ev.matchesScope(pc("NotIn", ["high"]), none), true);
  assert.equal(ev.matchesScope(pc("NotIn", ["high"]), high), false);
  assert.equal(ev.matchesScope(pc("Exists"), high), true);
  assert.equal(ev.matchesScope(pc("DoesNotExist"), none), true);
  assert.throws(() => ev.matchesScope(pc("Gt", ["1"]), high), /"Gt" is not a valid scope selector operator/);
  const cross = {
    spec: {
      affinity: {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 1, podAffinityTerm: { topologyKey: "k", namespaceSelector: {} } },
          ],
        },
      },
    },
  };
  assert.equal(ev.matchesScope({ scopeName: "CrossNamespacePodAffinity", operator: "Exists" }, cross), true);
  assert.equal(ev.matchesScope({ scopeName: "CrossNamespacePodAffinity", operator: "Exists" }, none), false);
});

test("usage stats (TestPodEvaluatorUsageStats): terminal pods and PriorityClass scopes", () => {
  const cpu1 = { cpu: "1" };
  const pod = (
    name: string,
    priorityClassName: string,
    phase: string,
    res?: Record<string, string>,
  ): Obj => ({
    metadata: { name },
    spec: { priorityClassName, containers: [container(res, res)] },
    status: { phase },
  });
  const stats = (items: Obj[], scopes: string[] = [], scopeSelector: Obj[] = []) =>
    json(calculateUsageStats(ev, items, { scopes, scopeSelector: scopeSelector as never, resources: [] }));
  assert.deepEqual(stats([pod("p1", "", "Running", cpu1), pod("p2", "", "Succeeded", cpu1)]), {
    "count/pods": "2",
    cpu: "1",
    "limits.cpu": "1",
    pods: "1",
    "requests.cpu": "1",
  });
  const three = [
    pod("p1", "high-priority", "Running", cpu1),
    pod("p2", "high-priority", "Succeeded", cpu1),
    pod("p3", "low-priority", "Running", cpu1),
  ];
  const inHigh = [{ scopeName: "PriorityClass", operator: "In", values: ["high-priority"] }];
  const want = { "count/pods": "2", cpu: "1", "limits.cpu": "1", pods: "1", "requests.cpu": "1" };
  assert.deepEqual(stats(three, [], inHigh), want);
  assert.deepEqual(stats(three, ["PriorityClass"], inHigh), want);
  assert.deepEqual(
    stats([...three, pod("p4", "high-priority", "Failed")], ["PriorityClass", "BestEffort"], inHigh),
    {
      "count/pods": "1",
    },
  );
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Container, Pod } from "kubernetes-types/core/v1.d.ts";
import { computePodQOS, getPodQOS } from "./qos.ts";
import { quantityNanos } from "./quantity-value.ts";

function container(requests?: Record<string, string>, limits?: Record<string, string>): Container {
  return { name: "c", image: "i", resources: { requests, limits } };
}

function pod(containers: Container[], initContainers: Container[] = []): Pod {
  return { spec: { containers, initContainers } };
}

describe("quantityNanos", () => {
  it("reads decimal, binary and exponent suffixes exactly", () => {
    assert.equal(quantityNanos("1"), 1_000_000_000n);
    assert.equal(quantityNanos("1000m"), 1_000_000_000n);
    assert.equal(quantityNanos("0.5"), 500_000_000n);
    assert.equal(quantityNanos("1Gi"), 1073741824n * 1_000_000_000n);
    assert.equal(quantityNanos("1024Mi"), quantityNanos("1Gi"));
    assert.equal(quantityNanos("1.5Ki"), 1536n * 1_000_000_000n);
    assert.equal(quantityNanos("1e3"), quantityNanos("1k"));
    assert.equal(quantityNanos("1E3"), quantityNanos("1k"));
    assert.equal(quantityNanos("1E"), 10n ** 27n);
    assert.equal(quantityNanos("100u"), 100_000n);
    assert.equal(quantityNanos("-2"), -2_000_000_000n);
    assert.equal(quantityNanos(2), 2_000_000_000n);
    assert.equal(quantityNanos("1e-12"), 1n); // below a nano rounds up
  });

  it("rejects malformed amounts", () => {
    for (const bad of ["", "abc", "1Qi", ".", "1.2.3", "1 Gi", null, {}])
      assert.equal(quantityNanos(bad), undefined, String(bad));
  });
});

describe("QoS class (TestComputePodQOS)", () => {
  it("is BestEffort with no cpu or memory amounts", () => {
    assert.equal(computePodQOS(pod([container()]) as never), "BestEffort");
    assert.equal(
      computePodQOS(pod([container({ "nvidia.com/gpu": "1" }, { "nvidia.com/gpu": "1" })]) as never),
      "BestEffort",
    );
    assert.equal(computePodQOS(pod([container({ cpu: "0" }, { memory: "0" })]) as never), "BestEffort");
  });

  it("is Guaranteed when every container limits cpu and memory and requests equal limits", () => {
    const g = container({ cpu: "100m", memory: "100Mi" }, { cpu: "0.1", memory: "100Mi" });
    assert.equal(computePodQOS(pod([g, g]) as never), "Guaranteed");
    assert.equal(computePodQOS(pod([g], [g]) as never), "Guaranteed");
  });

  it("is Burstable otherwise", () => {
    const g = container({ cpu: "100m", memory: "100Mi" }, { cpu: "100m", memory: "100Mi" });
    assert.equal(computePodQOS(pod([g, container()]) as never), "Burstable");
    assert.equal(computePodQOS(pod([container({ cpu: "100m" })]) as never), "Burstable");
    assert.equal(
      computePodQOS(
        pod([container({ cpu: "100m", memory: "1Gi" }, { cpu: "200m", memory: "1Gi" })]) as never,
      ),
      "Burstable",
    );
    assert.equal(computePodQOS(pod([g], [container({ cpu: "1" })]) as never), "Burstable");
  });

  it("prefers a status.qosClass already set (GetPodQOS)", () => {
    assert.equal(getPodQOS({ ...pod([container()]), status: { qosClass: "Burstable" } }), "Burstable");
    assert.equal(getPodQOS(pod([container()])), "BestEffort");
  });
});

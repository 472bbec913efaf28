import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { instrumentRuntime, operationType, RuntimeMetrics } from "./instrumented.ts";

describe("instrumented runtime", () => {
  it("names operations as upstream's operation_type label", () => {
    assert.equal(operationType("runPodSandbox"), "run_podsandbox");
    assert.equal(operationType("listPodSandbox"), "list_podsandbox");
    assert.equal(operationType("podSandboxStatus"), "podsandbox_status");
    assert.equal(operationType("createContainer"), "create_container");
    assert.equal(operationType("execSync"), "exec_sync");
    assert.equal(operationType("pullImage"), "pull_image");
  });

  it("counts and times async calls, counts failures, and leaves other members alone", async () => {
    const metrics = new RuntimeMetrics();
    const runtime = {
      name: "fake",
      async version() {
        return this.name;
      },
      async pullImage(): Promise<string> {
        throw new Error("not found");
      },
      close() {
        return 7;
      },
    };
    const r = instrumentRuntime(runtime, metrics);
    assert.equal(await r.version(), "fake", "methods keep their this");
    await r.version();
    await assert.rejects(r.pullImage(), /not found/);
    assert.equal(r.close(), 7);
    assert.equal(r.name, "fake");
    assert.equal(metrics.operations.get({ operation_type: "version" }), 2);
    assert.equal(metrics.operations.get({ operation_type: "pull_image" }), 1);
    assert.equal(metrics.errors.get({ operation_type: "pull_image" }), 1);
    assert.equal(metrics.errors.get({ operation_type: "version" }), 0);
    assert.equal(
      metrics.operations.get({ operation_type: "close" }),
      0,
      "synchronous calls are not runtime operations",
    );
    assert.match(
      metrics.render(),
      /kubelet_runtime_operations_duration_seconds_count\{operation_type="version"\} 2/,
    );
  });
});

// The configuration source follows the store: what is there at start, then
// creates, updates and deletes through its watch.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { SqliteStore } from "../../../../storage/sqlite.ts";
import { Registry } from "../../../registry/index.ts";
import { WebhookConfigurationSource } from "./source.ts";

const config = (name: string, hooks: string[]) => ({
  apiVersion: "admissionregistration.k8s.io/v1",
  kind: "ValidatingWebhookConfiguration",
  metadata: { name },
  webhooks: hooks.map((h) => ({
    name: `${h}.k8ts.io`,
    clientConfig: { url: "https://127.0.0.1/" },
    sideEffects: "None",
    admissionReviewVersions: ["v1"],
  })),
});

async function eventually(check: () => void): Promise<void> {
  const deadline = Date.now() + 3000;
  for (;;) {
    try {
      check();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

describe("WebhookConfigurationSource", () => {
  const store = new SqliteStore({ path: ":memory:" });
  const registry = new Registry(store);
  const configs = () =>
    registry.byResource("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations")!;
  const source = new WebhookConfigurationSource("validating", configs);
  after(async () => {
    source.stop();
    await store.close();
  });

  it("lists at start, then follows creates, updates and deletes", async () => {
    await configs().create(undefined, config("b", ["b1"]));
    assert.equal(source.hasSynced(), false);
    await source.start();
    assert.equal(source.hasSynced(), true);
    assert.deepEqual(
      source.webhooks().map((h) => h.uid),
      ["b/b1.k8ts.io/0"],
    );

    await configs().create(undefined, config("a", ["a1", "a2"]));
    await eventually(() =>
      assert.deepEqual(
        source.webhooks().map((h) => h.uid),
        ["a/a1.k8ts.io/0", "a/a2.k8ts.io/0", "b/b1.k8ts.io/0"],
      ),
    );

    const b = await configs().get(undefined, "b");
    b.webhooks[0].failurePolicy = "Ignore";
    await configs().update(undefined, "b", b);
    await eventually(() => assert.equal(source.webhooks()[2].failurePolicy, "Ignore"));

    await configs().delete(undefined, "a");
    await eventually(() =>
      assert.deepEqual(
        source.webhooks().map((h) => h.uid),
        ["b/b1.k8ts.io/0"],
      ),
    );
    assert.equal(source.type, "validating");
  });
});

// The revision data (upstream's getPatch/Match) and revision numbering.
import assert from "node:assert/strict";
import { it } from "node:test";
import type { ControllerRevision, DaemonSet } from "kubernetes-types/apps/v1.d.ts";
import { getPatch, match, maxRevision } from "./history.ts";

const ds: DaemonSet = {
  metadata: { name: "ds", namespace: "default" },
  spec: {
    selector: { matchLabels: { app: "x" } },
    template: {
      metadata: { labels: { app: "x" } },
      spec: { restartPolicy: "Always", containers: [{ name: "c", image: "i" }] },
    },
  },
};

it("getPatch is the template replaced wholesale, keys sorted, creationTimestamp null as Go writes it", () => {
  assert.equal(
    JSON.stringify(getPatch(ds)),
    '{"spec":{"template":{"$patch":"replace","metadata":{"creationTimestamp":null,"labels":{"app":"x"}},"spec":{"containers":[{"image":"i","name":"c"}],"restartPolicy":"Always"}}}}',
  );
  assert.equal(ds.spec?.template.metadata?.creationTimestamp, undefined, "the DaemonSet is not modified");
});

it("match compares the data whatever its key order; maxRevision is the highest number", () => {
  const rev = (data: unknown, revision: number) => ({ revision, data }) as ControllerRevision;
  const same = JSON.parse(JSON.stringify(getPatch(ds)));
  same.spec.template = {
    spec: same.spec.template.spec,
    metadata: same.spec.template.metadata,
    $patch: "replace",
  };
  assert.equal(match(ds, rev(same, 1)), true);
  const other = structuredClone(same);
  other.spec.template.spec.containers[0].image = "j";
  assert.equal(match(ds, rev(other, 2)), false);
  assert.equal(maxRevision([rev(same, 3), rev(other, 7), rev(other, 2)]), 7);
  assert.equal(maxRevision([]), 0);
});

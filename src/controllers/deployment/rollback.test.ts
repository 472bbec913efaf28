// The deprecated server-side rollback (annotation
// deprecated.deployment.rollback.to): the old template and annotations come
// back, the request is cleared, and upstream's events say what happened.
import assert from "node:assert/strict";
import { test } from "node:test";
import { rollback } from "./rollback.ts";
import { fakeSyncContext, newDeployment, newRS, T0 } from "./testing.ts";
import type { DeploymentObj } from "./util.ts";

function setup(rollbackTo: string) {
  const d = newDeployment("foo", 1);
  d.metadata!.annotations = {
    "deprecated.deployment.rollback.to": rollbackTo,
    "deployment.kubernetes.io/revision": "2",
    "kubernetes.io/change-cause": "v2",
  };
  const v1 = newRS("foo-v1", 0, T0 - 1000, { owner: d, revision: "1", image: "foo/bar:v1" });
  v1.metadata!.annotations!["kubernetes.io/change-cause"] = "v1";
  const v2 = newRS("foo-v2", 1, T0, { owner: d, revision: "2" });
  v2.spec!.template = structuredClone(d.spec!.template);
  return { d, rsList: [v2, v1] };
}

test("rollback to revision 0 restores the previous template and change-cause and clears the request", async () => {
  const { d, rsList } = setup("0");
  const ctx = fakeSyncContext();
  await rollback(ctx, d, rsList);
  const written = ctx.written.get("deployments/foo") as DeploymentObj;
  assert.equal(written.spec?.template.spec?.containers[0].image, "foo/bar:v1");
  assert.deepEqual(written.spec?.template.metadata?.labels, { foo: "bar" });
  assert.deepEqual(written.metadata?.annotations, {
    "deployment.kubernetes.io/revision": "2",
    "kubernetes.io/change-cause": "v1",
  });
  assert.deepEqual(ctx.events, [
    { type: "Normal", reason: "DeploymentRollback", message: 'Rolled back deployment "foo" to revision 1' },
  ]);
});

test("rollback to the current template or to an unknown revision only clears the request, with a warning", async () => {
  const same = setup("2");
  const ctx = fakeSyncContext();
  await rollback(ctx, same.d, same.rsList);
  assert.deepEqual(ctx.events, [
    {
      type: "Warning",
      reason: "DeploymentRollbackTemplateUnchanged",
      message: 'The rollback revision contains the same template as current deployment "foo"',
    },
  ]);
  const written = ctx.written.get("deployments/foo") as DeploymentObj;
  assert.equal(written.metadata?.annotations?.["deprecated.deployment.rollback.to"], undefined);
  const missing = setup("7");
  const ctx2 = fakeSyncContext();
  await rollback(ctx2, missing.d, missing.rsList);
  assert.deepEqual(ctx2.events, [
    {
      type: "Warning",
      reason: "DeploymentRollbackRevisionNotFound",
      message: "Unable to find the revision to rollback to.",
    },
  ]);
});

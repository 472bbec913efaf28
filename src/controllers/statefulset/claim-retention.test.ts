// The tables of upstream's TestIsClaimOwnerUpToDate, TestClaimOwnerUpToDateEdgeCases
// and TestUpdateClaimOwnerRefForSetAndPod (stateful_set_utils_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { StatefulSet } from "kubernetes-types/apps/v1.d.ts";
import type { PersistentVolumeClaim, Pod } from "kubernetes-types/core/v1.d.ts";
import type { OwnerReference } from "kubernetes-types/meta/v1.d.ts";
import {
  addControllerRef,
  isClaimOwnerUpToDate,
  updateClaimOwnerRefForSetAndPod,
} from "./claim-retention.ts";
import { POD_KIND, STATEFUL_SET_KIND } from "./identity.ts";

type Policy = "Retain" | "Delete";

function setWith(
  name: string,
  uid: string,
  replicas: number,
  whenScaled: Policy,
  whenDeleted: Policy,
): StatefulSet {
  return {
    metadata: { name, uid },
    spec: {
      replicas,
      selector: {},
      serviceName: "",
      template: {},
      persistentVolumeClaimRetentionPolicy: { whenScaled, whenDeleted },
    },
  };
}

const pod = (name: string, uid: string): Pod => ({ metadata: { name, uid } });

test("isClaimOwnerUpToDate wants the owners the policy names, whatever other owners there are", () => {
  const cases: Array<{
    name: string;
    scaled: Policy;
    deleted: Policy;
    needsPodRef: boolean;
    needsSetRef: boolean;
    replicas?: number;
    ordinal?: number;
  }> = [
    { name: "retain", scaled: "Retain", deleted: "Retain", needsPodRef: false, needsSetRef: false },
    { name: "on SS delete", scaled: "Retain", deleted: "Delete", needsPodRef: false, needsSetRef: true },
    {
      name: "on scaledown only, condemned",
      scaled: "Delete",
      deleted: "Retain",
      needsPodRef: true,
      needsSetRef: false,
      replicas: 2,
      ordinal: 2,
    },
    {
      name: "on scaledown only, remains",
      scaled: "Delete",
      deleted: "Retain",
      needsPodRef: false,
      needsSetRef: false,
      replicas: 2,
      ordinal: 1,
    },
    {
      name: "on both, condemned",
      scaled: "Delete",
      deleted: "Delete",
      needsPodRef: true,
      needsSetRef: false,
      replicas: 2,
      ordinal: 2,
    },
    {
      name: "on both, remains",
      scaled: "Delete",
      deleted: "Delete",
      needsPodRef: false,
      needsSetRef: true,
      replicas: 2,
      ordinal: 1,
    },
  ];
  for (const tc of cases) {
    for (const useOtherRefs of [false, true]) {
      for (const setPodRef of [false, true]) {
        for (const setSetRef of [false, true]) {
          const p = pod(`pod-${tc.ordinal ?? 0}`, "pod-123");
          const set = setWith("stateful-set", "ss-456", tc.replicas ?? 0, tc.scaled, tc.deleted);
          let refs: OwnerReference[] = [];
          if (setPodRef) refs = addControllerRef(refs, p, POD_KIND);
          if (setSetRef) refs = addControllerRef(refs, set, STATEFUL_SET_KIND);
          if (useOtherRefs) {
            refs.push(
              { name: "rand1", apiVersion: "v1", kind: "Pod", uid: "rand1-uid" },
              { name: "rand2", apiVersion: "v1", kind: "Pod", uid: "rand2-uid" },
            );
          }
          const claim: PersistentVolumeClaim = { metadata: { name: "target-claim", ownerReferences: refs } };
          const shouldMatch = setPodRef === tc.needsPodRef && setSetRef === tc.needsSetRef;
          assert.equal(
            isClaimOwnerUpToDate(claim, set, p),
            shouldMatch,
            `${tc.name} pod=${setPodRef} set=${setSetRef} others=${useOtherRefs}`,
          );
        }
      }
    }
  }
});

test("isClaimOwnerUpToDate edge cases: non-controller owners, stale uids, other controllers", () => {
  const both = ["Delete", "Delete"] as const;
  const onDelete = ["Retain", "Delete"] as const;
  const podRef = (uid: string, controller?: boolean): OwnerReference => ({
    name: "pod-1",
    apiVersion: "v1",
    kind: "Pod",
    uid,
    ...(controller ? { controller } : {}),
  });
  const setRef = (uid: string, controller?: boolean, apiVersion = "apps/v1"): OwnerReference => ({
    name: "stateful-set",
    apiVersion,
    kind: "StatefulSet",
    uid,
    ...(controller ? { controller } : {}),
  });
  const cases: Array<{
    name: string;
    refs: OwnerReference[];
    policy: readonly [Policy, Policy];
    match: boolean;
  }> = [
    { name: "normal controller, pod", refs: [podRef("pod-123", true)], policy: both, match: true },
    {
      name: "non-controller causes policy mismatch, pod",
      refs: [podRef("pod-123")],
      policy: both,
      match: false,
    },
    {
      name: "stale controller does not affect policy, pod",
      refs: [podRef("pod-stale", true)],
      policy: both,
      match: true,
    },
    {
      name: "unexpected controller causes policy mismatch, pod",
      refs: [
        podRef("pod-123", true),
        { name: "Random", apiVersion: "v1", kind: "Pod", uid: "random", controller: true },
      ],
      policy: both,
      match: false,
    },
    { name: "normal controller, set", refs: [setRef("ss-456", true)], policy: onDelete, match: true },
    {
      name: "non-controller causes policy mismatch, set",
      refs: [setRef("ss-456", false, "appsv1")],
      policy: onDelete,
      match: false,
    },
    {
      name: "stale controller ignored, set",
      refs: [setRef("set-stale", true)],
      policy: onDelete,
      match: true,
    },
    {
      name: "unexpected controller causes policy mismatch, set",
      refs: [
        setRef("ss-456", true),
        { name: "Random", apiVersion: "apps/v1", kind: "StatefulSet", uid: "random", controller: true },
      ],
      policy: onDelete,
      match: false,
    },
  ];
  for (const tc of cases) {
    const claim: PersistentVolumeClaim = { metadata: { name: "target-claim", ownerReferences: tc.refs } };
    const set = setWith("stateful-set", "ss-456", 1, tc.policy[0], tc.policy[1]);
    assert.equal(isClaimOwnerUpToDate(claim, set, pod("pod-1", "pod-123")), tc.match, tc.name);
  }
});

test("updateClaimOwnerRefForSetAndPod leaves exactly the controller the policy wants", () => {
  const cases: Array<{
    name: string;
    scaled: Policy;
    deleted: Policy;
    condemned: boolean;
    needsPodRef: boolean;
    needsSetRef: boolean;
    unexpectedController?: boolean;
  }> = [
    {
      name: "retain",
      scaled: "Retain",
      deleted: "Retain",
      condemned: false,
      needsPodRef: false,
      needsSetRef: false,
    },
    {
      name: "delete with set",
      scaled: "Retain",
      deleted: "Delete",
      condemned: false,
      needsPodRef: false,
      needsSetRef: true,
    },
    {
      name: "delete with scaledown, not condemned",
      scaled: "Delete",
      deleted: "Retain",
      condemned: false,
      needsPodRef: false,
      needsSetRef: false,
    },
    {
      name: "delete on scaledown, condemned",
      scaled: "Delete",
      deleted: "Retain",
      condemned: true,
      needsPodRef: true,
      needsSetRef: false,
    },
    {
      name: "delete on both, not condemned",
      scaled: "Delete",
      deleted: "Delete",
      condemned: false,
      needsPodRef: false,
      needsSetRef: true,
    },
    {
      name: "delete on both, condemned",
      scaled: "Delete",
      deleted: "Delete",
      condemned: true,
      needsPodRef: true,
      needsSetRef: false,
    },
    {
      name: "unexpected controller",
      scaled: "Delete",
      deleted: "Delete",
      condemned: true,
      needsPodRef: false,
      needsSetRef: false,
      unexpectedController: true,
    },
  ];
  for (const tc of cases) {
    for (let variations = 0; variations < 8; variations++) {
      const hasPodRef = (variations & 1) !== 0;
      const hasSetRef = (variations & 2) !== 0;
      const extraOwner = (variations & 3) !== 0;
      const set = setWith("ss", "ss-123", 5, tc.scaled, tc.deleted);
      const p = pod(tc.condemned ? "pod-8" : "pod-1", "pod-456");
      let refs: OwnerReference[] = [];
      if (hasPodRef) refs = addControllerRef(refs, p, POD_KIND);
      if (hasSetRef) refs = addControllerRef(refs, set, STATEFUL_SET_KIND);
      if (extraOwner) refs.push({ apiVersion: "custom/v1", kind: "random", name: "random", uid: "abc" });
      if (tc.unexpectedController) {
        refs.push({
          apiVersion: "custom/v1",
          kind: "Unknown",
          name: "unknown",
          uid: "xyz",
          controller: true,
        });
      }
      const claim: PersistentVolumeClaim = { metadata: { ownerReferences: refs } };
      updateClaimOwnerRefForSetAndPod(claim, set, p);
      const isController = (uid: string) =>
        claim.metadata?.ownerReferences?.find((r) => r.uid === uid)?.controller === true;
      assert.equal(isController("pod-456"), tc.needsPodRef, `${tc.name} pod=${hasPodRef} set=${hasSetRef}`);
      assert.equal(isController("ss-123"), tc.needsSetRef, `${tc.name} pod=${hasPodRef} set=${hasSetRef}`);
      if (extraOwner)
        assert.ok(
          claim.metadata?.ownerReferences?.some((r) => r.uid === "abc"),
          "other owners stay",
        );
    }
  }
});

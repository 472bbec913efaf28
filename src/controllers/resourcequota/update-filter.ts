// upstream's DefaultUpdateFilter (pkg/quota/v1/install/update_filter.go):
// which updates of a counted object can change a quota's usage. Creates are
// charged by the ResourceQuota admission plugin and are not watched at all;
// deletes always replenish.
import type { GroupResource } from "../../api/quota/evaluator.ts";
import { persistentVolumeClaimUsage } from "../../api/quota/persistent-volume-claims.ts";
import { quotaV1Pod } from "../../api/quota/pods.ts";
import { equals } from "../../api/quota/resources.ts";
import { quotaServiceType } from "../../api/quota/services.ts";
import type { Obj } from "../../api/registry.ts";

export type UpdateFilter = (gr: GroupResource, oldObj: Obj, newObj: Obj) => boolean;

export function defaultUpdateFilter(now: () => number): UpdateFilter {
  return (gr, oldObj, newObj) => {
    if (gr.group !== "") return false;
    switch (gr.resource) {
      case "pods":
        // A pod that finished (or outlived its deletion grace) gives its compute quota back.
        return quotaV1Pod(oldObj, now()) && !quotaV1Pod(newObj, now());
      case "services":
        return quotaServiceType(oldObj) !== quotaServiceType(newObj);
      case "persistentvolumeclaims":
        // Upstream's RequiresQuotaReplenish compares two fresh pointers, so it holds for every
        // update; comparing the usage keeps what it is there for (expansions) without the noise.
        return !equals(persistentVolumeClaimUsage(oldObj), persistentVolumeClaimUsage(newObj));
      default:
        return false;
    }
  };
}

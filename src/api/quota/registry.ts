// The evaluators quota knows (pkg/quota/v1/evaluator/core/registry.go,
// pkg/quota/v1/install and generic.NewRegistry): pods, services and claims
// have their own; configmaps, secrets, replication controllers and quotas are
// counted under a legacy name too; any other resource is counted as
// count/<resource>.<group> once someone registers it.
import { type GroupResource, groupResourceKey, type QuotaEvaluator } from "./evaluator.ts";
import { LEGACY_OBJECT_COUNT_ALIASES, ObjectCountEvaluator } from "./object-count.ts";
import { PersistentVolumeClaimEvaluator } from "./persistent-volume-claims.ts";
import { PodEvaluator } from "./pods.ts";
import { ServiceEvaluator } from "./services.ts";

/** DefaultIgnoredResources ("group/resource"): virtual resources, and events. */
export const IGNORED_RESOURCES: ReadonlySet<string> = new Set([
  "/bindings",
  "/componentstatuses",
  "authentication.k8s.io/tokenreviews",
  "authentication.k8s.io/selfsubjectreviews",
  "authorization.k8s.io/subjectaccessreviews",
  "authorization.k8s.io/selfsubjectaccessreviews",
  "authorization.k8s.io/localsubjectaccessreviews",
  "authorization.k8s.io/selfsubjectrulesreviews",
  "/events",
  "events.k8s.io/events",
]);

/** NewEvaluators: the core evaluators. now is the clock of the pod deletion grace rule. */
export function newCoreEvaluators(now?: () => number): QuotaEvaluator[] {
  return [
    new PodEvaluator(now),
    new ServiceEvaluator(),
    new PersistentVolumeClaimEvaluator(),
    ...Object.entries(LEGACY_OBJECT_COUNT_ALIASES).map(
      ([resource, alias]) => new ObjectCountEvaluator({ group: "", resource }, alias),
    ),
  ];
}

/** The evaluator for a group/resource: a core one, else an object counter (what admission uses). */
export function evaluatorFor(gr: GroupResource, now?: () => number): QuotaEvaluator {
  if (gr.group === "") {
    switch (gr.resource) {
      case "pods":
        return new PodEvaluator(now);
      case "services":
        return new ServiceEvaluator();
      case "persistentvolumeclaims":
        return new PersistentVolumeClaimEvaluator();
    }
  }
  return new ObjectCountEvaluator(gr, gr.group === "" ? LEGACY_OBJECT_COUNT_ALIASES[gr.resource] : undefined);
}

/** quota.Registry: evaluators by group/resource, in the order they were added. */
export class QuotaRegistry {
  private readonly byKey = new Map<string, QuotaEvaluator>();

  constructor(evaluators: QuotaEvaluator[] = []) {
    for (const e of evaluators) this.add(e);
  }

  add(e: QuotaEvaluator): void {
    this.byKey.set(groupResourceKey(e.groupResource), e);
  }

  get(gr: GroupResource): QuotaEvaluator | undefined {
    return this.byKey.get(groupResourceKey(gr));
  }

  list(): QuotaEvaluator[] {
    return [...this.byKey.values()];
  }
}

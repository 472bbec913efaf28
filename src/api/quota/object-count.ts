// generic.objectCountEvaluator: one `count/<resource>[.<group>]` per stored
// object, plus the older unprefixed name a few core kinds were counted under.
import { Format, Quantity } from "../../machinery/quantity.ts";
import type { GroupResource, QuotaAttributes, QuotaEvaluator } from "./evaluator.ts";
import { objectCountName } from "./evaluator.ts";
import { intersection, type ResourceList } from "./resources.ts";

/** legacyObjectCountAliases of pkg/quota/v1/evaluator/core/registry.go. */
export const LEGACY_OBJECT_COUNT_ALIASES: Readonly<Record<string, string>> = {
  configmaps: "configmaps",
  resourcequotas: "resourcequotas",
  replicationcontrollers: "replicationcontrollers",
  secrets: "secrets",
};

export class ObjectCountEvaluator implements QuotaEvaluator {
  readonly resourceNames: string[];

  constructor(
    readonly groupResource: GroupResource,
    alias?: string,
  ) {
    this.resourceNames = [objectCountName(groupResource), ...(alias ? [alias] : [])];
  }

  /** Only creates add an object. */
  handles(a: QuotaAttributes): boolean {
    return a.operation === "CREATE";
  }

  matchingResources(names: string[]): string[] {
    return intersection(names, this.resourceNames);
  }

  /** generic.MatchesNoScopeFunc: a scoped quota counts no objects of this kind. */
  matchesScope(): boolean {
    return false;
  }

  constraints(): string | undefined {
    return undefined;
  }

  usage(): ResourceList {
    return new Map(this.resourceNames.map((n) => [n, Quantity.fromInt(1, Format.DecimalSI)]));
  }
}

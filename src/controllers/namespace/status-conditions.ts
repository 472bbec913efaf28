// upstream's pkg/controller/namespace/deletion/status_condition_utils.go: what
// went wrong (or right) while emptying a Terminating namespace, as the five
// conditions `kubectl describe namespace` shows. Every sync sets all five:
// a failure's True condition, or the "ok" False one.
import type { Namespace, NamespaceCondition } from "kubernetes-types/core/v1.d.ts";
import { GroupDiscoveryFailedError } from "./discovery.ts";

export const NAMESPACE_DELETION_DISCOVERY_FAILURE = "NamespaceDeletionDiscoveryFailure";
export const NAMESPACE_DELETION_GV_PARSING_FAILURE = "NamespaceDeletionGroupVersionParsingFailure";
export const NAMESPACE_DELETION_CONTENT_FAILURE = "NamespaceDeletionContentFailure";
export const NAMESPACE_CONTENT_REMAINING = "NamespaceContentRemaining";
export const NAMESPACE_FINALIZERS_REMAINING = "NamespaceFinalizersRemaining";

/** The condition types the namespace deleter maintains, in upstream's order. */
export const CONDITION_TYPES = [
  NAMESPACE_DELETION_DISCOVERY_FAILURE,
  NAMESPACE_DELETION_GV_PARSING_FAILURE,
  NAMESPACE_DELETION_CONTENT_FAILURE,
  NAMESPACE_CONTENT_REMAINING,
  NAMESPACE_FINALIZERS_REMAINING,
] as const;

const OK_MESSAGES: Record<string, string> = {
  [NAMESPACE_DELETION_DISCOVERY_FAILURE]: "All resources successfully discovered",
  [NAMESPACE_DELETION_GV_PARSING_FAILURE]: "All legacy kube types successfully parsed",
  [NAMESPACE_DELETION_CONTENT_FAILURE]: "All content successfully deleted, may be waiting on finalization",
  [NAMESPACE_CONTENT_REMAINING]: "All content successfully removed",
  [NAMESPACE_FINALIZERS_REMAINING]: "All content successfully removed",
};

const OK_REASONS: Record<string, string> = {
  [NAMESPACE_DELETION_DISCOVERY_FAILURE]: "ResourcesDiscovered",
  [NAMESPACE_DELETION_GV_PARSING_FAILURE]: "ParsedGroupVersions",
  [NAMESPACE_DELETION_CONTENT_FAILURE]: "ContentDeleted",
  [NAMESPACE_CONTENT_REMAINING]: "ContentRemoved",
  [NAMESPACE_FINALIZERS_REMAINING]: "ContentRemoved",
};

/** What is left after one pass (upstream's allGVRDeletionMetadata). */
export interface ContentTotals {
  /** Per resource: its group, name and how many instances remain. */
  gvrToNumRemaining: Map<string, { group: string; resource: string; count: number }>;
  /** Per finalizer: how many remaining instances carry it. */
  finalizersToNumRemaining: Map<string, number>;
}

/** Go's sort.Strings: byte order, which for these ASCII messages is UTF-16 order. */
const sortStrings = (l: string[]) => l.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

export class NamespaceConditionUpdater {
  private readonly newConditions: NamespaceCondition[] = [];
  private readonly deleteContentErrors: Error[] = [];

  /** now: metav1.Now() as RFC 3339. */
  constructor(private readonly now: () => string) {}

  /** ProcessGroupVersionErr */
  processGroupVersionErr(err: Error): void {
    this.newConditions.push(
      this.failed(NAMESPACE_DELETION_GV_PARSING_FAILURE, "GroupVersionParsingFailed", err.message),
    );
  }

  /** ProcessDiscoverResourcesErr */
  processDiscoverResourcesErr(err: Error): void {
    const msg =
      err instanceof GroupDiscoveryFailedError
        ? `Discovery failed for some groups, ${err.groups.size} failing: ${err.message}`
        : err.message;
    this.newConditions.push(this.failed(NAMESPACE_DELETION_DISCOVERY_FAILURE, "DiscoveryFailed", msg));
  }

  /** ProcessContentTotals */
  processContentTotals(t: ContentTotals): void {
    if (t.gvrToNumRemaining.size !== 0) {
      const remaining: string[] = [];
      for (const { group, resource, count } of t.gvrToNumRemaining.values()) {
        if (count === 0) continue;
        remaining.push(`${resource}.${group} has ${count} resource instances`);
      }
      this.newConditions.push(
        this.failed(
          NAMESPACE_CONTENT_REMAINING,
          "SomeResourcesRemain",
          `Some resources are remaining: ${sortStrings(remaining).join(", ")}`,
        ),
      );
    }
    if (t.finalizersToNumRemaining.size !== 0) {
      const byFinalizer: string[] = [];
      for (const [finalizer, count] of t.finalizersToNumRemaining) {
        if (count === 0) continue;
        byFinalizer.push(`${finalizer} in ${count} resource instances`);
      }
      this.newConditions.push(
        this.failed(
          NAMESPACE_FINALIZERS_REMAINING,
          "SomeFinalizerRemain",
          `Some finalizers are remaining: ${sortStrings(byFinalizer).join(", ")}`,
        ),
      );
    }
  }

  /** ProcessDeleteContentErr */
  processDeleteContentErr(err: Error): void {
    this.deleteContentErrors.push(err);
  }

  /** Update: writes every condition into ns.status; true when any changed. */
  update(ns: Namespace): boolean {
    if (!getCondition(this.newConditions, NAMESPACE_DELETION_CONTENT_FAILURE)) {
      const c = this.makeDeleteContentCondition();
      if (c) this.newConditions.push(c);
    }
    ns.status ??= {};
    ns.status.conditions ??= [];
    return this.updateConditions(ns.status.conditions);
  }

  private makeDeleteContentCondition(): NamespaceCondition | undefined {
    const errs = this.deleteContentErrors;
    if (errs.length === 0) return undefined;
    const msgs = sortStrings(errs.map((e) => e.message));
    return this.failed(
      NAMESPACE_DELETION_CONTENT_FAILURE,
      "ContentDeletionFailed",
      `Failed to delete all resource types, ${errs.length} remaining: ${msgs.join(", ")}`,
    );
  }

  private updateConditions(conditions: NamespaceCondition[]): boolean {
    let changed = false;
    for (const type of CONDITION_TYPES) {
      const next = getCondition(this.newConditions, type) ?? this.succeeded(type);
      const old = getCondition(conditions, type);
      if (!old) {
        conditions.push(next);
        changed = true;
      } else if (old.status !== next.status || old.message !== next.message || old.reason !== next.reason) {
        if (old.status !== next.status) old.lastTransitionTime = this.now();
        old.type = next.type;
        old.status = next.status;
        old.reason = next.reason;
        old.message = next.message;
        changed = true;
      }
    }
    return changed;
  }

  private failed(type: string, reason: string, message: string): NamespaceCondition {
    return { type, status: "True", lastTransitionTime: this.now(), reason, message };
  }

  private succeeded(type: string): NamespaceCondition {
    return {
      type,
      status: "False",
      lastTransitionTime: this.now(),
      reason: OK_REASONS[type],
      message: OK_MESSAGES[type],
    };
  }
}

function getCondition(conditions: NamespaceCondition[], type: string): NamespaceCondition | undefined {
  return conditions.find((c) => c.type === type);
}

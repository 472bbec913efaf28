// ClusterRole aggregation (pkg/controller/clusterroleaggregation): a role with
// an aggregationRule holds the union of the rules of every ClusterRole its
// selectors match, kept current as roles change. Upstream runs it in the
// controller-manager; here it is a loop inside the apiserver, fed by the RBAC
// watch cache, writing as upstream does (server-side apply, manager
// "clusterrole-aggregation-controller", forced).
import type { ClusterRole, PolicyRule } from "kubernetes-types/rbac/v1.d.ts";
import { applySchemaFor } from "../../../api/apply-schema.ts";
import type { Obj } from "../../../api/registry.ts";
import { apply } from "../../../machinery/apply/field-manager.ts";
import { labelSelectorAsSelector } from "../../../machinery/labels.ts";
import { isNotFound } from "../../../machinery/status.ts";
import type { Registry } from "../../registry/index.ts";
import type { RbacCache } from "./cache.ts";
import { RBAC_GROUP } from "./rule.ts";

export const AGGREGATION_MANAGER = "clusterrole-aggregation-controller";

/** Semantic equality of rules: a missing list and an empty one are the same, as equality.Semantic has it. */
function ruleKey(r: PolicyRule): string {
  const list = (xs: string[] | undefined) => (xs && xs.length > 0 ? xs : []);
  return JSON.stringify([
    list(r.verbs),
    list(r.apiGroups),
    list(r.resources),
    list(r.resourceNames),
    list(r.nonResourceURLs),
  ]);
}

const byteCompare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function sameRules(
  a: readonly PolicyRule[] | undefined,
  b: readonly PolicyRule[] | undefined,
): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((r, i) => ruleKey(r) === ruleKey(y[i]));
}

/**
 * The rules an aggregated role should hold: those of every other ClusterRole
 * its selectors match, role by role in name order, each rule once. Throws on
 * a selector that does not parse.
 */
export function aggregatedRules(role: ClusterRole, all: readonly ClusterRole[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const seen = new Set<string>();
  for (const sel of role.aggregationRule?.clusterRoleSelectors ?? []) {
    const selector = labelSelectorAsSelector(sel);
    const matched = all
      .filter((r) => selector.matches(r.metadata?.labels ?? {}))
      .sort((a, b) => byteCompare(a.metadata?.name ?? "", b.metadata?.name ?? ""));
    for (const r of matched) {
      if (r.metadata?.name === role.metadata?.name) continue;
      for (const rule of r.rules ?? []) {
        const k = ruleKey(rule);
        if (seen.has(k)) continue;
        seen.add(k);
        out.push(rule);
      }
    }
  }
  return out;
}

export interface ClusterRoleAggregatorOptions {
  registry: Registry;
  cache: RbacCache;
  now?: () => Date;
  onError?: (e: unknown) => void;
  /** Delay before retrying after a failed write. */
  retryMs?: number;
}

export class ClusterRoleAggregator {
  private unsubscribe?: () => void;
  private running?: Promise<void>;
  private dirty = false;
  private stopped = true;
  private retry?: NodeJS.Timeout;

  constructor(private readonly opts: ClusterRoleAggregatorOptions) {}

  /** Aggregates every role until nothing changes, then follows ClusterRole changes until stop(). */
  async start(): Promise<void> {
    this.stopped = false;
    for (let pass = 0; pass < 8; pass++) {
      const rev = await this.syncAll();
      if (rev === 0) break;
      // Roles aggregate other aggregated roles (edit into admin): read our own writes before the next pass.
      await this.opts.cache.clusterRoles.waitForRevision(rev);
    }
    this.unsubscribe = this.opts.cache.onClusterRoleChange(() => this.enqueue());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearTimeout(this.retry);
    await this.running;
  }

  /** Every change may affect any aggregated role: resync them all, once at a time, coalescing bursts. */
  private enqueue(): void {
    if (this.stopped) return;
    if (this.running) {
      this.dirty = true;
      return;
    }
    this.running = (async () => {
      do {
        this.dirty = false;
        try {
          await this.syncAll();
        } catch (e) {
          this.opts.onError?.(e);
          clearTimeout(this.retry);
          this.retry = setTimeout(() => this.enqueue(), this.opts.retryMs ?? 1000);
          this.retry.unref?.();
        }
      } while (this.dirty && !this.stopped);
      this.running = undefined;
    })();
  }

  /** Syncs every aggregated role from the cache; returns the highest revision written (0: none). */
  async syncAll(): Promise<number> {
    const all = this.opts.cache.listClusterRoles();
    let written = 0;
    let firstError: unknown;
    for (const role of all) {
      if (!role.aggregationRule) continue;
      try {
        written = Math.max(written, await this.sync(role, all));
      } catch (e) {
        firstError ??= e;
      }
    }
    if (firstError) throw firstError;
    return written;
  }

  private async sync(role: ClusterRole, all: readonly ClusterRole[]): Promise<number> {
    const rules = aggregatedRules(role, all);
    if (sameRules(rules, role.rules)) return 0;
    const store = this.opts.registry.byResource(RBAC_GROUP, "v1", "clusterroles")!;
    const gvk = { group: RBAC_GROUP, version: "v1", kind: "ClusterRole" };
    const name = role.metadata!.name!;
    let updated = false;
    const r = await store
      .guaranteedUpdate(undefined, name, (current) => {
        if (!current) return undefined;
        // The cache may lag the store: decide on the stored object.
        updated = false;
        if (!current?.aggregationRule || sameRules(rules, current.rules)) return undefined;
        updated = true;
        const applied: Obj = { apiVersion: `${RBAC_GROUP}/v1`, kind: "ClusterRole", metadata: { name } };
        if (rules.length > 0) applied.rules = rules;
        let next: Obj;
        try {
          next = apply(current, applied, {
            manager: AGGREGATION_MANAGER,
            apiVersion: `${RBAC_GROUP}/v1`,
            kind: "ClusterRole",
            now: (this.opts.now ?? (() => new Date()))(),
            schema: applySchemaFor(gvk),
            force: true,
          }).object;
        } catch {
          // As upstream's fallback to a plain update.
          next = structuredClone(current);
          next.rules = rules;
        }
        return store.prepareUpdate(next, current);
      })
      .catch((e) => {
        // Deleted since the cache saw it: nothing to aggregate.
        if (isNotFound(e)) return undefined;
        throw e;
      });
    if (!r) return 0;
    return updated ? Number(r.object.metadata?.resourceVersion ?? 0) : 0;
  }
}

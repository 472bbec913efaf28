// ResourceQuota (k8s.io/apiserver/pkg/admission/plugin/resourcequota): a write
// that would take a namespace past a quota's status.hard is refused; one that
// fits is charged to the quota's status.used before it is allowed, with
// optimistic concurrency on the quota (a conflict re-reads and re-checks).
// Recomputing usage from what is stored is the quota controller's job.

import { groupResourceKey, type QuotaEvaluator, quotaMatches } from "../../../api/quota/evaluator.ts";
import { evaluatorFor, IGNORED_RESOURCES } from "../../../api/quota/registry.ts";
import {
  add,
  equals,
  lessThanOrEqual,
  mask,
  negativeNames,
  type ResourceList,
  removeZeros,
  resourceList,
  subtractNonNegative,
  toJSON,
} from "../../../api/quota/resources.ts";
import type { Obj } from "../../../api/registry.ts";
import { newInternalError } from "../../../machinery/status.ts";
import type { Registry } from "../../registry/index.ts";
import type { ResourceStore } from "../../registry/resource-store.ts";
import type { AdmissionAttributes, Operation, ValidatingPlugin } from "../admission.ts";
import { admissionForbidden } from "./errors.ts";
import type { ObjectCache } from "./object-cache.ts";

/** Attempts after the first when a quota update conflicts (checkQuotas' remainingRetries). */
const UPDATE_RETRIES = 3;
const EVALUATION_TIMEOUT_MS = 10_000;

export interface ResourceQuotaOptions {
  registry: Registry;
  now?: () => number;
  /** A quota cache: namespaces without quotas (nearly all) then cost no store read. */
  cache?: ObjectCache;
}

/** prettyPrint: `pods=1,requests.cpu=500m`, names sorted. */
export function prettyPrint(list: ResourceList): string {
  return [...list.keys()]
    .sort()
    .map((k) => `${k}=${list.get(k)!.toString()}`)
    .join(",");
}

function prettyPrintNames(names: string[]): string {
  return [...names].sort().join(",");
}

/** A quota as the check works on it: the stored object and its parsed status. */
interface QuotaState {
  quota: Obj;
  hard: ResourceList;
  used: ResourceList;
}

function stateOf(quota: Obj): QuotaState {
  return { quota, hard: resourceList(quota.status?.hard), used: resourceList(quota.status?.used) };
}

export class ResourceQuotaAdmission implements ValidatingPlugin {
  readonly name = "ResourceQuota";
  private readonly registry: Registry;
  private readonly now: () => number;
  /** One evaluation at a time per namespace, as upstream's per-namespace work queue. */
  private readonly locks = new Map<string, Promise<void>>();

  constructor(opts: ResourceQuotaOptions) {
    this.registry = opts.registry;
    this.now = opts.now ?? Date.now;
    this.cache = opts.cache;
  }

  private readonly cache: ObjectCache | undefined;

  handles(op: Operation): boolean {
    return op === "CREATE" || op === "UPDATE";
  }

  async validate(a: AdmissionAttributes): Promise<void> {
    if (a.subresource !== "") return;
    if (!a.namespace) return;
    if (a.operation === "CREATE" && a.kind.group === "" && a.kind.kind === "Namespace") return;
    const gr = { group: a.resource.group, resource: a.resource.resource };
    if (IGNORED_RESOURCES.has(groupResourceKey(gr))) return;
    if (!a.object) return;
    const evaluator = evaluatorFor(gr, this.now);
    if (!evaluator.handles(a)) return;
    // Namespaces without quotas (most) are not serialized: one read decides.
    // The cache may answer "none here"; when there are quotas, the store's own copy is what counts.
    if (this.cache?.synced && this.cache.list(a.namespace).length === 0) return;
    const { items } = await this.quotas().list(a.namespace);
    if (items.length === 0) return;
    await this.serialized(a.namespace, () => this.evaluate(a, evaluator));
  }

  private quotas(): ResourceStore {
    return this.registry.byResource("", "v1", "resourcequotas")!;
  }

  private serialized(namespace: string, fn: () => Promise<void>): Promise<void> {
    const prev = this.locks.get(namespace) ?? Promise.resolve();
    const work = prev.then(fn);
    // The chain must never reject, or one failed request would fail all after it.
    const tail = work.catch(() => {});
    this.locks.set(namespace, tail);
    void tail.then(() => {
      if (this.locks.get(namespace) === tail) this.locks.delete(namespace);
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(newInternalError("resource quota evaluation timed out")),
        EVALUATION_TIMEOUT_MS,
      );
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  /** checkAttributes + checkQuotas for one request. */
  private async evaluate(a: AdmissionAttributes, evaluator: QuotaEvaluator): Promise<void> {
    let quotas = ((await this.quotas().list(a.namespace)).items as Obj[]).map(stateOf);
    if (quotas.length === 0) return;
    let lastErr: unknown;
    for (let retries = UPDATE_RETRIES; ; retries--) {
      const next = checkRequest(quotas, a, evaluator);
      if (a.dryRun) return;
      const changed = next.filter((q, i) => !equals(q.used, quotas[i].used));
      if (changed.length === 0) return;
      const failed: string[] = [];
      for (const q of changed) {
        try {
          await this.updateUsed(q);
        } catch (e) {
          failed.push(q.quota.metadata.name);
          lastErr = e;
        }
      }
      if (failed.length === 0) return;
      if (retries <= 0) throw lastErr;
      // Re-read the quotas that failed; one deleted meanwhile no longer applies.
      const fresh = ((await this.quotas().list(a.namespace)).items as Obj[]).filter((q) =>
        failed.includes(q.metadata.name),
      );
      if (fresh.length === 0) return;
      quotas = fresh.map(stateOf);
    }
  }

  /** UpdateQuotaStatus: status.used only, and only over the version the check read. */
  private async updateUsed(q: QuotaState): Promise<void> {
    const meta = q.quota.metadata;
    await this.quotas().guaranteedUpdate(
      meta.namespace,
      meta.name,
      (current) => {
        if (!current) return undefined;
        current.status = { ...(current.status ?? {}), used: toJSON(q.used) };
        return current;
      },
      { expectedRv: meta.resourceVersion },
    );
  }
}

/**
 * CheckRequest: the quotas as they would be with this request charged, or a
 * 403 when the object misses something a quota needs, a quota's usage is not
 * known yet, or a quota would be exceeded.
 */
export function checkRequest(
  quotas: QuotaState[],
  a: AdmissionAttributes,
  evaluator: QuotaEvaluator,
): QuotaState[] {
  const obj = a.object!;
  const interesting: number[] = [];
  for (let i = 0; i < quotas.length; i++) {
    const { quota, hard, used } = quotas[i];
    let match: boolean;
    try {
      match = quotaMatches(evaluator, quota, obj);
    } catch (e) {
      throw new Error(`error matching scopes of quota ${quota.metadata?.name}, err: ${(e as Error).message}`);
    }
    if (!match) continue;
    const restricted = evaluator.matchingResources([...hard.keys()]);
    const missing = evaluator.constraints(restricted, obj);
    if (missing) throw admissionForbidden(a, `failed quota: ${quota.metadata.name}: ${missing}`);
    // hasUsageStats: every tracked hard limit needs a used figure from the controller.
    if (restricted.some((r) => hard.has(r) && !used.has(r))) {
      throw admissionForbidden(
        a,
        `status unknown for quota: ${quota.metadata.name}, resources: ${prettyPrintNames(restricted)}`,
      );
    }
    interesting.push(i);
  }
  if (a.namespace && obj.metadata && !obj.metadata.namespace) obj.metadata.namespace = a.namespace;
  const inputUsage = evaluator.usage(obj);
  const negative = negativeNames(inputUsage);
  if (negative.length > 0) {
    throw admissionForbidden(a, `quota usage is negative for resource(s): ${prettyPrintNames(negative)}`);
  }
  const delta = new Map<number, ResourceList>(interesting.map((i) => [i, inputUsage]));
  if (a.operation === "UPDATE") {
    const prev = a.oldObject;
    if (!prev) {
      throw admissionForbidden(a, "unable to get previous usage since prior version of object was not found");
    }
    // Without a resourceVersion this may be a create through update: charge it all.
    if (prev.metadata?.resourceVersion) {
      const change = subtractNonNegative(inputUsage, evaluator.usage(prev));
      for (const i of interesting) {
        if (quotaMatches(evaluator, quotas[i].quota, prev)) delta.set(i, change);
      }
    }
  }
  for (const [i, usage] of delta) {
    const nonZero = removeZeros(usage);
    if (nonZero.size === 0) delta.delete(i);
    else delta.set(i, nonZero);
  }
  if (interesting.length === 0 || delta.size === 0) return quotas;

  const out = quotas.map((q) => ({ ...q }));
  for (const i of interesting) {
    const usage = delta.get(i);
    if (!usage) continue;
    const { quota, hard, used } = quotas[i];
    const requested = mask(usage, hard.keys());
    const newUsage = add(used, requested);
    const { allowed, exceeded } = lessThanOrEqual(mask(newUsage, requested.keys()), hard);
    if (!allowed) {
      throw admissionForbidden(
        a,
        `exceeded quota: ${quota.metadata.name}, requested: ${prettyPrint(mask(requested, exceeded))}, used: ${prettyPrint(mask(used, exceeded))}, limited: ${prettyPrint(mask(hard, exceeded))}`,
      );
    }
    out[i] = { ...out[i], used: newUsage };
  }
  return out;
}

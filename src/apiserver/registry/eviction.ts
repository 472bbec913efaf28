// pods/eviction (upstream's pkg/registry/core/pod/storage/eviction.go): a
// policy/v1 Eviction POSTed for a pod deletes it only if the one
// PodDisruptionBudget that selects it allows a disruption. The budget's
// disruptionsAllowed is decremented and the pod recorded in its
// status.disruptedPods before the pod is deleted, so that two evictions racing
// for the last allowed disruption cannot both win; the disruption controller
// drops the entry once it sees the pod going (or after two minutes).
//
// Pods that are already terminal, pending or being deleted skip the budget.
// A pod that is not Ready skips the decrement when its budget is not disrupted
// anyway (IfHealthyBudget, the default) or always (AlwaysAllow); the delete
// then carries the pod's resourceVersion, so that a pod turning Ready in the
// meantime is not evicted unchecked.
import type { IncomingMessage, ServerResponse } from "node:http";
import { decodeProtobufBody } from "../../api/protobuf/body.ts";
import { ProtobufDecodeError } from "../../api/protobuf/errors.ts";
import type { Obj } from "../../api/registry.ts";
import { DecodeError, decodeBody } from "../../api/strict-decode.ts";
import { labelSelectorAsSelector } from "../../machinery/labels.ts";
import {
  makeStatus,
  newBadRequest,
  newConflict,
  newForbidden,
  newNotFound,
  newTooManyRequests,
  newUnsupportedMediaType,
  type Status,
  StatusError,
  StatusReason,
} from "../../machinery/status.ts";
import { recordRequestObject } from "../audit/auditor.ts";
import { readBody, writeJson } from "../http.ts";
import type { Registry } from "./index.ts";
import type { DeleteOptions, ResourceStore, StoreAdmission } from "./resource-store.ts";

/**
 * Entries of status.disruptedPods beyond which evictions are refused: the
 * disruption controller has fallen behind (upstream's MaxDisruptedPodSize).
 */
export const MAX_DISRUPTED_POD_SIZE = 2000;

/** upstream's EvictionsRetry: 20 attempts, 500 ms apart with 10% jitter. */
const EVICTIONS_RETRY = { steps: 20, durationMs: 500, jitter: 0.1 };

/** policyv1.DisruptionBudgetCause. */
export const DISRUPTION_BUDGET_CAUSE = "DisruptionBudget";
export const EVICTION_VIOLATES_BUDGET = "Cannot evict pod as it would violate the pod's disruption budget.";
export const MULTIPLE_BUDGETS =
  "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.";

const PDB_GROUP_RESOURCE = { group: "policy", resource: "poddisruptionbudget" };
const EVICTION_VERSIONS = new Set(["policy/v1", "policy/v1beta1"]);
const PROTOBUF = "application/vnd.kubernetes.protobuf";

export interface EvictionContext {
  registry: Registry;
  /** The pods store. */
  pods: ResourceStore;
  namespace: string;
  /** The pod named on the URL. */
  name: string;
  query: URLSearchParams;
  /** Admission of the pods/eviction CREATE, bound to the request's user. */
  admission?: StoreAdmission;
  now?: () => number;
  /** Waits between conflicting attempts (tests shorten it). */
  sleep?: (ms: number) => Promise<void>;
}

/** metav1.DeleteOptions as an Eviction carries it. */
interface EvictionDeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  dryRun?: string[];
}

/** Serves POST …/pods/<name>/eviction: decode, admit, evict, answer 201 Success. */
export async function serveEviction(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: EvictionContext,
): Promise<void> {
  const eviction = decodeEviction(await readBody(req), req.headers["content-type"]);
  recordRequestObject(req, eviction);
  const status = await evictPod(eviction, ctx);
  writeJson(res, status.code ?? 201, status);
}

/** The Eviction in the body, as JSON, YAML or protobuf; policy/v1beta1 is accepted too. */
export function decodeEviction(data: Buffer, contentType: string | undefined): Obj {
  const media = (contentType ?? "application/json").split(";")[0].trim().toLowerCase();
  const gvk = { group: "policy", version: "v1", kind: "Eviction" };
  let obj: unknown;
  if (media === PROTOBUF) {
    try {
      obj = decodeProtobufBody(data, gvk).object;
    } catch (e) {
      if (e instanceof ProtobufDecodeError) throw newBadRequest(e.message);
      throw e;
    }
  } else if (media === "application/json" || media === "application/yaml" || media === "") {
    try {
      obj = decodeBody(data, media || undefined, gvk).object;
    } catch (e) {
      if (e instanceof DecodeError) throw newBadRequest(`error decoding Eviction: ${e.message}`);
      throw e;
    }
  } else {
    throw newUnsupportedMediaType(["application/json", "application/yaml", PROTOBUF]);
  }
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
    throw newBadRequest("error decoding Eviction: not an object");
  }
  const o = obj as Obj;
  if (o.apiVersion !== undefined && !EVICTION_VERSIONS.has(o.apiVersion)) {
    throw newBadRequest(
      `the API version in the data (${o.apiVersion}) does not match the expected API version (policy/v1)`,
    );
  }
  if (o.kind !== undefined && o.kind !== "Eviction") {
    throw newBadRequest(`${o.kind} in version "v1" cannot be handled as a Eviction`);
  }
  o.metadata ??= {};
  return o;
}

/**
 * EvictionREST.Create: checks the pod's budget, records the disruption, and
 * deletes the pod. Returns the Success Status (code 201); throws a
 * StatusError (429 when the budget does not allow it).
 */
export async function evictPod(eviction: Obj, ctx: EvictionContext): Promise<Status> {
  const { pods, namespace: ns, name } = ctx;
  if (eviction.metadata.namespace && eviction.metadata.namespace !== ns) {
    throw newBadRequest(
      "the namespace of the provided object does not match the namespace sent on the request",
    );
  }
  eviction.metadata.namespace = ns;
  await ctx.admission?.admit("CREATE", eviction, undefined);
  if (name !== eviction.metadata.name) {
    throw newBadRequest("name in URL does not match name in Eviction object");
  }
  const original = propagateDryRun(eviction, ctx.query.getAll("dryRun"));
  const dryRun = (original.dryRun ?? []).length > 0;
  await ctx.admission?.validate("CREATE", structuredClone(eviction), undefined);

  const sleep = ctx.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = ctx.now ?? Date.now;

  // Pods that skip the budget are deleted at once (retrying on conflict unless the client set a resourceVersion).
  let pod: Obj | undefined;
  let deletedPod = false;
  await retryOnError(
    (e) => isConflict(e) && resourceVersionIsUnset(original),
    async () => {
      pod = await pods.get(ns, name);
      if (!canIgnorePDB(pod)) return;
      let options = original;
      // A pod turning Ready (and so guarded) meanwhile must not be deleted unchecked.
      if (shouldEnforceResourceVersion(pod) && resourceVersionIsUnset(original)) {
        options = withResourceVersion(original, pod.metadata.resourceVersion);
      }
      await addConditionAndDeletePod(pods, ns, name, options, now);
      deletedPod = true;
    },
    sleep,
  );
  if (deletedPod) return success();
  const current = pod as Obj;

  const pdbStore = ctx.registry.byResource("policy", "v1", "poddisruptionbudgets");
  if (!pdbStore)
    throw new StatusError(
      makeStatus({ status: "Failure", code: 500, message: "no PodDisruptionBudget storage" }),
    );
  const pdbs = await getPodDisruptionBudgets(pdbStore, current);
  if (pdbs.length > 1) {
    // upstream returns this Status as the result; the handler turns a Failure into the error it sends.
    throw new StatusError(makeStatus({ status: "Failure", code: 500, message: MULTIPLE_BUDGETS }));
  }
  let pdbName = "";
  let updateDeletionOptions = false;
  if (pdbs.length === 1) {
    let pdb = pdbs[0];
    pdbName = pdb.metadata.name;
    if (!isPodReady(current)) {
      // Not healthy: it does not count towards currentHealthy, so deleting it disrupts nothing more.
      if (pdb.spec?.unhealthyPodEvictionPolicy === "AlwaysAllow") {
        updateDeletionOptions = true;
      } else if (
        (pdb.status?.currentHealthy ?? 0) >= (pdb.status?.desiredHealthy ?? 0) &&
        (pdb.status?.desiredHealthy ?? 0) > 0
      ) {
        updateDeletionOptions = true;
      }
    }
    if (!updateDeletionOptions) {
      let refresh = false;
      // Another eviction took a disruption meanwhile: look at the budget again.
      await retryOnError(
        isConflict,
        async () => {
          if (refresh) pdb = await pdbStore.get(ns, pdbName);
          try {
            await checkAndDecrement(pdbStore, ns, name, pdb, dryRun, now);
          } catch (e) {
            refresh = true;
            throw e;
          }
        },
        sleep,
      );
    }
  }

  // No budget, or it allowed this one, or the pod is unready and the budget not disrupted.
  let options = original;
  if (updateDeletionOptions) options = withResourceVersion(original, current.metadata.resourceVersion);
  try {
    await addConditionAndDeletePod(pods, ns, name, options, now);
  } catch (e) {
    // The pod changed since it was judged unready: the client should come back.
    if (isConflict(e) && updateDeletionOptions && resourceVersionIsUnset(original)) {
      throw createTooManyRequestsError(pdbName);
    }
    throw e;
  }
  return success();
}

function success(): Status {
  return makeStatus({ status: "Success", code: 201 });
}

/** propagateDryRun: the request's dryRun and the Eviction's deleteOptions.dryRun must agree. */
function propagateDryRun(eviction: Obj, requestDryRun: string[]): EvictionDeleteOptions {
  const opts = eviction.deleteOptions as EvictionDeleteOptions | undefined | null;
  if (!opts) return { dryRun: requestDryRun };
  if (!opts.dryRun || opts.dryRun.length === 0) {
    opts.dryRun = requestDryRun;
    return opts;
  }
  if (requestDryRun.length === 0) return opts;
  const same =
    opts.dryRun.length === requestDryRun.length && opts.dryRun.every((v, i) => v === requestDryRun[i]);
  if (!same) {
    // A plain error in upstream: 500 with no reason.
    throw new StatusError(
      makeStatus({
        status: "Failure",
        code: 500,
        message: `Non-matching dry-run options in request and content: [${requestDryRun.join(" ")}] and [${opts.dryRun.join(" ")}]`,
      }),
    );
  }
  return opts;
}

function isConflict(e: unknown): boolean {
  return e instanceof StatusError && e.reason === StatusReason.Conflict;
}

function resourceVersionIsUnset(o: EvictionDeleteOptions): boolean {
  return (
    !o.preconditions ||
    o.preconditions.resourceVersion === undefined ||
    o.preconditions.resourceVersion === null
  );
}

function withResourceVersion(o: EvictionDeleteOptions, resourceVersion: string): EvictionDeleteOptions {
  return { ...o, preconditions: { ...o.preconditions, resourceVersion } };
}

/** canIgnorePDB: a finished, pending or terminating pod has disrupted nothing or already did. */
function canIgnorePDB(pod: Obj): boolean {
  const phase = pod.status?.phase;
  return (
    phase === "Succeeded" || phase === "Failed" || phase === "Pending" || !!pod.metadata.deletionTimestamp
  );
}

/** shouldEnforceResourceVersion: not for terminal pods or pods already being deleted. */
function shouldEnforceResourceVersion(pod: Obj): boolean {
  const phase = pod.status?.phase;
  return !(phase === "Succeeded" || phase === "Failed" || pod.metadata.deletionTimestamp);
}

function isPodReady(pod: Obj): boolean {
  return (pod.status?.conditions ?? []).some((c: Obj) => c.type === "Ready" && c.status === "True");
}

/** The 429 for a budget the disruption controller has not caught up with. */
function createTooManyRequestsError(pdbName: string): StatusError {
  const err = newTooManyRequests(EVICTION_VIOLATES_BUDGET, 10);
  err.status.details = {
    ...err.status.details,
    causes: [
      {
        reason: DISRUPTION_BUDGET_CAUSE,
        message: `The disruption budget ${pdbName} is still being processed by the server.`,
      },
    ],
  };
  return err;
}

/** getPodDisruptionBudgets: budgets of the pod's namespace whose (non-empty, valid) selector matches it. */
async function getPodDisruptionBudgets(pdbStore: ResourceStore, pod: Obj): Promise<Obj[]> {
  const list = await pdbStore.list(pod.metadata.namespace);
  const out: Obj[] = [];
  for (const pdb of list.items as Obj[]) {
    if (pdb.metadata.namespace !== pod.metadata.namespace) continue;
    let matches: boolean;
    try {
      const selector = labelSelectorAsSelector(pdb.spec?.selector);
      // A nil or empty selector should match nothing here, not everything.
      matches = !selector.empty() && selector.matches(pod.metadata.labels ?? {});
    } catch {
      matches = false;
    }
    if (matches) out.push(pdb);
  }
  return out;
}

/**
 * checkAndDecrement: refuses when the budget's status is stale or allows
 * nothing; else takes one disruption and records the pod in
 * status.disruptedPods (only the check under dryRun).
 */
async function checkAndDecrement(
  pdbStore: ResourceStore,
  namespace: string,
  podName: string,
  pdbIn: Obj,
  dryRun: boolean,
  now: () => number,
): Promise<void> {
  const pdb = structuredClone(pdbIn);
  const name = pdb.metadata.name;
  pdb.status ??= {};
  const status = pdb.status;
  if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0))
    throw createTooManyRequestsError(name);
  const allowed = status.disruptionsAllowed ?? 0;
  if (allowed < 0) throw newForbidden(PDB_GROUP_RESOURCE, name, "pdb disruptions allowed is negative");
  if (Object.keys(status.disruptedPods ?? {}).length > MAX_DISRUPTED_POD_SIZE) {
    throw newForbidden(
      PDB_GROUP_RESOURCE,
      name,
      "DisruptedPods map too big - too many evictions not confirmed by PDB controller",
    );
  }
  if (allowed === 0) {
    const err = newTooManyRequests(EVICTION_VIOLATES_BUDGET, 0);
    err.status.details = {
      ...err.status.details,
      causes: [
        {
          reason: DISRUPTION_BUDGET_CAUSE,
          message: `The disruption budget ${name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`,
        },
      ],
    };
    throw err;
  }
  status.disruptionsAllowed = allowed - 1;
  if (status.disruptionsAllowed === 0) updateDisruptionAllowedCondition(status, now());
  if (dryRun) return;
  // Told before the pod goes, so the controller does not count it healthy meanwhile.
  status.disruptedPods = { ...(status.disruptedPods ?? {}), [podName]: metaTime(now()) };
  await pdbStore.update(namespace, name, pdb, { subresource: "status" });
}

/**
 * pdbhelper.UpdateDisruptionAllowedCondition as the eviction needs it (the
 * disruption controller has the same in its own folder: components share no code).
 */
function updateDisruptionAllowedCondition(status: Obj, nowMs: number): void {
  status.conditions ??= [];
  const allowed = (status.disruptionsAllowed ?? 0) > 0;
  const next = {
    type: "DisruptionAllowed",
    status: allowed ? "True" : "False",
    reason: allowed ? "SufficientPods" : "InsufficientPods",
  };
  const gen = status.observedGeneration ?? 0;
  const conditions = status.conditions as Obj[];
  const i = conditions.findIndex((c) => c.type === next.type);
  const old = i < 0 ? undefined : conditions[i];
  const transition = old && old.status === next.status ? old.lastTransitionTime : metaTime(nowMs);
  const c: Obj = { type: next.type, status: next.status };
  if (gen) c.observedGeneration = gen;
  Object.assign(c, { lastTransitionTime: transition, reason: next.reason, message: old?.message ?? "" });
  if (i < 0) conditions.push(c);
  else conditions[i] = c;
}

/** metav1.Time: RFC 3339, whole seconds. */
function metaTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/**
 * addConditionAndDeletePod: marks the pod DisruptionTarget (EvictionByEvictionAPI)
 * through its status, then deletes it with the eviction's options; a
 * resourceVersion precondition follows the condition's own write.
 */
async function addConditionAndDeletePod(
  pods: ResourceStore,
  ns: string,
  name: string,
  options: EvictionDeleteOptions,
  now: () => number,
): Promise<void> {
  let opts = options;
  const dryRun = (opts.dryRun ?? []).length > 0;
  if (!dryRun) {
    const r = await pods.guaranteedUpdate(ns, name, (latest) => {
      if (!latest) throw newNotFound({ group: "", resource: "pods" }, name);
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== latest.metadata.uid) {
        throw newConflict(
          { group: "", resource: "Pod" },
          name,
          `the UID in the precondition (${pre.uid}) does not match the UID in record (${latest.metadata.uid}). The object might have been deleted and then recreated`,
        );
      }
      if (pre?.resourceVersion && pre.resourceVersion !== latest.metadata.resourceVersion) {
        throw newConflict(
          { group: "", resource: "Pod" },
          name,
          `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${latest.metadata.resourceVersion}). The object might have been modified`,
        );
      }
      const next = structuredClone(latest);
      next.status ??= {};
      updatePodCondition(
        next.status,
        {
          type: "DisruptionTarget",
          status: "True",
          reason: "EvictionByEvictionAPI",
          message: "Eviction API: evicting",
        },
        now(),
      );
      return pods.prepareUpdate(next, latest, "status");
    });
    // The condition's write moved the resourceVersion the client asked for.
    if (!resourceVersionIsUnset(opts)) opts = withResourceVersion(opts, r.object.metadata.resourceVersion);
  }
  const del: DeleteOptions = {
    dryRun,
    gracePeriodSeconds: opts.gracePeriodSeconds ?? undefined,
    propagationPolicy: opts.propagationPolicy ?? undefined,
    preconditions: opts.preconditions
      ? {
          uid: opts.preconditions.uid ?? undefined,
          resourceVersion: opts.preconditions.resourceVersion ?? undefined,
        }
      : undefined,
  };
  await pods.delete(ns, name, del);
}

/** podutil.UpdatePodCondition: the transition time moves only with the status. */
function updatePodCondition(
  status: Obj,
  cond: { type: string; status: string; reason: string; message: string },
  nowMs: number,
): void {
  status.conditions ??= [];
  const conditions = status.conditions as Obj[];
  const i = conditions.findIndex((c) => c.type === cond.type);
  const old = i < 0 ? undefined : conditions[i];
  const lastTransitionTime = old && old.status === cond.status ? old.lastTransitionTime : metaTime(nowMs);
  const next = {
    type: cond.type,
    status: cond.status,
    lastProbeTime: null,
    lastTransitionTime,
    reason: cond.reason,
    message: cond.message,
  };
  if (i < 0) conditions.push(next);
  else conditions[i] = next;
}

/**
 * retry.OnError with EvictionsRetry: runs fn until it succeeds, fails with an
 * error not retriable, or 20 attempts fail (then the last error is returned,
 * as client-go does since wait.Interrupted).
 */
async function retryOnError(
  retriable: (e: unknown) => boolean,
  fn: () => Promise<void>,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  let last: unknown;
  for (let i = 0; i < EVICTIONS_RETRY.steps; i++) {
    if (i > 0) await sleep(EVICTIONS_RETRY.durationMs * (1 + Math.random() * EVICTIONS_RETRY.jitter));
    try {
      await fn();
      return;
    } catch (e) {
      if (!retriable(e)) throw e;
      last = e;
    }
  }
  throw last;
}

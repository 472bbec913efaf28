// A static pod from a manifest (upstream's pkg/kubelet/config/common.go,
// v1.32): decode one Pod from YAML or JSON, apply the API's defaults, then the
// kubelet's own (applyDefaults: a uid hashed from the pod, the node and the
// file; `<name>-<node>`; the node binding; the config hash; tolerating every
// NoExecute taint so node problems never evict it) and validate it as a create.
import { createHash } from "node:crypto";
import type { Pod, Toleration } from "kubernetes-types/core/v1.d.ts";
import type { ObjectMeta } from "kubernetes-types/meta/v1.d.ts";
import { applyDefaults as applyApiDefaults } from "../../api/defaults/index.ts";
import { matchToleration } from "../../api/scheduling/taints.ts";
import { anyType, DecodeError, decodeJSON, decodeTypeFor, decodeYAML } from "../../api/strict-decode.ts";
import { podValidationOptions, validatePodCreate } from "../../api/validation/pod.ts";
import { ConfigHashAnnotationKey } from "./annotations.ts";

/** Manifests larger than this are not read (upstream's maxConfigLength, 10 MiB). */
export const maxConfigLength = 10 * (1 << 20);

export const ErrStaticPodTriedToUseClusterTrustBundle =
  "static pods may not use ClusterTrustBundle projected volume sources";
export const ErrStaticPodTriedToUseResourceClaims = "static pods may not use ResourceClaims";

export interface StaticPodSource {
  /** The manifest's path: part of the uid, so the same pod in two files is two pods. */
  source: string;
  nodeName: string;
}

/**
 * Decodes, defaults and validates the pod of one manifest (sourceFile.extractFromFile).
 * Throws an Error with upstream's message when the manifest is not a valid pod.
 */
export function decodeStaticPod(data: string, opts: StaticPodSource): Pod {
  const result = tryDecodeSinglePod(data, (pod) => applyDefaults(pod, opts.source, opts.nodeName));
  if (result.parsed) {
    if (result.error !== undefined) throw new Error(result.error);
    return result.pod;
  }
  throw new Error(`${opts.source}: couldn't parse as pod(${result.error}), please check config file`);
}

type DecodeResult = { parsed: true; pod: Pod; error?: undefined } | { parsed: boolean; error: string };

/** tryDecodeSinglePod: `parsed` is false when the data is not a Pod at all. */
function tryDecodeSinglePod(data: string, defaultFn: (pod: Pod) => void): DecodeResult {
  let obj: Record<string, unknown>;
  try {
    // JSON is valid YAML, so this works for both; the first document only, as upstream's ToJSON.
    const untyped = decodeYAML(data, anyType);
    const json = JSON.stringify(untyped.object);
    const { apiVersion, kind } = untyped.typeMeta;
    if (!kind) return { parsed: false, error: `Object 'Kind' is missing in '${json}'` };
    if (!apiVersion) return { parsed: false, error: `Object 'apiVersion' is missing in '${json}'` };
    if (apiVersion !== "v1" || kind !== "Pod") {
      return { parsed: false, error: `invalid pod: ${apiVersion}, Kind=${kind}` };
    }
    // Typed, as the scheme decodes: unknown fields dropped, wrong types rejected.
    const typed = decodeJSON(json, decodeTypeFor({ group: "", version: "v1", kind: "Pod" }));
    obj = typed.object as Record<string, unknown>;
  } catch (e) {
    if (e instanceof DecodeError) {
      return { parsed: false, error: e.message.replace(/^error converting YAML to JSON: /, "") };
    }
    throw e;
  }
  const pod = obj as Pod;
  if (!pod.metadata?.name) return { parsed: true, error: "invalid pod: name is needed for the pod" };

  applyApiDefaults("", "Pod", obj);
  defaultFn(pod);
  const errs = validatePodCreate(pod, podValidationOptions(null, null));
  if (errs.length > 0) {
    // fmt's %v of a field.ErrorList: the errors in brackets, separated by spaces.
    return { parsed: true, error: `invalid pod: [${errs.map((e) => e.message).join(" ")}]` };
  }
  for (const v of pod.spec?.volumes ?? []) {
    for (const s of v.projected?.sources ?? []) {
      if (s.clusterTrustBundle) return { parsed: true, error: ErrStaticPodTriedToUseClusterTrustBundle };
    }
  }
  if ((pod.spec?.resourceClaims ?? []).length > 0) {
    return { parsed: true, error: ErrStaticPodTriedToUseResourceClaims };
  }
  return { parsed: true, pod };
}

/** `<name>-<node>`: unique among nodes (generatePodName). */
export function generatePodName(name: string, nodeName: string): string {
  return `${name}-${nodeName.toLowerCase()}`;
}

/** The kubelet's defaults for a pod from a file (upstream's applyDefaults with isFile). */
export function applyDefaults(pod: Pod, source: string, nodeName: string): void {
  // uid and status are read-only in kubernetes-types; this is where they are made.
  const mutable = pod as { status?: Pod["status"] };
  if (!pod.metadata) pod.metadata = {};
  const metadata = pod.metadata as { -readonly [K in keyof ObjectMeta]: ObjectMeta[K] };
  if (!metadata.uid) {
    // Upstream hashes the decoded pod (DeepHashObject), then the host and file.
    const hasher = createHash("md5");
    hasher.update(stableStringify(pod));
    hasher.update(`host:${nodeName}`);
    hasher.update(`file:${source}`);
    metadata.uid = hasher.digest("hex");
  }
  metadata.name = generatePodName(metadata.name ?? "", nodeName);
  if (!metadata.namespace) metadata.namespace = "default";
  if (!pod.spec) pod.spec = { containers: [] };
  const spec = pod.spec;
  spec.nodeName = nodeName;
  metadata.annotations = { ...metadata.annotations, [ConfigHashAnnotationKey]: metadata.uid };
  spec.tolerations = addOrUpdateToleration(spec.tolerations ?? [], {
    operator: "Exists",
    effect: "NoExecute",
  });
  mutable.status = { ...pod.status, phase: "Pending" };
}

/** helper.AddOrUpdateTolerationInPod: replaces a matching toleration, else appends. */
function addOrUpdateToleration(tolerations: Toleration[], toleration: Toleration): Toleration[] {
  let updated = false;
  const out: Toleration[] = [];
  for (const t of tolerations) {
    if (matchToleration(toleration, t)) {
      out.push(toleration);
      updated = true;
    } else {
      out.push(t);
    }
  }
  if (!updated) out.push(toleration);
  return out;
}

/** JSON with sorted keys: the same pod always hashes the same. */
export function stableStringify(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(",")}]`;
  const entries = Object.entries(v as Record<string, unknown>)
    .filter(([, val]) => val !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, val]) => `${JSON.stringify(k)}:${stableStringify(val)}`).join(",")}}`;
}

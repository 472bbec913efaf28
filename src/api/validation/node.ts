// Node validation (ValidateNode, ValidateNodeUpdate) from
// pkg/apis/core/validation, v1.32. The node status strategy validates with
// ValidateNodeUpdate alone.

import type { Node, NodeConfigSource, Taint } from "kubernetes-types/core/v1.d.ts";
import {
  duplicate,
  type FieldError,
  forbidden,
  GoValue,
  goQuote,
  internalError,
  invalid,
  newPath,
  type Path,
  required,
} from "../../machinery/field-errors.ts";
import { nameIsDNSSubdomain, validateNamespaceName } from "../../machinery/object-meta.ts";
import { isConfigMapKey, isValidCIDR, parseCIDRSloppy } from "../../machinery/validation.ts";
import { validateNodeTaints } from "./affinity.ts";
import { validateObjectMeta, validateObjectMetaUpdate } from "./common.ts";
import { goApproxStruct, goStringSliceText } from "./gofmt.ts";
import { validateResourceQuantityValue } from "./resources.ts";

const metaPath = newPath("metadata");
const taintsAnnotationKey = "scheduler.alpha.kubernetes.io/taints";
const preferAvoidPodsAnnotationKey = "scheduler.alpha.kubernetes.io/preferAvoidPods";

/** ValidateNodeSpecificAnnotations: the taints and preferAvoidPods annotations must parse. */
function validateNodeSpecificAnnotations(
  annotations: Record<string, string> | null | undefined,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  const a = annotations ?? {};
  if ((a[taintsAnnotationKey] ?? "") !== "") {
    let taints: unknown;
    try {
      taints = JSON.parse(a[taintsAnnotationKey]);
    } catch (e) {
      errs.push(invalid(path, taintsAnnotationKey, (e as Error).message));
    }
    if (Array.isArray(taints) && taints.length > 0) {
      errs.push(...validateNodeTaints(taints as Taint[], path.child(taintsAnnotationKey)));
    }
  }
  if ((a[preferAvoidPodsAnnotationKey] ?? "") !== "") {
    let avoid:
      | { preferAvoidPods?: Array<{ podSignature?: { podController?: { controller?: boolean } | null } }> }
      | undefined;
    try {
      avoid = JSON.parse(a[preferAvoidPodsAnnotationKey]);
    } catch (e) {
      errs.push(invalid(path.child("AvoidPods"), preferAvoidPodsAnnotationKey, (e as Error).message));
    }
    (avoid?.preferAvoidPods ?? []).forEach((entry, i) => {
      const p = path.child(preferAvoidPodsAnnotationKey).index(i);
      const ctrl = entry.podSignature?.podController;
      if (ctrl == null) errs.push(required(p.child("PodSignature"), ""));
      else if (ctrl.controller !== true) {
        errs.push(
          invalid(
            p.child("PodSignature").child("PodController").child("Controller"),
            false,
            "must point to a controller",
          ),
        );
      }
    });
  }
  return errs;
}

/** ValidateNodeResources: capacity and allocatable quantities. */
function validateNodeResources(node: Node): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(node.status?.capacity ?? {})) {
    errs.push(...validateResourceQuantityValue(k, v, newPath("status", "capacity", k)));
  }
  for (const [k, v] of Object.entries(node.status?.allocatable ?? {})) {
    errs.push(...validateResourceQuantityValue(k, v, newPath("status", "allocatable", k)));
  }
  return errs;
}

/** ValidateNode. */
export function validateNode(node: Node): FieldError[] {
  const errs = validateObjectMeta(node.metadata, false, nameIsDNSSubdomain, metaPath);
  errs.push(...validateNodeSpecificAnnotations(node.metadata?.annotations, metaPath.child("annotations")));
  const taints = node.spec?.taints ?? [];
  // Upstream reports spec taints under metadata, as its field path does.
  if (taints.length > 0) errs.push(...validateNodeTaints(taints, metaPath.child("taints")));
  errs.push(...validateNodeResources(node));
  const cidrs = node.spec?.podCIDRs ?? [];
  if (cidrs.length > 0) {
    const field = newPath("spec", "podCIDRs");
    cidrs.forEach((value, idx) => {
      for (const msg of isValidCIDR(value)) errs.push(invalid(field.index(idx), value, msg));
    });
    if (cidrs.length > 1) {
      let v4 = false;
      let v6 = false;
      let parseErr: string | null = null;
      for (const c of cidrs) {
        const parsed = parseCIDRSloppy(c);
        if (parsed === null) {
          parseErr ??= `invalid CIDR address: ${c}`;
          continue;
        }
        if (parsed.ipv4) v4 = true;
        else v6 = true;
      }
      if (parseErr !== null) {
        errs.push(
          internalError(field, `invalid PodCIDRs. failed to check with dual stack with error:${parseErr}`),
        );
      }
      if (!(parseErr === null && v4 && v6) || cidrs.length > 2) {
        errs.push(
          invalid(
            field,
            new GoValue(goStringSliceText(cidrs)),
            "may specify no more than one CIDR for each IP family",
          ),
        );
      }
      const seen = new Set<string>();
      cidrs.forEach((value, i) => {
        if (seen.has(value)) errs.push(duplicate(field.index(i), value));
        seen.add(value);
      });
    }
  }
  return errs;
}

function validateConfigMapNodeConfigSource(
  source: NonNullable<NodeConfigSource["configMap"]>,
  path: Path,
  inStatus: boolean,
): FieldError[] {
  const errs: FieldError[] = [];
  if (inStatus) {
    if ((source.uid ?? "") === "") errs.push(required(path.child("uid"), "uid must be set in status"));
    if ((source.resourceVersion ?? "") === "") {
      errs.push(required(path.child("resourceVersion"), "resourceVersion must be set in status"));
    }
  } else {
    if ((source.uid ?? "") !== "") errs.push(forbidden(path.child("uid"), "uid must not be set in spec"));
    if ((source.resourceVersion ?? "") !== "") {
      errs.push(forbidden(path.child("resourceVersion"), "resourceVersion must not be set in spec"));
    }
  }
  const ns = source.namespace ?? "";
  if (ns === "") errs.push(required(path.child("namespace"), "namespace must be set"));
  else
    for (const msg of validateNamespaceName(ns, false)) errs.push(invalid(path.child("namespace"), ns, msg));
  const name = source.name ?? "";
  if (name === "") errs.push(required(path.child("name"), "name must be set"));
  else for (const msg of nameIsDNSSubdomain(name, false)) errs.push(invalid(path.child("name"), name, msg));
  const key = source.kubeletConfigKey ?? "";
  if (key === "") errs.push(required(path.child("kubeletConfigKey"), "kubeletConfigKey must be set"));
  else for (const msg of isConfigMapKey(key)) errs.push(invalid(path.child("kubeletConfigKey"), key, msg));
  return errs;
}

function validateNodeConfigSource(source: NodeConfigSource, path: Path, inStatus: boolean): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  if (source.configMap != null) {
    count++;
    errs.push(...validateConfigMapNodeConfigSource(source.configMap, path.child("configMap"), inStatus));
  }
  if (count !== 1) {
    errs.push(
      invalid(
        path,
        goApproxStruct("core.NodeConfigSource", source),
        "exactly one reference subfield must be non-nil",
      ),
    );
  }
  return errs;
}

/** ValidateNodeUpdate. */
export function validateNodeUpdate(node: Node, old: Node): FieldError[] {
  const errs = validateObjectMetaUpdate(node.metadata, old.metadata, metaPath);
  errs.push(...validateNodeSpecificAnnotations(node.metadata?.annotations, metaPath.child("annotations")));
  errs.push(...validateNodeResources(node));
  const seen = new Set<string>();
  (node.status?.addresses ?? []).forEach((addr, i) => {
    const key = `${addr.type}\u0000${addr.address}`;
    if (seen.has(key)) {
      errs.push(
        duplicate(
          newPath("status", "addresses").index(i),
          new GoValue(
            `core.NodeAddress{Type:${goQuote(addr.type ?? "")}, Address:${goQuote(addr.address ?? "")}}`,
          ),
        ),
      );
    }
    seen.add(key);
  });
  const oldCIDRs = old.spec?.podCIDRs ?? [];
  const newCIDRs = node.spec?.podCIDRs ?? [];
  if (oldCIDRs.length > 0) {
    const msg = 'node updates may not change podCIDR except from "" to valid';
    if (oldCIDRs.length !== newCIDRs.length) {
      errs.push(forbidden(newPath("spec", "podCIDRs"), msg));
    } else {
      oldCIDRs.forEach((v, i) => {
        if (v !== newCIDRs[i]) errs.push(forbidden(newPath("spec", "podCIDRs"), msg));
      });
    }
  }
  const oldProvider = old.spec?.providerID ?? "";
  if (oldProvider.length > 0 && oldProvider !== (node.spec?.providerID ?? "")) {
    errs.push(
      forbidden(
        newPath("spec", "providerID"),
        'node updates may not change providerID except from "" to valid',
      ),
    );
  }
  if (node.spec?.configSource != null) {
    errs.push(...validateNodeConfigSource(node.spec.configSource, newPath("spec", "configSource"), false));
  }
  const cfg = node.status?.config;
  if (cfg != null) {
    const p = newPath("status", "config");
    if (cfg.assigned != null) errs.push(...validateNodeConfigSource(cfg.assigned, p.child("assigned"), true));
    if (cfg.active != null) errs.push(...validateNodeConfigSource(cfg.active, p.child("active"), true));
    if (cfg.lastKnownGood != null)
      errs.push(...validateNodeConfigSource(cfg.lastKnownGood, p.child("lastKnownGood"), true));
  }
  const taints = node.spec?.taints ?? [];
  if (taints.length > 0) errs.push(...validateNodeTaints(taints, metaPath.child("taints")));
  if ((node.spec?.externalID ?? "") !== (old.spec?.externalID ?? "")) {
    errs.push(forbidden(newPath("spec", "externalID"), "may not be updated"));
  }
  return errs;
}

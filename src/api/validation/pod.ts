// Pod and PodTemplate validation: ValidatePodCreate, ValidatePodUpdate (with
// its list of mutable fields), ValidatePodStatusUpdate, ValidatePodTemplate
// (pkg/apis/core/validation, v1.32).

import type { ContainerStatus, Pod, PodSpec, PodTemplate } from "kubernetes-types/core/v1.d.ts";
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
import { nameIsDNSSubdomain } from "../../machinery/object-meta.ts";
import { isValidIP, parseIPSloppy } from "../../machinery/validation.ts";
import { validateAffinity, validateTolerations } from "./affinity.ts";
import {
  append,
  validateImmutable,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validateQualifiedName,
} from "./common.ts";
import { decodeTypeOfKind } from "./decode-check.ts";
import { specDiff } from "./diff.ts";
import { semanticEqual } from "./equality.ts";
import {
  appArmorContainerAnnotationKeyPrefix,
  defaultPodValidationOptions,
  mirrorPodAnnotationKey,
  normalizePodSpec,
  type PodSpecLike,
  type PodValidationOptions,
  validateAppArmorAnnotationsAndFieldsMatch,
  validateContainerOnlyForPod,
  validateDeletionCostAnnotation,
  validatePodSpec,
  validatePodSpecificAnnotations,
  validatePodTemplateSpec,
  validateSeccompAnnotationsAndFields,
} from "./pod-spec.ts";

const metaPath = newPath("metadata");
const specPath = newPath("spec");

function podSpecType() {
  const t = decodeTypeOfKind("", "Pod");
  return t?.kind === "struct" ? t.field("spec") : undefined;
}

/** GetValidationOptionsFromPodSpecAndMeta: tolerate what the old object already had. */
export function podValidationOptions(
  oldSpec: PodSpec | null,
  oldMeta: Pod["metadata"] | null,
): PodValidationOptions {
  const opts = defaultPodValidationOptions();
  opts.resourceIsPod = true;
  if (oldSpec == null) return opts;
  const old = normalizePodSpec(oldSpec);
  if (!validateDeletionCostAnnotation(oldMeta?.annotations)) opts.allowInvalidPodDeletionCost = true;
  if (validateAffinity(old.affinity, {}, specPath).length > 0) {
    opts.allowInvalidLabelValueInSelector = true;
    opts.allowInvalidLabelValueInRequiredNodeAffinity = true;
  }
  if ((old.hostNetwork || old.hostIPC) && (old.securityContext?.sysctls ?? []).length > 0) {
    opts.allowNamespacedSysctlsForHostNetAndHostIPC = true;
  }
  return opts;
}

/** validatePodMetadataAndSpec. */
function validatePodMetadataAndSpec(pod: Pod, opts: PodValidationOptions): FieldError[] {
  const spec = normalizePodSpec(pod.spec);
  const errs = validateObjectMeta(pod.metadata, true, nameIsDNSSubdomain, metaPath);
  append(
    errs,
    validatePodSpecificAnnotations(pod.metadata?.annotations, spec, metaPath.child("annotations"), opts),
  );
  append(errs, validatePodSpec(spec, pod.metadata ?? {}, specPath, opts));
  if ((spec.serviceAccountName ?? "") === "") {
    (spec.volumes ?? []).forEach((vol, vi) => {
      const p = specPath.child("volumes").index(vi).child("projected");
      (vol.projected?.sources ?? []).forEach((source, si) => {
        if (source.serviceAccountToken != null) {
          errs.push(
            forbidden(
              p.child("sources").index(si).child("serviceAccountToken"),
              "must not be specified when serviceAccountName is not set",
            ),
          );
        }
      });
    });
  }
  spec.containers.forEach((c, i) => {
    append(errs, validateContainerOnlyForPod(c, specPath.child("containers").index(i)));
  });
  (spec.initContainers ?? []).forEach((c, i) => {
    append(errs, validateContainerOnlyForPod(c, specPath.child("initContainers").index(i)));
  });
  return errs;
}

/** ValidatePodCreate. */
export function validatePodCreate(
  pod: Pod,
  opts: PodValidationOptions = podValidationOptions(null, null),
): FieldError[] {
  const errs = validatePodMetadataAndSpec(pod, opts);
  const spec = normalizePodSpec(pod.spec);
  if ((spec.ephemeralContainers ?? []).length > 0) {
    errs.push(forbidden(specPath.child("ephemeralContainers"), "cannot be set on create"));
  }
  if ((spec.nodeName ?? "") !== "" && (spec.schedulingGates ?? []).length !== 0) {
    errs.push(
      forbidden(specPath.child("nodeName"), "cannot be set until all schedulingGates have been cleared"),
    );
  }
  append(errs, validateSeccompAnnotationsAndFields(pod.metadata, spec, specPath));
  append(errs, validateAppArmorAnnotationsAndFieldsMatch(pod.metadata, spec, specPath));
  return errs;
}

/** ValidatePodEphemeralContainersUpdate: the pod as a whole, then ephemeral containers only added, never changed. */
export function validatePodEphemeralContainersUpdate(newPod: Pod, oldPod: Pod): FieldError[] {
  const opts = podValidationOptions(oldPod.spec ?? null, oldPod.metadata ?? null);
  const errs = validateObjectMetaUpdate(newPod.metadata, oldPod.metadata, metaPath);
  append(errs, validatePodMetadataAndSpec(newPod, opts));
  append(errs, validatePodSpecificAnnotationUpdates(newPod, oldPod, metaPath.child("annotations"), opts));
  // Static pods' mirrors cannot run them (kubernetes#113935).
  if (Object.hasOwn(oldPod.metadata?.annotations ?? {}, mirrorPodAnnotationKey)) {
    return [forbidden(newPath(""), "static pods do not support ephemeral containers")];
  }
  // A patch need not keep their order, so each old one is looked up by name.
  const path = specPath.child("ephemeralContainers");
  const added = new Map((newPod.spec?.ephemeralContainers ?? []).map((c) => [c.name, c]));
  const t = podSpecType();
  const ecType = t?.kind === "struct" ? t.field("ephemeralContainers") : undefined;
  const itemType = ecType?.kind === "list" ? ecType.elem : undefined;
  for (const old of oldPod.spec?.ephemeralContainers ?? []) {
    const now = added.get(old.name);
    if (!now) {
      errs.push(forbidden(path, `existing ephemeral containers ${goQuote(old.name)} may not be removed\n`));
    } else if (!semanticEqual(old, now, itemType)) {
      const diff = specDiff(
        "core.EphemeralContainer",
        old as unknown as Record<string, unknown>,
        now as unknown as Record<string, unknown>,
        itemType,
      );
      errs.push(
        forbidden(path, `existing ephemeral containers ${goQuote(old.name)} may not be changed\n${diff}`),
      );
    }
  }
  return errs;
}

/** ValidatePodSpecificAnnotationUpdates. */
function validatePodSpecificAnnotationUpdates(
  newPod: Pod,
  oldPod: Pod,
  path: Path,
  opts: PodValidationOptions,
): FieldError[] {
  const errs: FieldError[] = [];
  const na = newPod.metadata?.annotations ?? {};
  const oa = oldPod.metadata?.annotations ?? {};
  for (const [k, oldVal] of Object.entries(oa)) {
    if (Object.hasOwn(na, k) && na[k] === oldVal) continue;
    if (k.startsWith(appArmorContainerAnnotationKeyPrefix)) {
      errs.push(forbidden(path.key(k), "may not remove or update AppArmor annotations"));
    }
    if (k === mirrorPodAnnotationKey)
      errs.push(forbidden(path.key(k), "may not remove or update mirror pod annotation"));
  }
  for (const k of Object.keys(na)) {
    if (Object.hasOwn(oa, k)) continue;
    if (k.startsWith(appArmorContainerAnnotationKeyPrefix))
      errs.push(forbidden(path.key(k), "may not add AppArmor annotations"));
    if (k === mirrorPodAnnotationKey) errs.push(forbidden(path.key(k), "may not add mirror pod annotation"));
  }
  append(errs, validatePodSpecificAnnotations(na, normalizePodSpec(newPod.spec), path, opts));
  return errs;
}

/** ValidateContainerUpdates: same number of containers, images set and unpadded. */
function validateContainerUpdates(
  newContainers: PodSpecLike["containers"],
  oldContainers: PodSpecLike["containers"],
  path: Path,
): { errs: FieldError[]; stop: boolean } {
  if (newContainers.length !== oldContainers.length) {
    return { errs: [forbidden(path, "pod updates may not add or remove containers")], stop: true };
  }
  const errs: FieldError[] = [];
  newContainers.forEach((c, i) => {
    const image = c.image ?? "";
    if (image.length === 0) errs.push(required(path.index(i).child("image"), ""));
    if (image.trim().length !== image.length) {
      errs.push(invalid(path.index(i).child("image"), image, "must not have leading or trailing whitespace"));
    }
  });
  return { errs, stop: false };
}

function tolerationEqual(a: unknown, b: unknown): boolean {
  return semanticEqual(a, b);
}

/** validateOnlyAddedTolerations: existing tolerations may only change their tolerationSeconds. */
function validateOnlyAddedTolerations(
  newTolerations: NonNullable<PodSpec["tolerations"]>,
  oldTolerations: NonNullable<PodSpec["tolerations"]>,
  path: Path,
): FieldError[] {
  for (const old of oldTolerations) {
    const found = newTolerations.some((t) =>
      tolerationEqual({ ...old, tolerationSeconds: t.tolerationSeconds }, t),
    );
    if (!found)
      return [forbidden(path, "existing toleration can not be modified except its tolerationSeconds")];
  }
  return validateTolerations(newTolerations, path);
}

/** validateOnlyDeletedSchedulingGates. */
function validateOnlyDeletedSchedulingGates(
  newGates: Array<{ name?: string }>,
  oldGates: Array<{ name?: string }>,
  path: Path,
): FieldError[] {
  if (newGates.length === 0) return [];
  const additional = new Map<string, number>();
  newGates.forEach((g, i) => {
    additional.set(g.name ?? "", i);
  });
  for (const g of oldGates) additional.delete(g.name ?? "");
  const errs: FieldError[] = [];
  for (const [gate, i] of additional) {
    errs.push(
      forbidden(
        path.index(i).child("name"),
        `only deletion is allowed, but found new scheduling gate '${gate}'`,
      ),
    );
  }
  return errs;
}

const updatablePodSpecFields = [
  "`spec.containers[*].image`",
  "`spec.initContainers[*].image`",
  "`spec.activeDeadlineSeconds`",
  "`spec.tolerations` (only additions to existing tolerations)",
  "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
];

/** The first line of the message for a forbidden pod spec change. */
export const podUpdateForbiddenMessage = `pod updates may not change fields other than ${updatablePodSpecFields.join(",")}`;

function nodeSelectorTermHasOnlyAdditions(
  newTerm: Record<string, unknown[]>,
  oldTerm: Record<string, unknown[]>,
): boolean {
  const oldExprs = oldTerm.matchExpressions ?? [];
  const oldFields = oldTerm.matchFields ?? [];
  const newExprs = newTerm.matchExpressions ?? [];
  const newFields = newTerm.matchFields ?? [];
  if (oldExprs.length === 0 && oldFields.length === 0 && (newExprs.length > 0 || newFields.length > 0))
    return false;
  if (
    oldExprs.length > 0 &&
    (newExprs.length < oldExprs.length || !semanticEqual(newExprs.slice(0, oldExprs.length), oldExprs))
  ) {
    return false;
  }
  if (
    oldFields.length > 0 &&
    (newFields.length < oldFields.length || !semanticEqual(newFields.slice(0, oldFields.length), oldFields))
  ) {
    return false;
  }
  return true;
}

/** ValidatePodUpdate. */
export function validatePodUpdate(newPod: Pod, oldPod: Pod, opts?: PodValidationOptions): FieldError[] {
  const o = opts ?? podValidationOptions(oldPod.spec ?? null, oldPod.metadata ?? null);
  const errs = validateObjectMetaUpdate(newPod.metadata, oldPod.metadata, metaPath);
  append(errs, validatePodMetadataAndSpec(newPod, o));
  append(errs, validatePodSpecificAnnotationUpdates(newPod, oldPod, metaPath.child("annotations"), o));
  const newSpec = normalizePodSpec(newPod.spec);
  const oldSpec = normalizePodSpec(oldPod.spec);

  let r = validateContainerUpdates(newSpec.containers, oldSpec.containers, specPath.child("containers"));
  append(errs, r.errs);
  if (r.stop) return errs;
  r = validateContainerUpdates(
    newSpec.initContainers ?? [],
    oldSpec.initContainers ?? [],
    specPath.child("initContainers"),
  );
  append(errs, r.errs);
  if (r.stop) return errs;

  if (newSpec.activeDeadlineSeconds != null) {
    const v = newSpec.activeDeadlineSeconds;
    if (v < 0 || v > 2147483647) {
      errs.push(
        invalid(specPath.child("activeDeadlineSeconds"), v, "must be between 0 and 2147483647, inclusive"),
      );
      return errs;
    }
    if (oldSpec.activeDeadlineSeconds != null && oldSpec.activeDeadlineSeconds < v) {
      errs.push(
        invalid(specPath.child("activeDeadlineSeconds"), v, "must be less than or equal to previous value"),
      );
      return errs;
    }
  } else if (oldSpec.activeDeadlineSeconds != null) {
    errs.push(
      invalid(
        specPath.child("activeDeadlineSeconds"),
        null,
        "must not update from a positive integer to nil value",
      ),
    );
  }

  append(
    errs,
    validateOnlyAddedTolerations(
      newSpec.tolerations ?? [],
      oldSpec.tolerations ?? [],
      specPath.child("tolerations"),
    ),
  );
  append(
    errs,
    validateOnlyDeletedSchedulingGates(
      newSpec.schedulingGates ?? [],
      oldSpec.schedulingGates ?? [],
      specPath.child("schedulingGates"),
    ),
  );

  const t = podSpecType();
  if (semanticEqual(newSpec, oldSpec, t)) return errs;

  // Make the mutable fields equal to the old ones, then require everything else to be unchanged.
  const munged = structuredClone(newSpec) as PodSpecLike & Record<string, unknown>;
  munged.containers = munged.containers.map((c, i) => ({ ...c, image: oldSpec.containers[i].image }));
  if (munged.initContainers) {
    munged.initContainers = munged.initContainers.map((c, i) => ({
      ...c,
      image: oldSpec.initContainers?.[i]?.image,
    }));
  }
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  munged.schedulingGates = oldSpec.schedulingGates;
  munged.tolerations = oldSpec.tolerations;
  if (
    oldSpec.terminationGracePeriodSeconds != null &&
    oldSpec.terminationGracePeriodSeconds < 0 &&
    munged.terminationGracePeriodSeconds === 1
  ) {
    munged.terminationGracePeriodSeconds = oldSpec.terminationGracePeriodSeconds;
  }
  if ((oldSpec.schedulingGates ?? []).length > 0) {
    // A gated pod may gain node selectors and node affinity terms.
    if (!semanticEqual(munged.nodeSelector, oldSpec.nodeSelector)) {
      const newSel = munged.nodeSelector ?? {};
      for (const [k, v] of Object.entries(oldSpec.nodeSelector ?? {})) {
        if (!Object.hasOwn(newSel, k) || newSel[k] !== v) {
          errs.push(
            invalid(
              specPath.child("nodeSelector"),
              new GoValue(goMap(newSel)),
              "only additions to spec.nodeSelector are allowed (no mutations or deletions)",
            ),
          );
          break;
        }
      }
      munged.nodeSelector = oldSpec.nodeSelector;
    }
    const oldNA = oldSpec.affinity?.nodeAffinity;
    const newNA = munged.affinity?.nodeAffinity;
    if (!semanticEqual(oldNA, newNA)) {
      const oldTerms = (oldNA?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ??
        []) as unknown as Array<Record<string, unknown[]>>;
      const newTerms = (newNA?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ??
        []) as unknown as Array<Record<string, unknown[]>>;
      const termsPath = specPath
        .child("affinity")
        .child("nodeAffinity")
        .child("requiredDuringSchedulingIgnoredDuringExecution")
        .child("nodeSelectorTerms");
      if (oldNA?.requiredDuringSchedulingIgnoredDuringExecution != null) {
        if (oldTerms.length > 0 && oldTerms.length !== newTerms.length) {
          errs.push(
            invalid(
              termsPath,
              new GoValue("[]core.NodeSelectorTerm{...}"),
              "no additions/deletions to non-empty NodeSelectorTerms list are allowed",
            ),
          );
        } else {
          oldTerms.forEach((ot, i) => {
            if (!nodeSelectorTermHasOnlyAdditions(newTerms[i] ?? {}, ot)) {
              errs.push(
                invalid(
                  termsPath.index(i),
                  new GoValue("core.NodeSelectorTerm{...}"),
                  "only additions are allowed (no mutations or deletions)",
                ),
              );
            }
          });
        }
      }
      if (munged.affinity == null && oldNA == null) {
        // already effectively unset
      } else if (munged.affinity == null && oldNA != null) {
        munged.affinity = { nodeAffinity: oldNA };
      } else if (
        munged.affinity != null &&
        oldSpec.affinity == null &&
        munged.affinity.podAntiAffinity == null &&
        munged.affinity.podAffinity == null
      ) {
        munged.affinity = undefined;
      } else if (munged.affinity != null) {
        munged.affinity = { ...munged.affinity, nodeAffinity: oldNA };
      }
    }
  }
  if (!semanticEqual(munged, oldSpec, t)) {
    const diff = specDiff("core.PodSpec", oldSpec as Record<string, unknown>, munged, t);
    errs.push(forbidden(specPath, `${podUpdateForbiddenMessage}\n${diff}`));
  }
  return errs;
}

function goMap(m: Record<string, string>): string {
  const keys = Object.keys(m).sort();
  return `map[string]string{${keys.map((k) => `${goQuote(k)}:${goQuote(m[k])}`).join(", ")}}`;
}

// --- status ----------------------------------------------------------------------

function validateContainerStateTransition(
  newStatuses: readonly ContainerStatus[],
  oldStatuses: readonly ContainerStatus[],
  path: Path,
  restartPolicy: string,
  restartable: (name: string) => boolean = () => false,
): FieldError[] {
  const errs: FieldError[] = [];
  if (restartPolicy === "Always") return errs;
  oldStatuses.forEach((old, i) => {
    const terminated = old.state?.terminated;
    if (terminated == null) return;
    if ((terminated.exitCode ?? 0) !== 0 && restartPolicy === "OnFailure") return;
    if (restartable(old.name ?? "")) return;
    for (const n of newStatuses) {
      if (old.name === n.name && n.state?.terminated == null) {
        errs.push(forbidden(path.index(i).child("state"), "may not be transitioned to non-terminated state"));
      }
    }
  });
  return errs;
}

function isDualStack(ips: readonly string[]): boolean | string {
  let v4 = false;
  let v6 = false;
  for (const ip of ips) {
    const parsed = parseIPSloppy(ip);
    if (parsed === null) return `failed to parse IP ${goQuote(ip)}`;
    const isV4 = parsed.slice(0, 10).every((b) => b === 0) && parsed[10] === 0xff && parsed[11] === 0xff;
    if (isV4) v4 = true;
    else v6 = true;
  }
  return v4 && v6;
}

function validateIPList(
  ips: ReadonlyArray<{ ip?: string }>,
  path: Path,
  goType: string,
  duplicatesFirst: boolean,
): FieldError[] {
  const errs: FieldError[] = [];
  ips.forEach((x, i) => {
    for (const msg of isValidIP(x.ip ?? "")) errs.push(invalid(path.index(i), x.ip ?? "", msg));
  });
  if (ips.length <= 1) return errs;
  const list = ips.map((x) => x.ip ?? "");
  const render = (ip: string) => `${goType}{IP:${goQuote(ip)}}`;
  const dupErrs: FieldError[] = [];
  const seen = new Set<string>();
  list.forEach((ip, i) => {
    if (seen.has(ip)) dupErrs.push(duplicate(path.index(i), new GoValue(render(ip))));
    seen.add(ip);
  });
  const stackErrs: FieldError[] = [];
  const dual = isDualStack(list);
  if (typeof dual === "string")
    stackErrs.push(internalError(path, `failed to check for dual stack with error:${dual}`));
  if (dual !== true || list.length > 2) {
    stackErrs.push(
      invalid(
        path,
        new GoValue(`[]${goType}{${list.map(render).join(", ")}}`),
        "may specify no more than one IP for each IP family",
      ),
    );
  }
  if (duplicatesFirst) errs.push(...dupErrs, ...stackErrs);
  else errs.push(...stackErrs, ...dupErrs);
  return errs;
}

// validatePodConditions' systemConditions: types exempt from the qualified-name check.
const systemPodConditions = new Set(["PodScheduled", "Ready", "Initialized"]);

/** ValidatePodStatusUpdate. */
export function validatePodStatusUpdate(newPod: Pod, oldPod: Pod, opts?: PodValidationOptions): FieldError[] {
  const o = opts ?? podValidationOptions(oldPod.spec ?? null, oldPod.metadata ?? null);
  const errs = validateObjectMetaUpdate(newPod.metadata, oldPod.metadata, metaPath);
  append(errs, validatePodSpecificAnnotationUpdates(newPod, oldPod, metaPath.child("annotations"), o));
  (newPod.status?.conditions ?? []).forEach((c, i) => {
    if (systemPodConditions.has(c.type ?? "")) return;
    // Upstream reports these under metadata, as its field path does.
    append(errs, validateQualifiedName(c.type ?? "", metaPath.child("conditions").index(i).child("Type")));
  });
  const statusPath = newPath("status");
  if ((newPod.spec?.nodeName ?? "") !== (oldPod.spec?.nodeName ?? "")) {
    errs.push(forbidden(statusPath.child("nodeName"), "may not be changed directly"));
  }
  const nominated = newPod.status?.nominatedNodeName ?? "";
  if (nominated !== (oldPod.status?.nominatedNodeName ?? "") && nominated.length > 0) {
    for (const msg of nameIsDNSSubdomain(nominated, false))
      errs.push(invalid(statusPath.child("nominatedNodeName"), nominated, msg));
  }
  append(
    errs,
    validateImmutable(
      newPod.status?.qosClass ?? "",
      oldPod.status?.qosClass ?? "",
      statusPath.child("qosClass"),
      (v) => String(v ?? ""),
    ),
  );
  const oldRestart = oldPod.spec?.restartPolicy ?? "";
  append(
    errs,
    validateContainerStateTransition(
      newPod.status?.containerStatuses ?? [],
      oldPod.status?.containerStatuses ?? [],
      statusPath.child("containerStatuses"),
      oldRestart,
    ),
  );
  const restartableInit = new Set(
    (oldPod.spec?.initContainers ?? [])
      .filter((c) => (c as { restartPolicy?: string }).restartPolicy === "Always")
      .map((c) => c.name ?? ""),
  );
  append(
    errs,
    validateContainerStateTransition(
      newPod.status?.initContainerStatuses ?? [],
      oldPod.status?.initContainerStatuses ?? [],
      statusPath.child("initContainerStatuses"),
      oldRestart,
      (name) => restartableInit.has(name),
    ),
  );
  append(
    errs,
    validateContainerStateTransition(
      newPod.status?.ephemeralContainerStatuses ?? [],
      oldPod.status?.ephemeralContainerStatuses ?? [],
      statusPath.child("ephemeralContainerStatuses"),
      "Never",
    ),
  );
  append(errs, validateIPList(newPod.status?.podIPs ?? [], statusPath.child("podIPs"), "core.PodIP", false));
  const hostIPs = newPod.status?.hostIPs ?? [];
  if (hostIPs.length > 0) {
    const hostIPsPath = statusPath.child("hostIPs");
    if ((newPod.status?.hostIP ?? "") !== (hostIPs[0].ip ?? "")) {
      errs.push(invalid(hostIPsPath.index(0).child("ip"), hostIPs[0].ip ?? "", "must be equal to `hostIP`"));
    }
    append(errs, validateIPList(hostIPs, hostIPsPath, "core.HostIP", true));
  }
  return errs;
}

// --- PodTemplate ------------------------------------------------------------------

/** ValidatePodTemplate. */
export function validatePodTemplate(tpl: PodTemplate): FieldError[] {
  const errs = validateObjectMeta(tpl.metadata, true, nameIsDNSSubdomain, metaPath);
  append(errs, validatePodTemplateSpec(tpl.template, newPath("template"), defaultPodValidationOptions()));
  return errs;
}

/** ValidatePodTemplateUpdate. */
export function validatePodTemplateUpdate(tpl: PodTemplate, old: PodTemplate): FieldError[] {
  const errs = validateObjectMetaUpdate(tpl.metadata, old.metadata, metaPath);
  append(errs, validatePodTemplateSpec(tpl.template, newPath("template"), defaultPodValidationOptions()));
  return errs;
}

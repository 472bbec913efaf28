// The Secrets and ConfigMaps a pod refers to (pkg/api/pod VisitPodSecretNames,
// VisitPodConfigmapNames), over all its containers, init and ephemeral ones
// included. Empty names are skipped.
import type { Obj } from "../../../api/registry.ts";

function list(v: unknown): Obj[] {
  return Array.isArray(v) ? (v.filter((x) => x && typeof x === "object") as Obj[]) : [];
}

function allContainers(pod: Obj): Obj[] {
  const spec = pod.spec ?? {};
  return [...list(spec.initContainers), ...list(spec.containers), ...list(spec.ephemeralContainers)];
}

function nonEmpty(names: (string | undefined)[]): string[] {
  return names.filter((n): n is string => typeof n === "string" && n.length > 0);
}

/** VolumeSource kinds whose secretRef names a Secret. */
const SECRET_REF_SOURCES = ["cephfs", "cinder", "flexVolume", "rbd", "scaleIO", "iscsi", "storageos"];

export function podSecretNames(pod: Obj): string[] {
  const names: (string | undefined)[] = [];
  for (const ref of list(pod.spec?.imagePullSecrets)) names.push(ref.name);
  for (const c of allContainers(pod)) {
    for (const from of list(c.envFrom)) names.push(from.secretRef?.name);
    for (const env of list(c.env)) names.push(env.valueFrom?.secretKeyRef?.name);
  }
  for (const v of list(pod.spec?.volumes)) {
    if (v.azureFile) names.push(v.azureFile.secretName);
    for (const kind of SECRET_REF_SOURCES) if (v[kind]) names.push(v[kind].secretRef?.name);
    if (v.secret) names.push(v.secret.secretName);
    if (v.csi) names.push(v.csi.nodePublishSecretRef?.name);
    for (const src of list(v.projected?.sources)) names.push(src.secret?.name);
  }
  return nonEmpty(names);
}

export function podConfigMapNames(pod: Obj): string[] {
  const names: (string | undefined)[] = [];
  for (const c of allContainers(pod)) {
    for (const from of list(c.envFrom)) names.push(from.configMapRef?.name);
    for (const env of list(c.env)) names.push(env.valueFrom?.configMapKeyRef?.name);
  }
  for (const v of list(pod.spec?.volumes)) {
    if (v.configMap) names.push(v.configMap.name);
    for (const src of list(v.projected?.sources)) names.push(src.configMap?.name);
  }
  return nonEmpty(names);
}

export const MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror";

export function isMirrorPod(pod: Obj): boolean {
  const ann = pod.metadata?.annotations;
  return ann !== null && typeof ann === "object" && Object.hasOwn(ann, MIRROR_POD_ANNOTATION);
}

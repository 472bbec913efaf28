// upstream's pkg/api/v1/pod VisitPodSecretNames: every Secret a pod refers to
// (image pull secrets, env and envFrom of all containers, secret-backed volumes).
import type { Container, EphemeralContainer, Pod } from "kubernetes-types/core/v1.d.ts";

function containerSecretNames(c: Container | EphemeralContainer, out: Set<string>): void {
  for (const from of c.envFrom ?? []) if (from.secretRef) out.add(from.secretRef.name ?? "");
  for (const env of c.env ?? [])
    if (env.valueFrom?.secretKeyRef) out.add(env.valueFrom.secretKeyRef.name ?? "");
}

/** The names of the Secrets the pod uses. */
export function podSecretNames(pod: Pod): Set<string> {
  const out = new Set<string>();
  const spec = pod.spec;
  if (!spec) return out;
  for (const ref of spec.imagePullSecrets ?? []) out.add(ref.name ?? "");
  for (const c of [...(spec.initContainers ?? []), ...spec.containers, ...(spec.ephemeralContainers ?? [])]) {
    containerSecretNames(c, out);
  }
  for (const v of spec.volumes ?? []) {
    // One source per volume, checked in upstream's order.
    if (v.azureFile) {
      if (v.azureFile.secretName) out.add(v.azureFile.secretName);
    } else if (v.cephfs) {
      if (v.cephfs.secretRef) out.add(v.cephfs.secretRef.name ?? "");
    } else if (v.cinder) {
      if (v.cinder.secretRef) out.add(v.cinder.secretRef.name ?? "");
    } else if (v.flexVolume) {
      if (v.flexVolume.secretRef) out.add(v.flexVolume.secretRef.name ?? "");
    } else if (v.projected) {
      for (const s of v.projected.sources ?? []) if (s.secret) out.add(s.secret.name ?? "");
    } else if (v.rbd) {
      if (v.rbd.secretRef) out.add(v.rbd.secretRef.name ?? "");
    } else if (v.secret) {
      out.add(v.secret.secretName ?? "");
    } else if (v.scaleIO) {
      if (v.scaleIO.secretRef) out.add(v.scaleIO.secretRef.name ?? "");
    } else if (v.iscsi) {
      if (v.iscsi.secretRef) out.add(v.iscsi.secretRef.name ?? "");
    } else if (v.storageos) {
      if (v.storageos.secretRef) out.add(v.storageos.secretRef.name ?? "");
    } else if (v.csi) {
      if (v.csi.nodePublishSecretRef) out.add(v.csi.nodePublishSecretRef.name ?? "");
    }
  }
  return out;
}

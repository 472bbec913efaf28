// The volumes the local-path provisioner makes (local-path-provisioner's
// Provision and getPathAndNodeForPV): a hostPath directory
// <dir>/<pv>_<namespace>_<claim> on the selected node, pinned to that node by
// required node affinity on kubernetes.io/hostname.
import { posix } from "node:path";
import type { Node, PersistentVolume, PersistentVolumeClaim } from "kubernetes-types/core/v1.d.ts";
import type { StorageClass } from "kubernetes-types/storage/v1.d.ts";
import {
  ANN_DYNAMICALLY_PROVISIONED,
  claimReference,
  getPersistentVolumeClaimClass,
} from "../util/pv-helpers.ts";
import { LOCAL_PATH_PROVISIONER } from "./storage-class.ts";

/** The node label the volume's affinity names. */
export const KEY_NODE = "kubernetes.io/hostname";

/** getProvisionedVolumeNameForClaim: unique and stable, so a retry finds its own volume. */
export function provisionedVolumeName(claim: PersistentVolumeClaim): string {
  return `pvc-${claim.metadata?.uid ?? ""}`;
}

/** Where on the node the claim's data lives. */
export function volumePath(baseDir: string, pvName: string, claim: PersistentVolumeClaim): string {
  const folder = [pvName, claim.metadata?.namespace ?? "", claim.metadata?.name ?? ""].join("_");
  return posix.join(baseDir, folder);
}

export interface ProvisionOptions {
  claim: PersistentVolumeClaim;
  storageClass: StorageClass;
  pvName: string;
  /** The node the scheduler selected; none is a configuration error for this class. */
  node: Node | undefined;
  baseDir: string;
}

/**
 * Provision: the PersistentVolume for a claim, already pointing at it (the
 * PV controller completes the binding). Throws what local-path-provisioner
 * refuses: selectors, modes other than single-node ones, no node.
 */
export function newLocalPathVolume(o: ProvisionOptions): PersistentVolume {
  const { claim } = o;
  if (claim.spec?.selector) throw new Error("claim.Spec.Selector is not supported");
  for (const mode of claim.spec?.accessModes ?? []) {
    switch (mode) {
      case "ReadWriteOnce":
      case "ReadWriteOncePod":
        break;
      case "ReadWriteMany":
        // A node's directory is not a shared file system.
        throw new Error(`NodePath '${o.baseDir}' is not shared filesystem`);
      default:
        throw new Error(`${mode} access mode is not supported`);
    }
  }
  if (!o.node) throw new Error("configuration error, no node was specified");
  const nodeName = o.node.metadata?.name ?? "";
  const valueNode = o.node.metadata?.labels?.[KEY_NODE] ?? nodeName;
  const storage = claim.spec?.resources?.requests?.storage;
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: {
      name: o.pvName,
      annotations: { [ANN_DYNAMICALLY_PROVISIONED]: LOCAL_PATH_PROVISIONER },
    },
    spec: {
      persistentVolumeReclaimPolicy: o.storageClass.reclaimPolicy ?? "Delete",
      accessModes: claim.spec?.accessModes,
      volumeMode: "Filesystem",
      capacity: storage !== undefined ? { storage } : undefined,
      hostPath: { path: volumePath(o.baseDir, o.pvName, claim), type: "DirectoryOrCreate" },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: KEY_NODE, operator: "In", values: [valueNode] }] }],
        },
      },
      claimRef: claimReference(claim),
      storageClassName: getPersistentVolumeClaimClass(claim),
    },
  };
}

/** getPathAndNodeForPV: the directory and the node to clean up on. */
export function getPathAndNodeForPV(pv: PersistentVolume): { path: string; node: string } {
  const path = pv.spec?.hostPath?.path;
  if (!path) throw new Error("no HostPath set");
  const affinity = pv.spec?.nodeAffinity;
  if (!affinity) throw new Error("no NodeAffinity set");
  const required = affinity.required;
  if (!required) throw new Error("no NodeAffinity.Required set");
  for (const term of required.nodeSelectorTerms ?? []) {
    for (const expr of term.matchExpressions ?? []) {
      if (expr.key === KEY_NODE && expr.operator === "In") {
        if ((expr.values ?? []).length !== 1) throw new Error("multiple values for the node affinity");
        return { path, node: expr.values![0] };
      }
    }
  }
  throw new Error("cannot find affinited node");
}

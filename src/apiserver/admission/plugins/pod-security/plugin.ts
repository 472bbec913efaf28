// The PodSecurity validating admission plugin (plugin/pkg/admission/security/
// podsecurity in upstream): runs on creates and updates of pods, namespaces
// and pod-template resources, reading namespaces and pods from the registry.
// Warnings go to the response's Warning headers; audit annotations go to an
// optional hook for the audit log.

import type { Registry } from "../../../registry/index.ts";
import type { AdmissionAttributes, Obj, ValidatingPlugin } from "../../admission.ts";
import {
  hasPodSpec,
  type NamespaceGetter,
  type PodLister,
  PodSecurityAdmission,
  type PodSecurityDefaults,
  type PodSecurityExemptions,
} from "./admission.ts";
import { AUDIT_ANNOTATION_PREFIX } from "./api.ts";
import { setRelaxPolicyForUserNamespacePods } from "./policy/check.ts";
import { newEvaluator } from "./policy/registry.ts";

export const PLUGIN_NAME = "PodSecurity";

/** The part of the registry the plugin reads. */
export type PodSecurityRegistry = Pick<Registry, "byResource">;

export interface PodSecurityOptions {
  /** The apiserver's registry, or a getter for one created later (ApiServer builds its own). */
  registry: PodSecurityRegistry | (() => PodSecurityRegistry);
  /** Levels and versions for namespaces without labels; privileged:latest by default. */
  defaults?: PodSecurityDefaults;
  exemptions?: PodSecurityExemptions;
  /**
   * Called with the request's audit annotations (keys prefixed
   * pod-security.kubernetes.io/: enforce-policy, audit-violations, exempt,
   * error) while the request is being served, for its audit event.
   */
  /** A namespace cache (ObjectCache) to read labels from instead of the store. */
  namespaceCache?: { synced: boolean; get(namespace: string | undefined, name: string): Obj | undefined };
  onAuditAnnotations?: (attrs: AdmissionAttributes, annotations: Record<string, string>) => void;
  /** The UserNamespacesPodSecurityStandards feature gate (off in v1.32). */
  relaxPolicyForUserNamespacePods?: boolean;
}

/** PodSecurity admission: enforce on pods, warn and audit on pods and pod templates. */
export function newPodSecurity(opts: PodSecurityOptions): ValidatingPlugin {
  const registry = (): PodSecurityRegistry =>
    typeof opts.registry === "function" ? opts.registry() : opts.registry;
  const namespaceGetter: NamespaceGetter = {
    getNamespace: async (name) => {
      // From memory when a synced cache is given: a store read per pod create costs more than the checks.
      const cached = opts.namespaceCache?.synced ? opts.namespaceCache.get(undefined, name) : undefined;
      if (cached) return cached;
      const store = registry().byResource("", "v1", "namespaces");
      if (!store) throw new Error("namespaces are not served");
      return store.get(undefined, name);
    },
  };
  const podLister: PodLister = {
    listPods: async (namespace) => {
      const store = registry().byResource("", "v1", "pods");
      if (!store) throw new Error("pods are not served");
      const list = await store.list(namespace);
      return (list.items ?? []) as Obj[];
    },
  };
  setRelaxPolicyForUserNamespacePods(opts.relaxPolicyForUserNamespacePods ?? false);
  const admission = new PodSecurityAdmission({
    evaluator: newEvaluator(),
    namespaceGetter,
    podLister,
    defaults: opts.defaults,
    exemptions: opts.exemptions,
  });

  return {
    name: PLUGIN_NAME,
    handles: (op) => op === "CREATE" || op === "UPDATE",
    async validate(a: AdmissionAttributes): Promise<void> {
      const { group, resource } = a.resource;
      if (
        !(group === "" && (resource === "namespaces" || resource === "pods")) &&
        !hasPodSpec(group, resource)
      ) {
        return;
      }
      const response = await admission.validate({
        operation: a.operation,
        kind: { group: a.kind.group, kind: a.kind.kind },
        resource: { group, resource },
        subresource: a.subresource,
        namespace: a.namespace,
        name: a.name,
        username: a.user.name,
        object: a.object,
        oldObject: a.oldObject,
      });
      a.warnings.push(...response.warnings);
      const keys = Object.keys(response.auditAnnotations);
      if (keys.length > 0 && opts.onAuditAnnotations) {
        const annotations: Record<string, string> = {};
        for (const k of keys) annotations[AUDIT_ANNOTATION_PREFIX + k] = response.auditAnnotations[k];
        opts.onAuditAnnotations(a, annotations);
      }
      if (!response.allowed) throw response.error;
    },
  };
}

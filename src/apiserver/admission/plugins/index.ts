// The built-in admission plugins, in upstream's order (AllOrderedPlugins in
// pkg/kubeapiserver/options/plugins.go), each in the phases it implements
// upstream: NamespaceLifecycle and NodeRestriction only mutate, ResourceQuota
// only validates and comes last so that it charges only what everything else
// let through.

import type { Authorizer } from "../../authorization/authorizer.ts";
import type { Registry } from "../../registry/index.ts";
import type { MutatingPlugin, ValidatingPlugin } from "../admission.ts";
import { CertificateApproval } from "./certificate-approval.ts";
import { CertificateSigning } from "./certificate-signing.ts";
import { CertificateSubjectRestriction } from "./certificate-subject-restriction.ts";
import { mastersOnly } from "./certificates.ts";
import { DefaultIngressClass } from "./default-ingress-class.ts";
import { DefaultStorageClass } from "./default-storage-class.ts";
import { DefaultTolerationSeconds } from "./default-toleration-seconds.ts";
import { LimitRanger } from "./limit-ranger.ts";
import { NamespaceLifecycle } from "./namespace-lifecycle.ts";
import { NodeRestriction } from "./node-restriction.ts";
import { ObjectCache } from "./object-cache.ts";
import { PersistentVolumeClaimResize } from "./persistent-volume-claim-resize.ts";
import { ensureSystemPriorityClasses, PriorityAdmission } from "./priority.ts";
import { ResourceQuotaAdmission } from "./resource-quota.ts";
import { RuntimeClassAdmission } from "./runtime-class.ts";
import { ServiceAccountAdmission } from "./service-account.ts";
import { StorageObjectInUseProtection } from "./storage-object-in-use-protection.ts";
import { TaintNodesByCondition } from "./taint-nodes-by-condition.ts";
import { ValidatingAdmissionPolicyPlugin } from "./validating-admission-policy/index.ts";
import { cachedNamespaces, NamespaceMatcher } from "./webhooks/namespace-matcher.ts";

export const PLUGIN_NAMES = [
  "NamespaceLifecycle",
  "LimitRanger",
  "ServiceAccount",
  "NodeRestriction",
  "TaintNodesByCondition",
  "Priority",
  "DefaultTolerationSeconds",
  "DefaultStorageClass",
  "StorageObjectInUseProtection",
  "PersistentVolumeClaimResize",
  "RuntimeClass",
  "CertificateApproval",
  "CertificateSigning",
  "CertificateSubjectRestriction",
  "DefaultIngressClass",
  "ValidatingAdmissionPolicy",
  "ResourceQuota",
] as const;
export type PluginName = (typeof PLUGIN_NAMES)[number];

export interface BuiltinAdmissionOptions {
  registry: Registry;
  /**
   * The apiserver's authorizer, for CertificateApproval and CertificateSigning (upstream's
   * WantsAuthorizer). Without one only system:masters may approve or sign.
   */
  authorizer?: Authorizer;
  /** Plugins to leave out, by upstream name (--disable-admission-plugins). */
  disable?: Iterable<string>;
  /** The apiserver's cache of namespaces, if it keeps one (PodSecurity's): the plugins read it rather than a second. */
  namespaceCache?: ObjectCache;
  /** PodSecurity (validating only), put where upstream runs it: after NodeRestriction. */
  podSecurity?: ValidatingPlugin;
  /** Admission webhooks, run after every built-in plugin but ResourceQuota (and, validating, after ValidatingAdmissionPolicy), as upstream. */
  webhooks?: { mutating?: MutatingPlugin[]; validating?: ValidatingPlugin[] };
}

export interface BuiltinAdmission {
  mutating: MutatingPlugin[];
  validating: ValidatingPlugin[];
  /** Fills the plugins' caches and creates the system PriorityClasses; plugins work (reading the store) before it. */
  start(): Promise<void>;
  stop(): void;
}

export function builtinAdmission(opts: BuiltinAdmissionOptions): BuiltinAdmission {
  const { registry } = opts;
  const disabled = new Set(opts.disable ?? []);
  for (const name of disabled) {
    if (!(PLUGIN_NAMES as readonly string[]).includes(name))
      throw new Error(`unknown admission plugin: ${name}`);
  }
  const on = (name: PluginName) => !disabled.has(name);
  // One cache a resource, however many plugins read it.
  const caches = new Map<string, ObjectCache>();
  if (opts.namespaceCache) caches.set("/namespaces", opts.namespaceCache);
  const cacheOf = (group: string, resource: string): ObjectCache => {
    const key = `${group}/${resource}`;
    let cache = caches.get(key);
    if (!cache) {
      cache = new ObjectCache(registry.byResource(group, "v1", resource)!);
      caches.set(key, cache);
    }
    return cache;
  };

  const namespaceLifecycle = on("NamespaceLifecycle")
    ? new NamespaceLifecycle({ registry, cache: cacheOf("", "namespaces") })
    : undefined;
  const limitRanger = on("LimitRanger")
    ? new LimitRanger({ registry, cache: cacheOf("", "limitranges") })
    : undefined;
  const serviceAccount = on("ServiceAccount")
    ? new ServiceAccountAdmission({ registry, cache: cacheOf("", "serviceaccounts") })
    : undefined;
  const nodeRestriction = on("NodeRestriction") ? new NodeRestriction({ registry }) : undefined;
  const taintNodes = on("TaintNodesByCondition") ? new TaintNodesByCondition() : undefined;
  const priority = on("Priority")
    ? new PriorityAdmission({ registry, cache: cacheOf("scheduling.k8s.io", "priorityclasses") })
    : undefined;
  const tolerationSeconds = on("DefaultTolerationSeconds") ? new DefaultTolerationSeconds() : undefined;
  const storageObjectInUse = on("StorageObjectInUseProtection")
    ? new StorageObjectInUseProtection()
    : undefined;
  const storageClass = on("DefaultStorageClass")
    ? new DefaultStorageClass({ registry, cache: cacheOf("storage.k8s.io", "storageclasses") })
    : undefined;
  const claimResize = on("PersistentVolumeClaimResize")
    ? new PersistentVolumeClaimResize({ registry, cache: cacheOf("storage.k8s.io", "storageclasses") })
    : undefined;
  const runtimeClass = on("RuntimeClass")
    ? new RuntimeClassAdmission({ registry, cache: cacheOf("node.k8s.io", "runtimeclasses") })
    : undefined;
  const signerAuthorizer = opts.authorizer ?? mastersOnly;
  const certificateApproval = on("CertificateApproval")
    ? new CertificateApproval({ authorizer: signerAuthorizer })
    : undefined;
  const certificateSigning = on("CertificateSigning")
    ? new CertificateSigning({ authorizer: signerAuthorizer })
    : undefined;
  const certificateSubjectRestriction = on("CertificateSubjectRestriction")
    ? new CertificateSubjectRestriction()
    : undefined;
  const ingressClass = on("DefaultIngressClass")
    ? new DefaultIngressClass({ registry, cache: cacheOf("networking.k8s.io", "ingressclasses") })
    : undefined;
  const policies = on("ValidatingAdmissionPolicy")
    ? (() => {
        const getNamespace = cachedNamespaces(cacheOf("", "namespaces"));
        return new ValidatingAdmissionPolicyPlugin({
          policies: cacheOf("admissionregistration.k8s.io", "validatingadmissionpolicies"),
          bindings: cacheOf("admissionregistration.k8s.io", "validatingadmissionpolicybindings"),
          namespaceMatcher: new NamespaceMatcher(getNamespace),
          getNamespace,
          registry,
          authorizer: opts.authorizer,
        });
      })()
    : undefined;
  const resourceQuota = on("ResourceQuota")
    ? new ResourceQuotaAdmission({ registry, cache: cacheOf("", "resourcequotas") })
    : undefined;

  const present = <T>(xs: (T | undefined)[]): T[] => xs.filter((x): x is T => x !== undefined);
  return {
    mutating: present<MutatingPlugin>([
      namespaceLifecycle,
      limitRanger,
      serviceAccount,
      nodeRestriction,
      taintNodes,
      priority,
      tolerationSeconds,
      storageClass,
      storageObjectInUse,
      runtimeClass,
      ingressClass,
      ...(opts.webhooks?.mutating ?? []),
    ]),
    validating: present<ValidatingPlugin>([
      limitRanger,
      serviceAccount,
      opts.podSecurity,
      priority,
      claimResize,
      runtimeClass,
      certificateApproval,
      certificateSigning,
      certificateSubjectRestriction,
      policies,
      ...(opts.webhooks?.validating ?? []),
      resourceQuota,
    ]),
    async start() {
      if (priority) await ensureSystemPriorityClasses(registry);
      await Promise.all([...caches.values()].map((c) => c.start()));
    },
    stop() {
      for (const c of caches.values()) c.stop();
    },
  };
}

export { CertificateApproval } from "./certificate-approval.ts";
export { CertificateSigning } from "./certificate-signing.ts";
export { CertificateSubjectRestriction } from "./certificate-subject-restriction.ts";
export { DefaultIngressClass } from "./default-ingress-class.ts";
export { DefaultStorageClass } from "./default-storage-class.ts";
export { DefaultTolerationSeconds } from "./default-toleration-seconds.ts";
export { LimitRanger } from "./limit-ranger.ts";
export { NamespaceLifecycle } from "./namespace-lifecycle.ts";
export { NodeRestriction } from "./node-restriction.ts";
export { ObjectCache } from "./object-cache.ts";
export { PersistentVolumeClaimResize } from "./persistent-volume-claim-resize.ts";
export { ensureSystemPriorityClasses, PriorityAdmission } from "./priority.ts";
export { ResourceQuotaAdmission } from "./resource-quota.ts";
export { RuntimeClassAdmission } from "./runtime-class.ts";
export { ServiceAccountAdmission } from "./service-account.ts";
export { StorageObjectInUseProtection } from "./storage-object-in-use-protection.ts";
export { TaintNodesByCondition } from "./taint-nodes-by-condition.ts";

// ResourceRefs of the kinds the components in k8ts use most.
import type { ResourceRef } from "./rest-client.ts";

const core = (resource: string, namespaced = true): ResourceRef => ({
  group: "",
  version: "v1",
  resource,
  namespaced,
});

export const Resources = {
  pods: core("pods"),
  nodes: core("nodes", false),
  namespaces: core("namespaces", false),
  services: core("services"),
  endpoints: core("endpoints"),
  endpointslices: { group: "discovery.k8s.io", version: "v1", resource: "endpointslices", namespaced: true },
  configmaps: core("configmaps"),
  secrets: core("secrets"),
  events: core("events"),
  serviceaccounts: core("serviceaccounts"),
  persistentvolumes: core("persistentvolumes", false),
  persistentvolumeclaims: core("persistentvolumeclaims"),
  leases: { group: "coordination.k8s.io", version: "v1", resource: "leases", namespaced: true },
  deployments: { group: "apps", version: "v1", resource: "deployments", namespaced: true },
  replicasets: { group: "apps", version: "v1", resource: "replicasets", namespaced: true },
  statefulsets: { group: "apps", version: "v1", resource: "statefulsets", namespaced: true },
  daemonsets: { group: "apps", version: "v1", resource: "daemonsets", namespaced: true },
  controllerrevisions: { group: "apps", version: "v1", resource: "controllerrevisions", namespaced: true },
  replicationcontrollers: core("replicationcontrollers"),
  podtemplates: core("podtemplates"),
  resourcequotas: core("resourcequotas"),
  limitranges: core("limitranges"),
  jobs: { group: "batch", version: "v1", resource: "jobs", namespaced: true },
  poddisruptionbudgets: {
    group: "policy",
    version: "v1",
    resource: "poddisruptionbudgets",
    namespaced: true,
  },
  cronjobs: { group: "batch", version: "v1", resource: "cronjobs", namespaced: true },
  certificatesigningrequests: {
    group: "certificates.k8s.io",
    version: "v1",
    resource: "certificatesigningrequests",
    namespaced: false,
  },
  runtimeclasses: { group: "node.k8s.io", version: "v1", resource: "runtimeclasses", namespaced: false },
  priorityclasses: {
    group: "scheduling.k8s.io",
    version: "v1",
    resource: "priorityclasses",
    namespaced: false,
  },
  flowschemas: {
    group: "flowcontrol.apiserver.k8s.io",
    version: "v1",
    resource: "flowschemas",
    namespaced: false,
  },
  prioritylevelconfigurations: {
    group: "flowcontrol.apiserver.k8s.io",
    version: "v1",
    resource: "prioritylevelconfigurations",
    namespaced: false,
  },
  clusterroles: {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    resource: "clusterroles",
    namespaced: false,
  },
  clusterrolebindings: {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    resource: "clusterrolebindings",
    namespaced: false,
  },
} as const satisfies Record<string, ResourceRef>;

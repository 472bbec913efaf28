// What metrics-server's own manifest (components.yaml) installs, for a
// metrics-server that runs on the host (`k8ts up`): its RBAC, the
// kube-system/metrics-server Service with no selector and Endpoints at the
// host's address, and the v1beta1.metrics.k8s.io APIService that sends the
// group there.
import type { Endpoints, Service, ServiceAccount } from "kubernetes-types/core/v1.d.ts";
import type { ClusterRole, ClusterRoleBinding, RoleBinding } from "kubernetes-types/rbac/v1.d.ts";
import { isAlreadyExists } from "../client/api-error.ts";
import { Resources } from "../client/resources.ts";
import type { KubeObject, ResourceRef, RestClient } from "../client/rest-client.ts";
import { upsert } from "../client/upsert.ts";
import { GROUP, VERSION } from "./server.ts";

export const NAMESPACE = "kube-system";
export const NAME = "metrics-server";
/** The identity it runs as. */
export const USER = `system:serviceaccount:${NAMESPACE}:${NAME}`;
/** The names its serving certificate must carry: the aggregator dials it as <svc>.<ns>.svc. */
export const SERVING_HOSTS = [`${NAME}.${NAMESPACE}.svc`, `${NAME}.${NAMESPACE}.svc.cluster.local`];

const RBAC = "rbac.authorization.k8s.io";
const APISERVICES: ResourceRef = {
  group: "apiregistration.k8s.io",
  version: "v1",
  resource: "apiservices",
  namespaced: false,
};
const ROLEBINDINGS: ResourceRef = { group: RBAC, version: "v1", resource: "rolebindings", namespaced: true };
const subject = { kind: "ServiceAccount", name: NAME, namespace: NAMESPACE };

const objects: [ResourceRef, KubeObject][] = [
  [
    Resources.serviceaccounts,
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: NAME, namespace: NAMESPACE },
    } as ServiceAccount,
  ],
  // Who may read metrics: whoever may view, edit or administer (the aggregated roles).
  [
    Resources.clusterroles,
    {
      apiVersion: `${RBAC}/v1`,
      kind: "ClusterRole",
      metadata: {
        name: "system:aggregated-metrics-reader",
        labels: {
          "k8s-app": NAME,
          [`${RBAC}/aggregate-to-admin`]: "true",
          [`${RBAC}/aggregate-to-edit`]: "true",
          [`${RBAC}/aggregate-to-view`]: "true",
        },
      },
      rules: [{ apiGroups: [GROUP], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"] }],
    } as ClusterRole,
  ],
  [
    Resources.clusterroles,
    {
      apiVersion: `${RBAC}/v1`,
      kind: "ClusterRole",
      metadata: { name: "system:metrics-server", labels: { "k8s-app": NAME } },
      rules: [
        { apiGroups: [""], resources: ["nodes/metrics"], verbs: ["get"] },
        { apiGroups: [""], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"] },
      ],
    } as ClusterRole,
  ],
  [
    Resources.clusterrolebindings,
    {
      apiVersion: `${RBAC}/v1`,
      kind: "ClusterRoleBinding",
      metadata: { name: "system:metrics-server", labels: { "k8s-app": NAME } },
      roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "system:metrics-server" },
      subjects: [subject],
    } as ClusterRoleBinding,
  ],
  // TokenReviews and SubjectAccessReviews for its callers.
  [
    Resources.clusterrolebindings,
    {
      apiVersion: `${RBAC}/v1`,
      kind: "ClusterRoleBinding",
      metadata: { name: "metrics-server:system:auth-delegator", labels: { "k8s-app": NAME } },
      roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "system:auth-delegator" },
      subjects: [subject],
    } as ClusterRoleBinding,
  ],
  // kube-system/extension-apiserver-authentication: the request-header settings.
  [
    ROLEBINDINGS,
    {
      apiVersion: `${RBAC}/v1`,
      kind: "RoleBinding",
      metadata: { name: "metrics-server-auth-reader", namespace: NAMESPACE, labels: { "k8s-app": NAME } },
      roleRef: { apiGroup: RBAC, kind: "Role", name: "extension-apiserver-authentication-reader" },
      subjects: [subject],
    } as RoleBinding,
  ],
];

/** Its service account and RBAC, as upstream's manifest has them (existing objects are left as they are). */
export async function installMetricsServerRbac(client: RestClient): Promise<void> {
  for (const [res, obj] of objects) {
    try {
      await client.create(res, obj, { namespace: obj.metadata?.namespace });
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
  }
}

/** The Service, its Endpoints at hostIP:port, and the APIService (caBundle: the CA of its serving certificate). */
export async function registerMetricsServer(o: {
  client: RestClient;
  hostIP: string;
  port: number;
  nodeName?: string;
  caPem: string;
}): Promise<void> {
  const labels = { "k8s-app": NAME };
  const service: Service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: NAME, namespace: NAMESPACE, labels },
    spec: { ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: o.port }] },
  };
  const ports = (s: Service) => JSON.stringify(s.spec?.ports?.map((p) => [p.name, p.port, p.targetPort]));
  await upsert<Service>(
    o.client,
    Resources.services,
    service,
    (have) => ports(have) === ports(service),
    // ClusterIPs are immutable.
    (have, next) => ({ ...next, spec: { ...have.spec, ...next.spec } }),
  );
  const endpoints: Endpoints = {
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: { name: NAME, namespace: NAMESPACE, labels },
    subsets: [
      {
        addresses: [{ ip: o.hostIP, ...(o.nodeName ? { nodeName: o.nodeName } : {}) }],
        ports: [{ name: "https", port: o.port, protocol: "TCP" }],
      },
    ],
  };
  await upsert<Endpoints>(
    o.client,
    Resources.endpoints,
    endpoints,
    (have) => JSON.stringify(have.subsets) === JSON.stringify(endpoints.subsets),
  );
  const caBundle = Buffer.from(o.caPem).toString("base64");
  const apiService = {
    apiVersion: "apiregistration.k8s.io/v1",
    kind: "APIService",
    metadata: { name: `${VERSION}.${GROUP}`, labels },
    spec: {
      group: GROUP,
      version: VERSION,
      service: { name: NAME, namespace: NAMESPACE, port: 443 },
      caBundle,
      groupPriorityMinimum: 100,
      versionPriority: 100,
    },
  };
  await upsert<KubeObject & { spec?: { caBundle?: string } }>(
    o.client,
    APISERVICES,
    apiService,
    (have) => have.spec?.caBundle === caBundle,
  );
}

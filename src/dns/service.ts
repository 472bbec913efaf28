// The kube-system/kube-dns Service in front of `k8ts dns`, as a kubeadm
// cluster has it (ClusterIP 10.96.0.10, ports dns/53 UDP, dns-tcp/53 TCP,
// metrics/9153 TCP) but with no selector: the server runs on the host, not in
// a pod, so its Endpoints and EndpointSlice are written here, pointing at the
// host's address, the way the apiserver writes those of `default/kubernetes`.
import type { EndpointPort, Endpoints, Service } from "kubernetes-types/core/v1.d.ts";
import type { EndpointSlice } from "kubernetes-types/discovery/v1.d.ts";
import { Resources } from "../client/resources.ts";
import type { RestClient } from "../client/rest-client.ts";
import { upsert } from "../client/upsert.ts";

export const KUBE_DNS_NAMESPACE = "kube-system";
export const KUBE_DNS_NAME = "kube-dns";
/** The address the kubelet writes into pods' resolv.conf (--cluster-dns). */
export const KUBE_DNS_CLUSTER_IP = "10.96.0.10";
/** Our own value of endpointslice.kubernetes.io/managed-by: the EndpointSlice controller leaves such slices alone. */
export const MANAGED_BY = "k8ts-dns";

export interface KubeDnsServiceOptions {
  client: RestClient;
  /** The host address the DNS server listens on (the endpoint address). */
  hostIP: string;
  /** Its DNS port (UDP and TCP) and the port of /metrics. */
  dnsPort?: number;
  metricsPort?: number;
  clusterIP?: string;
  /** The node the server runs on (EndpointSlice nodeName). */
  nodeName?: string;
}

/** The Service, as kubeadm's CoreDNS add-on manifest declares it (minus the selector). */
export function kubeDnsService(clusterIP = KUBE_DNS_CLUSTER_IP): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: KUBE_DNS_NAME,
      namespace: KUBE_DNS_NAMESPACE,
      labels: {
        "k8s-app": "kube-dns",
        "kubernetes.io/cluster-service": "true",
        "kubernetes.io/name": "CoreDNS",
      },
      annotations: { "prometheus.io/port": "9153", "prometheus.io/scrape": "true" },
    },
    spec: {
      type: "ClusterIP",
      clusterIP,
      clusterIPs: [clusterIP],
      ports: [
        { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
        { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
        { name: "metrics", port: 9153, protocol: "TCP", targetPort: 9153 },
      ],
    },
  };
}

function endpointPorts(dnsPort: number, metricsPort: number): EndpointPort[] {
  return [
    { name: "dns", port: dnsPort, protocol: "UDP" },
    { name: "dns-tcp", port: dnsPort, protocol: "TCP" },
    { name: "metrics", port: metricsPort, protocol: "TCP" },
  ];
}

export function kubeDnsEndpoints(
  hostIP: string,
  dnsPort = 53,
  metricsPort = 9153,
  nodeName?: string,
): Endpoints {
  return {
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: {
      name: KUBE_DNS_NAME,
      namespace: KUBE_DNS_NAMESPACE,
      labels: { "k8s-app": "kube-dns", "endpointslice.kubernetes.io/skip-mirror": "true" },
    },
    subsets: [
      {
        addresses: [{ ip: hostIP, ...(nodeName ? { nodeName } : {}) }],
        ports: endpointPorts(dnsPort, metricsPort),
      },
    ],
  };
}

export function kubeDnsEndpointSlice(
  hostIP: string,
  dnsPort = 53,
  metricsPort = 9153,
  nodeName?: string,
): EndpointSlice {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      name: KUBE_DNS_NAME,
      namespace: KUBE_DNS_NAMESPACE,
      labels: {
        "k8s-app": "kube-dns",
        "kubernetes.io/service-name": KUBE_DNS_NAME,
        "endpointslice.kubernetes.io/managed-by": MANAGED_BY,
      },
    },
    addressType: hostIP.includes(":") ? "IPv6" : "IPv4",
    endpoints: [
      {
        addresses: [hostIP],
        conditions: { ready: true, serving: true, terminating: false },
        ...(nodeName ? { nodeName } : {}),
      },
    ],
    ports: endpointPorts(dnsPort, metricsPort),
  };
}

/**
 * Creates or updates the kube-dns Service, its Endpoints and its
 * EndpointSlice so that <clusterIP>:53 reaches hostIP:dnsPort. A Service that
 * already has another ClusterIP keeps it (ClusterIPs are immutable).
 */
export async function ensureKubeDnsService(o: KubeDnsServiceOptions): Promise<Service> {
  const dnsPort = o.dnsPort ?? 53;
  const metricsPort = o.metricsPort ?? 9153;
  const want = kubeDnsService(o.clusterIP);
  const ports = (s: Service) =>
    JSON.stringify(s.spec?.ports?.map((p) => [p.name, p.port, p.protocol, p.targetPort]));
  const svc = await upsert<Service>(
    o.client,
    Resources.services,
    want,
    (have) => ports(have) === ports(want),
    (have, next) => ({
      ...next,
      spec: {
        ...have.spec,
        ...next.spec,
        clusterIP: have.spec?.clusterIP,
        clusterIPs: have.spec?.clusterIPs,
      },
    }),
  );
  const ep = kubeDnsEndpoints(o.hostIP, dnsPort, metricsPort, o.nodeName);
  await upsert<Endpoints>(
    o.client,
    Resources.endpoints,
    ep,
    (have) => JSON.stringify(have.subsets) === JSON.stringify(ep.subsets),
  );
  const slice = kubeDnsEndpointSlice(o.hostIP, dnsPort, metricsPort, o.nodeName);
  await upsert<EndpointSlice>(
    o.client,
    Resources.endpointslices,
    slice,
    (have) =>
      JSON.stringify([have.endpoints?.map((e) => e.addresses), have.ports]) ===
      JSON.stringify([slice.endpoints.map((e) => e.addresses), slice.ports]),
  );
  return svc;
}

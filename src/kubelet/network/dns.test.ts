import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { DNSConfigurer, getPodDNSType, mergeDNSOptions, parseResolvConf } from "./dns.ts";

const HOST =
  "# host\nnameserver 10.255.255.53\nnameserver 8.8.8.8 ; google\nsearch corp.example. lab.example .\noptions rotate timeout:2\n";

function pod(spec: Partial<NonNullable<Pod["spec"]>> = {}): Pod {
  return { metadata: { name: "p", namespace: "ns1", uid: "u1" }, spec: { containers: [], ...spec } };
}

function configurer(clusterDNS = ["10.96.0.10"], resolverConfig?: string) {
  const events: string[] = [];
  const c = new DNSConfigurer({
    clusterDNS,
    clusterDomain: "cluster.local",
    resolverConfig,
    nodeIPs: ["192.168.1.5"],
    readFile: () => HOST,
    event: (_p, type, reason, message) => events.push(`${type} ${reason} ${message}`),
  });
  return { c, events };
}

describe("parseResolvConf", () => {
  it("reads nameservers, the search line without dots and the options", () => {
    assert.deepEqual(parseResolvConf(HOST), {
      servers: ["10.255.255.53", "8.8.8.8"],
      searches: ["corp.example", "lab.example"],
      options: ["rotate", "timeout:2"],
    });
  });
  it("keeps the last search line", () => {
    assert.deepEqual(parseResolvConf("search a.example\nsearch b.example\n").searches, ["b.example"]);
  });
});

describe("getPodDNSType", () => {
  it("falls back to Default for ClusterFirst on the host network", () => {
    assert.equal(getPodDNSType(pod({ dnsPolicy: "ClusterFirst" })), "cluster");
    assert.equal(getPodDNSType(pod({ dnsPolicy: "ClusterFirst", hostNetwork: true })), "host");
    assert.equal(getPodDNSType(pod({ dnsPolicy: "ClusterFirstWithHostNet", hostNetwork: true })), "cluster");
    assert.equal(getPodDNSType(pod({ dnsPolicy: "Default" })), "host");
    assert.equal(getPodDNSType(pod({ dnsPolicy: "None" })), "none");
  });
});

describe("GetPodDNS", () => {
  it("ClusterFirst: the cluster DNS only, the cluster search list then the host's, ndots:5", () => {
    assert.deepEqual(configurer().c.getPodDNS(pod({ dnsPolicy: "ClusterFirst" })), {
      servers: ["10.96.0.10"],
      searches: [
        "ns1.svc.cluster.local",
        "svc.cluster.local",
        "cluster.local",
        "corp.example",
        "lab.example",
      ],
      options: ["ndots:5"],
    });
  });
  it("Default, and ClusterFirst on the host network: the node's resolv.conf", () => {
    const host = {
      servers: ["10.255.255.53", "8.8.8.8"],
      searches: ["corp.example", "lab.example"],
      options: ["rotate", "timeout:2"],
    };
    assert.deepEqual(configurer().c.getPodDNS(pod({ dnsPolicy: "Default" })), host);
    assert.deepEqual(configurer().c.getPodDNS(pod({ hostNetwork: true, dnsPolicy: "ClusterFirst" })), host);
  });
  it("None: only dnsConfig, options merged by name", () => {
    const got = configurer().c.getPodDNS(
      pod({
        dnsPolicy: "None",
        dnsConfig: {
          nameservers: ["1.2.3.4", "1.2.3.4"],
          searches: ["ns1.svc.cluster-domain.example", "my.dns.search.suffix"],
          options: [{ name: "ndots", value: "2" }, { name: "edns0" }],
        },
      }),
    );
    assert.deepEqual(got, {
      servers: ["1.2.3.4"],
      searches: ["ns1.svc.cluster-domain.example", "my.dns.search.suffix"],
      options: ["ndots:2", "edns0"],
    });
  });
  it("dnsConfig adds to ClusterFirst and overrides ndots", () => {
    const got = configurer().c.getPodDNS(
      pod({ dnsConfig: { searches: ["x.example"], options: [{ name: "ndots", value: "1" }] } }),
    );
    assert.deepEqual(got.searches.at(-1), "x.example");
    assert.deepEqual(got.options, ["ndots:1"]);
  });
  it("without a cluster DNS IP: Default, with upstream's MissingClusterDNS event", () => {
    const { c, events } = configurer([]);
    assert.deepEqual(c.getPodDNS(pod()).servers, ["10.255.255.53", "8.8.8.8"]);
    assert.deepEqual(events, [
      'Warning MissingClusterDNS pod: "p_ns1(u1)". kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.',
    ]);
  });
  it("--resolv-conf '': the local nameserver and search '.'", () => {
    assert.deepEqual(configurer(["10.96.0.10"], "").c.getPodDNS(pod({ dnsPolicy: "Default" })), {
      servers: ["127.0.0.1"],
      searches: ["."],
      options: [],
    });
  });
  it("keeps at most 3 nameservers and 32 search paths", () => {
    const got = configurer().c.getPodDNS(
      pod({
        dnsPolicy: "None",
        dnsConfig: {
          nameservers: ["1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4"],
          searches: Array.from({ length: 40 }, (_, i) => `s${i}.example`),
        },
      }),
    );
    assert.deepEqual(got.servers, ["1.1.1.1", "2.2.2.2", "3.3.3.3"]);
    assert.equal(got.searches.length, 32);
  });
});

describe("mergeDNSOptions", () => {
  it("later values win, valueless options have no colon", () => {
    assert.deepEqual(
      mergeDNSOptions(["ndots:5", "rotate"], [{ name: "ndots", value: "3" }, { name: "single-request" }]),
      ["ndots:3", "rotate", "single-request"],
    );
  });
});

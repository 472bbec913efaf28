// Service validation: cases after TestValidateServiceCreate /
// TestValidateServiceUpdate / TestValidateLoadBalancerStatus upstream.

import assert from "node:assert/strict";
import { test } from "node:test";
import { createErrors, type J, statusErrors, stored, updateErrors } from "./test-helpers.ts";

const svc = (spec: J = {}, meta: J = {}): J => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "s", namespace: "default", ...meta },
  spec: { selector: { app: "x" }, ports: [{ port: 80 }], ...spec },
});
const c = (spec: J = {}, meta: J = {}) => createErrors("", "Service", svc(spec, meta));
const allocated = {
  clusterIP: "10.0.0.1",
  clusterIPs: ["10.0.0.1"],
  ipFamilies: ["IPv4"],
  ipFamilyPolicy: "SingleStack",
};
const old = svc(allocated, stored());
const u = (spec: J, oldObj: J = old) =>
  updateErrors("", "Service", svc({ ...allocated, ...spec }, stored()), oldObj);

test("valid services", () => {
  assert.deepEqual(c(), []);
  assert.deepEqual(
    c({
      type: "NodePort",
      clusterIP: "10.0.0.5",
      clusterIPs: ["10.0.0.5"],
      ports: [
        { name: "http", port: 80, targetPort: "http", nodePort: 30080, protocol: "TCP" },
        { name: "dns", port: 53, protocol: "UDP", targetPort: 5353 },
        { name: "sctp", port: 9, protocol: "SCTP" },
      ],
      sessionAffinity: "ClientIP",
      externalTrafficPolicy: "Local",
    }),
    [],
  );
  assert.deepEqual(c({ clusterIP: "None", clusterIPs: ["None"], ports: [] }), []);
  assert.deepEqual(c({ type: "ExternalName", externalName: "foo.example.com", ports: [] }), []);
});

test("service names are DNS-1035 labels", () => {
  const msg =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
  assert.deepEqual(c({}, { name: "a.b" }), [`metadata.name: Invalid value: "a.b": ${msg}`]);
  assert.deepEqual(c({}, { name: "1abc" }), [`metadata.name: Invalid value: "1abc": ${msg}`]);
});

test("ports: required, in range, named when several, unique", () => {
  assert.deepEqual(c({ ports: [] }), ["spec.ports: Required value"]);
  // targetPort defaults to port, so it is out of range too.
  assert.deepEqual(c({ ports: [{ port: 0 }] }), [
    "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
    "spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive",
  ]);
  assert.deepEqual(c({ ports: [{ port: 80, targetPort: 70000 }] }), [
    "spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
  ]);
  assert.deepEqual(c({ ports: [{ port: 80 }, { port: 81 }] }), [
    "spec.ports[0].name: Required value",
    "spec.ports[1].name: Required value",
  ]);
  assert.deepEqual(
    c({
      ports: [
        { name: "a", port: 80 },
        { name: "a", port: 81 },
      ],
    }),
    ['spec.ports[1].name: Duplicate value: "a"'],
  );
  assert.deepEqual(
    c({
      ports: [
        { name: "a", port: 80 },
        { name: "b", port: 80 },
      ],
    }),
    [
      'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    ],
  );
  assert.deepEqual(c({ ports: [{ name: "Bad_Name", port: 80 }] }), [
    "spec.ports[0].name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  ]);
  assert.deepEqual(c({ ports: [{ port: 80, protocol: "HTTP" }] }), [
    'spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
  ]);
  assert.deepEqual(c({ ports: [{ port: 80, targetPort: "Bad_Name" }] }), [
    'spec.ports[0].targetPort: Invalid value: "Bad_Name": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
  ]);
  assert.deepEqual(c({ ports: [{ port: 80, appProtocol: "bad proto!" }] }), [
    "spec.ports[0].appProtocol: Invalid value: \"bad proto!\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
  ]);
});

test("node ports: only for NodePort/LoadBalancer, unique; the range is the allocator's job", () => {
  assert.deepEqual(c({ ports: [{ port: 80, nodePort: 30000 }] }), [
    "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
  ]);
  assert.deepEqual(
    c({
      type: "NodePort",
      ports: [
        { name: "a", port: 80, nodePort: 30001 },
        { name: "b", port: 81, nodePort: 30001 },
      ],
    }),
    ["spec.ports[1].nodePort: Duplicate value: 30001"],
  );
  assert.deepEqual(c({ type: "NodePort", ports: [{ port: 80, nodePort: 70000 }] }), []);
});

test("type, external name and selector", () => {
  assert.deepEqual(c({ type: "Bogus" }), [
    'spec.type: Unsupported value: "Bogus": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
  ]);
  assert.deepEqual(c({ type: "ExternalName", ports: [] }), ["spec.externalName: Required value"]);
  assert.deepEqual(c({ type: "ExternalName", externalName: "Bad_Name", ports: [] }), [
    "spec.externalName: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ]);
  assert.deepEqual(c({ selector: { "bad key!": "x" } }), [
    "spec.selector: Invalid value: \"bad key!\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
  ]);
  assert.deepEqual(c({ selector: { a: "bad value!" } }), [
    "spec.selector: Invalid value: \"bad value!\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  ]);
});

test("cluster IPs and IP families", () => {
  assert.deepEqual(c({ clusterIP: "bad", clusterIPs: ["bad"] }), [
    'spec.clusterIPs[0]: Invalid value: "bad": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
  ]);
  assert.deepEqual(c({ clusterIP: "10.0.0.1", clusterIPs: ["10.0.0.2"] }), [
    'spec.clusterIPs: Invalid value: []string{"10.0.0.2"}: first value must match `clusterIP`',
  ]);
  assert.deepEqual(c({ ipFamilyPolicy: "Bogus" }), [
    'spec.ipFamilyPolicy: Unsupported value: "Bogus": supported values: "PreferDualStack", "RequireDualStack", "SingleStack"',
  ]);
  assert.deepEqual(c({ ipFamilies: ["IPv5"] }), [
    'spec.ipFamilies[0]: Unsupported value: "IPv5": supported values: "IPv4", "IPv6"',
  ]);
  assert.deepEqual(c({ ipFamilies: ["IPv4", "IPv4"], ipFamilyPolicy: "RequireDualStack" }), [
    'spec.ipFamilies[1]: Duplicate value: "IPv4"',
  ]);
});

test("policies and external addressing", () => {
  assert.deepEqual(c({ sessionAffinity: "Bogus" }), [
    'spec.sessionAffinity: Unsupported value: "Bogus": supported values: "ClientIP", "None"',
  ]);
  assert.deepEqual(
    c({ sessionAffinity: "ClientIP", sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } } }),
    [
      "spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400",
    ],
  );
  assert.deepEqual(c({ externalTrafficPolicy: "Local" }), [
    'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services',
  ]);
  assert.deepEqual(c({ internalTrafficPolicy: "Bogus" }), [
    'spec.internalTrafficPolicy: Unsupported value: "Bogus": supported values: "Cluster", "Local"',
  ]);
  assert.deepEqual(c({ externalIPs: ["bad", "0.0.0.0"] }), [
    'spec.externalIPs[0]: Invalid value: "bad": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    'spec.externalIPs[1]: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)',
  ]);
  // Upstream's field path really is capitalised here.
  assert.deepEqual(c({ type: "LoadBalancer", loadBalancerSourceRanges: ["10.0.0.0/8", "bad"] }), [
    'spec.LoadBalancerSourceRanges[1]: Invalid value: "bad": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
  ]);
  assert.deepEqual(c({ loadBalancerClass: "x.io/y" }), [
    "spec.loadBalancerClass: Forbidden: may only be used when `type` is 'LoadBalancer'",
  ]);
  assert.deepEqual(c({ healthCheckNodePort: 30001 }), [
    "spec.healthCheckNodePort: Invalid value: 30001: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
  ]);
});

test("updates: cluster IPs and families may not change once set", () => {
  assert.deepEqual(u({ ports: [{ port: 81 }] }), []);
  assert.deepEqual(u({ clusterIP: "10.0.0.2", clusterIPs: ["10.0.0.2"] }), [
    'spec.clusterIPs[0]: Invalid value: []string{"10.0.0.2"}: may not change once set',
  ]);
  assert.deepEqual(u({ clusterIP: "", clusterIPs: [] }), [
    "spec.clusterIPs[0]: Invalid value: []string{}: primary clusterIP can not be unset",
  ]);
  assert.deepEqual(u({ ipFamilies: ["IPv6"] }), [
    'spec.ipFamilies[0]: Invalid value: []core.IPFamily{"IPv6"}: may not change once set',
    'spec.clusterIPs[0]: Invalid value: "10.0.0.1": expected an IPv6 value as indicated by `ipFamilies[0]`',
  ]);
  assert.deepEqual(
    u({
      type: "ExternalName",
      externalName: "a.b",
      clusterIP: "",
      clusterIPs: undefined,
      ipFamilies: undefined,
      ipFamilyPolicy: undefined,
    }),
    [],
  );
});

test("status: load balancer ingress only for LoadBalancer services, with valid addresses", () => {
  assert.deepEqual(
    statusErrors("", "Service", { ...old, status: { loadBalancer: { ingress: [{ ip: "1.2.3.4" }] } } }, old),
    ["status.loadBalancer.ingress: Forbidden: may only be used when `spec.type` is 'LoadBalancer'"],
  );
  const lb = svc({ ...allocated, type: "LoadBalancer", ports: [{ port: 80, nodePort: 30001 }] }, stored());
  assert.deepEqual(
    statusErrors(
      "",
      "Service",
      {
        ...lb,
        status: {
          loadBalancer: { ingress: [{ ip: "1.2.3.4", ipMode: "VIP" }, { hostname: "lb.example.com" }] },
        },
      },
      lb,
    ),
    [],
  );
  assert.deepEqual(
    statusErrors(
      "",
      "Service",
      {
        ...lb,
        status: {
          loadBalancer: {
            ingress: [{ ip: "bad" }, { hostname: "1.2.3.4" }, { ip: "1.2.3.5", ipMode: "Bogus" }],
          },
        },
      },
      lb,
    ),
    [
      'status.loadBalancer.ingress[0].ip: Invalid value: "bad": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      'status.loadBalancer.ingress[1].hostname: Invalid value: "1.2.3.4": must be a DNS name, not an IP address',
      'status.loadBalancer.ingress[2].ipMode: Unsupported value: "Bogus": supported values: "Proxy", "VIP"',
    ],
  );
});

// networking.k8s.io/v1 validation: cases after TestValidateIngressCreate,
// TestValidateIngressSpec, TestValidateIngressStatusUpdate,
// TestValidateIngressClass(Update) and TestValidateNetworkPolicy(Update)
// upstream, asserting the exact field paths and messages.

import assert from "node:assert/strict";
import { test } from "node:test";
import { createErrors, type J, statusErrors, stored, updateErrors } from "./test-helpers.ts";

const net = "networking.k8s.io";

const subdomainMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const wildcardMsg =
  "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const labelMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const dns1035Msg =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const labelValueMsg =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const cidrMsg = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";
const portRangeMsg = "must be between 1 and 65535, inclusive";

// --- Ingress -------------------------------------------------------------------------------------

const svcBackend = (name = "svc", port: J = { number: 80 }): J => ({ service: { name, port } });
const httpRule = (paths: J[], host = "foo.example.com"): J => ({ host, http: { paths } });
const prefixPath = (path = "/", extra: J = {}): J => ({
  path,
  pathType: "Prefix",
  backend: svcBackend(),
  ...extra,
});

const ingress = (spec: J = {}, meta: J = {}, status?: J): J => ({
  apiVersion: `${net}/v1`,
  kind: "Ingress",
  metadata: { name: "ing", namespace: "default", ...meta },
  spec: { rules: [httpRule([prefixPath()])], ...spec },
  ...(status ? { status } : {}),
});
const ingCreate = (spec: J = {}, meta: J = {}) => createErrors(net, "Ingress", ingress(spec, meta));
const ingUpdate = (spec: J, oldSpec: J, meta: J = {}) =>
  updateErrors(net, "Ingress", ingress(spec, stored(meta)), ingress(oldSpec, stored(meta)));
const ingStatus = (status: J) =>
  statusErrors(net, "Ingress", ingress({}, stored(), status), ingress({}, stored()));

test("valid ingresses", () => {
  assert.deepEqual(
    ingCreate({
      ingressClassName: "nginx",
      defaultBackend: svcBackend("default-svc", { name: "http" }),
      rules: [
        httpRule([
          prefixPath("/"),
          { path: "/exact", pathType: "Exact", backend: svcBackend() },
          { pathType: "ImplementationSpecific", backend: svcBackend() },
          { path: "/regex(.*)", pathType: "ImplementationSpecific", backend: svcBackend() },
        ]),
        httpRule([prefixPath("/a")], "*.example.com"),
        { host: "bare.example.com" },
      ],
      tls: [{ hosts: ["foo.example.com", "*.example.com"], secretName: "tls-secret" }, {}],
    }),
    [],
  );
  // Only a default backend, a resource one.
  assert.deepEqual(
    ingCreate({
      rules: undefined,
      defaultBackend: { resource: { apiGroup: "k8s.example.com", kind: "StorageBucket", name: "static" } },
    }),
    [],
  );
});

test("ingress: defaultBackend or rules must be given", () => {
  const msg = "either `defaultBackend` or `rules` must be specified";
  assert.deepEqual(ingCreate({ rules: undefined }), [
    `spec: Invalid value: []networking.IngressRule(nil): ${msg}`,
  ]);
  assert.deepEqual(ingCreate({ rules: [] }), [`spec: Invalid value: []networking.IngressRule{}: ${msg}`]);
});

test("ingress backends", () => {
  const cases: Array<[string, J, string[]]> = [
    [
      "both service and resource",
      { ...svcBackend(), resource: { kind: "K", name: "n" } },
      ['spec.defaultBackend: Invalid value: "": cannot set both resource and service backends'],
    ],
    [
      "neither service nor resource",
      {},
      ['spec.defaultBackend: Invalid value: "": resource or service backend is required'],
    ],
    [
      "port name and number",
      svcBackend("svc", { name: "http", number: 80 }),
      ['spec.defaultBackend: Invalid value: "": cannot set both port name & port number'],
    ],
    [
      "no port",
      svcBackend("svc", {}),
      ["spec.defaultBackend: Required value: port name or number is required"],
    ],
    ["no service name", svcBackend(""), ["spec.defaultBackend.service.name: Required value"]],
    [
      "service name is a DNS-1035 label",
      svcBackend("1svc"),
      [`spec.defaultBackend.service.name: Invalid value: "1svc": ${dns1035Msg}`],
    ],
    [
      "port number out of range",
      svcBackend("svc", { number: 70000 }),
      [`spec.defaultBackend.service.port.number: Invalid value: 70000: ${portRangeMsg}`],
    ],
    [
      "port name not an IANA service name",
      svcBackend("svc", { name: "HTTP" }),
      [
        'spec.defaultBackend.service.port.name: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        'spec.defaultBackend.service.port.name: Invalid value: "HTTP": must contain at least one letter (a-z)',
      ],
    ],
    [
      "resource reference",
      { resource: { apiGroup: "Bad_Group", kind: "", name: "a/b" } },
      [
        `spec.defaultBackend.resource.apiGroup: Invalid value: "Bad_Group": ${subdomainMsg}`,
        "spec.defaultBackend.resource.kind: Required value: kind is required",
        "spec.defaultBackend.resource.name: Invalid value: \"a/b\": may not contain '/'",
      ],
    ],
    [
      "resource without a name",
      { resource: { kind: "..", name: "" } },
      [
        "spec.defaultBackend.resource.kind: Invalid value: \"..\": may not be '..'",
        "spec.defaultBackend.resource.name: Required value: name is required",
      ],
    ],
  ];
  for (const [name, backend, want] of cases) {
    assert.deepEqual(ingCreate({ rules: undefined, defaultBackend: backend }), want, name);
  }
});

test("ingress rules: hosts", () => {
  const host = (h: string) => ingCreate({ rules: [httpRule([prefixPath()], h)] });
  assert.deepEqual(host("1.2.3.4"), [
    'spec.rules[0].host: Invalid value: "1.2.3.4": must be a DNS name, not an IP address',
  ]);
  assert.deepEqual(host("Foo.com"), [`spec.rules[0].host: Invalid value: "Foo.com": ${subdomainMsg}`]);
  assert.deepEqual(host("foo.*.com"), [`spec.rules[0].host: Invalid value: "foo.*.com": ${wildcardMsg}`]);
  assert.deepEqual(host("*"), [`spec.rules[0].host: Invalid value: "*": ${wildcardMsg}`]);
  assert.deepEqual(host("*.foo.com"), []);
  // The second rule is reported at its own index.
  assert.deepEqual(ingCreate({ rules: [httpRule([prefixPath()]), httpRule([prefixPath("x")], "a.b")] }), [
    'spec.rules[1].http.paths[0].path: Invalid value: "x": must be an absolute path',
  ]);
});

test("ingress rules: paths and path types", () => {
  const p = "spec.rules[0].http.paths[0]";
  const cases: Array<[string, J, string[]]> = [
    [
      "pathType required",
      { path: "/", backend: {} },
      [`${p}.pathType: Required value: pathType must be specified`],
    ],
    [
      "pathType supported",
      { path: "/", pathType: "Regex", backend: svcBackend() },
      [
        `${p}.pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"`,
      ],
    ],
    [
      "Prefix must be absolute",
      prefixPath("foo"),
      [`${p}.path: Invalid value: "foo": must be an absolute path`],
    ],
    [
      "Exact needs a path",
      { pathType: "Exact", backend: svcBackend() },
      [`${p}.path: Invalid value: "": must be an absolute path`],
    ],
    [
      "invalid sequences and suffixes",
      prefixPath("/a//b/.."),
      [
        `${p}.path: Invalid value: "/a//b/..": must not contain '//'`,
        `${p}.path: Invalid value: "/a//b/..": cannot end with '/..'`,
      ],
    ],
    [
      "encoded slashes",
      { path: "/a%2Fb/.", pathType: "Exact", backend: svcBackend() },
      [
        `${p}.path: Invalid value: "/a%2Fb/.": must not contain '%2F'`,
        `${p}.path: Invalid value: "/a%2Fb/.": cannot end with '/.'`,
      ],
    ],
    [
      "ImplementationSpecific must be absolute when set",
      { path: "foo", pathType: "ImplementationSpecific", backend: svcBackend() },
      [`${p}.path: Invalid value: "foo": must be an absolute path`],
    ],
    [
      "ImplementationSpecific allows sequences",
      { path: "/a//b/..", pathType: "ImplementationSpecific", backend: svcBackend() },
      [],
    ],
    [
      "the backend of a path is validated",
      prefixPath("/", { backend: svcBackend("svc", {}) }),
      [`${p}.backend: Required value: port name or number is required`],
    ],
  ];
  for (const [name, path, want] of cases) {
    assert.deepEqual(ingCreate({ rules: [httpRule([path])] }), want, name);
  }
  assert.deepEqual(ingCreate({ rules: [httpRule([])] }), ["spec.rules[0].http.paths: Required value"]);
});

test("ingress tls and class name", () => {
  assert.deepEqual(
    ingCreate({
      tls: [
        { hosts: ["ok.example.com"] },
        { hosts: ["a.b", "Foo.com", "*.*.com"], secretName: "Bad_Secret" },
      ],
    }),
    [
      `spec.tls[1].hosts[1]: Invalid value: "Foo.com": ${subdomainMsg}`,
      `spec.tls[1].hosts[2]: Invalid value: "*.*.com": ${wildcardMsg}`,
      `spec.tls[1].secretName: Invalid value: "Bad_Secret": ${subdomainMsg}`,
    ],
  );
  assert.deepEqual(ingCreate({ ingressClassName: "Nginx" }), [
    `spec.ingressClassName: Invalid value: "Nginx": ${subdomainMsg}`,
  ]);
  assert.deepEqual(ingCreate({}, { name: "Bad_Name" }), [
    `metadata.name: Invalid value: "Bad_Name": ${subdomainMsg}`,
  ]);
});

test("ingress class annotation must match ingressClassName on create only", () => {
  const annotated = (value: string) => ({ annotations: { "kubernetes.io/ingress.class": value } });
  assert.deepEqual(ingCreate({ ingressClassName: "bar" }, annotated("foo")), [
    'annotations.kubernetes.io/ingress.class: Invalid value: "foo": must match `ingressClassName` when both are specified',
  ]);
  assert.deepEqual(ingCreate({ ingressClassName: "foo" }, annotated("foo")), []);
  assert.deepEqual(ingCreate({}, annotated("foo")), []);
  assert.deepEqual(ingUpdate({ ingressClassName: "bar" }, {}, annotated("foo")), []);
});

test("ingress update tolerates invalid values the stored object already has", () => {
  const badTLS = { tls: [{ hosts: ["a.b"], secretName: "Bad_Secret" }] };
  assert.deepEqual(ingCreate(badTLS), [
    `spec.tls[0].secretName: Invalid value: "Bad_Secret": ${subdomainMsg}`,
  ]);
  assert.deepEqual(ingUpdate(badTLS, badTLS), []);
  assert.deepEqual(ingUpdate(badTLS, {}), [
    `spec.tls[0].secretName: Invalid value: "Bad_Secret": ${subdomainMsg}`,
  ]);

  const badWildcard = { rules: [httpRule([prefixPath("foo")], "*.example.com")] };
  const pathErr = 'spec.rules[0].http.paths[0].path: Invalid value: "foo": must be an absolute path';
  assert.deepEqual(ingCreate(badWildcard), [pathErr]);
  assert.deepEqual(ingUpdate(badWildcard, badWildcard), []);
  assert.deepEqual(ingUpdate(badWildcard, {}), [pathErr]);
  // The host itself is still checked.
  assert.deepEqual(ingUpdate({ rules: [httpRule([prefixPath("foo")], "*.Example.com")] }, badWildcard), [
    `spec.rules[0].host: Invalid value: "*.Example.com": ${wildcardMsg}`,
  ]);
});

test("ingress status: load balancer addresses", () => {
  const lb = (...ingress: J[]) => ({ loadBalancer: { ingress } });
  assert.deepEqual(
    ingStatus(
      lb(
        { ip: "10.0.0.1", ports: [{ port: 443, protocol: "TCP" }] },
        { hostname: "lb.example.com" },
        { ip: "2001:db8::1" },
      ),
    ),
    [],
  );
  assert.deepEqual(
    ingStatus(lb({ ip: "1.2.3" }, { ip: "10.0.0.1", hostname: "1.2.3.4" }, { hostname: "Foo" })),
    [
      'status.loadBalancer.ingress[0].ip: Invalid value: "1.2.3": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      'status.loadBalancer.ingress[1].hostname: Invalid value: "1.2.3.4": must be a DNS name, not an IP address',
      `status.loadBalancer.ingress[2].hostname: Invalid value: "Foo": ${subdomainMsg}`,
    ],
  );
  // The status strategy does not look at the spec.
  assert.deepEqual(
    statusErrors(net, "Ingress", ingress({ rules: [] }, stored()), ingress({ rules: [] }, stored())),
    [],
  );
});

// --- IngressClass -----------------------------------------------------------------------------------

const ingressClass = (spec: J, meta: J = {}): J => ({
  apiVersion: `${net}/v1`,
  kind: "IngressClass",
  metadata: { name: "external-lb", ...meta },
  spec,
});
const params = (extra: J = {}): J => ({
  apiGroup: "k8s.example.com",
  kind: "IngressParameters",
  name: "external-lb",
  ...extra,
});
const icCreate = (spec: J, meta: J = {}) => createErrors(net, "IngressClass", ingressClass(spec, meta));
const icUpdate = (spec: J, oldSpec: J) =>
  updateErrors(net, "IngressClass", ingressClass(spec, stored()), ingressClass(oldSpec, stored()));

test("ingress class create", () => {
  const controller = "example.com/ingress-controller";
  const p = "spec.parameters";
  const cases: Array<[string, J, string[]]> = [
    ["valid, scope defaults to Cluster", { controller, parameters: params() }, []],
    [
      "valid namespaced parameters",
      { controller, parameters: params({ scope: "Namespace", namespace: "foo-ns" }) },
      [],
    ],
    ["controller required", {}, ["spec.controller: Required value"]],
    [
      "controller domain-prefixed",
      { controller: "nginx" },
      ['spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")'],
    ],
    [
      "controller domain",
      { controller: "Example.com/foo" },
      [`spec.controller: Invalid value: "Example.com": ${subdomainMsg}`],
    ],
    [
      "controller too long",
      { controller: `example.com/${"a".repeat(250)}` },
      ["spec.controller: Too long: may not be more than 250 bytes"],
    ],
    [
      "parameters kind and name",
      { controller, parameters: { apiGroup: "Bad_Group" } },
      [
        `${p}.apiGroup: Invalid value: "Bad_Group": ${subdomainMsg}`,
        `${p}.kind: Required value: kind is required`,
        `${p}.name: Required value: name is required`,
      ],
    ],
    [
      "Namespace scope needs a namespace",
      { controller, parameters: params({ scope: "Namespace" }) },
      [`${p}.namespace: Required value: \`parameters.scope\` is set to 'Namespace'`],
    ],
    [
      "namespace is a DNS label",
      { controller, parameters: params({ scope: "Namespace", namespace: "Bad_NS" }) },
      [`${p}.namespace: Invalid value: "Bad_NS": ${labelMsg}`],
    ],
    [
      "Cluster scope forbids a namespace",
      { controller, parameters: params({ scope: "Cluster", namespace: "foo-ns" }) },
      [`${p}.namespace: Forbidden: \`parameters.scope\` is set to 'Cluster'`],
    ],
    [
      "scope supported",
      { controller, parameters: params({ scope: "Global", namespace: "foo-ns" }) },
      [`${p}.scope: Unsupported value: "Global": supported values: "Cluster", "Namespace"`],
    ],
  ];
  for (const [name, spec, want] of cases) assert.deepEqual(icCreate(spec), want, name);
  assert.deepEqual(icCreate({ controller }, { namespace: "default" }), [
    "metadata.namespace: Forbidden: not allowed on this type",
  ]);
});

test("ingress class update: the controller is immutable", () => {
  const spec = { controller: "example.com/a", parameters: params() };
  assert.deepEqual(icUpdate(spec, spec), []);
  assert.deepEqual(icUpdate({ ...spec, parameters: params({ name: "other" }) }, spec), []);
  assert.deepEqual(icUpdate({ ...spec, controller: "example.com/b" }, spec), [
    'spec.controller: Invalid value: "example.com/b": field is immutable',
  ]);
  // The new object is validated in full as well.
  assert.deepEqual(icUpdate({ controller: "b" }, spec), [
    'spec.controller: Invalid value: "b": field is immutable',
    'spec.controller: Invalid value: "b": must be a domain-prefixed path (such as "acme.io/foo")',
  ]);
});

// --- NetworkPolicy ----------------------------------------------------------------------------------

const netpol = (spec: J = {}, meta: J = {}): J => ({
  apiVersion: `${net}/v1`,
  kind: "NetworkPolicy",
  metadata: { name: "np", namespace: "default", ...meta },
  spec: { podSelector: { matchLabels: { a: "b" } }, ...spec },
});
const npCreate = (spec: J = {}, meta: J = {}) => createErrors(net, "NetworkPolicy", netpol(spec, meta));
const npUpdate = (spec: J, oldSpec: J) =>
  updateErrors(net, "NetworkPolicy", netpol(spec, stored()), netpol(oldSpec, stored()));
const fromPeers = (...from: J[]): J => ({ ingress: [{ from }] });
const egressPorts = (...ports: J[]): J => ({ egress: [{ ports, to: [{ namespaceSelector: {} }] }] });

test("valid network policies", () => {
  assert.deepEqual(npCreate(), []);
  assert.deepEqual(npCreate({ podSelector: {} }), []);
  assert.deepEqual(
    npCreate({
      ingress: [
        {},
        {
          from: [
            { podSelector: { matchLabels: { c: "d" } } },
            { namespaceSelector: { matchExpressions: [{ key: "team", operator: "Exists" }] } },
            { podSelector: {}, namespaceSelector: { matchLabels: { e: "f" } } },
            { ipBlock: { cidr: "192.168.0.0/16", except: ["192.168.3.0/24", "192.168.4.0/24"] } },
            { ipBlock: { cidr: "fd00:192:168::/48", except: ["fd00:192:168:3::/64"] } },
          ],
          ports: [
            { port: 80 },
            { protocol: "TCP" },
            { protocol: "UDP", port: "dns" },
            { protocol: "SCTP", port: 7777 },
            { port: 32000, endPort: 32768 },
            { port: 32768, endPort: 32768 },
          ],
        },
      ],
      egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8" } }] }],
      policyTypes: ["Ingress", "Egress"],
    }),
    [],
  );
});

test("network policy peers", () => {
  const f = "spec.ingress[0].from[0]";
  const cases: Array<[string, J, string[]]> = [
    ["empty peer", {}, [`${f}: Required value: must specify a peer`]],
    [
      "ipBlock with a namespace selector",
      { namespaceSelector: {}, ipBlock: { cidr: "10.0.0.0/8" } },
      [`${f}: Forbidden: may not specify both ipBlock and another peer`],
    ],
    [
      "ipBlock with a pod selector",
      { podSelector: {}, ipBlock: { cidr: "10.0.0.0/8" } },
      [`${f}: Forbidden: may not specify both ipBlock and another peer`],
    ],
    [
      "invalid pod selector",
      { podSelector: { matchLabels: { "NoUppercaseOrSpecialCharsLike=Equals": "b" } } },
      [
        "spec.ingress[0].from[0].podSelector.matchLabels: Invalid value: \"NoUppercaseOrSpecialCharsLike=Equals\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      ],
    ],
    [
      "invalid namespace selector operator",
      { namespaceSelector: { matchExpressions: [{ key: "k", operator: "Equals", values: ["v"] }] } },
      [
        `${f}.namespaceSelector.matchExpressions[0].operator: Invalid value: "Equals": not a valid selector operator`,
      ],
    ],
  ];
  for (const [name, peer, want] of cases) assert.deepEqual(npCreate(fromPeers(peer)), want, name);
  assert.deepEqual(npCreate({ egress: [{ to: [{}] }] }), [
    "spec.egress[0].to[0]: Required value: must specify a peer",
  ]);
});

test("network policy ipBlocks", () => {
  const b = "spec.egress[0].to[0].ipBlock";
  const block = (ipBlock: J) => npCreate({ egress: [{ to: [{ ipBlock }] }] });
  const subset = "must be a strict subset of `cidr`";
  const cases: Array<[string, J, string[]]> = [
    ["cidr required", { cidr: "" }, [`${b}.cidr: Required value`]],
    ["cidr required when absent", { except: ["10.0.0.0/24"] }, [`${b}.cidr: Required value`]],
    ["cidr is a CIDR", { cidr: "192.168.5.6" }, [`${b}.cidr: Invalid value: "192.168.5.6": ${cidrMsg}`]],
    [
      "an invalid cidr stops there",
      { cidr: "fd00:192:168::", except: ["x"] },
      [`${b}.cidr: Invalid value: "fd00:192:168::": ${cidrMsg}`],
    ],
    [
      "except entries are CIDRs, each checked",
      { cidr: "192.168.0.0/16", except: ["", "300.300.300.300", "192.168.1.0/24", "10.0.0.0/24"] },
      [
        `${b}.except[0]: Invalid value: "": ${cidrMsg}`,
        `${b}.except[1]: Invalid value: "300.300.300.300": ${cidrMsg}`,
        `${b}.except[3]: Invalid value: "10.0.0.0/24": ${subset}`,
      ],
    ],
    [
      "except outside cidr",
      { cidr: "192.168.8.0/24", except: ["192.168.9.1/32"] },
      [`${b}.except[0]: Invalid value: "192.168.9.1/32": ${subset}`],
    ],
    [
      "except equal to cidr",
      { cidr: "192.168.0.0/24", except: ["192.168.0.0/24"] },
      [`${b}.except[0]: Invalid value: "192.168.0.0/24": ${subset}`],
    ],
    [
      "except wider than cidr",
      { cidr: "192.168.0.0/24", except: ["192.168.0.0/16"] },
      [`${b}.except[0]: Invalid value: "192.168.0.0/16": ${subset}`],
    ],
    [
      "IPv6 except outside cidr",
      { cidr: "fd00:192:168:1::/64", except: ["fd00:192:168:2::/64"] },
      [`${b}.except[0]: Invalid value: "fd00:192:168:2::/64": ${subset}`],
    ],
    [
      "except of the other family",
      { cidr: "0.0.0.0/0", except: ["::/64"] },
      [`${b}.except[0]: Invalid value: "::/64": ${subset}`],
    ],
    ["host bits in cidr are allowed", { cidr: "192.168.1.5/16", except: ["192.168.1.0/24"] }, []],
  ];
  for (const [name, ipBlock, want] of cases) assert.deepEqual(block(ipBlock), want, name);
});

test("network policy ports", () => {
  const p = "spec.egress[0].ports";
  const cases: Array<[string, J[], string[]]> = [
    [
      "protocol",
      [{ protocol: "ICMP", port: 80 }],
      [`${p}[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"`],
    ],
    ["port number", [{ port: 123456789 }], [`${p}[0].port: Invalid value: 123456789: ${portRangeMsg}`]],
    [
      "port name",
      [{ port: "!@#$" }],
      [
        `${p}[0].port: Invalid value: "!@#$": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)`,
        `${p}[0].port: Invalid value: "!@#$": must contain at least one letter (a-z)`,
      ],
    ],
    [
      "endPort below port reports the port",
      [
        { protocol: "UDP", port: 35000, endPort: 32768 },
        { port: 32000, endPort: 32768 },
      ],
      [`${p}[0].endPort: Invalid value: 35000: must be greater than or equal to \`port\``],
    ],
    [
      "endPort in range",
      [{ port: 30000, endPort: 65537 }],
      [`${p}[0].endPort: Invalid value: 65537: ${portRangeMsg}`],
    ],
    [
      "endPort with a named port",
      [{ port: "https", endPort: 32768 }],
      [`${p}[0].endPort: Invalid value: 32768: may not be specified when \`port\` is non-numeric`],
    ],
    [
      "endPort without a port",
      [{ protocol: "TCP", endPort: 32768 }],
      [`${p}[0].endPort: Invalid value: 32768: may not be specified when \`port\` is not specified`],
    ],
  ];
  for (const [name, ports, want] of cases) assert.deepEqual(npCreate(egressPorts(...ports)), want, name);
  assert.deepEqual(npCreate({ ingress: [{ ports: [{ port: 0 }] }] }), [
    `spec.ingress[0].ports[0].port: Invalid value: 0: ${portRangeMsg}`,
  ]);
});

test("network policy types and pod selector", () => {
  assert.deepEqual(npCreate({ policyTypes: ["Ingress", "foo"] }), [
    'spec.policyTypes[1]: Unsupported value: "foo": supported values: "Ingress", "Egress"',
  ]);
  assert.deepEqual(npCreate({ policyTypes: ["foo", "bar", "baz"] }), [
    'spec.policyTypes: Invalid value: []networking.PolicyType{"foo", "bar", "baz"}: may not specify more than two policyTypes',
  ]);
  assert.deepEqual(npCreate({ podSelector: { matchLabels: { a: "b@d" } } }), [
    `spec.podSelector.matchLabels: Invalid value: "b@d": ${labelValueMsg}`,
  ]);
  assert.deepEqual(npCreate({}, { name: "Bad_Name" }), [
    `metadata.name: Invalid value: "Bad_Name": ${subdomainMsg}`,
  ]);
});

test("network policy update", () => {
  const badValues = { podSelector: { matchExpressions: [{ key: "a", operator: "In", values: ["b@d"] }] } };
  const badValueErr = `spec.podSelector.matchExpressions[0].values[0]: Invalid value: "b@d": ${labelValueMsg}`;
  assert.deepEqual(npCreate(badValues), [badValueErr]);
  // A stored selector with invalid values keeps them allowed; the spec is validated twice on update.
  assert.deepEqual(npUpdate(badValues, badValues), []);
  assert.deepEqual(npUpdate(badValues, {}), [badValueErr, badValueErr]);
  assert.deepEqual(npUpdate({ policyTypes: ["Egress"] }, {}), []);
  assert.deepEqual(npUpdate(egressPorts({ port: 0 }), {}), [
    `spec.egress[0].ports[0].port: Invalid value: 0: ${portRangeMsg}`,
    `spec.egress[0].ports[0].port: Invalid value: 0: ${portRangeMsg}`,
  ]);
});

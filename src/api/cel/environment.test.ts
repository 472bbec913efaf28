import assert from "node:assert/strict";
import { test } from "node:test";
import { Authorizer } from "./authorizer.ts";
import { compile } from "./environment.ts";

function run(expression: string, self: unknown): unknown {
  const r = compile(expression, { self: "dyn" }, "bool");
  if ("error" in r) {
    const any = compile(expression, { self: "dyn" }, "string");
    if ("error" in any) throw new Error(r.error);
    return any.program.evaluate({ self });
  }
  return r.program.evaluate({ self });
}

test("CEL's standard definitions: macros, has(), strings, ints and doubles compared by value", () => {
  const self = { replicas: 3n, ratio: 0.5, ports: [{ port: 80n }, { port: 443n }], labels: { app: "web" } };
  assert.equal(run("self.ports.exists(p, p.port == 443) && self.ports.all(p, p.port > 0)", self), true);
  assert.equal(run("has(self.labels.app) && !has(self.labels.tier)", self), true);
  assert.equal(run("self.ratio < 1 && self.replicas > 2.5", self), true);
  assert.equal(run("self.labels.app.startsWith('w') && self.labels.app.matches('^[a-z]+$')", self), true);
  assert.equal(run("self.ports.map(p, p.port).exists_one(x, x == 80)", self), true);
  assert.equal(
    run(
      "duration('1h') > duration('30m') && timestamp('2024-01-01T00:00:00Z') < timestamp('2025-01-01T00:00:00Z')",
      self,
    ),
    true,
  );
});

test("Kubernetes' lists library: isSorted, sum, min, max, indexOf, lastIndexOf", () => {
  const self = { n: [3n, 1n, 2n, 1n], s: ["a", "b", "c"], d: [0.5, 1.5] };
  assert.equal(run("self.s.isSorted() && !self.n.isSorted()", self), true);
  assert.equal(run("self.n.sum() == 7 && self.d.sum() == 2.0 && [].sum() == 0", self), true);
  assert.equal(run("self.n.min() == 1 && self.n.max() == 3 && self.s.max() == 'c'", self), true);
  assert.equal(
    run("self.n.indexOf(1) == 1 && self.n.lastIndexOf(1) == 3 && self.n.indexOf(9) == -1", self),
    true,
  );
  const empty = run("self.e.min() == 0", { e: [] });
  assert.ok(empty instanceof Error && /min\(list\) argument must not be empty/.test(empty.message));
});

test("Kubernetes' regex library and the strings extension's charAt and replace", () => {
  const self = "banana-42";
  assert.equal(run("self.find('[0-9]+')", self), "42");
  assert.equal(run("self.find('x')", self), "");
  assert.equal(run("self.findAll('an') == ['an', 'an'] && self.findAll('a', 2) == ['a', 'a']", self), true);
  assert.equal(run("self.charAt(1)", self), "a");
  assert.equal(run("self.replace('an', 'AN')", self), "bANANa-42");
  assert.equal(run("self.replace('an', 'AN', 1)", self), "bANana-42");
  assert.equal(run("self.lowerAscii() == self && self.split('-')[1] == '42'", self), true);
});

test("compile errors: syntax, unknown variables and functions, and a result of the wrong type", () => {
  const err = (expression: string, type: "bool" | "string" = "bool") => {
    const r = compile(expression, { self: "dyn", oldSelf: "dyn" }, type);
    assert.ok("error" in r, `${expression} compiles`);
    return r.error;
  };
  assert.match(err("self.replicas <"), /^Syntax error: /);
  assert.match(err("object.spec > 1"), /unknown variable: object/);
  assert.match(err("self.frobnicate()"), /overload|frobnicate/);
  assert.equal(err("1 + 2"), "cel expression must evaluate to a bool");
  assert.equal(err("true", "string"), "cel expression must evaluate to a string");
  const ok = compile("self == oldSelf", { self: "dyn", oldSelf: "dyn" }, "bool");
  assert.ok("program" in ok && ok.program.uses("oldSelf") && ok.program.uses("self"));
  const notOld = compile("self.x == 'oldSelf'", { self: "dyn", oldSelf: "dyn" }, "bool");
  assert.ok("program" in notOld && !notOld.program.uses("oldSelf"));
});

test("evaluation errors read as cel-go's and are returned, not thrown", () => {
  const missing = run("self.max > 1", {});
  assert.ok(missing instanceof Error);
  assert.equal(missing.message, "no such key: max");
  const overflow = run("9223372036854775807 + self.one > 0", { one: 1n });
  assert.ok(overflow instanceof Error && /overflow/.test(overflow.message));
});

test("Kubernetes' quantity library compares, adds and converts resource quantities", () => {
  const self = { memory: "512Mi", cpu: "250m" };
  assert.equal(
    run(
      "quantity(self.memory).isLessThan(quantity('1Gi')) && quantity(self.memory).compareTo(quantity('0.5Gi')) == 0",
      self,
    ),
    true,
  );
  assert.equal(
    run("quantity(self.memory) == quantity('536870912') && quantity(self.cpu) != quantity('1')", self),
    true,
  );
  assert.equal(
    run(
      "quantity(self.cpu).add(quantity('750m')).asInteger() == 1 && quantity('2').sub(3).sign() == -1",
      self,
    ),
    true,
  );
  assert.equal(
    run(
      "!quantity(self.cpu).isInteger() && quantity('2k').isInteger() && quantity(self.cpu).asApproximateFloat() == 0.25",
      self,
    ),
    true,
  );
  assert.equal(run("isQuantity(self.memory) && !isQuantity('lots')", self), true);
  const notInteger = run("quantity(self.cpu).asInteger() == 0", self);
  assert.ok(notInteger instanceof Error && notInteger.message === "cannot convert value to integer");
  const bad = run("quantity('lots').sign() == 1", self);
  assert.ok(bad instanceof Error && /quantities must match the regular expression/.test(bad.message));
});

test("Kubernetes' authz library builds the checks upstream's does and reads the decision", async () => {
  const asked: unknown[] = [];
  const authorizer = new Authorizer(
    async (user, check) => {
      asked.push({ user: user.name, ...check });
      if (check.path === "/boom") throw new Error("webhook authorizer down");
      return check.verb === "get"
        ? { decision: "Allow", reason: "rbac: ok" }
        : { decision: "NoOpinion", reason: "" };
    },
    { name: "alice", groups: [] },
    { apiGroup: "apps", resource: "deployments", subresource: "scale", namespace: "ns", name: "web" },
  );
  const vars = { authorizer: "Authorizer" };
  const check = async (expression: string) => {
    const c = compile(expression, vars, "bool");
    assert.ok("program" in c, expression);
    return c.program.evaluate({ authorizer });
  };
  assert.equal(await check("authorizer.path('/healthz').check('get').allowed()"), true);
  assert.equal(
    await check(
      "authorizer.group('').resource('pods').subresource('log').namespace('x').name('p').check('list').allowed()",
    ),
    false,
  );
  assert.equal(await check("authorizer.requestResource.check('get').reason() == 'rbac: ok'"), true);
  assert.equal(
    await check(
      "authorizer.path('/boom').check('get').errored() && authorizer.path('/boom').check('get').error() == 'webhook authorizer down'",
    ),
    true,
  );
  assert.equal(
    await check("authorizer.serviceAccount('kube-system', 'bot').path('/x').check('get').allowed()"),
    true,
  );
  assert.deepEqual(asked[1], {
    user: "alice",
    verb: "list",
    isResourceRequest: true,
    path: "",
    apiGroup: "",
    resource: "pods",
    subresource: "log",
    namespace: "x",
    name: "p",
  });
  assert.deepEqual(asked[2], {
    user: "alice",
    verb: "get",
    isResourceRequest: true,
    path: "",
    apiGroup: "apps",
    resource: "deployments",
    subresource: "scale",
    namespace: "ns",
    name: "web",
  });
  assert.equal((asked.at(-1) as { user: string }).user, "system:serviceaccount:kube-system:bot");
});

test("what real CRDs and policies write compiles: raw triple-quoted strings, matches() as a function, nested quantifiers", () => {
  const self = {
    type: "Hostname",
    value: "a.example.com",
    version: "v1.6.0-rc.1",
    items: [{ n: "a" }, { n: "b" }],
  };
  assert.equal(
    run(
      `self.type == 'Hostname' ? (!has(self.value) || self.value.matches(r"""^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$""")) : true`,
      self,
    ),
    true,
  );
  assert.equal(run("matches(self.version, '-(rc)') && !matches(self.version, 'v0')", self), true);
  assert.equal(run("self.items.all(a, self.items.exists_one(b, a.n == b.n))", self), true);
});

test("Kubernetes' IP, CIDR and URL libraries", () => {
  const self = {
    ip: "10.1.2.3",
    v6: "2001:db8::1",
    net: "10.0.0.0/8",
    endpoint: "https://[2001:db8::1]:8443/api/v1?watch=true&x=1&x=2",
  };
  assert.equal(run("isIP(self.ip) && ip(self.ip).family() == 4 && ip(self.v6).family() == 6", self), true);
  assert.equal(
    run("!isIP('010.1.2.3') && !isIP('::ffff:10.1.2.3') && !isIP('fe80::1%eth0') && !isIP('x')", self),
    true,
  );
  assert.equal(
    run("ip('127.0.0.1').isLoopback() && ip('::1').isLoopback() && ip('0.0.0.0').isUnspecified()", self),
    true,
  );
  assert.equal(
    run(
      "ip('169.254.1.1').isLinkLocalUnicast() && ip('fe80::1').isLinkLocalUnicast() && ip('224.0.0.1').isLinkLocalMulticast()",
      self,
    ),
    true,
  );
  assert.equal(run("ip(self.ip).isGlobalUnicast() && !ip('255.255.255.255').isGlobalUnicast()", self), true);
  assert.equal(
    run("string(ip('2001:0db8:0:0:0:0:0:1')) == '2001:db8::1' && ip('10.1.2.3') == ip(self.ip)", self),
    true,
  );
  assert.equal(run("isCIDR(self.net) && !isCIDR('10.0.0.0/33') && !isCIDR('10.0.0.0')", self), true);
  assert.equal(
    run(
      "cidr(self.net).containsIP(self.ip) && !cidr(self.net).containsIP('11.0.0.1') && cidr(self.net).containsIP(ip(self.ip))",
      self,
    ),
    true,
  );
  assert.equal(
    run("cidr(self.net).containsCIDR('10.1.0.0/16') && !cidr('10.1.0.0/16').containsCIDR(self.net)", self),
    true,
  );
  assert.equal(
    run(
      "string(cidr('10.1.2.3/8').masked()) == '10.0.0.0/8' && cidr(self.net).prefixLength() == 8 && string(cidr(self.net).ip()) == '10.0.0.0'",
      self,
    ),
    true,
  );
  assert.equal(run("isURL(self.endpoint) && isURL('/healthz') && !isURL('not a url')", self), true);
  assert.equal(
    run(
      "url(self.endpoint).getScheme() == 'https' && url(self.endpoint).getHost() == '[2001:db8::1]:8443'",
      self,
    ),
    true,
  );
  assert.equal(
    run("url(self.endpoint).getHostname() == '2001:db8::1' && url(self.endpoint).getPort() == '8443'", self),
    true,
  );
  assert.equal(
    run(
      "url(self.endpoint).getEscapedPath() == '/api/v1' && url(self.endpoint).getQuery()['x'] == ['1', '2']",
      self,
    ),
    true,
  );
  assert.equal(
    run("url('/healthz').getScheme() == '' && url('/healthz').getEscapedPath() == '/healthz'", self),
    true,
  );
  const bad = run("ip('nope').family() == 4", self);
  assert.ok(bad instanceof Error && /IP Address 'nope' parse error/.test(bad.message));
});

test("cel-go's sets extension: contains, equivalent, intersects", () => {
  const self = { verbs: ["get", "list", "watch"], ports: [80n, 443n] };
  assert.equal(
    run("sets.contains(self.verbs, ['get', 'list']) && !sets.contains(self.verbs, ['delete'])", self),
    true,
  );
  assert.equal(
    run("sets.equivalent(self.ports, [443, 80, 80]) && !sets.equivalent(self.ports, [80])", self),
    true,
  );
  assert.equal(
    run("sets.intersects(self.verbs, ['delete', 'watch']) && !sets.intersects(self.ports, [8080])", self),
    true,
  );
});

test("the strings extension's format: %s %d %f %e %b %o %x %X and %%", () => {
  const self = { name: "web", replicas: 3n, ratio: 0.25, tags: ["a", "b"] };
  assert.equal(
    run("'%s has %d replicas (%.1f%%)'.format([self.name, self.replicas, self.ratio * 100.0])", self),
    "web has 3 replicas (25.0%)",
  );
  assert.equal(
    run("'%s %f %e'.format([self.tags, self.ratio, 1234.5678])", self),
    "[a, b] 0.250000 1.234568e+03",
  );
  assert.equal(run("'%b %o %x %X %x'.format([5, 8, 255, 255, 'hi'])", self), "101 10 ff FF 6869");
  const missing = run("'%s and %s'.format([self.name])", self);
  assert.ok(missing instanceof Error && /index 1 out of range/.test(missing.message));
});

// Cases ported from k8s.io/apimachinery/pkg/util/validation/validation_test.go and ip_test.go.
import assert from "node:assert/strict";
import { test } from "node:test";
import { newPath } from "./field-errors.ts";
import {
  isCIdentifier,
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isDNS1123SubdomainWithUnderscore,
  isDomainPrefixedPath,
  isEnvVarName,
  isFullyQualifiedDomainName,
  isFullyQualifiedName,
  isHTTPHeaderName,
  isQualifiedName,
  isRelaxedEnvVarName,
  isValidCIDR,
  isValidGroupID,
  isValidIP,
  isValidIPv4Address,
  isValidIPv6Address,
  isValidLabelValue,
  isValidPercent,
  isValidPortName,
  isValidPortNum,
  isValidUserID,
  isWildcardDNS1123Subdomain,
  regexError,
} from "./validation.ts";

function good(fn: (v: string) => string[], values: string[]) {
  for (const v of values) assert.deepEqual(fn(v), [], `expected ${JSON.stringify(v)} to be valid`);
}

function bad(fn: (v: string) => string[], values: string[]) {
  for (const v of values) assert.notEqual(fn(v).length, 0, `expected ${JSON.stringify(v)} to be invalid`);
}

const r = (c: string, n: number) => c.repeat(n);

test("IsDNS1123Label", () => {
  good(isDNS1123Label, [
    "a",
    "ab",
    "abc",
    "a1",
    "a-1",
    "a--1--2--b",
    "0",
    "01",
    "012",
    "1a",
    "1-a",
    "1--a--b--2",
    r("a", 63),
  ]);
  bad(isDNS1123Label, [
    "",
    "A",
    "ABC",
    "aBc",
    "A1",
    "A-1",
    "1-A",
    "-",
    "a-",
    "-a",
    "1-",
    "-1",
    "_",
    "a_",
    "_a",
    "a_b",
    "1_",
    "_1",
    "1_2",
    ".",
    "a.",
    ".a",
    "a.b",
    "1.",
    ".1",
    "1.2",
    " ",
    "a ",
    " a",
    "a b",
    "1 ",
    " 1",
    "1 2",
    r("a", 64),
  ]);
  assert.deepEqual(isDNS1123Label("a.b"), [
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  ]);
  assert.deepEqual(isDNS1123Label(r("a", 64)), ["must be no more than 63 characters"]);
});

test("IsDNS1123Subdomain", () => {
  good(isDNS1123Subdomain, [
    "a",
    "ab",
    "abc",
    "a1",
    "a-1",
    "a--1--2--b",
    "0",
    "01",
    "012",
    "1a",
    "1-a",
    "1--a--b--2",
    "a.a",
    "ab.a",
    "abc.a",
    "a1.a",
    "a-1.a",
    "a--1--2--b.a",
    "a.1",
    "ab.1",
    "abc.1",
    "a1.1",
    "a-1.1",
    "a--1--2--b.1",
    "0.a",
    "01.a",
    "012.a",
    "1a.a",
    "1-a.a",
    "1--a--b--2",
    "0.1",
    "01.1",
    "012.1",
    "1a.1",
    "1-a.1",
    "1--a--b--2.1",
    "a.b.c.d.e",
    "aa.bb.cc.dd.ee",
    "1.2.3.4.5",
    "11.22.33.44.55",
    r("a", 253),
  ]);
  bad(isDNS1123Subdomain, [
    "",
    "A",
    "ABC",
    "aBc",
    "A1",
    "A-1",
    "1-A",
    "-",
    "a-",
    "-a",
    "1-",
    "-1",
    "_",
    "a_",
    "_a",
    "a_b",
    "1_",
    "_1",
    "1_2",
    ".",
    "a.",
    ".a",
    "a..b",
    "1.",
    ".1",
    "1..2",
    " ",
    "a ",
    " a",
    "a b",
    "1 ",
    " 1",
    "1 2",
    "A.a",
    "aB.a",
    "ab.A",
    "A1.a",
    "a1.A",
    "A.1",
    "aB.1",
    "A1.1",
    "1A.1",
    "0.A",
    "01.A",
    "012.A",
    "1A.a",
    "1a.A",
    "A.B.C.D.E",
    "AA.BB.CC.DD.EE",
    "a.B.c.d.e",
    "aa.bB.cc.dd.ee",
    "a@b",
    "a,b",
    "a_b",
    "a;b",
    "a:b",
    "a%b",
    "a?b",
    "a$b",
    r("a", 254),
  ]);
  assert.deepEqual(isDNS1123Subdomain("Foo"), [
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ]);
  assert.deepEqual(isDNS1123Subdomain(r("A", 254)).length, 2);
});

test("IsDNS1123SubdomainWithUnderscore", () => {
  good(isDNS1123SubdomainWithUnderscore, ["a", "_a", "a_b", "_srv._tcp.example.com", "a.b_c"]);
  bad(isDNS1123SubdomainWithUnderscore, ["", "A", "a_", "-a", "a..b", "__a"]);
});

test("IsDNS1035Label", () => {
  good(isDNS1035Label, ["a", "ab", "abc", "a1", "a-1", "a--1--2--b", r("a", 63)]);
  bad(isDNS1035Label, [
    "0",
    "01",
    "012",
    "1a",
    "1-a",
    "1--a--b--2",
    "",
    "A",
    "ABC",
    "aBc",
    "A1",
    "A-1",
    "1-A",
    "-",
    "a-",
    "-a",
    "1-",
    "-1",
    "_",
    "a_",
    "_a",
    "a_b",
    "1_",
    "_1",
    "1_2",
    ".",
    "a.",
    ".a",
    "a.b",
    "1.",
    ".1",
    "1.2",
    " ",
    "a ",
    " a",
    "a b",
    "1 ",
    " 1",
    "1 2",
    r("a", 64),
  ]);
  assert.deepEqual(isDNS1035Label("no-domain.com"), [
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
  ]);
});

test("IsWildcardDNS1123Subdomain", () => {
  good(isWildcardDNS1123Subdomain, ["*.example.com", "*.bar.com", "*.foo.bar.com"]);
  bad(isWildcardDNS1123Subdomain, ["*.*.bar.com", "*.foo.*.com", "*bar.com", "f*.bar.com", "*"]);
});

test("IsCIdentifier", () => {
  good(isCIdentifier, [
    "a",
    "ab",
    "abc",
    "a1",
    "_a",
    "a_",
    "a_b",
    "a_1",
    "a__1__2__b",
    "__abc_123",
    "A",
    "AB",
    "AbC",
    "A1",
    "_A",
    "A_",
    "A_B",
    "A_1",
    "A__1__2__B",
    "__123_ABC",
  ]);
  bad(isCIdentifier, [
    "",
    "1",
    "123",
    "1a",
    "-",
    "a-",
    "-a",
    "1-",
    "-1",
    "1_",
    "1_2",
    ".",
    "a.",
    ".a",
    "a.b",
    "1.",
    ".1",
    "1.2",
    " ",
    "a ",
    " a",
    "a b",
    "1 ",
    " 1",
    "1 2",
    "#a#",
  ]);
});

test("IsValidPortNum, IsValidGroupID, IsValidUserID", () => {
  for (const p of [1, 2, 1000, 16384, 32768, 65535]) assert.deepEqual(isValidPortNum(p), []);
  for (const p of [0, -1, 65536, 100000])
    assert.deepEqual(isValidPortNum(p), ["must be between 1 and 65535, inclusive"]);
  for (const id of [0, 1, 1000, 65535, 2147483647]) {
    assert.deepEqual(isValidGroupID(id), []);
    assert.deepEqual(isValidUserID(id), []);
  }
  for (const id of [-1, -1003, 2147483648, 4147483647]) {
    assert.deepEqual(isValidGroupID(id), ["must be between 0 and 2147483647, inclusive"]);
    assert.deepEqual(isValidUserID(id), ["must be between 0 and 2147483647, inclusive"]);
  }
});

test("IsValidPortName", () => {
  good(isValidPortName, ["telnet", "re-mail-ck", "pop3", "a", "a-1", "1-a", "a-1-b-2-c", "1-a-2-b-3"]);
  const cases: [string, string][] = [
    ["longerthan15characters", "must be no more than 15 characters"],
    ["", "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"],
    [r("a", 16), "must be no more than 15 characters"],
    ["12345", "must contain at least one letter (a-z)"],
    ["1-2-3-4", "must contain at least one letter (a-z)"],
    ["-begin", "must not begin or end with a hyphen"],
    ["end-", "must not begin or end with a hyphen"],
    ["two--hyphens", "must not contain consecutive hyphens"],
    ["whois++", "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"],
  ];
  for (const [v, msg] of cases) assert.ok(isValidPortName(v).includes(msg), `${v}: ${isValidPortName(v)}`);
});

test("IsQualifiedName", () => {
  good(isQualifiedName, [
    "simple",
    "now-with-dashes",
    "1-starts-with-num",
    "1234",
    "simple/simple",
    "now-with-dashes/simple",
    "now-with-dashes/now-with-dashes",
    "now.with.dots/simple",
    "now-with.dashes-and.dots/simple",
    "1-num.2-num/3-num",
    "1234/5678",
    "1.2.3.4/5678",
    "Uppercase_Is_OK_123",
    "example.com/Uppercase_Is_OK_123",
    "requests.storage-foo",
    r("a", 63),
    `${r("a", 253)}/${r("b", 63)}`,
  ]);
  bad(isQualifiedName, [
    "nospecialchars%^=@",
    "cantendwithadash-",
    "-cantstartwithadash-",
    "only/one/slash",
    "Example.com/abc",
    "example_com/abc",
    "example.com/",
    "/simple",
    r("a", 64),
    `${r("a", 254)}/abc`,
  ]);
  const nameMsg =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
  assert.deepEqual(isQualifiedName("only/one/slash"), [
    `a qualified name ${nameMsg} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
  ]);
  assert.deepEqual(isQualifiedName("Foo_"), [`name part ${nameMsg}`]);
  assert.deepEqual(isQualifiedName("/simple"), ["prefix part must be non-empty"]);
  assert.deepEqual(isQualifiedName("example.com/"), ["name part must be non-empty", `name part ${nameMsg}`]);
  assert.equal(
    isQualifiedName("Example.com/abc")[0].startsWith("prefix part a lowercase RFC 1123 subdomain"),
    true,
  );
});

test("IsValidLabelValue", () => {
  good(isValidLabelValue, [
    "simple",
    "now-with-dashes",
    "1-starts-with-num",
    "end-with-num-1",
    "1234",
    r("a", 63),
    "",
  ]);
  bad(isValidLabelValue, [
    "nospecialchars%^=@",
    "Tama-nui-te-rā.is.Māori.sun",
    "\\backslashes\\are\\bad",
    "-starts-with-dash",
    "ends-with-dash-",
    ".starts.with.dot",
    "ends.with.dot.",
    r("a", 64),
  ]);
  assert.deepEqual(isValidLabelValue("a_"), [
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  ]);
});

test("IsHTTPHeaderName", () => {
  good(isHTTPHeaderName, ["a", "A", "-", "X-Forwarded-For", "X-a-b-c", "Accept"]);
  bad(isHTTPHeaderName, ["", "X-@", "X,Y", "X Y", "X\tY"]);
  assert.deepEqual(isHTTPHeaderName("X Y"), [
    "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')",
  ]);
});

test("IsEnvVarName and IsRelaxedEnvVarName", () => {
  good(isEnvVarName, ["A", "ABC", "AbC123", "_123", "a.b", "a-b", "-a", ".a", "A_B_C"]);
  bad(isEnvVarName, ["1AB", "", "a/b", "a b", "a=b", ".", "..", "..foo"]);
  assert.deepEqual(isEnvVarName(".."), ["must not be '..'"]);
  assert.deepEqual(isEnvVarName("1A"), [
    "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
  ]);
  good(isRelaxedEnvVarName, ["1AB", "a b", "a/b!", "~"]);
  assert.deepEqual(isRelaxedEnvVarName(""), ["environment variable name must be non-empty"]);
  assert.deepEqual(isRelaxedEnvVarName("a=b"), [
    "a valid environment variable name must consist only of printable ASCII characters other than '='",
  ]);
  bad(isRelaxedEnvVarName, ["é", "a\tb"]);
});

test("IsConfigMapKey", () => {
  good(isConfigMapKey, [
    "a",
    "ab",
    "abc",
    "a1",
    "a-1",
    "a_1",
    "a.1",
    "a..1",
    "_a",
    "a_",
    ".a",
    "A",
    "a.b.c",
    r("a", 253),
  ]);
  bad(isConfigMapKey, ["", ".", "..", "..a", "b/c", "b\\c", "a b", r("a", 254)]);
  assert.deepEqual(isConfigMapKey("..a"), ["must not start with '..'"]);
  assert.deepEqual(isConfigMapKey("."), ["must not be '.'"]);
  assert.deepEqual(isConfigMapKey("a/b"), [
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
  ]);
});

test("IsValidPercent", () => {
  good(isValidPercent, ["0%", "00000%", "1%", "01%", "99%", "100%", "101%"]);
  bad(isValidPercent, [
    "",
    " ",
    "%",
    "0",
    "100",
    "0.0%",
    "99.9%",
    "hundred",
    " 1%",
    "1% ",
    "-0%",
    "-1%",
    "+1%",
  ]);
  assert.deepEqual(isValidPercent("50"), [
    "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
  ]);
});

test("IP addresses follow netutils.ParseIPSloppy", () => {
  good(isValidIP, [
    "1.1.1.1",
    "1.1.1.01",
    "255.0.0.1",
    "1.0.0.0",
    "0.0.0.0",
    "::",
    "2000::",
    "::1",
    "1::",
    "1:2:3:4:5:6:7:8",
    "2001:db8::ffff",
    "::ffff:1.2.3.4",
    "1:2:3:4:5:6:1.2.3.4",
    "fe80::0001",
  ]);
  bad(isValidIP, [
    "",
    " ",
    "1.2.3",
    "1.2.3.4.5",
    "a.b.c.d",
    "1.2.3.256",
    "::g",
    "1::2::3",
    "1:2:3:4:5:6:7:8:9",
    "fe80::1%eth0",
    " 1.2.3.4",
    "1.2.3.4 ",
    "1:2:3:4:5:6:7:1.2.3.4",
    "localhost",
  ]);
  assert.deepEqual(isValidIP("1.2.3"), ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"]);
  good(isValidIPv4Address, ["1.2.3.4", "::ffff:1.2.3.4", "010.001.002.003"]);
  assert.deepEqual(isValidIPv4Address("::1"), ["must be a valid IPv4 address"]);
  good(isValidIPv6Address, ["::1", "2001:db8::"]);
  assert.deepEqual(isValidIPv6Address("1.2.3.4"), ["must be a valid IPv6 address"]);
});

test("IsValidCIDR follows netutils.ParseCIDRSloppy", () => {
  good(isValidCIDR, [
    "0.0.0.0/0",
    "1.0.0.0/8",
    "10.9.8.0/24",
    "10.9.8.7/32",
    "2001:db8::/64",
    "::/0",
    "::1/128",
    "010.0.0.0/8",
  ]);
  bad(isValidCIDR, [
    "",
    "1.2.3.4",
    "1.2.3.4/33",
    "2001:db8::/129",
    "1.2.3.4/-1",
    "1.2.3.4/a",
    "1.2.3/24",
    "/24",
  ]);
  assert.deepEqual(isValidCIDR("2001:db8::/129"), [
    "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
  ]);
});

test("fully qualified and domain-prefixed names", () => {
  const p = newPath("spec", "group");
  assert.deepEqual(isFullyQualifiedName(p, "a.b.c"), []);
  assert.equal(
    isFullyQualifiedName(p, "a.b")[0].error(),
    'spec.group: Invalid value: "a.b": should be a domain with at least three segments separated by dots',
  );
  assert.equal(isFullyQualifiedName(p, "")[0].error(), "spec.group: Required value");
  assert.deepEqual(isFullyQualifiedDomainName(p, "example.com."), []);
  assert.equal(
    isFullyQualifiedDomainName(p, "com")[0].error(),
    'spec.group: Invalid value: "com": should be a domain with at least two segments separated by dots',
  );
  assert.deepEqual(isDomainPrefixedPath(p, "acme.io/foo"), []);
  assert.equal(
    isDomainPrefixedPath(p, "acme.io")[0].error(),
    'spec.group: Invalid value: "acme.io": must be a domain-prefixed path (such as "acme.io/foo")',
  );
  assert.equal(
    isDomainPrefixedPath(p, "acme.io/foo bar")[0].errorBody(),
    `Invalid value: "foo bar": Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')`,
  );
});

test("RegexError layout", () => {
  assert.equal(regexError("msg", "re"), "msg (regex used for validation is 're')");
  assert.equal(regexError("msg", "re", "a"), "msg (e.g. 'a', regex used for validation is 're')");
  assert.equal(
    regexError("msg", "re", "a", "b"),
    "msg (e.g. 'a',  or 'b', regex used for validation is 're')",
  );
});

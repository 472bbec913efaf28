import assert from "node:assert/strict";
import { test } from "node:test";
import { requestTarget } from "./request-target.ts";

const outcome = (parse: () => { pathname: string; searchParams: URLSearchParams }) => {
  try {
    const u = parse();
    return { pathname: u.pathname, query: [...u.searchParams] };
  } catch (e) {
    return { error: (e as Error).message };
  }
};
const viaURL = (raw: string) => outcome(() => new URL(raw, "https://apiserver"));
const viaTarget = (raw: string) => outcome(() => requestTarget(raw));

test("requestTarget splits what kubectl and the components send as new URL() does", () => {
  for (const raw of [
    "/api/v1/namespaces/default/pods?labelSelector=app%3Dx%2Ctier+in+(a%2Cb)&limit=100",
    "/api/v1/pods?fieldSelector=spec.nodeName%3Dn1&watch=true&resourceVersion=5&allowWatchBookmarks=true",
    "/apis/apps/v1/namespaces/x/deployments/d/scale",
    "/api/v1/namespaces/default/pods/p/exec?command=sh&command=-c&command=echo+hi&stdout=true",
    "/.well-known/openid-configuration",
    "/openapi/v3/apis/apps/v1?hash=ABC",
    "/api?",
    "/??a=b",
  ]) {
    assert.deepEqual(viaTarget(raw), viaURL(raw), raw);
  }
});

test("requestTarget leaves escapes, dot segments and odd characters to the URL parser", () => {
  for (const raw of [
    "/api/v1/namespaces/default/pods/..",
    "/api/v1/namespaces/default/pods/./x",
    "/api/v1/namespaces/a%2Fb/pods",
    "//api/v1/pods",
    "/api/v1/pods#frag",
    "/api/v1/pods/\u00e9",
    "/api/v1/pods?x=\u00e9",
    '/api/v1/pods/"x"',
    "/api\\v1",
  ]) {
    assert.deepEqual(viaTarget(raw), viaURL(raw), raw);
  }
});

test("requestTarget agrees with new URL() on random targets", () => {
  const chars = "/a.?=&%+#:@!$'()*,;~-_ \"<>`{}|\\^[]\u00e90".split("");
  let seed = 7;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let i = 0; i < 20000; i++) {
    let raw = "/";
    for (let j = rand(14); j > 0; j--) raw += chars[rand(chars.length)];
    assert.deepEqual(viaTarget(raw), viaURL(raw), JSON.stringify(raw));
  }
});

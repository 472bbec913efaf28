import assert from "node:assert/strict";
import { test } from "node:test";
import {
  audienceAgnostic,
  intersectAudiences,
  type TokenAuthenticator,
  TokenError,
  TokenUnion,
} from "./token-authenticator.ts";

const alice: TokenAuthenticator = {
  authenticateToken: (t) => (t === "alice-token" ? { user: { name: "alice", groups: [] } } : undefined),
};
const failing = (msg: string): TokenAuthenticator => ({
  authenticateToken: (t) => {
    if (t.startsWith("jwt")) throw new TokenError(msg);
    return undefined;
  },
});

test("the union: first success wins; nobody recognising the token is upstream's invalid bearer token", async () => {
  const u = new TokenUnion([failing("service account token has expired"), alice]);
  assert.deepEqual(await u.authenticate("alice-token", []), {
    ok: true,
    result: { user: { name: "alice", groups: [] } },
  });
  assert.deepEqual(await u.authenticate("nobody", []), { ok: false, error: "invalid bearer token" });
});

test("the union aggregates errors as utilerrors does: one message, or [a, b] without repeats", async () => {
  assert.deepEqual(await new TokenUnion([failing("e1"), alice]).authenticate("jwt", []), {
    ok: false,
    error: "e1",
  });
  const u = new TokenUnion([failing("e1"), failing("e2"), failing("e1")]);
  assert.deepEqual(await u.authenticate("jwt", []), { ok: false, error: "[e1, e2]" });
});

test("an audience-agnostic token is good only for the API audiences", async () => {
  const a = audienceAgnostic(["https://kubernetes.default.svc.cluster.local", "api"], alice);
  assert.deepEqual(await a.authenticateToken("alice-token", ["api", "vault"]), {
    user: { name: "alice", groups: [] },
    audiences: ["api"],
  });
  assert.equal(await a.authenticateToken("alice-token", ["vault"]), undefined);
  // No audiences asked for: the delegate's answer as it is.
  assert.deepEqual(await a.authenticateToken("alice-token", []), { user: { name: "alice", groups: [] } });
});

test("intersectAudiences keeps the requested order", () => {
  assert.deepEqual(intersectAudiences(["a", "b", "c"], ["c", "x", "a"]), ["c", "a"]);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import type { TokenOutcome, TokenSource } from "./token-authenticator.ts";
import { CachedTokens } from "./token-cache.ts";

/** A token source that counts its lookups: "good-*" tokens authenticate as their suffix. */
function counting(): TokenSource & { calls: number; release?: () => void; hold: boolean } {
  const src = {
    calls: 0,
    hold: false,
    release: undefined as (() => void) | undefined,
    async authenticate(token: string, audiences: string[]): Promise<TokenOutcome> {
      src.calls++;
      if (src.hold) await new Promise<void>((r) => (src.release = r));
      if (!token.startsWith("good-")) return { ok: false, error: "invalid bearer token" };
      return { ok: true, result: { user: { name: token.slice(5), groups: [] }, audiences } };
    },
  };
  return src;
}

test("a token that authenticated is not verified again for 10 s; after that it is", async () => {
  let now = 1_000_000;
  const src = counting();
  const cache = new CachedTokens(src, { now: () => now });
  const first = await cache.authenticate("good-alice", ["api"]);
  assert.equal(first.ok && first.result.user.name, "alice");
  now += 9_999;
  assert.deepEqual(await cache.authenticate("good-alice", ["api"]), first);
  assert.equal(src.calls, 1);
  now += 1;
  await cache.authenticate("good-alice", ["api"]);
  assert.equal(src.calls, 2);
});

test("failures are not cached, and other audiences are another entry", async () => {
  const src = counting();
  const cache = new CachedTokens(src);
  for (let i = 0; i < 3; i++) assert.equal((await cache.authenticate("bad", ["api"])).ok, false);
  assert.equal(src.calls, 3);
  await cache.authenticate("good-bob", ["api"]);
  await cache.authenticate("good-bob", ["other"]);
  await cache.authenticate("good-bob", []);
  assert.equal(src.calls, 6);
  await cache.authenticate("good-bob", ["other"]);
  assert.equal(src.calls, 6);
});

test("concurrent lookups of one token share one verification", async () => {
  const src = counting();
  src.hold = true;
  const cache = new CachedTokens(src);
  const all = Promise.all(Array.from({ length: 5 }, () => cache.authenticate("good-carol", ["api"])));
  await new Promise((r) => setImmediate(r));
  assert.equal(src.calls, 1);
  src.release?.();
  const results = await all;
  assert.ok(results.every((r) => r.ok && r.result.user.name === "carol"));
});

test("a TTL of 0 turns the cache off", async () => {
  const src = counting();
  const cache = new CachedTokens(src, { successTtlMs: 0 });
  await cache.authenticate("good-dave", []);
  await cache.authenticate("good-dave", []);
  assert.equal(src.calls, 2);
});

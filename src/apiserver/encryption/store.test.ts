import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runConformance } from "../../storage/conformance.ts";
import { SqliteStore } from "../../storage/sqlite.ts";
import { isStoreError, StoreError, type WatchEvent } from "../../storage/store.ts";
import { EncryptionConfig } from "./config.ts";
import { EncryptedStore, isStale } from "./store.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const K1 = Buffer.alloc(32, 7).toString("base64");
const K2 = Buffer.alloc(32, 9).toString("base64");

function config(providers: string, resources = '["*.*"]'): EncryptionConfig {
  return EncryptionConfig.parse(`apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: ${resources}
    providers: ${providers}
`);
}

const everything = config(`[{aesgcm: {keys: [{name: k1, secret: ${K1}}]}}]`);

// The decorated store must still be a Store in every respect.
runConformance("sqlite behind EncryptedStore (aesgcm, *.*)", {
  async open(opts) {
    return new EncryptedStore(
      new SqliteStore({ path: ":memory:", watchBuffer: opts?.watchBuffer }),
      everything,
    );
  },
});

describe("EncryptedStore", () => {
  it("keeps only ciphertext in the backend, bound to its key, and plain JSON above it", async () => {
    const raw = new SqliteStore({ path: ":memory:" });
    const store = new EncryptedStore(
      raw,
      config(`[{aesgcm: {keys: [{name: k1, secret: ${K1}}]}}]`, "[secrets]"),
    );
    const key = "/registry/secrets/default/db";
    const value = enc.encode('{"kind":"Secret","data":{"password":"c3VwZXJzZWNyZXQ="}}');
    await store.create(key, value);
    await store.create("/registry/configmaps/default/cm", enc.encode('{"kind":"ConfigMap"}'));

    const stored = (await raw.get(key)).kv!.value;
    assert.ok(dec.decode(stored.subarray(0, 21)) === "k8s:enc:aesgcm:v1:k1:");
    assert.ok(!Buffer.from(stored).includes("password"));
    assert.equal(
      dec.decode((await raw.get("/registry/configmaps/default/cm")).kv!.value),
      '{"kind":"ConfigMap"}',
    );

    assert.deepEqual((await store.get(key)).kv!.value, Buffer.from(value));
    const list = await store.range("/registry/secrets/");
    assert.deepEqual(
      list.kvs.map((kv) => dec.decode(kv.value)),
      [dec.decode(value)],
    );

    // Copied under another key, the value does not decrypt (the key is GCM's authenticated data).
    await raw.create("/registry/secrets/default/copy", stored);
    await assert.rejects(store.get("/registry/secrets/default/copy"), (e: unknown) => {
      assert.ok(isStoreError(e, "Corrupt"));
      assert.equal(
        (e as Error).message,
        'unable to transform key "/registry/secrets/default/copy": cipher: message authentication failed',
      );
      return true;
    });
    await store.close();
  });

  it("decrypts watch events, previous values and the current value a conflict carries", async () => {
    const raw = new SqliteStore({ path: ":memory:" });
    const store = new EncryptedStore(raw, everything);
    const key = "/registry/secrets/ns/s";
    const { revision } = await store.create(key, enc.encode("v1"));
    const w = store.watch("/registry/secrets/", revision);
    const up = await store.update(key, enc.encode("v2"), revision);
    await store.delete(key, up.revision);
    const events: WatchEvent[] = [];
    for await (const batch of w) {
      events.push(...batch);
      if (events.length >= 2) break;
    }
    w.cancel();
    assert.deepEqual(
      events.map((e) => [e.type, dec.decode(e.kv.value), e.prevKv ? dec.decode(e.prevKv.value) : undefined]),
      [
        ["put", "v2", "v1"],
        ["delete", "", "v2"],
      ],
    );
    const { revision: r2 } = await store.create(key, enc.encode("v3"));
    await assert.rejects(store.update(key, enc.encode("x"), r2 - 1), (e: unknown) => {
      assert.ok(e instanceof StoreError && e.code === "Conflict");
      assert.equal(dec.decode(e.current!.value), "v3");
      return true;
    });
    await store.close();
  });

  it("marks values written with an old key as stale, and rewrites them with the new one", async () => {
    const raw = new SqliteStore({ path: ":memory:" });
    const key = "/registry/secrets/ns/s";
    const before = new EncryptedStore(raw, config(`[{aescbc: {keys: [{name: old, secret: ${K1}}]}}]`));
    await before.create(key, enc.encode('{"a":1}'));
    const after = new EncryptedStore(
      raw,
      config(
        `[{aesgcm: {keys: [{name: new, secret: ${K2}}]}}, {aescbc: {keys: [{name: old, secret: ${K1}}]}}]`,
      ),
    );
    const { kv } = await after.get(key);
    assert.equal(dec.decode(kv!.value), '{"a":1}');
    assert.equal(isStale(kv), true);
    await after.update(key, kv!.value, kv!.modRevision);
    const rewritten = (await raw.get(key)).kv!;
    assert.equal(dec.decode(rewritten.value.subarray(0, 19)), "k8s:enc:aesgcm:v1:n");
    const again = await after.get(key);
    assert.equal(isStale(again.kv), false);
    // Without the old key, old values cannot be read, and the error names the key.
    await before.update(key, enc.encode('{"a":2}'), rewritten.modRevision);
    const only = new EncryptedStore(raw, config(`[{aesgcm: {keys: [{name: new, secret: ${K2}}]}}]`));
    await assert.rejects(only.get(key), {
      message: 'unable to transform key "/registry/secrets/ns/s": no matching prefix found',
    });
    await raw.close();
  });
});

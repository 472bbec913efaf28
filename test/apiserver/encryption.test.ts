// Encryption at rest through a real in-process apiserver: objects written over
// HTTPS are ciphertext in SQLite, read back as plain objects, survive a key
// rotation, and fail with a clear error when no configured key can read them.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ConfigMap, Secret } from "kubernetes-types/core/v1.d.ts";
import { EncryptionConfig } from "../../src/apiserver/encryption/config.ts";
import { EncryptedStore } from "../../src/apiserver/encryption/store.ts";
import { ApiServer, ensurePki } from "../../src/apiserver/index.ts";
import { ApiError } from "../../src/client/api-error.ts";
import type { ClientConfig } from "../../src/client/kubeconfig.ts";
import { Resources } from "../../src/client/resources.ts";
import { RestClient } from "../../src/client/rest-client.ts";
import { SqliteStore } from "../../src/storage/sqlite.ts";

const KEY1 = Buffer.alloc(32, 0x11).toString("base64");
const KEY2 = Buffer.alloc(32, 0x22).toString("base64");
const dec = new TextDecoder();

function encryption(providers: string): EncryptionConfig {
  return EncryptionConfig.parse(`apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
${providers}`);
}
const key1Only = encryption(`      - aesgcm: {keys: [{name: key1, secret: ${KEY1}}]}\n      - identity: {}`);
const rotated = encryption(
  `      - aesgcm: {keys: [{name: key2, secret: ${KEY2}}]}\n      - aesgcm: {keys: [{name: key1, secret: ${KEY1}}]}`,
);
const key2Only = encryption(`      - aesgcm: {keys: [{name: key2, secret: ${KEY2}}]}`);

describe("encryption at rest (apiserver on SQLite)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "k8ts-encryption-"));
  const raw = new SqliteStore({ path: ":memory:" });
  let pki: Awaited<ReturnType<typeof ensurePki>>;
  let server: ApiServer | undefined;
  let client: RestClient | undefined;

  /** (Re)starts the apiserver over the same SQLite store with another encryption configuration. */
  async function start(config: EncryptionConfig): Promise<RestClient> {
    client?.close();
    await server?.stop();
    server = new ApiServer({
      store: new EncryptedStore(raw, config),
      tls: { cert: pki.serving.cert, key: pki.serving.key, ca: pki.caCert },
      port: 0,
      host: "127.0.0.1",
      compactionIntervalMs: 3_600_000,
    });
    await server.start();
    const cred = await pki.ca.issueClient("admin", ["system:masters"]);
    const cfg: ClientConfig = {
      server: `https://127.0.0.1:${server.port}`,
      ca: pki.caCert,
      cert: cred.cert,
      key: cred.key,
      namespace: "default",
    };
    client = new RestClient(cfg, { maxRetries: 0 });
    return client;
  }

  const storedBytes = async (key: string) => (await raw.get(key)).kv!.value;
  const storedPrefix = async (key: string) => dec.decode((await storedBytes(key)).subarray(0, 23));

  before(async () => {
    pki = await ensurePki(dataDir);
  });
  after(async () => {
    client?.close();
    await server?.stop();
    await raw.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("stores Secrets encrypted with the first key and serves them as plain objects", async () => {
    const c = await start(key1Only);
    await c.create<Secret>(Resources.secrets, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "db", namespace: "default" },
      stringData: { password: "hunter2" },
    });
    await c.create<ConfigMap>(Resources.configmaps, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings", namespace: "default" },
      data: { mode: "plain" },
    });
    const stored = Buffer.from(await storedBytes("/registry/secrets/default/db"));
    assert.equal(await storedPrefix("/registry/secrets/default/db"), "k8s:enc:aesgcm:v1:key1:");
    for (const plain of ["hunter2", Buffer.from("hunter2").toString("base64"), '"kind"', "password"]) {
      assert.ok(!stored.includes(plain), `the stored secret contains ${plain}`);
    }
    // Resources not in the configuration stay plain JSON.
    assert.match(dec.decode(await storedBytes("/registry/configmaps/default/settings")), /"mode":"plain"/);

    const got = await c.get<Secret>(Resources.secrets, "db", { namespace: "default" });
    assert.equal(Buffer.from(got.data!.password, "base64").toString(), "hunter2");
    const list = await c.list<Secret>(Resources.secrets, { namespace: "default" });
    assert.deepEqual(
      list.items.map((s) => s.metadata?.name),
      ["db"],
    );
  });

  it("reads values of the old key after a rotation and rewrites them with the new key on update", async () => {
    const c = await start(rotated);
    await c.create<Secret>(Resources.secrets, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "api", namespace: "default" },
      stringData: { token: "t0k3n" },
    });
    assert.equal(await storedPrefix("/registry/secrets/default/api"), "k8s:enc:aesgcm:v1:key2:");
    // Written with key1 before the rotation: still readable.
    const db = await c.get<Secret>(Resources.secrets, "db", { namespace: "default" });
    assert.equal(Buffer.from(db.data!.password, "base64").toString(), "hunter2");
    assert.equal(await storedPrefix("/registry/secrets/default/db"), "k8s:enc:aesgcm:v1:key1:");
    await c.update<Secret>(Resources.secrets, {
      ...db,
      metadata: { ...db.metadata, labels: { rotated: "yes" } },
    });
    assert.equal(await storedPrefix("/registry/secrets/default/db"), "k8s:enc:aesgcm:v1:key2:");
    const again = await c.get<Secret>(Resources.secrets, "db", { namespace: "default" });
    assert.equal(again.metadata?.labels?.rotated, "yes");
  });

  it("fails with an InternalError naming the key when no configured key can read a value", async () => {
    const c = await start(key1Only);
    // key1Only cannot read what key2 wrote: a 500 that says which object, not a crash or garbage.
    await assert.rejects(c.get<Secret>(Resources.secrets, "api", { namespace: "default" }), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.code, 500);
      assert.equal(e.reason, "InternalError");
      assert.equal(
        e.message,
        'Internal error occurred: unable to transform key "/registry/secrets/default/api": no matching key was found for the provided AES transformer',
      );
      return true;
    });
    await assert.rejects(c.list<Secret>(Resources.secrets, { namespace: "default" }), (e: unknown) => {
      assert.ok(e instanceof ApiError && e.code === 500);
      assert.match(e.message, /unable to transform key "\/registry\/secrets\/default\/api"/);
      return true;
    });
    // Other resources are unaffected.
    const cm = await c.get<ConfigMap>(Resources.configmaps, "settings", { namespace: "default" });
    assert.equal(cm.data?.mode, "plain");
  });

  it("reads everything with the new key alone once every object was rewritten", async () => {
    const c = await start(key2Only);
    const api = await c.get<Secret>(Resources.secrets, "api", { namespace: "default" });
    assert.equal(Buffer.from(api.data!.token, "base64").toString(), "t0k3n");
    const db = await c.get<Secret>(Resources.secrets, "db", { namespace: "default" });
    assert.equal(Buffer.from(db.data!.password, "base64").toString(), "hunter2");
  });
});

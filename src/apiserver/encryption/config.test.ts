import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { EncryptionConfig } from "./config.ts";

const dec = new TextDecoder();
const enc = new TextEncoder();
const K32A = Buffer.alloc(32, 1).toString("base64");
const K32B = Buffer.alloc(32, 2).toString("base64");
const K16 = Buffer.alloc(16, 3).toString("base64");

function config(resources: string): string {
  return `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
${resources}`;
}

const SECRET_KEY = "/registry/secrets/default/s1";
const plain = enc.encode('{"kind":"Secret","data":{"password":"aHVudGVyMg=="}}');
const prefixOf = (b: Uint8Array, n = 40) => dec.decode(b.subarray(0, n));

describe("EncryptionConfig.parse", () => {
  it("encrypts configured resources with the first provider's first key, under upstream's prefix", () => {
    const c = EncryptionConfig.parse(
      config(`  - resources: [secrets]
    providers:
      - aesgcm:
          keys:
            - name: key1
              secret: ${K32A}
            - name: key0
              secret: ${K16}
      - identity: {}`),
    );
    const t = c.transformerFor("", "secrets");
    const stored = t.toStorage(SECRET_KEY, plain);
    assert.ok(prefixOf(stored).startsWith("k8s:enc:aesgcm:v1:key1:"), prefixOf(stored));
    assert.ok(!Buffer.from(stored).includes("hunter2") && !Buffer.from(stored).includes("password"));
    assert.deepEqual(t.fromStorage(SECRET_KEY, stored), { value: Buffer.from(plain), stale: false });
    // identity (listed second) reads values written before encryption was turned on; they are stale.
    const old = t.fromStorage(SECRET_KEY, plain);
    assert.equal(old.stale, true);
    assert.equal(dec.decode(old.value), dec.decode(plain));
    // Other resources stay plain.
    assert.equal(c.transformerFor("", "configmaps").toStorage("/registry/configmaps/a/b", plain), plain);
  });

  it("rotates keys: a new key first still reads values of the old one, marked stale", () => {
    const before = EncryptionConfig.parse(
      config(`  - resources: [secrets]
    providers:
      - aescbc:
          keys: [{name: old, secret: ${K32A}}]`),
    ).transformerFor("", "secrets");
    const stored = before.toStorage(SECRET_KEY, plain);
    assert.ok(prefixOf(stored).startsWith("k8s:enc:aescbc:v1:old:"));

    const after = EncryptionConfig.parse(
      config(`  - resources: [secrets]
    providers:
      - aesgcm:
          keys: [{name: new, secret: ${K32B}}]
      - aescbc:
          keys: [{name: old, secret: ${K32A}}]`),
    ).transformerFor("", "secrets");
    const read = after.fromStorage(SECRET_KEY, stored);
    assert.equal(read.stale, true);
    assert.deepEqual(Buffer.from(read.value), Buffer.from(plain));
    assert.ok(prefixOf(after.toStorage(SECRET_KEY, read.value)).startsWith("k8s:enc:aesgcm:v1:new:"));
    // An older key of the first provider also reads, and is stale too: a rewrite uses the first key.
    const sameProvider = EncryptionConfig.parse(
      config(`  - resources: [secrets]
    providers:
      - aescbc:
          keys: [{name: newer, secret: ${K32B}}, {name: old, secret: ${K32A}}]`),
    ).transformerFor("", "secrets");
    assert.equal(sameProvider.fromStorage(SECRET_KEY, stored).stale, true);
  });

  it("fails to read a value no provider can, with upstream's messages", () => {
    const writer = EncryptionConfig.parse(
      config(`  - resources: [secrets]
    providers: [{aesgcm: {keys: [{name: gone, secret: ${K32A}}]}}]`),
    ).transformerFor("", "secrets");
    const stored = writer.toStorage(SECRET_KEY, plain);
    const reader = EncryptionConfig.parse(
      config(`  - resources: [secrets]
    providers: [{aesgcm: {keys: [{name: other, secret: ${K32B}}]}}, {identity: {}}]`),
    ).transformerFor("", "secrets");
    assert.throws(() => reader.fromStorage(SECRET_KEY, stored), {
      message: "no matching key was found for the provided AES transformer",
    });
    const noPrefix = EncryptionConfig.parse(
      config(`  - resources: [secrets]
    providers: [{secretbox: {keys: [{name: k, secret: ${K32B}}]}}]`),
    ).transformerFor("", "secrets");
    assert.throws(() => noPrefix.fromStorage(SECRET_KEY, stored), { message: "no matching prefix found" });
    // Same key name, different secret: the authentication fails.
    const sameName = EncryptionConfig.parse(
      config(`  - resources: [secrets]
    providers: [{aesgcm: {keys: [{name: gone, secret: ${K32B}}]}}]`),
    ).transformerFor("", "secrets");
    assert.throws(() => sameName.fromStorage(SECRET_KEY, stored), {
      message: "cipher: message authentication failed",
    });
  });

  it("matches a resource exactly, then by group wildcard, then *.*", () => {
    const c = EncryptionConfig.parse(
      config(`  - resources: [secrets, deployments.apps]
    providers: [{aesgcm: {keys: [{name: exact, secret: ${K32A}}]}}]
  - resources: ["*.apps"]
    providers: [{aesgcm: {keys: [{name: apps, secret: ${K32A}}]}}]
  - resources: ["*."]
    providers: [{aesgcm: {keys: [{name: core, secret: ${K32A}}]}}]
  - resources: ["*.*"]
    providers: [{aescbc: {keys: [{name: all, secret: ${K32A}}]}}]`),
    );
    const writer = (g: string, r: string) =>
      prefixOf(c.transformerFor(g, r).toStorage("/registry/x/y", plain), 30);
    assert.ok(writer("", "secrets").startsWith("k8s:enc:aesgcm:v1:exact:"));
    assert.ok(writer("apps", "deployments").startsWith("k8s:enc:aesgcm:v1:exact:"));
    assert.ok(writer("apps", "statefulsets").startsWith("k8s:enc:aesgcm:v1:apps:"));
    assert.ok(writer("", "configmaps").startsWith("k8s:enc:aesgcm:v1:core:"));
    assert.ok(writer("batch", "jobs").startsWith("k8s:enc:aescbc:v1:all:"));
  });

  it("refuses a rule masked by an earlier wildcard, as upstream", () => {
    assert.throws(
      () =>
        EncryptionConfig.parse(
          config(`  - resources: ["*.apps"]
    providers: [{identity: {}}]
  - resources: [deployments.apps]
    providers: [{identity: {}}]`),
        ),
      {
        message:
          'error while building transformers: resource "deployments.apps" is masked by earlier rule "*.apps"',
      },
    );
    assert.throws(
      () =>
        EncryptionConfig.parse(
          config(`  - resources: ["*.*"]
    providers: [{identity: {}}]
  - resources: [secrets]
    providers: [{identity: {}}]`),
        ),
      { message: 'error while building transformers: resource "secrets" is masked by earlier rule "*.*"' },
    );
  });

  it("reports validation errors with upstream's field paths and wording", () => {
    const cases: [string, string][] = [
      [
        "resources: []",
        "error while parsing file: resources: Required value: at least one resources is required",
      ],
      [
        `resources:
  - resources: [secrets]
    providers: []`,
        "error while parsing file: resources[0].providers: Required value: at least one resources[0].providers is required",
      ],
      [
        `resources:
  - resources: [secrets]
    providers: [{aesgcm: {keys: [{name: k, secret: ${Buffer.alloc(8).toString("base64")}}]}}]`,
        'error while parsing file: resources[0].providers[0].aesgcm.keys[0].secret: Invalid value: "REDACTED": secret is not of the expected length, got 8, expected one of [16 24 32]',
      ],
      [
        `resources:
  - resources: [secrets]
    providers: [{secretbox: {keys: [{name: k, secret: ${K16}}]}}]`,
        'error while parsing file: resources[0].providers[0].secretbox.keys[0].secret: Invalid value: "REDACTED": secret is not of the expected length, got 16, expected one of [32]',
      ],
      [
        `resources:
  - resources: [secrets]
    providers: [{aescbc: {keys: [{name: "", secret: "not base64!"}]}}]`,
        'error while parsing file: [resources[0].providers[0].aescbc.keys[0].name: Required value: name is a mandatory field for a key, resources[0].providers[0].aescbc.keys[0].secret: Invalid value: "REDACTED": secrets must be base64 encoded]',
      ],
      [
        `resources:
  - resources: [secrets]
    providers: [{aesgcm: {keys: []}}]`,
        "error while parsing file: resources[0].providers[0].aesgcm.keys: Required value: at least one keys is required",
      ],
      [
        `resources:
  - resources: [secrets, "*."]
    providers: [{identity: {}}]`,
        `error while parsing file: resources[0].resources: Invalid value: []string{"secrets", "*."}: using overlapping resources such as 'secrets' and '*.' in the same resource list is not allowed as they will be masked`,
      ],
      [
        `resources:
  - resources: [secrets, secrets]
    providers: [{identity: {}}]`,
        `error while parsing file: resources[0].resources: Invalid value: []string{"secrets", "secrets"}: the same resource cannot be specified multiple times`,
      ],
      [
        `resources:\n${[
          "*",
          "Secrets",
          "events.events.k8s.io",
          "deployments.extensions",
          "secrets.*",
          "serviceipallocations",
        ]
          .map((r) => `  - resources: ["${r}"]\n    providers: [{identity: {}}]`)
          .join("\n")}`,
        `error while parsing file: [resources[0].resources[0]: Invalid value: "*": use '*.' to encrypt all the resources from core API group or *.* to encrypt all resources, resources[1].resources[0]: Invalid value: "Secrets": resource name should not contain capital letters, resources[2].resources[0]: Invalid value: "events.events.k8s.io": '*.events.k8s.io' objects are stored using the 'events' API group in etcd. Use 'events' instead in the config file, resources[3].resources[0]: Invalid value: "deployments.extensions": 'extensions' group has been removed and cannot be used for encryption, resources[4].resources[0]: Invalid value: "secrets.*": encrypting the same resource across groups is not supported, resources[5].resources[0]: Invalid value: "serviceipallocations": resources which do not have REST API/s cannot be encrypted]`,
      ],
    ];
    for (const [body, message] of cases) {
      const text = `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n${body}\n`;
      assert.throws(() => EncryptionConfig.parse(text), { message }, body);
    }
  });

  it("refuses providers that name none or several kinds, and KMS (no plugin support)", () => {
    assert.throws(
      () =>
        EncryptionConfig.parse(
          config(
            `  - resources: [secrets]\n    providers: [{identity: {}, aesgcm: {keys: [{name: k, secret: ${K16}}]}}]`,
          ),
        ),
      /resources\[0\]\.providers\[0\]: Invalid value: apiserver\.ProviderConfiguration\{.*\}: more than one provider specified in a single element, should split into different list elements$/,
    );
    assert.throws(
      () => EncryptionConfig.parse(config("  - resources: [secrets]\n    providers: [{}]")),
      /provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity$/,
    );
    assert.throws(
      () =>
        EncryptionConfig.parse(
          config(
            "  - resources: [secrets]\n    providers: [{kms: {apiVersion: v2, name: vault, endpoint: unix:///tmp/kms.sock}}]",
          ),
        ),
      {
        message:
          'error while building transformers: could not configure KMS plugin "vault", KMS providers are not supported by k8ts',
      },
    );
    assert.throws(
      () =>
        EncryptionConfig.parse(
          config(
            "  - resources: [secrets]\n    providers: [{kms: {apiVersion: v2, name: vault, endpoint: tcp://x:1}}]",
          ),
        ),
      {
        message:
          'error while parsing file: resources[0].providers[0].kms.endpoint: Invalid value: "tcp://x:1": unsupported scheme "tcp" for KMS provider, only unix is supported',
      },
    );
  });

  it("refuses other kinds and versions, and empty files", () => {
    assert.throws(() => EncryptionConfig.parse("apiVersion: v1\nkind: ConfigMap\n", "/etc/enc.yaml"), {
      message:
        'error while parsing file: error decoding encryption provider configuration file "/etc/enc.yaml": no kind "ConfigMap" is registered for version "v1"',
    });
    assert.throws(() => EncryptionConfig.parse("", "/etc/enc.yaml"), {
      message: 'error while parsing file: encryption provider configuration file "/etc/enc.yaml" is empty',
    });
  });
});

describe("EncryptionConfig.load", () => {
  const dir = mkdtempSync(join(tmpdir(), "k8ts-enc-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("reads YAML or JSON files and names a missing one", () => {
    const yaml = join(dir, "enc.yaml");
    writeFileSync(
      yaml,
      config(`  - resources: [secrets]\n    providers: [{aesgcm: {keys: [{name: k, secret: ${K32A}}]}}]\n`),
    );
    assert.ok(EncryptionConfig.load(yaml).transformerFor("", "secrets"));
    const json = join(dir, "enc.json");
    writeFileSync(
      json,
      JSON.stringify({
        apiVersion: "apiserver.config.k8s.io/v1",
        kind: "EncryptionConfiguration",
        resources: [
          { resources: ["secrets"], providers: [{ secretbox: { keys: [{ name: "k", secret: K32A }] } }] },
        ],
      }),
    );
    const stored = EncryptionConfig.load(json).transformerFor("", "secrets").toStorage(SECRET_KEY, plain);
    assert.ok(prefixOf(stored).startsWith("k8s:enc:secretbox:v1:k:"));
    assert.throws(
      () => EncryptionConfig.load(join(dir, "missing.yaml")),
      (e: Error) =>
        e.message.startsWith(
          `error while parsing file: error opening encryption provider configuration file "${join(dir, "missing.yaml")}": ENOENT`,
        ),
    );
  });
});

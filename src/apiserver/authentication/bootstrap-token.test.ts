import assert from "node:assert/strict";
import { after, test } from "node:test";
import type { Obj } from "../../api/registry.ts";
import { SqliteStore } from "../../storage/sqlite.ts";
import { Registry } from "../registry/index.ts";
import { BootstrapTokenAuthenticator, bootstrapTokenGroups, parseBootstrapToken } from "./bootstrap-token.ts";

const store = new SqliteStore({ path: ":memory:" });
const registry = new Registry(store);
after(() => store.close());
const secrets = registry.byResource("", "v1", "secrets")!;
const now = new Date("2025-06-01T00:00:00Z");
const auth = new BootstrapTokenAuthenticator({ registry, now: () => now });

function bootstrapSecret(
  id: string,
  data: Record<string, string>,
  type = "bootstrap.kubernetes.io/token",
): Obj {
  const b64 = Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")]),
  );
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: `bootstrap-token-${id}`, namespace: "kube-system" },
    type,
    data: b64,
  };
}

test("parseBootstrapToken: [a-z0-9]{6}.[a-z0-9]{16} only", () => {
  assert.deepEqual(parseBootstrapToken("abcdef.0123456789abcdef"), {
    id: "abcdef",
    secret: "0123456789abcdef",
  });
  assert.equal(parseBootstrapToken("ABCDEF.0123456789abcdef"), undefined);
  assert.equal(parseBootstrapToken("abcdef.0123456789abcdef0"), undefined);
});

test("a valid bootstrap token is system:bootstrap:<id> in system:bootstrappers plus its extra groups", async () => {
  await secrets.create(
    "kube-system",
    bootstrapSecret("abcdef", {
      "token-id": "abcdef",
      "token-secret": "0123456789abcdef",
      "usage-bootstrap-authentication": "true",
      "auth-extra-groups": "system:bootstrappers:kubeadm:default-node-token,system:bootstrappers:a",
      expiration: "2025-06-02T00:00:00Z",
    }),
  );
  assert.deepEqual(await auth.authenticateToken("abcdef.0123456789abcdef"), {
    user: {
      name: "system:bootstrap:abcdef",
      groups: [
        "system:bootstrappers",
        "system:bootstrappers:a",
        "system:bootstrappers:kubeadm:default-node-token",
      ],
    },
  });
  // A wrong secret, or an id without a Secret, is simply not a token we know.
  assert.equal(await auth.authenticateToken("abcdef.0000000000000000"), undefined);
  assert.equal(await auth.authenticateToken("zzzzzz.0123456789abcdef"), undefined);
});

test("expired, unparseable expiration, not for authentication, wrong type or bad group: not recognised", async () => {
  const base = { "token-secret": "0123456789abcdef", "usage-bootstrap-authentication": "true" };
  const cases: [string, Record<string, string>, string?][] = [
    ["exp001", { ...base, "token-id": "exp001", expiration: "2025-05-31T23:59:59Z" }],
    ["exp002", { ...base, "token-id": "exp002", expiration: "tomorrow" }],
    ["use003", { "token-id": "use003", "token-secret": "0123456789abcdef" }],
    ["typ004", { ...base, "token-id": "typ004" }, "Opaque"],
    ["grp005", { ...base, "token-id": "grp005", "auth-extra-groups": "admins" }],
    ["idd006", { ...base, "token-id": "other6" }],
  ];
  for (const [id, data, type] of cases) {
    await secrets.create("kube-system", bootstrapSecret(id, data, type));
    assert.equal(await auth.authenticateToken(`${id}.0123456789abcdef`), undefined, id);
  }
});

test("GetGroups names the invalid group as upstream", () => {
  const s = {
    data: { "auth-extra-groups": Buffer.from("system:bootstrappers:ok,admins").toString("base64") },
  };
  assert.throws(() => bootstrapTokenGroups(s), {
    message:
      'bootstrap group "admins" is invalid (must match \\Asystem:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]\\z)',
  });
});

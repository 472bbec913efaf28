// Security of `k8ts up` as the installed kubectl sees it: authentication
// (client certificates, a static token file, service-account and bootstrap
// tokens, impersonation), Node+RBAC authorization with upstream's bootstrap
// policy, RBAC escalation checks, and the built-in admission plugins. Every
// expected string is what upstream v1.32 prints for the same command.
import assert from "node:assert/strict";
import { webcrypto } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { eventually } from "../support/eventually.ts";
import { type Cluster, type RunResult, startCluster } from "./harness.ts";

function ok(r: RunResult): RunResult {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

/** A command kubectl ends with exit code 1 and exactly this on stderr. */
function fails(r: RunResult, stderr: string): void {
  assert.equal(r.stderr, stderr, `stdout: ${r.stdout}`);
  assert.equal(r.code, 1);
}

/** Like kube-apiserver, the apiserver does not verify a token that authenticated again for 10 s. */
const REVOKED_TOKEN_MS = 15_000;

// token,user,uid,"group1,group2" (upstream's --token-auth-file CSV).
const TOKENS = `alice-token,alice,1001,"devs"
bob-token,bob,1002
carol-token,carol,1003,"devs,qa"
node1-token,system:node:n1,2001,"system:nodes"
`;

/**
 * A kubeconfig with the cluster and its CA but no client certificate. Upstream's
 * authenticator tries x509 before bearer tokens (pkg/kubeapiserver/authenticator/config.go),
 * so `--token` only selects the user when no certificate is sent.
 */
function tokenKubeconfig(adminKubeconfig: string, path: string): string {
  const admin = readFileSync(adminKubeconfig, "utf8");
  const server = /server: (\S+)/.exec(admin)?.[1];
  const ca = /certificate-authority-data: (\S+)/.exec(admin)?.[1];
  assert.ok(server && ca, `no server or CA in ${adminKubeconfig}`);
  writeFileSync(
    path,
    `apiVersion: v1
kind: Config
clusters:
- name: k8ts
  cluster: {server: "${server}", certificate-authority-data: ${ca}}
users:
- name: token
  user: {}
contexts:
- name: k8ts
  context: {cluster: k8ts, user: token}
current-context: k8ts
`,
  );
  return path;
}

describe("k8ts security through kubectl", () => {
  let c: Cluster;
  let dir: string;
  let tokenConfig: string;
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  /** kubectl as the holder of a bearer token, with no client certificate. */
  const withToken = (token: string, args: string[], opts?: Parameters<Cluster["kubectl"]>[1]) =>
    c.kubectl(["--kubeconfig", tokenConfig, "--token", token, ...args], opts);
  const jsonpath = async (what: string, path: string, ns = "default"): Promise<string> =>
    ok(await c.kubectl(["get", what, "-n", ns, "-o", `jsonpath=${path}`])).stdout;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "k8ts-security-"));
    c = await startCluster({ args: ["--token-auth-file", file("tokens.csv", TOKENS)] });
    tokenConfig = tokenKubeconfig(c.kubeconfig, join(dir, "token.kubeconfig"));
  });
  after(async () => {
    await c?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe("authentication", () => {
    it("auth whoami prints the admin (system:masters) and static token users", async () => {
      let r = ok(await c.kubectl(["auth", "whoami"]));
      assert.equal(
        r.stdout,
        "ATTRIBUTE   VALUE\nUsername    kubernetes-admin\nGroups      [system:masters system:authenticated]\n",
      );
      r = ok(await withToken("alice-token", ["auth", "whoami"]));
      assert.equal(
        r.stdout,
        "ATTRIBUTE   VALUE\nUsername    alice\nUID         1001\nGroups      [devs system:authenticated]\n",
      );
      r = ok(await withToken("carol-token", ["auth", "whoami", "-o", "jsonpath={.status.userInfo}"]));
      assert.deepEqual(JSON.parse(r.stdout), {
        username: "carol",
        uid: "1003",
        groups: ["devs", "qa", "system:authenticated"],
      });
      // With the admin's certificate on the connection, the x509 authenticator answers first.
      r = ok(
        await c.kubectl([
          "--token",
          "alice-token",
          "auth",
          "whoami",
          "-o",
          "jsonpath={.status.userInfo.username}",
        ]),
      );
      assert.equal(r.stdout, "kubernetes-admin");
    });

    it("a token nobody issued is Unauthorized", async () => {
      // With discovery cached, the 401 comes from the typed list and kubectl prints its Status message.
      const warm = c.newHome();
      ok(await c.kubectl(["get", "pods"], { home: warm }));
      fails(
        await withToken("bad", ["get", "pods"], { home: warm }),
        "error: You must be logged in to the server (Unauthorized)\n",
      );
      fails(
        await withToken("bad", ["auth", "whoami"]),
        "error: You must be logged in to the server (Unauthorized)\n",
      );
      // With an empty cache, discovery meets the 401 first: client-go logs each of its attempts
      // and kubectl reports the generic 401 text (as in kubernetes/kubectl#1798 against a real apiserver).
      const r = await withToken("bad", ["get", "pods"], { home: c.newHome() });
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /^(E\d{4} [\d:.]+ +\d+ memcache\.go:\d+\] "Unhandled Error" err="couldn't get current server API group list: the server has asked for the client to provide credentials"\n){5}error: You must be logged in to the server \(the server has asked for the client to provide credentials\)\n$/,
      );
    });

    it("a bootstrap token authenticates as system:bootstrap:<id> until its secret goes", async () => {
      ok(
        await c.kubectl([
          "create",
          "secret",
          "generic",
          "bootstrap-token-abcdef",
          "-n",
          "kube-system",
          "--type=bootstrap.kubernetes.io/token",
          "--from-literal=token-id=abcdef",
          "--from-literal=token-secret=0123456789abcdef",
          "--from-literal=usage-bootstrap-authentication=true",
          "--from-literal=auth-extra-groups=system:bootstrappers:kubeadm:default-node-token",
        ]),
      );
      const r = ok(await withToken("abcdef.0123456789abcdef", ["auth", "whoami"]));
      assert.equal(
        r.stdout,
        "ATTRIBUTE   VALUE\nUsername    system:bootstrap:abcdef\nGroups      [system:bootstrappers system:bootstrappers:kubeadm:default-node-token system:authenticated]\n",
      );
      // Right id, wrong secret: recognised as a bootstrap token, so 401 rather than anonymous.
      fails(
        await withToken("abcdef.0000000000000000", ["auth", "whoami"]),
        "error: You must be logged in to the server (Unauthorized)\n",
      );
      ok(await c.kubectl(["delete", "secret", "bootstrap-token-abcdef", "-n", "kube-system"]));
      await eventually(
        async () =>
          fails(
            await withToken("abcdef.0123456789abcdef", ["auth", "whoami"]),
            "error: You must be logged in to the server (Unauthorized)\n",
          ),
        REVOKED_TOKEN_MS,
      );
    });

    it("service account tokens: create token, whoami, and Unauthorized once the account is deleted", async () => {
      assert.equal(
        ok(await c.kubectl(["create", "serviceaccount", "robot"])).stdout,
        "serviceaccount/robot created\n",
      );
      const token = ok(await c.kubectl(["create", "token", "robot"])).stdout.trim();
      const parts = token.split(".");
      assert.equal(parts.length, 3, `not a JWT: ${token}`);
      const header = JSON.parse(Buffer.from(parts[0], "base64url").toString());
      const claims = JSON.parse(Buffer.from(parts[1], "base64url").toString());
      assert.equal(header.alg, "ES256"); // the service-account key is ECDSA P-256
      assert.equal(typeof header.kid, "string");
      const uid = await jsonpath("sa/robot", "{.metadata.uid}");
      assert.equal(claims.sub, "system:serviceaccount:default:robot");
      assert.equal(claims.iss, "https://kubernetes.default.svc.cluster.local");
      assert.deepEqual(claims.aud, ["https://kubernetes.default.svc.cluster.local"]);
      assert.deepEqual(claims["kubernetes.io"], {
        namespace: "default",
        serviceaccount: { name: "robot", uid },
      });
      // TokenRequest's default expirationSeconds is one hour.
      assert.equal(claims.exp - claims.iat, 3600);

      const r = ok(await withToken(token, ["auth", "whoami"]));
      // The credential-id extra is the token's jti (ServiceAccountTokenJTI, on by default since v1.30).
      assert.equal(
        r.stdout,
        `ATTRIBUTE                                           VALUE
Username                                            system:serviceaccount:default:robot
UID                                                 ${uid}
Groups                                              [system:serviceaccounts system:serviceaccounts:default system:authenticated]
Extra: authentication.kubernetes.io/credential-id   [JTI=${claims.jti}]
`,
      );
      fails(
        await withToken(token, ["get", "pods"]),
        'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:default:robot" cannot list resource "pods" in API group "" in the namespace "default"\n',
      );
      // Service account issuer discovery: any service account may read where the keys are, and the keys,
      // and the token verifies with the key of its kid.
      const discovery = JSON.parse(
        ok(await withToken(token, ["get", "--raw", "/.well-known/openid-configuration"])).stdout,
      );
      assert.deepEqual(discovery, {
        issuer: "https://kubernetes.default.svc.cluster.local",
        jwks_uri: discovery.jwks_uri,
        response_types_supported: ["id_token"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["ES256"],
      });
      assert.match(discovery.jwks_uri, /^https:\/\/[^/]+:\d+\/openid\/v1\/jwks$/);
      const jwks = JSON.parse(ok(await withToken(token, ["get", "--raw", "/openid/v1/jwks"])).stdout);
      const jwk = jwks.keys.find((k: { kid: string }) => k.kid === header.kid);
      assert.deepEqual(Object.keys(jwk), ["use", "kty", "kid", "crv", "alg", "x", "y"]);
      const key = await webcrypto.subtle.importKey(
        "jwk",
        jwk,
        { name: "ECDSA", namedCurve: "P-256" },
        false,
        ["verify"],
      );
      assert.ok(
        await webcrypto.subtle.verify(
          { name: "ECDSA", hash: "SHA-256" },
          key,
          Buffer.from(parts[2], "base64url"),
          Buffer.from(`${parts[0]}.${parts[1]}`),
        ),
        "the token's signature verifies with the published key",
      );
      assert.equal(ok(await c.kubectl(["delete", "sa", "robot"])).stdout, 'serviceaccount "robot" deleted\n');
      await eventually(
        async () =>
          fails(
            await withToken(token, ["auth", "whoami"]),
            "error: You must be logged in to the server (Unauthorized)\n",
          ),
        REVOKED_TOKEN_MS,
      );
    });
  });

  describe("RBAC", () => {
    it("a user without bindings is Forbidden; a view binding lets it read, but not secrets", async () => {
      fails(
        await withToken("bob-token", ["get", "pods"]),
        'Error from server (Forbidden): pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default"\n',
      );
      assert.equal(
        ok(await c.kubectl(["create", "rolebinding", "bob-view", "--clusterrole=view", "--user=bob"])).stdout,
        "rolebinding.rbac.authorization.k8s.io/bob-view created\n",
      );
      ok(await c.kubectl(["create", "secret", "generic", "s1", "--from-literal=a=b"]));
      await eventually(async () => {
        const r = ok(await withToken("bob-token", ["get", "pods"]));
        assert.equal(r.stderr, "No resources found in default namespace.\n");
      });
      fails(
        await withToken("bob-token", ["get", "secrets"]),
        'Error from server (Forbidden): secrets is forbidden: User "bob" cannot list resource "secrets" in API group "" in the namespace "default"\n',
      );
      fails(
        await withToken("bob-token", ["get", "secret", "s1"]),
        'Error from server (Forbidden): secrets "s1" is forbidden: User "bob" cannot get resource "secrets" in API group "" in the namespace "default"\n',
      );
      // A RoleBinding grants only in its own namespace.
      fails(
        await withToken("bob-token", ["get", "pods", "-n", "kube-system"]),
        'Error from server (Forbidden): pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "kube-system"\n',
      );
    });

    it("auth can-i answers yes (exit 0) or no (exit 1), and --list prints the user's rules", async () => {
      await eventually(async () => {
        assert.equal(ok(await withToken("bob-token", ["auth", "can-i", "list", "pods"])).stdout, "yes\n");
      });
      let r = await withToken("bob-token", ["auth", "can-i", "get", "secrets"]);
      assert.equal(r.stdout, "no\n");
      assert.equal(r.code, 1);
      r = await withToken("bob-token", ["auth", "can-i", "list", "pods", "-n", "kube-system"]);
      assert.equal(r.stdout, "no\n");
      assert.equal(r.code, 1);
      r = await withToken("bob-token", ["auth", "can-i", "get", "secrets", "--quiet"]);
      assert.equal(r.stdout, "");
      assert.equal(r.code, 1);

      // SelfSubjectRulesReview: view's rules, system:basic-user's review resources and
      // the non-resource URLs of system:discovery and system:public-info-viewer (kubectl
      // does not merge the URLs two roles both grant).
      const list = ok(await withToken("bob-token", ["auth", "can-i", "--list"])).stdout;
      const lines = list.split("\n");
      assert.equal(
        lines[0],
        "Resources                                       Non-Resource URLs   Resource Names   Verbs",
      );
      for (const line of [
        "selfsubjectreviews.authentication.k8s.io        []                  []               [create]",
        "selfsubjectaccessreviews.authorization.k8s.io   []                  []               [create]",
        "selfsubjectrulesreviews.authorization.k8s.io    []                  []               [create]",
        "configmaps                                      []                  []               [get list watch]",
        "pods/log                                        []                  []               [get list watch]",
        "pods                                            []                  []               [get list watch]",
        "deployments.apps                                []                  []               [get list watch]",
        "endpointslices.discovery.k8s.io                 []                  []               [get list watch]",
        "                                                [/api/*]            []               [get]",
        "                                                [/apis]             []               [get]",
        "                                                [/openapi/*]        []               [get]",
      ]) {
        assert.ok(lines.includes(line), `missing ${JSON.stringify(line)} in:\n${list}`);
      }
      assert.equal(
        lines.filter((l) => l.startsWith("                                                [/healthz]"))
          .length,
        2,
      );
      assert.equal(
        lines.filter((l) => l.startsWith("                                                [/version]"))
          .length,
        2,
      );
      assert.ok(!list.includes("secrets"), list);
      assert.ok(!list.includes("[create update"), list);

      // The admin asks on bob's behalf with impersonation.
      assert.equal(ok(await c.kubectl(["auth", "can-i", "list", "pods", "--as=bob"])).stdout, "yes\n");
      r = await c.kubectl(["auth", "can-i", "get", "secrets", "--as=bob"]);
      assert.equal(r.stdout, "no\n");
      assert.equal(r.code, 1);
      assert.equal(
        ok(await c.kubectl(["auth", "can-i", "get", "secrets", "--as=bob", "--as-group=system:masters"]))
          .stdout,
        "yes\n",
      );
      assert.equal(ok(await c.kubectl(["auth", "can-i", "--list", "--as=bob"])).stdout, list);
    });

    it("impersonation needs the impersonate verb on users, groups and service accounts", async () => {
      let r = ok(await c.kubectl(["auth", "whoami", "--as=bob", "--as-group=devs", "--as-group=qa"]));
      assert.equal(
        r.stdout,
        "ATTRIBUTE   VALUE\nUsername    bob\nGroups      [devs qa system:authenticated]\n",
      );
      r = ok(await c.kubectl(["auth", "whoami", "--as=bob", "--as-uid=u1"]));
      assert.equal(
        r.stdout,
        "ATTRIBUTE   VALUE\nUsername    bob\nUID         u1\nGroups      [system:authenticated]\n",
      );

      const refused =
        'Error from server (Forbidden): users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope\n';
      fails(await withToken("alice-token", ["get", "pods", "--as=bob"]), refused);
      fails(await withToken("alice-token", ["auth", "can-i", "list", "pods", "--as=bob"]), refused);

      ok(
        await c.kubectl([
          "create",
          "clusterrole",
          "impersonate-users",
          "--verb=impersonate",
          "--resource=users",
        ]),
      );
      ok(
        await c.kubectl([
          "create",
          "clusterrolebinding",
          "alice-imp",
          "--clusterrole=impersonate-users",
          "--user=alice",
        ]),
      );
      await eventually(async () => {
        r = ok(await withToken("alice-token", ["auth", "whoami", "--as=bob"]));
        assert.equal(r.stdout, "ATTRIBUTE   VALUE\nUsername    bob\nGroups      [system:authenticated]\n");
      });
      // Acting as bob, alice has bob's rights and not her own.
      assert.equal(
        ok(await withToken("alice-token", ["auth", "can-i", "list", "pods", "--as=bob"])).stdout,
        "yes\n",
      );
      // Users, groups and service accounts are separate resources of the impersonate verb.
      fails(
        await withToken("alice-token", ["get", "pods", "--as=bob", "--as-group=system:masters"]),
        'Error from server (Forbidden): groups "system:masters" is forbidden: User "alice" cannot impersonate resource "groups" in API group "" at the cluster scope\n',
      );
      fails(
        await withToken("alice-token", ["get", "pods", "--as=system:serviceaccount:default:robot"]),
        'Error from server (Forbidden): serviceaccounts "robot" is forbidden: User "alice" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "default"\n',
      );
    });

    it("a user who may create rolebindings cannot grant rights it does not hold", async () => {
      ok(
        await c.kubectl([
          "create",
          "role",
          "rb-creator",
          "--verb=create",
          "--resource=rolebindings.rbac.authorization.k8s.io",
        ]),
      );
      ok(await c.kubectl(["create", "rolebinding", "carol-rb", "--role=rb-creator", "--user=carol"]));
      const binding = file(
        "x.yaml",
        `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: x, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: User, name: carol, apiGroup: rbac.authorization.k8s.io}]
`,
      );
      const escalation = `rolebindings.rbac.authorization.k8s.io "x" is forbidden: user "carol" (groups=["devs" "qa" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:
{APIGroups:["*"], Resources:["*"], Verbs:["*"]}
{NonResourceURLs:["*"], Verbs:["*"]}
`;
      await eventually(async () =>
        fails(
          await withToken("carol-token", ["create", "-f", binding]),
          `Error from server (Forbidden): error when creating "${binding}": ${escalation}`,
        ),
      );
      // kubectl create rolebinding wraps the same server error in its own words.
      fails(
        await withToken("carol-token", [
          "create",
          "rolebinding",
          "x",
          "--clusterrole=cluster-admin",
          "--user=carol",
        ]),
        `error: failed to create rolebinding: ${escalation}`,
      );
      // Binding the role carol holds herself is no escalation.
      assert.equal(
        ok(
          await withToken("carol-token", ["create", "rolebinding", "y", "--role=rb-creator", "--user=alice"]),
        ).stdout,
        "rolebinding.rbac.authorization.k8s.io/y created\n",
      );
    });

    it("the scheduler's kubeconfig has system:kube-scheduler's rights and no more", async () => {
      const sched = (args: string[]) =>
        c.kubectl(["--kubeconfig", join(c.dataDir, "scheduler.kubeconfig"), ...args]);
      assert.equal(
        ok(await sched(["auth", "whoami"])).stdout,
        "ATTRIBUTE   VALUE\nUsername    system:kube-scheduler\nGroups      [system:authenticated]\n",
      );
      assert.equal(
        ok(await sched(["auth", "can-i", "create", "pods", "--subresource=binding"])).stdout,
        "yes\n",
      );
      assert.equal(ok(await sched(["auth", "can-i", "create", "bindings"])).stdout, "yes\n");
      assert.equal(ok(await sched(["auth", "can-i", "list", "pods", "-A"])).stdout, "yes\n");
      // kubectl reads pods/binding as TYPE/NAME: create a pod named "binding", which the scheduler may not.
      let r = await sched(["auth", "can-i", "create", "pods/binding"]);
      assert.equal(r.stdout, "no\n");
      assert.equal(r.code, 1);
      r = await sched(["auth", "can-i", "create", "pods"]);
      assert.equal(r.stdout, "no\n");
      assert.equal(r.code, 1);
      fails(
        await sched(["get", "secrets", "-A"]),
        'Error from server (Forbidden): secrets is forbidden: User "system:kube-scheduler" cannot list resource "secrets" in API group "" at the cluster scope\n',
      );
      fails(
        await sched(["delete", "node", "x"]),
        'Error from server (Forbidden): nodes "x" is forbidden: User "system:kube-scheduler" cannot delete resource "nodes" in API group "" at the cluster scope\n',
      );
    });
  });

  describe("a node's credentials (Node authorizer and NodeRestriction)", () => {
    const node = (args: string[]) => withToken("node1-token", args);
    let n2Json: string;

    before(async () => {
      for (const n of ["n1", "n2"]) {
        ok(
          await c.kubectl(["create", "-f", "-"], {
            input: JSON.stringify({ apiVersion: "v1", kind: "Node", metadata: { name: n } }),
          }),
        );
      }
      // The node lifecycle controller may update n2 (TaintNodesByCondition's taint) after this copy:
      // NodeRestriction answers a stale write before optimistic locking does, as upstream.
      n2Json = file("n2.json", ok(await c.kubectl(["get", "node", "n2", "-o", "json"])).stdout);
    });

    it("reads and updates its own Node, and no other's", async () => {
      assert.equal(ok(await node(["get", "node", "n1", "-o", "name"])).stdout, "node/n1\n");
      assert.equal(ok(await node(["label", "node", "n1", "zone=a"])).stdout, "node/n1 labeled\n");
      // A node may not steer workloads to itself with restricted labels.
      fails(
        await node(["label", "node", "n1", "node-restriction.kubernetes.io/x=y"]),
        'Error from server (Forbidden): nodes "n1" is forbidden: is not allowed to modify labels: node-restriction.kubernetes.io/x\n',
      );
      // PUTs skip kubectl's preliminary GET, so the request reaches NodeRestriction.
      fails(
        await node(["replace", "--raw", "/api/v1/nodes/n2/status", "-f", n2Json]),
        'Error from server (Forbidden): nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"\n',
      );
      fails(
        await node(["replace", "--raw", "/api/v1/nodes/n2", "-f", n2Json]),
        'Error from server (Forbidden): nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"\n',
      );
      // kubectl patch --subresource=status GETs the status first, which system:node does not grant.
      fails(
        await node([
          "patch",
          "node",
          "n2",
          "--subresource=status",
          "--type=merge",
          "-p",
          '{"status":{"capacity":{"cpu":"4"}}}',
        ]),
        'Error from server (Forbidden): nodes "n2" is forbidden: User "system:node:n1" cannot get resource "nodes/status" in API group "" at the cluster scope\n',
      );
      fails(
        await node(["delete", "node", "n2"]),
        'Error from server (Forbidden): nodes "n2" is forbidden: User "system:node:n1" cannot delete resource "nodes" in API group "" at the cluster scope\n',
      );
    });

    it("reads only the secrets its pods use", async () => {
      ok(await c.kubectl(["create", "secret", "generic", "node-secret", "--from-literal=a=b"]));
      fails(
        await node(["get", "secrets"]),
        'Error from server (Forbidden): secrets is forbidden: User "system:node:n1" cannot list resource "secrets" in API group "" in the namespace "default": No Object name found\n',
      );
      fails(
        await node(["get", "secret", "node-secret"]),
        `Error from server (Forbidden): secrets "node-secret" is forbidden: User "system:node:n1" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node 'n1' and this object\n`,
      );
      ok(
        await c.kubectl(["create", "-f", "-"], {
          input: JSON.stringify({
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "uses-secret", namespace: "default" },
            spec: {
              nodeName: "n1",
              containers: [{ name: "c", image: "x" }],
              volumes: [{ name: "s", secret: { secretName: "node-secret" } }],
            },
          }),
        }),
      );
      await eventually(async () => {
        assert.equal(
          ok(await node(["get", "secret", "node-secret", "-o", "name"])).stdout,
          "secret/node-secret\n",
        );
      });
    });

    // v1.32 turns AuthorizeNodeWithSelectors on by default (pkg/features/kube_features.go), and
    // plugin/pkg/auth/authorizer/node/node_authorizer.go authorizeNode then denies reads of other nodes.
    it("cannot read other nodes (AuthorizeNodeWithSelectors, on by default in v1.32)", async () => {
      fails(
        await node(["get", "node", "n2"]),
        `Error from server (Forbidden): nodes "n2" is forbidden: User "system:node:n1" cannot get resource "nodes" in API group "" at the cluster scope: node 'n1' cannot read 'n2', only its own Node object\n`,
      );
      fails(
        await node(["get", "nodes"]),
        `Error from server (Forbidden): nodes is forbidden: User "system:node:n1" cannot list resource "nodes" in API group "" at the cluster scope: node 'n1' cannot read all nodes, only its own Node object\n`,
      );
    });
  });

  describe("admission", () => {
    const pod = (ns: string, name: string, spec: Record<string, unknown> = {}) =>
      c.kubectl(["create", "-f", "-"], {
        input: JSON.stringify({
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name, namespace: ns },
          spec: { containers: [{ name: "c", image: "k8ts.local/busybox:latest" }], ...spec },
        }),
      });

    it("NamespaceLifecycle: system namespaces stay, terminating and missing ones take no content", async () => {
      for (const ns of ["default", "kube-system", "kube-public"]) {
        fails(
          await c.kubectl(["delete", "namespace", ns]),
          `Error from server (Forbidden): namespaces "${ns}" is forbidden: this namespace may not be deleted\n`,
        );
      }
      fails(
        await c.kubectl(["create", "configmap", "a", "-n", "nope"]),
        'error: failed to create configmap: namespaces "nope" not found\n',
      );
      ok(await c.kubectl(["create", "namespace", "term"]));
      ok(await c.kubectl(["delete", "namespace", "term", "--wait=false"]));
      fails(
        await c.kubectl(["create", "configmap", "a", "-n", "term"]),
        'error: failed to create configmap: configmaps "a" is forbidden: unable to create new content in namespace term because it is being terminated\n',
      );
    });

    it("LimitRanger: defaults requests and limits, and refuses what exceeds the max", async () => {
      ok(await c.kubectl(["create", "namespace", "lr"]));
      ok(
        await c.kubectl(["create", "-f", "-"], {
          input: `apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: lr}
spec:
  limits:
  - type: Container
    default: {cpu: 500m, memory: 256Mi}
    defaultRequest: {cpu: 100m, memory: 64Mi}
    max: {cpu: "1"}
`,
        }),
      );
      ok(await pod("lr", "p1"));
      assert.equal(
        await jsonpath("pod/p1", "{.spec.containers[0].resources}", "lr"),
        '{"limits":{"cpu":"500m","memory":"256Mi"},"requests":{"cpu":"100m","memory":"64Mi"}}',
      );
      assert.equal(
        await jsonpath("pod/p1", "{.metadata.annotations.kubernetes\\.io/limit-ranger}", "lr"),
        "LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c",
      );
      fails(
        await pod("lr", "p2", {
          containers: [{ name: "c", image: "x", resources: { limits: { cpu: "2" } } }],
        }),
        'Error from server (Forbidden): error when creating "STDIN": pods "p2" is forbidden: maximum cpu usage per Container is 1, but limit is 2\n',
      );
    });

    it("ResourceQuota: charges usage and refuses what exceeds the quota", async () => {
      ok(await c.kubectl(["create", "namespace", "rq"]));
      // The namespace holds kube-root-ca.crt (the root CA publisher's) and "first".
      ok(await c.kubectl(["create", "configmap", "first", "-n", "rq"]));
      ok(await c.kubectl(["create", "quota", "q", "-n", "rq", "--hard=pods=1,configmaps=3,requests.cpu=1"]));
      // Admission enforces status.hard, which the quota controller fills in with the usage.
      for (let i = 0; (await jsonpath("quota/q", "{.status.used.configmaps}", "rq")) !== "2"; i++) {
        assert.ok(i < 100, "the quota controller reports usage");
        await new Promise((r) => setTimeout(r, 100));
      }
      ok(await c.kubectl(["create", "configmap", "second", "-n", "rq"]));
      fails(
        await c.kubectl(["create", "configmap", "third", "-n", "rq"]),
        'error: failed to create configmap: configmaps "third" is forbidden: exceeded quota: q, requested: configmaps=1, used: configmaps=3, limited: configmaps=3\n',
      );
      fails(
        await pod("rq", "p1"),
        'Error from server (Forbidden): error when creating "STDIN": pods "p1" is forbidden: failed quota: q: must specify requests.cpu for: c\n',
      );
      const withCpu = { containers: [{ name: "c", image: "x", resources: { requests: { cpu: "500m" } } }] };
      ok(await pod("rq", "p1", withCpu));
      fails(
        await pod("rq", "p2", withCpu),
        'Error from server (Forbidden): error when creating "STDIN": pods "p2" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1\n',
      );
      assert.equal(
        await jsonpath("quota/q", "{.status.used}", "rq"),
        '{"configmaps":"3","pods":"1","requests.cpu":"500m"}',
      );
    });

    it("PodSecurity: enforce=restricted refuses, warn=baseline warns", async () => {
      ok(await c.kubectl(["create", "namespace", "ps"]));
      ok(await c.kubectl(["label", "namespace", "ps", "pod-security.kubernetes.io/enforce=restricted"]));
      fails(
        await c.kubectl(["run", "p", "-n", "ps", "--image=x"]),
        'Error from server (Forbidden): pods "p" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "p" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "p" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "p" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "p" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")\n',
      );
      let r = ok(
        await pod("ps", "good", {
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [
            {
              name: "c",
              image: "x",
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
            },
          ],
        }),
      );
      assert.equal(r.stdout, "pod/good created\n");
      assert.equal(r.stderr, "");

      ok(await c.kubectl(["create", "namespace", "pw"]));
      ok(await c.kubectl(["label", "namespace", "pw", "pod-security.kubernetes.io/warn=baseline"]));
      r = ok(await c.kubectl(["run", "p", "-n", "pw", "--image=x", "--privileged"]));
      assert.equal(r.stdout, "pod/p created\n");
      assert.equal(
        r.stderr,
        'Warning: would violate PodSecurity "baseline:latest": privileged (container "p" must not set securityContext.privileged=true)\n',
      );
      r = ok(await pod("pw", "h", { hostNetwork: true }));
      assert.equal(
        r.stderr,
        'Warning: would violate PodSecurity "baseline:latest": host namespaces (hostNetwork=true)\n',
      );
    });

    it("ServiceAccount: mounts kube-api-access; refuses pods until their service account exists", async () => {
      // The ServiceAccount controller made the default account.
      ok(await c.kubectl(["run", "sa-p", "--image=x"]));
      const spec = JSON.parse(ok(await c.kubectl(["get", "pod", "sa-p", "-o", "jsonpath={.spec}"])).stdout);
      assert.equal(spec.serviceAccountName, "default");
      assert.equal(spec.volumes.length, 1);
      const volume = spec.volumes[0];
      // upstream names it kube-api-access- plus utilrand.String(5).
      assert.match(volume.name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      assert.deepEqual(volume.projected, {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
          { configMap: { items: [{ key: "ca.crt", path: "ca.crt" }], name: "kube-root-ca.crt" } },
          {
            downwardAPI: {
              items: [{ fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" }, path: "namespace" }],
            },
          },
        ],
      });
      assert.deepEqual(spec.containers[0].volumeMounts, [
        { mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", name: volume.name, readOnly: true },
      ]);

      const robot = ["run", "sa-q", "--image=x", "--overrides", '{"spec":{"serviceAccountName":"robot"}}'];
      fails(
        await c.kubectl(robot),
        'Error from server (Forbidden): pods "sa-q" is forbidden: error looking up service account default/robot: serviceaccount "robot" not found\n',
      );
      ok(await c.kubectl(["create", "serviceaccount", "robot"]));
      ok(await c.kubectl(robot));
    });

    it("Priority, DefaultTolerationSeconds and DefaultStorageClass fill in pods and claims", async () => {
      fails(
        await pod("default", "pr", { priorityClassName: "x" }),
        'Error from server (Forbidden): error when creating "STDIN": pods "pr" is forbidden: no PriorityClass with name x was found\n',
      );
      ok(await pod("default", "critical", { priorityClassName: "system-node-critical" }));
      assert.equal(await jsonpath("pod/critical", "{.spec.priority}"), "2000001000");
      ok(await pod("default", "plain"));
      assert.equal(await jsonpath("pod/plain", "{.spec.priority}"), "0");
      assert.deepEqual(JSON.parse(await jsonpath("pod/plain", "{.spec.tolerations}")), [
        {
          effect: "NoExecute",
          key: "node.kubernetes.io/not-ready",
          operator: "Exists",
          tolerationSeconds: 300,
        },
        {
          effect: "NoExecute",
          key: "node.kubernetes.io/unreachable",
          operator: "Exists",
          tolerationSeconds: 300,
        },
      ]);
      assert.equal(await jsonpath("pod/plain", "{.spec.serviceAccountName}"), "default");

      ok(
        await c.kubectl(["create", "-f", "-"], {
          input: `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: example.com/fast
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: default}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
`,
        }),
      );
      assert.equal(await jsonpath("pvc/data", "{.spec.storageClassName}"), "fast");
    });
  });
});

/** A PKCS#10 request in PEM, made with the same library as the cluster CA. */
async function certificateRequest(subject: string): Promise<string> {
  await import("reflect-metadata");
  const x509 = await import("@peculiar/x509");
  x509.cryptoProvider.set(webcrypto as never);
  const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const keys = await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"]);
  const req = await x509.Pkcs10CertificateRequestGenerator.create({
    name: subject,
    keys,
    signingAlgorithm: alg,
  });
  return req.toString("pem");
}

describe("CertificateSigningRequests through kubectl", () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c?.stop();
  });

  it("records the requestor and takes kubectl certificate approve and deny on /approval", async () => {
    const csr = await certificateRequest("CN=alice, O=devs");
    const manifest = (name: string) => `apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata: {name: ${name}}
spec:
  request: ${Buffer.from(csr).toString("base64")}
  signerName: kubernetes.io/kube-apiserver-client
  usages: [client auth]
  username: someone-else
`;
    ok(await c.kubectl(["apply", "-f", "-"], { input: manifest("alice") }));
    ok(await c.kubectl(["apply", "-f", "-"], { input: manifest("bob") }));
    // The requestor is the authenticated user, whatever the body claimed.
    assert.equal(
      ok(await c.kubectl(["get", "csr", "alice", "-o", "jsonpath={.spec.username}"])).stdout,
      "kubernetes-admin",
    );
    assert.match(
      ok(await c.kubectl(["get", "csr", "alice", "--no-headers"])).stdout,
      /kubernetes-admin\s+<none>\s+Pending/,
    );
    assert.equal(
      ok(await c.kubectl(["certificate", "approve", "alice"])).stdout.trim(),
      "certificatesigningrequest.certificates.k8s.io/alice approved",
    );
    assert.equal(
      ok(await c.kubectl(["certificate", "deny", "bob"])).stdout.trim(),
      "certificatesigningrequest.certificates.k8s.io/bob denied",
    );
    const rows = ok(await c.kubectl(["get", "csr", "--no-headers"])).stdout;
    // The controller-manager's signer issues what was approved for the kube-apiserver-client signer.
    assert.match(rows, /^alice\s.*\sApproved(,Issued)?\n/m);
    assert.match(rows, /^bob\s.*\sDenied\n/m);
    const again = await c.kubectl(["certificate", "deny", "alice"]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /certificate signing request "alice" is already Approved/);
    const approved = JSON.parse(ok(await c.kubectl(["get", "csr", "alice", "-o", "json"])).stdout);
    const cond = approved.status.conditions[0];
    assert.equal(cond.type, "Approved");
    assert.equal(cond.reason, "KubectlApprove");
    assert.equal(cond.message, "This CSR was approved by kubectl certificate approve.");
  });
});

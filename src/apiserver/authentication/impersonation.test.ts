import assert from "node:assert/strict";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import type { Obj } from "../../api/registry.ts";
import type { Attributes, Authorizer } from "../authorization/authorizer.ts";
import { writeError } from "../http.ts";
import { impersonate } from "./impersonation.ts";
import type { UserInfo } from "./user.ts";

const alice: UserInfo = { name: "alice", groups: ["system:authenticated"] };
const checked: Attributes[] = [];
// alice may impersonate anything but the user "root" and the group "system:masters".
const authorizer: Authorizer = {
  authorize: (a) => {
    checked.push(a);
    const denied =
      (a.resource === "users" && a.name === "root") ||
      (a.resource === "groups" && a.name === "system:masters");
    return denied ? { decision: "NoOpinion", reason: "" } : { decision: "Allow", reason: "" };
  },
};

let server: Server;
let port = 0;
before(async () => {
  server = createServer(async (req, res) => {
    try {
      const user = await impersonate(req, alice, authorizer);
      res.end(
        JSON.stringify({ user, left: Object.keys(req.headers).filter((h) => h.startsWith("impersonate")) }),
      );
    } catch (e) {
      writeError(res, e);
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
after(() => server.close());

/** A request with the given headers (an array value is sent as repeated headers). */
function call(headers: Record<string, string | string[]>): Promise<{ code: number; body: Obj }> {
  checked.length = 0;
  return new Promise((resolve, reject) => {
    const req = request({ port, host: "127.0.0.1", path: "/api/v1/pods", headers }, (res) => {
      let data = "";
      res.on("data", (c) => (data += c));
      res.on("end", () => resolve({ code: res.statusCode ?? 0, body: JSON.parse(data) }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("without impersonation headers the requestor stays", async () => {
  const r = await call({});
  assert.deepEqual(r.body.user, alice);
  assert.equal(checked.length, 0);
});

test("Impersonate-User: the new user is authenticated, the headers are gone", async () => {
  const r = await call({ "Impersonate-User": "bob" });
  assert.deepEqual(r.body, { user: { name: "bob", groups: ["system:authenticated"] }, left: [] });
  assert.deepEqual(checked, [
    {
      user: alice,
      verb: "impersonate",
      isResourceRequest: true,
      path: "",
      namespace: "",
      apiGroup: "",
      apiVersion: "",
      resource: "users",
      subresource: "",
      name: "bob",
    },
  ]);
});

test("a service account user is checked as serviceaccounts in its namespace and gets its groups", async () => {
  const r = await call({ "Impersonate-User": "system:serviceaccount:kube-system:deployer" });
  assert.deepEqual(r.body.user, {
    name: "system:serviceaccount:kube-system:deployer",
    groups: ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"],
  });
  assert.deepEqual(
    [checked[0].resource, checked[0].namespace, checked[0].name],
    ["serviceaccounts", "kube-system", "deployer"],
  );
});

test("groups, extras and uid: each checked, repeated headers kept apart, extra keys unescaped", async () => {
  const r = await call({
    "Impersonate-User": "bob",
    "Impersonate-Group": ["dev,ops", "qa"],
    "Impersonate-Uid": "uid-7",
    "Impersonate-Extra-Scopes": ["view", "edit"],
    "Impersonate-Extra-Example.com%2fteam": "blue",
  });
  assert.deepEqual(r.body.user, {
    name: "bob",
    uid: "uid-7",
    groups: ["dev,ops", "qa", "system:authenticated"],
    extra: { scopes: ["view", "edit"], "example.com/team": ["blue"] },
  });
  assert.deepEqual(
    checked.map((a) => [a.apiGroup, a.apiVersion, a.resource, a.subresource, a.name]),
    [
      ["", "", "users", "", "bob"],
      ["", "", "groups", "", "dev,ops"],
      ["", "", "groups", "", "qa"],
      ["authentication.k8s.io", "v1", "userextras", "scopes", "view"],
      ["authentication.k8s.io", "v1", "userextras", "scopes", "edit"],
      ["authentication.k8s.io", "v1", "userextras", "example.com/team", "blue"],
      ["authentication.k8s.io", "v1", "uids", "", "uid-7"],
    ],
  );
});

test("naming system:authenticated or system:unauthenticated among the groups is the caller's choice", async () => {
  const r = await call({ "Impersonate-User": "bob", "Impersonate-Group": "system:unauthenticated" });
  assert.deepEqual(r.body.user.groups, ["system:unauthenticated"]);
  const anon = await call({ "Impersonate-User": "system:anonymous" });
  assert.deepEqual(anon.body.user, { name: "system:anonymous", groups: ["system:unauthenticated"] });
});

test("a refused part is 403 worded as upstream's responsewriters.Forbidden", async () => {
  const r = await call({ "Impersonate-User": "root" });
  assert.equal(r.code, 403);
  assert.equal(r.body.reason, "Forbidden");
  assert.equal(
    r.body.message,
    'users "root" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope',
  );
  assert.deepEqual(r.body.details, { name: "root", kind: "users" });
  const g = await call({ "Impersonate-User": "bob", "Impersonate-Group": "system:masters" });
  assert.equal(
    g.body.message,
    'groups "system:masters" is forbidden: User "alice" cannot impersonate resource "groups" in API group "" at the cluster scope',
  );
});

test("groups, extras or uid without a user: upstream's internal error", async () => {
  const r = await call({ "Impersonate-Group": "devs", "Impersonate-Uid": "u1" });
  assert.equal(r.code, 500);
  assert.equal(
    r.body.message,
    'Internal Server Error: "/api/v1/pods": requested [{Group  devs    } {UID  u1  authentication.k8s.io/v1  }] without impersonating a user',
  );
});

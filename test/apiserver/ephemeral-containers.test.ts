// The pods/ephemeralcontainers subresource, as `kubectl debug` (1.32) uses it:
// a strategic merge patch that adds to spec.ephemeralContainers. Only that
// list changes there; what is added is defaulted and validated; what was added
// stays as it is. And a subresource the server does not serve answers the 404
// kubectl expects, with details, which kubectl debug reads.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../src/client/resources.ts";
import { RestClient } from "../../src/client/rest-client.ts";
import { startTestApiServer, type TestApiServer } from "../support/apiserver.ts";
import { refused } from "../support/refused.ts";

let api: TestApiServer;
let client: RestClient;
before(async () => {
  api = await startTestApiServer();
  client = new RestClient(api.admin);
});
after(async () => {
  client.close();
  await api.stop();
});

const IMAGE = "k8ts.local/busybox:latest";
const debugger_ = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  image: IMAGE,
  command: ["sh"],
  stdin: true,
  tty: true,
  targetContainerName: "main",
  terminationMessagePolicy: "File",
  ...extra,
});

async function createPod(name: string, labels: Record<string, string> = { app: name }): Promise<Pod> {
  return client.create<Pod>(Resources.pods, {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels },
    spec: { containers: [{ name: "main", image: IMAGE }] },
  });
}

const patchEphemeral = (name: string, patch: unknown) =>
  client.patch<Pod>(Resources.pods, name, patch, {
    namespace: "default",
    type: "strategic",
    subresource: "ephemeralcontainers",
  });

test("kubectl debug's patch adds a defaulted ephemeral container and changes nothing else", async () => {
  const pod = await createPod("debugged");
  const patched = await patchEphemeral("debugged", {
    metadata: { labels: { app: "changed", extra: "x" } },
    spec: {
      ephemeralContainers: [debugger_("debugger-abcde")],
      containers: [{ name: "main", image: "other:1" }],
      activeDeadlineSeconds: 5,
    },
  });
  const added = patched.spec?.ephemeralContainers ?? [];
  assert.equal(added.length, 1);
  assert.equal(added[0].name, "debugger-abcde");
  assert.equal(added[0].targetContainerName, "main");
  // Defaulted as any container is: an image tagged latest is always pulled.
  assert.equal(added[0].imagePullPolicy, "Always");
  assert.equal(added[0].terminationMessagePath, "/dev/termination-log");
  // Everything else stays as stored.
  assert.deepEqual(patched.metadata?.labels, { app: "debugged" });
  assert.equal(patched.spec?.containers[0].image, IMAGE);
  assert.equal(patched.spec?.activeDeadlineSeconds, undefined);
  assert.notEqual(patched.metadata?.resourceVersion, pod.metadata?.resourceVersion);

  // GET on the subresource answers the pod.
  const got = await client.get<Pod>(Resources.pods, "debugged", {
    namespace: "default",
    subresource: "ephemeralcontainers",
  });
  assert.equal(got.spec?.ephemeralContainers?.[0].name, "debugger-abcde");

  // The manager owns the ephemeral container, and nothing the write could not change.
  const entry = patched.metadata?.managedFields?.find((m) => m.subresource === "ephemeralcontainers");
  assert.ok(entry, JSON.stringify(patched.metadata?.managedFields));
  const owned = entry.fieldsV1 as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(owned), ["f:spec"]);
  assert.deepEqual(Object.keys(owned["f:spec"]), ["f:ephemeralContainers"]);

  // A second one is added beside the first.
  const twice = await patchEphemeral("debugged", {
    spec: { ephemeralContainers: [debugger_("second", { targetContainerName: undefined })] },
  });
  assert.deepEqual(
    twice.spec?.ephemeralContainers?.map((c) => c.name),
    ["debugger-abcde", "second"],
  );
});

test("an ephemeral container once added can be neither changed nor removed", async () => {
  await createPod("fixed");
  await patchEphemeral("fixed", { spec: { ephemeralContainers: [debugger_("dbg")] } });

  const changed = await refused(
    patchEphemeral("fixed", {
      spec: { ephemeralContainers: [{ name: "dbg", image: "busybox:2" }] },
    }),
  );
  assert.equal(changed.code, 422);
  assert.match(
    changed.message,
    /spec\.ephemeralContainers: Forbidden: existing ephemeral containers "dbg" may not be changed/,
  );

  const removed = await refused(
    client.patch<Pod>(Resources.pods, "fixed", [{ op: "remove", path: "/spec/ephemeralContainers/0" }], {
      namespace: "default",
      type: "json",
      subresource: "ephemeralcontainers",
    }),
  );
  assert.equal(removed.code, 422);
  assert.match(removed.message, /existing ephemeral containers "dbg" may not be removed/);
  const pod = await client.get<Pod>(Resources.pods, "fixed", { namespace: "default" });
  assert.deepEqual(
    pod.spec?.ephemeralContainers?.map((c) => c.image),
    [IMAGE],
  );
});

test("what an ephemeral container may not have is refused with upstream's causes", async () => {
  await createPod("strict");
  const e = await refused(
    patchEphemeral("strict", {
      spec: {
        ephemeralContainers: [
          debugger_("main"),
          debugger_("ports", { ports: [{ containerPort: 80 }] }),
          debugger_("nowhere", { targetContainerName: "missing" }),
        ],
      },
    }),
  );
  assert.equal(e.code, 422);
  assert.equal(e.reason, "Invalid");
  const causes = (e.details?.causes ?? []).map((c) => `${c.field}: ${c.reason}`);
  assert.ok(causes.includes("spec.ephemeralContainers[0].name: FieldValueDuplicate"), causes.join("\n"));
  assert.ok(causes.includes("spec.ephemeralContainers[1].ports: FieldValueForbidden"), causes.join("\n"));
  assert.ok(
    causes.includes("spec.ephemeralContainers[2].targetContainerName: FieldValueNotFound"),
    causes.join("\n"),
  );
  const pod = await client.get<Pod>(Resources.pods, "strict", { namespace: "default" });
  assert.equal(pod.spec?.ephemeralContainers, undefined);
});

test("a static pod's mirror takes no ephemeral containers", async () => {
  await client.create<Pod>(Resources.pods, {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "mirror", namespace: "default", annotations: { "kubernetes.io/config.mirror": "x" } },
    spec: { containers: [{ name: "main", image: IMAGE }], nodeName: "node-a" },
  });
  const e = await refused(patchEphemeral("mirror", { spec: { ephemeralContainers: [debugger_("dbg")] } }));
  assert.equal(e.code, 422);
  assert.match(e.message, /static pods do not support ephemeral containers/);
});

test("a subresource the server does not have is a 404 with details, as kubectl debug expects", async () => {
  await createPod("plain");
  const e = await refused(client.get(Resources.pods, "plain", { namespace: "default", subresource: "nope" }));
  assert.equal(e.code, 404);
  assert.equal(e.reason, "NotFound");
  assert.deepEqual(e.details, {});
});

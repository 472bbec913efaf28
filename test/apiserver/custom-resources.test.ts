// CustomResourceDefinitions through the real HTTP API: a CRD's names are
// accepted and it is established, then its versions are served (discovery,
// CRUD, watch, Table columns, status and scale subresources, schema pruning,
// defaulting and validation), and deleting it deletes its objects first.
import assert from "node:assert/strict";
import { createServer, request } from "node:https";
import { describe, it } from "node:test";
import { apiCall } from "../support/api-call.ts";
import { apiServerForFile } from "../support/apiserver.ts";
import { freePort } from "../support/ports.ts";
import { until } from "../support/until.ts";

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies
type Obj = Record<string, any>;

const server = apiServerForFile("custom-resources");

/** The first `n` events of a watch (it ends after 5 s at the latest). */
function watchEvents(path: string, n: number): Promise<Obj[]> {
  const events: Obj[] = [];
  const { url, ca, cert, key } = server.admin;
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}&timeoutSeconds=5`, { ca, cert, key }, (res) => {
      let buf = "";
      res.on("data", (c: Buffer) => {
        buf += c.toString();
        for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
          events.push(JSON.parse(buf.slice(0, i)));
          buf = buf.slice(i + 1);
        }
        if (events.length >= n) {
          req.destroy();
          resolve(events);
        }
      });
      res.on("end", () => resolve(events));
    });
    req.on("error", (e) => (events.length >= n ? resolve(events) : reject(e)));
    req.end();
  });
}

const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  apiCall(server.admin, method, path, body, headers);

const GROUP = "stable.example.com";
const CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
const CRONTABS = `/apis/${GROUP}/v1/namespaces/default/crontabs`;

function cronTabCRD(): Obj {
  const schema = {
    type: "object",
    properties: {
      spec: {
        type: "object",
        properties: {
          cronSpec: { type: "string", pattern: "^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$" },
          image: { type: "string" },
          replicas: { type: "integer", minimum: 1, maximum: 10, default: 1 },
          mode: { type: "string", enum: ["fast", "slow"] },
        },
        required: ["cronSpec"],
      },
      status: {
        type: "object",
        properties: {
          replicas: { type: "integer" },
          labelSelector: { type: "string" },
          state: { type: "string" },
        },
      },
    },
  };
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `crontabs.${GROUP}` },
    spec: {
      group: GROUP,
      scope: "Namespaced",
      names: {
        plural: "crontabs",
        singular: "crontab",
        kind: "CronTab",
        shortNames: ["ct"],
        categories: ["all"],
      },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          schema: { openAPIV3Schema: schema },
          subresources: {
            status: {},
            scale: {
              specReplicasPath: ".spec.replicas",
              statusReplicasPath: ".status.replicas",
              labelSelectorPath: ".status.labelSelector",
            },
          },
          additionalPrinterColumns: [
            { name: "Spec", type: "string", jsonPath: ".spec.cronSpec" },
            { name: "Replicas", type: "integer", jsonPath: ".spec.replicas" },
            { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
          ],
        },
        {
          name: "v1beta1",
          served: true,
          storage: false,
          deprecated: true,
          schema: { openAPIV3Schema: schema },
        },
      ],
    },
  };
}

function cronTab(name: string, spec: Obj = { cronSpec: "* * * * */5", image: "busybox" }): Obj {
  return { apiVersion: `${GROUP}/v1`, kind: "CronTab", metadata: { name }, spec };
}

async function established(name: string): Promise<Obj> {
  return until(async () => {
    const r = await call("GET", `${CRD_PATH}/${name}`);
    const cond = (r.body.status?.conditions ?? []).find((c: Obj) => c.type === "Established");
    return cond?.status === "True" ? r.body : undefined;
  }, `CRD ${name} established`);
}

describe("CustomResourceDefinitions", () => {
  it("accepts the names, establishes the CRD and records its storage version", async () => {
    const r = await call("POST", CRD_PATH, cronTabCRD());
    assert.equal(r.code, 201, r.text);
    assert.deepEqual(r.body.status.storedVersions, ["v1"]);
    assert.equal(r.body.metadata.generation, 1);
    const crd = await established(`crontabs.${GROUP}`);
    assert.deepEqual(crd.status.acceptedNames, {
      plural: "crontabs",
      singular: "crontab",
      shortNames: ["ct"],
      kind: "CronTab",
      listKind: "CronTabList",
      categories: ["all"],
    });
    const names = crd.status.conditions.find((c: Obj) => c.type === "NamesAccepted");
    assert.equal(names.status, "True");
    assert.equal(names.reason, "NoConflicts");
    assert.equal(names.message, "no conflicts found");
    // Defaults: the conversion strategy.
    assert.equal(crd.spec.conversion.strategy, "None");
  });

  it("lists the custom resource in discovery", async () => {
    const groups = await call("GET", "/apis");
    const g = groups.body.groups.find((x: Obj) => x.name === GROUP);
    assert.deepEqual(g?.versions, [
      { groupVersion: `${GROUP}/v1`, version: "v1" },
      { groupVersion: `${GROUP}/v1beta1`, version: "v1beta1" },
    ]);
    assert.deepEqual(g.preferredVersion, { groupVersion: `${GROUP}/v1`, version: "v1" });
    const list = await call("GET", `/apis/${GROUP}/v1`);
    assert.equal(list.code, 200);
    const res = list.body.resources.find((x: Obj) => x.name === "crontabs");
    assert.equal(res.kind, "CronTab");
    assert.equal(res.namespaced, true);
    assert.deepEqual(res.shortNames, ["ct"]);
    assert.deepEqual(res.categories, ["all"]);
    assert.deepEqual(res.verbs, [
      "delete",
      "deletecollection",
      "get",
      "list",
      "patch",
      "create",
      "update",
      "watch",
    ]);
    assert.ok(list.body.resources.some((x: Obj) => x.name === "crontabs/status"));
    const scale = list.body.resources.find((x: Obj) => x.name === "crontabs/scale");
    assert.equal(scale.group, "autoscaling");
    const agg = await call("GET", "/apis", undefined, {
      accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
    });
    const ag = agg.body.items.find((x: Obj) => x.metadata.name === GROUP);
    assert.equal(ag.versions[0].resources[0].resource, "crontabs");
    // Custom groups come after every built-in one.
    assert.equal(agg.body.items[agg.body.items.length - 1].metadata.name, GROUP);
  });

  it("creates, defaults, reads and lists custom resources; a served version converts", async () => {
    const r = await call("POST", CRONTABS, cronTab("a", { cronSpec: "* * * * */5", image: "busybox" }));
    assert.equal(r.code, 201, r.text);
    assert.equal(r.body.spec.replicas, 1, "the schema's default");
    assert.equal(r.body.metadata.generation, 1);
    const got = await call("GET", `${CRONTABS}/a`);
    assert.equal(got.body.apiVersion, `${GROUP}/v1`);
    assert.equal(got.body.spec.cronSpec, "* * * * */5");
    const beta = await call("GET", `/apis/${GROUP}/v1beta1/namespaces/default/crontabs/a`);
    assert.equal(beta.code, 200);
    assert.equal(beta.body.apiVersion, `${GROUP}/v1beta1`);
    assert.match(String(beta.headers.warning), /stable\.example\.com\/v1beta1 CronTab is deprecated/);
    const list = await call("GET", CRONTABS);
    assert.equal(list.body.kind, "CronTabList");
    assert.deepEqual(
      list.body.items.map((o: Obj) => o.metadata.name),
      ["a"],
    );
    const all = await call("GET", `/apis/${GROUP}/v1/crontabs`);
    assert.equal(all.body.items.length, 1);
  });

  it("gives objects read from the store the defaults their CRD gained since they were written", async () => {
    const crdNow = (await call("GET", `${CRD_PATH}/crontabs.${GROUP}`)).body;
    const spec = crdNow.spec.versions[0].schema.openAPIV3Schema.properties.spec;
    spec.properties.timezone = { type: "string", default: "UTC" };
    const put = await call("PUT", `${CRD_PATH}/crontabs.${GROUP}`, crdNow);
    assert.equal(put.code, 200, put.text);
    const got = await until(async () => {
      const r = await call("GET", `${CRONTABS}/a`);
      return r.body.spec?.timezone ? r.body : undefined;
    }, "the new default on a stored object");
    assert.equal(got.spec.timezone, "UTC");
  });

  it("refuses objects the schema does not allow, with upstream's messages", async () => {
    const bad = await call(
      "POST",
      CRONTABS,
      cronTab("bad", { cronSpec: "nope", replicas: 15, mode: "medium" }),
    );
    assert.equal(bad.code, 422, bad.text);
    assert.equal(bad.body.reason, "Invalid");
    const messages = bad.body.details.causes.map((c: Obj) => `${c.field}: ${c.message}`);
    assert.ok(
      messages.some((m: string) =>
        m.startsWith(
          "spec.replicas: Invalid value: 15: spec.replicas in body should be less than or equal to 10",
        ),
      ),
      messages.join("\n"),
    );
    assert.ok(
      messages.some((m: string) =>
        m.includes('spec.mode: Unsupported value: "medium": supported values: "fast", "slow"'),
      ),
      messages.join("\n"),
    );
    const missing = await call("POST", CRONTABS, cronTab("missing", { image: "x" }));
    assert.equal(missing.code, 422);
    assert.match(missing.body.message, /spec\.cronSpec: Required value/);
    const typed = await call("POST", CRONTABS, cronTab("typed", { cronSpec: 5 }));
    assert.equal(typed.code, 422);
    assert.match(
      typed.body.message,
      /spec\.cronSpec: Invalid value: "integer": spec\.cronSpec in body must be of type string: "integer"/,
    );
  });

  it("prunes unknown fields: 400 when strict, a warning when asked, silently otherwise", async () => {
    const obj = cronTab("pruned", { cronSpec: "* * * * *", extra: "x" });
    const strict = await call("POST", `${CRONTABS}?fieldValidation=Strict`, obj);
    assert.equal(strict.code, 400, strict.text);
    assert.match(strict.body.message, /strict decoding error: unknown field "spec\.extra"/);
    const warn = await call("POST", `${CRONTABS}?fieldValidation=Warn`, obj);
    assert.equal(warn.code, 201, warn.text);
    assert.match(String(warn.headers.warning), /unknown field \\"spec\.extra\\"/);
    assert.equal(warn.body.spec.extra, undefined);
    await call("DELETE", `${CRONTABS}/pruned`);
    const ignore = await call("POST", `${CRONTABS}?fieldValidation=Ignore`, obj);
    assert.equal(ignore.code, 201);
    assert.equal(ignore.body.spec.extra, undefined);
  });

  it("keeps status to /status and counts generations of everything else", async () => {
    const created = await call("POST", CRONTABS, { ...cronTab("st"), status: { state: "ignored" } });
    assert.equal(created.body.status, undefined, "create drops status");
    const put = await call("PUT", `${CRONTABS}/st`, {
      ...created.body,
      spec: { ...created.body.spec, image: "nginx" },
      status: { state: "ignored" },
    });
    assert.equal(put.code, 200, put.text);
    assert.equal(put.body.status, undefined);
    assert.equal(put.body.metadata.generation, 2);
    const status = await call("PUT", `${CRONTABS}/st/status`, {
      ...put.body,
      spec: { ...put.body.spec, image: "ignored" },
      status: { state: "running", replicas: 3 },
    });
    assert.equal(status.code, 200, status.text);
    assert.equal(status.body.status.state, "running");
    assert.equal(status.body.spec.image, "nginx");
    assert.equal(status.body.metadata.generation, 2);
    const labelled = await call(
      "PATCH",
      `${CRONTABS}/st`,
      { metadata: { labels: { a: "b" } } },
      { "content-type": "application/merge-patch+json" },
    );
    assert.equal(labelled.code, 200, labelled.text);
    assert.equal(labelled.body.metadata.generation, 2, "metadata changes keep the generation");
    // Upstream's customResourceStrategy wants the version an update replaces.
    const { resourceVersion: _rv, ...meta } = labelled.body.metadata;
    const unconditional = await call("PUT", `${CRONTABS}/st`, { ...labelled.body, metadata: meta });
    assert.equal(unconditional.code, 422);
    assert.match(
      unconditional.body.message,
      /metadata\.resourceVersion: Invalid value: 0x0: must be specified for an update/,
    );
  });

  it("serves the scale subresource from the CRD's paths", async () => {
    await call(
      "PATCH",
      `${CRONTABS}/st/status`,
      { status: { replicas: 2, labelSelector: "app=cron" } },
      { "content-type": "application/merge-patch+json" },
    );
    const scale = await call("GET", `${CRONTABS}/st/scale`);
    assert.equal(scale.code, 200, scale.text);
    assert.equal(scale.body.kind, "Scale");
    assert.equal(scale.body.spec.replicas, 1);
    assert.deepEqual(scale.body.status, { replicas: 2, selector: "app=cron" });
    const put = await call("PUT", `${CRONTABS}/st/scale`, { ...scale.body, spec: { replicas: 4 } });
    assert.equal(put.code, 200, put.text);
    assert.equal((await call("GET", `${CRONTABS}/st`)).body.spec.replicas, 4);
    const tooMany = await call(
      "PATCH",
      `${CRONTABS}/st/scale`,
      { spec: { replicas: 11 } },
      { "content-type": "application/merge-patch+json" },
    );
    assert.equal(tooMany.code, 422, tooMany.text);
  });

  it("prints the CRD's columns in Tables", async () => {
    const t = await call("GET", CRONTABS, undefined, {
      accept: "application/json;as=Table;v=v1;g=meta.k8s.io",
    });
    assert.equal(t.body.kind, "Table");
    assert.deepEqual(
      t.body.columnDefinitions.map((c: Obj) => c.name),
      ["Name", "Spec", "Replicas", "Age"],
    );
    const row = t.body.rows.find((r: Obj) => r.cells[0] === "a");
    assert.equal(row.cells[1], "* * * * */5");
    assert.equal(row.cells[2], 1);
    assert.match(row.cells[3], /^\d+s$/);
    assert.equal(row.object.kind, "PartialObjectMetadata");
  });

  it("refuses strategic merge patches and takes merge and JSON patches", async () => {
    const smp = await call(
      "PATCH",
      `${CRONTABS}/a`,
      { spec: { image: "x" } },
      { "content-type": "application/strategic-merge-patch+json" },
    );
    assert.equal(smp.code, 415);
    assert.equal(
      smp.body.message,
      "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
    );
    const json = await call(
      "PATCH",
      `${CRONTABS}/a`,
      [{ op: "replace", path: "/spec/image", value: "nginx" }],
      {
        "content-type": "application/json-patch+json",
      },
    );
    assert.equal(json.code, 200, json.text);
    assert.equal(json.body.spec.image, "nginx");
    const unknown = await call(
      "PATCH",
      `${CRONTABS}/a?fieldValidation=Strict`,
      { spec: { bogus: 1 } },
      { "content-type": "application/merge-patch+json" },
    );
    assert.equal(unknown.code, 400);
    assert.match(unknown.body.message, /unknown field "spec\.bogus"/);
  });

  it("applies server-side", async () => {
    const yaml = `apiVersion: ${GROUP}/v1\nkind: CronTab\nmetadata:\n  name: ssa\nspec:\n  cronSpec: "*/2 * * * *"\n`;
    const r = await call("PATCH", `${CRONTABS}/ssa?fieldManager=test`, yaml, {
      "content-type": "application/apply-patch+yaml",
    });
    assert.equal(r.code, 201, r.text);
    assert.equal(r.body.spec.cronSpec, "*/2 * * * *");
    assert.equal(r.body.metadata.managedFields[0].manager, "test");
  });

  it("refuses a second CRD whose names another holds", async () => {
    const other = cronTabCRD();
    other.metadata.name = `othertabs.${GROUP}`;
    other.spec.names = { plural: "othertabs", kind: "CronTab" };
    other.spec.versions = [other.spec.versions[0]];
    delete other.spec.versions[0].subresources;
    const r = await call("POST", CRD_PATH, other);
    assert.equal(r.code, 201, r.text);
    const crd = await until(async () => {
      const g = await call("GET", `${CRD_PATH}/othertabs.${GROUP}`);
      const c = (g.body.status?.conditions ?? []).find((x: Obj) => x.type === "NamesAccepted");
      return c ? g.body : undefined;
    }, "names condition");
    const names = crd.status.conditions.find((c: Obj) => c.type === "NamesAccepted");
    assert.equal(names.status, "False");
    // Kind and list kind are both taken; upstream reports the last name it checks.
    assert.equal(names.reason, "ListKindConflict");
    assert.equal(names.message, '"CronTabList" is already in use');
    const est = crd.status.conditions.find((c: Obj) => c.type === "Established");
    assert.equal(est.status, "False");
    assert.equal((await call("GET", `/apis/${GROUP}/v1/namespaces/default/othertabs`)).code, 404);
    assert.equal((await call("DELETE", `${CRD_PATH}/othertabs.${GROUP}`)).code, 200);

    // Names a CRD gives up go to the one that waited for them.
    const named = (plural: string, kind: string): Obj => {
      const c = cronTabCRD();
      c.metadata.name = `${plural}.${GROUP}`;
      c.spec.names = { plural, kind };
      c.spec.versions = [{ ...c.spec.versions[0], subresources: undefined }];
      return c;
    };
    assert.equal((await call("POST", CRD_PATH, named("firsts", "Gizmo"))).code, 201);
    await established(`firsts.${GROUP}`);
    assert.equal((await call("POST", CRD_PATH, named("seconds", "Gizmo"))).code, 201);
    await until(async () => {
      const c = (await call("GET", `${CRD_PATH}/seconds.${GROUP}`)).body.status?.conditions;
      return c?.find((x: Obj) => x.type === "NamesAccepted")?.reason === "ListKindConflict";
    }, "the second CRD waiting for its names");
    assert.equal((await call("DELETE", `${CRD_PATH}/firsts.${GROUP}`)).code, 200);
    await established(`seconds.${GROUP}`);
    assert.equal((await call("GET", `/apis/${GROUP}/v1/namespaces/default/seconds`)).code, 200);
    assert.equal((await call("DELETE", `${CRD_PATH}/seconds.${GROUP}`)).code, 200);
    await until(
      async () => (await call("GET", `/apis/${GROUP}/v1/namespaces/default/seconds`)).code === 404,
      "the second CRD gone",
    );
  });

  it("publishes the served versions' OpenAPI v3 documents", async () => {
    const discovery = await call("GET", "/openapi/v3");
    const entry = discovery.body.paths[`apis/${GROUP}/v1`];
    assert.ok(entry, Object.keys(discovery.body.paths).join(" "));
    const doc = await call("GET", entry.serverRelativeURL);
    assert.equal(doc.code, 200, doc.text);
    const def = doc.body.components.schemas["com.example.stable.v1.CronTab"];
    assert.deepEqual(def["x-kubernetes-group-version-kind"], [
      { group: GROUP, kind: "CronTab", version: "v1" },
    ]);
    assert.equal(def.properties.spec.properties.replicas.maximum, 10);
    assert.deepEqual(def.properties.metadata.allOf, [
      { $ref: "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" },
    ]);
    assert.ok(doc.body.components.schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]);
    const patch = doc.body.paths[`/apis/${GROUP}/v1/namespaces/{namespace}/crontabs/{name}`].patch;
    assert.equal(patch.operationId, "patchStableExampleComV1NamespacedCronTab");
    // kubectl sends fieldValidation=Strict where the PATCH declares it, and merge patches where it takes no SMP.
    assert.ok(patch.parameters.some((p: Obj) => p.name === "fieldValidation" && p.in === "query"));
    assert.deepEqual(Object.keys(patch.requestBody.content), [
      "application/json-patch+json",
      "application/merge-patch+json",
      "application/apply-patch+yaml",
    ]);
    assert.deepEqual(patch["x-kubernetes-group-version-kind"], {
      group: GROUP,
      kind: "CronTab",
      version: "v1",
    });
    const scale = doc.body.paths[`/apis/${GROUP}/v1/namespaces/{namespace}/crontabs/{name}/scale`].get;
    assert.equal(scale["x-kubernetes-group-version-kind"].kind, "Scale");
    assert.ok(doc.body.paths[`/apis/${GROUP}/v1/crontabs`].get);
  });

  it("converts through the CRD's webhook between versions, and selects by selectableFields", async () => {
    // The webhook renames v2's spec.color to v1's spec.colour and back; a "poison" object fails.
    const reviews: Obj[] = [];
    const serving = await server.api.pki.ca.issueServing("webhook", ["127.0.0.1"]);
    const webhook = createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c;
      });
      req.on("end", () => {
        const review = JSON.parse(body);
        reviews.push(review.request);
        const to: string = review.request.desiredAPIVersion;
        const poisoned = review.request.objects.some((o: Obj) => o.metadata?.name === "poison");
        const convertedObjects = review.request.objects.map((o: Obj) => {
          const { color, colour, ...rest } = o.spec ?? {};
          const value = color ?? colour;
          const spec = to.endsWith("/v1") ? { ...rest, colour: value } : { ...rest, color: value };
          return { ...o, apiVersion: to, spec };
        });
        res.setHeader("content-type", "application/json");
        res.end(
          JSON.stringify({
            apiVersion: "apiextensions.k8s.io/v1",
            kind: "ConversionReview",
            response: poisoned
              ? {
                  uid: review.request.uid,
                  result: { status: "Failure", message: "poison cannot be converted" },
                }
              : { uid: review.request.uid, convertedObjects, result: { status: "Success" } },
          }),
        );
      });
    });
    const port = await freePort();
    await new Promise<void>((r) => webhook.listen(port, "127.0.0.1", r));
    try {
      const version = (name: string, field: string) => ({
        name,
        served: true,
        storage: name === "v2",
        selectableFields: [{ jsonPath: `.spec.${field}` }],
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: { type: "object", properties: { [field]: { type: "string" } } },
              status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
            },
          },
        },
      });
      const crd: Obj = {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: "gadgets.extra.example.com" },
        spec: {
          group: "extra.example.com",
          scope: "Cluster",
          names: { plural: "gadgets", kind: "Gadget" },
          conversion: {
            strategy: "Webhook",
            webhook: {
              clientConfig: {
                url: `https://127.0.0.1:${port}/convert`,
                caBundle: Buffer.from(server.api.pki.caCert).toString("base64"),
              },
              conversionReviewVersions: ["v1"],
            },
          },
          versions: [version("v2", "color"), version("v1", "colour")],
        },
      };
      const r = await call("POST", CRD_PATH, crd);
      assert.equal(r.code, 201, r.text);
      await established("gadgets.extra.example.com");
      const v2 = "/apis/extra.example.com/v2/gadgets";
      const v1 = "/apis/extra.example.com/v1/gadgets";
      const created = await call("POST", v2, {
        apiVersion: "extra.example.com/v2",
        kind: "Gadget",
        metadata: { name: "g1" },
        spec: { color: "red" },
      });
      assert.equal(created.code, 201, created.text);
      assert.equal(reviews.length, 0, "the storage version needs no conversion");
      // Written as v1: stored as v2.
      const viaV1 = await call("POST", v1, {
        apiVersion: "extra.example.com/v1",
        kind: "Gadget",
        metadata: { name: "g2" },
        spec: { colour: "blue" },
      });
      assert.equal(viaV1.code, 201, viaV1.text);
      assert.deepEqual(
        [viaV1.body.apiVersion, viaV1.body.spec],
        ["extra.example.com/v1", { colour: "blue" }],
      );
      assert.deepEqual((await call("GET", `${v2}/g2`)).body.spec, { color: "blue" });
      assert.deepEqual(reviews.at(-1)?.desiredAPIVersion, "extra.example.com/v1");
      // Read as v1: one review for a list.
      const before = reviews.length;
      const list = await call("GET", v1);
      assert.equal(list.code, 200, list.text);
      assert.equal(list.body.apiVersion, "extra.example.com/v1");
      assert.deepEqual(
        list.body.items.map((o: Obj) => [o.apiVersion, o.metadata.name, o.spec.colour]),
        [
          ["extra.example.com/v1", "g1", "red"],
          ["extra.example.com/v1", "g2", "blue"],
        ],
      );
      assert.equal(reviews.length, before + 1);
      assert.equal(reviews.at(-1)?.objects.length, 2);
      // Watched as v1: each batch's objects converted.
      const rv = (await call("GET", v2)).body.metadata.resourceVersion;
      const events = watchEvents(`${v1}?watch=true&resourceVersion=${rv}`, 1);
      await new Promise((r) => setTimeout(r, 200));
      await call("POST", v2, {
        apiVersion: "extra.example.com/v2",
        kind: "Gadget",
        metadata: { name: "g3" },
        spec: { color: "white" },
      });
      assert.deepEqual(
        (await events).map((e) => [
          e.type,
          e.object.apiVersion,
          e.object.metadata.name,
          e.object.spec.colour,
        ]),
        [["ADDED", "extra.example.com/v1", "g3", "white"]],
      );
      // A merge patch of the v1 view.
      const patched = await call(
        "PATCH",
        `${v1}/g1`,
        { spec: { colour: "green" } },
        { "content-type": "application/merge-patch+json" },
      );
      assert.equal(patched.code, 200, patched.text);
      assert.equal(patched.body.spec.colour, "green");
      assert.deepEqual((await call("GET", `${v2}/g1`)).body.spec, { color: "green" });
      const red = await call("GET", `${v2}?fieldSelector=spec.color%3Dblue`);
      assert.deepEqual(
        red.body.items.map((o: Obj) => o.metadata.name),
        ["g2"],
      );
      // Status and server-side apply through v1, too.
      const status = await call(
        "PATCH",
        `${v1}/g1/status`,
        { status: { phase: "lit" } },
        { "content-type": "application/merge-patch+json" },
      );
      assert.equal(status.code, 200, status.text);
      assert.deepEqual(
        [status.body.apiVersion, status.body.status],
        ["extra.example.com/v1", { phase: "lit" }],
      );
      assert.equal((await call("GET", `${v2}/g1`)).body.status.phase, "lit");
      const applied = await call(
        "PATCH",
        `${v1}/g4?fieldManager=test`,
        "apiVersion: extra.example.com/v1\nkind: Gadget\nmetadata:\n  name: g4\nspec:\n  colour: black\n",
        { "content-type": "application/apply-patch+yaml" },
      );
      assert.equal(applied.code, 201, applied.text);
      assert.deepEqual(
        [applied.body.apiVersion, applied.body.spec],
        ["extra.example.com/v1", { colour: "black" }],
      );
      assert.deepEqual((await call("GET", `${v2}/g4`)).body.spec, { color: "black" });
      // What the webhook refuses fails with upstream's wording.
      await call("POST", v2, {
        apiVersion: "extra.example.com/v2",
        kind: "Gadget",
        metadata: { name: "poison" },
        spec: { color: "x" },
      });
      const failed = await call("GET", `${v1}/poison`);
      assert.equal(failed.code, 500);
      assert.equal(
        failed.body.message,
        "Internal error occurred: conversion webhook for extra.example.com/v2, Kind=Gadget failed: poison cannot be converted",
      );
      assert.equal((await call("DELETE", `${v1}/g2`)).code, 200);
      assert.equal((await call("GET", `${v2}/g2`)).code, 404);
    } finally {
      assert.equal((await call("DELETE", `${CRD_PATH}/gadgets.extra.example.com`)).code, 200);
      webhook.close();
    }
  });

  it("watches custom resources", async () => {
    const list = await call("GET", CRONTABS);
    const events = watchEvents(
      `${CRONTABS}?watch=true&resourceVersion=${list.body.metadata.resourceVersion}`,
      2,
    );
    await new Promise((r) => setTimeout(r, 200));
    await call("POST", CRONTABS, cronTab("watched"));
    await call("DELETE", `${CRONTABS}/watched`);
    assert.deepEqual(
      (await events).map((e) => `${e.type} ${e.object.kind} ${e.object.metadata.name}`),
      ["ADDED CronTab watched", "DELETED CronTab watched"],
    );
  });

  it("deleting the CRD deletes its objects first, refusing creates meanwhile", async () => {
    const held = await call("POST", CRONTABS, {
      ...cronTab("held"),
      metadata: { name: "held", finalizers: ["example.com/hold"] },
    });
    assert.equal(held.code, 201, held.text);
    const del = await call("DELETE", `${CRD_PATH}/crontabs.${GROUP}`);
    assert.equal(del.code, 200, del.text);
    assert.ok(del.body.metadata.deletionTimestamp);
    assert.ok(del.body.metadata.finalizers.includes("customresourcecleanup.apiextensions.k8s.io"));
    // The held object keeps the CRD terminating; creates are refused, reads still work.
    await until(async () => {
      const c = (await call("GET", `${CRD_PATH}/crontabs.${GROUP}`)).body.status?.conditions?.find(
        (x: Obj) => x.type === "Terminating",
      );
      return c?.reason === "InstanceDeletionCheck";
    }, "the finalizer waiting for the held object");
    const create = await call("POST", CRONTABS, cronTab("late"));
    assert.equal(create.code, 405, create.text);
    assert.equal(create.body.message, "create not allowed while custom resource definition is terminating");
    assert.equal((await call("GET", `${CRONTABS}/held`)).code, 200);
    assert.equal((await call("GET", `${CRONTABS}/a`)).code, 404, "the others are gone");
    await call(
      "PATCH",
      `${CRONTABS}/held`,
      { metadata: { finalizers: null } },
      {
        "content-type": "application/merge-patch+json",
      },
    );
    await until(
      async () => (await call("GET", `${CRD_PATH}/crontabs.${GROUP}`)).code === 404,
      "the CRD gone",
    );
    // Discovery and the REST paths follow once the apiserver's cache sees the CRD go.
    await until(
      async () => !(await call("GET", "/apis")).body.groups.some((x: Obj) => x.name === GROUP),
      "the group gone from discovery",
      5000,
      50,
    );
    assert.equal((await call("GET", CRONTABS)).code, 404);
    assert.equal((await call("GET", `/openapi/v3/apis/${GROUP}/v1`)).code, 404);
  });
});

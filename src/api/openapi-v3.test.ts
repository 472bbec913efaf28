// The /openapi/v3 documents, checked the way kubectl v1.32 reads them:
// client-go/openapi (discovery + hashed URLs), cli-runtime's
// QueryParamVerifierV3 (PATCH declares fieldValidation) and explain v2
// (the kind's schema in components.schemas).

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import { openAPIV2Bytes } from "./openapi.ts";
import {
  groupVersionOfPath,
  openAPIV3Discovery,
  openAPIV3Document,
  openAPIV3GroupVersions,
  serveOpenAPIV2,
  serveOpenAPIV3,
  serverRelativeURL,
} from "./openapi-v3.ts";

type GVK = { group: string; version: string; kind: string };
interface V3Operation {
  operationId?: string;
  parameters: { name: string }[];
  requestBody: { content: Record<string, unknown> };
  responses: Record<string, { content?: Record<string, unknown>; description?: string }>;
  "x-kubernetes-action"?: string;
  "x-kubernetes-group-version-kind"?: GVK;
}
interface V3PathItem {
  parameters: unknown[];
  put: V3Operation;
  patch?: V3Operation;
}
interface V3Schema {
  description: string;
  properties: Record<string, V3Schema>;
  allOf?: unknown[];
  items?: unknown;
  "x-kubernetes-group-version-kind"?: GVK[];
  "x-kubernetes-patch-merge-key"?: string;
}
type Doc = {
  openapi: string;
  paths: Record<string, V3PathItem>;
  components: { schemas: Record<string, V3Schema>; securitySchemes: Record<string, unknown> };
  security: unknown;
};

const doc = (gv: string) => openAPIV3Document(gv)!.document as unknown as Doc;

// cli-runtime's supportsQueryParamV3.
function supportsQueryParam(
  d: Doc,
  gvk: { group: string; version: string; kind: string },
  param: string,
): boolean {
  for (const item of Object.values(d.paths)) {
    const op = item.patch;
    if (!op) continue;
    const g = op["x-kubernetes-group-version-kind"];
    if (!g || g.group !== gvk.group || g.version !== gvk.version || g.kind !== gvk.kind) continue;
    return (op.parameters ?? []).some((p) => p.name === param);
  }
  return false;
}

describe("discovery", () => {
  test("keys are the web service root paths", () => {
    assert.equal(groupVersionOfPath("/api/v1/namespaces/{namespace}/pods"), "api/v1");
    assert.equal(groupVersionOfPath("/apis/apps/v1/deployments"), "apis/apps/v1");
    assert.equal(groupVersionOfPath("/apis/apps/"), "apis/apps");
    assert.equal(groupVersionOfPath("/apis/"), "apis");
    assert.equal(groupVersionOfPath("/api/"), "api");
    assert.equal(groupVersionOfPath("/logs/{logpath}"), "logs");
    assert.equal(
      groupVersionOfPath("/.well-known/openid-configuration/"),
      ".well-known/openid-configuration",
    );
    const gvs = openAPIV3GroupVersions();
    for (const gv of [
      "api",
      "api/v1",
      "apis",
      "apis/apps",
      "apis/apps/v1",
      "apis/batch/v1",
      "version",
      "openid/v1/jwks",
    ]) {
      assert.ok(gvs.includes(gv), gv);
    }
  });

  test("every entry points to its document with hash = SHA-512 of the body, upper-case hex", () => {
    const disco = openAPIV3Discovery();
    const entry = disco.paths["apis/apps/v1"];
    const built = openAPIV3Document("apis/apps/v1")!;
    const hash = createHash("sha512").update(built.body).digest("hex").toUpperCase();
    assert.equal(entry.serverRelativeURL, `/openapi/v3/apis/apps/v1?hash=${hash}`);
    assert.match(disco.paths["api/v1"].serverRelativeURL, /^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/);
  });

  test("include limits the served group-versions", () => {
    const disco = openAPIV3Discovery({ include: (gv) => !/alpha|beta/.test(gv) });
    assert.ok(disco.paths["apis/apps/v1"]);
    assert.equal(disco.paths["apis/resource.k8s.io/v1beta1"], undefined);
  });
});

describe("group-version documents", () => {
  test("are OpenAPI 3.0.0 with components, security, and only v3 references", () => {
    const d = doc("apis/apps/v1");
    assert.equal(d.openapi, "3.0.0");
    assert.deepEqual(d.security, [{ BearerToken: [] }]);
    assert.deepEqual(d.components.securitySchemes, {
      BearerToken: {
        type: "apiKey",
        description: "Bearer Token authentication",
        name: "authorization",
        in: "header",
      },
    });
    const text = openAPIV3Document("apis/apps/v1")!.body.toString();
    assert.ok(!text.includes("#/definitions/"));
    assert.ok(!text.includes("#/parameters/"));
    for (const m of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) {
      assert.ok(d.components.schemas[m[1]], `dangling ${m[1]}`);
    }
    assert.deepEqual(
      Object.keys(d.paths).every((p) => p.startsWith("/apis/apps/v1/")),
      true,
    );
  });

  test("operations carry inlined parameters, requestBody and responses by media type", () => {
    const item = doc("apis/apps/v1").paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"];
    assert.deepEqual(item.parameters[1], {
      description: "object name and auth scope, such as for teams and projects",
      in: "path",
      name: "namespace",
      required: true,
      schema: { type: "string", uniqueItems: true },
    });
    const patch = item.patch!;
    assert.equal(patch.operationId, "patchAppsV1NamespacedDeployment");
    assert.deepEqual(
      patch.parameters.map((p) => p.name),
      ["dryRun", "fieldManager", "fieldValidation", "force"],
    );
    assert.deepEqual(patch.requestBody.content["application/strategic-merge-patch+json"], {
      schema: { $ref: "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch" },
    });
    assert.deepEqual(patch.responses["200"].content?.["application/json"], {
      schema: { $ref: "#/components/schemas/io.k8s.api.apps.v1.Deployment" },
    });
    assert.deepEqual(patch.responses["401"], { description: "Unauthorized" });
    assert.equal(patch["x-kubernetes-action"], "patch");
    assert.deepEqual(item.put.requestBody.content, {
      "*/*": { schema: { $ref: "#/components/schemas/io.k8s.api.apps.v1.Deployment" } },
    });
  });

  test("kubectl apply finds fieldValidation on the PATCH of every kind", () => {
    const kinds = [
      ["apis/apps/v1", { group: "apps", version: "v1", kind: "Deployment" }],
      ["api/v1", { group: "", version: "v1", kind: "ConfigMap" }],
      ["api/v1", { group: "", version: "v1", kind: "Namespace" }],
      ["apis/batch/v1", { group: "batch", version: "v1", kind: "Job" }],
    ] as const;
    for (const [gv, gvk] of kinds) assert.ok(supportsQueryParam(doc(gv), gvk, "fieldValidation"), gvk.kind);
    for (const gv of openAPIV3GroupVersions()) {
      for (const item of Object.values(doc(gv).paths)) {
        // Proxy subresources accept PATCH too, with no parameters.
        if (item.patch?.["x-kubernetes-action"] === "patch") {
          assert.ok(
            item.patch.parameters.some((p) => p.name === "fieldValidation"),
            `${gv} ${item.patch.operationId}`,
          );
        }
      }
    }
  });

  test("kubectl explain finds the kind and follows its fields", () => {
    const schemas = doc("apis/apps/v1").components.schemas;
    const found = Object.values(schemas).find((s) =>
      (s["x-kubernetes-group-version-kind"] ?? []).some(
        (g) => g.group === "apps" && g.version === "v1" && g.kind === "Deployment",
      ),
    )!;
    assert.equal(found.description, "Deployment enables declarative updates for Pods and ReplicaSets.");
    // A $ref with siblings is wrapped in allOf, as upstream's v3 does.
    const spec = found.properties.spec;
    assert.deepEqual(spec.allOf, [{ $ref: "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec" }]);
    assert.ok(spec.description.startsWith("Specification of the desired behavior of the Deployment."));
    const containers = schemas["io.k8s.api.core.v1.PodSpec"].properties.containers;
    assert.deepEqual(containers.items, { $ref: "#/components/schemas/io.k8s.api.core.v1.Container" });
    assert.equal(containers["x-kubernetes-patch-merge-key"], "name");
    assert.ok(schemas["io.k8s.api.core.v1.Container"]);
  });
});

describe("serving", () => {
  test("discovery: JSON with a quoted ETag, 304 when it matches", () => {
    const r = serveOpenAPIV3(undefined);
    assert.equal(r.status, 200);
    assert.equal(r.headers["Content-Type"], "application/json");
    assert.match(r.headers.Etag, /^"[0-9A-F]{128}"$/);
    assert.ok(JSON.parse(r.body.toString()).paths["api/v1"]);
    const again = serveOpenAPIV3(undefined, { headers: { "if-none-match": r.headers.Etag } });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
  });

  test("a group-version with its current hash is immutable for a year", () => {
    const { etag } = openAPIV3Document("api/v1")!;
    const now = new Date("2025-01-02T03:04:05Z");
    const r = serveOpenAPIV3("api/v1", { hash: etag, headers: { accept: "application/json" }, now });
    assert.equal(r.status, 200);
    assert.equal(r.headers["Cache-Control"], "public, immutable");
    assert.equal(r.headers.Expires, "Fri, 02 Jan 2026 03:04:05 GMT");
    assert.equal(r.headers.Vary, "Accept");
    assert.equal(r.headers.Etag, `"${etag}"`);
    assert.equal(JSON.parse(r.body.toString()).openapi, "3.0.0");
  });

  test("a stale hash is redirected; no hash means no caching headers", () => {
    const r = serveOpenAPIV3("apis/apps/v1", { hash: "0BAD" });
    assert.equal(r.status, 301);
    assert.equal(
      r.headers.Location,
      serverRelativeURL("apis/apps/v1", openAPIV3Document("apis/apps/v1")!.etag),
    );
    const plain = serveOpenAPIV3("apis/apps/v1", {});
    assert.equal(plain.status, 200);
    assert.equal(plain.headers["Cache-Control"], undefined);
  });

  test("protobuf only is 406; unknown group-version is 404", () => {
    const proto = "application/com.github.proto-openapi.spec.v3.v1.0+protobuf";
    assert.equal(serveOpenAPIV3("api/v1", { headers: { accept: proto } }).status, 406);
    assert.equal(serveOpenAPIV3("api/v1", { headers: { accept: `${proto},application/json` } }).status, 200);
    assert.equal(serveOpenAPIV3("apis/nope/v1").status, 404);
  });

  test("/openapi/v2 serves the shipped document", () => {
    const r = serveOpenAPIV2({ headers: { accept: "application/json" } });
    assert.equal(r.status, 200);
    assert.equal(r.body, openAPIV2Bytes());
    assert.equal(serveOpenAPIV2({ headers: { "if-none-match": r.headers.Etag } }).status, 304);
    assert.equal(serveOpenAPIV2({ headers: { accept: "application/yaml" } }).status, 406);
  });

  test("/openapi/v2 answers protobuf to client-go's Accept, JSON when JSON comes first or weighs more", () => {
    const proto = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
    const r = serveOpenAPIV2({ headers: { accept: proto } });
    assert.equal(r.status, 200);
    assert.equal(r.headers["Content-Type"], "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
    assert.equal(r.headers.Vary, "Accept");
    assert.notEqual(r.headers.Etag, serveOpenAPIV2().headers.Etag, "each form has its own ETag");
    assert.equal(serveOpenAPIV2({ headers: { accept: proto, "if-none-match": r.headers.Etag } }).status, 304);
    const typeOf = (accept: string) => serveOpenAPIV2({ headers: { accept } }).headers["Content-Type"];
    assert.equal(typeOf(`application/json, ${proto}`), "application/json");
    assert.equal(typeOf(`application/json;q=0.5, ${proto}`), r.headers["Content-Type"]);
    assert.equal(typeOf("*/*"), "application/json");
  });
});

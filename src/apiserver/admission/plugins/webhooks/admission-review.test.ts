// The AdmissionReview sent, the checks on the answer
// (request/admissionreview_test.go) and the refusal's wording
// (errors/statuserror_test.go).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AdmissionAttributes } from "../../admission.ts";
import { Webhook } from "./accessor.ts";
import {
  createAdmissionReview,
  decodeAdmissionReview,
  pickAdmissionReviewVersion,
  verifyAdmissionResponse,
} from "./admission-review.ts";
import { ErrCallingWebhook, newDryRunUnsupportedErr, toStatusErr } from "./errors.ts";
import type { WebhookInvocation } from "./should-call-hook.ts";

const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ns" }, spec: {} };

function attrs(over: Partial<AdmissionAttributes> = {}): AdmissionAttributes {
  return {
    operation: "CREATE",
    kind: { group: "", version: "v1", kind: "Pod" },
    resource: { group: "", version: "v1", resource: "pods" },
    subresource: "",
    namespace: "ns",
    name: "p",
    object: pod,
    user: { name: "alice", uid: "u-1", groups: ["dev", "system:authenticated"], extra: { scopes: ["a"] } },
    dryRun: false,
    warnings: [],
    ...over,
  };
}

function invocation(a: AdmissionAttributes): WebhookInvocation {
  const webhook = new Webhook("c/w/0", "c", "validating", {
    name: "w",
    clientConfig: {},
    admissionReviewVersions: ["v1"],
    sideEffects: "None",
  });
  return { webhook, resource: a.resource, subresource: a.subresource, kind: a.kind };
}

describe("createAdmissionReview", () => {
  it("sends request fields as upstream's CreateV1AdmissionReview", () => {
    const a = attrs();
    const review = createAdmissionReview("v1", "uid-1", a, invocation(a));
    assert.deepEqual(review, {
      kind: "AdmissionReview",
      apiVersion: "admission.k8s.io/v1",
      request: {
        uid: "uid-1",
        kind: { group: "", version: "v1", kind: "Pod" },
        resource: { group: "", version: "v1", resource: "pods" },
        subResource: undefined,
        requestKind: { group: "", version: "v1", kind: "Pod" },
        requestResource: { group: "", version: "v1", resource: "pods" },
        requestSubResource: undefined,
        name: "p",
        namespace: "ns",
        operation: "CREATE",
        userInfo: {
          username: "alice",
          uid: "u-1",
          groups: ["dev", "system:authenticated"],
          extra: { scopes: ["a"] },
        },
        object: pod,
        oldObject: null,
        dryRun: false,
        options: { kind: "CreateOptions", apiVersion: "meta.k8s.io/v1" },
      },
    });
    // As JSON, absent fields are gone and a missing object is null.
    const json = JSON.parse(JSON.stringify(review));
    assert.equal("subResource" in json.request, false);
    assert.equal(json.request.oldObject, null);
  });

  it("DELETE sends the old object, a null object and DeleteOptions; dry run shows in both", () => {
    const a = attrs({ operation: "DELETE", object: undefined, oldObject: pod, dryRun: true });
    const r = createAdmissionReview("v1beta1", "u", a, invocation(a));
    assert.equal(r.apiVersion, "admission.k8s.io/v1beta1");
    assert.equal(r.request?.object, null);
    assert.deepEqual(r.request?.oldObject, pod);
    assert.equal(r.request?.dryRun, true);
    assert.deepEqual(r.request?.options, {
      kind: "DeleteOptions",
      apiVersion: "meta.k8s.io/v1",
      dryRun: ["All"],
    });
  });

  it("gives the object apiVersion and kind when it lacks them; a binding keeps its subresource", () => {
    const a = attrs({
      subresource: "binding",
      kind: { group: "", version: "v1", kind: "Binding" },
      object: { metadata: { name: "p" }, target: { kind: "Node", name: "n1" } },
    });
    const r = createAdmissionReview("v1", "u", a, invocation(a));
    assert.equal(r.request?.object?.kind, "Binding");
    assert.equal(r.request?.object?.apiVersion, "v1");
    assert.equal(r.request?.subResource, "binding");
    assert.equal(r.request?.requestSubResource, "binding");
  });

  it("picks the first AdmissionReview version it knows", () => {
    assert.equal(pickAdmissionReviewVersion(["v2", "v1beta1", "v1"]), "v1beta1");
    assert.equal(pickAdmissionReviewVersion(["v1"]), "v1");
    assert.equal(pickAdmissionReviewVersion(["v2"]), undefined);
  });
});

describe("verifyAdmissionResponse", () => {
  const ok = (response: object, extra: object = {}) =>
    decodeAdmissionReview({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response, ...extra });

  it("accepts an answer to this uid with its warnings", () => {
    const r = verifyAdmissionResponse("v1", "u1", false, ok({ uid: "u1", allowed: true, warnings: ["w1"] }));
    assert.equal(r.allowed, true);
    assert.deepEqual(r.warnings, ["w1"]);
  });

  it("refuses answers upstream refuses, with its messages", () => {
    const bad: [string, boolean, object, string][] = [
      ["v1", false, {}, "webhook response was absent"],
      ["v1", false, ok({ uid: "other", allowed: true }), 'expected response.uid="u1", got "other"'],
      [
        "v1",
        false,
        decodeAdmissionReview({ response: { uid: "u1", allowed: true } }),
        "expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got /, Kind=",
      ],
      [
        "v1",
        true,
        ok({ uid: "u1", allowed: true, patch: "W10=" }),
        "webhook returned response.patch but not response.patchType",
      ],
      [
        "v1",
        true,
        ok({ uid: "u1", allowed: true, patchType: "JSONPatch" }),
        "webhook returned response.patchType but not response.patch",
      ],
      [
        "v1",
        false,
        ok({ uid: "u1", allowed: true, patch: "W10=" }),
        "validating webhook may not return response.patch",
      ],
      [
        "v1",
        false,
        ok({ uid: "u1", allowed: true, patchType: "JSONPatch" }),
        "validating webhook may not return response.patchType",
      ],
    ];
    for (const [version, mutating, review, msg] of bad) {
      assert.throws(
        () => verifyAdmissionResponse(version as "v1", "u1", mutating, review),
        { message: msg },
        msg,
      );
    }
  });

  it("v1beta1: no uid or kind checks, and a patch is a JSONPatch", () => {
    const r = verifyAdmissionResponse(
      "v1beta1",
      "u1",
      true,
      decodeAdmissionReview({ response: { allowed: true, patch: "W10=" } }),
    );
    assert.equal(r.patchType, "JSONPatch");
    assert.equal(r.patch.toString(), "[]");
  });

  it("decodes the patch as Go decodes []byte: padded standard base64", () => {
    assert.throws(() => decodeAdmissionReview({ response: { patch: "W1*=" } }), {
      message: "illegal base64 data at input byte 2",
    });
    assert.throws(() => decodeAdmissionReview({ response: { allowed: "yes" } }), {
      message:
        "json: cannot unmarshal string into Go struct field AdmissionResponse.response.allowed of type bool",
    });
  });
});

describe("webhook errors", () => {
  it("ToStatusErr: names the webhook; a code below 400 becomes 400", () => {
    const cases: [object | undefined, number, string][] = [
      [undefined, 400, 'admission webhook "foo" denied the request without explanation'],
      [
        { message: "you shall not pass" },
        400,
        'admission webhook "foo" denied the request: you shall not pass',
      ],
      [{ reason: "Forbidden" }, 400, 'admission webhook "foo" denied the request: Forbidden'],
      [{ code: 200, status: "Success", message: "m" }, 400, 'admission webhook "foo" denied the request: m'],
      [
        { code: 403, reason: "Forbidden", message: "m" },
        403,
        'admission webhook "foo" denied the request: m',
      ],
      [{ code: 500, message: "internal" }, 500, 'admission webhook "foo" denied the request: internal'],
    ];
    for (const [result, code, message] of cases) {
      const e = toStatusErr("foo", result);
      assert.equal(e.code, code);
      assert.equal(e.message, message);
      assert.equal(e.status.status, "Failure");
    }
    assert.equal(toStatusErr("foo", { code: 403, reason: "Forbidden" }).status.reason, "Forbidden");
  });

  it("ErrCallingWebhook and the dry-run refusal read as upstream's", () => {
    assert.equal(new ErrCallingWebhook("x", "boom").message, 'failed calling webhook "x": boom');
    assert.equal(
      new ErrCallingWebhook("x", undefined).message,
      'failed calling webhook "x"; no further details available',
    );
    const e = newDryRunUnsupportedErr("x");
    assert.equal(e.code, 400);
    assert.equal(e.message, 'admission webhook "x" does not support dry run');
  });
});

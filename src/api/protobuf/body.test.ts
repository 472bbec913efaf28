import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeProtobufBody, isProtobufBody } from "./body.ts";
import { ProtobufDecodeError } from "./errors.ts";
import { messageForKind, supportsKind } from "./schema.ts";
import { encodeBody } from "./test-encoder.ts";

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));

/** A length-delimited field (payloads under 128 bytes). */
const ld = (field: number, b: Uint8Array) => [(field << 3) | 2, b.length, ...b];

/** magic + Unknown{typeMeta{apiVersion, kind}, raw} around a hand-built raw, then `tail`. */
function envelope(apiVersion: string, kind: string, raw: Uint8Array, tail = ""): Uint8Array {
  const typeMeta = Uint8Array.from([...ld(1, Buffer.from(apiVersion)), ...ld(2, Buffer.from(kind))]);
  return Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...ld(1, typeMeta), ...ld(2, raw), ...hex(tail)]);
}

function failsWith(bytes: Uint8Array, reason: string, message: string) {
  assert.throws(
    () => decodeProtobufBody(bytes),
    (err: unknown) => err instanceof ProtobufDecodeError && err.reason === reason && err.message === message,
  );
}

describe("decodeProtobufBody", () => {
  it("decodes the envelope and sets kind and apiVersion first", () => {
    const body = encodeBody("v1", "Namespace", "core.v1.Namespace", { metadata: { name: "team-a" } });
    const decoded = decodeProtobufBody(body);
    assert.equal(decoded.apiVersion, "v1");
    assert.equal(decoded.kind, "Namespace");
    assert.deepEqual(decoded.object, {
      kind: "Namespace",
      apiVersion: "v1",
      metadata: { name: "team-a", creationTimestamp: null },
      spec: {},
      status: {},
    });
    assert.deepEqual(Object.keys(decoded.object).slice(0, 2), ["kind", "apiVersion"]);
  });

  it("rejects what is not a protobuf body with upstream's messages", () => {
    failsWith(new Uint8Array(0), "NotProtobuf", "empty data");
    failsWith(
      Buffer.from('{"kind":"Pod"}'),
      "NotProtobuf",
      "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]",
    );
    failsWith(
      hex("6b3873"),
      "NotProtobuf",
      "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]",
    );
    failsWith(hex("6b387300"), "NotProtobuf", "empty body");
    assert.equal(isProtobufBody(hex("6b387300 0a00")), true);
    assert.equal(isProtobufBody(Buffer.from("{}")), false);
  });

  it("reports a missing kind or version as runtime.NewMissingKindErr does", () => {
    failsWith(
      envelope("v1", "", new Uint8Array(0)),
      "MissingKind",
      `Object 'Kind' is missing in 'runtime.TypeMeta{APIVersion:"v1", Kind:""}'`,
    );
    failsWith(
      envelope("", "ConfigMap", new Uint8Array(0)),
      "MissingKind",
      `Object 'apiVersion' is missing in 'runtime.TypeMeta{APIVersion:"", Kind:"ConfigMap"}'`,
    );
  });

  it("fills a missing kind or version from the endpoint's defaults (copyKindDefaults)", () => {
    const decoded = decodeProtobufBody(envelope("", "", hex("0a05 0a03 636d31")), {
      group: "",
      version: "v1",
      kind: "ConfigMap",
    });
    assert.deepEqual(decoded.object, {
      kind: "ConfigMap",
      apiVersion: "v1",
      metadata: { name: "cm1", creationTimestamp: null },
    });
    // The body's own version wins over the default.
    const job = decodeProtobufBody(envelope("batch/v1", "", new Uint8Array(0)), {
      group: "apps",
      version: "v1",
      kind: "Job",
    });
    assert.equal(job.apiVersion, "batch/v1");
  });

  it("refuses kinds it has no message for", () => {
    failsWith(
      envelope("example.com/v1", "Widget", new Uint8Array(0)),
      "UnknownKind",
      'no kind "Widget" is registered for version "example.com/v1" in the protobuf decoder',
    );
    failsWith(
      envelope("apps/v1", "DeploymentList", new Uint8Array(0)),
      "UnknownKind",
      'no kind "DeploymentList" is registered for version "apps/v1" in the protobuf decoder',
    );
    failsWith(
      envelope("a/b/c", "X", new Uint8Array(0)),
      "Malformed",
      "unexpected GroupVersion string: a/b/c",
    );
  });

  it("accepts DeleteOptions in any group version", () => {
    // kubectl drain --disable-eviction --grace-period=30: DELETE with this body.
    const decoded = decodeProtobufBody(
      hex("6b387300 0a13 0a02 7631 120d 44656c6574654f7074696f6e73 1202 081e 1a00 2200"),
    );
    assert.deepEqual(decoded.object, { kind: "DeleteOptions", apiVersion: "v1", gracePeriodSeconds: 30 });
    for (const apiVersion of ["apps/v1", "meta.k8s.io/v1", "example.com/v1alpha1"]) {
      const body = encodeBody(apiVersion, "DeleteOptions", "meta.v1.DeleteOptions", {
        propagationPolicy: "Background",
      });
      assert.deepEqual(decodeProtobufBody(body).object, {
        kind: "DeleteOptions",
        apiVersion,
        propagationPolicy: "Background",
      });
    }
  });

  it("ignores contentEncoding and contentType and unknown envelope fields, as upstream does", () => {
    const body = envelope(
      "v1",
      "ServiceAccount",
      hex("0a04 0a02 7361"),
      "1a04 677a6970 2210 6170706c69636174696f6e2f6a736f6e 2801",
    );
    assert.deepEqual(decodeProtobufBody(body).object, {
      kind: "ServiceAccount",
      apiVersion: "v1",
      metadata: { name: "sa", creationTimestamp: null },
    });
  });

  it("reports a truncated or mistyped envelope", () => {
    failsWith(hex("6b387300 0a05 0a02"), "Malformed", "unexpected EOF");
    failsWith(hex("6b387300 1001"), "Malformed", "proto: wrong wireType = 0 for field Raw");
    failsWith(hex("6b387300 0a02 0801"), "Malformed", "proto: wrong wireType = 0 for field APIVersion");
    failsWith(hex("6b387300 00"), "Malformed", "proto: Unknown: illegal tag 0 (wire type 0)");
  });
});

describe("supportsKind", () => {
  it("knows the kinds kubectl sends in protobuf", () => {
    const kinds: [string, string, string][] = [
      ["", "v1", "ConfigMap"],
      ["", "v1", "Secret"],
      ["", "v1", "Namespace"],
      ["", "v1", "Service"],
      ["", "v1", "ServiceAccount"],
      ["", "v1", "ResourceQuota"],
      ["", "v1", "Pod"],
      ["apps", "v1", "Deployment"],
      ["apps", "v1", "StatefulSet"],
      ["batch", "v1", "Job"],
      ["batch", "v1", "CronJob"],
      ["rbac.authorization.k8s.io", "v1", "ClusterRoleBinding"],
      ["policy", "v1", "PodDisruptionBudget"],
      ["policy", "v1", "Eviction"],
      ["scheduling.k8s.io", "v1", "PriorityClass"],
      ["networking.k8s.io", "v1", "Ingress"],
      ["authentication.k8s.io", "v1", "TokenRequest"],
      ["authentication.k8s.io", "v1", "SelfSubjectReview"],
      ["authorization.k8s.io", "v1", "SelfSubjectAccessReview"],
      ["authorization.k8s.io", "v1", "SelfSubjectRulesReview"],
      ["certificates.k8s.io", "v1", "CertificateSigningRequest"],
      ["autoscaling", "v1", "Scale"],
      ["coordination.k8s.io", "v1", "Lease"],
      ["discovery.k8s.io", "v1", "EndpointSlice"],
      ["storage.k8s.io", "v1", "StorageClass"],
      ["events.k8s.io", "v1", "Event"],
      ["", "v1", "DeleteOptions"],
    ];
    for (const [group, version, kind] of kinds) assert.equal(supportsKind(group, version, kind), true, kind);
    assert.equal(messageForKind("", "v1", "Event"), "core.v1.Event");
    assert.equal(messageForKind("events.k8s.io", "v1", "Event"), "events.v1.Event");
    assert.equal(supportsKind("apps", "v1beta1", "Deployment"), false);
    assert.equal(supportsKind("", "v1", "PodTemplateSpec"), false);
    assert.equal(supportsKind("stable.example.com", "v1", "CronTab"), false);
  });
});

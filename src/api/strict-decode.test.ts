// Strict decoding checked against upstream: the request bodies and expected
// messages of test/integration/apiserver/field_validation_test.go, and the
// error texts of encoding/json, sigs.k8s.io/json, go-yaml and apimachinery.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  anyType,
  base64CorruptAt,
  cannotBeHandledMessage,
  DecodeError,
  decodeBody,
  decodeJSON,
  decodeTypeFor,
  findUnknownFields,
  parseQuantityError,
  strictDecodingError,
} from "./strict-decode.ts";

// Reads a nested value of decoded JSON.
function dig(v: unknown, ...path: (string | number)[]): unknown {
  let cur = v;
  for (const k of path) cur = (cur as Record<string | number, unknown> | undefined)?.[k];
  return cur;
}

const deployment = { group: "apps", version: "v1", kind: "Deployment" };
const secret = { group: "", version: "v1", kind: "Secret" };

// field_validation_test.go: invalidBodyJSON, invalidBodyYAML, validBodyJSON.
const invalidBodyJSON = `
	{
		"apiVersion": "apps/v1",
		"kind": "Deployment",
		"metadata": {
			"name": "dupename",
			"name": "test-deployment",
			"labels": {"app": "nginx"},
			"unknownMeta": "metaVal"
		},
		"spec": {
			"unknown1": "val1",
			"unknownDupe": "valDupe",
			"unknownDupe": "valDupe2",
			"paused": true,
			"paused": false,
			"selector": {
				"matchLabels": {
					"app": "nginx"
				}
			},
			"template": {
				"metadata": {
					"labels": {
						"app": "nginx"
					}
				},
				"spec": {
					"containers": [{
						"name":  "nginx",
						"image": "nginx:latest",
						"unknownNested": "val1",
						"imagePullPolicy": "Always",
						"imagePullPolicy": "Never"
					}]
				}
			}
		}
	}
		`;

const invalidBodyYAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: dupename
  name: test-deployment
  unknownMeta: metaVal
  labels:
    app: nginx
spec:
  unknown1: val1
  unknownDupe: valDupe
  unknownDupe: valDupe2
  paused: true
  paused: false
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:latest
        unknownNested: val1
        imagePullPolicy: Always
        imagePullPolicy: Never`;

const validBodyJSON = `
{
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {
		"name": "test-deployment",
		"labels": {"app": "nginx"},
		"annotations": {"a1": "foo", "a2": "bar"}
	},
	"spec": {
		"selector": {
			"matchLabels": {
				"app": "nginx"
			}
		},
		"template": {
			"metadata": {
				"labels": {
					"app": "nginx"
				}
			},
			"spec": {
				"containers": [{
					"name":  "nginx",
					"image": "nginx:latest",
					"imagePullPolicy": "Always"
				}]
			}
		},
		"replicas": 2
	}
}`;

function fatal(body: string, gvk: typeof deployment | undefined, message: string, beforeKind = false) {
  assert.throws(
    () => decodeBody(body, "application/json", gvk),
    (e: unknown) => e instanceof DecodeError && e.message === message && e.beforeKind === beforeKind,
  );
}

describe("field_validation_test.go", () => {
  test("post-strict-validation: JSON", () => {
    const r = decodeBody(invalidBodyJSON, "application/json", deployment);
    assert.equal(
      strictDecodingError(r.strictErrors),
      `strict decoding error: duplicate field "metadata.name", unknown field "metadata.unknownMeta", unknown field "spec.unknown1", unknown field "spec.unknownDupe", duplicate field "spec.paused", unknown field "spec.template.spec.containers[0].unknownNested", duplicate field "spec.template.spec.containers[0].imagePullPolicy"`,
    );
  });

  test("post-warn-validation: JSON warnings", () => {
    assert.deepEqual(decodeBody(invalidBodyJSON, "application/json", deployment).warnings, [
      `duplicate field "metadata.name"`,
      `unknown field "metadata.unknownMeta"`,
      `unknown field "spec.unknown1"`,
      `unknown field "spec.unknownDupe"`,
      `duplicate field "spec.paused"`,
      `unknown field "spec.template.spec.containers[0].unknownNested"`,
      `duplicate field "spec.template.spec.containers[0].imagePullPolicy"`,
    ]);
  });

  test("post-strict-validation-yaml", () => {
    const r = decodeBody(invalidBodyYAML, "application/yaml", deployment);
    assert.equal(
      strictDecodingError(r.strictErrors),
      `strict decoding error: yaml: unmarshal errors:
  line 5: key "name" already set in map
  line 12: key "unknownDupe" already set in map
  line 14: key "paused" already set in map
  line 28: key "imagePullPolicy" already set in map, unknown field "metadata.unknownMeta", unknown field "spec.template.spec.containers[0].unknownNested", unknown field "spec.unknown1", unknown field "spec.unknownDupe"`,
    );
  });

  test("post-warn-validation-yaml", () => {
    assert.deepEqual(decodeBody(invalidBodyYAML, "application/yaml; charset=utf-8", deployment).warnings, [
      `line 5: key "name" already set in map`,
      `line 12: key "unknownDupe" already set in map`,
      `line 14: key "paused" already set in map`,
      `line 28: key "imagePullPolicy" already set in map`,
      `unknown field "metadata.unknownMeta"`,
      `unknown field "spec.template.spec.containers[0].unknownNested"`,
      `unknown field "spec.unknown1"`,
      `unknown field "spec.unknownDupe"`,
    ]);
  });

  test("unknown fields are dropped and the last duplicate wins", () => {
    const r = decodeBody(invalidBodyJSON, "application/json", deployment);
    const obj = r.object;
    assert.deepEqual(dig(obj, "metadata"), { name: "test-deployment", labels: { app: "nginx" } });
    assert.equal(dig(obj, "spec", "paused"), false);
    assert.equal(dig(obj, "spec", "unknown1"), undefined);
    assert.deepEqual(dig(obj, "spec", "template", "spec", "containers", 0), {
      name: "nginx",
      image: "nginx:latest",
      imagePullPolicy: "Never",
    });
    assert.deepEqual(r.typeMeta, { apiVersion: "apps/v1", kind: "Deployment" });
  });

  test("a valid body decodes to itself with no strict errors", () => {
    const r = decodeBody(validBodyJSON, "application/json", deployment);
    assert.deepEqual(r.strictErrors, []);
    assert.deepEqual(r.object, JSON.parse(validBodyJSON));
  });
});

describe("duplicates", () => {
  test("map keys (labels) are checked; a repeated struct field merges into the first", () => {
    const r = decodeJSON(
      `{"metadata":{"labels":{"a":"1","a":"2"}},"spec":{"selector":{"matchLabels":{"x":"y"}},"selector":{"matchExpressions":[]}}}`,
      decodeTypeFor(deployment),
    );
    assert.deepEqual(r.strictErrors, [
      `duplicate field "metadata.labels.a"`,
      `duplicate field "spec.selector"`,
    ]);
    assert.deepEqual(dig(r.object, "spec", "selector"), { matchLabels: { x: "y" }, matchExpressions: [] });
  });

  test("untyped bodies (no schema) report duplicates with their paths", () => {
    const r = decodeJSON(
      `{"spec":{"knownField1":"val1","knownField1":"val2","ports":[{"hostPort":8081,"hostPort":8082}]}}`,
      anyType,
    );
    assert.deepEqual(r.strictErrors, [
      `duplicate field "spec.knownField1"`,
      `duplicate field "spec.ports[0].hostPort"`,
    ]);
  });

  test("opaque values (RawExtension) are kept unchecked", () => {
    const cr = { group: "apps", version: "v1", kind: "ControllerRevision" };
    const r = decodeBody(`{"revision":1,"data":{"x":1,"x":2,"anything":{"goes":true}}}`, undefined, cr);
    assert.deepEqual(r.strictErrors, []);
    assert.deepEqual(dig(r.object, "data"), { x: 2, anything: { goes: true } });
  });

  test("errors are de-duplicated and capped at 100", () => {
    const keys = Array.from({ length: 150 }, (_, i) => `"u${i}":1`).join(",");
    const r = decodeJSON(`{"spec":{${keys},"u0":2}}`, decodeTypeFor(deployment));
    assert.equal(r.strictErrors.length, 100);
    assert.equal(r.strictErrors[0], `unknown field "spec.u0"`);
  });
});

describe("fatal errors", () => {
  test("JSON syntax errors, with encoding/json's texts", () => {
    const pre = "couldn't get version/kind; json parse error: ";
    fatal(`{"a":}`, deployment, `${pre}invalid character '}' looking for beginning of value`, true);
    fatal(`{"a" 1}`, deployment, `${pre}invalid character '1' after object key`, true);
    fatal(`{"a":1 "b":2}`, deployment, `${pre}invalid character '"' after object key:value pair`, true);
    fatal(`{"a":[1 2]}`, deployment, `${pre}invalid character '2' after array element`, true);
    fatal(
      `{'a':1}`,
      deployment,
      `${pre}invalid character '\\'' looking for beginning of object key string`,
      true,
    );
    fatal(`{"a":"\\x"}`, deployment, `${pre}invalid character 'x' in string escape code`, true);
    fatal(
      `{"a":"\\u12g4"}`,
      deployment,
      `${pre}invalid character 'g' in \\u hexadecimal character escape`,
      true,
    );
    fatal(`{"a":"x\ny"}`, deployment, `${pre}invalid character '\\n' in string literal`, true);
    fatal(`{"a":tru}`, deployment, `${pre}invalid character '}' in literal true (expecting 'e')`, true);
    fatal(`{"a":01}`, deployment, `${pre}invalid character '1' after object key:value pair`, true);
    fatal(`{"a":-x}`, deployment, `${pre}invalid character 'x' in numeric literal`, true);
    fatal(`{"a":1.}`, deployment, `${pre}invalid character '}' after decimal point in numeric literal`, true);
    fatal(`{"a":1e+}`, deployment, `${pre}invalid character '}' in exponent of numeric literal`, true);
    fatal(`{"a":1}x`, deployment, `${pre}invalid character 'x' after top-level value`, true);
    fatal(`{"a":`, deployment, `${pre}unexpected end of JSON input`, true);
    fatal(``, deployment, `${pre}unexpected end of JSON input`, true);
  });

  test("a syntax error wins over an earlier type error", () => {
    fatal(
      `{"spec":{"replicas":"x"},}`,
      deployment,
      "couldn't get version/kind; json parse error: invalid character '}' looking for beginning of object key string",
      true,
    );
  });

  test("bodies that are not objects, and bad apiVersion/kind", () => {
    fatal(
      "[1]",
      deployment,
      `couldn't get version/kind; json parse error: json: cannot unmarshal array into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`,
      true,
    );
    fatal(
      `{"kind":1}`,
      deployment,
      "couldn't get version/kind; json parse error: json: cannot unmarshal number into Go struct field .kind of type string",
      true,
    );
    fatal(`{"apiVersion":"a/b/c"}`, deployment, "unexpected GroupVersion string: a/b/c", true);
  });

  test("Go type errors name the struct and field path", () => {
    fatal(
      `{"spec":{"replicas":"3"}}`,
      deployment,
      "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32",
    );
    fatal(
      `{"spec":{"replicas":1.5}}`,
      deployment,
      "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32",
    );
    fatal(
      `{"spec":{"replicas":3000000000}}`,
      deployment,
      "json: cannot unmarshal number 3000000000 into Go struct field DeploymentSpec.spec.replicas of type int32",
    );
    fatal(
      `{"spec":{"template":{"spec":{"containers":[{"name":"a","ports":[{"containerPort":"80"}]}]}}}}`,
      deployment,
      "json: cannot unmarshal string into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32",
    );
    fatal(
      `{"metadata":{"labels":{"a":1}}}`,
      deployment,
      "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string",
    );
    fatal(
      `{"spec":"x"}`,
      deployment,
      "json: cannot unmarshal string into Go struct field Deployment.spec of type v1.DeploymentSpec",
    );
    fatal(
      `{"spec":{"template":{"spec":{"containers":{"name":"a"}}}}}`,
      deployment,
      "json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container",
    );
    fatal(
      `{"spec":{"paused":"yes"}}`,
      deployment,
      "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.paused of type bool",
    );
  });

  test("types that decode themselves: IntOrString, Quantity, Time", () => {
    fatal(
      `{"spec":{"strategy":{"rollingUpdate":{"maxSurge":true}}}}`,
      deployment,
      "json: cannot unmarshal bool into Go struct field RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type int32",
    );
    fatal(
      `{"spec":{"template":{"spec":{"containers":[{"name":"a","resources":{"limits":{"cpu":"abc"}}}]}}}}`,
      deployment,
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    );
    fatal(
      `{"metadata":{"creationTimestamp":5}}`,
      deployment,
      "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of type string",
    );
    const ok = decodeBody(
      `{"spec":{"strategy":{"rollingUpdate":{"maxSurge":1,"maxUnavailable":"25%"}},"template":{"spec":{"containers":[{"name":"a","resources":{"limits":{"cpu":0.5,"memory":"128Mi"}}}]}}}}`,
      undefined,
      deployment,
    );
    assert.deepEqual(ok.strictErrors, []);
  });

  test("[]byte fields must be base64", () => {
    assert.deepEqual(decodeBody(`{"data":{"k":"aGVsbG8="}}`, undefined, secret).strictErrors, []);
    assert.throws(() => decodeBody(`{"data":{"k":"hello!"}}`, undefined, secret), {
      message: "illegal base64 data at input byte 5",
    });
  });

  test("YAML that does not convert", () => {
    assert.throws(
      () => decodeBody("a: b: c", "application/yaml", deployment),
      (e: unknown) =>
        e instanceof DecodeError &&
        e.beforeKind &&
        e.message.startsWith("error converting YAML to JSON: yaml: line 1: "),
    );
  });
});

describe("YAML as go-yaml v2 reads it", () => {
  test("YAML 1.1 scalars, timestamps kept as strings, first document only", () => {
    const r = decodeBody(
      "kind: ConfigMap\ndata:\n  when: 2001-12-14\n  flag: 'yes'\n---\nkind: Other\n",
      "application/yaml",
      { group: "", version: "v1", kind: "ConfigMap" },
    );
    assert.deepEqual(r.object, { data: { flag: "yes", when: "2001-12-14" }, kind: "ConfigMap" });
    const untyped = decodeBody("a: yes\nb: 0777\nc: ~\nd: 1:20\n", "application/yaml");
    assert.deepEqual(untyped.object, { a: true, b: 511, c: null, d: "1:20" });
  });

  test("a number where a bool is expected is a type error, as upstream", () => {
    assert.throws(() => decodeBody("spec:\n  paused: 1\n", "application/yaml", deployment), {
      message: "json: cannot unmarshal number into Go struct field DeploymentSpec.spec.paused of type bool",
    });
  });
});

describe("helpers", () => {
  test("transformDecodeError's two forms", () => {
    assert.equal(
      cannotBeHandledMessage({
        kind: "Deployment",
        version: "v1",
        intoKind: "Deployment",
        error: "strict decoding error: x",
        body: "{}",
      }),
      `Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: x`,
    );
    assert.equal(
      cannotBeHandledMessage({
        intoKind: "Deployment",
        error: "couldn't get version/kind; json parse error: unexpected end of JSON input",
        body: '{"apiVersion":"apps/v1","kind":"Deployment","spec":',
        beforeKind: true,
      }),
      `the object provided is unrecognized (must be of type Deployment): couldn't get version/kind; json parse error: unexpected end of JSON input ({"apiVersion":"apps/v1","kind" ...)`,
    );
    assert.equal(
      cannotBeHandledMessage({ intoKind: "Pod", error: "e", body: "[1]", beforeKind: true }),
      "the object provided is unrecognized (must be of type Pod): e (5b315d)",
    );
  });

  test("ParseQuantity's errors", () => {
    for (const ok of ["0", "1", "1.5", "100m", "1Ki", "2Gi", "1e3", "1E", "+5", "-1.5e-3", ".5", "1."]) {
      assert.equal(parseQuantityError(ok), undefined, ok);
    }
    const format =
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
    for (const bad of ["", "abc", "1x", "1.2.3", "1 Gi"]) assert.equal(parseQuantityError(bad), format, bad);
    for (const bad of ["1KK", "1e", "1Mix"]) {
      assert.equal(
        parseQuantityError(bad),
        bad === "1Mix" ? format : "unable to parse quantity's suffix",
        bad,
      );
    }
  });

  test("base64 CorruptInputError offsets match encoding/base64", () => {
    const at = (s: string) => base64CorruptAt(Buffer.from(s));
    assert.equal(at("aGVsbG8="), -1);
    assert.equal(at("aGVs\nbG8="), -1);
    assert.equal(at("aGVsbG8"), 4);
    assert.equal(at("a==="), 1);
    assert.equal(at("aGVsbG8=x"), 8);
    assert.equal(at("aG!s"), 2);
    assert.equal(at("aGV="), -1);
    assert.equal(at("aG=="), -1);
    assert.equal(at("aG="), 3);
  });

  test("unknown fields of an already decoded (patched) object", () => {
    const t = decodeTypeFor(deployment)!;
    assert.deepEqual(
      findUnknownFields(
        { spec: { foo: 1, template: { spec: { containers: [{ name: "a", bar: 2 }] } } }, zzz: 1 },
        t,
      ),
      [
        `unknown field "spec.foo"`,
        `unknown field "spec.template.spec.containers[0].bar"`,
        `unknown field "zzz"`,
      ],
    );
  });
});

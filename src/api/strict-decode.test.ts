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
  type DecodeType,
  decodeBody,
  decodeJSON,
  decodeJSONFast,
  decodeJSONPrecise,
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

// decodeJSON takes a fast path (JSON.parse, a key count over the text and a
// walk of the value) and falls back to the precise decoder whenever that path
// sees anything to report. Whenever the fast path answers, its answer must be
// the precise decoder's, value for value; whenever the precise decoder
// reports anything, the fast path must not answer.
describe("fast path agrees with the precise decoder", () => {
  const pod = decodeTypeFor({ group: "", version: "v1", kind: "Pod" })!;
  const deploy = decodeTypeFor(deployment)!;
  const types: Record<string, DecodeType> = {
    pod,
    deployment: deploy,
    configMap: decodeTypeFor({ group: "", version: "v1", kind: "ConfigMap" })!,
    secret: decodeTypeFor(secret)!,
    controllerRevision: decodeTypeFor({ group: "apps", version: "v1", kind: "ControllerRevision" })!,
    crd: decodeTypeFor({ group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition" })!,
    any: anyType,
  };

  type Outcome = { ok: ReturnType<typeof decodeJSON> } | { error: { message: string; beforeKind: boolean } };

  function outcome(decode: () => ReturnType<typeof decodeJSON>): Outcome {
    try {
      return { ok: decode() };
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      return { error: { message: e.message, beforeKind: e.beforeKind } };
    }
  }

  // Same values, prototypes, own keys in the same order, -0 and all.
  function assertSameValue(actual: unknown, expected: unknown, path = "$"): void {
    if (actual === null || typeof actual !== "object" || expected === null || typeof expected !== "object") {
      assert.ok(Object.is(actual, expected), `${path}: ${String(actual)} !== ${String(expected)}`);
      return;
    }
    assert.equal(Object.getPrototypeOf(actual), Object.getPrototypeOf(expected), `${path}: prototype`);
    assert.deepEqual(Reflect.ownKeys(actual), Reflect.ownKeys(expected), `${path}: keys`);
    for (const k of Reflect.ownKeys(expected) as string[]) {
      const a: PropertyDescriptor = Object.getOwnPropertyDescriptor(actual, k)!;
      const e: PropertyDescriptor = Object.getOwnPropertyDescriptor(expected, k)!;
      assert.deepEqual(
        [a.enumerable, a.writable, a.configurable],
        [e.enumerable, e.writable, e.configurable],
        `${path}.${k}: attributes`,
      );
      assertSameValue(a.value, e.value, `${path}.${k}`);
    }
  }

  /** Checks one body; returns whether the fast path answered. */
  function check(body: string, type: DecodeType): boolean {
    const precise = outcome(() => decodeJSONPrecise(body, type));
    const combined = outcome(() => decodeJSON(body, type));
    const fast = decodeJSONFast(body, type);
    const label = `${body.length > 200 ? `${body.slice(0, 200)}…` : body}`;
    if ("error" in precise) {
      assert.deepEqual(combined, precise, label);
      assert.equal(fast, undefined, `fast path answered where precise failed: ${label}`);
      return false;
    }
    assert.ok("ok" in combined, label);
    assertSameValue(combined.ok, precise.ok, label);
    if (precise.ok.strictErrors.length > 0) {
      assert.equal(fast, undefined, `fast path answered where precise had strict errors: ${label}`);
      return false;
    }
    if (fast) assertSameValue(fast, precise.ok, label);
    // From a Buffer, as the apiserver hands bodies over.
    const fromBuffer = decodeJSONFast(Buffer.from(body), type);
    assert.equal(fromBuffer !== undefined, fast !== undefined, label);
    return fast !== undefined;
  }

  const podBody = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default","labels":{"app":"bench","tier":"web"}},"spec":{"containers":[{"name":"app","image":"k8ts.local/busybox:latest","command":["sh","-c","httpd -f -p 8080"],"ports":[{"containerPort":8080,"name":"http"}],"env":[{"name":"MODE","value":"bench"},{"name":"POD_NAME","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}],"resources":{"requests":{"cpu":"100m","memory":"64Mi"},"limits":{"cpu":"200m","memory":"128Mi"}},"readinessProbe":{"httpGet":{"path":"/","port":8080},"periodSeconds":5}}],"nodeSelector":{"kubernetes.io/os":"linux"},"tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}]}}`;
  const spec = (s: string) => `{"apiVersion":"v1","kind":"Pod","spec":${s}}`;
  const container = (s: string) => spec(`{"containers":[{"name":"a",${s}}]}`);

  // Bodies the fast path must take, each with its type.
  const clean: [string, DecodeType][] = [
    [podBody, pod],
    [JSON.stringify(JSON.parse(podBody), null, 2), pod],
    [`\n\t ${podBody} \r\n`, pod],
    [validBodyJSON, deploy],
    [
      `{"apiVersion":"v1","kind":"ConfigMap","data":{"a":"x:y","b":"","c":null},"binaryData":{"k":"aGVsbG8="}}`,
      types.configMap,
    ],
    [`{"kind":"Secret","data":{"k":"aGVs\\nbG8=","l":"","m":"QUI="},"stringData":{"s":"é"}}`, types.secret],
    [`{"kind":"Pod","metadata":{"name":null,"labels":null,"generation":9007199254740991}}`, pod],
    [
      container(`"ports":[{"containerPort":-0},{"containerPort":2147483647},{"containerPort":-2147483648}]`),
      pod,
    ],
    [container(`"resources":{"limits":{"cpu":0.5,"memory":1e3,"x":"1.5Gi","y":" 1 "}}`), pod],
    [container(`"resources":{"limits":{"cpu":0,"memory":1.5e-3},"requests":{"cpu":-1}}`), pod],
    [container(`"readinessProbe":{"httpGet":{"port":"http"}},"livenessProbe":{"httpGet":{"port":80}}`), pod],
    [spec(`{"activeDeadlineSeconds":-9007199254740991,"containers":[]}`), pod],
    // Escapes that JSON.parse and Go read alike, in keys and in values.
    [
      `{"kind":"Pod","metadata":{"na\\u006de":"a\\"b\\\\c\\/d\\n\\u00e9","labels":{"\\"":"\\\\","\\\\":"\\""}}}`,
      pod,
    ],
    [`{"kind":"Pod","metadata":{"labels":{"emoji":"😀","raw":"\u2028"}}}`, pod],
    // __proto__ is an ordinary key of a map and of untyped JSON.
    [`{"kind":"Pod","metadata":{"labels":{"__proto__":"x","constructor":"y","toString":"z"}}}`, pod],
    [`{"__proto__":{"a":1},"b":[{"__proto__":null}]}`, anyType],
    // Opaque values keep anything, numbers included.
    [
      `{"kind":"ControllerRevision","data":{"x":1.0,"y":1e400,"z":[true,{"w":null}]}}`,
      types.controllerRevision,
    ],
    [
      `{"spec":{"versions":[{"name":"v1","schema":{"openAPIV3Schema":{"maximum":1.5,"minimum":-2,"default":{"a":[1.0]}}}}]}}`,
      types.crd,
    ],
    [`{"a":1.5,"b":-0,"c":1e300,"d":[1,"x",true,null,{}],"e":{}}`, anyType],
    [`{}`, pod],
    [`{"apiVersion":"/","kind":""}`, pod],
  ];

  test("clean bodies take the fast path and decode exactly as the precise decoder", () => {
    for (const [body, type] of clean)
      assert.ok(check(body, type), `fast path declined: ${body.slice(0, 120)}`);
  });

  // Bodies the fast path must leave to the precise decoder.
  const reported: [string, DecodeType][] = [
    // Duplicates at several depths.
    [`{"kind":"Pod","kind":"Pod"}`, pod],
    [`{"kind":"Pod","metadata":{"name":"a","name":"b"}}`, pod],
    [`{"metadata":{"labels":{"a":"1","a":"1"}}}`, pod],
    [container(`"ports":[{"containerPort":1},{"containerPort":1,"containerPort":2}]`), pod],
    [container(`"name":"b"`), pod],
    [spec(`{"containers":[],"containers":[]}`), pod],
    [`{"a":{"b":{"c":[{"d":1,"d":1}]}}}`, anyType],
    [`{"a":1,"a":2}`, anyType],
    // Inside opaque values upstream keeps duplicates silently: the precise decoder decides.
    [`{"data":{"x":1,"x":2}}`, types.controllerRevision],
    // Keys equal once unescaped.
    [`{"kind":"Pod","metadata":{"name":"a","n\\u0061me":"b"}}`, pod],
    [`{"metadata":{"labels":{"a":"1","\\u0061":"2"}}}`, pod],
    [`{"__proto__":1,"__proto__":2}`, anyType],
    [`{"metadata":{"labels":{"__proto__":"1","\\u005f_proto__":"2"}}}`, pod],
    // Lone surrogates become U+FFFD in Go, which makes these keys equal.
    [`{"metadata":{"labels":{"\\ud800":"1","\\udc00":"2"}}}`, pod],
    [`{"metadata":{"labels":{"x":"\\ud800"}}}`, pod],
    [`{"a":"\\uD83D\\uDE00"}`, anyType],
    // Unknown fields, __proto__ among them.
    [`{"kind":"Pod","spec":{"foo":1}}`, pod],
    [`{"kind":"Pod","__proto__":{}}`, pod],
    [`{"kind":"Pod","metadata":{"constructor":"x"}}`, pod],
    [container(`"unknownNested":{"a":[1,2]}`), pod],
    // Type errors and the numbers whose text matters.
    [container(`"ports":[{"containerPort":"80"}]`), pod],
    [container(`"ports":[{"containerPort":1.0}]`), pod],
    [container(`"ports":[{"containerPort":1e3}]`), pod],
    [container(`"ports":[{"containerPort":1E0}]`), pod],
    [container(`"ports":[{"containerPort":80}],"resources":{"limits":{"cpu":2.0}}`), pod],
    [container(`"ports":[{"containerPort":2147483648}]`), pod],
    [container(`"ports":[{"containerPort":-2147483649}]`), pod],
    [container(`"ports":[{"containerPort":1.5}]`), pod],
    [container(`"readinessProbe":{"httpGet":{"port":1.0}}`), pod],
    [container(`"readinessProbe":{"httpGet":{"port":4294967296}}`), pod],
    [container(`"readinessProbe":{"httpGet":{"port":true}}`), pod],
    [spec(`{"activeDeadlineSeconds":9223372036854775807}`), pod],
    [spec(`{"activeDeadlineSeconds":9223372036854775808}`), pod],
    [spec(`{"activeDeadlineSeconds":-9223372036854775809}`), pod],
    [spec(`{"activeDeadlineSeconds":99999999999999999999999999}`), pod],
    [`{"metadata":{"generation":1e2}}`, pod],
    [container(`"resources":{"limits":{"cpu":1e99999999999999999999}}`), pod],
    [container(`"resources":{"limits":{"cpu":0e99999999999999999999}}`), pod],
    [container(`"resources":{"limits":{"cpu":"1e99999999999999999999"}}`), pod],
    [container(`"resources":{"limits":{"cpu":"abc"}}`), pod],
    [container(`"resources":{"limits":{"cpu":true}}`), pod],
    [container(`"resources":{"limits":{"cpu":[]}}`), pod],
    [`{"a":1e400}`, anyType],
    [`{"a":[-1e400]}`, anyType],
    [`{"spec":{"versions":[{"schema":{"openAPIV3Schema":{"maximum":1e999}}}]}}`, types.crd],
    [`{"metadata":{"creationTimestamp":5}}`, pod],
    [`{"metadata":{"labels":{"a":1}}}`, pod],
    [`{"metadata":{"labels":[]}}`, pod],
    [`{"spec":"x"}`, pod],
    [`{"spec":{"containers":{}}}`, pod],
    [`{"spec":{"hostNetwork":"true"}}`, pod],
    [`{"data":{"k":"hello!"}}`, types.secret],
    [`{"data":{"k":"aGVsbG8"}}`, types.secret],
    // Syntax errors, bodies that are not objects, bad apiVersion/kind.
    [`{"a":1,}`, anyType],
    [`{"a":1}x`, anyType],
    [`{"a":"\\x"}`, anyType],
    [`{"a":"x\ny"}`, anyType],
    [`{"a":01}`, anyType],
    [`{"a":"`, anyType],
    [``, pod],
    [`null`, pod],
    [`[{"a":1}]`, pod],
    [`"x"`, pod],
    [`\ufeff{}`, pod],
    [`{"apiVersion":"a/b/c"}`, pod],
    [`{"kind":1}`, pod],
    [`{"apiVersion":["v1"]}`, anyType],
  ];

  test("bodies with anything to report go to the precise decoder", () => {
    for (const [body, type] of reported)
      assert.equal(check(body, type), false, `fast path answered: ${body}`);
  });

  test("base64: the canonical shortcut never accepts what encoding/base64 rejects", () => {
    const samples = [
      "",
      "QQ==",
      "QUI=",
      "QUJD",
      "Q===",
      "====",
      "QQ=",
      "Q",
      "QUJDRA==",
      "QU JD",
      "QUJD\n",
      "QQ==QQ==",
    ];
    for (const s of samples) {
      const precise = outcome(() => decodeJSONPrecise(`{"data":{"k":${JSON.stringify(s)}}}`, types.secret));
      const fast = decodeJSONFast(`{"data":{"k":${JSON.stringify(s)}}}`, types.secret);
      assert.equal(fast !== undefined, "ok" in precise, s);
    }
  });

  test("quantities: the plain-form shortcut never accepts what ParseQuantity rejects", () => {
    const samples = [
      "0",
      "1",
      "100m",
      "64Mi",
      "1Ki",
      "1K",
      "1k",
      "1E",
      "1Ei",
      "1e",
      "1x",
      "1n",
      "1u",
      "1ki",
      "1Mi ",
      " 1",
      "1Mix",
      "m",
      "1.5",
      "1e3",
      "1E+3",
      "-1",
      "1P",
      "1Pi",
      "1T",
      "1Ti",
      "1G",
      "1Gi",
      "1M",
      "1i",
    ];
    for (const q of samples) {
      const body = container(`"resources":{"limits":{"cpu":${JSON.stringify(q)}}}`);
      const precise = outcome(() => decodeJSONPrecise(body, pod));
      assert.equal(decodeJSONFast(body, pod) !== undefined, "ok" in precise, q);
    }
  });

  // Seeded mutations of real bodies: duplicates, unknown fields, odd numbers,
  // escapes, whitespace, wrong types, at random depths.
  test("randomised mutations of Pod and Deployment bodies", () => {
    type Raw = { t: "obj"; pairs: [string, Raw][] } | { t: "arr"; items: Raw[] } | { t: "lit"; text: string };
    const toRaw = (v: unknown): Raw => {
      if (Array.isArray(v)) return { t: "arr", items: v.map(toRaw) };
      if (v !== null && typeof v === "object") {
        return { t: "obj", pairs: Object.entries(v).map(([k, x]) => [JSON.stringify(k), toRaw(x)]) };
      }
      return { t: "lit", text: JSON.stringify(v) };
    };
    const ws = [" ", "\n", "\t", "\r\n  "];
    let seed = 20240601;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const serialize = (r: Raw): string => {
      const sp = () => (rand(40) === 0 ? ws[rand(ws.length)] : "");
      if (r.t === "lit") return r.text;
      if (r.t === "arr") return `[${sp()}${r.items.map(serialize).join(`,${sp()}`)}]`;
      return `{${sp()}${r.pairs.map(([k, v]) => `${k}${sp()}:${sp()}${serialize(v)}`).join(`,${sp()}`)}}`;
    };
    const nodes = (r: Raw, out: Raw[] = []): Raw[] => {
      out.push(r);
      if (r.t === "obj") for (const [, v] of r.pairs) nodes(v, out);
      if (r.t === "arr") for (const v of r.items) nodes(v, out);
      return out;
    };
    const odd = [
      "1.0",
      "1e3",
      "1E0",
      "-0",
      "0",
      "2147483648",
      "9007199254740993",
      "9223372036854775808",
      "1e400",
      "0.5",
      "-1.5e-3",
      "1e99999999999999999999",
      "300",
      '"8080"',
      "true",
      "null",
      "{}",
      "[]",
      '"100m"',
      '"1.5Gi"',
      '"abc"',
      '"aGVsbG8="',
      '"\\ud800"',
      '"\\u00e9\\n"',
    ];
    const keyVariants = (k: string): string[] => {
      const name = JSON.parse(k) as string;
      return [
        k,
        name.length > 0 ? `"\\u${name.charCodeAt(0).toString(16).padStart(4, "0")}${name.slice(1)}"` : k,
        `"unknown${rand(3)}"`,
        `"__proto__"`,
      ];
    };
    const deploymentBody = JSON.stringify({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", labels: { app: "x" }, annotations: { "a/b": "c:d" } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: "x" } },
        strategy: { rollingUpdate: { maxSurge: "25%", maxUnavailable: 1 } },
        template: { metadata: { labels: { app: "x" } }, spec: JSON.parse(podBody).spec },
      },
    });
    const bases: [string, DecodeType][] = [
      [podBody, pod],
      [deploymentBody, deploy],
      [podBody, anyType],
    ];
    let fastCount = 0;
    let preciseCount = 0;
    for (let i = 0; i < 600; i++) {
      const [base, type] = bases[i % bases.length];
      const raw = toRaw(JSON.parse(base));
      for (let m = 1 + rand(2); m > 0; m--) {
        const all = nodes(raw);
        const objs = all.filter((n): n is Extract<Raw, { t: "obj" }> => n.t === "obj" && n.pairs.length > 0);
        const lits = all.filter((n): n is Extract<Raw, { t: "lit" }> => n.t === "lit");
        const o = objs[rand(objs.length)];
        const pick = rand(o.pairs.length);
        const [k, v] = o.pairs[pick];
        switch (rand(6)) {
          case 0: // a duplicate, same or other value, anywhere after the first
            o.pairs.splice(pick + 1 + rand(o.pairs.length - pick), 0, [k, rand(2) ? v : toRaw("other")]);
            break;
          case 1: // a key spelled another way, or unknown, or __proto__
            o.pairs[pick] = [keyVariants(k)[rand(4)], v];
            break;
          case 2:
          case 3: // a value written another way
            lits[rand(lits.length)].text = odd[rand(odd.length)];
            break;
          case 4: // a value replaced by one of another type
            o.pairs[pick] = [k, toRaw([{}, [], "s", 1, true, null][rand(6)])];
            break;
          default: // whitespace only (serialize adds it)
            break;
        }
      }
      if (check(serialize(raw), type)) fastCount++;
      else preciseCount++;
    }
    // Both paths are exercised.
    assert.ok(fastCount > 50, `fast path answered ${fastCount} times`);
    assert.ok(preciseCount > 200, `precise decoder answered ${preciseCount} times`);
  });

  test("YAML bodies: converted to JSON, then decoded through the same paths", () => {
    const yamlPod = `apiVersion: v1
kind: Pod
metadata:
  name: p
  labels: {app: x, __proto__: "y"}
spec:
  containers:
  - name: a
    ports: [{containerPort: 8080}]
    resources: {limits: {cpu: 0.5, memory: 64Mi}}
`;
    const r = decodeBody(yamlPod, "application/yaml", { group: "", version: "v1", kind: "Pod" });
    assert.deepEqual(r.strictErrors, []);
    assertSameValue(
      r.object,
      decodeJSONPrecise(
        `{"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"__proto__":"y","app":"x"},"name":"p"},"spec":{"containers":[{"name":"a","ports":[{"containerPort":8080}],"resources":{"limits":{"cpu":0.5,"memory":"64Mi"}}}]}}`,
        pod,
      ).object,
    );
    // YAML 1.1 reads 1.0 as a float, which json.Marshal writes as 1: an int32 takes it.
    assert.deepEqual(
      decodeBody(
        "spec:\n  containers:\n  - name: a\n    ports: [{containerPort: 1.0}]\n",
        "application/yaml",
        {
          group: "",
          version: "v1",
          kind: "Pod",
        },
      ).object,
      { spec: { containers: [{ name: "a", ports: [{ containerPort: 1 }] }] } },
    );
    assert.throws(() => decodeBody("spec:\n  replicas: 1.5\n", "application/yaml", deployment), {
      message:
        "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32",
    });
    const dup = decodeBody(
      "spec:\n  paused: true\n  paused: false\n  foo: 1\n",
      "application/yaml",
      deployment,
    );
    assert.deepEqual(dup.warnings, [`line 3: key "paused" already set in map`, `unknown field "spec.foo"`]);
  });

  test("nesting deeper than the walk can go falls back to the precise decoder", () => {
    const depth = 20000;
    const body = `{"data":${"[".repeat(depth)}${"]".repeat(depth)}}`;
    const precise = (() => {
      try {
        return decodeJSONPrecise(body, types.controllerRevision);
      } catch (e) {
        return e;
      }
    })();
    const combined = (() => {
      try {
        return decodeJSON(body, types.controllerRevision);
      } catch (e) {
        return e;
      }
    })();
    assert.equal(Object.prototype.toString.call(combined), Object.prototype.toString.call(precise));
    assert.equal((combined as Error).message, (precise as Error).message);
  });
});

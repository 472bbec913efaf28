// apiextensions.k8s.io/v1 CustomResourceDefinition validation and defaults:
// cases after upstream's TestValidateCustomResourceDefinition(Update),
// TestValidateCustomResourceDefinitionValidation and the structural schema
// tests, asserting the exact field paths and messages. A schema shared by all
// versions is reported under spec.validation, as upstream's v1 → internal
// conversion moves it there.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createErrors, defaulted, type J, statusErrors, stored, updateErrors } from "./test-helpers.ts";

const g = "apiextensions.k8s.io";
const K = "CustomResourceDefinition";

const subdomainMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const dns1035Msg =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

const specSchema = (props: J = { replicas: { type: "integer" } }): J => ({
  type: "object",
  properties: { spec: { type: "object", properties: props } },
});

const version = (name: string, extra: J = {}, schema: J | null = specSchema()): J => ({
  name,
  served: true,
  storage: true,
  ...(schema ? { schema: { openAPIV3Schema: schema } } : {}),
  ...extra,
});

const crd = (spec: J = {}, meta: J = {}, status?: J): J => ({
  apiVersion: `${g}/v1`,
  kind: K,
  metadata: { name: "widgets.example.com", ...meta },
  spec: {
    group: "example.com",
    scope: "Namespaced",
    names: { plural: "widgets", kind: "Widget" },
    versions: [version("v1")],
    ...spec,
  },
  ...(status ? { status } : {}),
});

/** A CRD whose one version has the given root schema. */
const withSchema = (schema: J, extra: J = {}): J => crd({ versions: [version("v1", extra, schema)] });

const create = (obj: J) => createErrors(g, K, obj);
const schemaErrors = (schema: J, extra: J = {}) => create(withSchema(schema, extra));
const update = (obj: J, old: J) => updateErrors(g, K, obj, old);
const metaStored = (meta: J = {}) => stored({ name: "widgets.example.com", ...meta });
const storedCrd = (spec: J = {}, status: J = { storedVersions: ["v1"] }, meta: J = {}): J =>
  crd(spec, metaStored(meta), status);
const established = { conditions: [{ type: "Established", status: "True" }], storedVersions: ["v1"] };

const versionText = (name: string, served: boolean, storage: boolean, schema = false) =>
  `apiextensions.CustomResourceDefinitionVersion{Name:"${name}", Served:${served}, Storage:${storage}, Deprecated:false, DeprecationWarning:(*string)(nil), Schema:(*apiextensions.CustomResourceValidation)(${schema ? "0xc000000000" : "nil"}), Subresources:(*apiextensions.CustomResourceSubresources)(nil), AdditionalPrinterColumns:[]apiextensions.CustomResourceColumnDefinition(nil), SelectableFields:[]apiextensions.SelectableField(nil)}`;

describe("defaults", () => {
  test("names, conversion and stored versions", () => {
    const d = defaulted(g, K, crd());
    assert.deepEqual(d.spec.names, {
      plural: "widgets",
      kind: "Widget",
      singular: "widget",
      listKind: "WidgetList",
    });
    assert.deepEqual(d.spec.conversion, { strategy: "None" });
    assert.deepEqual(d.status, { storedVersions: ["v1"] });
  });

  test("given values are kept", () => {
    const d = defaulted(
      g,
      K,
      crd(
        {
          names: { plural: "widgets", kind: "Widget", singular: "wid", listKind: "Widgets" },
          versions: [version("v1", { storage: false }), version("v2")],
          conversion: { strategy: "Webhook", webhook: { conversionReviewVersions: ["v1"] } },
        },
        {},
        { storedVersions: ["v1"] },
      ),
    );
    assert.deepEqual(d.spec.names, {
      plural: "widgets",
      kind: "Widget",
      singular: "wid",
      listKind: "Widgets",
    });
    assert.deepEqual(d.spec.conversion, {
      strategy: "Webhook",
      webhook: { conversionReviewVersions: ["v1"] },
    });
    assert.deepEqual(d.status, { storedVersions: ["v1"] });
  });

  test("the storage version becomes the stored version; listKind needs a kind", () => {
    const d = defaulted(
      g,
      K,
      crd({ names: { plural: "widgets" }, versions: [version("v1", { storage: false }), version("v2")] }),
    );
    assert.deepEqual(d.status, { storedVersions: ["v2"] });
    assert.deepEqual(d.spec.names, { plural: "widgets" });
  });

  test("webhook service port 443", () => {
    const conversion = {
      strategy: "Webhook",
      webhook: {
        conversionReviewVersions: ["v1"],
        clientConfig: { service: { name: "conv", namespace: "default" } },
      },
    };
    const d = defaulted(g, K, crd({ conversion }));
    assert.equal(d.spec.conversion.webhook.clientConfig.service.port, 443);
    const kept = defaulted(
      g,
      K,
      crd({
        conversion: {
          ...conversion,
          webhook: {
            ...conversion.webhook,
            clientConfig: { service: { name: "c", namespace: "d", port: 8443 } },
          },
        },
      }),
    );
    assert.equal(kept.spec.conversion.webhook.clientConfig.service.port, 8443);
  });
});

describe("create", () => {
  test("valid CRDs", () => {
    assert.deepEqual(create(crd()), []);
    assert.deepEqual(
      create(
        crd({
          scope: "Cluster",
          names: { plural: "widgets", kind: "Widget", shortNames: ["wd"], categories: ["all"] },
          versions: [
            version(
              "v1",
              {
                deprecated: true,
                deprecationWarning: "use v2",
                storage: false,
                subresources: {
                  status: {},
                  scale: {
                    specReplicasPath: ".spec.replicas",
                    statusReplicasPath: ".status.replicas",
                    labelSelectorPath: ".status.selector",
                  },
                },
                additionalPrinterColumns: [
                  { name: "Replicas", type: "integer", jsonPath: ".spec.replicas", priority: 1 },
                  { name: "Age", type: "date", format: "date-time", jsonPath: ".metadata.creationTimestamp" },
                ],
                selectableFields: [{ jsonPath: ".spec.color" }],
              },
              {
                type: "object",
                required: ["spec"],
                "x-kubernetes-validations": [{ rule: "self.spec.replicas >= 0", message: "no negatives" }],
                properties: {
                  apiVersion: { type: "string" },
                  kind: { type: "string" },
                  metadata: { type: "object", properties: { name: { type: "string", maxLength: 20 } } },
                  spec: {
                    type: "object",
                    properties: {
                      replicas: { type: "integer", default: 1, minimum: 0 },
                      color: { type: "string", enum: ["red", "blue"], default: "red" },
                      port: {
                        "x-kubernetes-int-or-string": true,
                        anyOf: [{ type: "integer" }, { type: "string" }],
                      },
                      labels: { type: "object", additionalProperties: { type: "string" } },
                      free: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                      template: {
                        type: "object",
                        "x-kubernetes-embedded-resource": true,
                        "x-kubernetes-preserve-unknown-fields": true,
                      },
                      ports: {
                        type: "array",
                        "x-kubernetes-list-type": "map",
                        "x-kubernetes-list-map-keys": ["name"],
                        items: {
                          type: "object",
                          required: ["name"],
                          properties: { name: { type: "string" }, port: { type: "integer" } },
                        },
                      },
                      tags: { type: "array", "x-kubernetes-list-type": "set", items: { type: "string" } },
                      either: {
                        type: "object",
                        properties: { a: { type: "string" }, b: { type: "string" } },
                        oneOf: [{ required: ["a"] }, { required: ["b"] }],
                      },
                    },
                  },
                  status: {
                    type: "object",
                    properties: { replicas: { type: "integer" }, selector: { type: "string" } },
                  },
                },
              },
            ),
            version("v2", {}, specSchema({ size: { type: "string" } })),
          ],
          conversion: {
            strategy: "Webhook",
            webhook: {
              conversionReviewVersions: ["v1", "v1beta1"],
              clientConfig: { service: { name: "conv", namespace: "default", path: "/convert" } },
            },
          },
        }),
      ),
      [],
    );
  });

  test("name must be plural.group", () => {
    assert.deepEqual(create(crd({}, { name: "widget.example.com" })), [
      'metadata.name: Invalid value: "widget.example.com": must be spec.names.plural+"."+spec.group',
    ]);
  });

  test("cluster-scoped object: no namespace", () => {
    assert.deepEqual(create(crd({}, { namespace: "default" })), [
      "metadata.namespace: Forbidden: not allowed on this type",
    ]);
  });

  test("group", () => {
    assert.deepEqual(create(crd({ group: "" }, { name: "widgets." })), [
      `metadata.name: Invalid value: "widgets.": ${subdomainMsg}`,
      "spec.group: Required value",
    ]);
    assert.deepEqual(create(crd({ group: "Example.com" }, { name: "widgets.Example.com" })), [
      `metadata.name: Invalid value: "widgets.Example.com": ${subdomainMsg}`,
      `spec.group: Invalid value: "Example.com": ${subdomainMsg}`,
    ]);
    assert.deepEqual(create(crd({ group: "example" }, { name: "widgets.example" })), [
      'spec.group: Invalid value: "example": should be a domain with at least one dot',
    ]);
  });

  test("scope", () => {
    assert.deepEqual(create(crd({ scope: "" })), ["spec.scope: Required value"]);
    assert.deepEqual(create(crd({ scope: "Global" })), [
      'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"',
    ]);
  });

  test("names", () => {
    assert.deepEqual(create(crd({ names: { plural: "", kind: "Widget" } }, { name: ".example.com" })), [
      `metadata.name: Invalid value: ".example.com": ${subdomainMsg}`,
      "spec.names.plural: Required value",
    ]);
    assert.deepEqual(create(crd({ names: { plural: "widgets" } })), [
      "spec.names.singular: Required value",
      "spec.names.kind: Required value",
      "spec.names.listKind: Required value",
    ]);
    assert.deepEqual(
      create(
        crd(
          {
            names: {
              plural: "Widgets",
              singular: "wid_get",
              kind: "Wid.get",
              listKind: "Wid.get",
              shortNames: ["ok", "Bad"],
              categories: ["all", "-x"],
            },
          },
          { name: "Widgets.example.com" },
        ),
      ),
      [
        `metadata.name: Invalid value: "Widgets.example.com": ${subdomainMsg}`,
        `spec.names.plural: Invalid value: "Widgets": ${dns1035Msg}`,
        `spec.names.singular: Invalid value: "wid_get": ${dns1035Msg}`,
        `spec.names.kind: Invalid value: "Wid.get": may have mixed case, but should otherwise match: ${dns1035Msg}`,
        `spec.names.listKind: Invalid value: "Wid.get": may have mixed case, but should otherwise match: ${dns1035Msg}`,
        `spec.names.shortNames[1]: Invalid value: "Bad": ${dns1035Msg}`,
        'spec.names.listKind: Invalid value: "Wid.get": kind and listKind may not be the same',
        `spec.names.categories[1]: Invalid value: "-x": ${dns1035Msg}`,
      ],
    );
  });

  test("status.acceptedNames are validated too", () => {
    assert.deepEqual(
      create(crd({}, {}, { storedVersions: ["v1"], acceptedNames: { plural: "Widgets", kind: "Widget" } })),
      [`status.acceptedNames.plural: Invalid value: "Widgets": ${dns1035Msg}`],
    );
  });

  test("versions: exactly one storage version, unique DNS-1035 names", () => {
    assert.deepEqual(create(crd({ versions: [version("v1", { storage: false })] })), [
      `spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion{${versionText("v1", true, false)}}: must have exactly one version marked as storage version`,
      "status.storedVersions: Invalid value: []string(nil): must have at least one stored version",
    ]);
    // Defaulting made the first storage version the stored one.
    assert.deepEqual(create(crd({ versions: [version("v1"), version("v2", {}, specSchema({}))] })), [
      `spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion{${versionText("v1", true, true, true)}, ${versionText("v2", true, true, true)}}: must have exactly one version marked as storage version`,
      'status.storedVersions: Invalid value: []string{"v1"}: must have the storage version v2',
    ]);
    assert.deepEqual(create(crd({ versions: [version("v1"), version("v1", { storage: false })] })), [
      `spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion{${versionText("v1", true, true)}, ${versionText("v1", true, false)}}: must contain unique version names`,
    ]);
    // The internal spec.version is a copy of the first version's name, and validated too.
    assert.deepEqual(create(crd({ versions: [version("V1")] })), [
      `spec.versions[0].name: Invalid value: "V1": ${dns1035Msg}`,
      `spec.version: Invalid value: "V1": ${dns1035Msg}`,
    ]);
    assert.deepEqual(create(crd({ versions: [] })), [
      "spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion{}: must have exactly one version marked as storage version",
      "status.storedVersions: Invalid value: []string(nil): must have at least one stored version",
    ]);
  });

  test("deprecation warnings", () => {
    assert.deepEqual(create(crd({ versions: [version("v1", { deprecationWarning: "old" })] })), [
      'spec.versions[0].deprecationWarning: Invalid value: "old": can only be set for deprecated versions',
    ]);
    const long = "x".repeat(257);
    assert.deepEqual(
      create(crd({ versions: [version("v1", { deprecated: true, deprecationWarning: long })] })),
      [`spec.versions[0].deprecationWarning: Invalid value: "${long}": must be <= 256 characters long`],
    );
    assert.deepEqual(
      create(crd({ versions: [version("v1", { deprecated: true, deprecationWarning: "" })] })),
      ['spec.versions[0].deprecationWarning: Invalid value: "": must not be an empty string'],
    );
    assert.deepEqual(
      create(crd({ versions: [version("v1", { deprecated: true, deprecationWarning: "é\tx" })] })),
      [
        'spec.versions[0].deprecationWarning: Invalid value: "é\\tx": must only contain printable UTF-8 characters; non-printable character found at index 2',
      ],
    );
  });

  test("schemas are required in v1", () => {
    assert.deepEqual(create(crd({ versions: [version("v1", {}, null)] })), [
      "spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required",
    ]);
    assert.deepEqual(create(crd({ versions: [version("v1", { schema: {} }, null)] })), [
      "spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required",
    ]);
    assert.deepEqual(create(crd({ versions: [version("v1"), version("v2", { storage: false }, null)] })), [
      "spec.versions[1].schema.openAPIV3Schema: Required value: schemas are required",
    ]);
  });

  test("preserveUnknownFields must stay false", () => {
    assert.deepEqual(create(crd({ preserveUnknownFields: true })), [
      "spec.preserveUnknownFields: Invalid value: true: cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead",
    ]);
  });

  test("protected groups need an API approval annotation", () => {
    const k8s = (annotations?: J) =>
      crd(
        { group: "widgets.k8s.io" },
        { name: "widgets.widgets.k8s.io", ...(annotations ? { annotations } : {}) },
      );
    assert.deepEqual(create(k8s()), [
      'metadata.annotations[api-approved.kubernetes.io]: Required value: protected groups must have approval annotation "api-approved.kubernetes.io", see https://github.com/kubernetes/enhancements/pull/1111',
    ]);
    assert.deepEqual(create(k8s({ "api-approved.kubernetes.io": "maybe" })), [
      'metadata.annotations[api-approved.kubernetes.io]: Invalid value: "maybe": protected groups must have approval annotation "api-approved.kubernetes.io" with either a URL or a reason starting with "unapproved", see https://github.com/kubernetes/enhancements/pull/1111',
    ]);
    assert.deepEqual(
      create(k8s({ "api-approved.kubernetes.io": "https://github.com/kubernetes/kubernetes/pull/1" })),
      [],
    );
    assert.deepEqual(create(k8s({ "api-approved.kubernetes.io": "unapproved, testing" })), []);
  });
});

describe("structural schemas", () => {
  const v = "spec.validation.openAPIV3Schema";

  test("a schema shared by all versions is reported under spec.validation; differing ones per version", () => {
    const bad = { type: "object", properties: { spec: { properties: {} } } };
    assert.deepEqual(
      create(crd({ versions: [version("v1", {}, bad), version("v2", { storage: false }, bad)] })),
      [`${v}.properties[spec].type: Required value: must not be empty for specified object fields`],
    );
    assert.deepEqual(create(crd({ versions: [version("v1"), version("v2", { storage: false }, bad)] })), [
      "spec.versions[1].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields",
    ]);
  });

  test("type is required at every level", () => {
    assert.deepEqual(schemaErrors({ properties: { spec: { type: "object" } } }), [
      `${v}.type: Required value: must not be empty at the root`,
    ]);
    assert.deepEqual(
      schemaErrors({
        type: "object",
        properties: { list: { type: "array", items: { properties: { a: { type: "string" } } } } },
      }),
      [`${v}.properties[list].items.type: Required value: must not be empty for specified array items`],
    );
    assert.deepEqual(schemaErrors({ type: "object", properties: { list: { type: "array" } } }), [
      `${v}.properties[list].items: Required value: must be specified`,
    ]);
    assert.deepEqual(schemaErrors({ type: "string" }), [
      `${v}.type: Invalid value: "string": must be object at the root`,
    ]);
  });

  test("int-or-string and preserve-unknown-fields may leave type empty", () => {
    assert.deepEqual(
      schemaErrors({
        type: "object",
        properties: {
          a: { "x-kubernetes-int-or-string": true },
          b: {
            "x-kubernetes-int-or-string": true,
            allOf: [{ anyOf: [{ type: "integer" }, { type: "string" }] }, { pattern: "^[0-9]+$" }],
          },
          c: { "x-kubernetes-preserve-unknown-fields": true },
        },
      }),
      [],
    );
    // The anyOf pattern is exempt whether or not x-kubernetes-int-or-string is set; other types are not.
    assert.deepEqual(
      schemaErrors({
        type: "object",
        properties: { a: { type: "string", anyOf: [{ type: "integer" }, { type: "string" }] } },
      }),
      [],
    );
    assert.deepEqual(
      schemaErrors({
        type: "object",
        properties: {
          a: { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "number" }] },
        },
      }),
      [
        `${v}.properties[a].anyOf[0].type: Forbidden: must be empty to be structural`,
        `${v}.properties[a].anyOf[1].type: Forbidden: must be empty to be structural`,
      ],
    );
    assert.deepEqual(
      schemaErrors({
        type: "object",
        properties: {
          a: { "x-kubernetes-int-or-string": true, "x-kubernetes-preserve-unknown-fields": true },
        },
      }),
      [
        `${v}.properties[a].x-kubernetes-preserve-unknown-fields: Invalid value: true: must be false if x-kubernetes-int-or-string is true`,
      ],
    );
  });

  test("value validations may not specify structure", () => {
    assert.deepEqual(
      schemaErrors({
        type: "object",
        properties: {
          a: {
            type: "object",
            properties: { x: { type: "string" } },
            anyOf: [{ properties: { y: { description: "d" } } }],
          },
        },
      }),
      [`${v}.properties[a].anyOf[0].properties[y].description: Forbidden: must be empty to be structural`],
    );
    // Completeness is checked against the root's value validations only, as upstream does.
    assert.deepEqual(
      schemaErrors({
        type: "object",
        properties: { x: { type: "string" } },
        anyOf: [{ properties: { y: {} } }, { required: ["x"] }],
      }),
      [`${v}.properties[y]: Required value: because it is defined in ${v}.anyOf[0].properties[y]`],
    );
    assert.deepEqual(schemaErrors({ type: "object", allOf: [{ properties: { metadata: {} } }] }), [
      `${v}.allOf[0].properties[metadata]: Forbidden: must not be specified in a nested context`,
      `${v}.properties[metadata]: Required value: because it is defined in ${v}.allOf[0].properties[metadata]`,
    ]);
    assert.deepEqual(
      schemaErrors({ type: "object", not: { "x-kubernetes-validations": [{ rule: "true" }] } }),
      [`${v}.not.x-kubernetes-validations: Forbidden: must be empty to be structural`],
    );
    assert.deepEqual(schemaErrors({ type: "object", pattern: "(" }), [
      `${v}.pattern: Invalid value: "(": must be a valid regular expression, but isn't: error parsing regexp: missing closing ): \`(\``,
    ]);
    assert.deepEqual(
      schemaErrors({
        type: "object",
        properties: { a: { type: "string", pattern: "x[a-" }, b: { type: "string", pattern: "a)" } },
      }),
      [
        `${v}.properties[a].pattern: Invalid value: "x[a-": must be a valid regular expression, but isn't: error parsing regexp: missing closing ]: \`[a-\``,
        `${v}.properties[b].pattern: Invalid value: "a)": must be a valid regular expression, but isn't: error parsing regexp: unexpected ): \`a)\``,
      ],
    );
    assert.deepEqual(
      schemaErrors({
        type: "object",
        properties: { a: { type: "string", pattern: "(?i)^[]a-z[:digit:]]+$" } },
      }),
      [],
    );
  });

  test("forbidden keywords", () => {
    assert.deepEqual(schemaErrors({ type: "object", properties: { a: { $ref: "#/definitions/x" } } }), [
      `${v}.properties[a].$ref: Forbidden: $ref is not supported`,
    ]);
    assert.deepEqual(
      schemaErrors({
        type: "object",
        properties: {
          a: { type: "array", items: [{ type: "string" }] },
          b: { type: "string", id: "x", uniqueItems: true },
          c: { type: "object", patternProperties: { "^x": { type: "string" } } },
          d: { type: "null" },
        },
      }),
      [
        `${v}.properties[a].items: Forbidden: items must be a schema object and not an array`,
        `${v}.properties[b].id: Forbidden: id is not supported`,
        `${v}.properties[b].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`,
        `${v}.properties[c].patternProperties: Forbidden: patternProperties is not supported`,
        `${v}.properties[d].type: Unsupported value: "null": supported values: "array", "boolean", "integer", "number", "object", "string"`,
        `${v}.properties[d].type: Forbidden: type cannot be set to null, use nullable as an alternative`,
      ],
    );
    assert.deepEqual(schemaErrors({ type: "object", properties: { a: { type: "bug" } } }), [
      `${v}.properties[a].type: Unsupported value: "bug": supported values: "array", "boolean", "integer", "number", "object", "string"`,
    ]);
    assert.deepEqual(schemaErrors({ type: "object", nullable: true }), [
      `${v}.nullable: Forbidden: nullable cannot be true at the root`,
    ]);
    assert.deepEqual(
      schemaErrors({
        type: "object",
        properties: { a: { type: "string", "x-kubernetes-preserve-unknown-fields": false } },
      }),
      [
        `${v}.properties[a].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined`,
      ],
    );
  });

  test("additionalProperties", () => {
    assert.deepEqual(
      schemaErrors({
        type: "object",
        properties: {
          a: {
            type: "object",
            properties: { x: { type: "string" } },
            additionalProperties: { type: "string" },
          },
          b: { type: "object", properties: { x: { type: "string" } }, additionalProperties: false },
          c: { type: "object", properties: { x: { type: "string" } }, additionalProperties: true },
        },
      }),
      [
        `${v}.properties[a].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`,
        `${v}.properties[b].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`,
      ],
    );
    assert.deepEqual(schemaErrors({ type: "object", additionalProperties: { type: "string" } }), [
      `${v}.additionalProperties: Forbidden: must not be used at the root`,
    ]);
  });

  test("metadata may only restrict name and generateName", () => {
    assert.deepEqual(
      schemaErrors({
        type: "object",
        properties: {
          metadata: {
            type: "object",
            properties: { name: { type: "string", pattern: "^a" }, generateName: { type: "string" } },
          },
        },
      }),
      [],
    );
    assert.deepEqual(
      schemaErrors({
        type: "object",
        properties: { metadata: { type: "object", properties: { labels: { type: "object" } } } },
      }),
      [
        `${v}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`,
      ],
    );
    assert.deepEqual(
      schemaErrors({
        type: "object",
        properties: { metadata: { type: "string" }, kind: { type: "integer" } },
      }),
      [
        `${v}.properties[kind].type: Invalid value: "integer": must be string`,
        `${v}.properties[metadata].type: Invalid value: "string": must be object`,
      ],
    );
    assert.deepEqual(
      schemaErrors({ type: "object", properties: { metadata: { type: "object", default: { name: "x" } } } }),
      [`${v}.properties[metadata].default: Forbidden: must not be set in top-level metadata`],
    );
  });

  test("x-kubernetes-embedded-resource", () => {
    assert.deepEqual(
      schemaErrors({ type: "object", properties: { t: { "x-kubernetes-embedded-resource": true } } }),
      [
        `${v}.properties[t].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields`,
        `${v}.properties[t].type: Required value: must be object if x-kubernetes-embedded-resource is true`,
      ],
    );
    assert.deepEqual(
      schemaErrors({
        type: "object",
        properties: {
          t: {
            type: "object",
            "x-kubernetes-embedded-resource": true,
            properties: {
              kind: { type: "string" },
              metadata: { type: "object", properties: { labels: { type: "object" } } },
            },
          },
          u: {
            type: "object",
            "x-kubernetes-embedded-resource": true,
            "x-kubernetes-preserve-unknown-fields": true,
            additionalProperties: { type: "string" },
          },
        },
      }),
      [
        `${v}.properties[u].additionalProperties: Forbidden: must not be used if x-kubernetes-embedded-resource is set`,
      ],
    );
    assert.deepEqual(
      schemaErrors({
        type: "object",
        properties: {
          metadata: {
            type: "object",
            properties: {
              name: {
                type: "object",
                "x-kubernetes-embedded-resource": true,
                "x-kubernetes-preserve-unknown-fields": true,
              },
            },
          },
        },
      }),
      [
        `${v}.properties[metadata].properties[name].x-kubernetes-embedded-resource: Forbidden: must not be used inside of resource meta`,
      ],
    );
  });

  test("x-kubernetes-list-type and x-kubernetes-list-map-keys", () => {
    const list = (extra: J, items: J = { type: "string" }) =>
      schemaErrors({ type: "object", properties: { l: { type: "array", items, ...extra } } });
    assert.deepEqual(list({ "x-kubernetes-list-type": "bag" }), [
      `${v}.properties[l].x-kubernetes-list-type: Unsupported value: "bag": supported values: "atomic", "set", "map"`,
    ]);
    assert.deepEqual(
      schemaErrors({
        type: "object",
        properties: { s: { type: "string", "x-kubernetes-list-type": "atomic" } },
      }),
      [
        `${v}.properties[s].type: Invalid value: "string": must be array if x-kubernetes-list-type is specified`,
      ],
    );
    assert.deepEqual(list({ "x-kubernetes-list-map-keys": ["name"] }), [
      `${v}.properties[l].x-kubernetes-list-type: Required value: must be map if x-kubernetes-list-map-keys is non-empty`,
    ]);
    assert.deepEqual(list({ "x-kubernetes-list-type": "map" }), [
      `${v}.properties[l].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map`,
      `${v}.properties[l].items.type: Invalid value: "string": must be object if parent array's x-kubernetes-list-type is map`,
    ]);
    assert.deepEqual(
      list(
        { "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name", "missing", "sub", "name"] },
        {
          type: "object",
          required: ["name", "sub"],
          properties: { name: { type: "string" }, sub: { type: "object" } },
        },
      ),
      [
        `${v}.properties[l].x-kubernetes-list-map-keys: Invalid value: []string{"name", "missing", "sub", "name"}: entries must all be names of item properties`,
        `${v}.properties[l].items.properties[sub].type: Invalid value: "object": must be a scalar type if parent array's x-kubernetes-list-type is map`,
        `${v}.properties[l].x-kubernetes-list-map-keys: Invalid value: []string{"name", "missing", "sub", "name"}: must not contain duplicate entries`,
      ],
    );
    assert.deepEqual(
      list(
        { "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"] },
        { type: "object", properties: { name: { type: "string", nullable: true } } },
      ),
      [
        `${v}.properties[l].items.properties[name].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`,
        `${v}.properties[l].items.properties[name].nullable: Forbidden: this property is in x-kubernetes-list-map-keys, so it cannot be nullable`,
      ],
    );
    assert.deepEqual(
      list({ "x-kubernetes-list-type": "set" }, { type: "object", properties: { a: { type: "string" } } }),
      [
        `${v}.properties[l].items.x-kubernetes-map-type: Invalid value: "null": must be atomic as item of a list with x-kubernetes-list-type=set`,
      ],
    );
    assert.deepEqual(
      list(
        { "x-kubernetes-list-type": "set" },
        { type: "object", "x-kubernetes-map-type": "atomic", properties: { a: { type: "string" } } },
      ),
      [],
    );
    assert.deepEqual(
      schemaErrors({
        type: "object",
        properties: { m: { type: "object", "x-kubernetes-map-type": "loose" } },
      }),
      [
        `${v}.properties[m].x-kubernetes-map-type: Unsupported value: "loose": supported values: "atomic", "granular"`,
      ],
    );
  });

  test("x-kubernetes-validations are checked for shape, then compiled", () => {
    const rules = (r: J[]) =>
      schemaErrors({ type: "object", properties: { a: { type: "string" } }, "x-kubernetes-validations": r });
    const [syntax, messageExpression, optionalOldSelf] = rules([
      { rule: "this is not CEL ((" },
      { rule: "self.a != ''", messageExpression: "1 + self.a" },
      { rule: "self.a != ''", optionalOldSelf: true },
      { rule: "self.a == oldSelf.a", optionalOldSelf: false },
    ]);
    assert.match(
      syntax,
      /^spec\.validation\.openAPIV3Schema\.x-kubernetes-validations\[0\]\.rule: Invalid value: apiextensions\.ValidationRule\{Rule:"this is not CEL \(\(", .*\}: compilation failed: Syntax error: /,
    );
    assert.match(
      messageExpression,
      /^spec.validation.openAPIV3Schema.x-kubernetes-validations\[1\].messageExpression: Invalid value: .*: messageExpression compilation failed: cel expression must evaluate to a string$/,
    );
    assert.equal(
      optionalOldSelf,
      `${v}.x-kubernetes-validations[2].optionalOldSelf: Invalid value: true: may not be set if oldSelf is not used in rule`,
    );
    assert.equal(
      rules([{ rule: "self.a.startsWith('x') && self.a.size() < 10", messageExpression: "'bad: ' + self.a" }])
        .length,
      0,
    );
    assert.deepEqual(
      rules([
        { rule: " " },
        { rule: "self.a != ''", message: "a\nb" },
        { rule: "self.a\n!= ''" },
        { rule: "true", reason: "FieldValueBad", messageExpression: " " },
        { rule: "true", fieldPath: ".b" },
        { rule: "true", fieldPath: ".a" },
      ]),
      [
        `${v}.x-kubernetes-validations[0].rule: Required value: rule is not specified`,
        `${v}.x-kubernetes-validations[1].message: Invalid value: "a\\nb": message must not contain line breaks`,
        `${v}.x-kubernetes-validations[2].message: Required value: message must be specified if rule contains line breaks`,
        `${v}.x-kubernetes-validations[3].messageExpression: Required value: messageExpression must be non-empty if specified`,
        `${v}.x-kubernetes-validations[3].reason: Unsupported value: "FieldValueBad": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"`,
        `${v}.x-kubernetes-validations[4].fieldPath: Invalid value: ".b": fieldPath must be a valid path`,
      ],
    );
  });

  test("defaults must validate", () => {
    const p = `${v}.properties[spec].properties`;
    assert.deepEqual(schemaErrors(specSchema({ a: { type: "integer", default: "one" } })), [
      `${p}[a].default: Invalid value: "string": in body must be of type integer: "string"`,
    ]);
    assert.deepEqual(schemaErrors(specSchema({ a: { type: "string", enum: ["x", "y"], default: "z" } })), [
      `${p}[a].default: Unsupported value: "z": supported values: "x", "y"`,
    ]);
    assert.deepEqual(
      schemaErrors(
        specSchema({
          o: {
            type: "object",
            required: ["n"],
            properties: { n: { type: "integer" }, m: { type: "integer" } },
            default: { m: "x" },
          },
        }),
      ),
      // kube-openapi's objectValidator checks the properties before the required ones.
      [
        `${p}[o].default.m: Invalid value: "string": m in body must be of type integer: "string"`,
        `${p}[o].default.n: Required value`,
      ],
    );
    assert.deepEqual(
      schemaErrors(
        specSchema({
          o: { type: "object", properties: { n: { type: "integer" } }, default: { n: 1, extra: true } },
        }),
      ),
      [
        `${p}[o].default: Invalid value: map[string]interface {}{"extra":true, "n":1}: must not have unknown fields`,
      ],
    );
    assert.deepEqual(
      schemaErrors(
        specSchema({
          o: { type: "object", "x-kubernetes-preserve-unknown-fields": true, default: { extra: true } },
        }),
      ),
      [],
    );
    assert.deepEqual(
      schemaErrors(
        specSchema({
          n: { type: "number", default: 1 },
          s: { type: "string", nullable: true, default: "x" },
        }),
      ),
      [],
    );
  });

  test("a non-structural schema with a forbidden keyword reports the keyword only", () => {
    assert.deepEqual(
      schemaErrors({
        type: "object",
        properties: { a: { type: "string" } },
        definitions: { x: { type: "string" } },
      }),
      [`${v}.definitions: Forbidden: definitions is not supported`],
    );
  });
});

describe("subresources and columns", () => {
  test("status subresource restricts the root schema", () => {
    assert.deepEqual(
      schemaErrors({ type: "object", properties: {}, minProperties: 1 }, { subresources: { status: {} } }),
      [
        `spec.validation.openAPIV3Schema: Invalid value: apiextensions.JSONSchemaProps{ID:"", Schema:"", Ref:(*string)(nil), Description:"", Type:"object", Nullable:false, Format:"", Title:"", Default:(*apiextensions.JSON)(nil), Maximum:(*float64)(nil), ExclusiveMaximum:false, Minimum:(*float64)(nil), ExclusiveMinimum:false, MaxLength:(*int64)(nil), MinLength:(*int64)(nil), Pattern:"", MaxItems:(*int64)(nil), MinItems:(*int64)(nil), UniqueItems:false, MultipleOf:(*float64)(nil), Enum:[]apiextensions.JSON(nil), MaxProperties:(*int64)(nil), MinProperties:(*int64)(0xc000000000), Required:[]string(nil), Items:(*apiextensions.JSONSchemaPropsOrArray)(nil), AllOf:[]apiextensions.JSONSchemaProps(nil), OneOf:[]apiextensions.JSONSchemaProps(nil), AnyOf:[]apiextensions.JSONSchemaProps(nil), Not:(*apiextensions.JSONSchemaProps)(nil), Properties:map[string]apiextensions.JSONSchemaProps{}, AdditionalProperties:(*apiextensions.JSONSchemaPropsOrBool)(nil), PatternProperties:map[string]apiextensions.JSONSchemaProps(nil), Dependencies:apiextensions.JSONSchemaDependencies(nil), AdditionalItems:(*apiextensions.JSONSchemaPropsOrBool)(nil), Definitions:apiextensions.JSONSchemaDefinitions(nil), ExternalDocs:(*apiextensions.ExternalDocumentation)(nil), Example:(*apiextensions.JSON)(nil), XPreserveUnknownFields:(*bool)(nil), XEmbeddedResource:false, XIntOrString:false, XListMapKeys:[]string(nil), XListType:(*string)(nil), XMapType:(*string)(nil), XValidations:apiextensions.ValidationRules(nil)}: only [Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations] fields are allowed at the root of the schema if the status subresource is enabled`,
      ],
    );
    assert.deepEqual(
      schemaErrors(
        { type: "object", "x-kubernetes-preserve-unknown-fields": true },
        { subresources: { status: {} } },
      ),
      [],
    );
  });

  test("scale paths", () => {
    const scale = (s: J) => create(crd({ versions: [version("v1", { subresources: { scale: s } })] }));
    const p = "spec.subresources.scale";
    assert.deepEqual(scale({}), [
      `${p}.specReplicasPath: Required value`,
      `${p}.statusReplicasPath: Required value`,
    ]);
    assert.deepEqual(
      scale({
        specReplicasPath: ".status.replicas",
        statusReplicasPath: "status.replicas",
        labelSelectorPath: ".selector",
      }),
      [
        `${p}.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec`,
        `${p}.statusReplicasPath: Invalid value: "status.replicas": must be a simple json path starting with .`,
        `${p}.labelSelectorPath: Invalid value: ".selector": should be a json path under either .spec or .status`,
      ],
    );
    assert.deepEqual(
      scale({
        specReplicasPath: ".spec",
        statusReplicasPath: ".status.replicas",
        labelSelectorPath: ".spec.selector",
      }),
      [`${p}.specReplicasPath: Invalid value: ".spec": should be a json path under .spec`],
    );
  });

  test("per-version subresources keep their version's path", () => {
    const errs = create(
      crd({
        versions: [
          version("v1", {
            subresources: { scale: { specReplicasPath: ".spec.r", statusReplicasPath: ".status.r" } },
          }),
          version("v2", {
            storage: false,
            subresources: { scale: { specReplicasPath: "spec.r", statusReplicasPath: ".status.r" } },
          }),
        ],
      }),
    );
    assert.deepEqual(errs, [
      'spec.versions[1].subresources.scale.specReplicasPath: Invalid value: "spec.r": must be a simple json path starting with .',
    ]);
  });

  test("additionalPrinterColumns", () => {
    const cols = (c: J[]) => create(crd({ versions: [version("v1", { additionalPrinterColumns: c })] }));
    const p = "spec.additionalPrinterColumns";
    assert.deepEqual(cols([{}]), [
      `${p}[0].name: Required value`,
      `${p}[0].type: Required value: must be one of boolean,date,integer,number,string`,
      `${p}[0].JSONPath: Required value`,
    ]);
    assert.deepEqual(cols([{ name: "n", type: "float", format: "uuid", jsonPath: "spec.x" }]), [
      `${p}[0].type: Invalid value: "float": must be one of boolean,date,integer,number,string`,
      `${p}[0].format: Invalid value: "uuid": must be one of byte,date,date-time,double,float,int32,int64,password`,
      `${p}[0].JSONPath: Invalid value: "spec.x": must be a simple json path starting with .`,
    ]);
  });

  test("selectableFields", () => {
    const fields = (f: J[]) =>
      create(
        crd({
          versions: [
            version(
              "v1",
              { selectableFields: f },
              specSchema({ color: { type: "string" }, obj: { type: "object" } }),
            ),
          ],
        }),
      );
    const p = "spec.selectableFields";
    assert.deepEqual(fields([{ jsonPath: ".spec.color" }]), []);
    assert.deepEqual(
      fields([
        { jsonPath: "" },
        { jsonPath: ".spec.size" },
        { jsonPath: ".spec['color']" },
        { jsonPath: ".spec.obj" },
        { jsonPath: ".spec.color" },
        { jsonPath: ".spec.color" },
      ]),
      [
        `${p}[0].jsonPath: Required value`,
        `${p}[1].jsonPath: Invalid value: ".spec.size": is an invalid path: does not refer to a valid field`,
        `${p}[2].jsonPath: Invalid value: ".spec['color']": is an invalid path: array notation is not allowed`,
        `${p}[3].jsonPath: Invalid value: ".spec.obj": must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.`,
        `${p}[5].jsonPath: Duplicate value: ".spec.color"`,
      ],
    );
  });
});

describe("conversion", () => {
  const conv = (c: J) => create(crd({ conversion: c }));
  test("strategy", () => {
    assert.deepEqual(conv({ strategy: "Magic" }), [
      'spec.conversion.strategy: Unsupported value: "Magic": supported values: "None", "Webhook"',
    ]);
    assert.deepEqual(conv({ strategy: "" }), ["spec.conversion.strategy: Required value"]);
  });

  test("None forbids webhook settings", () => {
    assert.deepEqual(
      conv({
        strategy: "None",
        webhook: { conversionReviewVersions: ["v1"], clientConfig: { url: "https://x.example.com" } },
      }),
      [
        "spec.conversion.webhookClientConfig: Forbidden: should not be set when strategy is not set to Webhook",
        "spec.conversion.conversionReviewVersions: Forbidden: should not be set when strategy is not set to Webhook",
      ],
    );
  });

  test("Webhook needs a client config and known review versions", () => {
    assert.deepEqual(conv({ strategy: "Webhook" }), [
      "spec.conversion.webhookClientConfig: Required value: required when strategy is set to Webhook",
      "spec.conversion.conversionReviewVersions: Required value",
    ]);
    assert.deepEqual(
      conv({
        strategy: "Webhook",
        webhook: {
          conversionReviewVersions: ["v2", "v2", "V3"],
          clientConfig: { url: "https://x.example.com", service: { name: "s", namespace: "n" } },
        },
      }),
      [
        "spec.conversion.webhookClientConfig: Required value: exactly one of url or service is required",
        'spec.conversion.conversionReviewVersions[1]: Invalid value: "v2": duplicate version',
        `spec.conversion.conversionReviewVersions[2]: Invalid value: "V3": ${dns1035Msg}`,
        'spec.conversion.conversionReviewVersions: Invalid value: []string{"v2", "v2", "V3"}: must include at least one of v1, v1beta1',
      ],
    );
    assert.deepEqual(
      conv({
        strategy: "Webhook",
        webhook: { conversionReviewVersions: ["v1"], clientConfig: { url: "http://x.example.com/convert" } },
      }),
      [
        `spec.conversion.webhookClientConfig.url: Invalid value: "http": 'https' is the only allowed URL scheme; desired format: https://host[/path]`,
      ],
    );
    assert.deepEqual(
      conv({
        strategy: "Webhook",
        webhook: {
          conversionReviewVersions: ["v1"],
          clientConfig: { service: { name: "", namespace: "n", path: "x" } },
        },
      }),
      [
        "spec.conversion.webhookClientConfig.service.name: Required value: service name is required",
        `spec.conversion.webhookClientConfig.service.path: Invalid value: "x": must start with a '/'`,
        'spec.conversion.webhookClientConfig.service.path: Invalid value: "x": segment[0] may not be empty',
      ],
    );
  });
});

describe("update", () => {
  test("unchanged passes; a schema change is validated", () => {
    assert.deepEqual(update(storedCrd(), storedCrd()), []);
    assert.deepEqual(
      update(storedCrd({ versions: [version("v1", {}, specSchema({ a: {} }))] }), storedCrd()),
      [
        "spec.validation.openAPIV3Schema.properties[spec].properties[a].type: Required value: must not be empty for specified object fields",
      ],
    );
  });

  test("group and plural are immutable", () => {
    assert.deepEqual(update(storedCrd({ group: "example.org" }), storedCrd()), [
      'spec.group: Invalid value: "example.org": field is immutable',
    ]);
    assert.deepEqual(update(storedCrd({ names: { plural: "gadgets", kind: "Widget" } }), storedCrd()), [
      'spec.names.plural: Invalid value: "gadgets": field is immutable',
    ]);
  });

  test("scope and kind are immutable once established", () => {
    const changed = { scope: "Cluster", names: { plural: "widgets", kind: "Gadget" } };
    assert.deepEqual(update(storedCrd(changed), storedCrd()), []);
    assert.deepEqual(update(storedCrd(changed, established), storedCrd({}, established)), [
      'spec.scope: Invalid value: "Cluster": field is immutable',
      'spec.names.kind: Invalid value: "Gadget": field is immutable',
    ]);
  });

  test("stored versions must stay in spec.versions and include the storage version", () => {
    assert.deepEqual(
      update(
        storedCrd({ versions: [version("v2")] }, { storedVersions: ["v1", "v2"] }),
        storedCrd({}, { storedVersions: ["v1", "v2"] }),
      ),
      [
        'status.storedVersions[0]: Invalid value: "v1": missing from spec.versions; v1 was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in v1 and removes v1 from status.storedVersions',
      ],
    );
    assert.deepEqual(
      update(storedCrd({ versions: [version("v1", { storage: false }), version("v2")] }), storedCrd()),
      ['status.storedVersions: Invalid value: []string{"v1"}: must have the storage version v2'],
    );
  });

  test("a CRD stored without schemas keeps them optional for versions not served", () => {
    const old = storedCrd({ versions: [version("v1", {}, null)] });
    assert.deepEqual(update(storedCrd({ versions: [version("v1", { served: false }, null)] }), old), []);
    assert.deepEqual(update(storedCrd({ versions: [version("v1", {}, null)] }), old), [
      "spec.versions[0].schema.openAPIV3Schema: Required value: because otherwise all fields are pruned",
    ]);
    assert.deepEqual(update(storedCrd({ versions: [version("v1", { served: true }, null)] }), storedCrd()), [
      "spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required",
    ]);
  });

  test("status updates check only metadata and accepted names", () => {
    const old = storedCrd();
    assert.deepEqual(statusErrors(g, K, storedCrd({ group: "example.org", scope: "Bad" }), old), []);
    assert.deepEqual(
      statusErrors(
        g,
        K,
        storedCrd(
          {},
          {
            storedVersions: ["v1"],
            acceptedNames: { plural: "widgets", kind: "Widget", listKind: "Widget" },
          },
        ),
        old,
      ),
      ['status.acceptedNames.listKind: Invalid value: "Widget": kind and listKind may not be the same'],
    );
  });
});

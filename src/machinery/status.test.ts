// Cases ported from k8s.io/apimachinery/pkg/api/errors/errors_test.go, plus the
// exact JSON kubectl receives.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  duplicate,
  ErrorType,
  type FieldError,
  invalid,
  newPath,
  notFound,
  notSupported,
  required,
} from "./field-errors.ts";
import {
  errorToAPIStatus,
  isAlreadyExists,
  isConflict,
  isInvalid,
  isNotFound,
  isResourceExpired,
  newAlreadyExists,
  newBadRequest,
  newConflict,
  newForbidden,
  newGone,
  newInternalError,
  newInvalid,
  newMethodNotSupported,
  newNotAcceptable,
  newNotFound,
  newRequestEntityTooLarge,
  newResourceExpired,
  newServerTimeout,
  newServiceUnavailable,
  newTimeout,
  newTooManyRequests,
  newTooManyRequestsError,
  newUnauthorized,
  newUnsupportedMediaType,
  OptimisticLockErrorMsg,
  reasonForError,
  StatusError,
  statusSuccess,
} from "./status.ts";

const pods = { group: "", resource: "pods" };
const deployments = { group: "apps", resource: "deployments" };

test("NotFound serialises exactly as the apiserver's Status", () => {
  const e = newNotFound(pods, "x");
  assert.ok(e instanceof StatusError && e instanceof Error);
  assert.equal(e.message, 'pods "x" not found');
  assert.equal(e.code, 404);
  assert.equal(
    JSON.stringify(e.status),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \\"x\\" not found","reason":"NotFound","details":{"name":"x","kind":"pods"},"code":404}',
  );
  assert.equal(newNotFound(deployments, "web").message, 'deployments.apps "web" not found');
  assert.deepEqual(newNotFound(deployments, "web").status.details, {
    name: "web",
    group: "apps",
    kind: "deployments",
  });
});

test("AlreadyExists, Conflict, Forbidden, Unauthorized", () => {
  const ae = newAlreadyExists(pods, "x");
  assert.equal(ae.message, 'pods "x" already exists');
  assert.deepEqual([ae.code, ae.reason], [409, "AlreadyExists"]);
  const c = newConflict(pods, "x", OptimisticLockErrorMsg);
  assert.equal(
    c.message,
    'Operation cannot be fulfilled on pods "x": the object has been modified; please apply your changes to the latest version and try again',
  );
  assert.deepEqual([c.code, c.reason], [409, "Conflict"]);
  const f = newForbidden(
    pods,
    "x",
    new Error('User "bob" cannot get resource "pods" in API group "" in the namespace "default"'),
  );
  assert.equal(
    f.message,
    'pods "x" is forbidden: User "bob" cannot get resource "pods" in API group "" in the namespace "default"',
  );
  assert.deepEqual([f.code, f.reason], [403, "Forbidden"]);
  assert.equal(newForbidden(pods, "", "no").message, "pods is forbidden: no");
  assert.equal(newForbidden({ group: "", resource: "" }, "", "no").message, "forbidden: no");
  assert.equal(newUnauthorized("").message, "not authorized");
  assert.deepEqual(
    [newUnauthorized("Unauthorized").code, newUnauthorized("x").reason],
    [401, "Unauthorized"],
  );
});

test("Invalid: message, causes and details (TestNewInvalid)", () => {
  const kind = { group: "", kind: "Kind" };
  const cases: [FieldError, string, string][] = [
    [
      duplicate(newPath("field[0].name"), "bar"),
      ErrorType.Duplicate,
      'Kind "name" is invalid: field[0].name: Duplicate value: "bar"',
    ],
    [
      invalid(newPath("field[0].name"), "bar", "detail"),
      ErrorType.Invalid,
      'Kind "name" is invalid: field[0].name: Invalid value: "bar": detail',
    ],
    [
      notFound(newPath("field[0].name"), "bar"),
      ErrorType.NotFound,
      'Kind "name" is invalid: field[0].name: Not found: "bar"',
    ],
    [
      notSupported(newPath("field[0].name"), "bar", []),
      ErrorType.NotSupported,
      'Kind "name" is invalid: field[0].name: Unsupported value: "bar"',
    ],
    [
      required(newPath("field[0].name"), ""),
      ErrorType.Required,
      'Kind "name" is invalid: field[0].name: Required value',
    ],
  ];
  for (const [err, type, msg] of cases) {
    const e = newInvalid(kind, "name", [err]);
    assert.equal(e.message, msg);
    assert.deepEqual([e.code, e.reason], [422, "Invalid"]);
    assert.deepEqual(e.status.details, {
      name: "name",
      kind: "Kind",
      causes: [{ reason: type, message: err.errorBody(), field: "field[0].name" }],
    });
  }
  assert.equal(newInvalid(kind, "name", []).message, 'Kind "name" is invalid');
  assert.deepEqual(newInvalid(kind, "name", []).status.details, { name: "name", kind: "Kind" });
});

test("Invalid with several errors aggregates them and keeps every cause", () => {
  const errs = [
    invalid(newPath("metadata", "name"), "Web", "bad name"),
    required(newPath("spec", "template", "spec", "containers"), ""),
    invalid(newPath("metadata", "name"), "Web", "bad name"),
  ];
  const e = newInvalid({ group: "apps", kind: "Deployment" }, "Web", errs);
  assert.equal(
    e.message,
    'Deployment.apps "Web" is invalid: [metadata.name: Invalid value: "Web": bad name, spec.template.spec.containers: Required value]',
  );
  assert.equal(e.status.details?.causes?.length, 3);
  assert.deepEqual(e.status.details?.causes?.[1], {
    reason: "FieldValueRequired",
    message: "Required value",
    field: "spec.template.spec.containers",
  });
  assert.equal(
    JSON.stringify(e.status),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Deployment.apps \\"Web\\" is invalid: [metadata.name: Invalid value: \\"Web\\": bad name, spec.template.spec.containers: Required value]","reason":"Invalid","details":{"name":"Web","group":"apps","kind":"Deployment","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: \\"Web\\": bad name","field":"metadata.name"},{"reason":"FieldValueRequired","message":"Required value","field":"spec.template.spec.containers"},{"reason":"FieldValueInvalid","message":"Invalid value: \\"Web\\": bad name","field":"metadata.name"}]},"code":422}',
  );
});

test("the other constructors: codes, reasons, messages", () => {
  const cases: [StatusError, number, string, string][] = [
    [newBadRequest("bad"), 400, "BadRequest", "bad"],
    [newGone("gone"), 410, "Gone", "gone"],
    [
      newResourceExpired("too old resource version: 1 (5)"),
      410,
      "Expired",
      "too old resource version: 1 (5)",
    ],
    [newTooManyRequests("slow down", 1), 429, "TooManyRequests", "slow down"],
    [newTooManyRequestsError("limit reached"), 429, "TooManyRequests", "Too many requests: limit reached"],
    [newServiceUnavailable("down"), 503, "ServiceUnavailable", "down"],
    [
      newMethodNotSupported(pods, "create"),
      405,
      "MethodNotAllowed",
      'create is not supported on resources of kind "pods"',
    ],
    [
      newServerTimeout(pods, "get", 2),
      500,
      "ServerTimeout",
      "The get operation against pods could not be completed at this time, please try again.",
    ],
    [newInternalError(new Error("boom")), 500, "InternalError", "Internal error occurred: boom"],
    [
      newTimeout("request did not complete within 60s", 0),
      504,
      "Timeout",
      "Timeout: request did not complete within 60s",
    ],
    [
      newRequestEntityTooLarge("limit is 3145728"),
      413,
      "RequestEntityTooLarge",
      "Request entity too large: limit is 3145728",
    ],
    [
      newNotAcceptable(["application/json", "application/yaml"]),
      406,
      "NotAcceptable",
      "only the following media types are accepted: application/json, application/yaml",
    ],
    [
      newUnsupportedMediaType(["application/json-patch+json", "application/merge-patch+json"]),
      415,
      "UnsupportedMediaType",
      "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json",
    ],
  ];
  for (const [e, code, reason, message] of cases) {
    assert.deepEqual(
      [e.code, e.reason, e.message, e.status.message],
      [code, reason, message, message],
      message,
    );
    assert.equal(e.status.status, "Failure");
  }
  assert.deepEqual(newInternalError("boom").status.details, { causes: [{ message: "boom" }] });
  assert.deepEqual(newTooManyRequests("x", 3).status.details, { retryAfterSeconds: 3 });
  // Go emits an empty details object when only retryAfterSeconds (zero) was set.
  assert.equal(
    JSON.stringify(newTimeout("t", 0).status),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Timeout: t","reason":"Timeout","details":{},"code":504}',
  );
  assert.equal(
    JSON.stringify(newBadRequest("b")),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"b","reason":"BadRequest","code":400}',
  );
});

test("reason predicates (TestErrorNew)", () => {
  assert.equal(isNotFound(newNotFound(pods, "x")), true);
  assert.equal(isAlreadyExists(newAlreadyExists(pods, "x")), true);
  assert.equal(isConflict(newConflict(pods, "x", "e")), true);
  assert.equal(isInvalid(newInvalid({ group: "", kind: "Pod" }, "x", [])), true);
  assert.equal(isResourceExpired(newResourceExpired("old")), true);
  assert.equal(isNotFound(newAlreadyExists(pods, "x")), false);
  assert.equal(isNotFound(new Error("x")), false);
  assert.equal(reasonForError("nope"), "");
});

test("a successful DELETE's Status", () => {
  assert.equal(
    JSON.stringify(statusSuccess({ name: "x", kind: "Pod" })),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":"x","kind":"Pod"},"code":200}',
  );
  assert.equal(
    JSON.stringify(statusSuccess()),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","code":200}',
  );
});

test("ErrorToAPIStatus: StatusErrors pass through, anything else is a 500", () => {
  assert.deepEqual(errorToAPIStatus(newNotFound(pods, "x")), newNotFound(pods, "x").status);
  assert.equal(
    JSON.stringify(errorToAPIStatus(new Error("disk on fire"))),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"disk on fire","code":500}',
  );
  const noCode = new StatusError({ kind: "Status", apiVersion: "v1", metadata: {}, message: "m" });
  assert.deepEqual(errorToAPIStatus(noCode), {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: "m",
    code: 500,
  });
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { parseNodeLabels, parseRegisterWithTaints, parseTaint } from "./flags.ts";

test("--node-labels", () => {
  assert.deepEqual(parseNodeLabels("a=1, node-role.kubernetes.io/worker="), {
    a: "1",
    "node-role.kubernetes.io/worker": "",
  });
  assert.deepEqual(parseNodeLabels(""), {});
  assert.throws(() => parseNodeLabels("a"), /malformed pair, expect string=string/);
});

test("--register-with-taints: key=value:effect, key:effect, key", () => {
  assert.deepEqual(parseRegisterWithTaints("dedicated=infra:NoSchedule,gpu:NoExecute"), [
    { key: "dedicated", value: "infra", effect: "NoSchedule" },
    { key: "gpu", effect: "NoExecute" },
  ]);
  assert.deepEqual(parseTaint("example.com/only-key"), { key: "example.com/only-key", effect: "" });
  assert.deepEqual(parseRegisterWithTaints(""), []);
});

test("bad taints fail with upstream's messages", () => {
  assert.throws(() => parseTaint("a=b:Sometimes"), {
    message: "invalid taint effect: Sometimes, unsupported taint effect",
  });
  assert.throws(() => parseTaint("a=b=c:NoSchedule"), { message: "invalid taint spec: a=b=c:NoSchedule" });
  assert.throws(() => parseTaint("a:b:c"), { message: "invalid taint spec: a:b:c" });
  assert.throws(
    () => parseTaint("-bad:NoSchedule"),
    /^Error: invalid taint spec: -bad:NoSchedule, name part must consist of/,
  );
});

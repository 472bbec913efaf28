import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultPullPolicy, parseImageName } from "./image.ts";

const digest = "sha256:e9954c1fc875017be1c3e36eca16be2d9e9bccc4bf072163515467d6a823c7cf";

describe("parseImageName", () => {
  it("normalises like distribution/reference and defaults the tag to latest", () => {
    assert.deepEqual(parseImageName("nginx"), { name: "docker.io/library/nginx", tag: "latest", digest: "" });
    assert.deepEqual(parseImageName("k8ts.local/busybox:latest"), {
      name: "k8ts.local/busybox",
      tag: "latest",
      digest: "",
    });
    assert.deepEqual(parseImageName("user/app:v1"), { name: "docker.io/user/app", tag: "v1", digest: "" });
    assert.deepEqual(parseImageName("localhost:5000/app"), {
      name: "localhost:5000/app",
      tag: "latest",
      digest: "",
    });
    assert.deepEqual(parseImageName(`nginx@${digest}`), { name: "docker.io/library/nginx", tag: "", digest });
    assert.deepEqual(parseImageName(`nginx:1.27@${digest}`), {
      name: "docker.io/library/nginx",
      tag: "1.27",
      digest,
    });
  });

  it("rejects what ParseNormalizedNamed rejects", () => {
    assert.equal(parseImageName(""), undefined);
    assert.equal(parseImageName("Nginx"), undefined); // repository name must be lowercase
    assert.equal(parseImageName("a".repeat(64).replace(/a/g, "f")), undefined); // 64-byte hex identifier
    assert.equal(parseImageName("nginx@sha256:abc"), undefined);
    assert.equal(parseImageName("nginx:bad tag"), undefined);
  });
});

describe("defaultPullPolicy", () => {
  // TestSetDefaultPodSpecImagePullPolicy in pkg/apis/core/v1/defaults_test.go.
  const cases: [string, string][] = [
    ["nginx", "Always"],
    ["nginx:latest", "Always"],
    ["k8ts.local/pause:3.10", "IfNotPresent"],
    ["registry.example:5000/team/app:latest", "Always"],
    [`nginx@${digest}`, "IfNotPresent"],
    [`nginx:latest@${digest}`, "Always"],
    ["", "IfNotPresent"],
    ["NotValid", "IfNotPresent"],
  ];
  for (const [image, want] of cases) {
    it(`${image || "(empty)"} → ${want}`, () => assert.equal(defaultPullPolicy(image), want));
  }
  it("treats a missing image as unparseable", () =>
    assert.equal(defaultPullPolicy(undefined), "IfNotPresent"));
});

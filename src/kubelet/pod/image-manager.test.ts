import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod, Secret } from "kubernetes-types/core/v1.d.ts";
import { FakeClock } from "../../client/fake-clock.ts";
import type { AuthConfig, Image, ImageService } from "../runtime/interface.ts";
import { Backoff } from "./backoff.ts";
import {
  applyDefaultImageTag,
  getPullSecretsForPod,
  ImageManager,
  parseImageName,
  pullCredentials,
  runtimeErrorString,
} from "./image-manager.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");

/** What `kubectl create secret docker-registry NAME --docker-server=S --docker-username=U --docker-password=P` makes. */
function dockerRegistrySecret(server: string, username: string, password: string): Secret {
  const auths = { [server]: { username, password, auth: b64(`${username}:${password}`) } };
  return {
    metadata: { name: "regcred", namespace: "default" },
    type: "kubernetes.io/dockerconfigjson",
    data: { ".dockerconfigjson": b64(JSON.stringify({ auths })) },
  };
}

/** A gRPC failure as cri.ts reports it. */
class CriError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "CriError";
  }
}

class FakeImages implements ImageService {
  readonly present = new Map<string, Image>();
  readonly pulls: { image: string; auth?: AuthConfig }[] = [];
  /** The error a pull with this auth fails with; undefined lets it succeed. */
  fail?: (auth?: AuthConfig) => Error | undefined;
  async listImages() {
    return [...this.present.values()];
  }
  async imageStatus(image: string) {
    return this.present.get(image);
  }
  async pullImage(image: string, auth?: AuthConfig) {
    this.pulls.push({ image, auth });
    const err = this.fail?.(auth);
    if (err) throw err;
    const img = { id: `sha256:${image.length}`, repoTags: [image], repoDigests: [], size: 1055252 };
    this.present.set(image, img);
    return img.id;
  }
  async removeImage() {}
  async imageFsInfo() {
    return { usedBytes: 0, inodesUsed: 0 };
  }
}

function setUp() {
  const clock = new FakeClock(1_000_000);
  const images = new FakeImages();
  const backOff = new Backoff({ clock, initialMs: 10_000, maxMs: 300_000 });
  const manager = new ImageManager({ images, backOff });
  const events: string[] = [];
  const pod: Pod = { metadata: { name: "p", namespace: "default", uid: "u1" }, spec: { containers: [] } };
  const ensure = (image: string, policy?: string, secrets: Secret[] = []) =>
    manager.ensureImageExists(pod, image, policy, secrets, undefined, (type, reason, message) =>
      events.push(`${type} ${reason} ${message}`),
    );
  return { clock, images, ensure, events };
}

describe("parseImageName (docker's ParseNormalizedNamed)", () => {
  it("qualifies Docker Hub names and defaults the tag", () => {
    assert.deepEqual(parseImageName("busybox"), {
      repository: "docker.io/library/busybox",
      tag: "latest",
      digest: "",
    });
    assert.equal(parseImageName("foo/bar:1.0").repository, "docker.io/foo/bar");
    assert.equal(parseImageName("index.docker.io/library/nginx").repository, "docker.io/library/nginx");
  });

  it("keeps registries with a dot, a port or localhost", () => {
    assert.deepEqual(parseImageName("127.0.0.1:5000/test/busybox:v1"), {
      repository: "127.0.0.1:5000/test/busybox",
      tag: "v1",
      digest: "",
    });
    assert.equal(parseImageName("k8ts.local/pause:3.10").repository, "k8ts.local/pause");
    assert.equal(parseImageName("localhost/app").repository, "localhost/app");
    const digest = `sha256:${"a".repeat(64)}`;
    assert.deepEqual(parseImageName(`quay.io/x/y@${digest}`), {
      repository: "quay.io/x/y",
      tag: "",
      digest,
    });
  });

  it("refuses what docker refuses", () => {
    assert.throws(
      () => parseImageName("Busybox"),
      /couldn't parse image name "Busybox": invalid reference format/,
    );
    assert.throws(() => parseImageName("busybox:"), /invalid reference format/);
    assert.throws(() => parseImageName(""), /invalid reference format/);
  });

  it("applyDefaultImageTag appends :latest without qualifying the name", () => {
    assert.equal(applyDefaultImageTag("busybox"), "busybox:latest");
    assert.equal(applyDefaultImageTag("127.0.0.1:5000/test/busybox"), "127.0.0.1:5000/test/busybox:latest");
    assert.equal(applyDefaultImageTag("127.0.0.1:5000/test/busybox:v1"), "127.0.0.1:5000/test/busybox:v1");
  });
});

describe("pullCredentials (upstream's keyring over pull secrets)", () => {
  it("matches a host:port key and hands over username and password only", () => {
    const s = dockerRegistrySecret("127.0.0.1:5000", "user", "pass");
    assert.deepEqual(pullCredentials("127.0.0.1:5000/test/busybox:v1", [s]), [
      { username: "user", password: "pass" },
    ]);
    // Another port is another registry.
    assert.deepEqual(pullCredentials("127.0.0.1:5001/test/busybox:v1", [s]), []);
    assert.deepEqual(pullCredentials("127.0.0.1/test/busybox:v1", [s]), []);
  });

  it("reads Docker Hub's key for short names (keyring_test's index.docker.io/v1/ cases)", () => {
    const s = dockerRegistrySecret("https://index.docker.io/v1/", "hub", "pw");
    assert.deepEqual(pullCredentials("busybox", [s]), [{ username: "hub", password: "pw" }]);
    assert.deepEqual(pullCredentials("docker.io/foo/bar:1", [s]), [{ username: "hub", password: "pw" }]);
    assert.deepEqual(pullCredentials("quay.io/foo/bar", [s]), []);
  });

  it("orders the more specific path first, and matches host globs", () => {
    const auths = {
      "quay.io": { auth: b64("all:a") },
      "quay.io/coreos": { auth: b64("coreos:c") },
      "*.example.com": { username: "glob", password: "g" },
    };
    const s: Secret = {
      type: "kubernetes.io/dockerconfigjson",
      data: { ".dockerconfigjson": b64(JSON.stringify({ auths })) },
    };
    assert.deepEqual(
      pullCredentials("quay.io/coreos/etcd", [s]).map((c) => c.username),
      ["coreos", "all"],
    );
    assert.deepEqual(
      pullCredentials("quay.io/other/x", [s]).map((c) => c.username),
      ["all"],
    );
    assert.deepEqual(
      pullCredentials("registry.example.com/x", [s]).map((c) => c.username),
      ["glob"],
    );
    assert.deepEqual(pullCredentials("a.b.example.com/x", [s]), []);
  });

  it("reads legacy dockercfg secrets, and only secrets of the matching type", () => {
    const cfg = b64(JSON.stringify({ "registry.local:443": { auth: b64("old:o") } }));
    const dockercfg: Secret = { type: "kubernetes.io/dockercfg", data: { ".dockercfg": cfg } };
    assert.deepEqual(pullCredentials("registry.local:443/x", [dockercfg]), [
      { username: "old", password: "o" },
    ]);
    const opaque: Secret = { type: "Opaque", data: { ".dockercfg": cfg } };
    assert.deepEqual(pullCredentials("registry.local:443/x", [opaque]), []);
  });
});

describe("ImageManager.ensureImageExists", () => {
  it("IfNotPresent: a present image is not pulled", async () => {
    const h = setUp();
    await h.images.pullImage("127.0.0.1:5000/a:v1");
    h.images.pulls.length = 0;
    const r = await h.ensure("127.0.0.1:5000/a:v1", "IfNotPresent");
    assert.equal(r.imageRef, "sha256:19");
    assert.equal(h.images.pulls.length, 0);
    assert.deepEqual(h.events, [
      'Normal Pulled Container image "127.0.0.1:5000/a:v1" already present on machine',
    ]);
  });

  it("pulls an absent image with the secret's credentials: Pulling, then Pulled with the size", async () => {
    const h = setUp();
    const r = await h.ensure("127.0.0.1:5000/a:v1", "IfNotPresent", [
      dockerRegistrySecret("127.0.0.1:5000", "user", "pass"),
    ]);
    assert.ok(r.imageRef);
    assert.deepEqual(h.images.pulls, [
      { image: "127.0.0.1:5000/a:v1", auth: { username: "user", password: "pass" } },
    ]);
    assert.deepEqual(h.events, [
      'Normal Pulling Pulling image "127.0.0.1:5000/a:v1"',
      'Normal Pulled Successfully pulled image "127.0.0.1:5000/a:v1" in 0s (0s including waiting). Image size: 1055252 bytes.',
    ]);
  });

  it("Always pulls a present image; :latest without a policy means Always", async () => {
    const h = setUp();
    await h.ensure("127.0.0.1:5000/a:v1", "Always");
    await h.ensure("127.0.0.1:5000/a:v1", "Always");
    await h.ensure("127.0.0.1:5000/b", undefined);
    await h.ensure("127.0.0.1:5000/b", undefined);
    assert.deepEqual(
      h.images.pulls.map((p) => p.image),
      ["127.0.0.1:5000/a:v1", "127.0.0.1:5000/a:v1", "127.0.0.1:5000/b:latest", "127.0.0.1:5000/b:latest"],
    );
  });

  it("never pulls k8ts.local images that are on the node, whatever the policy", async () => {
    const h = setUp();
    h.images.present.set("k8ts.local/busybox:latest", {
      id: "sha256:bb",
      repoTags: ["k8ts.local/busybox:latest"],
      repoDigests: [],
      size: 1,
    });
    assert.equal((await h.ensure("k8ts.local/busybox:latest", "Always")).imageRef, "sha256:bb");
    assert.equal((await h.ensure("k8ts.local/busybox", undefined)).imageRef, "sha256:bb");
    assert.equal(h.images.pulls.length, 0);
    // An absent one is pulled as any other image (and fails offline).
    await h.ensure("k8ts.local/other:latest", "Always");
    assert.deepEqual(
      h.images.pulls.map((p) => p.image),
      ["k8ts.local/other:latest"],
    );
  });

  it("Never: an absent image is ErrImageNeverPull", async () => {
    const h = setUp();
    const r = await h.ensure("127.0.0.1:5000/a:v1", "Never");
    assert.equal(r.error, "ErrImageNeverPull");
    assert.equal(r.message, 'Container image "127.0.0.1:5000/a:v1" is not present with pull policy of Never');
    assert.deepEqual(h.events, [
      'Warning ErrImageNeverPull Container image "127.0.0.1:5000/a:v1" is not present with pull policy of Never',
    ]);
  });

  it("a failed pull is ErrImagePull with the gRPC error text, then ImagePullBackOff until the backoff passes", async () => {
    const h = setUp();
    const desc =
      'failed to pull and unpack image "127.0.0.1:5000/a:nope": failed to resolve reference "127.0.0.1:5000/a:nope": 127.0.0.1:5000/a:nope: not found';
    h.images.fail = () => new CriError(5, desc);
    const r = await h.ensure("127.0.0.1:5000/a:nope", "IfNotPresent");
    assert.equal(r.error, "ErrImagePull");
    assert.equal(r.message, `rpc error: code = NotFound desc = ${desc}`);
    assert.deepEqual(h.events, [
      'Normal Pulling Pulling image "127.0.0.1:5000/a:nope"',
      `Warning Failed Failed to pull image "127.0.0.1:5000/a:nope": rpc error: code = NotFound desc = ${desc}`,
    ]);
    h.events.length = 0;
    h.clock.step(5_000);
    const again = await h.ensure("127.0.0.1:5000/a:nope", "IfNotPresent");
    assert.equal(again.error, "ImagePullBackOff");
    assert.equal(again.message, 'Back-off pulling image "127.0.0.1:5000/a:nope"');
    assert.deepEqual(h.events, ['Normal BackOff Back-off pulling image "127.0.0.1:5000/a:nope"']);
    assert.equal(h.images.pulls.length, 1);
    h.clock.step(5_001);
    assert.equal((await h.ensure("127.0.0.1:5000/a:nope", "IfNotPresent")).error, "ErrImagePull");
    assert.equal(h.images.pulls.length, 2);
    // The backoff doubled: 10 s later it still holds.
    h.clock.step(10_001);
    assert.equal((await h.ensure("127.0.0.1:5000/a:nope", "IfNotPresent")).error, "ImagePullBackOff");
  });

  it("tries each matching credential until one works; all failing aggregates the errors", async () => {
    const h = setUp();
    const auths = {
      "127.0.0.1:5000": { username: "a", password: "wrong" },
      "127.0.0.1:5000/test": { username: "b", password: "right" },
    };
    const secret: Secret = {
      type: "kubernetes.io/dockerconfigjson",
      data: { ".dockerconfigjson": b64(JSON.stringify({ auths })) },
    };
    const unauthorized = new CriError(2, "401 Unauthorized");
    // The more specific key ("…/test", user b) is tried first; a is the fallback that works.
    h.images.fail = (auth) => (auth?.username === "b" ? unauthorized : undefined);
    assert.ok((await h.ensure("127.0.0.1:5000/test/a:v1", "Always", [secret])).imageRef);
    assert.deepEqual(
      h.images.pulls.map((p) => p.auth?.username),
      ["b", "a"],
    );
    // The same error twice reads as one.
    h.images.fail = () => unauthorized;
    const r = await h.ensure("127.0.0.1:5000/test/a:v2", "Always", [secret]);
    assert.equal(r.message, "rpc error: code = Unknown desc = 401 Unauthorized");
    h.images.fail = (auth) => (auth?.username === "a" ? new CriError(2, "other") : unauthorized);
    const both = await h.ensure("127.0.0.1:5000/test/a:v3", "Always", [secret]);
    assert.equal(
      both.message,
      "[rpc error: code = Unknown desc = 401 Unauthorized, rpc error: code = Unknown desc = other]",
    );
  });

  it("an unparseable image is InvalidImageName", async () => {
    const h = setUp();
    const r = await h.ensure("Busybox", "Always");
    assert.equal(r.error, "InvalidImageName");
    assert.equal(
      r.message,
      'Failed to apply default image tag "Busybox": couldn\'t parse image name "Busybox": invalid reference format',
    );
  });
});

describe("getPullSecretsForPod", () => {
  it("fetches the named secrets; missing ones give upstream's warning event", async () => {
    const pod: Pod = {
      metadata: { name: "p", namespace: "ns" },
      spec: {
        containers: [],
        imagePullSecrets: [{ name: "a" }, { name: "" }, { name: "gone" }, { name: "b" }],
      },
    };
    const asked: string[] = [];
    const events: string[] = [];
    const got = await getPullSecretsForPod(
      pod,
      async (ns, name) => {
        asked.push(`${ns}/${name}`);
        if (name === "gone") throw new Error('secrets "gone" not found');
        return { metadata: { name } };
      },
      (type, reason, message) => events.push(`${type} ${reason} ${message}`),
    );
    assert.deepEqual(
      got.map((s) => s.metadata?.name),
      ["a", "b"],
    );
    assert.deepEqual(asked, ["ns/a", "ns/gone", "ns/b"]);
    assert.deepEqual(events, [
      "Warning FailedToRetrieveImagePullSecret Unable to retrieve some image pull secrets (gone); attempting to pull the image may not succeed.",
    ]);
  });
});

describe("runtimeErrorString", () => {
  it("prints CRI errors as Go's gRPC client does", () => {
    assert.equal(runtimeErrorString(new CriError(14, "down")), "rpc error: code = Unavailable desc = down");
    assert.equal(runtimeErrorString(new Error("plain")), "plain");
  });
});

import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { CertificateAuthority } from "../apiserver/certs.ts";
import { loadKubeconfigFile } from "../client/kubeconfig.ts";
import { writeKubeconfig } from "./kubeconfig.ts";

/** Without the fields a reader leaves undefined. */
const plain = (o: object) => JSON.parse(JSON.stringify(o));
const dir = mkdtempSync(join(tmpdir(), "k8ts-kubeconfig-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("writeKubeconfig returns what the file holds; a valid file is kept, another CA's is replaced", async () => {
  const { ca } = await CertificateAuthority.create("kubeconfig-test-ca");
  const path = join(dir, "admin.kubeconfig");
  const opts = { path, server: "https://127.0.0.1:6443", ca, user: "alice", groups: ["team"] };

  const written = await writeKubeconfig(opts);
  // Field for field what a reader of the file gets: clients made from either share one transport.
  assert.deepEqual(plain(loadKubeconfigFile(path)), plain(written));
  assert.match(new X509Certificate(written.cert!).subject, /CN=alice/);

  const kept = await writeKubeconfig(opts);
  assert.deepEqual(plain(kept), plain(written));

  const { ca: other } = await CertificateAuthority.create("another-ca");
  const replaced = await writeKubeconfig({ ...opts, ca: other });
  assert.equal(replaced.ca, other.certPem);
  assert.notEqual(replaced.cert, written.cert);
  assert.deepEqual(plain(loadKubeconfigFile(path)), plain(replaced));
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { RestClient } from "./rest-client.ts";

test("a client whose key is not a key is refused when it is made, naming the kubeconfig fields to check", () => {
  assert.throws(
    () =>
      new RestClient({
        server: "https://127.0.0.1:6443",
        namespace: "default",
        cert: "not a certificate",
        key: "not a key",
      }),
    /https:\/\/127\.0\.0\.1:6443 has an unusable CA, certificate or key .*client-certificate and client-key/,
  );
});

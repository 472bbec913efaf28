import assert from "node:assert/strict";
import { test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { podSecretNames } from "./pod-secrets.ts";

test("every secret a pod refers to: pull secrets, env, envFrom of all containers, secret-backed volumes", () => {
  const pod: Pod = {
    spec: {
      imagePullSecrets: [{ name: "pull" }],
      initContainers: [
        { name: "i", envFrom: [{ secretRef: { name: "init-from" } }, { configMapRef: { name: "cm" } }] },
      ],
      containers: [
        {
          name: "c",
          env: [
            { name: "A", valueFrom: { secretKeyRef: { name: "env-ref", key: "k" } } },
            { name: "B", value: "plain" },
          ],
        },
      ],
      ephemeralContainers: [{ name: "e", envFrom: [{ secretRef: { name: "ephemeral" } }] }],
      volumes: [
        { name: "s", secret: { secretName: "vol" } },
        {
          name: "p",
          projected: { sources: [{ secret: { name: "projected" } }, { configMap: { name: "cm" } }] },
        },
        { name: "csi", csi: { driver: "d", nodePublishSecretRef: { name: "csi-publish" } } },
        { name: "cm", configMap: { name: "not-a-secret" } },
      ],
    },
  };
  assert.deepEqual([...podSecretNames(pod)].sort(), [
    "csi-publish",
    "env-ref",
    "ephemeral",
    "init-from",
    "projected",
    "pull",
    "vol",
  ]);
});

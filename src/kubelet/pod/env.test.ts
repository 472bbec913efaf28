import assert from "node:assert/strict";
import { test } from "node:test";
import type { ConfigMap, Container, Pod, Secret } from "kubernetes-types/core/v1.d.ts";
import {
  ContainerConfigError,
  type EnvContext,
  expand,
  formatMap,
  makeEnvironmentVariables,
  mappingFuncFor,
} from "./env.ts";

test("expansion.Expand: upstream's expand_test.go cases", () => {
  const mapping = mappingFuncFor(
    new Map([
      ["VAR_A", "A"],
      ["VAR_B", "B"],
      ["VAR_C", "C"],
      ["VAR_REF", "$(VAR_A)"],
      ["VAR_EMPTY", ""],
    ]),
  );
  const cases: Array<[string, string]> = [
    ["$(VAR_A)", "A"],
    ["$(VAR_A)-$(VAR_A)", "A-A"],
    ["$(VAR_A)-$(VAR_B)-$(VAR_B)-$(VAR_B)-$(VAR_A)", "A-B-B-B-A"],
    ["___$(VAR_B)___", "___B___"],
    ["$(VAR_A)_$(VAR_B)_$(VAR_C)", "A_B_C"],
    ["$$(VAR_B)_$(VAR_A)", "$(VAR_B)_A"],
    ["$$(VAR_A)_$$(VAR_B)", "$(VAR_A)_$(VAR_B)"],
    ["f000-$$VAR_A", "f000-$VAR_A"],
    ["foo\\$(VAR_C)bar", "foo\\Cbar"],
    ["$(VAR_A$(VAR_B))", "$(VAR_A$(VAR_B))"],
    ["$(VAR_A$(VAR_B)", "$(VAR_A$(VAR_B)"],
    ["$(VAR_REF)", "$(VAR_A)"],
    ["%%$(VAR_REF)--$(VAR_REF)%%", "%%$(VAR_A)--$(VAR_A)%%"],
    ["foo$(VAR_EMPTY)bar", "foobar"],
    ["foo$(VAR_Awhoops!", "foo$(VAR_Awhoops!"],
    ["f00__(VAR_A)__", "f00__(VAR_A)__"],
    ["$?_boo_$!", "$?_boo_$!"],
    ["$VAR_A", "$VAR_A"],
    ["$(VAR_DNE)", "$(VAR_DNE)"],
    ["$$$$$$(BIG_MONEY)", "$$$(BIG_MONEY)"],
    ["$$$$$$(VAR_A)", "$$$(VAR_A)"],
    ["$$$$$$$(GOOD_ODDS)", "$$$$(GOOD_ODDS)"],
    ["$$$$$$$(VAR_A)", "$$$A"],
    ["$VAR_A)", "$VAR_A)"],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax must pass through untouched
    ["${VAR_A}", "${VAR_A}"],
    ["$(VAR_B)_______$(A", "B_______$(A"],
    ["$(VAR_C)_______$(", "C_______$("],
    ["$(VAR_A)foobarzab$", "Afoobarzab$"],
    ["foo-\\$(VAR_A", "foo-\\$(VAR_A"],
    ["--$($($($($--", "--$($($($($--"],
    ["$($($($($--foo$(", "$($($($($--foo$("],
    ["foo0--$($($($(", "foo0--$($($($("],
    ["$(foo$$var)", "$(foo$$var)"],
    ["\n", "\n"],
  ];
  for (const [input, want] of cases) assert.equal(expand(input, mapping), want, input);
});

function ctx(container: Partial<Container>, lookups?: EnvContext["lookups"]): EnvContext {
  const pod: Pod = {
    metadata: {
      name: "web",
      namespace: "prod",
      uid: "u1",
      labels: { app: "web", tier: "front" },
      annotations: { note: 'say "hi"' },
    },
    spec: { nodeName: "node-1", serviceAccountName: "sa", containers: [{ name: "app", ...container }] },
  };
  return {
    pod,
    container: pod.spec!.containers[0],
    podIP: "10.1.0.5",
    podIPs: ["10.1.0.5", "fd00::5"],
    hostIPs: ["192.168.0.2"],
    nodeAllocatable: { cpu: "4", memory: "8Gi" },
    lookups,
  };
}

const env = async (c: EnvContext) =>
  Object.fromEntries((await makeEnvironmentVariables(c)).map((e) => [e.key, e.value]));

test("downward API: fieldRef and resourceFieldRef values", async () => {
  const got = await env(
    ctx({
      resources: { limits: { cpu: "500m" }, requests: { memory: "64Mi" } },
      env: [
        { name: "NS", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
        { name: "UID", valueFrom: { fieldRef: { fieldPath: "metadata.uid" } } },
        { name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
        { name: "SA", valueFrom: { fieldRef: { fieldPath: "spec.serviceAccountName" } } },
        { name: "IPS", valueFrom: { fieldRef: { fieldPath: "status.podIPs" } } },
        { name: "HOST", valueFrom: { fieldRef: { fieldPath: "status.hostIP" } } },
        { name: "TIER", valueFrom: { fieldRef: { fieldPath: "metadata.labels['tier']" } } },
        { name: "LABELS", valueFrom: { fieldRef: { fieldPath: "metadata.labels" } } },
        { name: "ANN", valueFrom: { fieldRef: { fieldPath: "metadata.annotations" } } },
        { name: "CPU_M", valueFrom: { resourceFieldRef: { resource: "limits.cpu", divisor: "1m" } } },
        { name: "CPU", valueFrom: { resourceFieldRef: { resource: "limits.cpu" } } },
        { name: "MEM_LIMIT", valueFrom: { resourceFieldRef: { resource: "limits.memory", divisor: "1Gi" } } },
        { name: "MEM_REQ", valueFrom: { resourceFieldRef: { resource: "requests.memory", divisor: "1Mi" } } },
      ],
    }),
  );
  assert.deepEqual(got, {
    NS: "prod",
    UID: "u1",
    NODE: "node-1",
    SA: "sa",
    IPS: "10.1.0.5,fd00::5",
    HOST: "192.168.0.2",
    TIER: "front",
    LABELS: 'app="web"\ntier="front"',
    ANN: 'note="say \\"hi\\""',
    CPU_M: "500",
    // ceil(0.5 core / 1)
    CPU: "1",
    // No memory limit: the node's allocatable.
    MEM_LIMIT: "8",
    MEM_REQ: "64",
  });
});

test("envFrom and key references through the lookups; later env wins; missing ones fail as upstream", async () => {
  const configMaps: Record<string, ConfigMap> = { cfg: { data: { MODE: "fast", LEVEL: "3" } } };
  const secrets: Record<string, Secret> = {
    creds: { data: { PASSWORD: Buffer.from("s3cret").toString("base64") } },
  };
  const lookups = {
    configMap: async (_ns: string, name: string) => configMaps[name],
    secret: async (_ns: string, name: string) => secrets[name],
  };
  const got = await env(
    ctx(
      {
        envFrom: [{ configMapRef: { name: "cfg" }, prefix: "CFG_" }, { secretRef: { name: "creds" } }],
        env: [
          { name: "CFG_MODE", value: "slow" },
          { name: "LEVEL", valueFrom: { configMapKeyRef: { name: "cfg", key: "LEVEL" } } },
          { name: "PW", valueFrom: { secretKeyRef: { name: "creds", key: "PASSWORD" } } },
          { name: "OPT", valueFrom: { configMapKeyRef: { name: "absent", key: "x", optional: true } } },
          { name: "MSG", value: "mode=$(CFG_MODE) pw=$(PASSWORD)" },
        ],
      },
      lookups,
    ),
  );
  assert.deepEqual(got, {
    CFG_MODE: "slow",
    CFG_LEVEL: "3",
    PASSWORD: "s3cret",
    LEVEL: "3",
    PW: "s3cret",
    MSG: "mode=slow pw=s3cret",
  });

  await assert.rejects(
    makeEnvironmentVariables(
      ctx({ env: [{ name: "X", valueFrom: { configMapKeyRef: { name: "nope", key: "k" } } }] }, lookups),
    ),
    (e: unknown) => e instanceof ContainerConfigError && e.message === 'configmaps "nope" not found',
  );
  await assert.rejects(
    makeEnvironmentVariables(
      ctx({ env: [{ name: "X", valueFrom: { secretKeyRef: { name: "creds", key: "k" } } }] }, lookups),
    ),
    (e: unknown) =>
      e instanceof ContainerConfigError && e.message === "couldn't find key k in Secret prod/creds",
  );
});

test("formatMap sorts keys and quotes values", () => {
  assert.equal(formatMap({ b: "2", a: "x\ny" }), 'a="x\\ny"\nb="2"');
  assert.equal(formatMap(undefined), "");
});

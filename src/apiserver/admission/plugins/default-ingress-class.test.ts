import assert from "node:assert/strict";
import { test } from "node:test";
import type { Obj } from "../../../api/registry.ts";
import { DefaultIngressClass } from "./default-ingress-class.ts";
import { attrs, newRegistry } from "./test-helpers.ts";

function ingress(spec: Obj = {}, annotations?: Obj): Obj {
  return {
    metadata: { name: "web", namespace: "default", ...(annotations ? { annotations } : {}) },
    spec: { defaultBackend: { service: { name: "web", port: { number: 80 } } }, ...spec },
  };
}

test("ingresses without a class get the newest default IngressClass; those naming one keep it", async () => {
  const registry = newRegistry();
  const store = registry.byResource("networking.k8s.io", "v1", "ingressclasses")!;
  const plugin = new DefaultIngressClass({ registry });
  const admit = async (obj: Obj, operation: "CREATE" | "UPDATE" = "CREATE") => {
    const a = attrs({ group: "networking.k8s.io", resource: "ingresses", object: obj, operation });
    if (plugin.handles(a.operation)) await plugin.admit(a);
    return a.object!.spec.ingressClassName;
  };
  const create = (name: string, isDefault?: string) =>
    store.create(undefined, {
      apiVersion: "networking.k8s.io/v1",
      kind: "IngressClass",
      metadata: {
        name,
        ...(isDefault ? { annotations: { "ingressclass.kubernetes.io/is-default-class": isDefault } } : {}),
      },
      spec: { controller: "example.com/ingress" },
    });
  assert.equal(await admit(ingress()), undefined);
  await create("plain");
  await create("off", "false");
  assert.equal(await admit(ingress()), undefined, "no class is annotated the default");
  await create("nginx", "true");
  assert.equal(await admit(ingress()), "nginx");
  assert.equal(await admit(ingress({ ingressClassName: "plain" })), "plain");
  assert.equal(await admit(ingress({}, { "kubernetes.io/ingress.class": "traefik" })), undefined);
  assert.equal(await admit(ingress(), "UPDATE"), undefined, "only creates are defaulted");
  // Two defaults in the same second: the first by name.
  await create("alpha", "true");
  assert.equal(await admit(ingress()), "alpha");
});

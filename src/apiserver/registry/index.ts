// One ResourceStore per stored resource, each with its strategy and hooks.
import { hpaV1ToV2, hpaV2ToV1 } from "../../api/autoscaling/conversion.ts";
import { ResourceCatalog, type ResourceType, resourceTypes } from "../../api/registry.ts";
import type { Store } from "../../storage/store.ts";
import { CustomResourceDefinitionStrategy } from "./custom-resource-definitions.ts";
import { CustomResourceStrategy, customResourceConversion } from "./custom-resources.ts";
import { DaemonSetStrategy } from "./daemonsets.ts";
import { type Conversion, eventsV1Conversion } from "./events.ts";
import { NamespaceStrategy, namespaceHooks } from "./namespaces.ts";
import { NodeStrategy } from "./nodes.ts";
import { PodStrategy } from "./pods.ts";
import { type ResourceHooks, ResourceStore } from "./resource-store.ts";
import { SecretStrategy } from "./secrets.ts";
import { ServiceStrategy } from "./service-strategy.ts";
import { DEFAULT_SERVICE_NETWORK, ServiceAllocator, type ServiceNetwork } from "./services.ts";
import { GenericStrategy, type Strategy } from "./strategy.ts";

function strategyFor(type: ResourceType): Strategy {
  if (type.group === "" && type.kind === "Pod") return new PodStrategy(type);
  if (type.group === "" && type.kind === "Namespace") return new NamespaceStrategy(type);
  if (type.group === "" && type.kind === "Node") return new NodeStrategy(type);
  if (type.group === "" && type.kind === "Secret") return new SecretStrategy(type);
  if (type.group === "apps" && type.kind === "DaemonSet") return new DaemonSetStrategy(type);
  if (type.group === "" && type.kind === "Service") return new ServiceStrategy(type);
  if (type.group === "apiextensions.k8s.io" && type.kind === "CustomResourceDefinition")
    return new CustomResourceDefinitionStrategy(type);
  return new GenericStrategy(type);
}

/** Resources served in a version other than the one they are stored in. */
function conversionFor(type: ResourceType): Conversion | undefined {
  if (type.group === "events.k8s.io") return eventsV1Conversion;
  // HorizontalPodAutoscalers are stored as autoscaling/v2, upstream's storage version.
  if (type.group === "autoscaling" && type.version === "v1")
    return { toStorage: hpaV1ToV2, fromStorage: hpaV2ToV1 };
  return undefined;
}

export interface RegistryOptions {
  now?: () => Date;
  serviceNetwork?: ServiceNetwork;
}

export class Registry {
  private readonly stores = new Map<ResourceType, ResourceStore>();
  readonly services: ServiceAllocator;
  /** What this apiserver serves: the built-in resources and its CRDs' custom ones. */
  readonly catalog = new ResourceCatalog();
  private readonly now: (() => Date) | undefined;

  constructor(
    readonly store: Store,
    opts: RegistryOptions = {},
  ) {
    this.now = opts.now;
    this.services = new ServiceAllocator(store, opts.serviceNetwork ?? DEFAULT_SERVICE_NETWORK);
    const allocator = this.services;
    const serviceHooks: ResourceHooks = {
      beforeCreate: (svc) => allocator.allocate(svc),
      beforeUpdate: (next, current) => allocator.reconcileUpdate(next, current),
      afterDelete: (svc) => allocator.releaseAll(svc),
    };
    for (const type of resourceTypes) {
      if (type.virtual) continue;
      const conversion = conversionFor(type);
      const hooks =
        type.group === "" && type.kind === "Service"
          ? serviceHooks
          : type.group === "" && type.kind === "Namespace"
            ? namespaceHooks
            : undefined;
      this.stores.set(
        type,
        new ResourceStore({ store, type, strategy: strategyFor(type), now: opts.now, conversion, hooks }),
      );
    }
  }

  storeFor(type: ResourceType): ResourceStore | undefined {
    return this.stores.get(type);
  }

  byResource(group: string, version: string, resource: string): ResourceStore | undefined {
    const t = this.catalog.findResource(group, version, resource);
    return t ? this.stores.get(t) : undefined;
  }

  /** Serves a CRD's custom resources as `types` (one per served version) from now on, in place of what it served. */
  setCustomTypes(crd: string, types: ResourceType[]): void {
    for (const old of this.catalog.customTypes(crd)) this.stores.delete(old);
    for (const type of types) {
      this.stores.set(
        type,
        new ResourceStore({
          store: this.store,
          type,
          strategy: new CustomResourceStrategy(type),
          now: this.now,
          conversion: customResourceConversion(type),
        }),
      );
    }
    this.catalog.setCustom(crd, types);
  }

  get namespaces(): ResourceStore {
    return this.byResource("", "v1", "namespaces")!;
  }
}

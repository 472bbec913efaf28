// One ResourceStore per stored resource, each with its strategy.
import { findResource, type ResourceType, resourceTypes } from "../../api/registry.ts";
import type { Store } from "../../storage/store.ts";
import { DaemonSetStrategy } from "./daemonsets.ts";
import { eventsV1Conversion } from "./events.ts";
import { NamespaceStrategy } from "./namespaces.ts";
import { PodStrategy } from "./pods.ts";
import { ResourceStore } from "./resource-store.ts";
import { GenericStrategy, type Strategy } from "./strategy.ts";

function strategyFor(type: ResourceType): Strategy {
  if (type.group === "" && type.kind === "Pod") return new PodStrategy(type);
  if (type.group === "" && type.kind === "Namespace") return new NamespaceStrategy(type);
  if (type.group === "apps" && type.kind === "DaemonSet") return new DaemonSetStrategy(type);
  return new GenericStrategy(type);
}

export class Registry {
  private readonly stores = new Map<ResourceType, ResourceStore>();

  constructor(
    readonly store: Store,
    opts: { now?: () => Date } = {},
  ) {
    for (const type of resourceTypes) {
      if (type.virtual) continue;
      const conversion = type.group === "events.k8s.io" ? eventsV1Conversion : undefined;
      this.stores.set(
        type,
        new ResourceStore({ store, type, strategy: strategyFor(type), now: opts.now, conversion }),
      );
    }
  }

  storeFor(type: ResourceType): ResourceStore | undefined {
    return this.stores.get(type);
  }

  byResource(group: string, version: string, resource: string): ResourceStore | undefined {
    const t = findResource(group, version, resource);
    return t ? this.stores.get(t) : undefined;
  }

  get namespaces(): ResourceStore {
    return this.byResource("", "v1", "namespaces")!;
  }

  get pods(): ResourceStore {
    return this.byResource("", "v1", "pods")!;
  }
}

// Discovery documents: aggregated discovery (apidiscovery.k8s.io/v2, what
// kubectl 1.32 asks for first) and the legacy /api, /apis, /api/v1, /apis/g/v.
import { apiVersionOf, type ResourceCatalog, type ResourceType } from "../../api/registry.ts";

type Json = Record<string, unknown>;

function servedTypes(catalog: ResourceCatalog, group: string, version: string): ResourceType[] {
  return catalog.types().filter((t) => t.group === group && t.version === version);
}

function resourceDiscovery(t: ResourceType): Json {
  const r: Json = {
    resource: t.resource,
    responseKind: { group: t.group, version: t.version, kind: t.kind },
    scope: t.namespaced ? "Namespaced" : "Cluster",
    singularResource: t.singular,
    verbs: t.verbs,
  };
  if (t.shortNames.length) r.shortNames = t.shortNames;
  if (t.categories.length) r.categories = t.categories;
  if (t.subresources.length) {
    r.subresources = t.subresources.map((s) => ({
      subresource: s.name,
      responseKind: s.kind ?? { group: t.group, version: t.version, kind: t.kind },
      verbs: s.verbs,
    }));
  }
  return r;
}

/** A group-version an APIService sends to an extension apiserver, with the APIResourceList it answered. */
export interface RemoteGroupVersion {
  group: string;
  version: string;
  resources: Json;
}

/** The remote group-versions by group, in their priority order. */
function remoteGroups(
  remote: readonly RemoteGroupVersion[],
): Array<{ name: string; versions: RemoteGroupVersion[] }> {
  const out: Array<{ name: string; versions: RemoteGroupVersion[] }> = [];
  for (const r of remote) {
    const g = out.find((x) => x.name === r.group);
    if (g) g.versions.push(r);
    else out.push({ name: r.group, versions: [r] });
  }
  return out;
}

/** An APIResourceList's entries as aggregated discovery's resources (subresources under their resource). */
function remoteResources(r: RemoteGroupVersion): Json[] {
  const entries = ((r.resources.resources ?? []) as Json[]).filter((e) => typeof e.name === "string");
  const out: Json[] = [];
  for (const e of entries) {
    const name = e.name as string;
    if (name.includes("/")) continue;
    const res: Json = {
      resource: name,
      responseKind: { group: e.group ?? r.group, version: e.version ?? r.version, kind: e.kind },
      scope: e.namespaced ? "Namespaced" : "Cluster",
      singularResource: e.singularName ?? "",
      verbs: e.verbs ?? [],
    };
    if ((e.shortNames as string[] | undefined)?.length) res.shortNames = e.shortNames;
    if ((e.categories as string[] | undefined)?.length) res.categories = e.categories;
    const subs = entries
      .filter((x) => (x.name as string).startsWith(`${name}/`))
      .map((x) => ({
        subresource: (x.name as string).slice(name.length + 1),
        responseKind: { group: x.group ?? r.group, version: x.version ?? r.version, kind: x.kind },
        verbs: x.verbs ?? [],
      }));
    if (subs.length > 0) res.subresources = subs;
    out.push(res);
  }
  return out.sort((a, b) => String(a.resource).localeCompare(String(b.resource)));
}

/** The APIGroupDiscoveryList for /api (core) or /apis (every named group, then the remote ones). */
export function aggregatedDiscovery(
  catalog: ResourceCatalog,
  core: boolean,
  version = "v2",
  remote: readonly RemoteGroupVersion[] = [],
): Json {
  const items = catalog
    .apiGroups()
    .filter((g) => (g.name === "") === core)
    .map((g) => ({
      metadata: g.name ? { name: g.name, creationTimestamp: null } : { creationTimestamp: null },
      versions: g.versions.map((v) => ({
        version: v,
        resources: servedTypes(catalog, g.name, v)
          .sort((a, b) => a.resource.localeCompare(b.resource))
          .map(resourceDiscovery),
        freshness: "Current",
      })),
    }));
  if (!core) {
    for (const g of remoteGroups(remote)) {
      items.push({
        metadata: { name: g.name, creationTimestamp: null },
        versions: g.versions.map((r) => ({
          version: r.version,
          resources: remoteResources(r),
          freshness: "Current",
        })),
      });
    }
  }
  return { kind: "APIGroupDiscoveryList", apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

export function discoveryContentType(version: string): string {
  return `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
}

export function apiVersions(serverAddress: string): Json {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

function groupJson(g: { name: string; versions: string[] }): Json {
  const versions = g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v }));
  return { name: g.name, versions, preferredVersion: versions[0] };
}

export function apiGroupList(catalog: ResourceCatalog, remote: readonly RemoteGroupVersion[] = []): Json {
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: [...catalog.apiGroups().filter((g) => g.name !== ""), ...remoteGroupVersions(remote)].map(
      groupJson,
    ),
  };
}

function remoteGroupVersions(
  remote: readonly RemoteGroupVersion[],
): Array<{ name: string; versions: string[] }> {
  return remoteGroups(remote).map((g) => ({ name: g.name, versions: g.versions.map((v) => v.version) }));
}

export function apiGroup(
  catalog: ResourceCatalog,
  name: string,
  remote: readonly RemoteGroupVersion[] = [],
): Json | undefined {
  const g = [...catalog.apiGroups(), ...remoteGroupVersions(remote)].find(
    (x) => x.name === name && name !== "",
  );
  return g ? { kind: "APIGroup", apiVersion: "v1", ...groupJson(g) } : undefined;
}

export function apiResourceList(catalog: ResourceCatalog, group: string, version: string): Json | undefined {
  const types = servedTypes(catalog, group, version);
  if (types.length === 0) return undefined;
  const resources: Json[] = [];
  for (const t of [...types].sort((a, b) => a.resource.localeCompare(b.resource))) {
    const r: Json = {
      name: t.resource,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: t.verbs,
    };
    if (t.shortNames.length) r.shortNames = t.shortNames;
    if (t.categories.length) r.categories = t.categories;
    resources.push(r);
    for (const s of t.subresources) {
      const sr: Json = {
        name: `${t.resource}/${s.name}`,
        singularName: "",
        namespaced: t.namespaced,
        kind: s.kind?.kind ?? t.kind,
        verbs: s.verbs,
      };
      if (s.kind && (s.kind.group !== t.group || s.kind.version !== t.version)) {
        sr.group = s.kind.group;
        sr.version = s.kind.version;
      }
      resources.push(sr);
    }
  }
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: apiVersionOf({ group, version }),
    resources,
  };
}

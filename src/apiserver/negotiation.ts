// Content negotiation: which representation the client asked for in Accept.
import { parseAccept } from "../machinery/accept.ts";
import { newNotAcceptable } from "../machinery/status.ts";

export type Representation =
  | { kind: "object" }
  | { kind: "table"; version: string }
  | { kind: "partial"; version: string; list: boolean }
  | { kind: "discovery"; version: string }
  | { kind: "yaml" };

const SUPPORTED = [
  "application/json",
  "application/yaml",
  "application/json;as=Table;g=meta.k8s.io;v=v1",
  "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1",
  "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1",
];

/**
 * Picks the first acceptable representation for an object or list response.
 * Table and PartialObjectMetadata apply only where `transformable` is true
 * (resource reads, not writes' bodies in upstream terms: they apply to GET/LIST/WATCH).
 */
export function negotiate(header: string | undefined, opts: { list: boolean }): Representation {
  for (const m of parseAccept(header)) {
    const as = m.params.as;
    if (m.type === "application/json" || m.type === "application/*" || m.type === "*/*") {
      if (!as) return { kind: "object" };
      if (m.params.g !== "meta.k8s.io") continue;
      const version = m.params.v ?? "v1";
      if (version !== "v1" && version !== "v1beta1") continue;
      if (as === "Table") return { kind: "table", version };
      if (as === "PartialObjectMetadata" && !opts.list) return { kind: "partial", version, list: false };
      if (as === "PartialObjectMetadataList" && opts.list) return { kind: "partial", version, list: true };
      continue;
    }
    if (m.type === "application/yaml" && !as) return { kind: "yaml" };
  }
  throw newNotAcceptable(SUPPORTED);
}

/** For discovery documents: aggregated discovery v2 (or v2beta1) if asked for, else the legacy form. */
export function negotiateDiscovery(header: string | undefined): { aggregated: string | undefined } {
  for (const m of parseAccept(header)) {
    if (
      m.type === "application/json" &&
      m.params.as === "APIGroupDiscoveryList" &&
      m.params.g === "apidiscovery.k8s.io"
    ) {
      if (m.params.v === "v2" || m.params.v === "v2beta1") return { aggregated: m.params.v };
      continue;
    }
    if (m.type === "application/json" || m.type === "*/*" || m.type === "application/*") {
      if (!m.params.as) return { aggregated: undefined };
    }
  }
  return { aggregated: undefined };
}

// k8s.io/endpointslice/util EndpointSliceTracker: the generation of every
// EndpointSlice this controller last wrote (or -1 for one it deleted), per
// Service, so that a sync on a cache that has not yet seen those writes
// stops instead of acting twice (creating a duplicate slice, say).
import type { Service } from "kubernetes-types/core/v1.d.ts";
import type { EndpointSlice } from "kubernetes-types/discovery/v1.d.ts";
import { LABEL_SERVICE_NAME } from "./labels.ts";

const DELETION_EXPECTED = -1;

function serviceKeyOf(slice: EndpointSlice): string {
  return `${slice.metadata?.namespace ?? ""}/${slice.metadata?.labels?.[LABEL_SERVICE_NAME] ?? ""}`;
}

export class EndpointSliceTracker {
  /** Service key → slice uid → generation. */
  private readonly generationsByService = new Map<string, Map<string, number>>();
  /** Service key → the uid of the Service the generations belong to. */
  private readonly servicesByUID = new Map<string, string>();

  /** Has: a generation is tracked for the slice. */
  has(slice: EndpointSlice): boolean {
    return this.generationsByService.get(serviceKeyOf(slice))?.has(slice.metadata?.uid ?? "") ?? false;
  }

  /** ShouldSync: the slice is unknown or newer than what was written. */
  shouldSync(slice: EndpointSlice): boolean {
    const g = this.generationsByService.get(serviceKeyOf(slice))?.get(slice.metadata?.uid ?? "");
    return g === undefined || (slice.metadata?.generation ?? 0) > g;
  }

  /**
   * StaleSlices: the cache lags the writes made for this Service — a slice
   * older than written, one expected gone still there, or one written missing.
   */
  staleSlices(service: Service, slices: EndpointSlice[]): boolean {
    const key = `${service.metadata?.namespace ?? ""}/${service.metadata?.name ?? ""}`;
    const uid = service.metadata?.uid ?? "";
    const trackedUID = this.servicesByUID.get(key);
    // A Service deleted and recreated under the same name: the old writes no longer matter.
    if (trackedUID && uid && trackedUID !== uid) this.generationsByService.delete(key);
    this.servicesByUID.set(key, uid);
    const gfs = this.generationsByService.get(key);
    if (!gfs) return false;
    const provided = new Set<string>();
    for (const slice of slices) {
      const sliceUID = slice.metadata?.uid ?? "";
      provided.add(sliceUID);
      const g = gfs.get(sliceUID);
      if (g !== undefined && (g === DELETION_EXPECTED || g > (slice.metadata?.generation ?? 0))) return true;
    }
    for (const [sliceUID, g] of gfs) {
      if (g !== DELETION_EXPECTED && !provided.has(sliceUID)) return true;
    }
    return false;
  }

  /** Update: records the generation of a slice just written. */
  update(slice: EndpointSlice): void {
    this.generationsFor(slice).set(slice.metadata?.uid ?? "", slice.metadata?.generation ?? 0);
  }

  /** ExpectDeletion: records a slice just deleted. */
  expectDeletion(slice: EndpointSlice): void {
    this.generationsFor(slice).set(slice.metadata?.uid ?? "", DELETION_EXPECTED);
  }

  /** HandleDeletion: forgets a deleted slice; false when its deletion was not expected. */
  handleDeletion(slice: EndpointSlice): boolean {
    const gfs = this.generationsByService.get(serviceKeyOf(slice));
    if (!gfs) return true;
    const uid = slice.metadata?.uid ?? "";
    const g = gfs.get(uid);
    gfs.delete(uid);
    return !(g !== undefined && g !== DELETION_EXPECTED);
  }

  deleteService(namespace: string, name: string): void {
    this.generationsByService.delete(`${namespace}/${name}`);
    this.servicesByUID.delete(`${namespace}/${name}`);
  }

  private generationsFor(slice: EndpointSlice): Map<string, number> {
    const key = serviceKeyOf(slice);
    let gfs = this.generationsByService.get(key);
    if (!gfs) {
      gfs = new Map();
      this.generationsByService.set(key, gfs);
    }
    return gfs;
  }
}

// pkg/proxy/userspace/roundrobin.go LoadBalancerRR: each service port keeps a
// shuffled list of "ip:port" endpoints and a round-robin index; with
// sessionAffinity ClientIP a client IP keeps its endpoint until it has been
// idle for ttlSeconds. Keys are service port keys (servicePortKey).
import { DEFAULT_CLIENT_IP_AFFINITY_SECONDS } from "../service-port.ts";

export const ErrMissingServiceEntry = "missing service entry";
export const ErrMissingEndpoints = "missing endpoints";

export class LoadBalancerError extends Error {}

export type ServiceAffinity = "None" | "ClientIP" | "";

interface AffinityState {
  clientIP: string;
  endpoint: string;
  lastUsed: number;
}

interface BalancerState {
  endpoints: string[];
  index: number;
  affinityType: ServiceAffinity;
  ttlSeconds: number;
  affinityMap: Map<string, AffinityState>;
}

/** util.ShuffleStrings: a Fisher–Yates shuffle into a new array. */
export function shuffleStrings(s: readonly string[], random: () => number = Math.random): string[] {
  const out = [...s];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export interface LoadBalancerRROptions {
  now?: () => number;
  shuffle?: (s: readonly string[]) => string[];
}

export class LoadBalancerRR {
  private readonly services = new Map<string, BalancerState>();
  private readonly now: () => number;
  private readonly shuffle: (s: readonly string[]) => string[];

  constructor(o: LoadBalancerRROptions = {}) {
    this.now = o.now ?? Date.now;
    this.shuffle = o.shuffle ?? ((s) => shuffleStrings(s));
  }

  newService(svcPort: string, affinityType: ServiceAffinity, ttlSeconds: number): void {
    this.newServiceInternal(svcPort, affinityType, ttlSeconds);
  }

  private newServiceInternal(
    svcPort: string,
    affinityType: ServiceAffinity,
    ttlSeconds: number,
  ): BalancerState {
    // upstream: "default to 3 hours if not specified".
    const ttl = ttlSeconds === 0 ? DEFAULT_CLIENT_IP_AFFINITY_SECONDS : ttlSeconds;
    let state = this.services.get(svcPort);
    if (!state) {
      state = { endpoints: [], index: 0, affinityType, ttlSeconds: ttl, affinityMap: new Map() };
      this.services.set(svcPort, state);
    } else if (affinityType !== "") {
      state.affinityType = affinityType;
    }
    return state;
  }

  deleteService(svcPort: string): void {
    this.services.delete(svcPort);
  }

  serviceHasEndpoints(svcPort: string): boolean {
    return (this.services.get(svcPort)?.endpoints.length ?? 0) > 0;
  }

  /** The endpoints in round-robin order (tests read it as upstream's tests read state.endpoints). */
  endpoints(svcPort: string): readonly string[] {
    return this.services.get(svcPort)?.endpoints ?? [];
  }

  /**
   * NextEndpoint: the sticky endpoint of clientIP if its affinity has not expired (and no reset
   * was asked for after a failed dial), else the next one round-robin.
   */
  nextEndpoint(svcPort: string, clientIP: string | undefined, sessionAffinityReset: boolean): string {
    const state = this.services.get(svcPort);
    if (!state) throw new LoadBalancerError(ErrMissingServiceEntry);
    if (state.endpoints.length === 0) throw new LoadBalancerError(ErrMissingEndpoints);
    const sticky = state.affinityType !== "" && state.affinityType !== "None";
    if (sticky && clientIP === undefined) throw new LoadBalancerError("malformed source address");
    const ip = clientIP ?? "";
    if (sticky && !sessionAffinityReset) {
      const a = state.affinityMap.get(ip);
      // Go's int(time.Since(..).Seconds()) truncates.
      if (a && Math.trunc((this.now() - a.lastUsed) / 1000) < state.ttlSeconds) {
        a.lastUsed = this.now();
        return a.endpoint;
      }
    }
    const endpoint = state.endpoints[state.index];
    state.index = (state.index + 1) % state.endpoints.length;
    if (sticky) {
      let a = state.affinityMap.get(ip);
      if (!a) {
        a = { clientIP: ip, endpoint, lastUsed: 0 };
        state.affinityMap.set(ip, a);
      }
      a.lastUsed = this.now();
      a.endpoint = endpoint;
    }
    return endpoint;
  }

  /**
   * OnEndpointsUpdate for one service port: a changed set (order aside) drops the affinities of
   * endpoints that left, is shuffled and restarts the round robin; an empty one resets the port.
   */
  setEndpoints(svcPort: string, newEndpoints: readonly string[]): void {
    if (newEndpoints.length === 0) {
      this.resetService(svcPort);
      return;
    }
    const state = this.services.get(svcPort);
    if (state && sameSet(state.endpoints, newEndpoints)) return;
    if (state) {
      const keep = new Set(newEndpoints);
      for (const existing of state.endpoints) {
        if (keep.has(existing)) continue;
        for (const [ip, a] of state.affinityMap) if (a.endpoint === existing) state.affinityMap.delete(ip);
      }
    }
    const s = this.newServiceInternal(svcPort, "", 0);
    s.endpoints = this.shuffle(newEndpoints);
    s.index = 0;
  }

  /** resetService: the port stays, without endpoints or affinities. */
  resetService(svcPort: string): void {
    const state = this.services.get(svcPort);
    if (!state) return;
    state.endpoints = [];
    state.index = 0;
    state.affinityMap = new Map();
  }

  cleanupStaleStickySessions(svcPort: string): void {
    const state = this.services.get(svcPort);
    if (!state) return;
    for (const [ip, a] of state.affinityMap) {
      if (Math.trunc((this.now() - a.lastUsed) / 1000) >= state.ttlSeconds) state.affinityMap.delete(ip);
    }
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const x = [...a].sort();
  const y = [...b].sort();
  return x.every((v, i) => v === y[i]);
}

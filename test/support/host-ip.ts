import { networkInterfaces } from "node:os";

/** A non-loopback IPv4 address of this machine: what endpoints and node addresses may hold, unlike 127.0.0.1. */
export function hostIP(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  throw new Error("no non-loopback IPv4 address on this machine");
}

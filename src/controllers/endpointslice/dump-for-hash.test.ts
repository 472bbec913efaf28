// go-spew's "%#v" as k8s.io/utils/dump.ForHash writes it, and Go's FNV-128a.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CORE_ENDPOINT_PORT,
  CORE_ENDPOINT_SUBSET,
  DISCOVERY_ENDPOINT_PORT,
  dumpForHash,
  fnv128aHex,
} from "./dump-for-hash.ts";

test("FNV-128a matches Go's hash/fnv New128a", () => {
  assert.equal(fnv128aHex(""), "6c62272e07bb014262b821756295c58d");
  assert.equal(fnv128aHex("a"), "d228cb696f1a8caf78912b704e4a8964");
});

test("a core EndpointPort: every field typed, nil pointer shown with its type", () => {
  assert.equal(
    dumpForHash({ name: "http", port: 80, protocol: "TCP" }, CORE_ENDPOINT_PORT),
    "(v1.EndpointPort){Name:(string)http Port:(int32)80 Protocol:(v1.Protocol)TCP AppProtocol:(*string)<nil>}",
  );
});

test("a discovery EndpointPort: pointers show the pointee's type with one star", () => {
  assert.equal(
    dumpForHash({ name: "", port: 8080, protocol: "TCP", appProtocol: "http" }, DISCOVERY_ENDPOINT_PORT),
    "(v1.EndpointPort){Name:(*string) Protocol:(*v1.Protocol)TCP Port:(*int32)8080 AppProtocol:(*string)http}",
  );
});

test("a subset: slice elements without types, nil slices as <nil>, nested pointers", () => {
  const subset = {
    addresses: [{ ip: "10.0.0.1", nodeName: "n", targetRef: { kind: "Pod", name: "p", uid: "u" } }],
    ports: [{ port: 80, protocol: "TCP" }],
  };
  assert.equal(
    dumpForHash(subset, CORE_ENDPOINT_SUBSET),
    "(v1.EndpointSubset){Addresses:([]v1.EndpointAddress)[{IP:(string)10.0.0.1 Hostname:(string) " +
      "NodeName:(*string)n TargetRef:(*v1.ObjectReference){Kind:(string)Pod Namespace:(string) Name:(string)p " +
      "UID:(types.UID)u APIVersion:(string) ResourceVersion:(string) FieldPath:(string)}}] " +
      "NotReadyAddresses:([]v1.EndpointAddress)<nil> " +
      "Ports:([]v1.EndpointPort)[{Name:(string) Port:(int32)80 Protocol:(v1.Protocol)TCP AppProtocol:(*string)<nil>}]}",
  );
});

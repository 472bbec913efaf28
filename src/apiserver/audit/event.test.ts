import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import { eventJSON, eventUser, microTime, sourceIPsOf, userAgentOf } from "./event.ts";

const request = (headers: Record<string, string>, remoteAddress?: string) =>
  ({ headers, socket: { remoteAddress } }) as unknown as IncomingMessage;

describe("audit event fields", () => {
  it("formats timestamps as metav1.MicroTime (RFC 3339, six digits, UTC)", () => {
    assert.equal(microTime(Date.UTC(2024, 0, 2, 3, 4, 5, 678) + 0.9), "2024-01-02T03:04:05.678900Z");
    assert.equal(microTime(Date.UTC(2024, 0, 2, 3, 4, 5)), "2024-01-02T03:04:05.000000Z");
  });

  it("lists source IPs as utilnet.SourceIPs: forwarded chain, real IP, then the peer unless repeated", () => {
    assert.deepEqual(sourceIPsOf(request({}, "::ffff:127.0.0.1")), ["127.0.0.1"]);
    assert.deepEqual(
      sourceIPsOf(
        request({ "x-forwarded-for": "1.2.3.4, bogus, 5.6.7.8", "x-real-ip": "1.2.3.4" }, "10.0.0.1"),
      ),
      ["1.2.3.4", "5.6.7.8", "10.0.0.1"],
    );
    assert.deepEqual(sourceIPsOf(request({ "x-real-ip": "9.9.9.9" }, "9.9.9.9")), ["9.9.9.9"]);
    assert.deepEqual(sourceIPsOf(request({}, "::1")), ["::1"]);
  });

  it("cuts the user agent at 1024 characters", () => {
    assert.equal(userAgentOf(request({ "user-agent": "kubectl/v1.32.0" })), "kubectl/v1.32.0");
    const long = "x".repeat(1500);
    assert.equal(userAgentOf(request({ "user-agent": long })), `${"x".repeat(1024)}...TRUNCATED`);
  });

  it("writes the user as authentication/v1 UserInfo, empty fields left out", () => {
    assert.deepEqual(eventUser({ name: "alice", groups: [], extra: {} }), { username: "alice" });
    assert.deepEqual(eventUser(undefined), {});
    assert.deepEqual(eventUser({ name: "a", uid: "1", groups: ["g"], extra: { z: ["1"], a: ["2"] } }), {
      username: "a",
      uid: "1",
      groups: ["g"],
      extra: { a: ["2"], z: ["1"] },
    });
  });

  it("serialises an event in Go's field order with omitempty, as kube-apiserver's log lines", () => {
    const line = eventJSON({
      annotations: { "authorization.k8s.io/reason": "", "authorization.k8s.io/decision": "allow" },
      stageTimestamp: "2024-01-01T00:00:00.005000Z",
      requestReceivedTimestamp: "2024-01-01T00:00:00.000000Z",
      responseStatus: { metadata: {}, code: 200 },
      objectRef: {
        name: "",
        namespace: "default",
        resource: "pods",
        apiGroup: "",
        apiVersion: "v1",
        subresource: "",
      },
      userAgent: "kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9",
      sourceIPs: ["172.18.0.1"],
      user: { username: "kubernetes-admin", groups: ["system:masters", "system:authenticated"] },
      verb: "list",
      requestURI: "/api/v1/namespaces/default/pods?limit=500",
      stage: "ResponseComplete",
      auditID: "4b3e5f2a-0000-4000-8000-000000000000",
      level: "Metadata",
      apiVersion: "audit.k8s.io/v1",
      kind: "Event",
    });
    assert.equal(
      line,
      '{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"4b3e5f2a-0000-4000-8000-000000000000","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/pods?limit=500","verb":"list","user":{"username":"kubernetes-admin","groups":["system:masters","system:authenticated"]},"sourceIPs":["172.18.0.1"],"userAgent":"kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9","objectRef":{"resource":"pods","namespace":"default","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2024-01-01T00:00:00.000000Z","stageTimestamp":"2024-01-01T00:00:00.005000Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}',
    );
  });
});

// The Pod the micro-benchmarks work on, as the apiserver holds it after
// admission (defaulted, with the projected service-account token volume;
// before managedFields are recorded), and the status the kubelet reports for it.
import type { JsonObject } from "../src/machinery/apply/value.ts";

export const ADMITTED_POD_JSON = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p-1","namespace":"default","labels":{"app":"x"}},"spec":{"containers":[{"name":"c","image":"k8ts.local/pause:3.10","resources":{"requests":{"cpu":"100m","memory":"500Mi"}},"imagePullPolicy":"IfNotPresent","terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","volumeMounts":[{"name":"kube-api-access-p9ng8","readOnly":true,"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}]}],"enableServiceLinks":true,"dnsPolicy":"ClusterFirst","restartPolicy":"Always","securityContext":{},"terminationGracePeriodSeconds":30,"schedulerName":"default-scheduler","serviceAccountName":"default","serviceAccount":"default","volumes":[{"name":"kube-api-access-p9ng8","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},{"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},{"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}],"defaultMode":420}}],"priority":0,"preemptionPolicy":"PreemptLowerPriority","tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}]},"status":{"phase":"Pending","qosClass":"Burstable"}}`;

// What the kubelet's status patch makes of a scheduled Pod's status.
export function runningStatus(at: string): JsonObject {
  const condition = (type: string) => ({ type, status: "True", lastProbeTime: null, lastTransitionTime: at });
  return {
    phase: "Running",
    conditions: ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"].map(
      condition,
    ),
    hostIP: "10.0.0.2",
    hostIPs: [{ ip: "10.0.0.2" }],
    podIP: "10.244.1.7",
    podIPs: [{ ip: "10.244.1.7" }],
    startTime: at,
    containerStatuses: [
      {
        name: "c",
        state: { running: { startedAt: at } },
        lastState: {},
        ready: true,
        restartCount: 0,
        image: "k8ts.local/pause:3.10",
        imageID: "k8ts.local/pause@sha256:ee6521f290b2168b6e0935a181d4cff9be1ac3f505666ef0e3c98fae8199917a",
        containerID: "containerd://4f1c0e2b7d9a",
        started: true,
      },
    ],
    qosClass: "Burstable",
  };
}

// The bootstrap policy against upstream's golden files
// (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/*.yaml, v1.32 default gates).
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  clusterRoleBindings,
  clusterRoles,
  controllerRoleBindings,
  controllerRoles,
  namespaceRoleBindings,
  namespaceRoles,
} from "./bootstrap-policy.ts";

const names = (xs: Array<{ metadata?: { name?: string; namespace?: string } }>) =>
  xs
    .map((x) => (x.metadata?.namespace ? `${x.metadata.namespace}/${x.metadata.name}` : x.metadata?.name))
    .sort();

test("the cluster roles of cluster-roles.yaml", () => {
  assert.deepEqual(names(clusterRoles()), [
    "admin",
    "cluster-admin",
    "edit",
    "system:aggregate-to-admin",
    "system:aggregate-to-edit",
    "system:aggregate-to-view",
    "system:auth-delegator",
    "system:basic-user",
    "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
    "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
    "system:certificates.k8s.io:kube-apiserver-client-approver",
    "system:certificates.k8s.io:kube-apiserver-client-kubelet-approver",
    "system:certificates.k8s.io:kubelet-serving-approver",
    "system:certificates.k8s.io:legacy-unknown-approver",
    "system:discovery",
    "system:heapster",
    "system:kube-aggregator",
    "system:kube-controller-manager",
    "system:kube-dns",
    "system:kube-scheduler",
    "system:kubelet-api-admin",
    "system:monitoring",
    "system:node",
    "system:node-bootstrapper",
    "system:node-problem-detector",
    "system:node-proxier",
    "system:persistent-volume-provisioner",
    "system:public-info-viewer",
    "system:service-account-issuer-discovery",
    "system:volume-scheduler",
    "view",
  ]);
});

test("rules as the rule builder sorts them, labels and annotations as addDefaultMetadata sets them", () => {
  const discovery = clusterRoles().find((r) => r.metadata?.name === "system:discovery")!;
  assert.deepEqual(discovery, {
    kind: "ClusterRole",
    apiVersion: "rbac.authorization.k8s.io/v1",
    metadata: {
      name: "system:discovery",
      labels: { "kubernetes.io/bootstrapping": "rbac-defaults" },
      annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
    },
    rules: [
      {
        verbs: ["get"],
        nonResourceURLs: [
          "/api",
          "/api/*",
          "/apis",
          "/apis/*",
          "/healthz",
          "/livez",
          "/openapi",
          "/openapi/*",
          "/readyz",
          "/version",
          "/version/",
        ],
      },
    ],
  });
  const proxier = clusterRoles().find((r) => r.metadata?.name === "system:node-proxier")!;
  assert.deepEqual(proxier.rules, [
    { verbs: ["list", "watch"], apiGroups: [""], resources: ["endpoints", "services"] },
    { verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["nodes"] },
    { verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"] },
    { verbs: ["list", "watch"], apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"] },
  ]);
  const edit = clusterRoles().find((r) => r.metadata?.name === "edit")!;
  assert.deepEqual(edit.metadata?.labels, {
    "kubernetes.io/bootstrapping": "rbac-defaults",
    "rbac.authorization.k8s.io/aggregate-to-admin": "true",
  });
  assert.deepEqual(edit.aggregationRule, {
    clusterRoleSelectors: [{ matchLabels: { "rbac.authorization.k8s.io/aggregate-to-edit": "true" } }],
  });
  assert.equal(edit.rules, undefined);
});

test("bindings of cluster-role-bindings.yaml; system:node keeps no subjects (the Node authorizer serves nodes)", () => {
  const byName = new Map(clusterRoleBindings().map((b) => [b.metadata?.name, b]));
  assert.deepEqual(byName.get("system:public-info-viewer")?.subjects, [
    { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "system:authenticated" },
    { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "system:unauthenticated" },
  ]);
  assert.deepEqual(byName.get("system:kube-dns")?.subjects, [
    { kind: "ServiceAccount", name: "kube-dns", namespace: "kube-system" },
  ]);
  assert.equal(byName.get("system:node")?.subjects, undefined);
  // Upstream's twelve, kubeadm's three for bootstrap tokens, and the apiserver's kubelet client.
  assert.equal(
    byName.get("kubeadm:node-autoapprove-bootstrap")?.roleRef.name,
    "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
  );
  assert.deepEqual(byName.get("kubeadm:kubelet-bootstrap")?.subjects, [
    {
      kind: "Group",
      apiGroup: "rbac.authorization.k8s.io",
      name: "system:bootstrappers:kubeadm:default-node-token",
    },
  ]);
  assert.equal(byName.size, 16);
});

test("one controller role and binding per controller, bound to its kube-system service account", () => {
  const roles = controllerRoles();
  // upstream's 33, and k8ts's local-path provisioner.
  assert.equal(roles.length, 34);
  assert.ok(roles.every((r) => r.metadata?.name?.startsWith("system:controller:")));
  const binding = controllerRoleBindings().find(
    (b) => b.metadata?.name === "system:controller:job-controller",
  )!;
  assert.deepEqual(binding.roleRef, {
    apiGroup: "rbac.authorization.k8s.io",
    kind: "ClusterRole",
    name: "system:controller:job-controller",
  });
  assert.deepEqual(binding.subjects, [
    { kind: "ServiceAccount", name: "job-controller", namespace: "kube-system" },
  ]);
  const gc = roles.find((r) => r.metadata?.name === "system:controller:generic-garbage-collector")!;
  assert.deepEqual(gc.rules?.[0], {
    verbs: ["delete", "get", "list", "patch", "update", "watch"],
    apiGroups: ["*"],
    resources: ["*"],
  });
});

test("namespaced roles and bindings of kube-system and kube-public", () => {
  assert.deepEqual(names(namespaceRoles()), [
    "kube-public/system:controller:bootstrap-signer",
    "kube-system/extension-apiserver-authentication-reader",
    "kube-system/system::leader-locking-kube-controller-manager",
    "kube-system/system::leader-locking-kube-scheduler",
    "kube-system/system:controller:bootstrap-signer",
    "kube-system/system:controller:cloud-provider",
    "kube-system/system:controller:token-cleaner",
  ]);
  assert.deepEqual(names(namespaceRoleBindings()), [
    "kube-public/system:controller:bootstrap-signer",
    "kube-system/system::extension-apiserver-authentication-reader",
    "kube-system/system::leader-locking-kube-controller-manager",
    "kube-system/system::leader-locking-kube-scheduler",
    "kube-system/system:controller:bootstrap-signer",
    "kube-system/system:controller:cloud-provider",
    "kube-system/system:controller:token-cleaner",
  ]);
});

// The apiserver's entry point for the command line: start one from flags.
import { isIPv6 } from "node:net";
import type { Obj } from "../api/registry.ts";
import { AdmissionChain } from "./admission/admission.ts";
import { builtinAdmission } from "./admission/plugins/index.ts";
import { ObjectCache } from "./admission/plugins/object-cache.ts";
import { newPodSecurity } from "./admission/plugins/pod-security/plugin.ts";
import { newWebhookAdmission } from "./admission/plugins/webhooks/index.ts";
import { createAuditor } from "./audit/auditor.ts";
import {
  authenticationSubresourceHandlers,
  authenticationVirtualHandlers,
  buildAuthenticator,
} from "./authentication/config.ts";
import { openIDMetadata } from "./authentication/openid-metadata.ts";
import { DEFAULT_SERVICE_ACCOUNT_ISSUER } from "./authentication/service-account.ts";
import { ensureServiceAccountKeys } from "./authentication/service-account-keys.ts";
import { type AuthorizationMode, buildAuthorizer } from "./authorization/config.ts";
import { type ClusterPki, ensurePki } from "./certs.ts";
import { EncryptionConfig } from "./encryption/config.ts";
import { EncryptedStore } from "./encryption/store.ts";
import { FlowControl } from "./flowcontrol/flow-control.ts";
import { defaultAdvertiseAddress, startKubernetesServiceEndpoints } from "./kubernetes-service.ts";
import { log } from "./log.ts";
import { ObjectCounts } from "./object-counts.ts";
import { Registry } from "./registry/index.ts";
import { issueKubeletClient } from "./registry/kubelet-connection.ts";
import { nodeProxyHandler } from "./registry/node-proxy.ts";
import { podConnectHandlers } from "./registry/pod-connect.ts";
import { podLogHandler } from "./registry/pod-log.ts";
import { podProxyHandler } from "./registry/pod-proxy.ts";
import { serviceProxyHandler } from "./registry/service-proxy.ts";
import { firstServiceIP, parseServiceNetwork } from "./registry/services.ts";
import { ApiServer } from "./server.ts";
import { openStore } from "./store-config.ts";

export { CertificateAuthority, ensurePki } from "./certs.ts";
export { ApiServer, VERSION } from "./server.ts";

export interface StartApiServerOptions {
  dataDir: string;
  port: number;
  bindAddress?: string;
  store: string;
  compactionIntervalMs?: number;
  maxRequestsInflight?: number;
  maxMutatingRequestsInflight?: number;
  /** --enable-priority-and-fairness (default true): API Priority and Fairness instead of max-in-flight. */
  enablePriorityAndFairness?: boolean;
  /** --request-timeout (default 60 s). */
  requestTimeoutMs?: number;
  /** Node, RBAC, AlwaysAllow (default Node,RBAC). */
  authorizationModes?: string[];
  anonymousAuth?: boolean;
  tokenAuthFile?: string;
  serviceAccountIssuer?: string;
  /** --service-account-jwks-uri: where the discovery document says the keys are (default: this apiserver's /openid/v1/jwks). */
  serviceAccountJwksURI?: string;
  /** --service-cluster-ip-range (10.96.0.0/16) and --service-node-port-range (30000-32767). */
  serviceClusterIPRange?: string;
  /** --advertise-address: the address the kubernetes service's endpoints name (default: the host's). */
  advertiseAddress?: string;
  serviceNodePortRange?: string;
  apiAudiences?: string[];
  enableAdmissionPlugins?: string[];
  disableAdmissionPlugins?: string[];
  encryptionProviderConfig?: string;
  auditPolicyFile?: string;
  auditLogPath?: string;
  /** See AuthenticationOptions.tokenSuccessCacheTtlMs (no flag, as in kube-apiserver). */
  tokenSuccessCacheTtlMs?: number;
}

export interface RunningApiServer {
  server: ApiServer;
  pki: ClusterPki;
  url: string;
  stop(): Promise<void>;
}

export async function startApiServer(opts: StartApiServerOptions): Promise<RunningApiServer> {
  const maxRequestsInflight = opts.maxRequestsInflight ?? 400;
  const maxMutatingRequestsInflight = opts.maxMutatingRequestsInflight ?? 200;
  const serverConcurrencyLimit = maxRequestsInflight + maxMutatingRequestsInflight;
  if (opts.enablePriorityAndFairness !== false && serverConcurrencyLimit <= 0) {
    throw new Error(
      `invalid configuration: MaxRequestsInFlight=${maxRequestsInflight} and MaxMutatingRequestsInFlight=${maxMutatingRequestsInflight}; they must add up to something positive (they are priority and fairness's seats; --enable-priority-and-fairness=false makes 0 mean no limit)`,
    );
  }
  const serviceNetwork = parseServiceNetwork(opts.serviceClusterIPRange, opts.serviceNodePortRange);
  const pki = await ensurePki(opts.dataDir, {
    extraHosts: opts.bindAddress && opts.bindAddress !== "0.0.0.0" ? [opts.bindAddress] : [],
    serviceIP: firstServiceIP(serviceNetwork.serviceCIDR),
  });
  // Configuration files are read first: a bad one stops the start before anything opens.
  const encryption = opts.encryptionProviderConfig
    ? EncryptionConfig.load(opts.encryptionProviderConfig)
    : undefined;
  const auditor = createAuditor({ policyFile: opts.auditPolicyFile, logPath: opts.auditLogPath });
  const backend = await openStore(opts.store, opts.dataDir);
  const store = encryption ? new EncryptedStore(backend, encryption) : backend;
  const registry = new Registry(store, { serviceNetwork });

  const serviceAccountKeys = await ensureServiceAccountKeys(opts.dataDir);
  const authz = buildAuthorizer({
    registry,
    modes: (opts.authorizationModes ?? ["Node", "RBAC"]) as AuthorizationMode[],
    log: (msg, fields) => log.info(msg, fields),
  });
  const authn = buildAuthenticator({
    registry,
    tokenAuthFile: opts.tokenAuthFile,
    serviceAccountKeys,
    serviceAccountIssuers: opts.serviceAccountIssuer ? [opts.serviceAccountIssuer] : undefined,
    apiAudiences: opts.apiAudiences?.length ? opts.apiAudiences : undefined,
    anonymous: opts.anonymousAuth ?? true,
    impersonationAuthorizer: authz.authorizer,
    tokenSuccessCacheTtlMs: opts.tokenSuccessCacheTtlMs,
  });

  const enabled = new Set(opts.enableAdmissionPlugins ?? []);
  const disabled = new Set((opts.disableAdmissionPlugins ?? []).filter((p) => !enabled.has(p)));
  const namespaceCache = new ObjectCache(registry.namespaces);
  const webhooks = newWebhookAdmission({ registry, authorizer: authz.authorizer, namespaceCache });
  const builtin = builtinAdmission({
    registry,
    authorizer: authz.authorizer,
    namespaceCache,
    disable: [...disabled].filter((p) => !WEBHOOK_PLUGINS.has(p) && p !== "PodSecurity"),
    podSecurity: disabled.has("PodSecurity")
      ? undefined
      : newPodSecurity({
          registry,
          namespaceCache,
          onAuditAnnotations: (a, annotations) => {
            for (const [k, v] of Object.entries(annotations)) a.addAnnotation?.(k, v);
          },
        }),
    webhooks: {
      mutating: disabled.has("MutatingAdmissionWebhook") ? [] : [webhooks.mutating],
      validating: disabled.has("ValidatingAdmissionWebhook") ? [] : [webhooks.validating],
    },
  });
  // RBAC's escalation check runs where upstream's registry strategy runs it: before the other validators.
  const admission = new AdmissionChain(builtin.mutating, [
    ...(authz.escalation ? [authz.escalation] : []),
    ...builtin.validating,
  ]);

  const requestTimeoutMs = opts.requestTimeoutMs ?? 60_000;
  const objectCounts = new ObjectCounts(store);
  const flowControl =
    opts.enablePriorityAndFairness === false
      ? undefined
      : new FlowControl({
          registry,
          store,
          serverConcurrencyLimit,
          requestWaitLimitMs: requestTimeoutMs / 4,
          objectCounts,
        });

  // The apiserver's client certificate for kubelets (logs, exec, attach, port-forward, node proxy).
  const kubeletClient = issueKubeletClient(pki.ca);
  // The aggregator's identity towards extension apiservers, as upstream's --proxy-client-cert-file.
  const proxyClient = await pki.ca.issueClient("front-proxy-client", []);
  const server = new ApiServer({
    store,
    registry,
    tls: { cert: pki.serving.cert, key: pki.serving.key, ca: pki.caCert },
    proxyClient: { cert: proxyClient.cert, key: proxyClient.key },
    port: opts.port,
    host: opts.bindAddress,
    compactionIntervalMs: opts.compactionIntervalMs,
    maxRequestsInflight,
    maxMutatingRequestsInflight,
    requestTimeoutMs,
    flowControl,
    objectCounts,
    authenticator: authn,
    authorizer: authz.authorizer,
    admission,
    auditor,
    virtual: new Map([...authenticationVirtualHandlers(authn), ...authz.virtualHandlers]),
    subresources: new Map([
      ...authenticationSubresourceHandlers(authn, { registry }),
      // pods/log streams from the pod's kubelet, as kube-apiserver-kubelet-client.
      ["/pods/log", podLogHandler({ registry, kubeletClient })],
      ...podConnectHandlers({ registry, kubeletClient, authorizer: authz.authorizer }),
      ["/nodes/proxy", nodeProxyHandler({ registry, kubeletClient })],
      ["/pods/proxy", podProxyHandler()],
      ["/services/proxy", serviceProxyHandler({ registry })],
    ]),
  });
  const repair = serviceAllocationRepair(registry);
  let kubernetesEndpoints: { stop(): Promise<void> } | undefined;
  const stopAll = async () => {
    repair.stop();
    await kubernetesEndpoints?.stop();
    await authn.stop();
    webhooks.stop();
    builtin.stop();
    await authz.stop();
    await flowControl?.stop();
    await objectCounts.stop();
    await server.stop();
    await auditor?.close();
    await store.close();
  };
  try {
    // Policy, caches and webhook configurations are ready before the first request arrives
    // (an empty RBAC cache would refuse everyone but system:masters, even /healthz).
    await authz.start();
    // It starts the namespace cache too, which PodSecurity shares with the built-in plugins.
    await builtin.start();
    await webhooks.start();
    await objectCounts.start();
    await flowControl?.start();
    await server.start();
    const advertiseAddress = opts.advertiseAddress ?? defaultAdvertiseAddress(opts.bindAddress);
    try {
      server.openIDMetadata = openIDMetadata({
        issuer: opts.serviceAccountIssuer ?? DEFAULT_SERVICE_ACCOUNT_ISSUER,
        jwksURI: opts.serviceAccountJwksURI,
        externalAddress: `${isIPv6(advertiseAddress) ? `[${advertiseAddress}]` : advertiseAddress}:${server.port}`,
        publicKeys: serviceAccountKeys.publicKeys,
      });
    } catch (e) {
      // As upstream: the rest of the apiserver runs; only these two paths are missing.
      log.error(
        "Could not construct pre-rendered responses for ServiceAccountIssuerDiscovery endpoints. Endpoints will not be enabled.",
        { err: (e as Error).message },
      );
    }
    repair.start();
    authn.start();
    kubernetesEndpoints = await startKubernetesServiceEndpoints({
      registry,
      advertiseAddress,
      port: server.port,
      log: (m, f) => log.info(m, f),
    });
  } catch (e) {
    await stopAll().catch(() => {});
    throw e;
  }
  const host = !opts.bindAddress || opts.bindAddress === "0.0.0.0" ? "127.0.0.1" : opts.bindAddress;
  return {
    server,
    pki,
    url: `https://${host}:${server.port}`,
    stop: stopAll,
  };
}

const WEBHOOK_PLUGINS = new Set(["MutatingAdmissionWebhook", "ValidatingAdmissionWebhook"]);

/** upstream repairs service IP and node port allocations every 3 minutes, and at start. */
const SERVICE_REPAIR_INTERVAL_MS = 3 * 60_000;

function serviceAllocationRepair(registry: Registry): { start(): void; stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  const pass = async () => {
    try {
      const services = await registry.byResource("", "v1", "services")!.list(undefined);
      const { restored, released } = await registry.services.repair(services.items as Obj[]);
      if (restored.length > 0 || released.length > 0) {
        log.info("repaired service allocations", { restored, released });
      }
    } catch (e) {
      log.error("repairing service allocations failed", { err: (e as Error).message });
    }
  };
  return {
    start() {
      void pass();
      timer = setInterval(() => void pass(), SERVICE_REPAIR_INTERVAL_MS);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
    },
  };
}

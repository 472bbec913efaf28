// The kubelet's TLS bootstrap (upstream's pkg/kubelet/certificate/bootstrap
// and client-go's util/certificate/csr): with only a bootstrap token, ask the
// cluster for a client certificate — a CertificateSigningRequest for
// kubernetes.io/kube-apiserver-client-kubelet with subject
// O=system:nodes, CN=system:node:<name> — wait until it is approved and
// signed, and write a kubeconfig with the certificate and its key. A
// kubeconfig whose certificate is still valid is kept: no bootstrap.
//
// The private key waits in <certDir>/kubelet-client.key.tmp until the
// certificate arrives, and the CSR's name is a digest of key, subject and
// usages: a kubelet restarted mid-way finds its own request again.
import { createHash, createPrivateKey, createPublicKey, webcrypto, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type * as X509 from "@peculiar/x509";
import type { CertificateSigningRequest } from "kubernetes-types/certificates/v1.d.ts";
import { stringify } from "yaml";
import { ApiError, isAlreadyExists, isNotFound } from "../../client/api-error.ts";
import { type Clock, realClock, sleep } from "../../client/clock.ts";
import { loadKubeconfigFile } from "../../client/kubeconfig.ts";
import { Resources } from "../../client/resources.ts";
import { RestClient } from "../../client/rest-client.ts";
import { encodePem } from "../../machinery/pem.ts";

export const KUBELET_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
/** The usages the kubelet asks for (requestNodeCertificate). */
export const KUBELET_CLIENT_USAGES = ["digital signature", "key encipherment", "client auth"];
export const TMP_PRIVATE_KEY_FILE = "kubelet-client.key.tmp";
/** How long the kubelet waits for its certificate (requestNodeCertificate's 3600 s). */
const DEFAULT_TIMEOUT_MS = 3600 * 1000;
const PROGRESS_EVERY_MS = 30_000;
const TOKEN_RE = /^[a-z0-9]{6}\.[a-z0-9]{16}$/;
const EC = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const OID_O = "2.5.4.10";
const OID_CN = "2.5.4.3";

export interface BootstrapKubeconfigOptions {
  /** Where the kubeconfig is written; one already there with an unexpired certificate is used as is. */
  kubeconfigPath: string;
  /** The apiserver, e.g. https://10.0.0.1:6443. */
  server: string;
  /** PEM of the cluster CA (the apiserver's serving certificate chains to it). */
  caPem: string;
  /** A bootstrap token, "<id>.<secret>". */
  token: string;
  nodeName: string;
  /** Keeps the private key until the certificate arrives (default: the kubeconfig's folder). */
  certDir?: string;
  /** Give up after this long (default an hour, as upstream). */
  timeoutMs?: number;
  /** How often the CSR is checked (default 1 s). */
  pollIntervalMs?: number;
  progress?(msg: string): void;
  clock?: Clock;
  signal?: AbortSignal;
}

let x509Module: Promise<typeof X509> | undefined;

/** The certificate library, loaded only when a bootstrap actually happens. */
function loadX509(): Promise<typeof X509> {
  x509Module ??= (async () => {
    await import("reflect-metadata");
    const x509 = await import("@peculiar/x509");
    x509.cryptoProvider.set(webcrypto as never);
    return x509;
  })();
  return x509Module;
}

const b64 = (s: string | Uint8Array) => Buffer.from(s).toString("base64");

/** The certificates of a PEM bundle (certutil.ParseCertsPEM). */
function parseCertsPem(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

/**
 * isClientConfigStillValid: the kubeconfig exists, loads, and every client
 * certificate in it is unexpired. Anything unreadable means "bootstrap again".
 */
export function isClientConfigStillValid(path: string, now: number = Date.now()): boolean {
  if (!existsSync(path)) return false;
  try {
    const config = loadKubeconfigFile(path);
    if (!config.cert || !config.key) return false;
    const certs = parseCertsPem(config.cert);
    if (certs.length === 0) return false;
    return certs.every((c) => now <= Date.parse(c.validTo));
  } catch {
    return false;
  }
}

interface NodeKey {
  /** PKCS#8 PEM. */
  pem: string;
  keys: webcrypto.CryptoKeyPair;
  /** SubjectPublicKeyInfo DER (x509.MarshalPKIXPublicKey). */
  spki: Buffer;
}

/** LoadOrGenerateKeyFile: the key of an earlier, unfinished bootstrap, or a new ECDSA P-256 one. */
async function loadOrGenerateKey(path: string): Promise<NodeKey> {
  if (existsSync(path)) {
    try {
      const pem = readFileSync(path, "utf8");
      const key = createPrivateKey(pem);
      const spki = createPublicKey(key).export({ type: "spki", format: "der" });
      const privateKey = await webcrypto.subtle.importKey(
        "pkcs8",
        key.export({ type: "pkcs8", format: "der" }),
        EC,
        true,
        ["sign"],
      );
      const publicKey = await webcrypto.subtle.importKey("spki", spki, EC, true, ["verify"]);
      return { pem, keys: { privateKey, publicKey }, spki };
    } catch {
      // Unreadable or not a P-256 key: make a new one.
    }
  }
  const keys = (await webcrypto.subtle.generateKey(EC, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const pem = encodePem("PRIVATE KEY", await webcrypto.subtle.exportKey("pkcs8", keys.privateKey));
  const spki = Buffer.from(await webcrypto.subtle.exportKey("spki", keys.publicKey));
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, pem, { mode: 0o600 });
  return { pem, keys, spki };
}

/**
 * digestedName: "node-csr-" and a SHA-512/256 digest of the public key,
 * subject and usages, each base64url'd and ended with "|" (a character
 * base64url lacks, so no two inputs run together).
 */
export function digestedName(
  spki: Uint8Array,
  commonName: string,
  organization: string[],
  usages: string[],
): string {
  const hash = createHash("sha512-256");
  const write = (data: Uint8Array | string) => {
    hash.update(Buffer.from(data).toString("base64url"));
    hash.update("|");
  };
  write(spki);
  write(commonName);
  for (const o of organization) write(o);
  for (const u of usages) write(u);
  return `node-csr-${hash.digest("base64url")}`;
}

/** certutil.MakeCSR with pkix.Name{Organization: [system:nodes], CommonName: system:node:<name>}. */
async function makeCSR(key: NodeKey, nodeName: string): Promise<X509.Pkcs10CertificateRequest> {
  const x509 = await loadX509();
  return x509.Pkcs10CertificateRequestGenerator.create({
    // Go's attribute order: O before CN.
    name: [{ [OID_O]: ["system:nodes"] }, { [OID_CN]: [`system:node:${nodeName}`] }],
    keys: key.keys,
    signingAlgorithm: EC,
  });
}

/** ensureCompatible: an existing CSR of that name must be for our subject, signer and key. */
async function ensureCompatible(
  existing: CertificateSigningRequest,
  ours: X509.Pkcs10CertificateRequest,
  spki: Buffer,
  now: number,
): Promise<void> {
  const x509 = await loadX509();
  let theirs: X509.Pkcs10CertificateRequest;
  try {
    theirs = new x509.Pkcs10CertificateRequest(
      Buffer.from(existing.spec?.request ?? "", "base64").toString(),
    );
  } catch (e) {
    throw new Error(`unable to parse original csr: ${(e as Error).message}`);
  }
  if (theirs.subject !== ours.subject) {
    throw new Error(`csr subjects differ: new: ${ours.subject}, orig: ${theirs.subject}`);
  }
  if (existing.spec?.signerName && existing.spec.signerName !== KUBELET_CLIENT_SIGNER) {
    throw new Error(
      `csr signerNames differ: new ${JSON.stringify(KUBELET_CLIENT_SIGNER)}, orig: ${JSON.stringify(existing.spec.signerName)}`,
    );
  }
  if (!Buffer.from(theirs.publicKey.rawData).equals(spki) || !(await theirs.verify())) {
    throw new Error("error validating signature new CSR against old key: x509: ECDSA verification failure");
  }
  const cert = existing.status?.certificate;
  if (cert) {
    for (const c of parseCertsPem(Buffer.from(cert, "base64").toString())) {
      if (now > Date.parse(c.validTo)) {
        throw new Error(`one of the certificates for the CSR has expired: ${c.validTo}`);
      }
    }
  }
}

/** formatError: the API's message inside ours. */
function formatError(prefix: string, e: unknown): Error {
  const msg = (e as Error).message ?? String(e);
  let hint = "";
  if (e instanceof ApiError && e.code === 401)
    hint = " (is the bootstrap token right, and not expired or deleted?)";
  if (e instanceof ApiError && e.code === 403) {
    hint =
      " (the token's groups need the system:node-bootstrapper ClusterRole, as kubeadm binds it to system:bootstrappers:kubeadm:default-node-token)";
  }
  return new Error(`${prefix}: ${msg}${hint}`);
}

/** RequestCertificate: create the CSR, or reuse ours if an earlier attempt already made it. */
async function requestCertificate(
  client: RestClient,
  request: X509.Pkcs10CertificateRequest,
  name: string,
  spki: Buffer,
  now: number,
  progress: (msg: string) => void,
): Promise<CertificateSigningRequest> {
  const csr: CertificateSigningRequest = {
    apiVersion: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    metadata: { name },
    spec: {
      request: b64(request.toString("pem")),
      signerName: KUBELET_CLIENT_SIGNER,
      usages: KUBELET_CLIENT_USAGES,
    },
  };
  try {
    return await client.create(Resources.certificatesigningrequests, csr);
  } catch (e) {
    if (!isAlreadyExists(e)) throw formatError("cannot create certificate signing request", e);
  }
  progress(`csr ${name} for this node already exists, reusing`);
  let existing: CertificateSigningRequest;
  try {
    existing = await client.get<CertificateSigningRequest>(Resources.certificatesigningrequests, name);
  } catch (e) {
    throw formatError("cannot retrieve certificate signing request", e);
  }
  try {
    await ensureCompatible(existing, request, spki, now);
  } catch (e) {
    throw new Error(`retrieved csr is not compatible: ${(e as Error).message}`);
  }
  return existing;
}

/** WaitForCertificate: the issued certificate (PEM), or an error once the CSR is denied, failed or gone. */
async function waitForCertificate(
  client: RestClient,
  req: CertificateSigningRequest,
  o: Required<Pick<BootstrapKubeconfigOptions, "timeoutMs" | "pollIntervalMs">> & {
    clock: Clock;
    signal?: AbortSignal;
    progress(msg: string): void;
  },
): Promise<string> {
  const name = req.metadata?.name ?? "";
  const start = o.clock.now();
  let lastProgress = start;
  let sawApproved = false;
  o.progress(`waiting for the CSR ${name} to be approved and signed`);
  for (;;) {
    if (o.signal?.aborted) throw new Error(`stopped while waiting for the CSR ${name} to be signed`);
    let csr: CertificateSigningRequest | undefined;
    try {
      csr = await client.get<CertificateSigningRequest>(Resources.certificatesigningrequests, name, {
        signal: o.signal,
      });
    } catch (e) {
      if (isNotFound(e)) throw new Error(`csr ${JSON.stringify(name)} was deleted`);
      if (o.signal?.aborted) continue;
      // The apiserver may be restarting: keep trying until the deadline.
      o.progress(`cannot get the CSR ${name}: ${(e as Error).message}`);
    }
    if (csr) {
      if (csr.metadata?.uid !== req.metadata?.uid)
        throw new Error(`csr ${JSON.stringify(name)} changed UIDs`);
      let approved = false;
      for (const c of csr.status?.conditions ?? []) {
        if (c.type === "Denied") {
          throw new Error(
            `the CSR ${name} was denied: certificate signing request is denied, reason: ${c.reason ?? ""}, message: ${c.message ?? ""}`,
          );
        }
        if (c.type === "Failed") {
          throw new Error(
            `the CSR ${name} failed: certificate signing request failed, reason: ${c.reason ?? ""}, message: ${c.message ?? ""}`,
          );
        }
        if (c.type === "Approved") approved = true;
      }
      if (approved && csr.status?.certificate) {
        o.progress(`certificate signing request ${name} is issued`);
        return Buffer.from(csr.status.certificate, "base64").toString();
      }
      if (approved && !sawApproved) {
        sawApproved = true;
        o.progress(`certificate signing request ${name} is approved, waiting to be issued`);
      }
    }
    const now = o.clock.now();
    if (now - start >= o.timeoutMs) {
      throw new Error(
        `timed out waiting for the CSR to be signed: is the controller-manager running with the csrsigning and csrapproving controllers? (CSR ${name}; approve it by hand with \`kubectl certificate approve ${name}\`)`,
      );
    }
    if (now - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = now;
      o.progress(
        `still waiting for the CSR ${name} to be ${sawApproved ? "signed" : "approved"} (${Math.round((now - start) / 1000)} s)`,
      );
    }
    await sleep(o.clock, o.pollIntervalMs, o.signal);
  }
}

/** writeKubeconfigFromBootstrapping, with the certificate and key inline. */
function writeKubeconfig(path: string, server: string, caPem: string, certPem: string, keyPem: string): void {
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "default-cluster", cluster: { server, "certificate-authority-data": b64(caPem) } }],
    users: [
      {
        name: "default-auth",
        user: { "client-certificate-data": b64(certPem), "client-key-data": b64(keyPem) },
      },
    ],
    contexts: [
      {
        name: "default-context",
        context: { cluster: "default-cluster", user: "default-auth", namespace: "default" },
      },
    ],
    "current-context": "default-context",
    preferences: {},
  };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, stringify(config), { mode: 0o600 });
}

/**
 * LoadClientCert: makes sure `kubeconfigPath` holds a kubeconfig with a valid
 * client certificate for system:node:<nodeName>, getting one with the
 * bootstrap token if needed. Resolves with the kubeconfig's path.
 */
export async function bootstrapKubeconfig(o: BootstrapKubeconfigOptions): Promise<string> {
  const clock = o.clock ?? realClock;
  const progress = o.progress ?? (() => {});
  if (isClientConfigStillValid(o.kubeconfigPath, clock.now())) {
    progress(`kubeconfig ${o.kubeconfigPath} exists and is valid, skipping bootstrap`);
    return o.kubeconfigPath;
  }
  if (!TOKEN_RE.test(o.token)) {
    throw new Error('the bootstrap token must be of the form "[a-z0-9]{6}.[a-z0-9]{16}"');
  }
  progress("using the bootstrap token to request a client certificate");
  const keyPath = join(o.certDir ?? dirname(o.kubeconfigPath), TMP_PRIVATE_KEY_FILE);
  const key = await loadOrGenerateKey(keyPath);
  const request = await makeCSR(key, o.nodeName);
  const name = digestedName(key.spki, `system:node:${o.nodeName}`, ["system:nodes"], KUBELET_CLIENT_USAGES);
  const client = new RestClient(
    { server: o.server, ca: o.caPem, token: o.token, namespace: "default" },
    { userAgent: "kubelet", clock },
  );
  try {
    const created = await requestCertificate(client, request, name, key.spki, clock.now(), progress);
    const certPem = await waitForCertificate(client, created, {
      timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      pollIntervalMs: o.pollIntervalMs ?? 1000,
      clock,
      signal: o.signal,
      progress,
    });
    writeKubeconfig(o.kubeconfigPath, o.server, o.caPem, certPem, key.pem);
  } finally {
    client.close();
  }
  rmSync(keyPath, { force: true });
  progress(`wrote ${o.kubeconfigPath} for system:node:${o.nodeName}`);
  return o.kubeconfigPath;
}

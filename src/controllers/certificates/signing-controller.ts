// upstream's startCertificateSigningRequestSigningController
// (cmd/kube-controller-manager/app/certificates.go) with the
// --cluster-signing-cert-file/--cluster-signing-key-file pair: one signing
// loop per built-in signerName, all with the same CA. Without a CA, none.
import type { CertificateSigningRequest } from "kubernetes-types/certificates/v1.d.ts";
import { Resources } from "../../client/resources.ts";
import type { ControllerContext } from "../context.ts";
import type { Controller } from "../controller.ts";
import { SigningAuthority } from "./authority.ts";
import { newCertificateController } from "./certificate-controller.ts";
import {
  KUBE_APISERVER_CLIENT_KUBELET_SIGNER,
  KUBE_APISERVER_CLIENT_SIGNER,
  KUBELET_SERVING_SIGNER,
  LEGACY_UNKNOWN_SIGNER,
} from "./helpers.ts";
import { CSRSigner } from "./signer.ts";

/** --cluster-signing-duration's default: a year (8760h). */
export const DEFAULT_CLUSTER_SIGNING_DURATION_SECONDS = 365 * 24 * 60 * 60;

/** The signing loops, in upstream's start order, with their names. */
const SIGNERS = [
  { name: "csrsigning-kubelet-serving", signerName: KUBELET_SERVING_SIGNER },
  { name: "csrsigning-kubelet-client", signerName: KUBE_APISERVER_CLIENT_KUBELET_SIGNER },
  { name: "csrsigning-kube-apiserver-client", signerName: KUBE_APISERVER_CLIENT_SIGNER },
  { name: "csrsigning-legacy-unknown", signerName: LEGACY_UNKNOWN_SIGNER },
];

/** The signing loops for ctx.config.clusterSigning; none (logged) when no CA is configured. */
export async function newSigningControllers(ctx: ControllerContext): Promise<Controller[]> {
  const signing = ctx.config.clusterSigning;
  if (!signing?.certPem || !signing.keyPem) {
    ctx.log("Skipping CSR signer controller because no csr cert/key was specified");
    return [];
  }
  let authority: SigningAuthority;
  try {
    authority = await SigningAuthority.load(signing.certPem, signing.keyPem);
  } catch (e) {
    throw new Error(
      `failed to start certificate controller: error reading CA cert/key: ${(e as Error).message}`,
    );
  }
  const certTTLMs = (signing.durationSeconds ?? DEFAULT_CLUSTER_SIGNING_DURATION_SECONDS) * 1000;
  const informer = ctx.informers.forResource<CertificateSigningRequest>(Resources.certificatesigningrequests);
  return SIGNERS.map(({ name, signerName }) => {
    const signer = new CSRSigner({ signerName, authority, certTTLMs, client: ctx.client, clock: ctx.clock });
    return newCertificateController({
      name,
      informer,
      handler: (csr) => signer.handle(csr),
      clock: ctx.clock,
      log: (m) => ctx.log(`${name}: ${m}`),
    });
  });
}

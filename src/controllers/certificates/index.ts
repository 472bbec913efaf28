// The controller-manager's certificate controllers (upstream's
// cmd/kube-controller-manager/app/certificates.go): the signer of the
// built-in signerNames, the approver of kubelet client certificates, and the
// cleaner of old CSRs. All run as the certificate-controller service account;
// none records events.
import type { CertificateSigningRequest } from "kubernetes-types/certificates/v1.d.ts";
import { Resources } from "../../client/resources.ts";
import type { ControllerContext, ControllerDescriptor, InitializedController } from "../context.ts";
import type { Controller } from "../controller.ts";
import { SARApprover } from "./approver.ts";
import { newCertificateController } from "./certificate-controller.ts";
import { CSRCleaner } from "./cleaner.ts";
import { newSigningControllers } from "./signing-controller.ts";

export { isNodeClientCert, isSelfNodeClientCert, recognizers, SARApprover } from "./approver.ts";
export { applySigningPolicy, keyUsagesFromStrings, SigningAuthority } from "./authority.ts";
export { IgnorableError, newCertificateController } from "./certificate-controller.ts";
export { CSRCleaner, cleanupReason } from "./cleaner.ts";
export {
  getCertApprovalCondition,
  hasTrueCondition,
  isCertificateRequestApproved,
  KUBE_APISERVER_CLIENT_KUBELET_SIGNER,
  KUBE_APISERVER_CLIENT_SIGNER,
  KUBELET_SERVING_SIGNER,
  LEGACY_UNKNOWN_SIGNER,
  validateKubeletClientCSR,
  validateKubeletServingCSR,
} from "./helpers.ts";
export { CSRSigner, certificateDurationMs, signerRules } from "./signer.ts";
export { DEFAULT_CLUSTER_SIGNING_DURATION_SECONDS } from "./signing-controller.ts";

/** upstream starts each signing loop and the approver with 5 workers (no flag). */
const WORKERS = 5;

function runAll(ctx: ControllerContext, controllers: Controller[]): InitializedController {
  return {
    controllers,
    run: async () => {
      await Promise.all(controllers.map((c) => c.run(WORKERS, ctx.signal)));
    },
  };
}

export const csrSigningControllerDescriptor: ControllerDescriptor = {
  name: "certificatesigningrequest-signing-controller",
  aliases: ["csrsigning"],
  serviceAccount: "certificate-controller",
  eventSource: "certificatesigningrequest-signing-controller",
  init: async (ctx) => runAll(ctx, await newSigningControllers(ctx)),
};

export const csrApprovingControllerDescriptor: ControllerDescriptor = {
  name: "certificatesigningrequest-approving-controller",
  aliases: ["csrapproving"],
  serviceAccount: "certificate-controller",
  eventSource: "certificatesigningrequest-approving-controller",
  init: (ctx) => {
    const approver = new SARApprover({ client: ctx.client, clock: ctx.clock });
    const controller = newCertificateController({
      name: "csrapproving",
      informer: ctx.informers.forResource<CertificateSigningRequest>(Resources.certificatesigningrequests),
      handler: (csr) => approver.handle(csr),
      clock: ctx.clock,
      log: ctx.log,
    });
    return runAll(ctx, [controller]);
  },
};

export const csrCleanerControllerDescriptor: ControllerDescriptor = {
  name: "certificatesigningrequest-cleaner-controller",
  aliases: ["csrcleaner"],
  serviceAccount: "certificate-controller",
  eventSource: "certificatesigningrequest-cleaner-controller",
  init: (ctx) => {
    const informer = ctx.informers.forResource<CertificateSigningRequest>(
      Resources.certificatesigningrequests,
    );
    const cleaner = new CSRCleaner({
      client: ctx.client,
      list: () => informer.getIndexer().list(),
      clock: ctx.clock,
      log: ctx.log,
    });
    return { controllers: [], run: () => cleaner.run(ctx.signal) };
  },
};

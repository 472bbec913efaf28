// The root CA publisher's entry point for the controller-manager (upstream's
// startRootCACertificatePublisherController): the bundle is --root-ca-file
// (ctx.config.rootCAPem), else the CA the controller's own client trusts;
// without either it cannot publish anything and does not start.
import type { ConfigMap, Namespace } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../client/resources.ts";
import type { ControllerDescriptor } from "../context.ts";
import { Publisher } from "./publisher.ts";

export { DESCRIPTION, DESCRIPTION_ANNOTATION, Publisher, ROOT_CA_CERT_CONFIG_MAP_NAME } from "./publisher.ts";

export const rootCACertPublisherDescriptor: ControllerDescriptor = {
  name: "root-ca-certificate-publisher-controller",
  aliases: ["root-ca-cert-publisher"],
  serviceAccount: "root-ca-cert-publisher",
  eventSource: "root-ca-cert-publisher",
  init(ctx) {
    const rootCA = ctx.config.rootCAPem || ctx.client.config.ca;
    if (!rootCA) {
      ctx.log("no root CA to publish (neither --root-ca-file nor a CA in the client config): not starting");
      return { controllers: [], run: async () => {} };
    }
    const publisher = new Publisher({
      client: ctx.client,
      configMaps: ctx.informers.forResource<ConfigMap>(Resources.configmaps),
      namespaces: ctx.informers.forResource<Namespace>(Resources.namespaces),
      rootCA,
      clock: ctx.clock,
      log: ctx.log,
    });
    // Upstream runs it with one worker and no flag.
    return { controllers: [publisher.controller], run: () => publisher.controller.run(1, ctx.signal) };
  },
};

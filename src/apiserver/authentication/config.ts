// The apiserver's authenticator as kube-apiserver assembles it
// (pkg/kubeapiserver/authenticator/config.go): client certificates first,
// then bearer tokens (static token file, legacy and bound service-account
// tokens, bootstrap tokens, in upstream's order), then anonymous;
// impersonation on top. Also the handlers of the authentication.k8s.io
// resources that use it, and the legacy token tracking controller.
import type { IncomingMessage } from "node:http";
import type { Authorizer } from "../authorization/authorizer.ts";
import type { SubresourceHandler, VirtualCreate } from "../handlers/rest.ts";
import type { Registry } from "../registry/index.ts";
import { type Authenticator, AuthenticatorChain, type AuthResult } from "./authenticator.ts";
import { BearerTokenAuthenticator, parseBearerToken } from "./bearer-token.ts";
import { BootstrapTokenAuthenticator } from "./bootstrap-token.ts";
import { impersonate } from "./impersonation.ts";
import { LEGACY_ISSUER, LegacyTokenValidator, registrySecretsWriter } from "./legacy-token.ts";
import { LegacyTokenTrackingController } from "./legacy-token-tracking.ts";
import { selfSubjectReviewHandler } from "./self-subject-review.ts";
import {
  DEFAULT_SERVICE_ACCOUNT_ISSUER,
  registryTokenGetter,
  ServiceAccountTokenAuthenticator,
  ServiceAccountTokenGenerator,
} from "./service-account.ts";
import type { ServiceAccountKeys } from "./service-account-keys.ts";
import {
  audienceAgnostic,
  type TokenAuthenticator,
  type TokenSource,
  TokenUnion,
} from "./token-authenticator.ts";
import { CachedTokens } from "./token-cache.ts";
import { TokenFileAuthenticator } from "./token-file.ts";
import { type TokenRequestOptions, tokenRequestHandler } from "./token-request.ts";
import { tokenReviewHandler } from "./token-review.ts";
import { X509Authenticator } from "./x509.ts";

export interface AuthenticationOptions {
  registry: Registry;
  /** --token-auth-file: a CSV of static tokens (read once, now). */
  tokenAuthFile?: string;
  /** The keys from ensureServiceAccountKeys(dataDir) or loadServiceAccountKeys. */
  serviceAccountKeys: ServiceAccountKeys;
  /** --service-account-issuer (repeatable): the first signs, all are accepted. Default the in-cluster URL. */
  serviceAccountIssuers?: string[];
  /** --api-audiences; default the first issuer, as kube-apiserver. */
  apiAudiences?: string[];
  /** --anonymous-auth (default true). */
  anonymous?: boolean;
  /** --service-account-lookup (default true): legacy tokens need their Secret and ServiceAccount. */
  serviceAccountLookup?: boolean;
  /** --enable-bootstrap-token-auth (default true here; kubeadm turns it on). */
  bootstrapTokens?: boolean;
  /** The authorizer that decides `impersonate`; impersonation headers are refused while unset. */
  impersonationAuthorizer?: Authorizer;
  /** How long a token that authenticated is not verified again (kube-apiserver: 10 s); 0 turns the cache off. */
  tokenSuccessCacheTtlMs?: number;
  now?: () => Date;
}

/** The authenticator chain plus what the TokenReview and TokenRequest handlers need from it. */
export class KubeAuthenticator extends AuthenticatorChain {
  constructor(
    authenticators: Authenticator[],
    allowAnonymous: boolean,
    /** The bearer tokens (the union behind its cache), for TokenReview. */
    readonly tokens: TokenSource,
    readonly apiAudiences: string[],
    /** Signs the tokens TokenRequest hands out. */
    readonly tokenGenerator: ServiceAccountTokenGenerator,
    /** Set it once the authorizer exists (it may be built after the authenticator). */
    public impersonationAuthorizer?: Authorizer,
  ) {
    super(authenticators, allowAnonymous);
  }

  /** Keeps the legacy token tracking ConfigMap (start once the system namespaces exist). */
  legacyTokenTracking?: LegacyTokenTrackingController;

  start(): void {
    this.legacyTokenTracking?.start();
  }

  async stop(): Promise<void> {
    await this.legacyTokenTracking?.stop();
  }

  /** Authentication, then WithImpersonation. */
  override async authenticate(req: IncomingMessage): Promise<AuthResult> {
    const r = await super.authenticate(req);
    if (!this.impersonationAuthorizer) {
      // Without an authorizer nobody may impersonate: every header is refused by a deny-all.
      return { ...r, user: await impersonate(req, r.user, DENY_ALL) };
    }
    return { ...r, user: await impersonate(req, r.user, this.impersonationAuthorizer) };
  }
}

/**
 * Client certificates inside the union as upstream: a certificate that does
 * not verify is an error, yet a good bearer token on the same request still
 * authenticates it; without one the request is 401.
 */
function x509InUnion(x509: X509Authenticator): Authenticator {
  return {
    authenticate(req) {
      try {
        return x509.authenticate(req);
      } catch (e) {
        if (parseBearerToken(req) !== undefined) return undefined;
        throw e;
      }
    },
  };
}

const DENY_ALL: Authorizer = { authorize: () => ({ decision: "NoOpinion", reason: "" }) };

export function buildAuthenticator(opts: AuthenticationOptions): KubeAuthenticator {
  const issuers = opts.serviceAccountIssuers?.length
    ? opts.serviceAccountIssuers
    : [DEFAULT_SERVICE_ACCOUNT_ISSUER];
  const apiAudiences = opts.apiAudiences?.length ? opts.apiAudiences : [issuers[0]];
  const tokenAuthenticators: TokenAuthenticator[] = [];
  if (opts.tokenAuthFile) {
    tokenAuthenticators.push(
      audienceAgnostic(apiAudiences, TokenFileAuthenticator.fromFile(opts.tokenAuthFile)),
    );
  }
  const getter = registryTokenGetter(opts.registry);
  const lookup = opts.serviceAccountLookup ?? true;
  tokenAuthenticators.push(
    new ServiceAccountTokenAuthenticator({
      issuers: [LEGACY_ISSUER],
      publicKeys: opts.serviceAccountKeys.publicKeys,
      implicitAudiences: apiAudiences,
      getter,
      validator: new LegacyTokenValidator({
        getter,
        lookup,
        secretsWriter: lookup ? registrySecretsWriter(opts.registry, opts.now) : undefined,
        now: opts.now,
      }),
      now: opts.now,
    }),
  );
  tokenAuthenticators.push(
    new ServiceAccountTokenAuthenticator({
      issuers,
      publicKeys: opts.serviceAccountKeys.publicKeys,
      implicitAudiences: apiAudiences,
      getter,
      now: opts.now,
    }),
  );
  if (opts.bootstrapTokens ?? true) {
    tokenAuthenticators.push(
      audienceAgnostic(
        apiAudiences,
        new BootstrapTokenAuthenticator({ registry: opts.registry, now: opts.now }),
      ),
    );
  }
  const tokens = new CachedTokens(new TokenUnion(tokenAuthenticators), {
    successTtlMs: opts.tokenSuccessCacheTtlMs,
  });
  const authn = new KubeAuthenticator(
    [x509InUnion(new X509Authenticator()), new BearerTokenAuthenticator(tokens, apiAudiences)],
    opts.anonymous ?? true,
    tokens,
    apiAudiences,
    new ServiceAccountTokenGenerator(issuers[0], opts.serviceAccountKeys.signingKey),
    opts.impersonationAuthorizer,
  );
  authn.legacyTokenTracking = new LegacyTokenTrackingController({ registry: opts.registry, now: opts.now });
  return authn;
}

/** RestOptions.virtual entries: authentication.k8s.io tokenreviews and selfsubjectreviews. */
export function authenticationVirtualHandlers(a: {
  tokens: TokenSource;
  apiAudiences: string[];
  now?: () => Date;
}): Map<string, VirtualCreate> {
  return new Map<string, VirtualCreate>([
    [
      "authentication.k8s.io/tokenreviews",
      tokenReviewHandler({ tokens: a.tokens, apiAudiences: a.apiAudiences }),
    ],
    ["authentication.k8s.io/selfsubjectreviews", selfSubjectReviewHandler(a.now)],
  ]);
}

/** RestOptions.subresources entries: serviceaccounts/token. */
export function authenticationSubresourceHandlers(
  a: { tokenGenerator: ServiceAccountTokenGenerator; apiAudiences: string[] },
  opts: Omit<TokenRequestOptions, "generator" | "apiAudiences">,
): Map<string, SubresourceHandler> {
  return new Map([
    [
      "/serviceaccounts/token",
      tokenRequestHandler({ ...opts, generator: a.tokenGenerator, apiAudiences: a.apiAudiences }),
    ],
  ]);
}

export { tokenRequestHandler };

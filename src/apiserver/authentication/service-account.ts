// Service-account tokens (pkg/serviceaccount: claims.go, jwt.go): JWTs the
// apiserver signs for a ServiceAccount, optionally bound to a Pod, Secret or
// Node, and the authenticator that accepts them only while the signature,
// issuer, audience and lifetime hold and the objects they name still exist
// with the same uid.

import type { KeyObject } from "node:crypto";
import { randomUUID } from "node:crypto";
import type { Obj } from "../../api/registry.ts";
import { goQuote, newAggregate } from "../../machinery/field-errors.ts";
import type { Registry } from "../registry/index.ts";
import type { AuthResult } from "./authenticator.ts";
import { decodeSegment, keyIDFromPublicKey, parseJWS, signJWS, verifyJWS } from "./jwt.ts";
import {
  credentialIDForJTI,
  makeUsername,
  type ServiceAccountInfo,
  serviceAccountUser,
} from "./serviceaccount-info.ts";
import { intersectAudiences, type TokenAuthenticator, TokenError } from "./token-authenticator.ts";

/** --service-account-issuer's usual value; also the default API audience. */
export const DEFAULT_SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local";
/** A pod-bound token asked for with this lifetime is a kubelet's projected token: it only warns when stale. */
export const WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS = 60 * 60 + 7;
/** How long such a token really lives (--service-account-extend-token-expiration). */
export const EXPIRATION_EXTENSION_SECONDS = 24 * 365 * 60 * 60;
/** go-jose's jwt.DefaultLeeway. */
const LEEWAY_MS = 60_000;

interface Ref {
  name?: string;
  uid?: string;
}

/** The "kubernetes.io" private claim. */
export interface PrivateClaims {
  namespace?: string;
  node?: Ref;
  pod?: Ref;
  secret?: Ref;
  serviceaccount?: Ref;
  warnafter?: number;
}

/** The payload of a bound token; keys in the order go-jose writes them (sorted). */
export interface ServiceAccountClaims {
  aud: string[];
  exp: number;
  iat: number;
  iss?: string;
  jti?: string;
  "kubernetes.io": PrivateClaims;
  nbf: number;
  sub: string;
}

export interface ClaimsInput {
  serviceAccount: Obj;
  pod?: Obj;
  secret?: Obj;
  node?: Obj;
  expirationSeconds: number;
  /** Seconds after which a still-valid token is stale (projected tokens); 0 for none. */
  warnAfter?: number;
  audiences: string[];
  now: Date;
  jti?: string;
}

/** omitempty on a ref's name and uid. */
function ref(obj: Obj): Ref {
  const r: Ref = {};
  if (obj.metadata?.name) r.name = obj.metadata.name;
  if (obj.metadata?.uid) r.uid = obj.metadata.uid;
  return r;
}

/** Claims(): what a token for this service account (and bound object) says. */
export function claimsFor(i: ClaimsInput): ServiceAccountClaims {
  if (i.secret && (i.node || i.pod))
    throw new Error("internal error, token can only be bound to one object type");
  const sa = i.serviceAccount;
  const now = Math.floor(i.now.getTime() / 1000);
  const k: PrivateClaims = { namespace: sa.metadata?.namespace };
  // A pod-bound token also names the pod's node (ServiceAccountTokenPodNodeInfo).
  if (i.node) k.node = ref(i.node);
  if (i.pod) k.pod = ref(i.pod);
  else if (i.secret) k.secret = ref(i.secret);
  k.serviceaccount = ref(sa);
  if (i.warnAfter) k.warnafter = now + i.warnAfter;
  return {
    aud: [...i.audiences],
    exp: now + i.expirationSeconds,
    iat: now,
    jti: i.jti ?? randomUUID(),
    "kubernetes.io": k,
    nbf: now,
    sub: makeUsername(sa.metadata?.namespace ?? "", sa.metadata?.name ?? ""),
  };
}

/** JWTTokenGenerator: signs claims with the issuer added. */
export class ServiceAccountTokenGenerator {
  private readonly kid: string;

  constructor(
    readonly issuer: string,
    private readonly signingKey: KeyObject,
  ) {
    this.kid = keyIDFromPublicKey(signingKey);
  }

  generateToken(claims: ServiceAccountClaims): string {
    const { aud, exp, iat, jti, nbf, sub } = claims;
    // Keys sorted, as go-jose marshals the merged claims.
    const payload: Record<string, unknown> = { aud, exp, iat, iss: this.issuer };
    if (jti) payload.jti = jti;
    payload["kubernetes.io"] = claims["kubernetes.io"];
    payload.nbf = nbf;
    payload.sub = sub;
    return signJWS(payload, this.signingKey, this.kid);
  }
}

/** ServiceAccountTokenGetter: reads the objects a token names (NotFound errors propagate). */
export interface ServiceAccountTokenGetter {
  getServiceAccount(namespace: string, name: string): Promise<Obj>;
  getPod(namespace: string, name: string): Promise<Obj>;
  getSecret(namespace: string, name: string): Promise<Obj>;
  getNode(name: string): Promise<Obj>;
}

/** A getter reading straight from the registry. */
export function registryTokenGetter(registry: Registry): ServiceAccountTokenGetter {
  const store = (resource: string) => {
    const s = registry.byResource("", "v1", resource);
    if (!s) throw new Error(`no store for ${resource}`);
    return s;
  };
  return {
    getServiceAccount: (ns, name) => store("serviceaccounts").get(ns, name),
    getPod: (ns, name) => store("pods").get(ns, name),
    getSecret: (ns, name) => store("secrets").get(ns, name),
    getNode: (name) => store("nodes").get(undefined, name),
  };
}

export interface ServiceAccountAuthenticatorOptions {
  /** Accepted issuers; the first is the one new tokens carry. */
  issuers: string[];
  publicKeys: KeyObject[];
  /** The API audiences: what a token without audiences is for, and what a request asks for by default. */
  implicitAudiences: string[];
  getter: ServiceAccountTokenGetter;
  /** What the verified claims must still hold; the bound-token validator when unset. */
  validator?: ServiceAccountTokenValidator;
  now?: () => Date;
}

/** Validator[PrivateClaims].Validate: checks a token whose signature, issuer and audiences hold. */
export interface ServiceAccountTokenValidator {
  /** payload: the verified claims, from which the validator reads its own private claims. */
  validate(
    token: string,
    publicClaims: { sub: string },
    payload: Record<string, unknown>,
  ): Promise<ServiceAccountInfo>;
}

const goQuoteList = (l: readonly string[]) => `[${l.map(goQuote).join(" ")}]`;

function str(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string")
    throw new TokenError(`json: cannot unmarshal ${typeof v} into Go struct field ${field} of type string`);
  return v;
}

function numericDate(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number") throw new TokenError("go-jose/go-jose/jwt: expected number for NumericDate");
  return Math.trunc(v);
}

const AUDIENCE_ERROR = "go-jose/go-jose/jwt: expected string or array value to unmarshal to Audience";

function refOf(v: unknown, field: string): Ref | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v)) {
    throw new TokenError(
      `json: cannot unmarshal ${typeof v} into Go struct field ${field} of type serviceaccount.ref`,
    );
  }
  const o = v as Record<string, unknown>;
  return { name: str(o.name, `${field}.name`) ?? "", uid: str(o.uid, `${field}.uid`) ?? "" };
}

interface DecodedClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  jti: string;
  k: {
    namespace: string;
    serviceaccount: Ref;
    pod?: Ref;
    secret?: Ref;
    node?: Ref;
  };
}

/** tok.Claims(key, &jwt.Claims{}, &privateClaims{}): the payload typed as upstream's structs. */
function decodeClaims(p: Record<string, unknown>): DecodedClaims {
  let aud: string[] = [];
  if (typeof p.aud === "string") aud = [p.aud];
  else if (Array.isArray(p.aud)) {
    if (!p.aud.every((a) => typeof a === "string")) throw new TokenError(AUDIENCE_ERROR);
    aud = p.aud as string[];
  } else if (p.aud !== undefined && p.aud !== null) {
    throw new TokenError(AUDIENCE_ERROR);
  }
  const kv = p["kubernetes.io"];
  const k =
    kv !== null && typeof kv === "object" && !Array.isArray(kv) ? (kv as Record<string, unknown>) : {};
  return {
    iss: str(p.iss, "Claims.iss") ?? "",
    sub: str(p.sub, "Claims.sub") ?? "",
    aud,
    exp: numericDate(p.exp),
    nbf: numericDate(p.nbf),
    iat: numericDate(p.iat),
    jti: str(p.jti, "Claims.jti") ?? "",
    k: {
      namespace: str(k.namespace, "privateClaims.kubernetes.io.namespace") ?? "",
      serviceaccount: refOf(k.serviceaccount, "privateClaims.kubernetes.io.serviceaccount") ?? {
        name: "",
        uid: "",
      },
      pod: refOf(k.pod, "privateClaims.kubernetes.io.pod"),
      secret: refOf(k.secret, "privateClaims.kubernetes.io.secret"),
      node: refOf(k.node, "privateClaims.kubernetes.io.node"),
    },
  };
}

const INVALIDATED = "service account token has been invalidated";

/** Deleted before now minus the leeway: a token bound to it is no longer good. */
function deletedBefore(obj: Obj, cutoffMs: number): boolean {
  const ts = obj.metadata?.deletionTimestamp;
  return typeof ts === "string" && Date.parse(ts) < cutoffMs;
}

/** JWTTokenAuthenticator with the bound-token validator. */
export class ServiceAccountTokenAuthenticator implements TokenAuthenticator {
  private readonly issuers: Set<string>;
  private readonly keysById = new Map<string, KeyObject[]>();
  private readonly now: () => Date;

  constructor(private readonly opts: ServiceAccountAuthenticatorOptions) {
    this.issuers = new Set(opts.issuers);
    for (const k of opts.publicKeys) {
      const id = keyIDFromPublicKey(k);
      this.keysById.set(id, [...(this.keysById.get(id) ?? []), k]);
    }
    this.now = opts.now ?? (() => new Date());
  }

  /** hasCorrectIssuer: a compact JWT whose unverified iss is one of ours; anything else is not our token. */
  private hasCorrectIssuer(token: string): boolean {
    if (token.trim().startsWith("{")) return false;
    const parts = token.split(".");
    if (parts.length !== 3) return false;
    const payload = decodeSegment(parts[1]);
    if (!payload) return false;
    try {
      const claims = JSON.parse(payload.toString("utf8"));
      return typeof claims?.iss === "string" && this.issuers.has(claims.iss);
    } catch {
      return false;
    }
  }

  async authenticateToken(token: string, audiences: string[]): Promise<AuthResult | undefined> {
    if (!this.hasCorrectIssuer(token)) return undefined;
    const jws = parseJWS(token);
    if (!jws) return undefined;
    const kid = typeof jws.header.kid === "string" ? jws.header.kid : "";
    const keys = kid ? (this.keysById.get(kid) ?? []) : this.opts.publicKeys;
    if (keys.length === 0) throw new TokenError("invalid signature, no keys found");
    const errors: Error[] = [];
    let verified = false;
    for (const key of keys) {
      try {
        verifyJWS(jws, key);
        verified = true;
        break;
      } catch (e) {
        errors.push(e as Error);
      }
    }
    if (!verified) throw new TokenError(newAggregate(errors)?.error() ?? "");
    const claims = decodeClaims(jws.payload);
    // Checked again now that the signature holds.
    if (!this.issuers.has(claims.iss)) throw new TokenError(`token issuer ${goQuote(claims.iss)} is invalid`);
    const implicit = this.opts.implicitAudiences;
    // Legacy tokens carry no audience: only the apiserver's.
    const tokenAudiences = claims.aud.length > 0 ? claims.aud : implicit;
    const requested = audiences.length > 0 ? audiences : implicit;
    const auds = intersectAudiences(tokenAudiences, requested);
    if (auds.length === 0 && implicit.length !== 0) {
      throw new TokenError(
        `token audiences ${goQuoteList(tokenAudiences)} is invalid for the target audiences ${goQuoteList(requested)}`,
      );
    }
    const info = this.opts.validator
      ? await this.opts.validator.validate(token, claims, jws.payload)
      : await this.validate(claims);
    return { user: serviceAccountUser(info), audiences: auds };
  }

  /** validator.Validate: lifetime, then the objects the token is bound to. */
  private async validate(c: DecodedClaims): Promise<ServiceAccountInfo> {
    const now = this.now().getTime();
    if (c.nbf !== undefined && now + LEEWAY_MS < c.nbf * 1000) {
      throw new TokenError("service account token is not valid yet");
    }
    if (c.exp !== undefined && now - LEEWAY_MS > c.exp * 1000)
      throw new TokenError("service account token has expired");
    if (c.iat !== undefined && now + LEEWAY_MS < c.iat * 1000) {
      throw new TokenError("service account token is issued in the future");
    }
    const cutoff = now - LEEWAY_MS;
    const { namespace, serviceaccount: saref, pod: podref, secret: secref, node: noderef } = c.k;
    const g = this.opts.getter;
    let sa: Obj;
    try {
      sa = await g.getServiceAccount(namespace, saref.name ?? "");
    } catch (e) {
      throw new TokenError((e as Error).message);
    }
    if ((sa.metadata?.uid ?? "") !== saref.uid) {
      throw new TokenError(
        `service account UID (${sa.metadata?.uid ?? ""}) does not match claim (${saref.uid})`,
      );
    }
    if (deletedBefore(sa, cutoff))
      throw new TokenError(`service account ${namespace}/${saref.name} has been deleted`);

    if (secref) {
      const secret = await g.getSecret(namespace, secref.name ?? "").catch(() => undefined);
      if (!secret) throw new TokenError(INVALIDATED);
      if (secref.uid !== (secret.metadata?.uid ?? "")) {
        throw new TokenError(
          `secret UID (${secret.metadata?.uid ?? ""}) does not match service account secret ref claim (${secref.uid})`,
        );
      }
      if (deletedBefore(secret, cutoff)) throw new TokenError(INVALIDATED);
    }

    const info: ServiceAccountInfo = { namespace, name: saref.name ?? "", uid: saref.uid ?? "" };
    if (podref) {
      const pod = await g.getPod(namespace, podref.name ?? "").catch(() => undefined);
      if (!pod) throw new TokenError(INVALIDATED);
      if (podref.uid !== (pod.metadata?.uid ?? "")) {
        throw new TokenError(
          `pod UID (${pod.metadata?.uid ?? ""}) does not match service account pod ref claim (${podref.uid})`,
        );
      }
      if (deletedBefore(pod, cutoff)) throw new TokenError(INVALIDATED);
      info.podName = podref.name;
      info.podUID = podref.uid;
    }

    if (noderef) {
      if (podref) {
        // A pod-bound token only reports its node; the pod check above already binds it.
        info.nodeName = noderef.name;
        info.nodeUID = noderef.uid;
      } else {
        const node = await g.getNode(noderef.name ?? "").catch(() => undefined);
        if (!node) throw new TokenError(INVALIDATED);
        if (noderef.uid !== (node.metadata?.uid ?? "")) {
          throw new TokenError(
            `node UID (${node.metadata?.uid ?? ""}) does not match service account node ref claim (${noderef.uid})`,
          );
        }
        if (deletedBefore(node, cutoff)) throw new TokenError(INVALIDATED);
        info.nodeName = noderef.name;
        info.nodeUID = noderef.uid;
      }
    }
    info.credentialID = credentialIDForJTI(c.jti);
    return info;
  }
}

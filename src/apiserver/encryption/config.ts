// Loading --encryption-provider-config into one transformer per resource, as
// upstream's pkg/server/options/encryptionconfig/config.go: each provider's
// values carry a prefix ("k8s:enc:aesgcm:v1:<key name>:"), a resource's
// providers are tried in order, and a resource matches exactly, then by its
// group ("*.apps"), then "*.*"; anything else is stored as is.
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { goQuote, toAggregate } from "../../machinery/field-errors.ts";
import { cbcTransformer, gcmTransformer } from "./aes.ts";
import { secretboxTransformer } from "./secretbox.ts";
import {
  bytesOf,
  identityTransformer,
  type PrefixTransformer,
  PrefixTransformers,
  type ValueTransformer,
} from "./transformer.ts";
import type { EncryptionConfiguration, Key, ProviderConfiguration } from "./types.ts";
import { decodeStdBase64, parseGroupResource, validateEncryptionConfiguration } from "./validation.ts";

export const API_VERSION = "apiserver.config.k8s.io/v1";
export const KIND = "EncryptionConfiguration";

const AESGCM_PREFIX = "k8s:enc:aesgcm:v1:";
const AESCBC_PREFIX = "k8s:enc:aescbc:v1:";
const SECRETBOX_PREFIX = "k8s:enc:secretbox:v1:";

/** What a store needs: the transformer of a (storage) group and resource. */
export interface ResourceTransformers {
  transformerFor(group: string, resource: string): ValueTransformer;
}

/** How upstream writes a group/resource in its errors: "secrets", "deployments.apps", "*." for the core group. */
function grString(group: string, resource: string): string {
  if (group === "" && resource === "*") return "*.";
  return group ? `${resource}.${group}` : resource;
}

function keyedTransformers(
  keys: Key[],
  make: (secret: Uint8Array) => ValueTransformer,
  noMatch: string,
): ValueTransformer {
  const list: PrefixTransformer[] = keys.map((k) => {
    // Validation has checked every secret already; this guards direct callers.
    const secret = decodeStdBase64(k.secret);
    if (!secret) throw new Error(`could not obtain secret for named key ${k.name}: illegal base64 data`);
    return { prefix: bytesOf(`${k.name}:`), transformer: make(secret) };
  });
  return new PrefixTransformers(list, noMatch);
}

function providerTransformer(p: ProviderConfiguration): PrefixTransformer {
  if (p.aesgcm) {
    return {
      prefix: bytesOf(AESGCM_PREFIX),
      transformer: keyedTransformers(
        p.aesgcm.keys,
        gcmTransformer,
        "no matching key was found for the provided AES transformer",
      ),
    };
  }
  if (p.aescbc) {
    return {
      prefix: bytesOf(AESCBC_PREFIX),
      transformer: keyedTransformers(
        p.aescbc.keys,
        cbcTransformer,
        "no matching key was found for the provided AES transformer",
      ),
    };
  }
  if (p.secretbox) {
    return {
      prefix: bytesOf(SECRETBOX_PREFIX),
      transformer: keyedTransformers(
        p.secretbox.keys,
        secretboxTransformer,
        "no matching key was found for the provided Secretbox transformer",
      ),
    };
  }
  if (p.identity) return { prefix: new Uint8Array(0), transformer: identityTransformer };
  if (p.kms) {
    throw new Error(
      `could not configure KMS plugin ${goQuote(p.kms.name ?? "")}, KMS providers are not supported by k8ts`,
    );
  }
  throw new Error(
    "provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity",
  );
}

export class EncryptionConfig implements ResourceTransformers {
  private readonly byResource = new Map<string, ValueTransformer>();

  /** Builds the transformers of a validated configuration; throws upstream's "error while building transformers". */
  constructor(readonly config: EncryptionConfiguration) {
    const lists = new Map<string, PrefixTransformer[]>();
    try {
      for (const rc of config.resources) {
        const transformers = rc.providers.map(providerTransformer);
        for (const res of rc.resources) {
          const gr = parseGroupResource(res);
          // A later rule under an earlier "*.group" or "*.*" would never apply.
          for (const mask of [
            { group: gr.group, resource: "*" },
            { group: "*", resource: "*" },
          ]) {
            if (lists.has(`${mask.group}/${mask.resource}`)) {
              throw new Error(
                `resource ${goQuote(grString(gr.group, gr.resource))} is masked by earlier rule ${goQuote(grString(mask.group, mask.resource))}`,
              );
            }
          }
          const k = `${gr.group}/${gr.resource}`;
          lists.set(k, [...(lists.get(k) ?? []), ...transformers]);
        }
      }
    } catch (e) {
      throw new Error(`error while building transformers: ${(e as Error).message}`);
    }
    for (const [k, list] of lists)
      this.byResource.set(k, new PrefixTransformers(list, "no matching prefix found"));
  }

  /** Parses and validates a configuration file's text; `path` names it in errors. */
  static parse(text: string, path = "<data>"): EncryptionConfig {
    const fail = (msg: string): never => {
      throw new Error(`error while parsing file: ${msg}`);
    };
    if (text.length === 0) fail(`encryption provider configuration file ${goQuote(path)} is empty`);
    let doc: unknown;
    try {
      doc = parseYaml(text);
    } catch (e) {
      fail(`error decoding encryption provider configuration file ${goQuote(path)}: ${(e as Error).message}`);
    }
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) {
      fail(
        `error decoding encryption provider configuration file ${goQuote(path)}: Object 'Kind' is missing`,
      );
    }
    const obj = doc as EncryptionConfiguration;
    if (!obj.kind) {
      fail(
        `error decoding encryption provider configuration file ${goQuote(path)}: Object 'Kind' is missing`,
      );
    }
    if (obj.apiVersion !== API_VERSION || obj.kind !== KIND) {
      fail(
        `error decoding encryption provider configuration file ${goQuote(path)}: no kind ${goQuote(String(obj.kind))} is registered for version ${goQuote(String(obj.apiVersion ?? ""))}`,
      );
    }
    const agg = toAggregate(validateEncryptionConfiguration(obj));
    if (agg) fail(agg.message);
    return new EncryptionConfig(obj);
  }

  /** upstream's LoadEncryptionConfig: the file at `path`, parsed, validated and built. */
  static load(path: string): EncryptionConfig {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      throw new Error(
        `error while parsing file: error opening encryption provider configuration file ${goQuote(path)}: ${(e as Error).message}`,
      );
    }
    return EncryptionConfig.parse(text, path);
  }

  transformerFor(group: string, resource: string): ValueTransformer {
    return (
      this.byResource.get(`${group}/${resource}`) ??
      this.byResource.get(`${group}/*`) ??
      this.byResource.get("*/*") ??
      identityTransformer
    );
  }
}

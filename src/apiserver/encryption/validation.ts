// Validation of an EncryptionConfiguration, ported from upstream's
// k8s.io/apiserver/pkg/apis/apiserver/validation/validation_encryption.go
// (v1.32), with its messages: the apiserver refuses to start on any of them.
import {
  type FieldError,
  GoValue,
  goQuote,
  goStringSlice,
  invalid,
  newPath,
  type Path,
  required,
} from "../../machinery/field-errors.ts";
import type { EncryptionConfiguration, Key, KMSConfiguration, ProviderConfiguration } from "./types.ts";

const moreThanOneElementErr =
  "more than one provider specified in a single element, should split into different list elements";
const base64EncodingErr = "secrets must be base64 encoded";
const eventsGroupErr =
  "'*.events.k8s.io' objects are stored using the 'events' API group in etcd. Use 'events' instead in the config file";
const extensionsGroupErr = "'extensions' group has been removed and cannot be used for encryption";
const starResourceErr =
  "use '*.' to encrypt all the resources from core API group or *.* to encrypt all resources";
const overlapErr =
  "using overlapping resources such as 'secrets' and '*.' in the same resource list is not allowed as they will be masked";
const nonRESTAPIResourceErr = "resources which do not have REST API/s cannot be encrypted";
const resourceNameErr = "resource name should not contain capital letters";
const resourceAcrossGroupErr = "encrypting the same resource across groups is not supported";
const duplicateResourceErr = "the same resource cannot be specified multiple times";

const aesKeySizes = [16, 24, 32];
const secretBoxKeySizes = [32];

/** schema.ParseGroupResource: "deployments.apps" → {group: "apps", resource: "deployments"}. */
export function parseGroupResource(s: string): { group: string; resource: string } {
  const i = s.indexOf(".");
  return i >= 0 ? { group: s.slice(i + 1), resource: s.slice(0, i) } : { group: "", resource: s };
}

const atLeastOne = (what: string) => `at least one ${what} is required`;

export function validateEncryptionConfiguration(c: EncryptionConfiguration | undefined): FieldError[] {
  const root = newPath("resources");
  if (!c) return [required(root, "EncryptionConfiguration can't be nil")];
  if (!c.resources || c.resources.length === 0) return [required(root, atLeastOne(root.toString()))];
  const errs: FieldError[] = [];
  const kmsNames = new Set<string>();
  c.resources.forEach((conf, i) => {
    const r = root.index(i).child("resources");
    const p = root.index(i).child("providers");
    const resources = conf.resources ?? [];
    if (resources.length === 0) errs.push(required(r, atLeastOne(r.toString())));
    errs.push(...validateResourceOverlap(resources, r));
    errs.push(...validateResourceNames(resources, r));
    const providers = conf.providers ?? [];
    if (providers.length === 0) errs.push(required(p, atLeastOne(p.toString())));
    providers.forEach((provider, j) => {
      const path = p.index(j);
      errs.push(...validateSingleProvider(provider, path));
      if (provider.kms) {
        errs.push(...validateKMS(provider.kms, path.child("kms"), kmsNames));
        kmsNames.add(provider.kms.name ?? "");
      } else if (provider.aesgcm) {
        errs.push(...validateKeys(provider.aesgcm.keys, path.child("aesgcm", "keys"), aesKeySizes));
      } else if (provider.aescbc) {
        errs.push(...validateKeys(provider.aescbc.keys, path.child("aescbc", "keys"), aesKeySizes));
      } else if (provider.secretbox) {
        errs.push(
          ...validateKeys(provider.secretbox.keys, path.child("secretbox", "keys"), secretBoxKeySizes),
        );
      }
    });
  });
  return errs;
}

function validateResourceOverlap(resources: string[], path: Path): FieldError[] {
  if (resources.length < 2) return [];
  const r = resources.map(parseGroupResource);
  let hasOverlap = false;
  let hasDuplicate = false;
  for (let i = 0; i < r.length; i++) {
    for (let j = 0; j < r.length; j++) {
      if (i === j) continue;
      const [r1, r2] = [r[i], r[j]];
      if (r1.group === r2.group && r1.resource === r2.resource && !hasDuplicate) {
        hasDuplicate = true;
        continue;
      }
      if (hasOverlap) continue;
      if (r1.group === "*" && r1.resource === "*") {
        hasOverlap = true;
        continue;
      }
      if (r1.group !== r2.group) continue;
      if (r1.resource === "*" || r2.resource === "*") hasOverlap = true;
    }
  }
  const errs: FieldError[] = [];
  if (hasDuplicate) errs.push(invalid(path, goStringSlice(resources), duplicateResourceErr));
  if (hasOverlap) errs.push(invalid(path, goStringSlice(resources), overlapErr));
  return errs;
}

function validateResourceNames(resources: string[], path: Path): FieldError[] {
  const errs: FieldError[] = [];
  resources.forEach((res, j) => {
    const at = path.index(j);
    const gr = parseGroupResource(res);
    if (res.toLowerCase() !== res) errs.push(invalid(at, res, resourceNameErr));
    else if (res === "*") errs.push(invalid(at, res, starResourceErr));
    else if (["apiserveripinfo", "serviceipallocations", "servicenodeportallocations"].includes(res))
      errs.push(invalid(at, res, nonRESTAPIResourceErr));
    else if (gr.group === "events.k8s.io") errs.push(invalid(at, res, eventsGroupErr));
    else if (gr.group === "extensions") errs.push(invalid(at, res, extensionsGroupErr));
    else if (gr.group === "*" && gr.resource !== "*") errs.push(invalid(at, res, resourceAcrossGroupErr));
  });
  return errs;
}

/** How Go's %#v shows a ProviderConfiguration; pointers print as addresses there, so only which are set. */
function providerValue(p: ProviderConfiguration): GoValue {
  const field = (name: string, type: string, v: unknown) =>
    `${name}:(*apiserver.${type})(${v ? "0xc000000000" : "nil"})`;
  return new GoValue(
    `apiserver.ProviderConfiguration{${[
      field("AESGCM", "AESConfiguration", p.aesgcm),
      field("AESCBC", "AESConfiguration", p.aescbc),
      field("Secretbox", "SecretboxConfiguration", p.secretbox),
      field("Identity", "IdentityConfiguration", p.identity),
      field("KMS", "KMSConfiguration", p.kms),
    ].join(", ")}}`,
  );
}

function validateSingleProvider(p: ProviderConfiguration, path: Path): FieldError[] {
  const found = [p.kms, p.aesgcm, p.aescbc, p.secretbox, p.identity].filter((x) => x != null).length;
  if (found === 0) {
    return [
      invalid(
        path,
        providerValue(p),
        "provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity",
      ),
    ];
  }
  if (found > 1) return [invalid(path, providerValue(p), moreThanOneElementErr)];
  return [];
}

/** Go's encoding/base64 StdEncoding: padded, strict alphabet (newlines are skipped). */
export function decodeStdBase64(s: string): Uint8Array | undefined {
  const t = s.replace(/[\r\n]/g, "");
  if (t.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(t)) return undefined;
  return Buffer.from(t, "base64");
}

function validateKeys(keys: Key[] | undefined, path: Path, sizes: number[]): FieldError[] {
  if (!keys || keys.length === 0) return [required(path, atLeastOne("keys"))];
  const errs: FieldError[] = [];
  keys.forEach((key, i) => {
    const at = path.index(i);
    if (!key.name) errs.push(required(at.child("name"), "name is a mandatory field for a key"));
    if (!key.secret) {
      errs.push(required(at.child("secret"), "secret is a mandatory field for a key"));
      return;
    }
    const secret = decodeStdBase64(key.secret);
    if (!secret) {
      errs.push(invalid(at.child("secret"), "REDACTED", base64EncodingErr));
      return;
    }
    if (!sizes.includes(secret.length)) {
      errs.push(
        invalid(
          at.child("secret"),
          "REDACTED",
          `secret is not of the expected length, got ${secret.length}, expected one of [${sizes.join(" ")}]`,
        ),
      );
    }
  });
  return errs;
}

function validateKMS(c: KMSConfiguration, path: Path, names: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  const apiVersion = c.apiVersion ?? "v1";
  const name = c.name ?? "";
  if (!name) errs.push(required(path.child("name"), "name is a mandatory field for a provider"));
  if (apiVersion !== "v1" && name.includes(":"))
    errs.push(invalid(path.child("name"), name, `invalid KMS provider name ${name}, must not contain ':'`));
  if (apiVersion !== "v1" && names.has(name))
    errs.push(invalid(path.child("name"), name, `duplicate KMS provider name ${name}, names must be unique`));
  const endpoint = c.endpoint ?? "";
  if (!endpoint) {
    errs.push(invalid(path.child("endpoint"), "", "endpoint is a mandatory field for a kms"));
  } else {
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(endpoint)?.[1] ?? "";
    if (scheme !== "unix")
      errs.push(
        invalid(
          path.child("endpoint"),
          endpoint,
          `unsupported scheme ${goQuote(scheme)} for KMS provider, only unix is supported`,
        ),
      );
  }
  if (apiVersion !== "v1" && apiVersion !== "v2")
    errs.push(
      invalid(
        path.child("apiVersion"),
        apiVersion,
        "unsupported apiVersion apiVersion for KMS provider, only v1 and v2 are supported",
      ),
    );
  return errs;
}

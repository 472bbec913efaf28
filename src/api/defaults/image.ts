// Image reference parsing as far as defaulting needs it: upstream's
// pkg/util/parsers.ParseImageName over distribution/reference's
// ParseNormalizedNamed, reduced to "which tag does this image name carry".

const alphanumeric = "[a-z0-9]+";
const separator = "(?:[._]|__|[-]+)";
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const domainNameComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const ipv6address = "\\[(?:[a-fA-F0-9:]+)\\]";
const domainAndPort = `(?:${domainName}|${ipv6address})(?::[0-9]+)?`;
const namePattern = `(?:${domainAndPort}/)?${pathComponent}(?:/${pathComponent})*`;
const tagPattern = "[\\w][\\w.-]{0,127}";
const digestPattern = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}";
const referenceRegexp = new RegExp(`^(${namePattern})(?::(${tagPattern}))?(?:@(${digestPattern}))?$`);
const anchoredIdentifier = /^[a-f0-9]{64}$/;

const nameTotalLengthMax = 255;
const digestHexLength: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

export interface ImageReference {
  /** Repository name with the docker.io/library defaults applied. */
  name: string;
  tag: string;
  digest: string;
}

/**
 * Parses an image name like the kubelet and the defaulter do. As upstream,
 * an image with neither tag nor digest gets the tag "latest". Returns
 * undefined for names that are not valid references.
 */
export function parseImageName(image: string): ImageReference | undefined {
  if (anchoredIdentifier.test(image)) return undefined;
  // splitDockerDomain: the first component is a registry only if it looks like one.
  const slash = image.indexOf("/");
  let domain: string;
  let remainder: string;
  if (slash === -1) {
    domain = "docker.io";
    remainder = image;
  } else {
    const first = image.slice(0, slash);
    const looksLikeDomain =
      first.includes(".") || first.includes(":") || first === "localhost" || first.toLowerCase() !== first;
    domain = looksLikeDomain ? first : "docker.io";
    remainder = looksLikeDomain ? image.slice(slash + 1) : image;
  }
  if (domain === "index.docker.io") domain = "docker.io";
  if (domain === "docker.io" && !remainder.includes("/")) remainder = `library/${remainder}`;
  const tagSep = remainder.indexOf(":");
  const remoteName = tagSep > -1 ? remainder.slice(0, tagSep) : remainder;
  if (remoteName.toLowerCase() !== remoteName) return undefined;

  const m = referenceRegexp.exec(`${domain}/${remainder}`);
  if (!m) return undefined;
  const name = m[1];
  if (name.length > nameTotalLengthMax) return undefined;
  const digest = m[3] ?? "";
  if (digest !== "") {
    const [algorithm, hex] = digest.split(":");
    if (digestHexLength[algorithm] !== hex.length) return undefined;
  }
  let tag = m[2] ?? "";
  if (tag === "" && digest === "") tag = "latest";
  return { name, tag, digest };
}

/** SetDefaults_Container's rule: Always for ":latest" (or no tag), else IfNotPresent. */
export function defaultPullPolicy(image: unknown): "Always" | "IfNotPresent" {
  if (typeof image !== "string") return "IfNotPresent";
  // Defaulting runs on every pod write; a cluster uses few images, and parsing
  // a reference (one large regular expression) is the cost.
  let policy = pullPolicies.get(image);
  if (policy === undefined) {
    policy = parseImageName(image)?.tag === "latest" ? "Always" : "IfNotPresent";
    if (pullPolicies.size >= PULL_POLICY_CACHE_MAX) pullPolicies.clear();
    if (image.length <= 512) pullPolicies.set(image, policy);
  }
  return policy;
}

const PULL_POLICY_CACHE_MAX = 1024;
const pullPolicies = new Map<string, "Always" | "IfNotPresent">();

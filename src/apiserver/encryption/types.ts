// EncryptionConfiguration (apiserver.config.k8s.io/v1), the file given to
// --encryption-provider-config: for each list of resources, the providers in
// order; the first encrypts new writes, all of them decrypt.

export interface EncryptionConfiguration {
  kind?: string;
  apiVersion?: string;
  resources: ResourceConfiguration[];
}

export interface ResourceConfiguration {
  /** "secrets", "deployments.apps", "*.apps" (a whole group), "*." (the core group), "*.*" (everything). */
  resources: string[];
  providers: ProviderConfiguration[];
}

/** Exactly one of the fields is set. */
export interface ProviderConfiguration {
  aesgcm?: AESConfiguration | null;
  aescbc?: AESConfiguration | null;
  secretbox?: SecretboxConfiguration | null;
  identity?: Record<string, never> | null;
  kms?: KMSConfiguration | null;
}

export interface AESConfiguration {
  keys: Key[];
}

export interface SecretboxConfiguration {
  keys: Key[];
}

export interface Key {
  name: string;
  /** base64 of 16, 24 or 32 bytes (AES) or 32 bytes (secretbox). */
  secret: string;
}

/** Accepted and validated, but k8ts talks to no KMS plugin: a config using one is refused. */
export interface KMSConfiguration {
  apiVersion?: string;
  name: string;
  endpoint?: string;
  cachesize?: number;
  timeout?: string;
}

/** How to reach a registry, once the config's secrets are resolved. */
export interface RegistryInput {
  /** Host (and port) of the registry, e.g. "ghcr.io", "registry.test:5443". Absent = Docker Hub. */
  server?: string
  username?: string
  /** Already resolved. Never logged, never in argv (docker login reads it on stdin). */
  password?: string
  /** PEM file with the CA that signed the registry's certificate (private registries). */
  caFile?: string
  /** Talk plain HTTP to the registry (a local registry without TLS). Default false. */
  insecureHttp?: boolean
  /**
   * Where the password came from, for error messages, e.g. "the KAMAL_REGISTRY_PASSWORD secret".
   * Default: "registry.password".
   */
  passwordSource?: string
}

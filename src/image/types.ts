import type { RegistryInput } from '../registry/types.js'

/**
 * The small inputs the build layer needs. The engine's `buildInput()` fills them from
 * the loaded config, so nothing here parses YAML or knows about destinations, and these types
 * can be built by hand in tests.
 *
 * Where each comes from in deploy.yml:
 *   service              → BuildInput.service
 *   image                → ImageInput.name       (the repository part, e.g. "acme/app")
 *   registry.server      → RegistryInput.server  (absent = Docker Hub)
 *   registry.username    → RegistryInput.username
 *   registry.password    → RegistryInput.password (already resolved from secrets)
 *   builder.context      → BuilderInput.context  (absent = build from a clean git clone)
 *   builder.dockerfile   → BuilderInput.dockerfile
 *   builder.target       → BuilderInput.target
 *   builder.args         → BuilderInput.args
 *   builder.secrets      → BuilderInput.secrets (names) + BuildInput.secretValues (resolved)
 *   builder.arch         → BuilderInput.arch     (a single string becomes a one-element array)
 *   builder.cache        → BuilderInput.cache
 */

/** `builder.cache`. `type: local` is a cutover addition (a directory, saved with @actions/cache). */
export type CacheInput =
  | {
      type: 'registry'
      /** Cache image in the same registry as the app image; default `<image>-build-cache`. */
      image?: string
      /** Extra exporter options appended to --cache-to, e.g. "mode=max" (Kamal's `options`). */
      options?: string
    }
  | {
      type: 'gha'
      /** e.g. "mode=max,scope=web". Only `scope` and `timeout` are forwarded to --cache-from. */
      options?: string
    }
  | {
      type: 'local'
      options?: string
    }

export interface BuilderInput {
  /**
   * Build context. Absent: build from a clean git clone of the commit (Kamal's default).
   * Set (e.g. "."): build straight from this directory, relative to the app directory; a dirty
   * working tree then adds the `_uncommitted_<hex>` suffix to the version.
   */
  context?: string
  /** Relative to the build directory. Default "Dockerfile". */
  dockerfile?: string
  target?: string
  args?: Readonly<Record<string, string>>
  /** Names of build secrets; values travel in the environment of the docker process. */
  secrets?: readonly string[]
  /** e.g. ["amd64", "arm64"]; empty or absent means the builder's own platform. */
  arch?: readonly string[]
  cache?: CacheInput
}


export interface ImageInput {
  /** `image` from deploy.yml: the repository without registry host or tag, e.g. "acme/app". */
  name: string
}

/** Everything one build-and-push needs, once config has been resolved. */
export interface BuildInput {
  service: string
  image: ImageInput
  registry: RegistryInput
  builder: BuilderInput
  /** Values of `builder.secrets`, by name. Missing names are an error before anything runs. */
  secretValues?: Readonly<Record<string, string>>
  /** false: push only `image:version`, never move `:latest` (a PR preview must not replace production's latest). */
  pushLatest?: boolean
}

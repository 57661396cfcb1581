import { z } from 'zod'
import { byKind, type KamalOnlyKeys, section } from './section.js'
import { bool, listOf, mapOf, nonEmptyText, oneOf, secretName, stringish, text } from './values.js'

// Docker platform architectures; Kamal configs write amd64 and arm64.
const ARCHES = ['amd64', 'arm64', 'arm', '386', 'ppc64le', 's390x', 'riscv64'] as const
const arch = oneOf(ARCHES)

const cache = section(
  // `local` is a cutover addition: a cache directory saved and restored with @actions/cache.
  { type: oneOf(['gha', 'registry', 'local'] as const), options: text('buildx cache options, e.g. mode=max').optional(), image: nonEmptyText('a cache image name').optional() },
  { expected: 'a map with type (gha, registry or local), options and image' },
)

const anything = z.unknown()
export const BUILDER_KAMAL_ONLY = {
  remote: { schema: text(), note: 'builds run where cutover runs' },
  local: { schema: bool() },
  pack: { schema: anything, note: 'buildpacks are not supported' },
  ssh: { schema: text() },
  driver: { schema: text() },
  provenance: { schema: anything },
  sbom: { schema: anything },
} satisfies KamalOnlyKeys

export const builderSchema = section(
  {
    arch: byKind({ string: arch.transform((a) => [a]), list: listOf(arch, 'a list of architectures') }, `an architecture or a list of them (${ARCHES.join(', ')})`).optional(),
    context: nonEmptyText('a build context path, e.g. .').optional(),
    dockerfile: nonEmptyText('a Dockerfile path').optional(),
    target: nonEmptyText('a build stage name').optional(),
    args: mapOf(stringish(), 'a map of build arg: value').optional(),
    secrets: listOf(secretName(), 'a list of secret names passed to the build with --secret').optional(),
    cache: cache.optional(),
  },
  {
    expected: 'a map of builder settings (arch, context, dockerfile, target, args, secrets, cache)',
    kamalOnly: BUILDER_KAMAL_ONLY,
  },
)
export type BuilderSection = z.output<typeof builderSchema>

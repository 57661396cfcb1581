// What GitHub's OpenAPI 3.0 description needs before a JSON Schema validator can use it.

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json }
export type Obj = { [k: string]: Json }

/** OpenAPI 3.0's `nullable` is not JSON Schema: turn it into `null` in `type`/`enum`, or an anyOf. */
export function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema)
  if (node === null || typeof node !== 'object') return node
  const out: Obj = {}
  for (const [k, v] of Object.entries(node)) out[k] = toJsonSchema(v)
  // A property *named* "nullable" holds an object, so only a boolean is the keyword.
  if (typeof out.nullable !== 'boolean') return out
  const nullable = out.nullable
  delete out.nullable
  if (!nullable) return out
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null']
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null]
    return out
  }
  return { anyOf: [{ type: 'null' }, out] }
}

export function refPath(value: Json): string[] | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || typeof value.$ref !== 'string') return undefined
  if (!value.$ref.startsWith('#/')) throw new Error(`openapi: external $ref ${value.$ref} is not supported`)
  return value.$ref.slice(2).split('/').map((s) => decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~'))
}

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase()
}

/** Query strings and headers are text; the schema says what they stand for. */
export function coerce(schema: Obj, values: string[]): unknown {
  const one = (v: string, type: Json | undefined): unknown => {
    const t = Array.isArray(type) ? type.find((x) => x !== 'null') : type
    if (t === 'integer' || t === 'number') return v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v
    if (t === 'boolean') return v === 'true' ? true : v === 'false' ? false : v
    return v
  }
  if (schema.type === 'array') return values.flatMap((v) => v.split(',')).map((v) => one(v, (schema.items as Obj | undefined)?.type))
  return one(values[values.length - 1] ?? '', schema.type)
}

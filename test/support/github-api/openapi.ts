import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { coerce, mediaType, refPath, toJsonSchema, type Json, type Obj } from './openapi30.js'

/**
 * GitHub's official REST description (npm @octokit/openapi, the api.github.com flavour,
 * OpenAPI 3.0.3, not dereferenced) as a validator for both sides of the local test server.
 *
 * Why ajv (+ ajv-formats) and not an OpenAPI framework: the description is 13 MB with
 * recursive $refs. ajv takes it as is, resolves the $refs itself and compiles only the schemas
 * of the operations a test hits (measured here: 30-70 ms each, 0.5 s to load the description),
 * where OpenAPI layers over ajv tend to dereference or compile the whole document up front or
 * bind to a web framework. The one thing ajv lacks, finding the operation for a method and a
 * path, is the small index below; it also honours GitHub's `x-multi-segment` path parameters
 * (a `ref` may hold slashes), an extension a generic router would not know.
 */

const require = createRequire(import.meta.url)
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv
export const DESCRIPTION_FILE = require.resolve('@octokit/openapi/generated/api.github.com.json')
const DOC_ID = 'github-rest'

/**
 * Responses GitHub may give on any endpoint, which its description documents once in prose
 * (conditional requests, authentication, permissions, rate limits, outages) instead of per
 * operation. Used only when the operation itself documents no response for that status; the
 * body schema still comes from the description.
 */
const CROSS_CUTTING: Record<number, string[] | null> = {
  304: null, // no body
  401: ['components', 'schemas', 'basic-error'],
  403: ['components', 'schemas', 'basic-error'],
  404: ['components', 'schemas', 'basic-error'],
  429: ['components', 'schemas', 'basic-error'],
  500: ['components', 'schemas', 'basic-error'],
  // GitHub's front end answers a bad gateway on any endpoint, with the same error body.
  502: ['components', 'schemas', 'basic-error'],
  503: ['components', 'responses', 'service_unavailable', 'content', 'application/json', 'schema'],
}

export interface Operation {
  method: string
  template: string
  operationId: string
  /** Where the operation object sits in the description, as JSON pointer segments. */
  at: string[]
}

export interface OperationMatch extends Operation {
  pathParams: Record<string, string>
}

interface TemplateIndex {
  template: string
  regex: RegExp
  params: string[]
  literals: number
}

const pointer = (segments: readonly string[]): string =>
  `${DOC_ID}#/${segments.map((s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/')}`

export class GitHubOpenApi {
  readonly doc: Obj
  private readonly ajv: Ajv
  private readonly templates: TemplateIndex[]
  private readonly compiled = new Map<string, ValidateFunction>()

  constructor(file = DESCRIPTION_FILE) {
    this.doc = toJsonSchema(JSON.parse(readFileSync(file, 'utf8')) as Json) as Obj
    // Strict modes off: OpenAPI annotations (example, x-github, discriminator...) are not JSON
    // Schema keywords, and GitHub's schemas omit `type` next to keywords like
    // additionalProperties. Formats stay strict: every one in the description is known
    // (ajv-formats + two below), and an unknown one throws (the logger) instead of being skipped.
    this.ajv = new Ajv({
      strictSchema: false,
      strictTypes: false,
      strictTuples: false,
      strictRequired: false,
      allErrors: true,
      logger: { log: () => {}, warn: (m: unknown) => { throw new Error(`openapi: ${String(m)}`) }, error: (m: unknown) => { throw new Error(`openapi: ${String(m)}`) } },
    })
    addFormats(this.ajv)
    this.ajv.addFormat('timestamp', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= 0 })
    this.ajv.addFormat('repo.nwo', /^[^/\s]+\/[^/\s]+$/)
    this.ajv.addSchema(this.doc, DOC_ID)
    this.templates = Object.keys(this.paths()).map((t) => this.indexTemplate(t))
    // Prefer literal segments over parameters: `/commits/{ref}/status` over `/commits/{ref}` with ref="x/status".
    this.templates.sort((a, b) => b.literals - a.literals || a.params.length - b.params.length)
  }

  /** The operation a route key names (`GET /repos/{owner}/{repo}/...`), or an error saying it does not exist. */
  operation(method: string, template: string): Operation {
    const op = (this.paths()[template] as Obj | undefined)?.[method.toLowerCase()] as Obj | undefined
    if (!op) throw new Error(`openapi: GitHub's description has no ${method.toUpperCase()} ${template}`)
    return { method: method.toUpperCase(), template, operationId: String(op.operationId), at: ['paths', template, method.toLowerCase()] }
  }

  /** The documented operation a concrete request path hits, or why none does. */
  match(method: string, path: string): OperationMatch | { error: string } {
    let pathKnown: string | undefined
    for (const t of this.templates) {
      const m = t.regex.exec(path)
      if (!m) continue
      pathKnown ??= t.template
      if (!(this.paths()[t.template] as Obj)[method.toLowerCase()]) continue
      const pathParams: Record<string, string> = {}
      t.params.forEach((p, i) => (pathParams[p] = decodeURIComponent(m[i + 1] ?? '')))
      return { ...this.operation(method, t.template), pathParams }
    }
    return { error: pathKnown ? `GitHub documents no ${method} on ${pathKnown}` : `${path} is no path of GitHub's REST API` }
  }

  /** Every way the request breaks the operation's parameters and body, as readable lines. */
  validateRequest(op: OperationMatch, query: URLSearchParams, headers: Record<string, string | undefined>, body: string): string[] {
    const problems: string[] = []
    const params = this.parameters(op)
    for (const [name, value] of Object.entries(op.pathParams)) {
      const p = params.find((x) => x.in === 'path' && x.name === name)
      // Path segments are strings on the wire; integer ids (deployment_id, comment_id) are compared as numbers.
      if (p) problems.push(...this.check(p.schemaAt, coerce(this.at(p.schemaAt) as Obj, [value]), `path parameter ${name}`))
    }
    for (const name of new Set(query.keys())) {
      const p = params.find((x) => x.in === 'query' && x.name === name)
      if (!p) {
        problems.push(`query parameter "${name}" is not documented for ${op.operationId}`)
        continue
      }
      const values = query.getAll(name)
      const schema = this.at(p.schemaAt) as Obj
      if (values.length > 1 && schema.type !== 'array') problems.push(`query parameter "${name}" given ${values.length} times`)
      problems.push(...this.check(p.schemaAt, coerce(schema, values), `query parameter ${name}`))
    }
    for (const p of params.filter((x) => x.required && x.in !== 'path')) {
      const given = p.in === 'query' ? query.has(p.name) : headers[p.name.toLowerCase()] !== undefined
      if (!given) problems.push(`required ${p.in} parameter "${p.name}" is missing`)
    }
    problems.push(...this.checkBody(op, headers['content-type'], body))
    return problems.map((p) => `${op.method} ${op.template} (${op.operationId}) request: ${p}`)
  }

  /** Every way a response breaks what the operation documents for its status. */
  validateResponse(op: Operation, status: number, headers: Record<string, string | undefined>, body: string): string[] {
    const problems: string[] = []
    const responses = this.at([...op.at, 'responses']) as Obj
    const key = [String(status), `${String(status)[0]}XX`].find((k) => k in responses)
    // Media type -> where its schema sits (null: documented without a schema).
    let bodies: Record<string, string[] | null> = {}
    let declaredHeaders: Obj = {}
    let headersAt: string[] = []
    if (key) {
      const r = this.resolve([...op.at, 'responses', key])
      const content = ((r.value as Obj).content as Obj | undefined) ?? {}
      for (const [mt, media] of Object.entries(content)) bodies[mt] = 'schema' in (media as Obj) ? [...r.at, 'content', mt, 'schema'] : null
      declaredHeaders = ((r.value as Obj).headers as Obj | undefined) ?? {}
      headersAt = [...r.at, 'headers']
    } else if (status in CROSS_CUTTING) {
      const schemaAt = CROSS_CUTTING[status]
      bodies = schemaAt ? { 'application/json': schemaAt } : {}
    } else {
      return [`${op.method} ${op.template} (${op.operationId}) response ${status}: status ${status} is not documented (documented: ${Object.keys(responses).join(', ')})`]
    }
    const types = Object.keys(bodies)
    if (types.length === 0) {
      if (body.length > 0) problems.push(`status ${status} documents no body, but one was sent`)
    } else {
      const mt = types.find((k) => k === mediaType(headers['content-type']))
      if (!mt) problems.push(`content-type ${JSON.stringify(headers['content-type'])} is not one of ${types.join(', ')}`)
      else if (bodies[mt]) problems.push(...this.checkJson(bodies[mt], body, 'body'))
    }
    for (const name of Object.keys(declaredHeaders)) {
      const value = headers[name.toLowerCase()]
      if (value === undefined) continue
      const schemaAt = [...this.resolve([...headersAt, name]).at, 'schema']
      problems.push(...this.check(schemaAt, coerce(this.at(schemaAt) as Obj, [value]), `header ${name}`))
    }
    return problems.map((p) => `${op.method} ${op.template} (${op.operationId}) response ${status}: ${p}`)
  }

  private checkBody(op: Operation, contentType: string | undefined, body: string): string[] {
    const opObj = this.at(op.at) as Obj
    if (!opObj.requestBody) return body.length ? ['a body was sent, but the operation takes none'] : []
    const rb = this.resolve([...op.at, 'requestBody'])
    if (!body.length) return (rb.value as Obj).required ? ['the required body is missing'] : []
    const content = (rb.value as Obj).content as Obj
    const mt = Object.keys(content).find((k) => k === mediaType(contentType))
    if (!mt) return [`content-type ${JSON.stringify(contentType)} is not one of ${Object.keys(content).join(', ')}`]
    return this.checkJson([...rb.at, 'content', mt, 'schema'], body, 'body')
  }

  private checkJson(schemaAt: string[], text: string, what: string): string[] {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return [`${what} is not JSON: ${text.slice(0, 80)}`]
    }
    return this.check(schemaAt, value, what)
  }

  private check(schemaAt: string[], value: unknown, what: string): string[] {
    const key = pointer(schemaAt)
    let validate = this.compiled.get(key)
    if (!validate) {
      validate = this.ajv.compile({ $ref: key })
      this.compiled.set(key, validate)
    }
    if (validate(value)) return []
    return (validate.errors ?? []).slice(0, 8).map((e) => `${what}${e.instancePath || ''} ${e.message ?? 'is invalid'}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`)
  }

  private parameters(op: Operation): { name: string; in: string; required: boolean; schemaAt: string[] }[] {
    const pathLevel = ((this.paths()[op.template] as Obj).parameters as Json[] | undefined) ?? []
    const opLevel = ((this.at(op.at) as Obj).parameters as Json[] | undefined) ?? []
    const all = [
      ...pathLevel.map((_, i) => this.resolve(['paths', op.template, 'parameters', String(i)])),
      ...opLevel.map((_, i) => this.resolve([...op.at, 'parameters', String(i)])),
    ]
    return all.map(({ value, at }) => {
      const p = value as Obj
      return { name: String(p.name), in: String(p.in), required: p.required === true, schemaAt: [...at, 'schema'] }
    })
  }

  private indexTemplate(template: string): TemplateIndex {
    const multi = new Set<string>()
    for (const method of Object.keys(this.paths()[template] as Obj)) {
      if (method === 'parameters') continue
      for (const p of this.parameters({ method, template, operationId: '', at: ['paths', template, method] })) {
        if ((this.at(p.schemaAt.slice(0, -1)) as Obj)['x-multi-segment'] === true) multi.add(p.name)
      }
    }
    const params: string[] = []
    let literals = 0
    const body = template
      .split('/')
      .map((seg) => {
        const m = /^\{([^}]+)\}$/.exec(seg)
        if (!m?.[1]) {
          if (seg) literals++
          return seg.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&')
        }
        params.push(m[1])
        return multi.has(m[1]) ? '(.+)' : '([^/]+)'
      })
      .join('/')
    return { template, regex: new RegExp(`^${body}$`), params, literals }
  }

  private paths(): Obj {
    return this.doc.paths as Obj
  }

  /** The value at a pointer, following `$ref`s, and where it really sits. */
  resolve(at: string[]): { value: Json; at: string[] } {
    let here = at
    for (let hops = 0; hops < 10; hops++) {
      const value = this.at(here)
      const ref = refPath(value)
      if (!ref) return { value, at: here }
      here = ref
    }
    throw new Error(`openapi: $ref chain too long at ${here.join('/')}`)
  }

  at(segments: readonly string[]): Json {
    let v: Json = this.doc
    for (const s of segments) {
      if (v === null || typeof v !== 'object') throw new Error(`openapi: nothing at /${segments.join('/')}`)
      v = (Array.isArray(v) ? v[Number(s)] : v[s]) as Json
      if (v === undefined) throw new Error(`openapi: nothing at /${segments.join('/')}`)
    }
    return v
  }
}

let shared: GitHubOpenApi | undefined
/** Parsing the description takes a few hundred ms: one instance per test file is plenty. */
export function githubOpenApi(): GitHubOpenApi {
  return (shared ??= new GitHubOpenApi())
}

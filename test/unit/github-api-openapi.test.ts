import { describe, expect, it } from 'vitest'
import { githubOpenApi } from '../support/github-api/openapi.js'
import { toJsonSchema, type Json } from '../support/github-api/openapi30.js'

// The OpenAPI side of the test server: the 3.0 → JSON Schema conversion, and the operations
// this project serves now (the gate) or soon (deployments, PR comments for the Action).

describe('toJsonSchema', () => {
  it.each<[string, Json, Json]>([
    ['nullable with a type', { type: 'string', nullable: true }, { type: ['string', 'null'] }],
    ['a nullable enum also allows null', { type: 'string', enum: ['a'], nullable: true }, { type: ['string', 'null'], enum: ['a', null] }],
    ['nullable without a type', { nullable: true, allOf: [{ $ref: '#/x' }] }, { anyOf: [{ type: 'null' }, { allOf: [{ $ref: '#/x' }] }] }],
    ['nullable: false is dropped', { type: 'integer', nullable: false }, { type: 'integer' }],
    ['a property named "nullable" is left alone', { properties: { nullable: { type: 'boolean' } } }, { properties: { nullable: { type: 'boolean' } } }],
    ['deep', { items: { type: 'object', nullable: true } }, { items: { type: ['object', 'null'] } }],
  ])('%s', (_, input, expected) => {
    expect(toJsonSchema(input)).toEqual(expected)
  })
})

const OPERATIONS: [string, string, string][] = [
  ['GET', '/repos/{owner}/{repo}/commits/{ref}/check-runs', '200'],
  ['GET', '/repos/{owner}/{repo}/commits/{ref}/status', '200'],
  ['POST', '/repos/{owner}/{repo}/deployments', '201'],
  ['GET', '/repos/{owner}/{repo}/deployments', '200'],
  ['POST', '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses', '201'],
  ['GET', '/repos/{owner}/{repo}/issues/{issue_number}/comments', '200'],
  ['POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments', '201'],
  ['PATCH', '/repos/{owner}/{repo}/issues/comments/{comment_id}', '200'],
]

describe("GitHub's own examples pass GitHub's own schemas (so the conversion is right)", () => {
  const api = githubOpenApi()
  it.each(OPERATIONS)('%s %s %s', (method, template, status) => {
    const op = api.operation(method, template)
    const media = api.resolve([...op.at, 'responses', status, 'content', 'application/json']).value as { examples?: Record<string, Json> }
    const examples = Object.keys(media.examples ?? {})
    expect(examples.length).toBeGreaterThan(0)
    for (const name of examples) {
      const at = api.resolve([...op.at, 'responses', status, 'content', 'application/json', 'examples', name]).at
      const value = (api.at(at) as { value: Json }).value
      const headers = { 'content-type': 'application/json; charset=utf-8' }
      expect(api.validateResponse(op, Number(status), headers, JSON.stringify(value))).toEqual([])
    }
  })

  it('and a broken copy of one fails', () => {
    const op = api.operation('GET', '/repos/{owner}/{repo}/commits/{ref}/status')
    const body = JSON.stringify({ state: 'success', sha: 'x', total_count: '1', statuses: [], commit_url: 'not a uri' })
    const problems = api.validateResponse(op, 200, { 'content-type': 'application/json' }, body).join('\n')
    expect(problems).toMatch(/body\/total_count must be integer/)
    expect(problems).toMatch(/must have required property 'repository'/)
    expect(problems).toMatch(/body\/commit_url must match format "uri"/)
  })
})

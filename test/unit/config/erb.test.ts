import { describe, expect, it } from 'vitest'
import { renderErb } from '../../../src/config/erb.js'
import { renderError, renderWarning } from '../../../src/config/index.js'
import { cfg, errorsOf, loadFrom, okOf } from './helpers.js'

const F = 'config/deploy.yml'
const ENV = { SET: 'from-env', EMPTY: '', SPACED: ' a b ', QUOTE: `it's "q"` }

// Each supported form: the line as written → the line cutover reads (ENV as above).
const forms: [string, string, string][] = [
  ['ENV["X"]', 'a: <%= ENV["SET"] %>', 'a: from-env'],
  ["ENV['X']", "a: <%= ENV['SET'] %>", 'a: from-env'],
  ['ENV["X"] with spaces inside the tag and brackets', 'a: <%=ENV[ "SET" ]%>', 'a: from-env'],
  ['ENV["X"] set to the empty string', 'a: "<%= ENV["EMPTY"] %>"', 'a: ""'],
  ['ENV["X"] unset reads as empty (with a warning)', 'a: "<%= ENV["NOPE"] %>"', 'a: ""'],
  ['ENV.fetch("X")', 'a: <%= ENV.fetch("SET") %>', 'a: from-env'],
  ["ENV.fetch('X')", "a: <%= ENV.fetch('SET') %>", 'a: from-env'],
  ['ENV.fetch("X", "default") when set', 'a: <%= ENV.fetch("SET", "dflt") %>', 'a: from-env'],
  ['ENV.fetch("X", "default") when unset', 'a: <%= ENV.fetch("NOPE", "dflt") %>', 'a: dflt'],
  ["ENV.fetch('X', 'default') when unset", "a: <%= ENV.fetch('NOPE', 'd f') %>", 'a: d f'],
  ['ENV.fetch with an empty default', 'a: "<%= ENV.fetch("NOPE", "") %>"', 'a: ""'],
  ['a double-quoted literal', 'a: <%= "text" %>', 'a: text'],
  ['a single-quoted literal', "a: <%= 'te xt' %>", 'a: te xt'],
  ['two tags on one line', 'a: <%= ENV["SET"] %>-<%= "x" %>', 'a: from-env-x'],
  ['a value with quotes is put in as is (YAML then reads it)', "a: '<%= ENV[\"SPACED\"] %>'", "a: ' a b '"],
  ['a YAML comment line is left alone', '# <%= ENV.fetch("NOPE") %> `x`', '# <%= ENV.fetch("NOPE") %> `x`'],
  ['a line without ERB', 'a: 100% <b>', 'a: 100% <b>'],
]

// Each refusal: the line → the message it gets (every one also names file and line).
const refusals: [string, string, RegExp][] = [
  ['ENV.fetch of an unset variable', 'a: <%= ENV.fetch("NOPE") %>', /^ENV\.fetch\("NOPE"\): the environment variable NOPE is not set$/],
  ["ENV.fetch('X') of an unset variable", "a: <%= ENV.fetch('NOPE') %>", /NOPE is not set/],
  ['a code tag', '<% if true %>', /ERB code `<% if true %>`, which cutover does not run/],
  ['an ERB comment tag', 'a: 1 <%# note %>', /which cutover does not run/],
  ['trim-mode closing', 'a: <%= ENV["SET"] -%>', /does not evaluate/],
  ['a method call', 'a: <%= `hostname` %>', /does not evaluate/],
  ['Ruby other than the forms', 'a: <%= ENV["SET"].upcase %>', /does not evaluate/],
  ['ENV.fetch with a block', 'a: <%= ENV.fetch("SET") { "x" } %>', /does not evaluate/],
  ['a string with interpolation', 'a: <%= "#{1 + 1}" %>', /does not evaluate/],
  ['a string with an escape', 'a: <%= "a\\nb" %>', /does not evaluate/],
  ['ENV with a non-literal name', 'a: <%= ENV[name] %>', /does not evaluate/],
  ['File.read', 'a: <%= File.read("/etc/passwd") %>', /does not evaluate/],
  ['a tag left open', 'a: <%= ENV["SET"]', /does not close on the same line/],
  ['a value with a line break', 'a: <%= ENV.fetch("NOPE", "x") %><%= ENV["ML"] %>', /gives a value with a line break/],
]

describe('ERB: the subset cutover evaluates', () => {
  it.each(forms)('%s', (_, line, want) => {
    const r = renderErb(F, `service: s\n${line}\nb: 2\n`, ENV)
    expect(r.errors).toEqual([])
    expect(r.text).toBe(`service: s\n${want}\nb: 2\n`)
  })

  it.each(refusals)('refuses %s, naming file and line, with the supported forms', (_, line, message) => {
    const r = renderErb(F, `service: s\n${line}\n`, { ...ENV, ML: 'a\nb' })
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]).toMatchObject({ file: F, line: 2 })
    expect(r.errors[0]!.message).toMatch(message)
    expect(r.errors[0]!.expected).toMatch(/ENV\.fetch|a one-line value/)
  })

  it('an unset ENV["X"] warns, naming the variable, file and line', () => {
    const r = renderErb(F, 'a: 1\nb: <%= ENV["NOPE"] %>\n', {})
    expect(r.warnings).toEqual([{ file: F, keyPath: '', line: 2, message: expect.stringMatching(/^ENV\["NOPE"\]: the environment variable NOPE is not set, so it reads as an empty string/) }])
  })

  it('a value never shows in a refusal or warning', () => {
    const secret = 'sentinel-Erb-Value-42'
    const r = renderErb(F, 'a: <%= ENV["S"] %><%= ENV["ML"] %>\n<% x %>\n', { S: secret, ML: `${secret}\nline` })
    expect(r.errors.length).toBe(2)
    expect(JSON.stringify([r.errors, r.warnings])).not.toContain(secret)
  })
})

describe('ERB through loadConfig', () => {
  it('registry username and a clear env value from the environment; a destination file too', () => {
    const files = {
      [F]: cfg('registry:\n  server: ghcr.io\n  username: <%= ENV["KAMAL_REGISTRY_USERNAME"] %>\n  password:\n    - KAMAL_REGISTRY_PASSWORD\nenv:\n  clear:\n    RAILS_ENV: <%= ENV.fetch("RAILS_ENV", "production") %>\n    NOTE: <%= "text" %>'),
      'config/deploy.staging.yml': "servers:\n  - <%= ENV.fetch('STAGING_HOST') %>\n",
    }
    const env = { KAMAL_REGISTRY_PASSWORD: 'p', KAMAL_REGISTRY_USERNAME: 'me', STAGING_HOST: '10.0.0.7' }
    const { config, warnings } = okOf(loadFrom(files, { env, destination: 'staging' }))
    expect(config.registry.username).toBe('me')
    expect(config.roles[0]!.env.clear).toEqual({ RAILS_ENV: 'production', NOTE: 'text' })
    expect(config.roles[0]!.hosts.map((h) => h.host)).toEqual(['10.0.0.7'])
    expect(warnings.filter((w) => w.message.includes('ENV['))).toEqual([])
  })

  it('ENV.fetch without the variable: one error naming the variable, file, line and key', () => {
    const text = cfg('env:\n  clear:\n    RAILS_ENV: <%= ENV.fetch("CUTOVER_TEST_RAILS_ENV") %>')
    const errors = errorsOf(loadFrom({ [F]: text }, { env: { KAMAL_REGISTRY_PASSWORD: 'p' } }))
    const line = text.split('\n').findIndex((l) => l.includes('ENV.fetch')) + 1
    expect(errors.map(renderError)).toEqual([
      `${F}:${line}: env/clear/RAILS_ENV: ENV.fetch("CUTOVER_TEST_RAILS_ENV"): the environment variable CUTOVER_TEST_RAILS_ENV is not set; expected CUTOVER_TEST_RAILS_ENV set in the environment, or a default: <%= ENV.fetch("CUTOVER_TEST_RAILS_ENV", "default") %>`,
    ])
  })

  it('an unset ENV["X"] loads with a warning at its key', () => {
    const text = cfg('env:\n  clear:\n    TAG: "<%= ENV["CUTOVER_TEST_TAG"] %>"')
    const { config, warnings } = okOf(loadFrom({ [F]: text }, { env: { KAMAL_REGISTRY_PASSWORD: 'p' } }))
    expect(config.roles[0]!.env.clear.TAG).toBe('')
    const line = text.split('\n').findIndex((l) => l.includes('CUTOVER_TEST_TAG')) + 1
    expect(warnings.map(renderWarning)).toContainEqual(expect.stringMatching(new RegExp(`^${F}:${line}: env/clear/TAG: ENV\\["CUTOVER_TEST_TAG"\\]: the environment variable CUTOVER_TEST_TAG is not set`)))
  })
})

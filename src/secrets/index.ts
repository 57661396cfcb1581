/** Secrets as Kamal 2 reads them, held apart from everything printable. */
export { type RunCommand, shellRunner } from './dotenv.js'
export { loadSecrets, type SecretHints, type SecretProblem, type SecretsSource, type SecretUse, secretsFiles } from './load.js'
export { MIN_SECRET_LENGTH, secretForms, shortSecretsWarning } from './forms.js'
export { REDACTED, redact } from './redact.js'
export { Secrets } from './secrets.js'

import { up } from '../testbed/up.js'

/** The e2e tier runs against the real testbed: bring it up (a warm `up` takes about a second). */
export default async function setup(): Promise<void> {
  await up()
}

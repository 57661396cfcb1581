import { describe, expect, it } from 'vitest'
import * as acc from '../../../src/argv/accessory.js'
import { wordsThroughSh } from '../helpers/sh.js'

const spec = (over: Partial<acc.AccessorySpec> = {}): acc.AccessorySpec => ({
  serviceName: 'app-db',
  image: 'mysql:8.0',
  network: 'kamal',
  clearEnv: {},
  envFile: '/root/.kamal/apps/app/env/accessories/db.env',
  volumes: [],
  labels: {},
  options: {},
  cmd: [],
  ...over,
})

describe('accessory argv (Kamal’s layout: one container <service>-<name>, label service=<that name>)', () => {
  it.each([
    [
      'the minimum: name, detached, restart, network, log cap, env file, service label, image',
      spec(),
      'docker run --name app-db --detach --restart unless-stopped --network kamal --log-opt max-size=10m --env-file /root/.kamal/apps/app/env/accessories/db.env --label service=app-db mysql:8.0',
    ],
    [
      'every setting, in a fixed order; the service label after the user’s labels',
      spec({ publish: '127.0.0.1:3306:3306', clearEnv: { A: '1', B: 'x y' }, volumes: ['/root/app-db/data:/var/lib/mysql'], labels: { team: 'data' }, options: { memory: '1g', 'cap-add': ['A', 'B'], init: true }, cmd: ['mysqld', '--x=1'] }),
      'docker run --name app-db --detach --restart unless-stopped --network kamal --log-opt max-size=10m --publish 127.0.0.1:3306:3306 --env A=1 --env B=x y --env-file /root/.kamal/apps/app/env/accessories/db.env --volume /root/app-db/data:/var/lib/mysql --label team=data --label service=app-db --memory 1g --cap-add A --cap-add B --init mysql:8.0 mysqld --x=1',
    ],
  ])('run: %s', (_what, s, want) => {
    expect(acc.run(s).join(' ')).toBe(want)
  })

  it.each([
    ['exec in a new container: --rm, same network, env, env file and volumes, no name, no label', acc.execNew(spec({ clearEnv: { A: '1' }, volumes: ['v:/v'] }), ['mysql', '-e', 'select 1']),
      'docker run --rm --network kamal --env A=1 --env-file /root/.kamal/apps/app/env/accessories/db.env --volume v:/v mysql:8.0 mysql -e select 1'],
    ['exec --reuse: in the running container', acc.execReuse('app-db', ['sh', '-c', 'echo hi']), 'docker exec app-db sh -c echo hi'],
    ['logs: timestamps and 100 lines by default', acc.logs('app-db'), 'docker logs --timestamps --tail 100 app-db'],
    ['logs: --since and --lines', acc.logs('app-db', { since: '10m', lines: 5 }), 'docker logs --timestamps --since 10m --tail 5 app-db'],
    ['details: by the service label, stopped ones too', acc.details('app-db'), 'docker ps --all --filter label=service=app-db'],
    ['state', acc.state('app-db'), 'docker container inspect --format {{.State.Status}} app-db'],
    ['stop', acc.stop('app-db'), 'docker container stop app-db'],
    ['mkdir', acc.makeDirectories(['/root/app-db/data']), 'mkdir -p -- /root/app-db/data'],
  ])('%s', (_what, argv, want) => {
    expect(argv.join(' ')).toBe(want)
  })

  it.each([
    ['env file under the app’s env directory', acc.accessoryEnvFile({ service: 'app', destination: null }, 'db'), '.kamal/apps/app/env/accessories/db.env'],
    ['with a destination', acc.accessoryEnvFile({ service: 'app', destination: 'staging' }, 'db'), '.kamal/apps/app-staging/env/accessories/db.env'],
    ['a file under the accessory’s own directory', acc.accessoryFilePath('/root', 'app-db', '/etc/mysql/my.cnf'), '/root/app-db/etc/mysql/my.cnf'],
    ['a relative directory under it', acc.accessoryHostDirectory('/home/deploy/', 'app-db', './data/'), '/home/deploy/app-db/data'],
    ['an absolute directory as written', acc.accessoryHostDirectory('/root', 'app-db', '/srv/mysql'), '/srv/mysql'],
  ])('paths: %s', (_what, got, want) => {
    expect(got).toBe(want)
  })

  it('remove files: only inside the home directory, never the home itself', () => {
    expect(acc.removeFiles('/root', 'app-db', '.kamal/apps/app/env/accessories/db.env').join(' ')).toBe('rm -rf -- /root/app-db /root/.kamal/apps/app/env/accessories/db.env')
    for (const bad of ['', '/', '/etc', '../x', 'a/../../b']) expect(() => acc.removeFiles('/root', bad, 'x.env'), bad).toThrow(/refusing to remove/)
  })

  it('hostile values reach docker literally through the remote shell', () => {
    const evil = `$(touch /tmp/pwned) \`id\` 'q' "d"\nnext`
    const argv = acc.run(spec({ clearEnv: { E: evil }, labels: { l: evil }, cmd: ['sh', '-c', evil] }))
    expect(wordsThroughSh(argv)).toEqual([...argv])
  })
})

// The guard in front of production and the hooks around a deploy, through the real `mig` on every
// database: confirmation refused without a terminal (and at the prompt), `--yes`, pre-hooks that
// stop a run before the lock, post-hooks that fail after it, onError, and hookTimeout.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, beforeEach, describe, test } from 'node:test'
import { DATABASE_KINDS, type TestDatabase } from '../helpers/e2e-databases.js'
import { MIG_BIN, mig, runProcess, tempProject } from '../helpers/mig.js'
import { writeRevision } from '../helpers/project-files.js'

const LOG = `echo "$MIG_HOOK env=$MIG_ENV plan=$MIG_PLAN heads=$MIG_HEADS url=\${MIG_DATABASE_URL:-withheld}" >> hooks.log`

const CONFIG = `import { appendFileSync } from 'node:fs'
export default {
  hooks: {
    preUpgrade: '${LOG}',
    postUpgrade: '${LOG}',
    preDowngrade: '${LOG}',
    postDowngrade: '${LOG}',
    onError: 'echo "onError $MIG_ERROR_CODE" >> hooks.log',
  },
  environments: {
    production: {},
    staging: { confirm: true },
    blocked: {
      hooks: { preUpgrade: 'echo stopping; exit 4', onError: 'echo "onError $MIG_ERROR_CODE" >> hooks.log' },
    },
    failpost: { hooks: { postUpgrade: 'exit 3', onError: 'echo "onError $MIG_ERROR_CODE" >> hooks.log' } },
    hanging: { hookTimeout: 1000, hooks: { preUpgrade: 'sleep 60' } },
    fnhook: {
      hooks: {
        postUpgrade: async (context) => {
          await new Promise((resolve) => setTimeout(resolve, 10))
          appendFileSync('hooks.log', JSON.stringify(context) + '\\n')
        },
      },
    },
    askurl: { hooks: { postUpgrade: { run: 'echo "url=$MIG_DATABASE_URL" >> hooks.log', passUrl: true } } },
  },
}
`

/** `script` gives `mig` a terminal, where the confirmation prompt is asked. */
const HAS_SCRIPT = spawnSync('script', ['--version']).status === 0

for (const kind of DATABASE_KINDS) {
  describe(`confirmation and hooks on ${kind.name}`, () => {
    const project = tempProject()
    const dir = project.dir
    let db: TestDatabase
    const log = () => (existsSync(join(dir, 'hooks.log')) ? readFileSync(join(dir, 'hooks.log'), 'utf8') : '')
    const run = (...args: string[]) => mig(dir, [...db.args, ...args])

    before(async () => {
      writeFileSync(join(dir, 'migrate.config.ts'), CONFIG)
      writeRevision(dir, 'migrations', {
        id: 'a1',
        message: 'guarded table',
        upgrade: ["await op.createTable('guarded_t', (t) => t.addColumn('id', 'integer'))"],
        downgrade: ["await op.dropTable('guarded_t')"],
      })
      db = await kind.create(dir)
    })
    after(async () => {
      await db.drop()
      project.cleanup()
    })
    beforeEach(() => rmSync(join(dir, 'hooks.log'), { force: true }))

    test('production without a terminal and without --yes is refused; nothing written, no hook ran', async () => {
      for (const env of ['production', 'staging']) {
        const result = await run('--env', env, 'upgrade', 'head')
        assert.equal(result.code, 1)
        assert.match(
          result.stderr,
          new RegExp(
            `^error: environment '${env}' asks for confirmation before 'upgrade' writes to .*; there is no terminal to ask on: pass --yes to confirm\\n$`,
          ),
        )
        assert.equal(await db.versions(), null)
        assert.equal(log(), '')
      }
    })

    test('declined at the terminal prompt: refused, nothing written', { skip: !HAS_SCRIPT }, async () => {
      const command = [process.execPath, MIG_BIN, ...db.args, '--env', 'production', 'upgrade', 'head']
        .map((a) => `'${a}'`)
        .join(' ')
      const script = `(sleep 3; echo n) | script -qec "${command.replaceAll('"', '\\"')}" /dev/null`
      const result = await runProcess('sh', ['-c', script], { cwd: dir })
      assert.match(result.stdout, /Environment 'production' asks for confirmation\./)
      assert.match(result.stdout, /Plan \(1 step\):\s+upgrade {2}-> a1, guarded table/)
      assert.match(result.stdout, /'upgrade' was not confirmed; nothing was written/)
      assert.notEqual(result.code, 0)
      assert.equal(await db.versions(), null)
    })

    test('--yes confirms; the hooks get the plan and the heads, never the URL', async () => {
      const result = await run('--env', 'production', '--yes', 'upgrade', 'head')
      assert.equal(result.code, 0, result.stderr)
      assert.deepEqual(await db.versions(), ['a1'])
      assert.equal(
        log(),
        'preUpgrade env=production plan=a1 heads= url=withheld\npostUpgrade env=production plan=a1 heads=a1 url=withheld\n',
      )
      const down = await run('--env', 'production', '-y', 'downgrade', 'base')
      assert.equal(down.code, 0, down.stderr)
      assert.deepEqual(await db.versions(), [])
      assert.match(
        log(),
        /preDowngrade env=production plan=a1 heads= url=withheld\npostDowngrade env=production plan=a1 heads= url=withheld\n$/,
      )
    })

    test('a failing pre-hook stops the run before the lock; onError is told', async () => {
      const before = await db.versions()
      const result = await run('--env', 'blocked', 'upgrade', 'head')
      assert.equal(result.code, 1)
      assert.match(
        result.stderr,
        /^stopping\nerror: preUpgrade hook 'echo stopping; exit 4' exited with status 4; nothing was run, the database is unchanged\n$/,
      )
      assert.deepEqual(await db.versions(), before)
      assert.equal(log(), 'onError hook-failed\n')
    })

    test('a hanging hook is stopped after hookTimeout; nothing was run', async () => {
      const before = await db.versions()
      const result = await run('--env', 'hanging', 'upgrade', 'head')
      assert.equal(result.code, 1)
      assert.match(
        result.stderr,
        /preUpgrade hook 'sleep 60' did not finish within 1 s \(hookTimeout\); it was stopped; nothing was run/,
      )
      assert.deepEqual(await db.versions(), before)
    })

    test('a failing post-hook exits non-zero and says the revisions stayed applied', async () => {
      const result = await run('--env', 'failpost', 'upgrade', 'head')
      assert.equal(result.code, 1)
      assert.match(
        result.stderr,
        /error: postUpgrade hook 'exit 3' exited with status 3; the revision stayed applied \(now at a1\)\n$/,
      )
      assert.deepEqual(await db.versions(), ['a1'])
      assert.equal(log(), 'onError hook-failed\n')
      assert.equal((await run('downgrade', 'base')).code, 0)
    })

    test('a function hook gets the context: plan, heads, environment, masked database', async () => {
      const result = await run('--env', 'fnhook', 'upgrade', 'head')
      assert.equal(result.code, 0, result.stderr)
      const context = JSON.parse(log())
      assert.deepEqual(
        [context.hook, context.command, context.environment, context.target, context.heads],
        ['postUpgrade', 'upgrade', 'fnhook', 'head', ['a1']],
      )
      assert.deepEqual(
        context.plan.map((s: { revision: string; direction: string }) => [s.revision, s.direction]),
        [['a1', 'up']],
      )
      assert.doesNotMatch(context.database, /:[^:@/]+@/, 'no password in the database shown')
      assert.equal((await run('downgrade', 'base')).code, 0)
    })

    test('a hook that asks for the URL gets it', async () => {
      const result = await run('--env', 'askurl', 'upgrade', 'head')
      assert.equal(result.code, 0, result.stderr)
      assert.equal(log(), `url=${db.args[1]}\n`)
      assert.equal((await run('downgrade', 'base')).code, 0)
    })
  })
}

test('a pre-hook that stops the run creates no database: the plan of one that does not exist is read as empty', async () => {
  const project = tempProject()
  try {
    writeFileSync(join(project.dir, 'migrate.config.ts'), CONFIG)
    writeRevision(project.dir, 'migrations', { id: 'a1', message: 'guarded table' })
    for (const url of ['sqlite:never.db', 'pglite:never-pglite']) {
      const result = await mig(project.dir, ['--url', url, '--env', 'blocked', 'upgrade', 'head'])
      assert.equal(result.code, 1, result.stderr)
      assert.match(result.stderr, /preUpgrade hook .* nothing was run, the database is unchanged/)
      assert.equal(existsSync(join(project.dir, url.slice(url.indexOf(':') + 1))), false, url)
    }
  } finally {
    project.cleanup()
  }
})

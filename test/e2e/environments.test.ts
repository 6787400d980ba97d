// Environment profiles through the real `mig`: `environments` chosen by --env or MIG_ENV,
// `${VAR}` / `${VAR:-default}` interpolation, `.env` beside the config and --env-file, and
// `mig config` with each value's source. A profile's URL reaches a real database of every kind.
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { DATABASE_KINDS, type TestDatabase } from '../helpers/e2e-databases.js'
import { mig, tempProject } from '../helpers/mig.js'
import { writeRevision } from '../helpers/project-files.js'

const PROFILES = `export default {
  url: 'sqlite:\${DEV_DB:-dev.db}',
  environments: {
    staging: { url: '\${STAGING_URL}', lockTimeout: 5000 },
    production: { url: 'postgres://app:\${PROD_PASSWORD}@db.invalid/app' },
  },
}
`

describe('environment profiles and interpolation', () => {
  const project = tempProject()
  const dir = project.dir
  before(() => {
    writeFileSync(join(dir, 'migrate.config.ts'), PROFILES)
    mkdirSync(join(dir, 'migrations'))
  })
  after(() => project.cleanup())

  test('an unknown environment is an error listing the known ones, from --env or MIG_ENV', async () => {
    const flag = await mig(dir, ['--env', 'prodution', 'current'])
    assert.equal(flag.code, 1)
    assert.equal(
      flag.stderr,
      "error: unknown environment 'prodution' (from --env); known environments: staging, production\n",
    )
    const variable = await mig(dir, ['current'], { env: { MIG_ENV: 'qa' } })
    assert.equal(variable.code, 1)
    assert.match(
      variable.stderr,
      /unknown environment 'qa' \(from MIG_ENV\); known environments: staging, production/,
    )
  })

  test('an unset variable without a default is an error naming it; nothing is created', async () => {
    const result = await mig(dir, ['--env', 'staging', 'upgrade', 'head'], {
      env: { STAGING_URL: undefined },
    })
    assert.equal(result.code, 1)
    assert.match(result.stderr, /config key 'url' uses \$\{STAGING_URL\}, but STAGING_URL is not set/)
    assert.equal(result.stderr.split('\n').filter(Boolean).length, 1)
    assert.equal(existsSync(join(dir, '.migraph')), false, 'the embedded database was not created')
  })

  test('a default (VAR:-default) takes the default when VAR is unset, the variable when set', async () => {
    const unset = await mig(dir, ['config', '--json'], { env: { DEV_DB: undefined } })
    assert.equal(unset.code, 0, unset.stderr)
    const url = (out: string) => JSON.parse(out).values.find((v: { key: string }) => v.key === 'url')
    assert.equal(url(unset.stdout).value, 'sqlite:dev.db')
    const set = await mig(dir, ['config', '--json'], { env: { DEV_DB: 'other.db' } })
    assert.equal(url(set.stdout).value, 'sqlite:other.db')
  })

  test('mig config masks the password and names each source; .env fills, never overrides', async () => {
    writeFileSync(join(dir, '.env'), 'PROD_PASSWORD=from-dotenv-secret\nMIG_ENV=staging\n')
    try {
      const result = await mig(dir, ['--env', 'production', 'config'], { env: { PROD_PASSWORD: undefined } })
      assert.equal(result.code, 0, result.stderr)
      assert.doesNotMatch(result.stdout + result.stderr, /from-dotenv-secret/)
      assert.match(result.stdout, /^Environment: production \(--env flag\)$/m)
      assert.match(
        result.stdout,
        /^url +postgres:\/\/app:\*\*\*@db\.invalid\/app +\[environment 'production', \$\{PROD_PASSWORD\} from .*\.env\]$/m,
      )
      assert.match(result.stdout, /^confirm +true +\[default \(environment named 'production'\)\]$/m)
      assert.match(result.stdout, /^lockTimeout +60000 +\[default\]$/m)
      assert.match(result.stdout, /^seeds +.*[/\\]seeds +\[default\]$/m)
      assert.match(result.stdout, /^timezone +\(none\) +\[default\]$/m)
      // A variable already set wins over .env: MIG_ENV=staging from .env loses to the real one.
      const json = await mig(dir, ['config', '--json'], {
        env: { MIG_ENV: 'production', PROD_PASSWORD: 'real' },
      })
      const report = JSON.parse(json.stdout)
      assert.deepEqual(report.environment, { name: 'production', source: 'MIG_ENV variable' })
      assert.equal(report.values[0].source, `environment 'production', \${PROD_PASSWORD}`)
      // And .env's MIG_ENV selects the profile when nothing else does.
      const fromFile = await mig(dir, ['config', '--json'], {
        env: { MIG_ENV: undefined, STAGING_URL: 'sqlite:s.db' },
      })
      const staging = JSON.parse(fromFile.stdout)
      assert.equal(staging.environment.name, 'staging')
      assert.deepEqual(
        staging.values.find((v: { key: string }) => v.key === 'lockTimeout'),
        { key: 'lockTimeout', value: 5000, source: "environment 'staging'" },
      )
    } finally {
      writeFileSync(join(dir, '.env'), '')
    }
  })

  test('--env-file names another variables file; a missing one is an error', async () => {
    writeFileSync(join(dir, 'ci.env'), 'STAGING_URL=sqlite:from-env-file.db\n')
    const result = await mig(dir, ['--env', 'staging', '--env-file', 'ci.env', 'config', '--json'], {
      env: { STAGING_URL: undefined },
    })
    assert.equal(result.code, 0, result.stderr)
    assert.equal(JSON.parse(result.stdout).values[0].value, 'sqlite:from-env-file.db')
    // Node 20 itself reads an --env-file anywhere on its command line and stops first when the
    // file is missing ('node: nope.env: not found', status 9); later Node versions leave it to mig.
    const missing = await mig(dir, ['--env-file', 'nope.env', 'current'])
    assert.notEqual(missing.code, 0)
    assert.match(
      missing.stderr,
      /^(error: --env-file: file not found: .*|.*node: )nope\.env(: not found)?\n$/,
    )
  })

  test('an unknown key inside a profile is an error naming the profile and the key', async () => {
    const other = tempProject()
    try {
      writeFileSync(
        join(other.dir, 'migrate.config.ts'),
        "export default { environments: { staging: { urll: 'sqlite:x.db' } } }\n",
      )
      const result = await mig(other.dir, ['--env', 'staging', 'heads'])
      assert.equal(result.code, 1)
      assert.match(result.stderr, /unknown config key 'urll' in environments\.staging/)
    } finally {
      other.cleanup()
    }
  })
})

for (const kind of DATABASE_KINDS) {
  describe(`an environment profile's URL on ${kind.name}`, () => {
    const project = tempProject()
    const dir = project.dir
    let db: TestDatabase
    before(async () => {
      writeFileSync(join(dir, 'migrate.config.ts'), PROFILES)
      writeRevision(dir, 'migrations', {
        id: 'a1',
        message: 'profile table',
        upgrade: ["await op.createTable('profile_t', (t) => t.addColumn('id', 'integer'))"],
        downgrade: ["await op.dropTable('profile_t')"],
      })
      db = await kind.create(dir)
    })
    after(async () => {
      await db.drop()
      project.cleanup()
    })

    test('--env staging migrates the database STAGING_URL (from .env) names', async () => {
      const url = db.args[1] as string
      writeFileSync(join(dir, '.env'), `STAGING_URL=${url}\n`)
      const result = await mig(dir, ['--env', 'staging', 'upgrade', 'head'], {
        env: { STAGING_URL: undefined },
      })
      assert.equal(result.code, 0, result.stderr)
      assert.deepEqual(await db.versions(), ['a1'])
      assert.equal(existsSync(join(dir, 'dev.db')), false, 'the top-level URL was not used')
    })
  })
}

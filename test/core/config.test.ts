import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { findConfig } from '../../packages/core/src/config/load-config.ts'
import { ConfigError } from '../../packages/core/src/errors.ts'

const root = mkdtempSync(join(tmpdir(), 'mig-config-'))
after(() => rmSync(root, { recursive: true, force: true }))
// Config files import 'migraph' as an installed package would be.
mkdirSync(join(root, 'node_modules'))
symlinkSync(join(import.meta.dirname, '../../packages/cli'), join(root, 'node_modules/migraph'), 'dir')

function project(name: string, files: Record<string, string>): string {
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true })
    writeFileSync(join(dir, file), text)
  }
  return dir
}

describe('config loading', () => {
  test('a TypeScript config with defineConfig, found from a subfolder', async () => {
    const dir = project('ts', {
      'migrate.config.ts': `import { defineConfig } from 'migraph'
const folder: string = 'db/versions'
export default defineConfig({ migrations: folder, versionTable: 'versions' })`,
      'src/deep/x.txt': '',
    })
    const config = await findConfig({ cwd: join(dir, 'src/deep') })
    assert.ok(config)
    assert.equal(config.file, join(dir, 'migrate.config.ts'))
    assert.deepEqual(config.versionLocations, [join(dir, 'db/versions')])
    assert.equal(config.versionTable, 'versions')
    assert.equal(config.transactionPerMigration, true)
  })

  test('a plain object default export works without defineConfig', async () => {
    const dir = project('plain', { 'migrate.config.mjs': `export default { migrations: ['a', 'b'] }` })
    const config = await findConfig({ cwd: dir })
    assert.deepEqual(config?.versionLocations, [join(dir, 'a'), join(dir, 'b')])
  })

  test('the migraph key of package.json', async () => {
    const dir = project('pkg', {
      'package.json': JSON.stringify({ name: 'x', migraph: { migrations: 'm' } }),
    })
    const config = await findConfig({ cwd: dir })
    assert.deepEqual(config?.versionLocations, [join(dir, 'm')])
  })

  test('an unknown key names the file and the key', async () => {
    const dir = project('unknown', { 'migrate.config.mjs': `export default { migration: 'm' }` })
    await assert.rejects(findConfig({ cwd: dir }), (error: unknown) => {
      assert.ok(error instanceof ConfigError)
      assert.match(error.message, /migrate\.config\.mjs: unknown config key 'migration'/)
      return true
    })
  })

  test('a syntax error names the file and line', async () => {
    const dir = project('broken', { 'migrate.config.ts': `export default {\n  migrations: 'm',,\n}\n` })
    await assert.rejects(findConfig({ cwd: dir }), (error: unknown) => {
      assert.ok(error instanceof ConfigError)
      assert.match(error.message, /migrate\.config\.ts:2:\d+/)
      assert.equal(error.message.includes('\n'), false)
      return true
    })
  })

  test('an explicit -c file that does not exist', async () => {
    await assert.rejects(findConfig({ cwd: root, file: 'nope.ts' }), /config file not found: .*nope\.ts/)
  })

  test('ill-typed values are rejected with the key named', async () => {
    const dir = project('typed', {
      'migrate.config.mjs': `export default { transactionPerMigration: 'yes' }`,
    })
    await assert.rejects(findConfig({ cwd: dir }), /'transactionPerMigration' must be true or false/)
  })
})

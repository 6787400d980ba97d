// Every form a config can take loads through the real `mig`: each file extension and the
// package.json key, in an ES module package, a CommonJS package and a folder with no package.json,
// with migraph installed in node_modules and with no node_modules anywhere above (as under npx or
// a global install). Each config is a plain object, or one that imports `migraph` and a file of
// its own and finds its folder from `import.meta` (or `__dirname`).
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, parse } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { mig, ROOT } from '../helpers/mig.js'
import { literalRevision } from '../helpers/revision-sources.js'

type PackageType = 'module' | 'commonjs' | 'none'
type Variant = 'plain' | 'full'

const ESM_FULL = (helper: string) => `import { defineConfig } from 'migraph'
import { fileURLToPath } from 'node:url'
import { folder } from './${helper}'
export default defineConfig({ migrations: fileURLToPath(new URL(folder, import.meta.url)) })
`
const CTS_FULL = `import { join } from 'node:path'
import { defineConfig } from 'migraph'
import { folder } from './settings.cjs'
export default defineConfig({ migrations: join(__dirname, folder) })
`
const CJS_FULL = `const { join } = require('node:path')
const { defineConfig } = require('migraph')
const { folder } = require('./settings.cjs')
Object.defineProperty(exports, '__esModule', { value: true })
exports.default = defineConfig({ migrations: join(__dirname, folder) })
`

/** The files of a config in `form`, by name. */
function configFiles(form: string, type: PackageType, variant: Variant): Record<string, string> {
  const esmJs = form === 'mjs' || (form === 'js' && type === 'module')
  if (variant === 'plain') {
    if (form === 'json') return { 'migrate.config.json': '{ "migrations": "versions" }\n' }
    if (form === 'cjs' || (form === 'js' && !esmJs)) {
      return { [`migrate.config.${form}`]: "module.exports = { migrations: 'versions' }\n" }
    }
    return { [`migrate.config.${form}`]: "export default { migrations: 'versions' }\n" }
  }
  switch (form) {
    case 'ts':
      return {
        'migrate.config.ts': ESM_FULL('settings.js'),
        'settings.ts': "export const folder = './versions'\n",
      }
    case 'mts':
      return {
        'migrate.config.mts': ESM_FULL('settings.mjs'),
        'settings.mts': "export const folder = './versions'\n",
      }
    case 'cts':
      return { 'migrate.config.cts': CTS_FULL, 'settings.cts': "export const folder = 'versions'\n" }
    case 'mjs':
      return {
        'migrate.config.mjs': ESM_FULL('settings.mjs'),
        'settings.mjs': "export const folder = './versions'\n",
      }
    default:
      // .cjs, and .js outside an ES module package: CommonJS as a compiler writes it.
      if (esmJs) {
        return {
          'migrate.config.js': ESM_FULL('settings.js'),
          'settings.js': "export const folder = './versions'\n",
        }
      }
      return { [`migrate.config.${form}`]: CJS_FULL, 'settings.cjs': "exports.folder = 'versions'\n" }
  }
}

let base: string
const xdg = () => join(base, 'xdg-cache')

before(() => {
  base = mkdtempSync(join(tmpdir(), 'mig-config-forms-'))
  // "Without node_modules" means none anywhere above: the temporary folder must not have one.
  for (let dir = base; dir !== parse(dir).root; dir = dirname(dir)) {
    assert.ok(!existsSync(join(dir, 'node_modules')), `${dir}/node_modules exists`)
  }
})
after(() => rmSync(base, { recursive: true, force: true }))

let made = 0
/** A project folder holding `files`, a versions folder with one revision, and maybe node_modules. */
function project(
  files: Record<string, string>,
  type: PackageType,
  withModules: boolean,
  pkgKey = false,
): string {
  const dir = join(base, `p${made++}`)
  mkdirSync(join(dir, 'versions'), { recursive: true })
  writeFileSync(join(dir, 'versions', 'f00000000001_first.ts'), literalRevision('f00000000001', 'first'))
  if (type !== 'none' || pkgKey) {
    const pkg: Record<string, unknown> = { name: 'forms', private: true }
    if (type !== 'none') pkg.type = type
    if (pkgKey) pkg.migraph = { migrations: 'versions' }
    writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg))
  }
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  if (withModules) {
    mkdirSync(join(dir, 'node_modules'))
    symlinkSync(join(ROOT, 'packages/cli'), join(dir, 'node_modules/migraph'), 'dir')
  }
  return dir
}

async function assertLoads(dir: string, args: readonly string[] = []): Promise<void> {
  const result = await mig(dir, [...args, 'heads'], { env: { XDG_CACHE_HOME: xdg() } })
  assert.equal(result.stderr, '', `${dir}`)
  assert.equal(result.code, 0)
  assert.match(result.stdout, /^f00000000001 \(head\)$/m)
}

const FORMS = ['ts', 'mts', 'cts', 'js', 'mjs', 'cjs', 'json']
const TYPES: readonly PackageType[] = ['module', 'commonjs', 'none']

describe('every config form loads', { concurrency: 4 }, () => {
  for (const withModules of [true, false]) {
    const where = withModules ? 'migraph in node_modules' : 'no node_modules above'
    for (const type of TYPES) {
      for (const form of FORMS) {
        for (const variant of form === 'json' ? (['plain'] as const) : (['plain', 'full'] as const)) {
          test(`migrate.config.${form}, ${variant}, package ${type}, ${where}`, () =>
            assertLoads(project(configFiles(form, type, variant), type, withModules)))
        }
      }
      if (type !== 'none') {
        test(`package.json key, package ${type}, ${where}`, () =>
          assertLoads(project({}, type, withModules, true)))
      }
    }
    test(`-c names a .cts or .cjs file, ${where}`, async () => {
      const cts = project(
        { 'custom.cts': "export default { migrations: 'versions' }\n" },
        'none',
        withModules,
      )
      await assertLoads(cts, ['-c', 'custom.cts'])
      const cjs = project(
        { 'custom.cjs': "module.exports = { migrations: 'versions' }\n" },
        'module',
        withModules,
      )
      await assertLoads(cjs, ['-c', 'custom.cjs'])
    })
  }
})

// Benchmarks of the embedded default (PGlite): what a newcomer's first commands cost.
//
//   1. `mig current` on an existing embedded database, beside the same command on SQLite
//      (target: within 3×): as a project uses it (the state the last command left, recorded
//      when it closed the database), and opening the database (that record removed first, as
//      after a change made by another program);
//   2. the first run, `mig upgrade head` creating the embedded database, beside PGlite's own bare
//      `new PGlite(dir)` + `waitReady` in a fresh node process (target: within 2×).
//
// Each pair is timed in alternation, so that both sides see the same machine, and the ratio is
// the median of each pair's ratio. CPU time (user + system) is printed beside wall time: on a
// busy machine it moves far less. Not a test: it asserts nothing.
//
//   node scripts/bench-embedded.mjs [--runs 9] [--first-runs 3] [--mig path/to/bin/mig.cjs]
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const args = process.argv.slice(2)
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`)
  return at === -1 ? fallback : args[at + 1]
}
const MIG = resolve(option('mig', join(ROOT, 'packages/cli/bin/mig.cjs')))
const CLI = dirname(dirname(MIG))
const runs = Number(option('runs', '9'))
const firstRuns = Number(option('first-runs', '3'))
const PGLITE = createRequire(join(ROOT, 'packages/core/package.json')).resolve('@electric-sql/pglite')

const REVISION = `import type { Operations } from 'migraph'

export const revision = '000000000001'
export const downRevision: string | readonly string[] | null = null

export async function upgrade(op: Operations): Promise<void> {
  await op.createTable('account', (t) => t.addColumn('id', 'integer', (c) => c.primaryKey()))
}

export async function downgrade(op: Operations): Promise<void> {
  await op.dropTable('account')
}
`

/** A project with one revision, on the embedded default. */
function makeProject() {
  const dir = mkdtempSync(join(tmpdir(), 'mig-bench-embedded-'))
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(CLI, join(dir, 'node_modules/migraph'), 'dir')
  writeFileSync(join(dir, 'migrate.config.ts'), "export default { migrations: 'migrations' }\n")
  mkdirSync(join(dir, 'migrations'))
  writeFileSync(join(dir, 'migrations/000000000001_account.ts'), REVISION)
  return dir
}

/** One run under /usr/bin/time: wall ms and CPU ms (user + system). */
function runOnce(commandArgs, cwd) {
  const started = process.hrtime.bigint()
  const result = spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, ...commandArgs], {
    cwd,
    encoding: 'utf8',
  })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (result.status !== 0) throw new Error(`${commandArgs.join(' ')} failed: ${result.stderr}`)
  const [user, system] = (result.stderr.trim().split('\n').at(-1) ?? '').split(' ').map(Number)
  return { ms, cpuMs: (user + system) * 1000 }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** Runs `a()` and `b()` in alternation `count` times (after `warmUp` unrecorded pairs). */
function pairs(count, warmUp, a, b) {
  const samples = []
  for (let k = 0; k < count + warmUp; k++) {
    const x = a(k)
    const y = b(k)
    if (k >= warmUp) samples.push([x, y])
  }
  const of = (side, field) => median(samples.map((s) => s[side][field]))
  return {
    a: { ms: of(0, 'ms'), cpuMs: of(0, 'cpuMs') },
    b: { ms: of(1, 'ms'), cpuMs: of(1, 'cpuMs') },
    ratio: median(samples.map(([x, y]) => x.ms / y.ms)),
    cpuRatio: median(samples.map(([x, y]) => x.cpuMs / y.cpuMs)),
  }
}

const BARE_PGLITE = `const { PGlite } = require(${JSON.stringify(PGLITE)})
const db = new PGlite(process.argv[1])
db.waitReady.then(() => db.close())`

if (!existsSync(join(CLI, 'bundle/migraph.cjs'))) {
  console.error('build first: npm run build')
  process.exit(1)
}
console.log(`embedded database: medians; × is the median of each alternated pair's ratio\n`)
console.log('| what | ms | CPU ms | beside | ms | CPU ms | × (wall) | × (CPU) | target |')
console.log('|---|---:|---:|---|---:|---:|---:|---:|---:|')
const row = (label, other, r, target) =>
  console.log(
    `| ${label} | ${r.a.ms.toFixed(0)} | ${r.a.cpuMs.toFixed(0)} | ${other} | ${r.b.ms.toFixed(0)} | ${r.b.cpuMs.toFixed(0)} | ${r.ratio.toFixed(2)} | ${r.cpuRatio.toFixed(2)} | ${target} |`,
  )

const project = makeProject()
try {
  const sqlite = ['--url', 'sqlite:app.db']
  runOnce([MIG, 'upgrade', 'head'], project)
  runOnce([MIG, 'upgrade', 'head', ...sqlite], project)
  row(
    '`mig current`, embedded',
    '`mig current`, SQLite',
    pairs(
      runs,
      1,
      () => runOnce([MIG, 'current'], project),
      () => runOnce([MIG, 'current', ...sqlite], project),
    ),
    '3×',
  )
  const cache = join(project, 'node_modules/.cache/migraph')
  const forget = () => {
    for (const name of readdirSync(cache)) {
      if (name.startsWith('embedded-state-')) rmSync(join(cache, name))
    }
  }
  row(
    '`mig current`, embedded, opened',
    '`mig current`, SQLite',
    pairs(
      runs,
      1,
      () => {
        forget()
        return runOnce([MIG, 'current'], project)
      },
      () => runOnce([MIG, 'current', ...sqlite], project),
    ),
    '–',
  )
  const first = (k) => join(project, `first-${k}`)
  row(
    'first `mig upgrade head` (creates it)',
    'bare `new PGlite(dir)` + `waitReady`',
    pairs(
      firstRuns,
      0,
      (k) => runOnce([MIG, 'upgrade', 'head', '--url', `pglite:${first(k)}`], project),
      (k) => runOnce(['-e', BARE_PGLITE, join(project, `bare-${k}`)], project),
    ),
    '2×',
  )
} finally {
  rmSync(project, { recursive: true, force: true })
}

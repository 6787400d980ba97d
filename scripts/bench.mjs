// Benchmarks of the graph-only commands: `mig heads` and `mig history` over generated revision
// sets (1,000 / 5,000 / 10,000 revisions, linear and branchy), beside bare `node -e 0`.
// Prints a Markdown table of median wall times and peak memory. Not a test: it asserts nothing.
//
// CPU time (user + system) is printed beside wall time: on a busy machine it moves far less.
//
//   node scripts/bench.mjs [--sizes 1000,5000,10000] [--runs 15] [--mig path/to/bin/mig.cjs]
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const args = process.argv.slice(2)
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`)
  return at === -1 ? fallback : args[at + 1]
}
// Another build (say, of an older commit) can be measured with --mig; its package is linked.
const MIG = resolve(option('mig', join(ROOT, 'packages/cli/bin/mig.cjs')))
const CLI = dirname(dirname(MIG))
const sizes = option('sizes', '1000,5000,10000').split(',').map(Number)
const runs = Number(option('runs', '15'))

function revisionFile(id, down, message, labels) {
  const literal = (v) =>
    v === null ? 'null' : Array.isArray(v) ? `[${v.map((x) => `'${x}'`).join(', ')}]` : `'${v}'`
  return `/**
 * ${message}
 *
 * Revision ID: ${id}
 * Revises: ${Array.isArray(down) ? down.join(', ') : (down ?? '')}
 * Create Date: 2026-01-01 00:00:00.000000
 */
import type { Operations } from 'migraph'

export const revision = '${id}'
export const downRevision: string | readonly string[] | null = ${literal(down)}
export const branchLabels: readonly string[] | null = ${literal(labels)}
export const dependsOn: readonly string[] | null = null

export async function upgrade(op: Operations): Promise<void> {
  await op.execute('select ${id.length}')
}

export async function downgrade(op: Operations): Promise<void> {
  await op.execute('select 1')
}
`
}

const idOf = (i) => i.toString(16).padStart(12, '0')

/** Linear: each revision follows the previous one. */
function linear(n) {
  return Array.from({ length: n }, (_, i) => ({
    id: idOf(i + 1),
    down: i === 0 ? null : idOf(i),
    labels: null,
  }))
}

/**
 * Branchy: every 20 revisions a second branch splits off for 10 revisions and is merged back,
 * and one long-lived labelled side branch grows beside the trunk.
 */
function branchy(n) {
  const out = []
  let trunk = null
  let side = null
  let i = 0
  const add = (down, labels = null) => {
    const id = idOf(++i)
    out.push({ id, down, labels })
    return id
  }
  while (i < n) {
    if (i % 20 === 0 && i + 12 < n) {
      let a = trunk
      let b = trunk
      for (let k = 0; k < 5; k++) {
        a = add(a)
        b = add(b)
      }
      trunk = add([a, b].filter((x) => x !== null))
    } else if (i % 7 === 0) {
      side = add(side ?? trunk, side === null ? ['side'] : null)
    } else {
      trunk = add(trunk)
    }
  }
  return out
}

function makeProject(revisions) {
  const dir = mkdtempSync(join(tmpdir(), 'mig-bench-'))
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(CLI, join(dir, 'node_modules/migraph'), 'dir')
  writeFileSync(
    join(dir, 'migrate.config.ts'),
    "import { defineConfig } from 'migraph'\nexport default defineConfig({ migrations: 'migrations' })\n",
  )
  mkdirSync(join(dir, 'migrations'))
  for (const r of revisions) {
    writeFileSync(
      join(dir, 'migrations', `${r.id}_rev.ts`),
      revisionFile(r.id, r.down, `revision ${r.id}`, r.labels),
    )
  }
  // A real project's files are older than the run that reads them; files changed within 2 s
  // of a run are never taken from the header cache (the racy-entry rule), so let them age.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2500)
  return dir
}

function measure(command, commandArgs, cwd) {
  const times = []
  const cpu = []
  let rssKb = 0
  for (let k = 0; k < runs + 1; k++) {
    const started = process.hrtime.bigint()
    const result = spawnSync('/usr/bin/time', ['-f', '%U %S %M', command, ...commandArgs], {
      cwd,
      encoding: 'utf8',
    })
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    if (result.status !== 0) throw new Error(`${commandArgs.join(' ')} failed: ${result.stderr}`)
    const [user, system, kb] = (result.stderr.trim().split('\n').at(-1) ?? '').split(' ').map(Number)
    rssKb = Math.max(rssKb, kb)
    if (k > 0) {
      // the first run warms the file cache
      times.push(ms)
      cpu.push((user + system) * 1000)
    }
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  return { ms: median(times), cpuMs: median(cpu), rssMiB: rssKb / 1024 }
}

if (!existsSync(join(CLI, 'bundle/migraph.cjs')) && !existsSync(join(CLI, 'dist/main.js'))) {
  console.error('build first: npm run build')
  process.exit(1)
}
const node = measure(process.execPath, ['-e', '0'], ROOT)
console.log(
  `bare node -e 0: ${node.ms.toFixed(1)} ms, CPU ${node.cpuMs.toFixed(0)} ms, ${node.rssMiB.toFixed(1)} MiB (median of ${runs})\n`,
)
console.log('| revisions | shape | command | median ms | × node | CPU ms | CPU × node | peak MiB |')
console.log('|---:|---|---|---:|---:|---:|---:|---:|')
for (const size of sizes) {
  for (const [shape, make] of [
    ['linear', linear],
    ['branchy', branchy],
  ]) {
    const dir = makeProject(make(size))
    try {
      for (const command of [['heads'], ['history']]) {
        const r = measure(process.execPath, [MIG, ...command], dir)
        console.log(
          `| ${size} | ${shape} | ${command.join(' ')} | ${r.ms.toFixed(1)} | ${(r.ms / node.ms).toFixed(2)} | ${r.cpuMs.toFixed(0)} | ${(r.cpuMs / node.cpuMs).toFixed(2)} | ${r.rssMiB.toFixed(1)} |`,
        )
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

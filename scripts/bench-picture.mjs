// Benchmark of `mig graph` over generated revision sets (default 5,000 revisions, linear and
// branchy): wall time of each format, beside `mig history` over the same graph, and the size of
// what it writes. The first run reads every revision header (no cache yet) and is reported
// apart; the median is over the runs after it. Not a test: it asserts nothing.
//
//   node scripts/bench-picture.mjs [--sizes 5000] [--runs 5]
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const MIG = join(ROOT, 'packages/cli/bin/mig.cjs')
const args = process.argv.slice(2)
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`)
  return at === -1 ? fallback : args[at + 1]
}
const sizes = option('sizes', '5000').split(',').map(Number)
const runs = Number(option('runs', '5'))

const idOf = (i) => i.toString(16).padStart(12, '0')
const literal = (v) =>
  v === null ? 'null' : Array.isArray(v) ? `[${v.map((x) => `'${x}'`).join(', ')}]` : `'${v}'`

function revisionFile({ id, down, labels }) {
  return `/**
 * revision ${id}
 *
 * Revision ID: ${id}
 */
export const revision = '${id}'
export const downRevision = ${literal(down)}
export const branchLabels = ${literal(labels)}
export const dependsOn = null
export async function upgrade(op) { await op.execute('select 1') }
export async function downgrade(op) { await op.execute('select 1') }
`
}

function linear(n) {
  return Array.from({ length: n }, (_, i) => ({
    id: idOf(i + 1),
    down: i === 0 ? null : idOf(i),
    labels: null,
  }))
}

/** Every 20 revisions two branches of 5 split off and merge; a labelled side branch grows beside. */
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
  const dir = mkdtempSync(join(tmpdir(), 'mig-bench-picture-'))
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(join(ROOT, 'packages/cli'), join(dir, 'node_modules/migraph'), 'dir')
  writeFileSync(join(dir, 'migrate.config.mjs'), "export default { migrations: 'migrations' }\n")
  mkdirSync(join(dir, 'migrations'))
  for (const r of revisions) writeFileSync(join(dir, 'migrations', `${r.id}_rev.js`), revisionFile(r))
  // Files changed within 2 s of a run are never taken from the header cache: let them age.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2500)
  return dir
}

function timeOnce(commandArgs, cwd) {
  const started = process.hrtime.bigint()
  const result = spawnSync(process.execPath, [MIG, ...commandArgs], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (result.status !== 0) throw new Error(`mig ${commandArgs.join(' ')} failed: ${result.stderr}`)
  return { ms, bytes: Buffer.byteLength(result.stdout) }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

if (!existsSync(join(ROOT, 'packages/cli/bundle/migraph.cjs'))) {
  console.error('build first: npm run build')
  process.exit(1)
}
console.log(`mig graph: first run (headers read, cache written), then the median of ${runs} runs\n`)
console.log('| revisions | shape | command | first run ms | median ms | output |')
console.log('|---:|---|---|---:|---:|---:|')
for (const n of sizes) {
  for (const [shape, make] of [
    ['linear', linear],
    ['branchy', branchy],
  ]) {
    const dir = makeProject(make(n))
    try {
      const commands = [['history'], ['graph'], ['graph', '--format', 'dot'], ['graph', '--format', 'html']]
      for (const command of commands) {
        rmSync(join(dir, '.migraph'), { recursive: true, force: true })
        const first = timeOnce(command, dir)
        const times = Array.from({ length: runs }, () => timeOnce(command, dir).ms)
        const kib = `${(first.bytes / 1024).toFixed(0)} KiB`
        console.log(
          `| ${n} | ${shape} | mig ${command.join(' ')} | ${first.ms.toFixed(0)} | ${median(times).toFixed(0)} | ${kib} |`,
        )
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

// Benchmark of `mig graph` over generated revision sets (default 5,000 revisions, linear and
// branchy): wall time of each format, beside `mig history` over the same graph, and the size of
// what it writes. The first run reads every revision header (no cache yet) and is reported
// apart; the median is over the runs after it. Not a test: it asserts nothing.
//
//   node scripts/bench-picture.mjs [--sizes 5000] [--runs 5]
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { benchProject, branchy, linear, median, option, requireBuild, timeMig } from './bench-support.mjs'

const sizes = option('sizes', '5000').split(',').map(Number)
const runs = Number(option('runs', '5'))

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

function makeProject(revisions) {
  const files = revisions.map((r) => [`${r.id}_rev.js`, revisionFile(r)])
  return benchProject('mig-bench-picture-', files, { age: true })
}

function timeOnce(commandArgs, cwd) {
  const { ms, result } = timeMig(commandArgs, cwd)
  return { ms, bytes: Buffer.byteLength(result.stdout) }
}

requireBuild()
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

// Benchmark of `mig lint` over generated revisions (default 1,000), each with a table created,
// a column added, an index and an op.execute: every statement is compiled and parsed. Wall time
// of the first run (revision modules compiled, headers read) and the median of the runs after
// it. Not a test: it asserts nothing.
//
//   node scripts/bench-lint.mjs [--sizes 1000] [--runs 3]
import { rmSync } from 'node:fs'
import { benchProject, idOf, median, option, requireBuild, timeMig } from './bench-support.mjs'

const sizes = option('sizes', '1000').split(',').map(Number)
const runs = Number(option('runs', '3'))

function revisionFile(i) {
  const id = idOf(i)
  const down = i === 1 ? 'null' : `'${idOf(i - 1)}'`
  return `/**
 * revision ${i}
 *
 * Revision ID: ${id}
 */
export const revision = '${id}'
export const downRevision = ${down}
export async function upgrade(op) {
  await op.createTable('t${i}', (t) => t.addColumn('id', 'serial', (c) => c.primaryKey()).addColumn('name', 'text'))
  ${i > 1 ? `await op.addColumn('t${i - 1}', 'extra', 'text')` : ''}
  ${i > 1 ? `await op.createIndex('t${i - 1}_name', 't${i - 1}', ['name'])` : ''}
  await op.execute("update t${i} set name = 'x' where id < 0")
}
export async function downgrade(op) {
  await op.dropTable('t${i}')
}
`
}

function timeOnce(cwd) {
  const { ms, result } = timeMig(['lint', '--json'], cwd, (status) => status === 0 || status === 1)
  return { ms, findings: JSON.parse(result.stdout).findings.length }
}

requireBuild()
console.log('| revisions | statements | findings | first run ms | median ms |')
console.log('|---:|---:|---:|---:|---:|')
for (const n of sizes) {
  const files = Array.from({ length: n }, (_, k) => [`${idOf(k + 1)}_rev.js`, revisionFile(k + 1)])
  const dir = benchProject('mig-bench-lint-', files, { age: true })
  try {
    const first = timeOnce(dir)
    const times = Array.from({ length: runs }, () => timeOnce(dir).ms)
    console.log(
      `| ${n} | ${4 * n - 2} | ${first.findings} | ${first.ms.toFixed(0)} | ${median(times).toFixed(0)} |`,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

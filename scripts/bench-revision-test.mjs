// Benchmark of `mig test` over generated revisions (default 100) on the embedded database: each
// revision creates a table with a primary key, adds a column and an index to the one before, and
// its downgrade undoes exactly that, so every revision is upgraded, read, downgraded, read,
// upgraded again and read. Wall and CPU time of one run per size. Not a test: it asserts nothing.
//
//   node scripts/bench-revision-test.mjs [--sizes 100] [--url sqlite:x.db]
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { benchProject, idOf, MIG, option } from './bench-support.mjs'

const sizes = option('sizes', '100').split(',').map(Number)
const url = option('url', undefined)

function revisionFile(i) {
  const down = i === 1 ? 'null' : `'${idOf(i - 1)}'`
  const previous = `t${i - 1}`
  return `/**
 * revision ${i}
 *
 * Revision ID: ${idOf(i)}
 */
export const revision = '${idOf(i)}'
export const downRevision = ${down}
export async function upgrade(op) {
  await op.createTable('t${i}', (t) => t.addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('name', 'varchar(50)'))
  ${i > 1 ? `await op.addColumn('${previous}', 'extra', 'varchar(20)')\n  await op.createIndex('${previous}_name', '${previous}', ['name'])` : ''}
}
export async function downgrade(op) {
  ${i > 1 ? `await op.dropIndex('${previous}_name', { table: '${previous}' })\n  await op.dropColumn('${previous}', 'extra')` : ''}
  await op.dropTable('t${i}')
}
`
}

console.log(`mig test${url === undefined ? ' (embedded database: an in-memory PGlite)' : ` --url ${url}`}\n`)
console.log('| revisions | wall s | CPU s | per revision ms |')
console.log('|---:|---:|---:|---:|')
for (const size of sizes) {
  const files = Array.from({ length: size }, (_, k) => [`${idOf(k + 1)}_r${k + 1}.mjs`, revisionFile(k + 1)])
  const dir = benchProject('mig-bench-test-', files)
  try {
    const urlArgs = url === undefined ? [] : ['--url', url]
    const started = process.hrtime.bigint()
    const result = spawnSync(
      '/usr/bin/time',
      ['-f', '%U %S', process.execPath, MIG, ...urlArgs, 'test', '-q'],
      {
        cwd: dir,
        encoding: 'utf8',
      },
    )
    const wall = Number(process.hrtime.bigint() - started) / 1e9
    if (result.status !== 0) throw new Error(`mig test failed: ${result.stdout}\n${result.stderr}`)
    const [user, system] = (result.stderr.trim().split('\n').at(-1) ?? '').split(' ').map(Number)
    console.log(
      `| ${size} | ${wall.toFixed(1)} | ${(user + system).toFixed(1)} | ${((wall * 1000) / size).toFixed(0)} |`,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

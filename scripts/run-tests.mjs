// Runs every test file under test/ with node's test runner, TypeScript loaded through tsx.
// Usage: node scripts/run-tests.mjs [dir-or-file ...]   (default: test/)
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

function collect(path, out) {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path).sort()) {
      if (entry === 'fixtures' || entry === 'node_modules') continue
      collect(join(path, entry), out)
    }
  } else if (path.endsWith('.test.ts')) {
    out.push(path)
  }
  return out
}

const roots = process.argv.slice(2)
const files = (roots.length > 0 ? roots : ['test']).flatMap((root) => collect(root, []))
if (files.length === 0) {
  console.error('no test files found')
  process.exit(1)
}
const concurrency = process.env.MIG_TEST_CONCURRENCY ?? '2'
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files],
  { stdio: 'inherit' },
)
process.exit(result.status ?? 1)

// Benchmarks of the graph-only commands: `mig heads` and `mig history` over generated revision
// sets (1,000 / 5,000 / 10,000 revisions, linear and branchy), beside bare `node -e 0`.
// Prints a Markdown table of median wall times and peak memory, with a floor: listing the folder
// and stat'ing every file in bare node, which any tool that notices edits must do. Not a test: it
// asserts nothing.
//
// CPU time (user + system) is printed beside wall time: on a busy machine it moves far less.
//
//   node scripts/bench.mjs [--sizes 1000,5000,10000] [--runs 15] [--mig path/to/bin/mig.cjs]
//     [--instructions] [--format ts|sql]
//
// `--format sql` writes the revisions as `.sql` files (comment header, up and down sections).
//
// `--instructions` adds what valgrind's callgrind counts: the instructions each command executes
// in user space, against `node -e 0`'s. Unlike time, the count hardly moves with the machine's
// load, so it shows a change of a few percent that the noise of a shared machine hides (it leaves
// out the kernel's work, such as the stat system calls, and waiting). Needs valgrind.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { branchy, linear, option, ROOT } from './bench-support.mjs'

// Another build (say, of an older commit) can be measured with --mig; its package is linked.
const MIG = resolve(option('mig', join(ROOT, 'packages/cli/bin/mig.cjs')))
const CLI = dirname(dirname(MIG))
const sizes = option('sizes', '1000,5000,10000').split(',').map(Number)
const runs = Number(option('runs', '15'))
const countInstructions = process.argv.slice(2).includes('--instructions')
const format = option('format', 'ts')

function sqlRevisionFile(id, down, message, labels) {
  const list = (v) => (v === null ? '' : Array.isArray(v) ? v.join(', ') : v)
  return `-- ${message}
--
-- Revision ID: ${id}
-- Revises: ${list(down)}
${labels === null ? '' : `-- Branch labels: ${list(labels)}\n`}-- Create Date: 2026-01-01 00:00:00.000000

-- migrate: up
select ${id.length};

-- migrate: down
select 1;
`
}

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
      join(dir, 'migrations', `${r.id}_rev.${format}`),
      (format === 'sql' ? sqlRevisionFile : revisionFile)(r.id, r.down, `revision ${r.id}`, r.labels),
    )
  }
  // A real project's files are older than the run that reads them; files changed within 2 s
  // of a run are never taken from the header cache (the racy-entry rule), so let them age.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2500)
  return dir
}

/** One run under /usr/bin/time: wall ms, CPU ms (user + system), peak RSS KiB. */
function runOnce(command, commandArgs, cwd) {
  const started = process.hrtime.bigint()
  const result = spawnSync('/usr/bin/time', ['-f', '%U %S %M', command, ...commandArgs], {
    cwd,
    encoding: 'utf8',
  })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (result.status !== 0) throw new Error(`${commandArgs.join(' ')} failed: ${result.stderr}`)
  const [user, system, kb] = (result.stderr.trim().split('\n').at(-1) ?? '').split(' ').map(Number)
  return { ms, cpuMs: (user + system) * 1000, kb }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/**
 * Times a command and bare `node -e 0` in alternation, so that both see the same machine: on a
 * shared machine the speed drifts over seconds, and a ratio of medians taken minutes apart
 * drifts with it.
 */
function measure(command, commandArgs, cwd) {
  const samples = { cmd: [], node: [] }
  let rssKb = 0
  for (let k = 0; k < runs + 1; k++) {
    const node = runOnce(process.execPath, ['-e', '0'], cwd)
    const cmd = runOnce(command, commandArgs, cwd)
    rssKb = Math.max(rssKb, cmd.kb)
    if (k === 0) continue // the first run warms the file cache
    samples.cmd.push(cmd)
    samples.node.push(node)
  }
  const of = (list, field) => median(list.map((s) => s[field]))
  return {
    // Each run beside the node run just before it: steadier than a ratio of two medians.
    pairedRatio: median(samples.cmd.map((s, k) => s.ms / samples.node[k].ms)),
    ms: of(samples.cmd, 'ms'),
    cpuMs: of(samples.cmd, 'cpuMs'),
    nodeMs: of(samples.node, 'ms'),
    nodeCpuMs: of(samples.node, 'cpuMs'),
    rssMiB: rssKb / 1024,
  }
}

/** Instructions executed in user space by one run under callgrind (after a warm-up run). */
function instructions(command, commandArgs, cwd) {
  spawnSync(command, commandArgs, { cwd, stdio: 'ignore' })
  const result = spawnSync(
    'valgrind',
    ['--tool=callgrind', '--callgrind-out-file=/dev/null', command, ...commandArgs],
    { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  )
  const found = /Collected : (\d+)/.exec(result.stderr ?? '')
  if (result.status !== 0 || found === null) {
    throw new Error(`callgrind failed on ${commandArgs.join(' ')}: ${result.error?.message ?? result.stderr}`)
  }
  return Number(found[1])
}

/**
 * The least any tool that notices edited revision files must do: list the folder and stat every
 * file, in a bare node process. What `mig` spends beyond it is its own.
 */
const STAT_FLOOR = `const fs = require('node:fs')
const dir = process.argv[1]
let size = 0
for (const name of fs.readdirSync(dir)) size += fs.lstatSync(dir + '/' + name).size
if (size === 0) process.exit(1)`

if (!existsSync(join(CLI, 'bundle/migraph.cjs'))) {
  console.error('build first: npm run build')
  process.exit(1)
}
console.log(
  `${format === 'sql' ? '.sql' : '.ts'} revisions; median of ${runs} runs; × node compares with bare \`node -e 0\` timed in alternation (paired: the median of each run's ratio to the node run beside it)\n`,
)
console.log(
  `| revisions | shape | command | median ms | node ms | × node | × node, paired | CPU ms | CPU × node | peak MiB |${countInstructions ? ' instructions × node |' : ''}`,
)
console.log(`|---:|---|---|---:|---:|---:|---:|---:|---:|---:|${countInstructions ? '---:|' : ''}`)
const nodeInstructions = countInstructions ? instructions(process.execPath, ['-e', '0'], ROOT) : 0
const row = (size, shape, label, r, command, commandArgs, cwd) =>
  console.log(
    `| ${size} | ${shape} | ${label} | ${r.ms.toFixed(1)} | ${r.nodeMs.toFixed(1)} | ${(r.ms / r.nodeMs).toFixed(2)} | ${r.pairedRatio.toFixed(2)} | ${r.cpuMs.toFixed(0)} | ${(r.cpuMs / r.nodeCpuMs).toFixed(2)} | ${r.rssMiB.toFixed(1)} |${countInstructions ? ` ${(instructions(command, commandArgs, cwd) / nodeInstructions).toFixed(2)} |` : ''}`,
  )
for (const size of sizes) {
  for (const [shape, make] of [
    ['linear', linear],
    ['branchy', branchy],
  ]) {
    const dir = makeProject(make(size))
    try {
      if (shape === 'linear') {
        const floor = ['-e', STAT_FLOOR, join(dir, 'migrations')]
        row(
          size,
          shape,
          'list + stat floor',
          measure(process.execPath, floor, dir),
          process.execPath,
          floor,
          dir,
        )
      }
      for (const command of [['heads'], ['history']]) {
        const migArgs = [MIG, ...command]
        row(
          size,
          shape,
          `mig ${command.join(' ')}`,
          measure(process.execPath, migArgs, dir),
          process.execPath,
          migArgs,
          dir,
        )
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

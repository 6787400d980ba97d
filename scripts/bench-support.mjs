// What the `mig` benchmarks share: the command line, generated projects, timing a run.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))
export const MIG = join(ROOT, 'packages/cli/bin/mig.cjs')

const args = process.argv.slice(2)

/** The value after `--name` on the command line, else `fallback`. */
export const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`)
  return at === -1 ? fallback : args[at + 1]
}

/** The revision id of the `i`-th generated revision: twelve hex digits. */
export const idOf = (i) => i.toString(16).padStart(12, '0')

/** Linear: each revision follows the previous one. */
export function linear(n) {
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
export function branchy(n) {
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

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** Stops with a hint when the CLI bundle the benchmarks run has not been built. */
export function requireBuild() {
  if (!existsSync(join(ROOT, 'packages/cli/bundle/migraph.cjs'))) {
    console.error('build first: npm run build')
    process.exit(1)
  }
}

/**
 * A temporary project importing this checkout's `migraph`, with `files` ([name, text] pairs) in
 * its `migrations` folder. With `age`, waits until the files are old enough for the header cache:
 * files changed within 2 s of a run are never taken from it.
 */
export function benchProject(prefix, files, { age = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(join(ROOT, 'packages/cli'), join(dir, 'node_modules/migraph'), 'dir')
  writeFileSync(join(dir, 'migrate.config.mjs'), "export default { migrations: 'migrations' }\n")
  mkdirSync(join(dir, 'migrations'))
  for (const [name, text] of files) writeFileSync(join(dir, 'migrations', name), text)
  if (age) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2500)
  return dir
}

/** Runs `mig ...commandArgs` in `cwd` once: its wall time in ms and its result; throws unless `ok`. */
export function timeMig(commandArgs, cwd, ok = (status) => status === 0) {
  const started = process.hrtime.bigint()
  const result = spawnSync(process.execPath, [MIG, ...commandArgs], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (!ok(result.status)) throw new Error(`mig ${commandArgs.join(' ')} failed: ${result.stderr}`)
  return { ms, result }
}

// The proof that a migration lock works: many `mig upgrade head` at once, several rounds, and
// every revision applied exactly once per round. Shared by the advisory and the table lock tests.
import assert from 'node:assert/strict'
import {
  PROBE_TABLE,
  probeInsert,
  type SafetyDatabase,
  startMig,
  writeSafetyConfig,
  writeSafetyRevision,
} from '../safety/support.js'
import { mig, tempProject } from './mig.js'

/** A project of `revisions` in a line, each recording itself in `probe`, then pausing so runs overlap. */
export function concurrencyProject(
  prefix: string,
  revisions: readonly string[],
  config = '',
): { dir: string; cleanup: () => void } {
  const project = tempProject(prefix)
  writeSafetyConfig(project.dir, config)
  revisions.forEach((id, i) => {
    writeSafetyRevision(project.dir, {
      id,
      down: i === 0 ? null : (revisions[i - 1] as string),
      upgrade: `${probeInsert(id)}\n  await sleep(150)`,
    })
  })
  return project
}

export interface UpgradeRounds {
  /** How many `mig upgrade head` start at once in each round. */
  readonly processes: number
  readonly rounds: number
  /** Also assert that the runs' progress lines, together, report each step once. */
  readonly countSteps?: boolean
}

/**
 * Runs `processes` simultaneous upgrades to the head on `db`, `rounds` times with a downgrade to
 * base between, asserting after each round that every run succeeded, each revision ran exactly
 * once and the head is recorded. Returns how many double applications it saw.
 */
export async function upgradeRounds(
  dir: string,
  db: SafetyDatabase,
  revisions: readonly string[],
  options: UpgradeRounds,
): Promise<number> {
  let doubles = 0
  await db.query(PROBE_TABLE)
  // Compile the revision files once, so every round measures the lock and not esbuild.
  assert.equal((await mig(dir, ['--url', db.url, 'upgrade', 'head', '--sql'])).code, 0)
  for (let round = 1; round <= options.rounds; round++) {
    const runs = await Promise.all(
      Array.from(
        { length: options.processes },
        () =>
          // Bounds far above the run: on PGlite the processes take turns opening the data
          // directory, which on a loaded machine takes seconds each.
          startMig(
            dir,
            ['--url', db.url, '--lock-timeout', '900', '-x', `round=${round}`, 'upgrade', 'head'],
            {
              timeoutMs: 900_000,
            },
          ).result,
      ),
    )
    // Every run succeeds: the others wait for the lock (on PGlite, for the data directory).
    for (const run of runs) assert.equal(run.code, 0, `round ${round}: ${run.stderr}`)
    const after = await db.snapshot()
    const rows = (after.probe ?? []).filter((row) => row.endsWith(`/${round}`))
    doubles += rows.length - new Set(rows).size
    assert.deepEqual(
      rows,
      revisions.map((id) => `${id}/${round}`),
      `round ${round}: each revision exactly once`,
    )
    assert.deepEqual(after.versions, [revisions.at(-1)])
    if (options.countSteps === true) {
      const ran = runs.flatMap((run) =>
        run.stderr.split('\n').filter((l) => /^\[ *\d+\/\d+\] Running upgrade/.test(l)),
      )
      assert.equal(ran.length, revisions.length, `round ${round}: steps reported\n${ran.join('\n')}`)
    }
    const down = await mig(dir, ['--url', db.url, 'downgrade', 'base'])
    // The next round finds every revision pending, or its probe rows come up short.
    assert.equal(down.code, 0, down.stderr)
  }
  return doubles
}

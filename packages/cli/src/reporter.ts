import type { Reporter } from '@migraph/core'
import type { MigrationStep } from '@migraph/graph'
import { type Paint, plain } from './color.js'

/** One output of the CLI: `process.stdout` and `process.stderr` are two. */
export interface OutputStream {
  write(text: string): unknown
  readonly isTTY?: boolean | undefined
  /** The terminal's width, when it is one. */
  readonly columns?: number | undefined
}

/** Where the CLI writes; injected so tests can capture it. */
export interface Streams {
  readonly stdout: OutputStream
  readonly stderr: OutputStream
}

/** `[ 3/200] `: where a step stands in its run, padded so that the lines align. */
function counter(index: number, total: number): string {
  const width = String(total).length
  return `[${String(index).padStart(width)}/${total}] `
}

function ms(durationMs: number): string {
  return durationMs < 10 ? `${durationMs.toFixed(1)} ms` : `${Math.round(durationMs)} ms`
}

/** A duration as the summary line gives it: milliseconds under a second, else seconds. */
export function duration(durationMs: number): string {
  return durationMs < 1000 ? ms(durationMs) : `${(durationMs / 1000).toFixed(2)} s`
}

/** The longest a finished step's line waits to be written where stderr is not a terminal. */
const BATCH_MS = 50

/** The reporter of the CLI, and how to write what it still holds. */
export interface CliReporter extends Required<Reporter> {
  /** Writes the lines held back, at once; before anything else is written, and at the end. */
  flush(): void
}

/**
 * Progress on stderr in Alembic's wording (`Running upgrade  -> ae10, add account`), after the
 * step's place in the run (`[3/200] `) and with its duration. On a terminal the duration completes
 * the line; elsewhere (logs, CI) each step is one line written when it ends, and a failing step
 * is still named. `paint` colours the counter, durations, warnings and failures. `quiet` drops
 * all but failures; warnings are dropped only when `warnings` is false (`-q`, not `--json`).
 *
 * Where stderr is not a terminal, finished steps' lines are written together, at most
 * {@link BATCH_MS} after they end (a timer writes them while the next step waits on the database):
 * a write per step cost a system call per revision, a few percent of applying thousands of small
 * ones. Anything else (a warning, a failure, the end of the command) writes them first.
 */
export function stderrReporter(
  streams: Streams,
  quiet: boolean,
  paint: Paint = plain,
  warnings = true,
): CliReporter {
  const err = streams.stderr
  let total = 0
  let index = 0
  /** The line of the step running now; the counter is left out when the run's size is unknown. */
  let note: string | undefined
  const stepLine = (step: MigrationStep) =>
    `${total > 0 ? paint('dim', counter(index, total)) : ''}Running ${step.log}${note === undefined ? '' : ` (${note})`}`
  const took = (durationMs: number) => paint('dim', `(${ms(durationMs)})`)
  // Asked when a step is first reported: most commands report none, and asking can cost.
  let isTerminal: boolean | undefined
  const tty = () => {
    isTerminal ??= err.isTTY === true
    return isTerminal
  }
  let held = ''
  let heldSince = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  const flush = () => {
    if (timer !== undefined) {
      clearTimeout(timer)
      timer = undefined
    }
    if (held === '') return
    const text = held
    held = ''
    err.write(text)
  }
  const write = (text: string) => {
    flush()
    err.write(text)
  }
  const hold = (line: string) => {
    const now = Date.now()
    if (held === '') heldSince = now
    held += line
    if (now - heldSince >= BATCH_MS) flush()
    else if (timer === undefined) {
      timer = setTimeout(flush, BATCH_MS - (now - heldSince))
      // Held lines never keep the process alive: the command flushes them when it ends.
      timer.unref?.()
    }
  }
  return {
    info: (message) => {
      if (!quiet) write(`${message}\n`)
    },
    warn: (message) => {
      if (warnings) write(`${paint('yellow', 'warning:')} ${message}\n`)
    },
    stepsPlanned: (count) => {
      total = count
      index = 0
    },
    stepsRewound: (count) => {
      index = Math.max(0, index - count)
    },
    stepStarted: (step, stepNote) => {
      index += 1
      note = stepNote
      if (!quiet && tty()) write(stepLine(step))
    },
    stepFinished: (step, durationMs) => {
      if (quiet) return
      if (tty()) write(` ${took(durationMs)}\n`)
      else hold(`${stepLine(step)} ${took(durationMs)}\n`)
    },
    stepFailed: (step, durationMs) => {
      const failed = `${paint('red', 'FAILED')} ${took(durationMs)}`
      write(tty() && !quiet ? ` ${failed}\n` : `${stepLine(step)} ${failed}\n`)
    },
    // The human lines say it already (the lock wait); only JSON logs show events.
    event: () => {},
    flush,
  }
}

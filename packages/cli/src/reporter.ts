import type { Reporter } from '@migraph/core'
import type { MigrationStep } from '@migraph/graph'

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

/** Alembic's log line: `Running upgrade a1 -> b2, message`, dependencies left out of the ids. */
function stepLine(step: MigrationStep): string {
  return `Running ${step.log}`
}

function ms(durationMs: number): string {
  return durationMs < 10 ? `${durationMs.toFixed(1)} ms` : `${Math.round(durationMs)} ms`
}

/**
 * Progress on stderr in Alembic's wording (`Running upgrade  -> ae10, add account`), with each
 * step's duration. On a terminal the duration completes the line; elsewhere (logs, CI) each step
 * is one line written when it ends, and a failing step is still named.
 */
export function stderrReporter(streams: Streams, quiet: boolean): Reporter {
  const err = streams.stderr
  // Asked when a step is first reported: most commands report none, and asking can cost.
  let isTerminal: boolean | undefined
  const tty = () => {
    isTerminal ??= err.isTTY === true
    return isTerminal
  }
  return {
    info: (message) => {
      if (!quiet) err.write(`${message}\n`)
    },
    warn: (message) => {
      err.write(`warning: ${message}\n`)
    },
    stepStarted: (step) => {
      if (!quiet && tty()) err.write(stepLine(step))
    },
    stepFinished: (step, durationMs) => {
      if (quiet) return
      err.write(tty() ? ` (${ms(durationMs)})\n` : `${stepLine(step)} (${ms(durationMs)})\n`)
    },
    stepFailed: (step, durationMs) => {
      err.write(
        tty() && !quiet ? ` FAILED (${ms(durationMs)})\n` : `${stepLine(step)} FAILED (${ms(durationMs)})\n`,
      )
    },
  }
}

import type { MigrationStep } from '@migraph/graph'
import type { CliReporter, Streams } from './reporter.js'

/** The reporter of `--log-format json`, and how to write the events only the CLI knows of. */
export interface JsonLogReporter extends CliReporter {
  /** Writes one event (`run-start`, `error`, `run-end`…) as a JSON line on stderr. */
  emit(event: string, fields?: Readonly<Record<string, unknown>>): void
}

function stepFields(step: MigrationStep): Record<string, unknown> {
  return {
    revision: step.revision,
    direction: step.direction,
    from: step.fromRevisions,
    to: step.toRevisions,
    message: step.message,
    ...(step.isStamp ? { stamp: true } : {}),
  }
}

/**
 * `--log-format json`: each event a JSON object on its own stderr line, with `time` (ISO 8601)
 * and `event` first; stdout keeps the command's result. Nothing is dropped by `-q` or `--json`:
 * a log is for machines, which filter it themselves.
 */
export function jsonLogReporter(streams: Streams, now: () => Date = () => new Date()): JsonLogReporter {
  const emit = (event: string, fields: Readonly<Record<string, unknown>> = {}) => {
    streams.stderr.write(`${JSON.stringify({ time: now().toISOString(), event, ...fields })}\n`)
  }
  return {
    emit,
    info: (message) => emit('info', { message }),
    warn: (message) => emit('warning', { message }),
    stepsPlanned: (count) => emit('plan', { steps: count }),
    stepStarted: (step, note) =>
      emit('step-start', { ...stepFields(step), ...(note === undefined ? {} : { note }) }),
    stepsRewound: (count) => emit('retry', { steps: count }),
    stepFinished: (step, durationMs) =>
      emit('step-end', { ...stepFields(step), status: 'ok', durationMs: Math.round(durationMs * 10) / 10 }),
    stepFailed: (step, durationMs) =>
      emit('step-end', {
        ...stepFields(step),
        status: 'failed',
        durationMs: Math.round(durationMs * 10) / 10,
      }),
    event: (name, fields) => emit(name, fields),
    flush: () => {},
  }
}

import { MAX_TIMEOUT_MS, type TimeoutKind, timeoutProblem } from '@migraph/core'

/** Seconds written plainly: `30`, `0.5`, `-1`. Not `1e3`, `0x10`, `Infinity` or an empty string. */
const SECONDS = /^-?\d+(?:\.\d+)?$/
/** The longest timeout, in whole seconds (about 24 days). */
const MAX_SECONDS = Math.floor(MAX_TIMEOUT_MS / 1000)

/**
 * The yargs `coerce` of `--lock-timeout` and `--connect-timeout`: the value in seconds, or an
 * error naming the option and the value. Given twice, the last one counts, as for every other
 * option.
 */
export function secondsOption(option: string, kind: TimeoutKind): (raw: unknown) => number {
  const range = kind === 'lock' ? `0 (do not wait) to ${MAX_SECONDS}` : `more than 0, up to ${MAX_SECONDS}`
  return (raw) => {
    const text = String(Array.isArray(raw) ? raw.at(-1) : raw).trim()
    const seconds = Number(text)
    const problem = !SECONDS.test(text)
      ? 'is not a number'
      : seconds > MAX_SECONDS
        ? `is more than ${MAX_SECONDS} (about 24 days)`
        : timeoutProblem(seconds * 1000, kind)
    if (problem !== undefined) throw new Error(`--${option} '${text}' ${problem}; give seconds, ${range}`)
    return seconds
  }
}

import { MAX_TIMEOUT_MS } from './timeouts.js'

/**
 * The database limits a revision runs under, as a config's `timeouts` key and a revision's
 * `export const timeouts` write them: milliseconds, more than 0; `null` (in a revision) leaves
 * the database's own setting where the config set one.
 *
 * @example
 * export const timeouts = { lockTimeout: 2_000, statementTimeout: 60_000 }
 */
export interface TimeoutsSetting {
  /** How long a statement waits for a lock before failing (PostgreSQL `lock_timeout`). */
  readonly lockTimeout?: number | null | undefined
  /** How long one statement may run (PostgreSQL `statement_timeout`). */
  readonly statementTimeout?: number | null | undefined
}

/** The limits in force for one revision; null: the database's own setting. */
export interface RevisionLimits {
  readonly lockTimeoutMs: number | null
  readonly statementTimeoutMs: number | null
}

/** Neither limit set: the database's own settings. */
export const NO_LIMITS: RevisionLimits = Object.freeze({ lockTimeoutMs: null, statementTimeoutMs: null })

const KEYS = ['lockTimeout', 'statementTimeout'] as const

/**
 * Reads a `timeouts` object, or says what is wrong with it (for a message that names the config
 * file or the revision). Keys left out are undefined in the result; `null` is kept.
 */
export function readTimeouts(
  value: unknown,
): { readonly lockTimeoutMs?: number | null; readonly statementTimeoutMs?: number | null } | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return `must be an object such as { lockTimeout: 5000, statementTimeout: 60000 } (milliseconds)`
  }
  const out: { lockTimeoutMs?: number | null; statementTimeoutMs?: number | null } = {}
  for (const key of Object.keys(value)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      return `has an unknown key '${key}' (known keys: ${KEYS.join(', ')})`
    }
  }
  for (const key of KEYS) {
    const given = (value as Record<string, unknown>)[key]
    if (given === undefined) continue
    if (given !== null && (typeof given !== 'number' || !Number.isFinite(given) || given <= 0)) {
      return `'${key}' must be a number of milliseconds more than 0, or null, got ${JSON.stringify(given) ?? String(given)}`
    }
    if (typeof given === 'number' && given > MAX_TIMEOUT_MS) {
      return `'${key}' is more than ${MAX_TIMEOUT_MS} ms (about 24 days)`
    }
    out[`${key}Ms`] = given === null ? null : Math.ceil(given)
  }
  return out
}

/** A revision's own `timeouts` over the config's: what the revision runs under. */
export function limitsFor(
  config: { readonly lockTimeoutMs?: number | null; readonly statementTimeoutMs?: number | null },
  revision:
    | { readonly lockTimeoutMs?: number | null; readonly statementTimeoutMs?: number | null }
    | undefined,
): RevisionLimits {
  return {
    lockTimeoutMs:
      revision?.lockTimeoutMs !== undefined ? revision.lockTimeoutMs : (config.lockTimeoutMs ?? null),
    statementTimeoutMs:
      revision?.statementTimeoutMs !== undefined
        ? revision.statementTimeoutMs
        : (config.statementTimeoutMs ?? null),
  }
}

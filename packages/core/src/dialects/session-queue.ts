/**
 * Hands one database session to one user at a time, in call order. Kysely asks its driver for a
 * connection per query or transaction; giving it this queue instead of a pool pins every query
 * of a command to the same server session, which is what keeps a session-level lock meaningful.
 */
export class SessionQueue {
  #busy = false
  readonly #waiters: (() => void)[] = []

  /** Resolves once the session is ours; call the returned function to hand it on. */
  async lease(): Promise<() => void> {
    if (this.#busy) await new Promise<void>((resolve) => this.#waiters.push(resolve))
    this.#busy = true
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.#waiters.shift()
      if (next) next()
      else this.#busy = false
    }
  }
}

/** Runs `work`, failing with `onTimeout()` if it has not settled within `ms`. */
export async function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms)
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Wraps an async function so it runs at most once; later calls share the first promise. */
export function once(fn: () => Promise<void>): () => Promise<void> {
  let result: Promise<void> | undefined
  return () => {
    result ??= fn()
    return result
  }
}

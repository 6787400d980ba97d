/**
 * Base class of every error migraph raises, in every layer: the graph, the operations, the core
 * and the CLI. `code` is stable and machine readable (it is what `--json` errors carry, and what
 * callers should match on); `message` is one line for humans, naming the file, revision or option
 * at fault; `name` is the class's name.
 *
 * It lives in the graph package, the one every other layer depends on, so that one
 * `instanceof MigraphError` covers them all.
 *
 * @example
 * ```ts
 * import { MigraphError, upgrade } from 'migraph'
 * try { await upgrade(project, { target: 'head' }) }
 * catch (error) { if (error instanceof MigraphError) console.error(error.code, error.message) }
 * ```
 */
export class MigraphError extends Error {
  override readonly name: string = 'MigraphError'
  readonly code: string

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
  }
}

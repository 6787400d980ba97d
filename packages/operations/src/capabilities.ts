import type { SqlFlavour } from './column-types.js'
import { dialectFor } from './compile/dialects.js'

/**
 * Whether DDL on this dialect commits with its transaction (false on MySQL/MariaDB), so core can
 * decide where `BEGIN;`/`COMMIT;` belong.
 *
 * @example
 * ```ts
 * hasTransactionalDdl('mysql') // => false
 * ```
 */
export function hasTransactionalDdl(flavour: SqlFlavour): boolean {
  return dialectFor(flavour).transactionalDdl
}

import { importExternal } from '../external-import.js'
import { DriverMissingError } from './errors.js'

/**
 * Imports an optional driver package on demand, so that commands which never connect load none.
 * A package that is not installed becomes a {@link DriverMissingError} carrying the install
 * command; any other failure (a broken install) is rethrown as is.
 */
export async function importDriver<T>(packageName: string, purpose: string): Promise<T> {
  try {
    return await importExternal<T>(packageName)
  } catch (error) {
    if (isModuleNotFound(error, packageName))
      throw new DriverMissingError(packageName, purpose, { cause: error })
    throw error
  }
}

function isModuleNotFound(error: unknown, packageName: string): boolean {
  if (!(error instanceof Error)) return false
  const code = (error as { code?: unknown }).code
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false
  // A missing dependency *of* the driver is a broken install, not a missing driver.
  return error.message.includes(`'${packageName}'`) || error.message.includes(`"${packageName}"`)
}

/** The default export of a CommonJS module imported from ESM (`pg`, `mysql2`, `better-sqlite3`). */
export function interopDefault<T>(module: T | { default: T }): T {
  return typeof module === 'object' && module !== null && 'default' in module ? module.default : (module as T)
}

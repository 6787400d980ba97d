import { createRequire } from 'node:module'
import { importExternal } from '../external-import.js'
import { NEEDS_IMPORT } from '../script/import-module.js'
import { BUNDLED_DRIVERS, driverBundle, evaluateDriverBundle } from './driver-bundle.js'
import { DriverMissingError } from './errors.js'

let requireDriver: NodeJS.Require | undefined
/** The drivers this process has loaded or is loading, by package name. */
const loadedDrivers = new Map<string, Promise<unknown>>()

/**
 * Loads an optional driver package on demand, so that commands which never connect load none.
 * The drivers are CommonJS packages, so `require` loads them, which does not set up Node's ES
 * module loader (about 10 ms on a command's first `import()`); a driver that only ships ES modules
 * is imported instead. `pg` and `mysql2` load from a one-file bundle of the installed package
 * with a V8 code cache (see {@link driverBundle}), or by `require` if that cannot be made.
 * `temporaryGlobals` are defined, where absent, only while the package loads. A package that is
 * not installed becomes a {@link DriverMissingError} carrying the install command; any other
 * failure (a broken install) is rethrown as is.
 *
 * A package is loaded once per process, as `require` would: every connection of a long-lived
 * process (an application migrating at start, a test suite) shares it. A failed load is tried
 * again on the next call.
 */
export function importDriver<T>(
  packageName: string,
  purpose: string,
  temporaryGlobals: Readonly<Record<string, unknown>> = {},
): Promise<T> {
  let driver = loadedDrivers.get(packageName)
  if (driver === undefined) {
    driver = loadDriver(packageName, purpose, temporaryGlobals)
    loadedDrivers.set(packageName, driver)
    driver.catch(() => loadedDrivers.delete(packageName))
  }
  return driver as Promise<T>
}

async function loadDriver<T>(
  packageName: string,
  purpose: string,
  temporaryGlobals: Readonly<Record<string, unknown>>,
): Promise<T> {
  try {
    requireDriver ??= createRequire(import.meta.url)
    const externals = BUNDLED_DRIVERS[packageName]
    const bundle =
      externals === undefined ? undefined : await driverBundle(packageName, externals, requireDriver)
    const defined = Object.keys(temporaryGlobals).filter((name) => !(name in globalThis))
    for (const name of defined) {
      Object.defineProperty(globalThis, name, {
        value: temporaryGlobals[name],
        configurable: true,
        writable: true,
      })
    }
    try {
      if (bundle !== undefined) {
        try {
          return evaluateDriverBundle(bundle) as T
        } catch {
          // A bundle that does not run as the package does: the package itself, as installed.
        }
      }
      return requireDriver(packageName) as T
    } finally {
      for (const name of defined) delete (globalThis as Record<string, unknown>)[name]
    }
  } catch (error) {
    if (NEEDS_IMPORT.has((error as { code?: string }).code ?? '')) return importOnly<T>(packageName, purpose)
    throw driverError(error, packageName, purpose)
  }
}

async function importOnly<T>(packageName: string, purpose: string): Promise<T> {
  try {
    return await importExternal<T>(packageName)
  } catch (error) {
    throw driverError(error, packageName, purpose)
  }
}

function driverError(error: unknown, packageName: string, purpose: string): unknown {
  return isModuleNotFound(error, packageName)
    ? new DriverMissingError(packageName, purpose, { cause: error })
    : error
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

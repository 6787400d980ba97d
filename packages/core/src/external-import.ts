import { createRequire, register } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'

/**
 * Set by `mig`'s launcher, which compiles the published bundle itself (to give it a V8 code
 * cache) and so must perform the bundle's `import()`s on its behalf; undefined anywhere else.
 */
declare const __migraphImport: ((specifier: string) => Promise<unknown>) | undefined
/** Set by `mig`'s launcher: the path of the running bundle (`bundle/migraph.cjs`). */
declare const __migraphSelf: string | undefined

/**
 * `import()` of a module outside migraph's own code: a driver, a loader, a user's config or
 * revision file. Every such import goes through here, so that the launcher can route them.
 */
export function importExternal<T = Record<string, unknown>>(specifier: string): Promise<T> {
  return (
    typeof __migraphImport === 'function' ? __migraphImport(specifier) : import(specifier)
  ) as Promise<T>
}

/** The folders known to resolve `migraph` on their own, or the fallback once installed. */
const resolving = new Set<string>()
let provided = false

/**
 * Lets `file` (a config or revision about to be imported) `import 'migraph'` when no migraph is
 * installed where it sits, as in a project run by `npx migraph` or a global `mig`: the import
 * then gets the running CLI's own package, the very modules that run the command. A project with
 * migraph installed keeps its own. Only under `mig` (its launcher names the bundle); elsewhere the
 * caller's own resolution applies.
 */
export function provideSelf(file: string): void {
  if (provided || typeof __migraphSelf !== 'string') return
  const dir = dirname(file)
  if (resolving.has(dir)) return
  try {
    createRequire(file).resolve('migraph')
    resolving.add(dir)
    return
  } catch {
    // Not installed here: the fallback below.
  }
  provided = true
  const self = __migraphSelf
  // `require`, for CommonJS copies and bundles of the user's files. The launcher registered the
  // bundle in require's cache, so this is the running instance.
  const loader = createRequire(self)('node:module') as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string
  }
  const resolveFilename = loader._resolveFilename
  loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    try {
      return resolveFilename.call(this, request, ...rest)
    } catch (error) {
      if (request === 'migraph' && (error as { code?: unknown }).code === 'MODULE_NOT_FOUND') return self
      throw error
    }
  }
  // `import`, for ES modules and tsx: the package's ES module face, which requires the bundle.
  const target = pathToFileURL(join(dirname(self), 'index.mjs')).href
  const hooks = `export async function resolve(specifier, context, next) {
  try { return await next(specifier, context) } catch (error) {
    if (specifier === 'migraph' && error?.code === 'ERR_MODULE_NOT_FOUND') return { url: ${JSON.stringify(target)}, shortCircuit: true }
    throw error
  }
}`
  register(`data:text/javascript,${encodeURIComponent(hooks)}`)
}

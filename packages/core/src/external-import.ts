/**
 * Set by `mig`'s launcher, which compiles the published bundle itself (to give it a V8 code
 * cache) and so must perform the bundle's `import()`s on its behalf; undefined anywhere else.
 */
declare const __migraphImport: ((specifier: string) => Promise<unknown>) | undefined

/**
 * `import()` of a module outside migraph's own code: a driver, a loader, a user's config or
 * revision file. Every such import goes through here, so that the launcher can route them.
 */
export function importExternal<T = Record<string, unknown>>(specifier: string): Promise<T> {
  return (
    typeof __migraphImport === 'function' ? __migraphImport(specifier) : import(specifier)
  ) as Promise<T>
}

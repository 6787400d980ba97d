import { extname } from 'node:path'
import { pathToFileURL } from 'node:url'

/** Imports a module by absolute path; TypeScript files go through tsx, JavaScript natively. */
export type ModuleImporter = (file: string) => Promise<Record<string, unknown>>

let tsImporter: Promise<(specifier: string, parent: string) => Promise<unknown>> | undefined

/**
 * The one loading path for config and revision files: `.ts`/`.mts`/`.cts` through tsx's
 * `tsImport` (loaded on first use only, so graph-only commands never pay for it), `.js`/`.mjs`
 * through Node's own `import()`.
 */
export const importModule: ModuleImporter = async (file) => {
  const ext = extname(file)
  if (ext === '.ts' || ext === '.mts' || ext === '.cts') {
    tsImporter ??= import('tsx/esm/api').then((api) => api.tsImport)
    const tsImport = await tsImporter
    return (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>
  }
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>
}

/**
 * Turns a loader failure into one line: esbuild's syntax errors carry `file:line:column`, which
 * is what a user needs to find the mistake.
 */
export function describeImportError(file: string, error: unknown): string {
  const e = error as { errors?: { text?: string; location?: { line?: number; column?: number } }[] }
  const first = Array.isArray(e?.errors) ? e.errors[0] : undefined
  if (first?.text !== undefined) {
    const line = first.location?.line
    const column = first.location?.column
    const at = line === undefined ? file : `${file}:${line}:${(column ?? 0) + 1}`
    return `${at}: ${first.text}`
  }
  const message = error instanceof Error ? error.message : String(error)
  // esbuild (through tsx) reports "Transform failed…" then "<file>:<line>:<col>: ERROR: <text>".
  const located = /^(.+?):(\d+):(\d+): ERROR: (.+)$/m.exec(message)
  if (located !== null) return `${file}:${located[2]}:${Number(located[3]) + 1}: ${located[4]}`
  const firstLine = message.split('\n').find((l) => l.trim() !== '') ?? message
  return firstLine.includes(file) ? firstLine : `${file}: ${firstLine}`
}

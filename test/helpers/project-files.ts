import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

/** A revision file as a user (or `mig revision`) would write it. */
export interface RevisionSpec {
  readonly id: string
  readonly down?: string | readonly string[] | null
  readonly message: string
  readonly branchLabels?: readonly string[]
  readonly dependsOn?: readonly string[]
  /** Statements of `upgrade(op)`, one per line, e.g. `await op.createTable(...)`. */
  readonly upgrade?: readonly string[]
  readonly downgrade?: readonly string[]
  /** Source placed after the imports (e.g. a top-level `throw`). */
  readonly preamble?: string
  /** File name without extension; default `<id>_<slug>`. */
  readonly fileName?: string
}

const literal = (value: unknown): string =>
  value === null || value === undefined ? 'null' : JSON.stringify(value).replaceAll('"', "'")

/** Writes `migrate.config.ts` with the given versions folder(s). */
export function writeConfig(dir: string, migrations: string | readonly string[] = 'migrations'): void {
  writeFileSync(join(dir, 'migrate.config.ts'), `export default { migrations: ${literal(migrations)} }\n`)
  for (const folder of typeof migrations === 'string' ? [migrations] : migrations) {
    mkdirSync(join(dir, folder), { recursive: true })
  }
}

/** Writes a revision file in the revision template's layout; returns its path. */
export function writeRevision(dir: string, folder: string, spec: RevisionSpec): string {
  const downs = spec.down === undefined || spec.down === null ? [] : [spec.down].flat()
  const slug = spec.message.toLowerCase().replace(/[^a-z0-9]+/g, '_')
  const path = join(dir, folder, `${spec.fileName ?? `${spec.id}_${slug}`}.ts`)
  const body = (lines: readonly string[] | undefined) =>
    lines === undefined || lines.length === 0 ? '  // nothing' : lines.map((l) => `  ${l}`).join('\n')
  const source = `/**
 * ${spec.message}
 *
 * Revision ID: ${spec.id}
 * Revises: ${downs.join(', ')}
 * Create Date: 2026-01-02 03:04:05.000000
 */
import type { Operations } from 'migraph'
${spec.preamble ?? ''}
export const revision = '${spec.id}'
export const downRevision: string | readonly string[] | null = ${literal(spec.down ?? null)}
export const branchLabels: readonly string[] | null = ${literal(spec.branchLabels ?? null)}
export const dependsOn: readonly string[] | null = ${literal(spec.dependsOn ?? null)}

export async function upgrade(op: Operations): Promise<void> {
${body(spec.upgrade)}
}

export async function downgrade(op: Operations): Promise<void> {
${body(spec.downgrade)}
}
`
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, source)
  return path
}

/** The `Generating <path> ...  done` path `mig revision`/`merge` printed. */
export function generatedPath(stdout: string): string {
  const path = /^Generating (\S+) \.\.\. {2}done$/m.exec(stdout)?.[1]
  if (path === undefined) throw new Error(`no 'Generating' line in: ${stdout}`)
  return path
}

/** The exported header of a revision file, as written (`downRevision`, labels, dependsOn). */
export function headerOf(path: string): Record<string, string> {
  const source = readFileSync(path, 'utf8')
  const out: Record<string, string> = {}
  for (const match of source.matchAll(/^export const (\w+)(?::[^=]+)? = (.+)$/gm)) {
    out[match[1] as string] = match[2] as string
  }
  return out
}

/** The `Running …` progress lines of a run's stderr, without their step counters and durations. */
export function progress(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((line) => line.replace(/^\[ *\d+\/\d+\] /, ''))
    .filter((line) => line.startsWith('Running '))
    .map((line) => line.replace(/ \([\d.]+ ms\)$/, ''))
}

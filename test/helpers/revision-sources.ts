// Revision files for tests of how the script directory reads and caches them.

/** The header fields a test revision declares besides its id. */
export interface HeaderSpec {
  readonly down?: string | readonly string[] | null
  readonly labels?: readonly string[]
  readonly dependsOn?: readonly string[]
}

const literal = (value: string | readonly string[] | null | undefined): string =>
  value === undefined || value === null
    ? 'null'
    : typeof value === 'string'
      ? `'${value}'`
      : `[${value.map((v) => `'${v}'`).join(', ')}]`

/** A revision file whose header is all literals, with `message` as its doc comment. */
export const literalRevision = (id: string, message: string, header: HeaderSpec = {}): string => `/**
 * ${message}
 *
 * Revision ID: ${id}
 */
export const revision = '${id}'
export const downRevision = ${literal(header.down)}
export const branchLabels = ${literal(header.labels)}
export const dependsOn = ${literal(header.dependsOn)}
export async function upgrade() {}
export async function downgrade() {}
`

/** An importer for loads that must read every header statically. */
export const noImport = async (): Promise<Record<string, unknown>> => {
  throw new Error('no module should be imported')
}

import { createOfflineSink } from '@migraph/operations'
import { diffSchemas } from './diff.js'
import { SchemaError } from './errors.js'
import { emptySchema, type SchemaDialect, type SchemaModel } from './model.js'

/** What the header of a schema dump says: where it comes from. */
export interface SchemaDumpHeader {
  /** The revisions the dumped schema is the result of, as `mig heads` lists them. */
  readonly heads: readonly string[]
  readonly dialect: SchemaDialect
}

const FIRST_LINE = '-- migraph schema dump'
const HEADS = '-- Heads:'
const DIALECT = '-- Dialect:'

/**
 * A schema as the SQL that creates it, in the dialect's own spelling, deterministic (objects in
 * the order that runs, each kind sorted by name), headed by comments naming the heads it
 * corresponds to: Rails' `structure.sql`, for `mig schema dump`. The statements are what the
 * op layer compiles for the ops that build the schema from nothing, so loading the file gives a
 * database whose catalog reads back as `model`.
 *
 * @example
 * ```ts
 * writeFileSync('schema.sql', await renderSchemaSql(model, { heads: ['1a2b3c4d5e6f'] }))
 * ```
 */
export async function renderSchemaSql(
  model: SchemaModel,
  header: Omit<SchemaDumpHeader, 'dialect'>,
): Promise<string> {
  const diff = diffSchemas(emptySchema(model.dialect), model)
  const unsupported = diff.differences.filter((d) => d.unsupported !== undefined)
  if (unsupported.length > 0) {
    const first = unsupported[0] as (typeof unsupported)[number]
    throw new SchemaError(
      'schema_not_representable',
      `the schema cannot be dumped: ${first.object} ${first.name} (${first.unsupported})`,
    )
  }
  const statements: string[] = []
  const sink = createOfflineSink(model.dialect, { write: (statement) => statements.push(statement) })
  for (const step of diff.upgrade) await sink.run(step.op)
  const lines = [
    `${FIRST_LINE}: the schema the revisions at these heads produce. Load it with \`mig setup\`.`,
    `${HEADS} ${header.heads.join(', ')}`,
    `${DIALECT} ${model.dialect}`,
    '',
    ...statements.map((statement) => `${statement}\n`),
  ]
  return `${lines.join('\n').trimEnd()}\n`
}

/**
 * Reads the header {@link renderSchemaSql} writes; undefined when the text does not start with
 * one (a file that is not a migraph schema dump).
 */
export function readSchemaDumpHeader(text: string): SchemaDumpHeader | undefined {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/, 3)
  if (!(lines[0] ?? '').startsWith(FIRST_LINE)) return undefined
  const heads = lines[1]?.startsWith(HEADS) ? lines[1].slice(HEADS.length).trim() : undefined
  const dialect = lines[2]?.startsWith(DIALECT) ? lines[2].slice(DIALECT.length).trim() : undefined
  if (heads === undefined || (dialect !== 'postgres' && dialect !== 'mysql' && dialect !== 'sqlite')) {
    return undefined
  }
  return { heads: heads === '' ? [] : heads.split(/\s*,\s*/), dialect }
}

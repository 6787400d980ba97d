import { createOfflineSink, createOperations, type OpSink } from '@migraph/operations'
import { importExternal } from '../external-import.js'
import type { RecordedStatement } from './lint-rules.js'

/** PostgreSQL's parser (libpg-query, WebAssembly): loaded once, when `mig lint` first needs it. */
type ParseSync = (sql: string) => { stmts?: { stmt: Record<string, unknown> }[] }
let parser: Promise<ParseSync> | undefined

/** Loads the parser; the WebAssembly module takes a moment, once per process. */
export function loadSqlParser(): Promise<ParseSync> {
  parser ??= importExternal<typeof import('libpg-query')>('libpg-query').then(async (mod) => {
    await mod.loadModule()
    return mod.parseSync as unknown as ParseSync
  })
  return parser
}

/**
 * Runs a revision's `upgrade` against a sink that touches no database: each op is compiled to
 * PostgreSQL SQL, as `--sql` would print it, and every statement parsed. Throws what the upgrade
 * throws (using `op.db`, for one: there is no connection).
 */
export async function recordUpgrade(
  upgrade: (op: never, context: never) => Promise<void> | void,
  revision: string,
  x: Readonly<Record<string, string>>,
): Promise<RecordedStatement[]> {
  const parse = await loadSqlParser()
  const texts: { op: number; opKind: string; sql: string }[] = []
  let index = 0
  let kind = ''
  const offline = createOfflineSink('postgres', {
    write: (sql) => texts.push({ op: index, opKind: kind, sql }),
  })
  const sink: OpSink = {
    flavour: 'postgres',
    db: null,
    run: async (op) => {
      index += 1
      kind = op.kind
      await offline.run(op)
    },
  }
  const { op, pendingCount } = createOperations(sink, { revision })
  await (upgrade as unknown as (op: unknown, context: unknown) => Promise<void>)(op, {
    revision,
    direction: 'up',
    x,
  })
  while (pendingCount() > 0) await new Promise((resolve) => setTimeout(resolve, 1))
  const out: RecordedStatement[] = []
  for (const text of texts) {
    try {
      const stmts = parse(text.sql).stmts ?? []
      for (const { stmt } of stmts) out.push({ ...text, node: stmt })
    } catch (error) {
      out.push({
        ...text,
        node: undefined,
        parseError: error instanceof Error ? error.message : String(error),
      })
    }
  }
  return out
}

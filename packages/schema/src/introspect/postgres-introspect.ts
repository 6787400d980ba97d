import type { ReferentialAction } from '@migraph/operations'
import { UnsupportedSchemaFeatureError } from '../errors.js'
import {
  byName,
  type ColumnModel,
  type EnumModel,
  type ForeignKeyModel,
  type IndexModel,
  type IndexPartModel,
  type SchemaModel,
  type SequenceModel,
  type TableModel,
  type ViewModel,
} from '../model.js'
import { normalizeSql } from '../normalize.js'
import { type CatalogReader, flag, type IntrospectOptions, text } from './catalog-reader.js'

// PostgreSQL and PGlite: everything from pg_catalog, with the database printing expressions
// back (pg_get_expr, pg_get_constraintdef, pg_get_indexdef, pg_get_viewdef) so that both sides
// of a comparison use its canonical spelling.

const ACTIONS: Readonly<Record<string, ReferentialAction>> = {
  a: 'no action',
  r: 'restrict',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
}

const SERIAL: Readonly<Record<string, string>> = {
  integer: 'serial',
  bigint: 'bigserial',
  smallint: 'smallserial',
}

const norm = (sql: string) => normalizeSql(sql, 'postgres')

/**
 * Reads one PostgreSQL schema (default: `current_schema()`) into a {@link SchemaModel}.
 *
 * @example
 * ```ts
 * const model = await introspectPostgres(reader, { exclude: ['mig_version'] })
 * ```
 */
export async function introspectPostgres(
  reader: CatalogReader,
  options: IntrospectOptions = {},
): Promise<SchemaModel> {
  const schema = options.schema ?? text((await reader.query('select current_schema() as s'))[0]?.s)
  const exclude = new Set(options.exclude ?? [])
  const relations = await reader.query(
    `select c.oid::int8 as oid, c.relname as name, c.relkind as kind, obj_description(c.oid, 'pg_class') as comment
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relkind in ('r', 'p', 'v', 'm', 'f')`,
    [schema],
  )
  const tableRows = relations.filter((r) => (r.kind === 'r' || r.kind === 'p') && !exclude.has(text(r.name)))
  for (const r of relations) {
    if (r.kind === 'm')
      throw new UnsupportedSchemaFeatureError('a materialized view', `relation '${text(r.name)}'`)
    if (r.kind === 'f')
      throw new UnsupportedSchemaFeatureError('a foreign table', `relation '${text(r.name)}'`)
  }
  const ids = tableRows.map((r) => text(r.oid))
  const inIds = ids.length === 0 ? '(null)' : `(${ids.map((id) => `${Number(id)}`).join(', ')})`

  const columnRows = await reader.query(
    `select a.attrelid::int8 as table_oid, a.attnum as num, a.attname as name,
            format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as notnull,
            pg_get_expr(d.adbin, d.adrelid) as default_sql, a.attidentity as identity,
            a.attgenerated as generated, col_description(a.attrelid, a.attnum) as comment,
            case when a.attcollation <> t.typcollation then co.collname end as collation
       from pg_attribute a
       join pg_type t on t.oid = a.atttypid
       left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
       left join pg_collation co on co.oid = a.attcollation
      where a.attrelid in ${inIds} and a.attnum > 0 and not a.attisdropped
      order by a.attrelid, a.attnum`,
  )
  const constraintRows = await reader.query(
    `select c.conrelid::int8 as table_oid, c.conname as name, c.contype as type,
            array_to_string(array(select a.attname from unnest(c.conkey) with ordinality k(n, i)
              join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.n order by k.i), chr(1)) as columns,
            ft.relname as ref_table, fn.nspname as ref_schema,
            array_to_string(array(select a.attname from unnest(c.confkey) with ordinality k(n, i)
              join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.n order by k.i), chr(1)) as ref_columns,
            c.confupdtype as on_update, c.confdeltype as on_delete, c.condeferrable as deferrable,
            c.condeferred as deferred, pg_get_constraintdef(c.oid, true) as definition
       from pg_constraint c
       left join pg_class ft on ft.oid = c.confrelid
       left join pg_namespace fn on fn.oid = ft.relnamespace
      where c.conrelid in ${inIds} and c.contype in ('p', 'u', 'f', 'c', 'x')
      order by c.conname`,
  )
  // INCLUDE columns follow the key columns in indkey and have no indoption entry (null, which
  // would blank the whole part): hence the coalesce.
  const indexRows = await reader.query(
    `select i.indrelid::int8 as table_oid, ic.relname as name, i.indisunique as is_unique,
            i.indnkeyatts as key_count, am.amname as method,
            pg_get_expr(i.indpred, i.indrelid, true) as predicate,
            array_to_string(array(
              select case when i.indkey[k.n - 1] = 0 then '1' || pg_get_indexdef(i.indexrelid, k.n, true)
                          else '0' || a.attname end || chr(2) || coalesce(i.indoption[k.n - 1] & 1, 0)::text
                from generate_series(1, i.indnatts) k(n)
                left join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[k.n - 1]
               order by k.n), chr(1)) as parts
       from pg_index i
       join pg_class ic on ic.oid = i.indexrelid
       join pg_am am on am.oid = ic.relam
      where i.indrelid in ${inIds}
        and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid and c.contype in ('p', 'u', 'x'))
      order by ic.relname`,
  )
  const enumRows = await reader.query(
    `select t.typname as name, e.enumlabel as value
       from pg_type t join pg_enum e on e.enumtypid = t.oid join pg_namespace n on n.oid = t.typnamespace
      where n.nspname = $1 order by t.typname, e.enumsortorder`,
    [schema],
  )
  const sequenceRows = await reader.query(
    `select c.relname as name, format_type(s.seqtypid, null) as type, s.seqstart::text as start,
            s.seqincrement::text as increment, s.seqmin::text as min, s.seqmax::text as max,
            s.seqcycle as cycle, s.seqcache::text as cache
       from pg_sequence s join pg_class c on c.oid = s.seqrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1
        and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid
                          and d.deptype in ('a', 'i'))
      order by c.relname`,
    [schema],
  )
  const viewRows = await reader.query(
    `select c.relname as name, pg_get_viewdef(c.oid, true) as definition
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relkind = 'v' order by c.relname`,
    [schema],
  )

  const tables = tableRows.map((row): TableModel => {
    const oid = text(row.oid)
    const mine = <T extends Record<string, unknown>>(rows: readonly T[]) =>
      rows.filter((r) => text(r.table_oid) === oid)
    const name = text(row.name)
    const constraints = mine(constraintRows)
    for (const c of constraints) {
      if (c.type === 'x')
        throw new UnsupportedSchemaFeatureError('an exclusion constraint', `table '${name}'`)
    }
    const key = constraints.find((c) => c.type === 'p')
    return {
      name,
      columns: mine(columnRows).map(column),
      primaryKey: key === undefined ? undefined : { name: text(key.name), columns: list(key.columns) },
      uniques: constraints
        .filter((c) => c.type === 'u')
        .map((c) => ({ name: text(c.name), columns: list(c.columns) })),
      foreignKeys: constraints.filter((c) => c.type === 'f').map((c) => foreignKey(c, schema)),
      checks: constraints
        .filter((c) => c.type === 'c')
        .map((c) => ({ name: text(c.name), expression: checkExpression(text(c.definition)) })),
      indexes: mine(indexRows).map(index),
      comment: row.comment === null || row.comment === undefined ? undefined : text(row.comment),
    }
  })
  return {
    dialect: 'postgres',
    tables: byName(tables),
    enums: enums(enumRows),
    sequences: sequenceRows.map(
      (r): SequenceModel => ({
        name: text(r.name),
        type: text(r.type),
        start: text(r.start),
        increment: text(r.increment),
        min: text(r.min),
        max: text(r.max),
        cycle: flag(r.cycle),
        cache: text(r.cache),
      }),
    ),
    views: viewRows.map(
      (r): ViewModel => ({ name: text(r.name), definition: viewDefinition(text(r.definition)) }),
    ),
  }
}

function list(value: unknown): string[] {
  const s = text(value)
  return s === '' ? [] : s.split('\u0001')
}

function column(row: Record<string, unknown>): ColumnModel {
  let type = text(row.type)
  let defaultSql =
    row.default_sql === null || row.default_sql === undefined ? undefined : text(row.default_sql)
  // A serial column is an integer whose default draws from a sequence it owns: say `serial`.
  const serial = SERIAL[type]
  if (
    defaultSql !== undefined &&
    serial !== undefined &&
    /^nextval\('[^']*_seq'::regclass\)$/.test(defaultSql)
  ) {
    type = serial
    defaultSql = undefined
  }
  const identity = text(row.identity)
  const generated = text(row.generated)
  return {
    name: text(row.name),
    type,
    nullable: !flag(row.notnull),
    default: generated === 's' || defaultSql === undefined ? undefined : norm(defaultSql),
    identity: identity === 'a' ? 'always' : identity === 'd' ? 'by default' : undefined,
    generated:
      generated === 's' && defaultSql !== undefined
        ? { expression: norm(defaultSql), stored: true }
        : undefined,
    collation: row.collation === null || row.collation === undefined ? undefined : text(row.collation),
    comment: row.comment === null || row.comment === undefined ? undefined : text(row.comment),
  }
}

function foreignKey(row: Record<string, unknown>, schema: string): ForeignKeyModel {
  const refSchema = text(row.ref_schema)
  return {
    name: text(row.name),
    columns: list(row.columns),
    references: {
      schema: refSchema === schema ? undefined : refSchema,
      table: text(row.ref_table),
      columns: list(row.ref_columns),
    },
    onDelete: ACTIONS[text(row.on_delete)] ?? 'no action',
    onUpdate: ACTIONS[text(row.on_update)] ?? 'no action',
    deferrable: flag(row.deferrable) ? (flag(row.deferred) ? 'deferred' : 'immediate') : undefined,
  }
}

/** `CHECK ((price > 0))` → `price > 0`. */
function checkExpression(definition: string): string {
  return norm(definition.replace(/^CHECK\s*/i, '').replace(/\s+NOT VALID$/i, ''))
}

function index(row: Record<string, unknown>): IndexModel {
  const keyCount = Number(row.key_count)
  const all = list(row.parts).map((p) => {
    const [body = '', desc = '0'] = p.split('\u0002')
    const isExpression = body.startsWith('1')
    const value = body.slice(1)
    return { isExpression, value, descending: desc === '1' }
  })
  const parts = all
    .slice(0, keyCount)
    .map(
      (p): IndexPartModel =>
        p.isExpression
          ? { expression: norm(p.value), descending: p.descending || undefined }
          : { column: p.value, descending: p.descending || undefined },
    )
  const include = all.slice(keyCount).map((p) => p.value)
  const method = text(row.method)
  return {
    name: text(row.name),
    unique: flag(row.is_unique),
    parts,
    where: row.predicate === null || row.predicate === undefined ? undefined : norm(text(row.predicate)),
    method: method === 'btree' ? undefined : method,
    include: include.length > 0 ? include : undefined,
  }
}

function enums(rows: readonly Record<string, unknown>[]): EnumModel[] {
  const byType = new Map<string, string[]>()
  for (const r of rows) {
    const values = byType.get(text(r.name)) ?? []
    values.push(text(r.value))
    byType.set(text(r.name), values)
  }
  return [...byType].map(([name, values]) => ({ name, values }))
}

/** The view's query as PostgreSQL prints it, without the trailing semicolon. */
function viewDefinition(definition: string): string {
  return definition.trim().replace(/;$/, '')
}

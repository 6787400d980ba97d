// A database's own description of a namespace, read from its catalog (pg_catalog and
// information_schema, information_schema on MariaDB, sqlite_master and PRAGMAs on SQLite), plus
// every table's rows, normalised so two namespaces compare equal when their schemas do.
import type { AnySchema, SqlFlavour } from '@migraph/operations'
import { type Kysely, sql } from 'kysely'

export type Snapshot = Record<string, unknown[]>

async function rows(
  db: Kysely<AnySchema>,
  query: ReturnType<typeof sql>,
): Promise<Record<string, unknown>[]> {
  return (await query.execute(db)).rows as Record<string, unknown>[]
}

const scrub = (value: unknown, label: string): unknown =>
  typeof value === 'string' ? value.split(label).join('<ns>') : value

function normalise(list: Record<string, unknown>[], label: string): unknown[] {
  return list
    .map((r) =>
      JSON.stringify(
        Object.entries(r).map(([k, v]) => [k, scrub(v instanceof Date ? v.toISOString() : v, label)]),
        (_k, v) => (typeof v === 'bigint' ? v.toString() : v),
      ),
    )
    .sort()
}

async function tableData(db: Kysely<AnySchema>, tables: { schema?: string; name: string }[], label: string) {
  const data: Record<string, unknown[]> = {}
  for (const t of tables) {
    const id = t.schema === undefined ? sql.id(t.name) : sql.id(t.schema, t.name)
    data[`data ${scrub(t.schema ?? '', label)}.${t.name}`] = normalise(
      await rows(db, sql`select * from ${id}`),
      label,
    )
  }
  return data
}

/** Everything in the namespace `label` (schemas whose name starts with it, on PostgreSQL). */
export async function snapshot(db: Kysely<AnySchema>, flavour: SqlFlavour, label: string): Promise<Snapshot> {
  switch (flavour) {
    case 'postgres': {
      const inNs = sql`(n.nspname = ${label} or n.nspname like ${`${label}\\_%`})`
      const columns = await rows(
        db,
        sql`select c.table_schema, c.table_name, c.column_name, c.data_type, c.udt_name, c.is_nullable, c.column_default,
              c.character_maximum_length, col_description(format('%I.%I', c.table_schema, c.table_name)::regclass, c.ordinal_position) as comment
            from information_schema.columns c join pg_namespace n on n.nspname = c.table_schema where ${inNs}`,
      )
      const constraints = await rows(
        db,
        sql`select n.nspname, t.relname, c.conname, c.contype, pg_get_constraintdef(c.oid) as def
            from pg_constraint c join pg_class t on t.oid = c.conrelid join pg_namespace n on n.oid = t.relnamespace where ${inNs}`,
      )
      const indexes = await rows(
        db,
        sql`select i.schemaname, i.tablename, i.indexname, i.indexdef from pg_indexes i join pg_namespace n on n.nspname = i.schemaname where ${inNs}`,
      )
      const views = await rows(
        db,
        sql`select v.table_schema, v.table_name, v.view_definition from information_schema.views v join pg_namespace n on n.nspname = v.table_schema where ${inNs}`,
      )
      const enums = await rows(
        db,
        sql`select n.nspname, t.typname, e.enumlabel, e.enumsortorder from pg_enum e join pg_type t on t.oid = e.enumtypid
            join pg_namespace n on n.oid = t.typnamespace where ${inNs}`,
      )
      const schemas = await rows(
        db,
        sql`select n.nspname from pg_namespace n where ${inNs} and n.nspname <> ${label}`,
      )
      const tables = await rows(
        db,
        sql`select n.nspname as schema, c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind = 'r' and ${inNs}`,
      )
      return {
        columns: normalise(columns, label),
        constraints: normalise(constraints, label),
        indexes: normalise(indexes, label),
        views: normalise(views, label),
        enums: normalise(enums, label),
        schemas: normalise(schemas, label),
        ...(await tableData(db, tables as { schema: string; name: string }[], label)),
      }
    }
    case 'mysql': {
      const columns = await rows(
        db,
        sql`select table_name, column_name, column_type, is_nullable, column_default, extra, column_comment
            from information_schema.columns where table_schema = ${label}`,
      )
      const constraints = await rows(
        db,
        sql`select tc.table_name, tc.constraint_name, tc.constraint_type, k.column_name, k.referenced_table_name, k.referenced_column_name,
              r.delete_rule, r.update_rule, cc.check_clause
            from information_schema.table_constraints tc
            left join information_schema.key_column_usage k on k.constraint_schema = tc.constraint_schema
              and k.table_name = tc.table_name and k.constraint_name = tc.constraint_name
            left join information_schema.referential_constraints r on r.constraint_schema = tc.constraint_schema
              and r.constraint_name = tc.constraint_name and r.table_name = tc.table_name
            left join information_schema.check_constraints cc on cc.constraint_schema = tc.constraint_schema
              and cc.constraint_name = tc.constraint_name and cc.table_name = tc.table_name
            where tc.table_schema = ${label}`,
      )
      const indexes = await rows(
        db,
        sql`select table_name, index_name, non_unique, seq_in_index, column_name from information_schema.statistics where table_schema = ${label}`,
      )
      const views = await rows(
        db,
        sql`select table_name, view_definition from information_schema.views where table_schema = ${label}`,
      )
      const tables = await rows(
        db,
        sql`select table_name as name from information_schema.tables where table_schema = ${label} and table_type = 'BASE TABLE'`,
      )
      return {
        columns: normalise(columns, label),
        constraints: normalise(constraints, label),
        indexes: normalise(indexes, label),
        views: normalise(views, label),
        ...(await tableData(db, tables as { name: string }[], label)),
      }
    }
    case 'sqlite': {
      const master = await rows(
        db,
        sql`select type, name, tbl_name, sql from sqlite_master where name not like 'sqlite_%'`,
      )
      const tables = master.filter((m) => m.type === 'table').map((m) => ({ name: String(m.name) }))
      const pragmas: Record<string, unknown>[] = []
      for (const t of tables) {
        for (const c of await rows(db, sql`select * from pragma_table_info(${t.name})`))
          pragmas.push({ table: t.name, ...c })
        for (const f of await rows(db, sql`select * from pragma_foreign_key_list(${t.name})`))
          pragmas.push({ table: t.name, fk: f })
        for (const i of await rows(db, sql`select * from pragma_index_list(${t.name})`))
          pragmas.push({ table: t.name, index: i })
      }
      return {
        master: normalise(master, label),
        pragmas: normalise(pragmas, label),
        ...(await tableData(db, tables, label)),
      }
    }
  }
}

/** True when nothing but the empty namespace is left. */
export function isEmpty(snap: Snapshot): boolean {
  return Object.values(snap).every((list) => list.length === 0)
}

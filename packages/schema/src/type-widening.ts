import type { SchemaDialect } from './model.js'

// Type changes that keep every value: a longer varchar, text for varchar, a wider integer, a
// numeric with more digits. Anything else is flagged for review in the generated revision.

const INTEGER_RANK: Readonly<Record<string, number>> = {
  smallint: 1,
  int2: 1,
  tinyint: 0,
  mediumint: 2,
  integer: 3,
  int: 3,
  int4: 3,
  bigint: 4,
  int8: 4,
}

const TEXTS = new Set(['text', 'mediumtext', 'longtext', 'clob'])

function parse(type: string): { base: string; args: number[] } {
  const m = /^([a-z ]+?)\s*(?:\(([\d, ]+)\))?$/.exec(type)
  if (m === null) return { base: type, args: [] }
  return {
    base: (m[1] ?? '').trim(),
    args: (m[2] ?? '')
      .split(',')
      .filter((s) => s.trim() !== '')
      .map(Number),
  }
}

/**
 * True when every value of `from` fits `to` unchanged.
 *
 * @example
 * ```ts
 * isWidening('character varying(20)', 'text', 'postgres') // => true
 * ```
 */
export function isWidening(from: string, to: string, _dialect: SchemaDialect): boolean {
  if (from === to) return true
  const a = parse(from)
  const b = parse(to)
  const ra = INTEGER_RANK[a.base]
  const rb = INTEGER_RANK[b.base]
  if (ra !== undefined && rb !== undefined) return rb >= ra
  const isString = (base: string) =>
    /^(character varying|varchar|character|char|text|nvarchar)$/.test(base) || TEXTS.has(base)
  if (isString(a.base) && (TEXTS.has(b.base) || (b.base === 'character varying' && b.args.length === 0)))
    return true
  if (isString(a.base) && isString(b.base) && a.args.length === 1 && b.args.length === 1) {
    return (
      (b.args[0] ?? 0) >= (a.args[0] ?? 0) &&
      !(/^(character|char)$/.test(b.base) && !/^(character|char)$/.test(a.base))
    )
  }
  if (/^(numeric|decimal)$/.test(a.base) && a.base === b.base) {
    if (b.args.length === 0) return true
    const [pa = 0, sa = 0] = a.args
    const [pb = 0, sb = 0] = b.args
    return a.args.length > 0 && sb >= sa && pb - sb >= pa - sa
  }
  return false
}

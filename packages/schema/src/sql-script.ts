import type { SchemaDialect } from './model.js'

/** One statement of a SQL script, with the line it starts on (1-based). */
export interface ScriptStatement {
  readonly sql: string
  readonly line: number
}

/**
 * Splits a DDL script at top-level semicolons, skipping those inside strings, quoted names,
 * comments, PostgreSQL dollar-quoted bodies and SQLite trigger bodies (`BEGIN … END`), so each
 * statement can run on its own and a failing one is reported with its line.
 *
 * @example
 * ```ts
 * splitStatements('create table a (x int);\ncreate table b (y int);', 'postgres')
 * // => [{ sql: 'create table a (x int)', line: 1 }, { sql: 'create table b (y int)', line: 2 }]
 * ```
 */
export function splitStatements(script: string, dialect: SchemaDialect): ScriptStatement[] {
  const statements: ScriptStatement[] = []
  let start = 0
  let line = 1
  let startLine = 1
  let triggerDepth = 0
  let i = 0
  let sawContent = false
  const push = (end: number) => {
    const text = script.slice(start, end).trim()
    if (text !== '' && sawContent) statements.push({ sql: text, line: startLine })
    sawContent = false
  }
  while (i < script.length) {
    const c = script[i] as string
    if (c === '\n') {
      line++
      i++
      continue
    }
    if (/\s/.test(c)) {
      i++
      continue
    }
    if (!sawContent) {
      startLine = line
      start = i
    }
    if (c === '-' && script[i + 1] === '-') {
      const end = script.indexOf('\n', i)
      i = end === -1 ? script.length : end
      continue
    }
    if (c === '#' && dialect === 'mysql') {
      const end = script.indexOf('\n', i)
      i = end === -1 ? script.length : end
      continue
    }
    if (c === '/' && script[i + 1] === '*') {
      const end = script.indexOf('*/', i + 2)
      const stop = end === -1 ? script.length : end + 2
      line += countLines(script, i, stop)
      i = stop
      continue
    }
    sawContent = true
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1
      while (j < script.length) {
        if (script[j] === '\\' && dialect === 'mysql') {
          j += 2
          continue
        }
        if (script[j] === c) {
          if (script[j + 1] === c) {
            j += 2
            continue
          }
          break
        }
        j++
      }
      line += countLines(script, i, j + 1)
      i = j + 1
      continue
    }
    if (c === '$' && dialect === 'postgres') {
      const tag = /^\$[A-Za-z_]*\$/.exec(script.slice(i))?.[0]
      if (tag !== undefined) {
        const end = script.indexOf(tag, i + tag.length)
        const stop = end === -1 ? script.length : end + tag.length
        line += countLines(script, i, stop)
        i = stop
        continue
      }
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i
      while (j < script.length && /[A-Za-z0-9_$]/.test(script[j] as string)) j++
      const word = script.slice(i, j).toLowerCase()
      if (dialect !== 'postgres') {
        if (word === 'trigger' && /^\s*create\b/i.test(script.slice(start, i))) triggerDepth = 1
        else if (triggerDepth > 0 && word === 'case') triggerDepth++
        else if (triggerDepth > 1 && word === 'end') triggerDepth--
        else if (triggerDepth === 1 && word === 'end') triggerDepth = -1
      }
      i = j
      continue
    }
    if (c === ';' && triggerDepth <= 0) {
      push(i)
      triggerDepth = 0
      i++
      continue
    }
    i++
  }
  push(script.length)
  return statements
}

function countLines(text: string, from: number, to: number): number {
  let n = 0
  for (let k = from; k < to && k < text.length; k++) if (text[k] === '\n') n++
  return n
}

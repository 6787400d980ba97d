import { createCompilerKysely, type Op, type SqlFlavour } from '@migraph/operations'
import type { Difference, DiffStep, RenameCandidate } from './differences.js'
import type { SchemaDialect } from './model.js'

/**
 * The order generated ops run in: types and sequences first, then what must go before tables
 * change (views, foreign keys, indexes and constraints being replaced), the tables, and what
 * needs them (indexes, constraints, foreign keys, views) last.
 */
export enum Phase {
  CreateType = 0,
  DropView = 1,
  DropForeignKey = 2,
  DropConstraint = 3,
  Rename = 4,
  CreateTable = 5,
  AlterTable = 6,
  DropColumn = 7,
  AddConstraint = 8,
  AddIndex = 9,
  AddForeignKey = 10,
  DropTable = 11,
  DropType = 12,
  CreateView = 13,
}

/** What one direction of a diff collects while it walks the two models. */
export interface PlanContext {
  readonly dialect: SchemaDialect
  readonly differences: Difference[]
  readonly candidates: RenameCandidate[]
  /** `table.old` → new column name, the table named as in the target model. */
  readonly columnRenames: ReadonlyMap<string, string>
  add(phase: Phase, ...ops: Op[]): void
  /** Adds one op that may lose data, with the reason. */
  addDestructive(phase: Phase, op: Op, reason: string): void
  steps(): DiffStep[]
}

/** A fresh context. */
export function createPlanContext(
  dialect: SchemaDialect,
  columnRenames: ReadonlyMap<string, string>,
): PlanContext {
  const phases = new Map<Phase, DiffStep[]>()
  const push = (phase: Phase, step: DiffStep) => {
    const list = phases.get(phase) ?? []
    list.push(step)
    phases.set(phase, list)
  }
  return {
    dialect,
    differences: [],
    candidates: [],
    columnRenames,
    add: (phase, ...ops) => {
      for (const op of ops) push(phase, { op })
    },
    addDestructive: (phase, op, reason) => push(phase, { op, destructive: reason }),
    steps: () =>
      [...phases.entries()]
        .sort(([a], [b]) => a - b)
        .flatMap(([, steps]) => steps.map((s) => Object.freeze(s))),
  }
}

/** Freezes an op and everything in it, as the op API does. */
export function freezeOp<T extends Op>(op: T): T {
  return deepFreeze(op)
}

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value
  // Kysely expressions are classes with their own immutability; leave them as they are.
  if (Object.getPrototypeOf(value) !== Object.prototype && !Array.isArray(value)) return value
  for (const item of Object.values(value)) deepFreeze(item)
  return Object.freeze(value)
}

const compilers = new Map<SqlFlavour, ReturnType<typeof createCompilerKysely>>()

/** A Kysely that only compiles, for raw statements the op API has no op for. */
export function compilerFor(dialect: SchemaDialect) {
  let compiler = compilers.get(dialect)
  if (compiler === undefined) {
    compiler = createCompilerKysely(dialect)
    compilers.set(dialect, compiler)
  }
  return compiler
}

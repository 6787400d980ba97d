import { MigraphError } from '@migraph/graph'

/**
 * Base class of the errors the schema model raises.
 *
 * @example
 * ```ts
 * try { diffSchemas(a, b) } catch (e) { if (e instanceof SchemaError) console.error(e.code) }
 * ```
 */
export class SchemaError extends MigraphError {
  override readonly name: string = 'SchemaError'
}

/** Two models of different dialects cannot be compared. */
export class SchemaDialectMismatchError extends SchemaError {
  override readonly name: string = 'SchemaDialectMismatchError'
  readonly from: string
  readonly to: string

  constructor(from: string, to: string) {
    super(
      'schema_dialect_mismatch',
      `Cannot compare a ${from} schema with a ${to} schema; both sides must come from the same kind of database`,
    )
    this.from = from
    this.to = to
  }
}

/** The catalog holds something the schema model cannot represent; it is named, never dropped. */
export class UnsupportedSchemaFeatureError extends SchemaError {
  override readonly name: string = 'UnsupportedSchemaFeatureError'
  readonly feature: string
  readonly object: string

  constructor(feature: string, object: string) {
    super(
      'unsupported_schema_feature',
      `${object} uses ${feature}, which the schema model cannot represent; leave it out of the compared schema or manage it by hand`,
    )
    this.feature = feature
    this.object = object
  }
}

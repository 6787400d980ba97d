// The canonical schema dump: for every schema of the corpus, the dump loaded into an empty
// database by the database's own client reads back as the same schema, and dumping that again
// gives the same text. PGlite and SQLite always; PostgreSQL and MariaDB when their URL variables
// are set (MySQL once its introspection exists).
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import {
  diffSchemas,
  formatDifferences,
  introspect,
  kyselyCatalogReader,
  readSchemaDumpHeader,
  renderSchemaSql,
  type SchemaModel,
} from '@migraph/schema'
import { availableTargets, type Namespace, type Target } from '../operations/helpers/targets.ts'
import { CORPUS, type CorpusDialect } from './helpers/corpus.ts'

const targets = availableTargets().filter((t) => t.flavour !== 'mysql')
after(async () => {
  for (const target of targets) await target.close()
})

const dialectOf = (target: Target): CorpusDialect => target.flavour

async function read(ns: Namespace, target: Target): Promise<SchemaModel> {
  await ns.activate()
  return introspect(kyselyCatalogReader(ns.db), target.flavour)
}

/** Every distinct non-empty schema the corpus declares, with the name of a pair using it. */
function schemasFor(dialect: CorpusDialect): Map<string, string> {
  const schemas = new Map<string, string>()
  for (const pair of CORPUS) {
    if (pair.only !== undefined && !pair.only.includes(dialect)) continue
    for (const [side, ddl] of [
      ['before', pair.before],
      ['after', pair.after],
    ] as const) {
      if (ddl !== '' && !schemas.has(ddl)) schemas.set(ddl, `${pair.name} (${side})`)
    }
  }
  return schemas
}

describe('schema dump header', () => {
  test('names the heads and the dialect, and is read back', async () => {
    const model: SchemaModel = { dialect: 'sqlite', tables: [], enums: [], sequences: [], views: [] }
    const text = await renderSchemaSql(model, { heads: ['1a2b3c4d5e6f', 'ffeeddccbbaa'] })
    assert.match(
      text,
      /^-- migraph schema dump: .*\n-- Heads: 1a2b3c4d5e6f, ffeeddccbbaa\n-- Dialect: sqlite\n$/,
    )
    assert.deepEqual(readSchemaDumpHeader(text), {
      heads: ['1a2b3c4d5e6f', 'ffeeddccbbaa'],
      dialect: 'sqlite',
    })
    assert.deepEqual(readSchemaDumpHeader(text.replace('1a2b3c4d5e6f, ffeeddccbbaa', '')), {
      heads: [],
      dialect: 'sqlite',
    })
    assert.equal(readSchemaDumpHeader('create table a (id integer);\n'), undefined)
    assert.equal(readSchemaDumpHeader(text.replace('sqlite', 'oracle')), undefined)
  })
})

for (const target of targets) {
  describe(`schema dump on ${target.name}`, () => {
    for (const [ddl, name] of schemasFor(dialectOf(target))) {
      test(name, async () => {
        const declared = await target.namespace()
        const loaded = await target.namespace()
        try {
          await declared.runScript(ddl)
          const wanted = await read(declared, target)
          const dump = await renderSchemaSql(wanted, { heads: ['1a2b3c4d5e6f'] })
          await loaded.runScript(dump)
          const got = await read(loaded, target)
          const diff = diffSchemas(got, wanted)
          assert.deepEqual(formatDifferences(diff), [], `the dump loads as the schema:\n${dump}`)
          assert.equal(await renderSchemaSql(got, { heads: ['1a2b3c4d5e6f'] }), dump, 'the dump is stable')
        } finally {
          await declared.close()
          await loaded.close()
        }
      })
    }
  })
}

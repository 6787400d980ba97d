import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  outsideTransactionReason,
  type SqlStatement,
  SqlSyntaxProblem,
  splitSql,
} from '../../packages/core/src/script/sql-splitter.ts'

const texts = (source: string, flavour: 'postgres' | 'mysql' | 'sqlite' = 'postgres') =>
  splitSql(source, { flavour }).map((s) => s.text)

const problem = (source: string, flavour: 'postgres' | 'mysql' | 'sqlite' = 'postgres') => {
  try {
    splitSql(source, { flavour })
  } catch (error) {
    assert.ok(error instanceof SqlSyntaxProblem)
    return `${error.line}: ${error.reason}`
  }
  assert.fail('expected a syntax problem')
}

describe('splitSql', () => {
  test('splits on semicolons, keeps text as written, drops blank and comment-only rests', () => {
    assert.deepEqual(texts('CREATE TABLE a (id int);\n\nINSERT INTO a VALUES (1);\n-- done\n'), [
      'CREATE TABLE a (id int)',
      'INSERT INTO a VALUES (1)',
    ])
    assert.deepEqual(texts('SELECT 1'), ['SELECT 1'])
    assert.deepEqual(texts('  ;; \n -- only a comment\n/* and another */'), [])
  })

  test('a statement line is the line of its first token, past leading comments', () => {
    const statements = splitSql('-- head\n\nCREATE TABLE a (id int);\n/* x */ SELECT\n1;', {
      flavour: 'postgres',
      lineOffset: 10,
    })
    assert.deepEqual(
      statements.map((s) => s.line),
      [13, 14],
    )
  })

  test('semicolons inside strings, quoted identifiers and comments do not split', () => {
    assert.deepEqual(
      texts(
        `INSERT INTO t VALUES ('a;b', 'it''s; fine');\nSELECT "we;ird" FROM t -- a; comment\n;\nSELECT /* ; */ 2;`,
      ),
      [`INSERT INTO t VALUES ('a;b', 'it''s; fine')`, 'SELECT "we;ird" FROM t', 'SELECT /* ; */ 2'],
    )
  })

  test("PostgreSQL E'' strings take backslash escapes; plain strings do not", () => {
    assert.deepEqual(texts(`SELECT E'a\\';b';SELECT 'c:\\';SELECT 3;`), [
      `SELECT E'a\\';b'`,
      `SELECT 'c:\\'`,
      'SELECT 3',
    ])
  })

  test('PostgreSQL dollar quotes, with and without tags, nested inside each other', () => {
    const fn = `CREATE FUNCTION f() RETURNS trigger AS $fn$
BEGIN
  PERFORM $$ a; b $$;
  NEW.slug := lower(NEW.name);
  RETURN NEW;
END;
$fn$ LANGUAGE plpgsql`
    assert.deepEqual(texts(`${fn};\nDO $$ BEGIN RAISE NOTICE 'x;'; END $$;\nSELECT $1;`), [
      fn,
      "DO $$ BEGIN RAISE NOTICE 'x;'; END $$",
      'SELECT $1',
    ])
  })

  test('nested block comments on PostgreSQL', () => {
    assert.deepEqual(texts('/* a /* b; */ c; */ SELECT 1; SELECT 2'), ['SELECT 1', 'SELECT 2'])
  })

  test('MySQL: backslash escapes, # comments, backticks, DELIMITER blocks', () => {
    const proc = `CREATE PROCEDURE p()
BEGIN
  INSERT INTO t VALUES ('x;y');
  SELECT 1;
END`
    const source = `INSERT INTO t VALUES ('it\\'s; ok'); # a; comment
SELECT \`a;b\` FROM t;
DELIMITER $$
${proc}$$
DELIMITER ;
SELECT 2;
`
    assert.deepEqual(texts(source, 'mysql'), [
      `INSERT INTO t VALUES ('it\\'s; ok')`,
      'SELECT `a;b` FROM t',
      proc,
      'SELECT 2',
    ])
  })

  test('DELIMITER with // and statements before and after, with their lines', () => {
    const source =
      'SELECT 1;\nDELIMITER //\nCREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; END//\nDELIMITER ;\nSELECT 2;'
    const statements = splitSql(source, { flavour: 'mysql' })
    assert.deepEqual(
      statements.map((s) => [s.line, s.text]),
      [
        [1, 'SELECT 1'],
        [3, 'CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; END'],
        [5, 'SELECT 2'],
      ],
    )
  })

  test('SQLite CREATE TRIGGER ... BEGIN ... END; is one statement, CASE ... END inside too', () => {
    const trigger = `CREATE TEMP TRIGGER IF NOT EXISTS tr AFTER INSERT ON t
BEGIN
  UPDATE t SET a = CASE WHEN new.a IS NULL THEN 0 ELSE new.a END WHERE id = new.id;
  INSERT INTO log VALUES ('end;');
END`
    assert.deepEqual(texts(`${trigger};\nSELECT 1;`, 'sqlite'), [trigger, 'SELECT 1'])
  })

  test('MySQL trigger body without DELIMITER: END IF does not close the BEGIN', () => {
    const trigger = `CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW
BEGIN
  IF NEW.a IS NULL THEN SET NEW.a = 1; END IF;
END`
    assert.deepEqual(texts(`${trigger};\nSELECT 1;`, 'mysql'), [trigger, 'SELECT 1'])
  })

  test('an unterminated string, identifier, dollar quote or comment names the line it opens on', () => {
    assert.equal(problem("SELECT 1;\nSELECT 'abc;\nSELECT 2;"), '2: unterminated string')
    assert.equal(problem('SELECT 1;\n\nSELECT "abc'), '3: unterminated quoted identifier')
    assert.equal(
      problem('SELECT 1;\nCREATE FUNCTION f() AS $body$ SELECT 1; $$;'),
      '2: unterminated dollar quote $body$',
    )
    assert.equal(problem('SELECT 1; /* a /* b */'), '1: unterminated /* comment')
    assert.equal(problem("SELECT E'a\\';", 'postgres'), '1: unterminated string')
    assert.equal(problem("SELECT 'it\\';", 'mysql'), '1: unterminated string')
  })

  test('words outside strings, for statements that cannot run in a transaction', () => {
    const reasons = (source: string) =>
      splitSql(source, { flavour: 'postgres' }).map(outsideTransactionReason)
    assert.deepEqual(
      reasons(`CREATE INDEX CONCURRENTLY i ON t (a);
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS j ON t (b);
DROP INDEX CONCURRENTLY i;
REINDEX INDEX CONCURRENTLY j;
VACUUM ANALYZE t;
CREATE DATABASE x;
ALTER SYSTEM SET work_mem = '4MB';
CREATE INDEX i2 ON t (a);
SELECT 'create index concurrently';
-- CREATE INDEX CONCURRENTLY
ALTER TABLE t ADD COLUMN c int`),
      [
        'CREATE INDEX CONCURRENTLY',
        'CREATE INDEX CONCURRENTLY',
        'DROP INDEX CONCURRENTLY',
        'REINDEX CONCURRENTLY',
        'VACUUM',
        'CREATE DATABASE',
        'ALTER SYSTEM',
        undefined,
        undefined,
        undefined,
      ],
    )
  })

  test('ALTER TYPE ... ADD VALUE leaves the transaction only before PostgreSQL 12', () => {
    const [addValue, addIfNotExists, addAttribute] = splitSql(
      `ALTER TYPE mood ADD VALUE 'happy';
ALTER TYPE public."Mood" ADD VALUE IF NOT EXISTS 'sad' BEFORE 'happy';
ALTER TYPE address ADD ATTRIBUTE zip text`,
      { flavour: 'postgres' },
    ) as [SqlStatement, SqlStatement, SqlStatement]
    for (const statement of [addValue, addIfNotExists]) {
      assert.equal(
        outsideTransactionReason(statement, 110022),
        'ALTER TYPE ... ADD VALUE before PostgreSQL 12',
      )
      assert.equal(outsideTransactionReason(statement, 120000), undefined)
      assert.equal(outsideTransactionReason(statement, 170004), undefined)
      assert.equal(outsideTransactionReason(statement), undefined)
    }
    assert.equal(outsideTransactionReason(addAttribute, 110022), undefined)
  })
})

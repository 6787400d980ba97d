// Before/after schema pairs: one kind of change each, and a few combined. `only` limits a pair
// to the dialects that have the feature. Every pair is plain DDL as a user would declare it.

import type { Renames } from '@migraph/schema'

export type CorpusDialect = 'postgres' | 'sqlite' | 'mysql'

export interface SchemaPair {
  readonly name: string
  readonly before: string
  readonly after: string
  readonly only?: readonly CorpusDialect[]
  readonly renames?: Renames
  /**
   * Where the database's own dump differs though the catalogs agree (what the model normalises
   * away on purpose, e.g. a check's parentheses as written).
   */
  readonly dumpDiffers?: readonly CorpusDialect[]
  /** The downgrade cannot be generated (and must say so). */
  readonly irreversible?: boolean
}

const account = 'create table account (id integer primary key, email varchar(200) not null, name text);'
const parent = 'create table parent (id integer primary key, code varchar(20) not null unique);'

export const CORPUS: readonly SchemaPair[] = [
  { name: 'create a table', before: '', after: account },
  { name: 'drop a table', before: account, after: '' },
  {
    name: 'add a nullable column',
    before: account,
    after: account.replace('name text', 'name text, age integer'),
  },
  {
    name: 'add a not null column with a default',
    before: account,
    after: account.replace('name text', "name text, status varchar(10) not null default 'new'"),
  },
  { name: 'drop a column', before: account, after: account.replace(', name text', '') },
  {
    name: 'widen a varchar',
    before: account,
    after: account.replace('varchar(200)', 'varchar(400)'),
  },
  { name: 'change a type', before: account, after: account.replace('name text', 'name varchar(50)') },
  { name: 'make a column nullable', before: account, after: account.replace(' not null', '') },
  {
    name: 'make a column not null',
    before: account,
    after: account.replace('name text', 'name text not null'),
  },
  { name: 'add a default', before: account, after: account.replace('name text', "name text default 'anon'") },
  {
    name: 'change a default',
    before: account.replace('name text', "name text default 'a'"),
    after: account.replace('name text', "name text default 'b'"),
  },
  { name: 'drop a default', before: account.replace('name text', "name text default 'a'"), after: account },
  {
    name: 'numeric default',
    before: 'create table item (id integer primary key, price numeric(10,2));',
    after: 'create table item (id integer primary key, price numeric(10,2) default 0);',
  },
  {
    name: 'add a unique constraint',
    before: account,
    after: account.replace(');', ', constraint account_email_key unique (email));'),
  },
  {
    name: 'drop a unique constraint',
    before: account.replace(');', ', constraint account_email_key unique (email));'),
    after: account,
  },
  {
    name: 'multi-column unique',
    before: account,
    after: account.replace(');', ', constraint account_email_name_key unique (email, name));'),
  },
  {
    name: 'add a check constraint',
    before: 'create table item (id integer primary key, price integer);',
    after:
      'create table item (id integer primary key, price integer, constraint item_price_check check (price > 0));',
  },
  {
    name: 'change a check constraint',
    before:
      'create table item (id integer primary key, price integer, constraint item_price_check check (price > 0));',
    after:
      'create table item (id integer primary key, price integer, constraint item_price_check check (price >= 10));',
  },
  {
    name: 'drop a check constraint',
    before:
      'create table item (id integer primary key, price integer, constraint item_price_check check (price > 0));',
    after: 'create table item (id integer primary key, price integer);',
  },
  {
    name: 'add an index',
    before: account,
    after: `${account} create index account_name_idx on account (name);`,
  },
  {
    name: 'drop an index',
    before: `${account} create index account_name_idx on account (name);`,
    after: account,
  },
  {
    name: 'add a unique index',
    before: account,
    after: `${account} create unique index account_email_idx on account (email);`,
  },
  {
    name: 'multi-column index',
    before: account,
    after: `${account} create index account_name_email_idx on account (name, email);`,
    // MariaDB cannot index two long text columns whole.
    only: ['postgres', 'sqlite'],
  },
  {
    name: 'partial index',
    before: account,
    after: `${account} create index account_named_idx on account (email) where name is not null;`,
    only: ['postgres', 'sqlite'],
  },
  {
    name: 'expression index',
    before: account,
    after: `${account} create index account_lower_email_idx on account (lower(email));`,
    only: ['postgres', 'sqlite'],
  },
  {
    name: 'descending index',
    before: account,
    after: `${account} create index account_name_desc_idx on account (name desc);`,
  },
  {
    name: 'change an index',
    before: `${account} create index account_x_idx on account (name);`,
    after: `${account} create index account_x_idx on account (email, name);`,
    // MariaDB cannot index two long text columns whole.
    only: ['postgres', 'sqlite'],
  },
  {
    name: 'add a foreign key',
    before: `${parent} create table child (id integer primary key, parent_id integer);`,
    after: `${parent} create table child (id integer primary key, parent_id integer, constraint child_parent_id_fkey foreign key (parent_id) references parent (id));`,
  },
  {
    name: 'drop a foreign key',
    before: `${parent} create table child (id integer primary key, parent_id integer, constraint child_parent_id_fkey foreign key (parent_id) references parent (id));`,
    after: `${parent} create table child (id integer primary key, parent_id integer);`,
  },
  {
    name: 'foreign key actions',
    before: `${parent} create table child (id integer primary key, parent_id integer, constraint child_parent_id_fkey foreign key (parent_id) references parent (id));`,
    after: `${parent} create table child (id integer primary key, parent_id integer, constraint child_parent_id_fkey foreign key (parent_id) references parent (id) on delete cascade on update set null);`,
  },
  {
    name: 'new tables referencing each other',
    before: '',
    after: `${parent} create table child (id integer primary key, parent_id integer not null, constraint child_parent_id_fkey foreign key (parent_id) references parent (id) on delete cascade); create index child_parent_idx on child (parent_id);`,
  },
  {
    name: 'drop tables referencing each other',
    before: `${parent} create table child (id integer primary key, parent_id integer, constraint child_parent_id_fkey foreign key (parent_id) references parent (id));`,
    after: '',
  },
  {
    name: 'foreign key to a unique column',
    before: parent,
    after: `${parent} create table child (id integer primary key, code varchar(20), constraint child_code_fkey foreign key (code) references parent (code));`,
  },
  {
    name: 'change the primary key',
    before:
      'create table pair (a integer not null, b integer not null, constraint pair_pkey primary key (a));',
    after:
      'create table pair (a integer not null, b integer not null, constraint pair_pkey primary key (a, b));',
  },
  {
    name: 'add a primary key',
    before: 'create table pair (a integer not null, b integer not null);',
    after:
      'create table pair (a integer not null, b integer not null, constraint pair_pkey primary key (a));',
  },
  {
    name: 'rename a column',
    before: account,
    after: account.replace('name text', 'full_name text'),
    renames: { columns: { 'account.name': 'full_name' } },
  },
  {
    name: 'rename a table',
    before: account,
    after: account.replace('account', 'customer'),
    renames: { tables: { account: 'customer' } },
  },
  {
    name: 'drop a column with an index on it',
    before: `${account} create index account_name_idx on account (name);`,
    after: account.replace(', name text', ''),
  },
  {
    name: 'several changes to one table',
    before: `${account} create index account_name_idx on account (name);`,
    after:
      "create table account (id integer primary key, email varchar(300), name text not null default 'x', age integer, constraint account_email_key unique (email)); create index account_age_idx on account (age);",
  },
  {
    name: 'several tables at once',
    before: `${account} create table tag (id integer primary key, label text);`,
    after: `${account.replace('name text', 'name text, tag_id integer')} create table note (id integer primary key, body text not null); create index note_body_idx on note (body);`,
  },
  {
    name: 'create a view',
    before: account,
    after: `${account} create view account_emails as select id, email from account;`,
  },
  {
    name: 'change a view',
    before: `${account} create view account_emails as select id, email from account;`,
    after: `${account} create view account_emails as select id, email, name from account;`,
  },
  {
    name: 'drop a view',
    before: `${account} create view account_emails as select id, email from account;`,
    after: account,
  },
  {
    name: 'change a table a view reads',
    before: `${account} create view account_emails as select id, email from account;`,
    after: `${account.replace('varchar(200)', 'varchar(300)')} create view account_emails as select id, email from account;`,
  },
  // PostgreSQL only
  {
    name: 'create an enum and a column of it',
    before: account,
    after: `create type mood as enum ('sad', 'ok', 'happy'); ${account.replace('name text', 'name text, mood mood')}`,
    only: ['postgres'],
  },
  {
    name: 'add an enum value',
    before: "create type mood as enum ('sad', 'happy');",
    after: "create type mood as enum ('sad', 'ok', 'happy');",
    only: ['postgres'],
    irreversible: true,
  },
  {
    name: 'drop an enum',
    before: "create type mood as enum ('sad', 'happy');",
    after: '',
    only: ['postgres'],
  },
  {
    name: 'identity column',
    before: 'create table t (id integer not null, v text);',
    after: 'create table t (id integer generated always as identity, v text);',
    only: ['postgres'],
  },
  {
    name: 'serial column',
    before: '',
    after: 'create table t (id serial primary key, v text);',
    only: ['postgres'],
  },
  {
    name: 'create a sequence',
    before: '',
    after: 'create sequence invoice_no start with 1000 increment by 5;',
    only: ['postgres'],
  },
  {
    name: 'column comment',
    before: account,
    after: `${account} comment on column account.email is 'where we write';`,
    only: ['postgres'],
  },
  {
    name: 'table comment',
    before: account,
    after: `${account} comment on table account is 'people';`,
    only: ['postgres'],
  },
  {
    name: 'deferrable foreign key',
    before: `${parent} create table child (id integer primary key, parent_id integer);`,
    after: `${parent} create table child (id integer primary key, parent_id integer, constraint child_parent_id_fkey foreign key (parent_id) references parent (id) deferrable initially deferred);`,
    only: ['postgres'],
  },
  {
    name: 'index method and include',
    before: 'create table doc (id integer primary key, tags text[], title text, body text);',
    after:
      'create table doc (id integer primary key, tags text[], title text, body text); create index doc_tags_idx on doc using gin (tags); create index doc_title_idx on doc (title) include (body);',
    only: ['postgres'],
  },
  {
    name: 'generated column',
    before: 'create table box (w integer, h integer);',
    after: 'create table box (w integer, h integer, area integer generated always as (w * h) stored);',
    only: ['postgres'],
  },
  {
    name: 'column collation',
    before: 'create table t (id integer primary key, v text);',
    after: 'create table t (id integer primary key, v text collate "C");',
    only: ['postgres'],
  },
  {
    name: 'timestamp and json types',
    before: 'create table ev (id bigint primary key);',
    after:
      "create table ev (id bigint primary key, at timestamptz not null default now(), data jsonb default '{}');",
    only: ['postgres'],
  },
  // SQLite only
  {
    name: 'autoincrement key',
    before: '',
    after: 'create table t (id integer primary key autoincrement, v text);',
    only: ['sqlite'],
  },
  {
    name: 'unnamed constraints rebuilt',
    before: 'create table t (id integer primary key, a integer, b integer, unique (a), check (b > 0));',
    after: 'create table t (id integer primary key, a integer, b integer, unique (b), check (b > 1));',
    only: ['sqlite'],
  },
  // MySQL/MariaDB only
  {
    name: 'unsigned type, display width ignored',
    before: 'create table m (id int(11) primary key, n int(11));',
    after: 'create table m (id int primary key, n int unsigned);',
    only: ['mysql'],
  },
  {
    name: 'inline enum column',
    before: 'create table m (id int primary key);',
    after: "create table m (id int primary key, mood enum('sad', 'ok') not null default 'ok');",
    only: ['mysql'],
  },
  {
    name: 'auto_increment key',
    before: '',
    after: 'create table m (id int auto_increment primary key, v text);',
    only: ['mysql'],
  },
  {
    name: 'column and table comments',
    before: 'create table m (id int primary key, v varchar(20));',
    after: "create table m (id int primary key, v varchar(20) comment 'the value') comment = 'things';",
    only: ['mysql'],
  },
  {
    name: 'json and timestamp defaults',
    before: 'create table m (id int primary key);',
    after: 'create table m (id int primary key, data json, at timestamp not null default current_timestamp);',
    only: ['mysql'],
  },
  {
    name: 'fulltext index',
    before: 'create table m (id int primary key, body text);',
    after: 'create table m (id int primary key, body text); create fulltext index m_body_ft on m (body);',
    only: ['mysql'],
  },
  {
    name: 'column collation',
    before: 'create table m (id int primary key, v varchar(20));',
    after: 'create table m (id int primary key, v varchar(20) collate utf8mb4_bin);',
    only: ['mysql'],
  },
]

// The exact SQL each case of shape-cases.ts writes offline, per dialect ("error: <code>" when the
// dialect refuses the op before anything runs). Reviewed by hand against each database's grammar.
export const EXPECTED: Record<string, Record<'postgres' | 'mysql' | 'sqlite', readonly string[] | string>> = {
  'createTable with every column option': {
    postgres: [
      'create table "account" ("id" serial not null primary key, "email" varchar(320) not null unique, "team_id" bigint references "team" ("id") on delete cascade on update restrict, "score" numeric(10, 2) default 0 check (score >= 0), "active" boolean not null default true, "uid" uuid);',
    ],
    mysql: [
      'create table `account` (`id` integer not null auto_increment primary key, `email` varchar(320) not null unique, `team_id` bigint, `score` numeric(10, 2) default 0 check (score >= 0), `active` boolean not null default true, `uid` char(36), foreign key (`team_id`) references `team` (`id`) on delete cascade on update restrict);',
    ],
    sqlite: [
      'create table "account" ("id" integer not null primary key, "email" varchar(320) not null unique, "team_id" bigint references "team" ("id") on delete cascade on update restrict, "score" numeric(10, 2) default 0 check (score >= 0), "active" boolean not null default true, "uid" uuid);',
    ],
  },
  'createTable with table constraints, ifNotExists and an index': {
    postgres: [
      'create table if not exists "member" ("team_id" integer not null, "user_id" integer not null, "role" text, constraint "member_pkey" primary key ("team_id", "user_id"), unique ("user_id", "role"), constraint "member_team_fk" foreign key ("team_id") references "team" ("id") on delete set null, constraint "member_role_check" check (role <> \'\'));',
      'create index if not exists "member_role_idx" on "member" ("role");',
    ],
    mysql: [
      "create table if not exists `member` (`team_id` integer not null, `user_id` integer not null, `role` text, constraint `member_pkey` primary key (`team_id`, `user_id`), unique (`user_id`, `role`), constraint `member_team_fk` foreign key (`team_id`) references `team` (`id`) on delete set null, constraint `member_role_check` check (role <> ''));",
      'create index if not exists `member_role_idx` on `member` (`role`);',
    ],
    sqlite: [
      'create table if not exists "member" ("team_id" integer not null, "user_id" integer not null, "role" text, constraint "member_pkey" primary key ("team_id", "user_id"), unique ("user_id", "role"), constraint "member_team_fk" foreign key ("team_id") references "team" ("id") on delete set null, constraint "member_role_check" check (role <> \'\'));',
      'create index if not exists "member_role_idx" on "member" ("role");',
    ],
  },
  'createTable with a column comment': {
    postgres: [
      'create table "note" ("body" text);',
      'comment on column "note"."body" is \'it\'\'s \\ here\';',
    ],
    mysql: ["create table `note` (`body` text comment 'it''s \\\\ here');"],
    sqlite: 'error: unsupported_operation',
  },
  'createTable in a schema': {
    postgres: ['create table "billing"."invoice" ("id" bigserial not null primary key);'],
    mysql: ['create table `billing`.`invoice` (`id` bigint not null auto_increment primary key);'],
    sqlite: 'error: unsupported_operation',
  },
  dropTable: {
    postgres: ['drop table "account";'],
    mysql: ['drop table `account`;'],
    sqlite: ['drop table "account";'],
  },
  'dropTable if exists': {
    postgres: ['drop table if exists "account";'],
    mysql: ['drop table if exists `account`;'],
    sqlite: ['drop table if exists "account";'],
  },
  'dropTable cascade': {
    postgres: ['drop table "account" cascade;'],
    mysql: 'error: unsupported_operation',
    sqlite: 'error: unsupported_operation',
  },
  renameTable: {
    postgres: ['alter table "account" rename to "user_account";'],
    mysql: ['alter table `account` rename to `user_account`;'],
    sqlite: ['alter table "account" rename to "user_account";'],
  },
  addColumn: {
    postgres: ['alter table "account" add column "nickname" varchar(40) default \'n/a\';'],
    mysql: ["alter table `account` add column `nickname` varchar(40) default 'n/a';"],
    sqlite: ['alter table "account" add column "nickname" varchar(40) default \'n/a\';'],
  },
  'addColumn with a reference': {
    postgres: [
      'alter table "account" add column "org_id" integer references "org" ("id") on delete set null;',
    ],
    mysql: [
      'alter table `account` add column `org_id` integer, add foreign key (`org_id`) references `org` (`id`) on delete set null;',
    ],
    sqlite: ['alter table "account" add column "org_id" integer references "org" ("id") on delete set null;'],
  },
  dropColumn: {
    postgres: ['alter table "account" drop column "nickname";'],
    mysql: ['alter table `account` drop column `nickname`;'],
    sqlite: ['alter table "account" drop column "nickname";'],
  },
  'alterColumn type with using': {
    postgres: ['alter table "account" alter column "score" type integer using score::integer;'],
    mysql: 'error: unsupported_operation',
    sqlite: 'error: unsupported_operation',
  },
  'alterColumn type, nullable and default on a known table': {
    postgres: [
      'create table "t" ("id" integer not null primary key, "a" varchar(20), "b" integer);',
      'alter table "t" alter column "a" type text;',
      'alter table "t" alter column "a" set not null;',
      'alter table "t" alter column "a" set default \'x\';',
    ],
    mysql: [
      'create table `t` (`id` integer not null primary key, `a` varchar(20), `b` integer);',
      "alter table `t` modify column `a` text not null default 'x';",
    ],
    sqlite: [
      'create table "t" ("id" integer not null primary key, "a" varchar(20), "b" integer);',
      'create table "_mig_tmp_t" ("id" integer not null, "a" text not null default \'x\', "b" integer, primary key ("id"));',
      'insert into "_mig_tmp_t" ("id", "a", "b") select "id", cast("a" as text), "b" from "t";',
      'drop table "t";',
      'pragma legacy_alter_table = on;',
      'alter table "_mig_tmp_t" rename to "t";',
      'pragma legacy_alter_table = off;',
    ],
  },
  'alterColumn set default': {
    postgres: ['alter table "account" alter column "score" set default 1;'],
    mysql: ['alter table `account` alter column `score` set default 1;'],
    sqlite: 'error: missing_table_definition',
  },
  'alterColumn drop default': {
    postgres: ['alter table "account" alter column "score" drop default;'],
    mysql: ['alter table `account` alter column `score` drop default;'],
    sqlite: 'error: missing_table_definition',
  },
  'alterColumn rename': {
    postgres: ['alter table "account" rename column "email" to "login";'],
    mysql: ['alter table `account` rename column `email` to `login`;'],
    sqlite: ['alter table "account" rename column "email" to "login";'],
  },
  'alterColumn comment with existing definition': {
    postgres: ['comment on column "account"."email" is \'login\';'],
    mysql: ["alter table `account` modify column `email` varchar(320) not null comment 'login';"],
    sqlite: 'error: unsupported_operation',
  },
  'alterColumn nullable on an unknown table': {
    postgres: ['alter table "account" alter column "email" drop not null;'],
    mysql: 'error: missing_table_definition',
    sqlite: 'error: missing_table_definition',
  },
  createIndex: {
    postgres: ['create index "account_email_idx" on "account" ("email", "team_id");'],
    mysql: ['create index `account_email_idx` on `account` (`email`, `team_id`);'],
    sqlite: ['create index "account_email_idx" on "account" ("email", "team_id");'],
  },
  'createIndex unique partial with expression': {
    postgres: ['create unique index "account_lower_email_key" on "account" ((lower(email))) where active;'],
    mysql: 'error: unsupported_operation',
    sqlite: ['create unique index "account_lower_email_key" on "account" ((lower(email))) where active;'],
  },
  'createIndex concurrently if not exists': {
    postgres: ['create index concurrently if not exists "account_team_idx" on "account" ("team_id");'],
    mysql: 'error: unsupported_operation',
    sqlite: 'error: unsupported_operation',
  },
  dropIndex: {
    postgres: ['drop index "account_email_idx";'],
    mysql: ['drop index `account_email_idx` on `account`;'],
    sqlite: ['drop index "account_email_idx";'],
  },
  'dropIndex concurrently if exists in a schema': {
    postgres: ['drop index concurrently if exists "billing"."invoice_idx";'],
    mysql: 'error: unsupported_operation',
    sqlite: 'error: unsupported_operation',
  },
  createPrimaryKey: {
    postgres: [
      'create table "t" ("id" integer not null primary key, "a" varchar(20), "b" integer);',
      'alter table "t" add constraint "t_pkey" primary key ("id", "a");',
    ],
    mysql: [
      'create table `t` (`id` integer not null primary key, `a` varchar(20), `b` integer);',
      'alter table `t` add constraint `t_pkey` primary key (`id`, `a`);',
    ],
    sqlite: [
      'create table "t" ("id" integer not null primary key, "a" varchar(20), "b" integer);',
      'create table "_mig_tmp_t" ("id" integer not null, "a" varchar(20), "b" integer, constraint "t_pkey" primary key ("id", "a"));',
      'insert into "_mig_tmp_t" ("id", "a", "b") select "id", "a", "b" from "t";',
      'drop table "t";',
      'pragma legacy_alter_table = on;',
      'alter table "_mig_tmp_t" rename to "t";',
      'pragma legacy_alter_table = off;',
    ],
  },
  createUniqueConstraint: {
    postgres: [
      'create table "t" ("id" integer not null primary key, "a" varchar(20), "b" integer);',
      'alter table "t" add constraint "t_a_key" unique ("a");',
    ],
    mysql: [
      'create table `t` (`id` integer not null primary key, `a` varchar(20), `b` integer);',
      'alter table `t` add constraint `t_a_key` unique (`a`);',
    ],
    sqlite: [
      'create table "t" ("id" integer not null primary key, "a" varchar(20), "b" integer);',
      'create table "_mig_tmp_t" ("id" integer not null, "a" varchar(20), "b" integer, primary key ("id"), constraint "t_a_key" unique ("a"));',
      'insert into "_mig_tmp_t" ("id", "a", "b") select "id", "a", "b" from "t";',
      'drop table "t";',
      'pragma legacy_alter_table = on;',
      'alter table "_mig_tmp_t" rename to "t";',
      'pragma legacy_alter_table = off;',
    ],
  },
  createForeignKey: {
    postgres: [
      'create table "t" ("id" integer not null primary key, "a" varchar(20), "b" integer);',
      'alter table "t" add constraint "t_b_fk" foreign key ("b") references "other" ("id") on delete cascade;',
    ],
    mysql: [
      'create table `t` (`id` integer not null primary key, `a` varchar(20), `b` integer);',
      'alter table `t` add constraint `t_b_fk` foreign key (`b`) references `other` (`id`) on delete cascade;',
    ],
    sqlite: [
      'create table "t" ("id" integer not null primary key, "a" varchar(20), "b" integer);',
      'create table "_mig_tmp_t" ("id" integer not null, "a" varchar(20), "b" integer, primary key ("id"), constraint "t_b_fk" foreign key ("b") references "other" ("id") on delete cascade);',
      'insert into "_mig_tmp_t" ("id", "a", "b") select "id", "a", "b" from "t";',
      'drop table "t";',
      'pragma legacy_alter_table = on;',
      'alter table "_mig_tmp_t" rename to "t";',
      'pragma legacy_alter_table = off;',
    ],
  },
  createCheckConstraint: {
    postgres: [
      'create table "t" ("id" integer not null primary key, "a" varchar(20), "b" integer);',
      'alter table "t" add constraint "t_b_check" check (b > 0);',
    ],
    mysql: [
      'create table `t` (`id` integer not null primary key, `a` varchar(20), `b` integer);',
      'alter table `t` add constraint `t_b_check` check (b > 0);',
    ],
    sqlite: [
      'create table "t" ("id" integer not null primary key, "a" varchar(20), "b" integer);',
      'create table "_mig_tmp_t" ("id" integer not null, "a" varchar(20), "b" integer, primary key ("id"), constraint "t_b_check" check (b > 0));',
      'insert into "_mig_tmp_t" ("id", "a", "b") select "id", "a", "b" from "t";',
      'drop table "t";',
      'pragma legacy_alter_table = on;',
      'alter table "_mig_tmp_t" rename to "t";',
      'pragma legacy_alter_table = off;',
    ],
  },
  'dropConstraint of a known kind': {
    postgres: [
      'create table "t" ("a" integer, constraint "t_a_key" unique ("a"));',
      'alter table "t" drop constraint "t_a_key";',
    ],
    mysql: [
      'create table `t` (`a` integer, constraint `t_a_key` unique (`a`));',
      'alter table `t` drop index `t_a_key`;',
    ],
    sqlite: [
      'create table "t" ("a" integer, constraint "t_a_key" unique ("a"));',
      'create table "_mig_tmp_t" ("a" integer);',
      'insert into "_mig_tmp_t" ("a") select "a" from "t";',
      'drop table "t";',
      'pragma legacy_alter_table = on;',
      'alter table "_mig_tmp_t" rename to "t";',
      'pragma legacy_alter_table = off;',
    ],
  },
  'dropConstraint with type': {
    postgres: ['alter table "t" drop constraint "t_b_fk";'],
    mysql: ['alter table `t` drop foreign key `t_b_fk`;'],
    sqlite: 'error: missing_table_definition',
  },
  createSchema: {
    postgres: ['create schema if not exists "billing";'],
    mysql: ['create schema if not exists `billing`;'],
    sqlite: 'error: unsupported_operation',
  },
  dropSchema: {
    postgres: ['drop schema "billing" cascade;'],
    mysql: ['drop schema `billing`;'],
    sqlite: 'error: unsupported_operation',
  },
  createEnum: {
    postgres: ["create type \"mood\" as enum ('happy', 'it''s');"],
    mysql: 'error: unsupported_operation',
    sqlite: 'error: unsupported_operation',
  },
  addEnumValue: {
    postgres: ["alter type \"mood\" add value if not exists 'sad' before 'happy';"],
    mysql: 'error: unsupported_operation',
    sqlite: 'error: unsupported_operation',
  },
  dropEnum: {
    postgres: ['drop type if exists "mood";'],
    mysql: 'error: unsupported_operation',
    sqlite: 'error: unsupported_operation',
  },
  createView: {
    postgres: [
      'create view "active_account" ("id", "email") as select "id", "email" from "account" where "active" = true;',
    ],
    mysql: [
      'create view `active_account` (`id`, `email`) as select `id`, `email` from `account` where `active` = true;',
    ],
    sqlite: [
      'create view "active_account" ("id", "email") as select "id", "email" from "account" where "active" = 1;',
    ],
  },
  'createView or replace': {
    postgres: ['create or replace view "v" as select 1 as one;'],
    mysql: ['create or replace view `v` as select 1 as one;'],
    sqlite: 'error: unsupported_operation',
  },
  dropView: {
    postgres: ['drop view if exists "active_account";'],
    mysql: ['drop view if exists `active_account`;'],
    sqlite: ['drop view if exists "active_account";'],
  },
  'execute text': {
    postgres: ['update account set active = true;'],
    mysql: ['update account set active = true;'],
    sqlite: ['update account set active = true;'],
  },
  'execute a query': {
    postgres: ['update "account" set "email" = \'o\'\'hara\\x\' where "id" = 7;'],
    mysql: ["update `account` set `email` = 'o''hara\\\\x' where `id` = 7;"],
    sqlite: ['update "account" set "email" = \'o\'\'hara\\x\' where "id" = 7;'],
  },
  bulkInsert: {
    postgres: [
      'insert into "account" ("active", "email", "id") values (true, \'a\'\'b\', 1), (false, \'c\\d\', 2);',
      'insert into "account" ("email", "id") values (null, 3);',
    ],
    mysql: [
      "insert into `account` (`active`, `email`, `id`) values (true, 'a''b', 1), (false, 'c\\\\d', 2);",
      'insert into `account` (`email`, `id`) values (null, 3);',
    ],
    sqlite: [
      'insert into "account" ("active", "email", "id") values (1, \'a\'\'b\', 1), (0, \'c\\d\', 2);',
      'insert into "account" ("email", "id") values (null, 3);',
    ],
  },
  batchAlterTable: {
    postgres: [
      'create table "t" ("id" integer not null primary key, "a" varchar(20), "b" integer);',
      'alter table "t" alter column "a" set not null;',
      'alter table "t" drop column "b";',
      'alter table "t" add column "c" text default \'z\';',
      'create index "t_c_idx" on "t" ("c");',
    ],
    mysql: [
      'create table `t` (`id` integer not null primary key, `a` varchar(20), `b` integer);',
      'alter table `t` modify column `a` varchar(20) not null;',
      'alter table `t` drop column `b`;',
      "alter table `t` add column `c` text default 'z';",
      'create index `t_c_idx` on `t` (`c`);',
    ],
    sqlite: [
      'create table "t" ("id" integer not null primary key, "a" varchar(20), "b" integer);',
      'create table "_mig_tmp_t" ("id" integer not null, "a" varchar(20) not null, "c" text default \'z\', primary key ("id"));',
      'insert into "_mig_tmp_t" ("id", "a") select "id", "a" from "t";',
      'drop table "t";',
      'pragma legacy_alter_table = on;',
      'alter table "_mig_tmp_t" rename to "t";',
      'pragma legacy_alter_table = off;',
      'create index "t_c_idx" on "t" ("c");',
    ],
  },
  'batchAlterTable with copyFrom': {
    postgres: ['alter table "legacy" alter column "n" type bigint;'],
    mysql: ['alter table `legacy` modify column `n` bigint;'],
    sqlite: [
      'create table "_mig_tmp_legacy" ("id" integer not null, "n" bigint, primary key ("id"));',
      'insert into "_mig_tmp_legacy" ("id", "n") select "id", cast("n" as bigint) from "legacy";',
      'drop table "legacy";',
      'pragma legacy_alter_table = on;',
      'alter table "_mig_tmp_legacy" rename to "legacy";',
      'pragma legacy_alter_table = off;',
    ],
  },
}

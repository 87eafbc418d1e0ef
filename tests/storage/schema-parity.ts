/**
 * Reads a schema from SQLite (pragmas and sqlite_schema) and from PostgreSQL (pg_catalog and
 * information_schema) into one shape, and lists every difference between the two by name.
 *
 * The translation rules of server/store/postgres/migrations/001-baseline.sql are applied before
 * comparing, so only real gaps remain:
 * - types: INTEGER → bigint, REAL → double precision, BLOB → bytea, TEXT → text, and TEXT COLLATE
 *   NOCASE → citext (an index key on such a column reads `name nocase` on both sides);
 * - SQLite's rowid alias (INTEGER PRIMARY KEY) is an identity column in PostgreSQL, and no other
 *   column is one;
 * - primary-key columns are NOT NULL on both sides (PostgreSQL always; SQLite's non-integer keys
 *   would accept NULL, which the code never writes);
 * - defaults, partial-index predicates and expression keys are compared as text after dropping
 *   PostgreSQL's casts (`'{}'::text`) and parentheses, and reading `= ANY (ARRAY[…])` as `IN (…)`.
 * CHECK constraints are compared by count per table (their text differs too much to compare).
 */
import type Database from 'better-sqlite3';
import type { Pool, PoolClient } from 'pg';

export interface ColumnInfo {
  type: string;
  notNull: boolean;
  default: string | null;
  identity: boolean;
}

export interface TableInfo {
  columns: Map<string, ColumnInfo>;
  primaryKey: string[];
  /** Signatures: `unique (a, b)` for UNIQUE constraints, `index name [unique] (a, b) [where …]` for the others. */
  indexes: Set<string>;
  /** Signatures: `(a) → other(b) on delete cascade on update no action`. */
  foreignKeys: Set<string>;
  checks: number;
}

export type Schema = Map<string, TableInfo>;

/** Applies `fn` to the text outside string literals ('…'), which stay as they are. */
const outsideLiterals = (text: string, fn: (code: string) => string) =>
  text
    .split(/('(?:[^']|'')*')/)
    .map((part, i) => (i % 2 === 1 ? part : fn(part)))
    .join('');

/** Lower case outside string literals, without PostgreSQL's casts (`'{}'::text`). */
const lowerWithoutCasts = (text: string) =>
  outsideLiterals(text, (code) => code.toLowerCase().replace(/::(double precision|character varying|[a-z_]+)(\[\])?/g, ''));

/** Lower case (not string literals), no casts, no parentheses, `= ANY (ARRAY[x, y])` as `in x, y`, single spaces. */
export function normalizeExpr(text: string): string {
  const code = lowerWithoutCasts(text).replace(/=\s*any\s*\(\s*array\s*\[([^\]]*)\]\s*\)/g, 'in ($1)');
  return outsideLiterals(code, (c) =>
    c
      .replace(/[()]/g, ' ')
      .replace(/\s*,\s*/g, ', ')
      .replace(/\s+/g, ' '),
  ).trim();
}

/** Splits at commas outside parentheses and string literals. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") {
      i = text.indexOf("'", i + 1);
      if (i < 0) break;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

/** The text between the parenthesis at `open` and its partner. */
function parenthesized(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "'") i = text.indexOf("'", i + 1);
    else if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return text.slice(open + 1, i);
  }
  throw new Error(`unbalanced parentheses in ${text}`);
}

/** An index key (column or expression): lower case, no casts, no white space. */
const normalizeKey = (text: string) => outsideLiterals(lowerWithoutCasts(text), (code) => code.replace(/\s+/g, ''));

const stripComments = (sql: string) => sql.replace(/--[^\n]*/g, '');
const unquote = (name: string) => name.replace(/^["`[]|["`\]]$/g, '');

const SQLITE_TYPES: Record<string, string> = { INTEGER: 'bigint', REAL: 'double precision', BLOB: 'bytea', TEXT: 'text' };

export function readSqliteSchema(db: Database.Database): Schema {
  const schema: Schema = new Map();
  const tables = db.prepare<[], { name: string; sql: string }>("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all();
  for (const { name: table, sql } of tables) {
    const body = parenthesized(stripComments(sql), stripComments(sql).indexOf('('));
    const defs = splitTopLevel(body);
    const collation = new Map<string, string>();
    let checks = 0;
    for (const def of defs) {
      checks += (def.match(/\bCHECK\s*\(/gi) ?? []).length;
      const m = /^("[^"]+"|\S+)\s/.exec(def);
      const coll = /\bCOLLATE\s+(\w+)/i.exec(def);
      if (m && coll) collation.set(unquote(m[1]!), coll[1]!.toUpperCase());
    }
    const cols = db.prepare<[], { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>(`PRAGMA table_info("${table}")`).all();
    const primaryKey = cols
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name);
    const rowidAlias = primaryKey.length === 1 && cols.find((c) => c.name === primaryKey[0])!.type.toUpperCase() === 'INTEGER' && !/WITHOUT\s+ROWID/i.test(sql);
    const columns = new Map<string, ColumnInfo>();
    for (const c of cols) {
      const base = SQLITE_TYPES[c.type.toUpperCase()] ?? `sqlite ${c.type}`;
      columns.set(c.name, {
        type: base === 'text' && collation.get(c.name) === 'NOCASE' ? 'citext' : base,
        notNull: c.notnull === 1 || c.pk > 0,
        default: c.dflt_value === null ? null : normalizeExpr(c.dflt_value),
        identity: rowidAlias && c.pk > 0,
      });
    }

    const indexes = new Set<string>();
    const list = db.prepare<[], { name: string; unique: number; origin: string; partial: number }>(`PRAGMA index_list("${table}")`).all();
    for (const ix of list) {
      if (ix.origin === 'pk') continue;
      const keyRows = db
        .prepare<[], { cid: number; name: string | null; desc: number; coll: string; key: number }>(`PRAGMA index_xinfo("${ix.name}")`)
        .all()
        .filter((k) => k.key === 1);
      // Expression keys (cid -2) have no name: their text comes from the CREATE INDEX statement.
      const ixSql = ix.origin === 'c' ? db.prepare<[string], { sql: string }>('SELECT sql FROM sqlite_schema WHERE name = ?').get(ix.name)!.sql : '';
      const on = /\bON\s+\S+?\s*\(/i.exec(ixSql);
      const keyTexts = on ? splitTopLevel(parenthesized(ixSql, on.index + on[0].length - 1)) : [];
      const keys = keyRows.map((k, i) => {
        const text = k.cid === -2 ? normalizeKey(keyTexts[i]!) : k.name!;
        return `${text}${k.coll.toUpperCase() === 'NOCASE' ? ' nocase' : ''}${k.desc ? ' desc' : ''}`;
      });
      if (ix.origin === 'u') indexes.add(`unique (${keys.join(', ')})`);
      else {
        const where = ix.partial ? ` where ${normalizeExpr(ixSql.slice(ixSql.search(/\bWHERE\b/i) + 5))}` : '';
        indexes.add(`index ${ix.name}${ix.unique ? ' unique' : ''} (${keys.join(', ')})${where}`);
      }
    }

    const foreignKeys = new Set<string>();
    const fkRows = db
      .prepare<[], { id: number; seq: number; table: string; from: string; to: string | null; on_update: string; on_delete: string }>(
        `PRAGMA foreign_key_list("${table}")`,
      )
      .all();
    for (const id of new Set(fkRows.map((r) => r.id))) {
      const rows = fkRows.filter((r) => r.id === id).sort((a, b) => a.seq - b.seq);
      const first = rows[0]!;
      foreignKeys.add(
        `(${rows.map((r) => r.from).join(', ')}) → ${first.table}(${rows.map((r) => r.to).join(', ')}) on delete ${first.on_delete.toLowerCase()} on update ${first.on_update.toLowerCase()}`,
      );
    }
    schema.set(table, { columns, primaryKey, indexes, foreignKeys, checks });
  }
  return schema;
}

const PG_ACTIONS: Record<string, string> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };

/** The tables of the connection's current schema (a client: also inside its open transaction). */
export async function readPostgresSchema(pool: Pool | PoolClient): Promise<Schema> {
  const schema: Schema = new Map();
  const q = async <T>(sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows as T[];
  const tables = await q<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
  );
  for (const { table_name: table } of tables) {
    const cols = await q<{ column_name: string; data_type: string; udt_name: string; is_nullable: string; column_default: string | null; is_identity: string }>(
      'SELECT column_name, data_type, udt_name, is_nullable, column_default, is_identity FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position',
      [table],
    );
    const columns = new Map<string, ColumnInfo>();
    for (const c of cols) {
      columns.set(c.column_name, {
        type: c.data_type === 'USER-DEFINED' ? c.udt_name : c.data_type,
        notNull: c.is_nullable === 'NO',
        default: c.column_default === null ? null : normalizeExpr(c.column_default),
        identity: c.is_identity === 'YES',
      });
    }
    const pk = await q<{ name: string }>(
      `SELECT a.attname AS name FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY k.n`,
      [table],
    );
    const indexRows = await q<{ name: string; unique: boolean; constraint: string | null; nkeys: number; pred: string | null; oid: number; indoption: string }>(
      `SELECT c.relname AS name, i.indisunique AS unique, con.contype AS constraint, i.indnkeyatts AS nkeys,
              pg_get_expr(i.indpred, i.indrelid) AS pred, i.indexrelid::int AS oid, i.indoption::text AS indoption
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.contype IN ('u', 'p')
        WHERE i.indrelid = $1::regclass AND NOT i.indisprimary`,
      [table],
    );
    const indexes = new Set<string>();
    for (const ix of indexRows) {
      const options = ix.indoption.split(' ').map(Number);
      const keys: string[] = [];
      for (let k = 1; k <= ix.nkeys; k++) {
        const def = (await q<{ def: string }>('SELECT pg_get_indexdef($1, $2, true) AS def', [ix.oid, k]))[0]!.def;
        const plain = /^"?([a-z_][a-z0-9_]*)"?$/.exec(def);
        const text = plain ? plain[1]! : normalizeKey(def);
        const nocase = plain && columns.get(plain[1]!)?.type === 'citext' ? ' nocase' : '';
        keys.push(`${text}${nocase}${(options[k - 1]! & 1) === 1 ? ' desc' : ''}`);
      }
      if (ix.constraint === 'u') indexes.add(`unique (${keys.join(', ')})`);
      else indexes.add(`index ${ix.name}${ix.unique ? ' unique' : ''} (${keys.join(', ')})${ix.pred ? ` where ${normalizeExpr(ix.pred)}` : ''}`);
    }
    const fks = await q<{ cols: string[]; ref: string; refcols: string[]; del: string; upd: string }>(
      `SELECT array(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o) AS cols,
              con.confrelid::regclass::text AS ref,
              array(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o) AS refcols,
              con.confdeltype AS del, con.confupdtype AS upd
         FROM pg_constraint con WHERE con.conrelid = $1::regclass AND con.contype = 'f'`,
      [table],
    );
    const foreignKeys = new Set(
      fks.map((f) => `(${f.cols.join(', ')}) → ${f.ref}(${f.refcols.join(', ')}) on delete ${PG_ACTIONS[f.del]} on update ${PG_ACTIONS[f.upd]}`),
    );
    const checks = (await q<{ n: number }>("SELECT count(*)::int AS n FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'c'", [table]))[0]!.n;
    schema.set(table, { columns, primaryKey: pk.map((p) => p.name), indexes, foreignKeys, checks });
  }
  return schema;
}

/** Every difference, one line each, naming the table and what differs. */
export function schemaDifferences(sqlite: Schema, postgres: Schema): string[] {
  const out: string[] = [];
  for (const [table, s] of sqlite) {
    const p = postgres.get(table);
    if (!p) {
      out.push(`table ${table}: missing in PostgreSQL`);
      continue;
    }
    for (const [col, sc] of s.columns) {
      const pc = p.columns.get(col);
      if (!pc) {
        out.push(`column ${table}.${col}: missing in PostgreSQL`);
        continue;
      }
      if (sc.type !== pc.type) out.push(`column ${table}.${col}: type ${pc.type} in PostgreSQL, expected ${sc.type}`);
      if (sc.notNull !== pc.notNull)
        out.push(`column ${table}.${col}: ${pc.notNull ? 'NOT NULL' : 'nullable'} in PostgreSQL, ${sc.notNull ? 'NOT NULL' : 'nullable'} in SQLite`);
      if (sc.default !== pc.default) out.push(`column ${table}.${col}: default ${pc.default ?? 'none'} in PostgreSQL, ${sc.default ?? 'none'} in SQLite`);
      if (sc.identity !== pc.identity)
        out.push(
          `column ${table}.${col}: ${pc.identity ? 'an identity' : 'no identity'} in PostgreSQL, ${sc.identity ? 'the rowid' : 'not the rowid'} in SQLite`,
        );
    }
    for (const col of p.columns.keys()) if (!s.columns.has(col)) out.push(`column ${table}.${col}: only in PostgreSQL`);
    if (s.primaryKey.join(', ') !== p.primaryKey.join(', ')) {
      out.push(`primary key ${table}: (${p.primaryKey.join(', ')}) in PostgreSQL, (${s.primaryKey.join(', ')}) in SQLite`);
    }
    for (const ix of s.indexes) if (!p.indexes.has(ix)) out.push(`${table}: ${ix} missing in PostgreSQL`);
    for (const ix of p.indexes) if (!s.indexes.has(ix)) out.push(`${table}: ${ix} only in PostgreSQL`);
    for (const fk of s.foreignKeys) if (!p.foreignKeys.has(fk)) out.push(`${table}: foreign key ${fk} missing in PostgreSQL`);
    for (const fk of p.foreignKeys) if (!s.foreignKeys.has(fk)) out.push(`${table}: foreign key ${fk} only in PostgreSQL`);
    if (s.checks !== p.checks) out.push(`${table}: ${p.checks} CHECK constraints in PostgreSQL, ${s.checks} in SQLite`);
  }
  for (const table of postgres.keys()) if (!sqlite.has(table)) out.push(`table ${table}: only in PostgreSQL`);
  return out;
}

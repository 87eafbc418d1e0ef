// Copies non-TypeScript files the server reads at run time (SQL migrations, SQLite's and
// PostgreSQL's) into dist/. Each target is emptied first: a renamed or removed migration left in
// dist/ would stop the strict loader.
import { cpSync, rmSync } from 'node:fs';

for (const dir of ['server/store/migrations', 'server/store/postgres/migrations']) {
  rmSync(`dist/${dir}`, { recursive: true, force: true });
  cpSync(dir, `dist/${dir}`, { recursive: true });
}

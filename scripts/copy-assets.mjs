// Copies non-TypeScript files the server reads at run time (SQL migrations) into dist/. The target
// is emptied first: a renamed or removed migration left in dist/ would stop the strict loader.
import { cpSync, rmSync } from 'node:fs';

rmSync('dist/server/store/migrations', { recursive: true, force: true });
cpSync('server/store/migrations', 'dist/server/store/migrations', { recursive: true });

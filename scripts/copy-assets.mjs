// Copies non-TypeScript files the server reads at run time (SQL migrations) into dist/.
import { cpSync } from 'node:fs';

cpSync('server/store/migrations', 'dist/server/store/migrations', { recursive: true });

/**
 * Vite build of the technician dashboard. The root is dashboard/; the server serves the output
 * (dist/dashboard) at `/` and the API at `/api`, so the dev server proxies both to a local server.
 * JSX goes through Vite 8's built-in oxc transformer with Preact's automatic runtime.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const dashboardDir = fileURLToPath(new URL('.', import.meta.url));
const repoDir = fileURLToPath(new URL('..', import.meta.url));
const serverUrl = 'http://localhost:8080';

export default defineConfig({
  root: dashboardDir,
  base: '/',
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  build: {
    outDir: '../dist/dashboard',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 400,
    rollupOptions: {
      output: {
        // chart.js is only needed by the device page and the advisor: its own chunk, loaded with them.
        manualChunks: (id: string) => (/node_modules\/(chart\.js|@kurkle)\//.test(id) ? 'chart' : undefined),
      },
    },
  },
  server: {
    // dashboard/src imports ../shared, which lies outside the Vite root.
    fs: { allow: [repoDir] },
    proxy: {
      '/api': { target: serverUrl, changeOrigin: false },
      '/live': { target: serverUrl, ws: true, changeOrigin: false },
    },
  },
});

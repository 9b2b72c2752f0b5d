import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * The portal front end. Run from the repository root:
 *   npx vite build --config portal/web/vite.config.ts   (→ portal/web/dist, served by portal/server)
 *   npx vite --config portal/web/vite.config.ts         (dev server; API calls go to the portal server on :4000)
 */
const webRoot = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(webRoot, '../..');
const apiTarget = 'http://127.0.0.1:4000';

/**
 * @tremor/react declares no `sideEffects`, so its barrel file drags every component (date pickers, date-fns,
 * headless UI …) into the bundle. Its modules have no side effects: say so, and unused components drop out.
 */
const tremorSideEffectFree: Plugin = {
  name: 'pano:tremor-side-effect-free',
  transform(code, id) {
    if (/[\\/]node_modules[\\/]@tremor[\\/]react[\\/]/.test(id)) return { code, map: null, moduleSideEffects: false };
    return null;
  },
};

export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [react(), tremorSideEffectFree],
  // PostCSS (Tailwind + autoprefixer) is configured in postcss.config.js next to this file.
  css: { postcss: webRoot },
  build: {
    outDir: resolve(webRoot, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // Rollup splits the rest along the lazy routes: the login page loads no charts, the chart pages share one chunk.
    chunkSizeWarningLimit: 600,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    // The browser-safe definitions (common/definitions/) live outside the web root.
    fs: { allow: [repoRoot] },
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
      '/cubejs-api': { target: apiTarget, changeOrigin: false },
    },
  },
  preview: {
    host: '127.0.0.1',
    port: 4173,
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
      '/cubejs-api': { target: apiTarget, changeOrigin: false },
    },
  },
});

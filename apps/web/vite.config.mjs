// The browser app: built by Vite (React) into dist/apps/web/public, which the web server serves.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: path.join(here, 'src/client'),
  plugins: [react()],
  build: { outDir: path.join(here, '../../dist/apps/web/public'), emptyOutDir: true, sourcemap: true },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});

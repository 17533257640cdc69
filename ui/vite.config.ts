import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

// The controller listens on HTTPS with a self-signed certificate in development.
const controller = 'https://127.0.0.1:8443';
const root = new URL('.', import.meta.url).pathname;

export default defineConfig({
  root,
  base: '/',
  plugins: [svelte({ configFile: false })],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: controller, changeOrigin: true, secure: false, ws: true },
      '/ws': { target: controller, changeOrigin: true, secure: false, ws: true },
    },
  },
});

import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineProject } from 'vitest/config';

// Unit tests of the console's pure code and rune managers (no browser needed).
export default defineProject({
  root: new URL('.', import.meta.url).pathname,
  plugins: [svelte({ configFile: false })],
  test: {
    name: 'ui-unit',
    include: ['src/**/*.spec.ts'],
    environment: 'node',
  },
});

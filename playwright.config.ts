import { defineConfig } from '@playwright/test';

// The registry is started by scripts/e2e.ts (fresh database, production build); this file only
// says how to drive Chromium. Debian's Chromium is used because browser downloads are not possible
// on the machines this project runs on.
export default defineConfig({
  testDir: './e2e',
  // The burst enrolls demo users that other specs enroll too; scripts/e2e.ts runs it on the embedded
  // demo, on a database of its own (E2E_TARGET=embedded), before any other spec has touched those users.
  testIgnore: process.env.E2E_TARGET === 'embedded' ? [] : ['**/demo-burst.spec.ts'],
  fullyParallel: false,
  workers: 1,
  retries: 0,
  // The longest flows (impersonation, API clients) take most of a minute on a loaded 2-core machine.
  timeout: 180_000,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    baseURL: process.env.E2E_BASE_URL ?? 'http://localhost:3100',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
});

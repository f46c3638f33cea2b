import { defineConfig } from 'prisma/config';

// Prisma 7 keeps connection settings out of the schema. `prisma generate` needs no database; the
// migrations run through scripts/db/migrate.ts (the WebAssembly schema engine), which reads the same
// schema and migrations folder.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});

import type { Knex } from 'knex';

// Emails compare exactly, after one normalisation in code (users.repo.ts normalizeEmail: trim, NFC, lower case).
// On MySQL/MariaDB the column took the database's default collation, which is case- and accent-insensitive:
// "àlice@…" found alice's row while rate limits counted "àlice@…" apart, so each spelling had its own five guesses.
// utf8mb4_bin compares bytes, as SQLite already does. google_sub gets the same (an opaque identifier).
export async function up(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'mysql2') {
    await knex.raw('ALTER TABLE users MODIFY email VARCHAR(320) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL');
    await knex.raw('ALTER TABLE users MODIFY google_sub VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL');
  }
  // Rows stored before NFC was part of the form: bring them to it, unless that form already belongs to another row.
  const rows: { id: number; email: string }[] = await knex('users').select('id', 'email');
  for (const { id, email } of rows) {
    const normal = email.trim().normalize('NFC').toLowerCase();
    if (normal === email) continue;
    if (await knex('users').where({ email: normal }).first('id')) continue;
    await knex('users').where({ id }).update({ email: normal });
  }
}

export async function down(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'mysql2') {
    await knex.raw('ALTER TABLE users MODIFY email VARCHAR(320) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL');
    await knex.raw('ALTER TABLE users MODIFY google_sub VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NULL');
  }
}

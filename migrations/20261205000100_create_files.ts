import type { Knex } from 'knex';

// Files and voice (issue 13, docs/architecture.md "Files"). A file belongs to its user (deleted with them) and is
// linked to the messages that carry it (an edit's copy links the same file); a file no message links is either pending
// (chosen in a composer whose send was refused: kept for the next try, purged after a day) or left by a deleted thread
// (purged at once, `sent_at` says which). Bytes live in `file_chunks` in the database by default, so every instance
// sees them, in parts of at most 256 KB: written and read a part at a time, under MySQL's max_allowed_packet. `text`
// is what the model reads of a document (OCR markdown) or a text file; images keep their size and thumbnail's size.
export async function up(knex: Knex): Promise<void> {
  const mysql = knex.client.config.client === 'mysql2';
  await knex.schema.createTable('files', (t) => {
    t.increments('id').primary();
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('name', 200).notNullable();
    t.string('mime', 100).notNullable();
    t.string('kind', 16).notNullable();
    t.bigInteger('size').notNullable();
    t.integer('pages').nullable();
    t.integer('width').nullable();
    t.integer('height').nullable();
    t.integer('thumb_width').nullable();
    t.integer('thumb_height').nullable();
    t.text('text', 'longtext').nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('sent_at', { precision: 3 }).nullable();
    t.index(['user_id', 'created_at']);
  });
  await knex.schema.createTable('file_chunks', (t) => {
    t.integer('file_id').unsigned().notNullable().references('id').inTable('files').onDelete('CASCADE');
    t.string('part', 16).notNullable();
    t.integer('seq').notNullable();
    if (mysql) t.specificType('data', 'mediumblob').notNullable();
    else t.binary('data').notNullable();
    t.primary(['file_id', 'part', 'seq']);
  });
  await knex.schema.createTable('message_files', (t) => {
    t.bigInteger('message_id').unsigned().notNullable().references('id').inTable('messages').onDelete('CASCADE');
    t.integer('file_id').unsigned().notNullable().references('id').inTable('files').onDelete('CASCADE');
    t.integer('position').notNullable();
    t.primary(['message_id', 'file_id']);
    t.index(['file_id']);
  });
  // What a message shows of its files (names, kinds, sizes, thumbnail sizes) without another query per page, and
  // what a share's snapshot copies with the message.
  await knex.schema.alterTable('messages', (t) => { t.text('attachments').nullable(); });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('messages', (t) => { t.dropColumn('attachments'); });
  await knex.schema.dropTable('message_files');
  await knex.schema.dropTable('file_chunks');
  await knex.schema.dropTable('files');
}

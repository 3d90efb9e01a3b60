// The owner word of a searchable row (messages, threads, files: column `search_owner`, migration 20261213000100).
// MySQL/MariaDB's FULLTEXT indexes cover (search_owner, text) and every search requires the user's word, so InnoDB
// intersects it with the searched words and fetches only the user's rows. `uid_<id>`: at least 3 characters
// (innodb_ft_min_token_size), one word for InnoDB (which counts `_` as a letter), and never a term of a query, which
// splits typed text at `_` (query.ts). SQLite stores it too (its FTS5 table has its own user word, see the search
// migration) so that every insert site is the same on both dialects.
export const searchOwner = (userId: number): string => `uid_${userId}`;

// Demo data for development: a user (demo@example.com / demo-password) with one finished conversation.
// Safe to run twice: it replaces the demo user and everything of theirs.
import type { Knex } from 'knex';
import { hashPassword } from '../src/features/auth/passwords.ts';
import { createUser, findUserByEmail, deleteUser } from '../src/features/auth/users.repo.ts';
import { searchOwner } from '../src/features/search/owner.ts';

const EMAIL = 'demo@example.com';

export async function seed(knex: Knex): Promise<void> {
  const old = await findUserByEmail(knex, EMAIL);
  if (old) await deleteUser(knex, old.id);
  const user = await createUser(knex, { email: EMAIL, name: 'Demo', passwordHash: await hashPassword('demo-password') });
  const now = Date.now();
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000);
  // search_owner: the owner's search word (src/features/search/owner.ts), which MySQL's search requires.
  const owner = searchOwner(user.id);
  await knex('threads').insert({ id: 'demo-thread-000001', user_id: user.id, search_owner: owner, title: 'Sorting in JavaScript', title_set_by_user: false,
    model: null, context: null, created_at: at(10), updated_at: at(9) });
  const [question] = await knex('messages').insert({ thread_id: 'demo-thread-000001', search_owner: owner, parent_id: null, role: 'user',
    content: 'How do I sort numbers in JavaScript?', status: 'complete', created_at: at(10), updated_at: at(10) });
  await knex('messages').insert({ thread_id: 'demo-thread-000001', search_owner: owner, parent_id: question, role: 'assistant', model: 'mistral-small-latest',
    content: 'Pass a comparator, because the default sort compares strings:\n\n```js\n[10, 9, 1].sort((a, b) => a - b); // [1, 9, 10]\n```\n\nThe cost is $O(n \\log n)$.',
    status: 'complete', usage: JSON.stringify({ promptTokens: 12, completionTokens: 40, totalTokens: 52 }), created_at: at(9), updated_at: at(9) });
  console.log(`Seeded ${EMAIL} (password: demo-password).`);
}

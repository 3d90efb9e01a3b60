// First run: a new visitor is not welcomed "back", and a new user learns before the first send whether an API key
// is needed (and where to add it) or the server's key answers.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { testApp } from '../support/app.ts';
import { signIn } from '../support/fake-mistral-app.ts';
import { updateSettings } from '../../src/features/settings/settings.repo.ts';

const NEEDS_KEY = /To get answers you need a Mistral API key: add yours in <a href="\/settings">Settings<\/a>/;
const SERVER_KEY = /Answers use this server's Mistral key\. You can use your own in <a href="\/settings">Settings<\/a>/;

describe.each(DIALECTS)('first run on %s', (dialect) => {
  it('does not welcome a new visitor back', async () => {
    const t = await testApp(dialect);
    try {
      const page = await request(t.app).get('/login');
      expect(page.status).toBe(200);
      expect(page.text).not.toMatch(/welcome back/i);
    } finally { await t.close(); }
  });

  it('without a server key, tells a new user a key is needed and links to Settings; with their own key, says nothing', async () => {
    const t = await testApp(dialect);
    try {
      const s = await signIn(t);
      const home = await request(t.app).get('/').set('Cookie', s.cookie);
      expect(home.text).toMatch(NEEDS_KEY);
      expect(home.text).not.toMatch(SERVER_KEY);
      await updateSettings(t.db, s.user.id, { apiKeySealed: 'sealed-for-the-test', apiKeyHint: '…abcd' });
      const later = await request(t.app).get('/').set('Cookie', s.cookie);
      expect(later.text).not.toMatch(NEEDS_KEY);
      expect(later.text).not.toMatch(SERVER_KEY);
    } finally { await t.close(); }
  });

  it("with a server key, says the server's key is in use", async () => {
    const t = await testApp(dialect, { MISTRAL_API_KEY: 'server-key' });
    try {
      const s = await signIn(t);
      const home = await request(t.app).get('/').set('Cookie', s.cookie);
      expect(home.text).toMatch(SERVER_KEY);
      expect(home.text).not.toMatch(NEEDS_KEY);
    } finally { await t.close(); }
  });
});

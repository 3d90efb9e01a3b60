// Languages (issue 17): the small pieces under the pages: escaping once, markup keys, nested Texts, plurals, Intl.
import ejs from 'ejs';
import { describe, expect, it } from 'vitest';
import { tFor } from './catalogue.ts';
import { dateTime, number } from './format.ts';
import { chooseLanguage, localized } from './negotiate.ts';
import express, { type Request } from 'express';
import { english, say, tr } from './text.ts';

describe('i18n pieces', () => {
  it('escapes a value once in <%= t() %>, and th() escapes values but keeps its own markup', () => {
    const { t, th } = localized('fr');
    const html = ejs.render("<p><%= t('account:sessions.lastUsed', { when: v }) %></p><p><%- th('account:delete.confirmHtml', { email: v }) %></p>", { t, th, v: '<b>&"' });
    expect(html).toBe('<p>Dernière utilisation\u00a0: &lt;b&gt;&amp;&#34;</p><p>Saisissez <strong>&lt;b&gt;&amp;&#34;</strong> pour confirmer</p>');
    expect(() => th('account:title')).toThrow(/Html/);
  });

  it('translates Texts inside a Text, and plural forms by language', () => {
    const limited = (count: number) => tr('errors:rateLimited', { what: tr('errors:rateLimit.imports'), count });
    expect(english(limited(1))).toBe('Too many imports. Wait 1 minute and try again.');
    expect(english(limited(3))).toBe('Too many imports. Wait 3 minutes and try again.');
    expect(say(tFor('fr'), limited(1))).toBe('Trop d’importations. Attendez 1 minute et réessayez.');
    expect(say(tFor('fr'), limited(2))).toBe('Trop d’importations. Attendez 2 minutes et réessayez.');
    expect(say(tFor('fr'), 'a plain string')).toBe('a plain string');
  });

  it('wraps every string in the pseudo-locale, values included as given', () => {
    expect(tFor('xx')('common:pageTitle', { title: '⟦Sign in⟧', app: 'MistralChat' })).toBe('⟦⟦Sign in⟧ · MistralChat⟧');
  });

  it('makes one t and one bundle per language (nothing per request)', () => {
    expect(tFor('fr')).toBe(tFor('fr'));
    expect(localized('fr')).toBe(localized('fr'));
  });

  it('formats dates and numbers in the language (English keeps its ISO-like dates)', () => {
    const d = new Date('2024-03-05T14:07:00Z');
    expect(dateTime('en', d)).toBe('2024-03-05 14:07 UTC');
    expect(localized('fr').fmtDate(d)).toBe('5 mars 2024 à 14:07 UTC');
    expect(number('en', 1234.56, 1)).toBe('1,234.6');
    expect(number('fr', 1234.56, 1)).toBe('1\u202f234,6');
  });

  it('offers the pseudo-locale only when asked to (the app: NODE_ENV=test), never by cookie or header otherwise', () => {
    const app = express();
    const req = (headers: Record<string, string>, cookies: Record<string, string> = {}, user?: object) =>
      Object.assign(Object.create(app.request), { app, headers, cookies, user }) as Request;
    expect(chooseLanguage(req({ 'accept-language': 'xx' }))).toBe('en');
    expect(chooseLanguage(req({}, { lang: 'xx' }))).toBe('en');
    expect(chooseLanguage(req({ 'accept-language': 'xx' }), { pseudo: true })).toBe('xx');
    // The order: saved setting > cookie > header.
    expect(chooseLanguage(req({ 'accept-language': 'fr' }, { lang: 'en' }))).toBe('en');
    expect(chooseLanguage(req({ 'accept-language': 'en' }, { lang: 'en' }, { language: 'fr' }))).toBe('fr');
    expect(chooseLanguage(req({ 'accept-language': 'fr' }, {}, { language: null }))).toBe('fr');
  });
});

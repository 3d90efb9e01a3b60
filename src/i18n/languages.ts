// The languages the interface is offered in, and the catalogue namespaces (one file each per language, one owner each).
/** Offered to people, in this order on the language switch. English is the fallback for anything missing. */
export const LANGUAGES = ['en', 'fr'] as const;
export type Language = (typeof LANGUAGES)[number];
/** Each language's own name, shown as is on the switch (never translated: a French reader looks for "Français"). */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', fr: 'Français' };
export const DEFAULT_LANGUAGE: Language = 'en';

/**
 * Tests only: every English string wrapped in ⟦…⟧ (src/i18n/pseudo.ts), so a page rendered in it shows at once any
 * text that did not go through the catalogue. Chosen only when the app runs with NODE_ENV=test; never on the switch.
 */
export const PSEUDO = 'xx';

/** One file per feature area: locales/<lang>/<namespace>.json. A new area adds its name here. */
export const NAMESPACES = [
  'common', 'auth', 'account', 'errors', 'settings',
  // The sweep's areas, one owner each (their catalogues start empty).
  'threads', 'home', 'help', 'chat', 'search', 'sharing', 'admin', 'usage', 'files', 'transfer', 'api',
] as const;
export type Namespace = (typeof NAMESPACES)[number];

export const isLanguage = (v: unknown): v is Language => typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v);

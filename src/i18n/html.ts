// Catalogue strings with markup (keys ending in "Html", e.g. "Email and password: <strong>{{state}}</strong>"): the
// markup is ours (the catalogue is code), the values are escaped here, and the template prints it with <%- %>.
import type { TFunction } from 'i18next';

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };
export const escapeHtml = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => ESC[c]);

export function htmlT(t: TFunction) {
  return (key: string, values: Record<string, unknown> = {}): string => {
    if (!key.endsWith('Html')) throw new Error(`th() is for keys ending in "Html", not ${key}: use <%= t() %>`);
    const escaped = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === 'number' ? v : escapeHtml(v)]));
    return (t as (k: string, v?: object) => string)(key, escaped);
  };
}

// CSV for the admin export (RFC 4180), safe to open in a spreadsheet: a text cell that starts with = + - @ (or a tab
// or carriage return) would be read as a formula, so it gets a leading apostrophe; a cell with a comma, quote or line
// break is quoted, its quotes doubled. Numbers are written as they are.
export function csvCell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return String(v);
  let s = v;
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (cells: Array<string | number | null | undefined>): string => `${cells.map(csvCell).join(',')}\r\n`;

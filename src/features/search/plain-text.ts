// What a message says, without its Markdown: a search snippet is a line of text, and `**`, fences, link targets and
// table pipes in it were noise (answers and OCR text are Markdown). Only syntax goes: the words stay, code keeps its
// text, a link keeps its label, an image its description. HTML the user typed is text, as on the thread page
// (markdown-it runs with html off), and is escaped by snippet.ts like everything else.

// Every pattern is linear: a leading run of blanks is taken whole ((?=(…))\1 cannot give back), no bracket,
// parenthesis or angle bracket of a link can run past another one, and emphasis spans at most 300 characters.
/** Whole lines that are only syntax: code fences, rules, a table's separator row. */
const SYNTAX_LINE = /^(?=([ \t]*))\1(?:(?:`{3,}|~{3,})[^\n]*|(?:[-*_][ \t]*){3,}|\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*)$/gm;
/** What starts a line of a heading, a quote or a list item (a task's box too). */
const LINE_START = /^(?=([ \t]*))\1(?:>[ \t]?)*(?:#{1,6}[ \t]+|(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?)?/gm;

/** A backslash-escaped character stands for itself: held as a private-use character while the syntax goes. */
const HELD = 0xe000;
const hold = (_: string, c: string) => String.fromCharCode(HELD + c.charCodeAt(0));

export function plainText(markdown: string): string {
  return markdown
    // Math's delimiters ($ alone is money more often than math), before \( and \[ could read as escapes.
    .replace(/\$\$|\\[[\]()]/g, ' ')
    .replace(/\\([\\`*_{}[\]()#+\-.!|>~])/g, hold)
    .replace(SYNTAX_LINE, '')
    .replace(LINE_START, '')
    // A table's row: its pipes separate cells.
    .replace(/^[ \t]*\|(.*)$/gm, (_, cells: string) => cells.trim().replace(/\|$/, '').trim().split('|').map((c) => c.trim()).join(' '))
    // Images by their description, links by their label (inline and reference forms), autolinks by their address.
    .replace(/!\[([^[\]\n]*)\]\([^()\n]*\)/g, '$1')
    .replace(/\[([^[\]\n]+)\](?:\([^()\n]*\)|\[[^[\]\n]*\])/g, '$1')
    .replace(/<((?:https?|mailto):[^<>\s]+)>/g, '$1')
    // Inline code keeps its text.
    .replace(/(?<!`)(`+)([^`\n]+?)\1(?!`)/g, '$2')
    // Strong, emphasis and strikethrough; never an underscore inside a word (snake_case) or a lone star (2 * 3).
    .replace(/(\*\*|__)(?=\S)([^\n]{1,300}?)(?<=\S)\1/g, '$2')
    .replace(/(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])/g, '$1')
    .replace(/(?<![\p{L}\p{N}_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\p{L}\p{N}_])/gu, '$1')
    .replace(/~~(?=\S)([^\n]{1,300}?)(?<=\S)~~/g, '$1')
    .replace(/[\ue000-\ue07f]/g, (c) => String.fromCharCode(c.charCodeAt(0) - HELD))
    .trim();
}

import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { makePdf } from '../../../test/support/pdf.ts';
import { minimalDocx, minimalPptx, zip } from '../../../test/support/zip.ts';
import { detectFile as detect, DOCX_MIME, PPTX_MIME, zipEntryNames } from './detect.ts';
import { english } from '../../i18n/text.ts';

// The reason is a catalogue Text (issue 17): checked here in English, as written before.
const detectFile = (bytes: Buffer, name: string) => {
  const d = detect(bytes, name);
  return d.kind === 'refused' ? { ...d, reason: english(d.reason) } : d;
};

const pixels = () => sharp({ create: { width: 4, height: 3, channels: 3, background: '#c33' } });

describe('detectFile: the type from the bytes', () => {
  it('reads real PNG, JPEG, WebP and GIF images whatever their names say', async () => {
    expect(detectFile(await pixels().png().toBuffer(), 'a.png')).toEqual({ kind: 'image', mime: 'image/png' });
    expect(detectFile(await pixels().jpeg().toBuffer(), 'IMG_0001.JPG')).toEqual({ kind: 'image', mime: 'image/jpeg' });
    expect(detectFile(await pixels().webp().toBuffer(), 'noext')).toEqual({ kind: 'image', mime: 'image/webp' });
    expect(detectFile(await pixels().gif().toBuffer(), 'anim.gif')).toEqual({ kind: 'image', mime: 'image/gif' });
    // A JPEG called .png is still an image: the type served is the JPEG the bytes are.
    expect(detectFile(await pixels().jpeg().toBuffer(), 'photo.png')).toEqual({ kind: 'image', mime: 'image/jpeg' });
  });

  it('reads a PDF, a Word and a PowerPoint document from their bytes', () => {
    expect(detectFile(makePdf(['Hello']), 'report')).toEqual({ kind: 'document', mime: 'application/pdf' });
    expect(detectFile(minimalDocx(), 'letter.bin')).toEqual({ kind: 'document', mime: DOCX_MIME });
    expect(detectFile(minimalPptx(), 'slides.pptx')).toEqual({ kind: 'document', mime: PPTX_MIME });
  });

  it('lists a ZIP’s entries from its central directory, and refuses other ZIPs (a spreadsheet, a plain archive)', () => {
    expect(zipEntryNames(minimalDocx())).toEqual(['[Content_Types].xml', '_rels/.rels', 'word/document.xml']);
    const xlsx = zip({ '[Content_Types].xml': '<Types/>', 'xl/workbook.xml': '<workbook/>' });
    expect(detectFile(xlsx, 'sheet.xlsx')).toMatchObject({ kind: 'refused', reason: expect.stringContaining('sheet.xlsx is not a file type MistralChat can read') });
    expect(detectFile(zip({ 'notes/word/readme.txt': 'x' }), 'a.docx')).toMatchObject({ kind: 'refused', reason: expect.stringContaining('a.docx is not a Word document') });
    // A truncated archive (no end record) is not a document.
    expect(zipEntryNames(minimalDocx().subarray(0, 60))).toBeNull();
  });

  it('takes UTF-8 text and code, emoji included: BOM dropped, CRLF kept', () => {
    const code = 'const rocket = "🚀";\r\nconsole.log(`Grüße ${rocket}`);\r\n';
    expect(detectFile(Buffer.from(code, 'utf8'), 'main.ts')).toEqual({ kind: 'text', mime: 'text/plain', text: code });
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a,b\n1,2\n')]);
    expect(detectFile(withBom, 'data.csv')).toEqual({ kind: 'text', mime: 'text/plain', text: 'a,b\n1,2\n' });
    // HTML and SVG are text (never served inline: that is the serving side's rule).
    expect(detectFile(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'logo.svg')).toMatchObject({ kind: 'text' });
    expect(detectFile(Buffer.from('<!doctype html><script>alert(1)</script>'), 'page.html')).toMatchObject({ kind: 'text' });
  });

  it('refuses an HTML file renamed .png, naming the file and what it is', () => {
    const r = detectFile(Buffer.from('<!doctype html><h1>hi</h1>'), 'photo.png');
    expect(r).toEqual({ kind: 'refused', reason: 'photo.png is not a PNG, JPEG, WebP or GIF image (its content is text). Choose another file.' });
    expect(detectFile(Buffer.from('just words'), 'Report.PDF')).toEqual({ kind: 'refused', reason: 'Report.PDF is not a PDF document (its content is text). Choose another file.' });
    expect(detectFile(Buffer.from([0, 1, 2, 3, 250]), 'cat.jpeg')).toMatchObject({ reason: expect.stringContaining('(its content is not a format MistralChat can read)') });
  });

  it('refuses Latin-1 text, unknown binary and empty files with a sentence for people', () => {
    const latin1 = Buffer.from('Café crème, déjà vu.\n', 'latin1');
    expect(detectFile(latin1, 'notes.txt')).toEqual({ kind: 'refused', reason: 'notes.txt is text but not in UTF-8. Save it as UTF-8, then attach it again.' });
    const binary = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0xff, 0xfe]);
    expect(detectFile(binary, 'x.bin')).toEqual({ kind: 'refused', reason: 'x.bin is not a file type MistralChat can read: images (PNG, JPEG, WebP, GIF), PDF, Word or PowerPoint documents, or text and code files.' });
    // A NUL byte is not text even when the rest is valid UTF-8.
    expect(detectFile(Buffer.from('abc\u0000def'), 'a.txt')).toMatchObject({ kind: 'refused' });
    expect(detectFile(Buffer.alloc(0), 'empty.txt')).toEqual({ kind: 'refused', reason: 'empty.txt is empty. Choose another file.' });
    expect(detectFile(binary, '\u0007')).toMatchObject({ reason: expect.stringMatching(/^This file is not/) });
  });
});

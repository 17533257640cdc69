import { describe, expect, it } from 'vitest';
import { parseInline, parseMarkdown } from './markdown';

describe('parseMarkdown', () => {
  it('reads headings, lists, tables and paragraphs', () => {
    const blocks = parseMarkdown(
      [
        '## Порядок действий',
        '1. Откройте **меню**',
        '2. Запустите *автопоиск*',
        '',
        '- антенна',
        '- кабель',
        '',
        '| Регион | Город |',
        '| --- | --- |',
        '| Астана | Астана |',
        '',
        'Первая строка',
        'вторая строка.',
      ].join('\n'),
    );
    expect(blocks.map((b) => b.kind)).toEqual(['heading', 'list', 'list', 'table', 'paragraph']);
    expect(blocks[1]).toMatchObject({ ordered: true, items: { length: 2 } });
    expect(blocks[3]).toMatchObject({
      kind: 'table',
      rows: [[[{ text: 'Астана' }], [{ text: 'Астана' }]]],
    });
    expect(blocks[4]).toEqual({
      kind: 'paragraph',
      inline: [{ kind: 'text', text: 'Первая строка вторая строка.' }],
    });
  });

  it('keeps markup as text, never as HTML', () => {
    const [p] = parseMarkdown('<script>alert(1)</script> <b>x</b>');
    expect(p).toEqual({
      kind: 'paragraph',
      inline: [{ kind: 'text', text: '<script>alert(1)</script> <b>x</b>' }],
    });
  });

  it('links only to http(s) addresses', () => {
    expect(parseInline('[Kaspi](https://kaspi.kz) [x](javascript:alert(1))')).toEqual([
      { kind: 'link', text: 'Kaspi', href: 'https://kaspi.kz' },
      { kind: 'text', text: ' ' },
      { kind: 'text', text: '[x](javascript:alert(1)' },
      { kind: 'text', text: ')' },
    ]);
  });

  it('reads bold, italic and code', () => {
    expect(parseInline('**Меню → Ақпарат**, *тегін*, `193`')).toEqual([
      { kind: 'strong', text: 'Меню → Ақпарат' },
      { kind: 'text', text: ', ' },
      { kind: 'em', text: 'тегін' },
      { kind: 'text', text: ', ' },
      { kind: 'code', text: '193' },
    ]);
  });
});

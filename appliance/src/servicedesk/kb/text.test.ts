import { describe, expect, it } from 'vitest';
import {
  cleanText,
  foldKazakh,
  indexTerm,
  indexText,
  lowerWord,
  matchExpression,
  MATCH_END,
  MATCH_START,
  MAX_QUERY_WORDS,
  parseQuery,
  splitMarked,
  stemRussian,
  stripKazakh,
  tokenize,
  toLatin,
} from './text.js';

describe('tokenize', () => {
  it('splits on punctuation and spaces, keeping digits and letters of every script', () => {
    expect(tokenize('DVB-T2, 8 800 080-01-93; «Отау ТВ» — Қазақстан!').map((t) => t.text)).toEqual([
      'DVB',
      'T2',
      '8',
      '800',
      '080',
      '01',
      '93',
      'Отау',
      'ТВ',
      'Қазақстан',
    ]);
  });

  it('gives offsets into the original text', () => {
    const text = ' Әуе  толқыны.';
    for (const t of tokenize(text)) expect(text.slice(t.start, t.end)).toBe(t.text);
  });

  it('keeps a letter and its combining mark in one token, as the FTS5 tokenizer does', () => {
    expect(tokenize('и\u0306од').map((t) => t.text)).toEqual(['и\u0306од']);
    expect(tokenize('')).toEqual([]);
    expect(tokenize('?!…')).toEqual([]);
  });
});

describe('lowerWord and foldKazakh', () => {
  it('lower-cases, turns ё into е and keeps й', () => {
    expect(lowerWord('ЁЛКА')).toBe('елка');
    expect(lowerWord('Йогурт')).toBe('йогурт');
    // A decomposed й is composed first, so it is still й.
    expect(lowerWord('и\u0306од')).toBe('йод');
  });

  it('maps every Kazakh-specific letter to its Russian-keyboard look-alike', () => {
    expect(foldKazakh('әғқңөұүһі')).toBe('агкноуухи');
    expect(foldKazakh(lowerWord('ҚАЗАҚСТАН'))).toBe('казакстан');
    expect(foldKazakh('телевидение')).toBe('телевидение');
  });
});

describe('stemRussian (Snowball)', () => {
  it('gives inflected forms one stem', () => {
    expect(new Set(['канал', 'каналы', 'каналов', 'каналами'].map(stemRussian))).toEqual(
      new Set(['канал']),
    );
    expect(stemRussian('телевидения')).toBe(stemRussian('телевидение'));
    expect(stemRussian('оплатить')).toBe(stemRussian('оплата'));
  });

  it('keeps the л of nouns ending in -ал that Snowball reads as a past tense', () => {
    expect(stemRussian('канал')).toBe('канал');
    expect(stemRussian('филиала')).toBe(stemRussian('филиалы'));
    expect(stemRussian('сигнала')).toBe('сигнал');
  });
});

describe('stripKazakh', () => {
  it.each([
    ['арналарымыздын', 'арна'], // plural + our + genitive
    ['арнаны', 'арна'],
    ['казакстанда', 'казакстан'],
    ['казакстаннын', 'казакстан'],
    ['толемдерди', 'толем'],
    ['жабдыктар', 'жабдык'],
    ['болимшелери', 'болимше'],
    ['болимшеге', 'болимше'],
    ['номиринизди', 'номир'],
    ['шотка', 'шот'],
    ['цифрлык', 'цифр'],
    ['абоненттик', 'абонент'],
  ])('%s → %s', (word, stem) => {
    expect(stripKazakh(word)).toBe(stem);
  });

  it('strips an ending only after the sounds it follows', () => {
    // "-та" follows a voiceless consonant: "карта" is a stem, "кассада" is "касса" + "-да".
    expect(stripKazakh('карта')).toBe('карта');
    expect(stripKazakh('картада')).toBe('карта');
    expect(stripKazakh('кассада')).toBe('касса');
  });

  it('keeps a minimum stem and stems ending in -стан', () => {
    expect(stripKazakh('уйге')).toBe('уйге');
    expect(stripKazakh('казакстан')).toBe('казакстан');
    expect(stripKazakh('ана')).toBe('ана');
  });
});

describe('indexTerm and indexText', () => {
  it('takes the Kazakh path for a word with a Kazakh letter, whatever the article language', () => {
    expect(indexTerm('Қазақстанда', 'ru')).toBe('казакстан');
    expect(indexTerm('Қазақстанның', 'kk')).toBe('казакстан');
  });

  it('takes the article language for other Cyrillic words', () => {
    expect(indexTerm('арналар', 'kk')).toBe('арна');
    expect(indexTerm('каналов', 'ru')).toBe('канал');
  });

  it('lower-cases Latin words and digits without stemming', () => {
    expect(indexTerm('OTAU', 'kk')).toBe('otau');
    expect(indexTerm('T2', 'ru')).toBe('t2');
    expect(indexTerm('2026', 'ru')).toBe('2026');
  });

  it('gives exactly one term per token, so FTS5 positions match the original words', () => {
    const text = 'Абоненттік нөміріңізді айтыңыз: 12345. DVB-T2 — «Отау ТВ»!';
    const terms = indexText(text, 'kk').split(' ');
    expect(terms).toHaveLength(tokenize(text).length);
    expect(terms[0]).toBe('абонент');
    expect(terms[1]).toBe('номир');
    expect(terms).toContain('12345');
    for (const t of terms) expect(tokenize(t)).toHaveLength(1);
  });
});

describe('parseQuery and matchExpression', () => {
  it('finds a Kazakh word typed with Russian letters', () => {
    const [w] = parseQuery('казакстанда ');
    expect(w!.terms).toContain(indexTerm('Қазақстанда', 'kk'));
    expect(w!.terms).toContain(indexTerm('Қазақстан', 'kk'));
  });

  it('matches any form: the Russian stem or the Kazakh stem of a word without Kazakh letters', () => {
    const [w] = parseQuery('каналов ');
    expect(w!.terms).toEqual(['канал', 'каналов', 'kanalov']);
    expect(w!.prefix).toBe(false);
  });

  it('uses only the Kazakh stem for a word with a Kazakh letter', () => {
    expect(parseQuery('төлемдер ')[0]!.terms).toEqual(['толем']);
  });

  it('searches the last word as a prefix while it is being typed', () => {
    const words = parseQuery('спутник телеви');
    expect(words.map((w) => w.prefix)).toEqual([false, true]);
    expect(words[1]!.terms).toContain('телеви');
    expect(matchExpression(words, 'all')).toMatch(/"телеви"\*/);
    // One letter is too short to be a prefix.
    expect(parseQuery('канал т').at(-1)!.prefix).toBe(false);
  });

  it('also matches the Latin spelling of a Cyrillic word (brand names)', () => {
    expect(parseQuery('отау ')[0]!.terms).toContain('otau');
    expect(toLatin('казсат')).toBe('kazsat');
    expect(toLatin('ёж')).toBe('');
  });

  it('drops stop words when other words remain', () => {
    expect(parseQuery('как настроить каналы').map((w) => w.word)).toEqual(['настроить', 'каналы']);
    expect(parseQuery('арнаны қалай баптау').map((w) => w.word)).toEqual(['арнаны', 'баптау']);
    expect(parseQuery('как').map((w) => w.word)).toEqual(['как']);
  });

  it('quotes every term so nothing typed is read as FTS5 syntax', () => {
    const expr = matchExpression(parseQuery('NEAR OR "x" AND*'), 'all');
    expect(expr).toBe('"near" AND "or" AND "x" AND "and"');
    expect(matchExpression(parseQuery('dvb t2 '), 'any')).toBe('"dvb" OR "t2"');
  });

  it('keeps at most a dozen words and ignores punctuation', () => {
    expect(parseQuery('?!')).toEqual([]);
    expect(parseQuery(Array.from({ length: 20 }, (_, i) => `w${i}`).join(' '))).toHaveLength(
      MAX_QUERY_WORDS,
    );
  });
});

describe('splitMarked and cleanText', () => {
  it('splits highlighted text into parts and merges neighbours', () => {
    const marked = `Как ${MATCH_START}настроить${MATCH_END} ${MATCH_START}каналы${MATCH_END}?`;
    expect(splitMarked(marked)).toEqual([
      { text: 'Как ', match: false },
      { text: 'настроить', match: true },
      { text: ' ', match: false },
      { text: 'каналы', match: true },
      { text: '?', match: false },
    ]);
    expect(splitMarked('')).toEqual([]);
  });

  it('removes control characters and keeps newlines only where asked', () => {
    expect(cleanText('a\u0002b\r\nc\td', true)).toBe('ab\nc\td');
    expect(cleanText('a\nb', false)).toBe('a b');
  });
});

/**
 * Text normalisation for knowledge-base search (KB-17): pure, no I/O.
 *
 * The search index stores, for every word of an article, exactly one normalised term in the same
 * order as the words of the original text. SQLite's FTS5 then indexes the normalised terms while
 * `snippet()` and `highlight()` read the original text and tokenise it the same way, so the
 * positions line up and the highlights fall on the words the operator sees. That only holds while
 * `tokenize()` here splits text exactly as the FTS5 tokenizer declared in the migration does:
 * runs of letters, digits, private-use characters and combining marks
 * (`unicode61 remove_diacritics 0 categories 'L* N* Co M*'`).
 *
 * A word becomes a term in four steps: lower case (ё → е, combining marks dropped), Kazakh
 * letters folded to the Russian letters people type on a Russian keyboard (so "казакстан" finds
 * "Қазақстан"), then either the Snowball Russian stemmer or a light Kazakh suffix stripper. A word
 * with a Kazakh-specific letter is Kazakh; any other Cyrillic word takes the article's language.
 * A query does not know its language, so each query word matches either form.
 */
import { stemmer as snowballRussian } from '@orama/stemmers/russian';

export type KbLanguage = 'kk' | 'ru';

export interface Token {
  text: string;
  start: number;
  end: number;
}

/** Keep in step with the FTS5 tokenizer's categories (see the module comment). */
const TOKEN = /[\p{L}\p{N}\p{Co}\p{M}]+/gu;
const MARKS = /\p{M}+/gu;
const KAZAKH_LETTERS = /[әғқңөұүһі]/;
const FOLD: Record<string, string> = {
  ә: 'а',
  ғ: 'г',
  қ: 'к',
  ң: 'н',
  ө: 'о',
  ұ: 'у',
  ү: 'у',
  һ: 'х',
  і: 'и',
};
const FOLD_RE = /[әғқңөұүһі]/g;
const CYRILLIC = /[\u0400-\u04ff]/;
/** A word made only of combining marks still needs a term to keep positions aligned. */
const PLACEHOLDER = 'ǀ';

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(TOKEN)) {
    out.push({ text: m[0], start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** Lower case, ё → е, combining marks removed (й and ё survive as the precomposed letters). */
export function lowerWord(word: string): string {
  // After NFC, a mark left on its own had no precomposed letter to join: drop it.
  return word.normalize('NFC').toLowerCase().replace(MARKS, '').replace(/ё/g, 'е');
}

export function hasKazakhLetters(word: string): boolean {
  return KAZAKH_LETTERS.test(word.toLowerCase());
}

/** Maps the Kazakh-specific letters to their Russian-keyboard look-alikes (lower case input). */
export function foldKazakh(word: string): string {
  return word.replace(FOLD_RE, (c) => FOLD[c]!);
}

/**
 * Snowball Russian stem of a lower-case word, with one change: Snowball reads a final "-л",
 * "-ла", "-ло", "-ли" after а/я as a past-tense verb ending, which splits the nouns support
 * articles are full of ("канал" → "кана" but "каналы" → "канал"; "сигнала", "филиала"). Such
 * an "л" stays on the stem.
 */
export function stemRussian(word: string): string {
  const stem = snowballRussian(word);
  const removed = word.startsWith(stem) ? word.slice(stem.length) : '';
  if (/^л[аои]?$/.test(removed) && /[ая]$/.test(stem)) return `${stem}л`;
  return stem;
}

// Kazakh endings, written folded (і → и, ң → н, ғ → г, қ → к …) because the stripper runs on
// folded words: a query typed on a Russian keyboard has already lost those letters. Each ending
// lists the final letters of a stem it may follow (its allomorph rule): "-та" follows a voiceless
// consonant, so "карта" keeps its "та" while "кассада" loses "да".
const VOWELS = 'аеиоуыэюя';
const VOICELESS = 'кпстшфхцчщбвгд';
const SONORANT = 'рлйу';
const NASAL = 'мн';
const SIBILANT = 'зж';
const CONSONANTS = VOICELESS + SONORANT + NASAL + SIBILANT;

type Ending = readonly [suffix: string, after: string];

/** Case endings, including the possessive-plus-case forms (-ында, -сына …). */
const CASE_ENDINGS: readonly Ending[] = [
  ['менен', VOWELS + SONORANT + NASAL],
  ['сында', VOWELS],
  ['синде', VOWELS],
  ['ында', CONSONANTS],
  ['инде', CONSONANTS],
  ['сына', VOWELS],
  ['сине', VOWELS],
  ['ына', CONSONANTS],
  ['ине', CONSONANTS],
  ['нын', VOWELS + NASAL],
  ['нин', VOWELS + NASAL],
  ['дын', SONORANT + SIBILANT],
  ['дин', SONORANT + SIBILANT],
  ['тын', VOICELESS],
  ['тин', VOICELESS],
  ['нан', NASAL],
  ['нен', NASAL],
  ['дан', VOWELS + SONORANT + SIBILANT],
  ['ден', VOWELS + SONORANT + SIBILANT],
  ['тан', VOICELESS],
  ['тен', VOICELESS],
  ['мен', VOWELS + SONORANT + NASAL],
  ['бен', SIBILANT],
  ['пен', VOICELESS],
  ['сын', VOWELS],
  ['син', VOWELS],
  ['ны', VOWELS],
  ['ни', VOWELS],
  ['ды', SONORANT + NASAL + SIBILANT],
  ['ди', SONORANT + NASAL + SIBILANT],
  ['ты', VOICELESS],
  ['ти', VOICELESS],
  ['га', VOWELS + SONORANT + NASAL + SIBILANT],
  ['ге', VOWELS + SONORANT + NASAL + SIBILANT],
  ['ка', VOICELESS],
  ['ке', VOICELESS],
  ['да', VOWELS + SONORANT + NASAL + SIBILANT],
  ['де', VOWELS + SONORANT + NASAL + SIBILANT],
  ['та', VOICELESS],
  ['те', VOICELESS],
];

/** Possessive endings (my, your, his/her/its, our, your polite). */
const POSSESSIVE_ENDINGS: readonly Ending[] = [
  ['ымыз', CONSONANTS],
  ['имиз', CONSONANTS],
  ['ыныз', CONSONANTS],
  ['иниз', CONSONANTS],
  ['мыз', VOWELS],
  ['миз', VOWELS],
  ['ныз', VOWELS],
  ['низ', VOWELS],
  ['ым', CONSONANTS],
  ['им', CONSONANTS],
  ['ын', CONSONANTS],
  ['ин', CONSONANTS],
  ['сы', VOWELS],
  ['си', VOWELS],
  ['ы', CONSONANTS],
  ['и', CONSONANTS],
];

const PLURAL_ENDINGS: readonly Ending[] = [
  ['лар', VOWELS + 'рйу'],
  ['лер', VOWELS + 'рйу'],
  ['дар', 'л' + NASAL + SIBILANT],
  ['дер', 'л' + NASAL + SIBILANT],
  ['тар', VOICELESS],
  ['тер', VOICELESS],
];

/** Derivational endings that make adjectives and abstract nouns ("цифрлық", "абоненттік"). */
const DERIVATIONAL_ENDINGS: readonly Ending[] = [
  ['лык', VOWELS + 'рйу'],
  ['лик', VOWELS + 'рйу'],
  ['дык', 'л' + NASAL + SIBILANT],
  ['дик', 'л' + NASAL + SIBILANT],
  ['тык', VOICELESS],
  ['тик', VOICELESS],
];

/** Word endings that belong to the stem: "Қазақстан" is not "Қазақс" + ablative "-тан". */
const KEEP_ENDINGS = ['стан'];

/** A stripped word keeps at least this many letters. */
export const KAZAKH_MIN_STEM = 3;

function stripOne(word: string, endings: readonly Ending[]): string {
  if (KEEP_ENDINGS.some((k) => word.endsWith(k))) return word;
  for (const [suffix, after] of endings) {
    if (!word.endsWith(suffix)) continue;
    const stem = word.slice(0, -suffix.length);
    if (stem.length < KAZAKH_MIN_STEM) continue;
    if (!after.includes(stem[stem.length - 1]!)) continue;
    return stem;
  }
  return word;
}

/**
 * Light Kazakh stemmer for a folded lower-case word: at most one case ending, then one
 * possessive, one plural and one derivational ending, each longest first, only after the stem
 * sounds its allomorph follows, and only where the stem keeps `KAZAKH_MIN_STEM` letters.
 * "арналарымыздын" → "арна", "казакстанда" → "казакстан", "цифрлык" → "цифр".
 */
export function stripKazakh(word: string): string {
  let w = stripOne(word, CASE_ENDINGS);
  w = stripOne(w, POSSESSIVE_ENDINGS);
  w = stripOne(w, PLURAL_ENDINGS);
  w = stripOne(w, DERIVATIONAL_ENDINGS);
  return w;
}

/** The Russian-path term of a lower-case word. */
function russianTerm(lower: string): string {
  return stemRussian(foldKazakh(lower));
}

/** The Kazakh-path term of a lower-case word. */
function kazakhTerm(lower: string): string {
  return stripKazakh(foldKazakh(lower));
}

/** The one term a word of an article in `language` is indexed under. */
export function indexTerm(word: string, language: KbLanguage): string {
  const lower = lowerWord(word);
  if (!lower) return PLACEHOLDER;
  if (!CYRILLIC.test(lower)) return lower;
  if (KAZAKH_LETTERS.test(lower) || language === 'kk') return kazakhTerm(lower) || PLACEHOLDER;
  return russianTerm(lower) || PLACEHOLDER;
}

/** The index text of `text`: one term per token, in order, separated by spaces. */
export function indexText(text: string, language: KbLanguage): string {
  return tokenize(text)
    .map((t) => indexTerm(t.text, language))
    .join(' ');
}

// Words that carry no meaning in a query ("как настроить каналы", "арнаны қалай баптау").
// They stay in the index (positions must line up) and are dropped from a query that has others.
const STOP_WORDS = new Set([
  'и',
  'в',
  'во',
  'на',
  'не',
  'с',
  'со',
  'по',
  'для',
  'как',
  'что',
  'к',
  'ко',
  'у',
  'о',
  'об',
  'от',
  'до',
  'из',
  'за',
  'или',
  'а',
  'но',
  'же',
  'ли',
  'то',
  'это',
  'при',
  'мне',
  'где',
  'жане',
  'мен',
  'бен',
  'пен',
  'да',
  'де',
  'та',
  'те',
  'ушин',
  'калай',
  'бул',
  'ол',
  'осы',
  'немесе',
  'ма',
  'ме',
  'ба',
  'бе',
  'па',
  'пе',
  'кайда',
]);

// Cyrillic to Latin, for brand names written in Latin letters ("отау тв" finds "OTAU TV").
const LATIN: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  е: 'e',
  ж: 'zh',
  з: 'z',
  и: 'i',
  й: 'y',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'sch',
  ъ: '',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'yu',
  я: 'ya',
};

/** A folded Cyrillic word in Latin letters, or '' when it has other letters. */
export function toLatin(folded: string): string {
  let out = '';
  for (const c of folded) {
    const l = LATIN[c];
    if (l === undefined) return '';
    out += l;
  }
  return out;
}

export interface QueryWord {
  /** The word as typed. */
  word: string;
  /** Terms any of which matches this word. */
  terms: string[];
  /** Search as you type: the last word also matches terms that start with it. */
  prefix: boolean;
}

/** Longest query the search accepts, in characters. */
export const MAX_QUERY_LENGTH = 200;
/** Most words a query keeps; the rest are ignored. */
export const MAX_QUERY_WORDS = 12;

/**
 * Turns what the operator typed into query words. A word matches its Russian stem or its Kazakh
 * stem (the query's language is unknown; a word with a Kazakh letter is Kazakh), or its Latin
 * spelling (brand names); the last word also matches as a prefix of its
 * folded spelling, unless the query ends with a space. Stop words are dropped when other words
 * remain.
 */
export function parseQuery(q: string): QueryWord[] {
  const text = q.normalize('NFC');
  const all = tokenize(text);
  const tokens = all.slice(0, MAX_QUERY_WORDS);
  // A query that ends with a space or punctuation has finished its last word.
  const endsWord = tokens.length === all.length && all[all.length - 1]?.end === text.length;
  const words = tokens.map((t, i): QueryWord => {
    const lower = lowerWord(t.text);
    const last = i === tokens.length - 1;
    const terms = new Set<string>();
    if (!lower) {
      terms.add(PLACEHOLDER);
    } else if (!CYRILLIC.test(lower)) {
      terms.add(lower);
    } else if (KAZAKH_LETTERS.test(lower)) {
      // Such a word was indexed on the Kazakh path wherever it appears.
      terms.add(kazakhTerm(lower));
    } else {
      terms.add(russianTerm(lower));
      terms.add(kazakhTerm(lower));
    }
    const prefix = last && endsWord && lower.length >= 2;
    if (CYRILLIC.test(lower)) {
      if (prefix) terms.add(foldKazakh(lower));
      const latin = KAZAKH_LETTERS.test(lower) ? '' : toLatin(lower);
      if (latin.length >= 2) terms.add(latin);
    }
    return { word: t.text, terms: [...terms].filter(Boolean), prefix };
  });
  const meaningful = words.filter((w) => !STOP_WORDS.has(foldKazakh(lowerWord(w.word))));
  return meaningful.length > 0 ? meaningful : words;
}

function quote(term: string): string {
  return `"${term.replace(/"/g, '""')}"`;
}

/**
 * An FTS5 MATCH expression for the words: every word must match (`all`) or any may (`any`).
 * Terms are quoted, so nothing the operator types is read as query syntax.
 */
export function matchExpression(words: readonly QueryWord[], mode: 'all' | 'any'): string {
  const parts = words.map((w) => {
    const alts = w.terms.map((t) => (w.prefix ? `${quote(t)}*` : quote(t)));
    return alts.length === 1 ? alts[0]! : `(${alts.join(' OR ')})`;
  });
  return parts.join(mode === 'all' ? ' AND ' : ' OR ');
}

/** Marks `snippet()` and `highlight()` put around matches; control characters never stored. */
export const MATCH_START = '\u0002';
export const MATCH_END = '\u0003';

export interface TextPart {
  text: string;
  match: boolean;
}

/** Splits FTS5 output with match marks into parts a view renders without HTML. */
export function splitMarked(marked: string): TextPart[] {
  const parts: TextPart[] = [];
  let rest = marked;
  while (rest.length > 0) {
    const s = rest.indexOf(MATCH_START);
    if (s < 0) {
      parts.push({ text: rest, match: false });
      break;
    }
    if (s > 0) parts.push({ text: rest.slice(0, s), match: false });
    const e = rest.indexOf(MATCH_END, s + 1);
    const end = e < 0 ? rest.length : e;
    const hit = rest.slice(s + 1, end);
    if (hit) parts.push({ text: hit, match: true });
    rest = e < 0 ? '' : rest.slice(e + 1);
  }
  // Adjacent highlighted words read better as one highlight.
  const merged: TextPart[] = [];
  for (const p of parts) {
    const prev = merged[merged.length - 1];
    if (prev && prev.match === p.match) prev.text += p.text;
    else merged.push({ ...p });
  }
  return merged;
}

/** Text a person typed, made safe to store: NFC, no control characters but newlines and tabs. */
export function cleanText(text: string, multiline: boolean): string {
  const nfc = text.normalize('NFC').replace(/\r\n?/g, '\n');
  // eslint-disable-next-line no-control-regex
  const controls = multiline ? /[\u0000-\u0008\u000b-\u001f\u007f]/g : /[\u0000-\u001f\u007f]/g;
  return nfc.replace(controls, multiline ? '' : ' ');
}

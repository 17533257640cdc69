/**
 * Benchmark: knowledge-base search on a large base (KB-17). Run through `scripts/bench/kb-search`;
 * `--help` lists the options.
 *
 * Set-up: a fresh SQLite file in a temp dir, migrated like the controller's, with `--articles`
 * (10,000) generated articles saved through the knowledge-base service (article, version and
 * index rows in one transaction each, as an editor's save), half Kazakh and half Russian, 90 %
 * published, in 12 categories. Each has a title of 4–9 words and a body of 150–600 words (a
 * Markdown heading and paragraphs), drawn from a vocabulary of real Kazakh and Russian words in
 * their inflected forms (Russian nouns and adjectives declined, Kazakh nouns with plural,
 * possessive and case endings by vowel harmony and the stem's last sound), so the Russian stemmer,
 * the Kazakh suffix stripper and the letter folding all work on every word. Word frequencies
 * follow a Zipf curve, so common words have long posting lists, as in real text.
 *
 * Queries: `--queries` (400) of 1–3 words as an operator types them on a call: content words in
 * any inflected form, a third of the Kazakh ones typed with Russian look-alike letters
 * (Қазақстан → казакстан), a third with the last word cut short (search as you type), some with
 * a language filter. Each runs once through `KbService.search` as an operator (published only, 20
 * results with highlighted title and snippet), timed with `performance.now()`; 20 warm-up queries
 * are not counted.
 *
 * Prints the time to index the articles, the index size, the latency p50/p95/p99/max in ms and
 * how many queries found something. Exit status 1 when p99 ≥ `--max-p99-ms` (50), 2 when the
 * benchmark could not run.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { migrateToLatest, openDatabase } from '../../appliance/src/db/database.js';
import { KbService, type KbActor } from '../../appliance/src/servicedesk/kb/service.js';
import { KbStore } from '../../appliance/src/servicedesk/kb/store.js';
import { foldKazakh, type KbLanguage } from '../../appliance/src/servicedesk/kb/text.js';

interface Options {
  articles: number;
  queries: number;
  seed: number;
  maxP99Ms: number;
  keep: boolean;
}

class UsageError extends Error {}

const USAGE = `Usage: scripts/bench/kb-search [OPTIONS]

Builds a temporary knowledge base of generated Kazakh and Russian articles, runs realistic
operator queries through the search service and prints index time and latency percentiles.
Exit status 1 when the p99 latency reaches --max-p99-ms.

  --articles N       articles to generate and index (default 10000)
  --queries N        timed queries (default 400)
  --seed N           random seed, for a repeatable base and query set (default 1)
  --max-p99-ms MS    the p99 search latency that fails the run (default 50)
  --keep             keep the database (its path is printed)
  -h, --help         this text
`;

function parseOptions(argv: string[]): Options {
  const o: Options = { articles: 10_000, queries: 400, seed: 1, maxP99Ms: 50, keep: false };
  const number = (flag: string, value: string | undefined, min: number): number => {
    const n = Number(value);
    if (value === undefined || !Number.isFinite(n) || n < min) {
      throw new UsageError(`${flag} needs a number of at least ${min}`);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split('=', 2) : [arg];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '-h':
      case '--help':
        process.stdout.write(USAGE);
        process.exit(0);
        break;
      case '--articles':
        o.articles = Math.floor(number(flag, value(), 1));
        break;
      case '--queries':
        o.queries = Math.floor(number(flag, value(), 1));
        break;
      case '--seed':
        o.seed = Math.floor(number(flag, value(), 0));
        break;
      case '--max-p99-ms':
        o.maxP99Ms = number(flag, value(), 0.1);
        break;
      case '--keep':
        o.keep = true;
        break;
      default:
        throw new UsageError(`unknown option ${arg}`);
    }
  }
  return o;
}

/** mulberry32: a small seeded generator, so a run can be repeated. */
function random(seed: number): () => number {
  let a = seed + 0x6d2b79f5;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Vocabulary: lemmas with every form the generator may write.

const HUSHING = /[кгхжшчщ]$/;

function russianMasculine(stem: string): string[] {
  const y = HUSHING.test(stem) ? 'и' : 'ы';
  return ['', 'а', 'у', 'ом', 'е', y, 'ов', 'ам', 'ами', 'ах'].map((e) => stem + e);
}
function russianFeminine(word: string): string[] {
  const stem = word.slice(0, -1);
  const y = HUSHING.test(stem) ? 'и' : 'ы';
  return ['а', y, 'е', 'у', 'ой', '', 'ам', 'ами', 'ах'].map((e) => stem + e);
}
function russianIya(word: string): string[] {
  const stem = word.slice(0, -2);
  return ['ия', 'ии', 'ию', 'ией', 'ий', 'иям', 'иями', 'иях'].map((e) => stem + e);
}
function russianIe(word: string): string[] {
  const stem = word.slice(0, -2);
  return ['ие', 'ия', 'ию', 'ием', 'ии', 'ий', 'иям', 'иями'].map((e) => stem + e);
}
function russianAdjective(word: string): string[] {
  const stem = word.slice(0, -2);
  const y = HUSHING.test(stem) ? 'и' : 'ы';
  return [
    word,
    'ого',
    'ому',
    `${y}м`,
    'ом',
    'ая',
    'ой',
    'ую',
    'ое',
    `${y}е`,
    `${y}х`,
    `${y}ми`,
  ].map((e) => (e === word ? e : stem + e));
}

const RU_LEMMAS: string[][] = [
  ...'канал сигнал абонент оператор филиал пульт ресивер конвертер тариф пакет номер адрес регион город район спутник передатчик мультиплекс телевизор договор дилер монтаж поиск запрос документ список срок ремонт центр сервис доступ разъём штекер экран звук режим'
    .split(' ')
    .map(russianMasculine),
  ...'антенна приставка карта оплата заявка настройка программа частота зона услуга проблема вышка замена касса почта минута работа кнопка квитанция смарт-карта'
    .split(' ')
    .map((w) => (w === 'квитанция' ? russianIya(w) : russianFeminine(w))),
  ...'станция линия гарантия информация категория инструкция'.split(' ').map(russianIya),
  ...'телевидение вещание изображение подключение обращение соединение покрытие оборудование сообщение расписание значение'
    .split(' ')
    .map(russianIe),
  ...'цифровой эфирный спутниковый лицевой бесплатный основной новый старый плановый технический местный национальный официальный региональный телевизионный кабельный платный'
    .split(' ')
    .map(russianAdjective),
  ...'настроить перенастроить настройте проверьте подключить подключите оплатить оплатите позвонить позвоните сообщить сообщите найти найдите выберите сохраните включите выключите отключить работает пропал пропали исчез показывает нажмите откройте запустите дождитесь обратитесь зарегистрировать заменить получить'
    .split(' ')
    .map((w) => [w]),
];
const RU_FUNCTION =
  'и в на с по для не что если или как при после до от за к у это все его их уже ещё только также через без можно нужно'.split(
    ' ',
  );

const BACK = /[аоұы]/;
const FRONT = /[әөүіе]/;
const VOWEL = /[аәоөұүыіеиуэюя]$/;
const VOICELESS = /[кқпстфхцчшщ]$/;

/** Kazakh noun forms: plural, possessive (3rd person) and case endings by vowel harmony. */
function kazakhForms(root: string): string[] {
  const vowels = [...root].filter((c) => BACK.test(c) || FRONT.test(c));
  const back = vowels.length === 0 || BACK.test(vowels[vowels.length - 1]!);
  const pick = (b: string, f: string) => (back ? b : f);
  const after = (word: string, vowel: string, voiced: string, voiceless: string) =>
    VOWEL.test(word) ? vowel : VOICELESS.test(word) ? voiceless : voiced;
  const plural = root + after(root, pick('лар', 'лер'), pick('дар', 'дер'), pick('тар', 'тер'));
  const poss = (w: string) => w + (VOWEL.test(w) ? pick('сы', 'сі') : pick('ы', 'і'));
  const cases = (w: string) => [
    w,
    w + after(w, pick('ның', 'нің'), pick('дың', 'дің'), pick('тың', 'тің')),
    w + (VOICELESS.test(w) ? pick('қа', 'ке') : pick('ға', 'ге')),
    w + after(w, pick('ны', 'ні'), pick('ды', 'ді'), pick('ты', 'ті')),
    w + (VOICELESS.test(w) ? pick('та', 'те') : pick('да', 'де')),
    w + (VOICELESS.test(w) ? pick('тан', 'тен') : pick('дан', 'ден')),
    w + (VOICELESS.test(w) ? 'пен' : 'мен'),
  ];
  return [...cases(root), ...cases(plural).slice(0, 5), poss(root), poss(plural)];
}

const KK_LEMMAS: string[][] = [
  ...'арна теледидар антенна сигнал жабдық төлем шот нөмір абонент қызмет өтінім ақаулық филиал мекенжай өңір қала ауыл аудан облыс радио жиілік таратқыш мұнара кабель ресивер карта спутник пакет тариф келісімшарт түбіртек маман оператор қоңырау хабарлама бағдарлама хабар сапа кедергі уақыт ақпарат мәзір сурет дыбыс экран пульт тізім құжат куәлік дилер Қазақстан Алматы Астана Қарағанды'
    .split(' ')
    .map(kazakhForms),
  ...'қосылады тексеріңіз баптаңыз шалыңыз іздеңіз таңдаңыз сақтаңыз бұраңыз күтіңіз хабарласыңыз төлеңіз жазыңыз айтыңыз көрсетілген қосылу баптау іздеу тіркеу ауыстыру жөндеу цифрлық спутниктік эфирлік тегін ақылы жаңа ескі жақын'
    .split(' ')
    .map((w) => [w]),
];
const KK_FUNCTION =
  'және немесе бойынша арқылы ішінде үшін кейін дейін жоқ бар керек мүмкін қажет болса емес барлық әр бір екі үш ең көп аз'.split(
    ' ',
  );

interface Vocabulary {
  lemmas: string[][];
  function: string[];
  /** Cumulative Zipf weights over lemmas, for picking by frequency. */
  cumulative: number[];
}

function vocabulary(lemmas: string[][], fn: string[], rnd: () => number): Vocabulary {
  const shuffled = [...lemmas].sort(() => rnd() - 0.5);
  let sum = 0;
  const cumulative = shuffled.map((_, i) => (sum += 1 / (i + 1)));
  return { lemmas: shuffled, function: fn, cumulative: cumulative.map((c) => c / sum) };
}

const VOCAB_SEEDED = (rnd: () => number): Record<KbLanguage, Vocabulary> => ({
  ru: vocabulary(RU_LEMMAS, RU_FUNCTION, rnd),
  kk: vocabulary(KK_LEMMAS, KK_FUNCTION, rnd),
});

function pickLemma(v: Vocabulary, rnd: () => number): string[] {
  const r = rnd();
  let lo = 0;
  let hi = v.cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v.cumulative[mid]! < r) lo = mid + 1;
    else hi = mid;
  }
  return v.lemmas[lo]!;
}

const pick = <T>(xs: readonly T[], rnd: () => number): T => xs[Math.floor(rnd() * xs.length)]!;
const between = (lo: number, hi: number, rnd: () => number) =>
  lo + Math.floor(rnd() * (hi - lo + 1));

function word(v: Vocabulary, rnd: () => number): string {
  return rnd() < 0.3 ? pick(v.function, rnd) : pick(pickLemma(v, rnd), rnd);
}

function sentence(v: Vocabulary, rnd: () => number): string {
  const n = between(6, 14, rnd);
  const words = Array.from({ length: n }, () => word(v, rnd));
  if (rnd() < 0.1) words.splice(between(1, n - 1, rnd), 0, String(between(1, 2000, rnd)));
  const s = words.join(' ');
  return s[0]!.toUpperCase() + s.slice(1) + (rnd() < 0.15 ? '?' : '.');
}

function article(
  v: Vocabulary,
  rnd: () => number,
): { title: string; body: string; tags: string[] } {
  const titleWords = Array.from({ length: between(4, 9, rnd) }, () => pick(pickLemma(v, rnd), rnd));
  const title = titleWords.join(' ');
  const target = between(150, 600, rnd);
  const paragraphs: string[] = [];
  let words = 0;
  while (words < target) {
    const p: string[] = [];
    for (let i = between(2, 5, rnd); i > 0 && words < target; i--) {
      const s = sentence(v, rnd);
      words += s.split(' ').length;
      p.push(s);
    }
    paragraphs.push(p.join(' '));
  }
  const heading = `## ${pick(pickLemma(v, rnd), rnd)} ${pick(pickLemma(v, rnd), rnd)}`;
  paragraphs.splice(1, 0, heading);
  const tags = Array.from({ length: between(1, 3, rnd) }, () => pickLemma(v, rnd)[0]!);
  return { title: title[0]!.toUpperCase() + title.slice(1), body: paragraphs.join('\n\n'), tags };
}

interface Query {
  q: string;
  language?: KbLanguage;
}

function query(vocab: Record<KbLanguage, Vocabulary>, rnd: () => number): Query {
  const language: KbLanguage = rnd() < 0.5 ? 'kk' : 'ru';
  const v = vocab[language];
  const words = Array.from({ length: between(1, 3, rnd) }, () =>
    pick(pickLemma(v, rnd), rnd).toLowerCase(),
  );
  if (language === 'kk' && rnd() < 0.33) {
    for (let i = 0; i < words.length; i++) words[i] = foldKazakh(words[i]!);
  }
  let q = words.join(' ');
  const last = words[words.length - 1]!;
  if (rnd() < 0.33 && last.length > 4) {
    q = q.slice(0, q.length - last.length) + last.slice(0, between(3, last.length - 1, rnd));
  } else if (rnd() < 0.5) {
    q += ' ';
  }
  return rnd() < 0.25 ? { q, language } : { q };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}

const ms = (n: number) => n.toFixed(2);

async function main(): Promise<number> {
  const o = parseOptions(process.argv.slice(2));
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kcc-kb-bench-'));
  const file = path.join(dir, 'kb.sqlite');
  const { db } = openDatabase(file);
  try {
    await migrateToLatest(db);
    const kb = new KbService({ store: new KbStore(db), now: () => new Date() });
    const rnd = random(o.seed);
    const vocab = VOCAB_SEEDED(rnd);

    const categories: number[] = [];
    for (let i = 0; i < 12; i++) {
      const c = await kb.createCategory({
        parentId: i >= 4 ? categories[i % 4]! : null,
        nameKk: `Санат ${i + 1}`,
        nameRu: `Категория ${i + 1}`,
        nameEn: `Category ${i + 1}`,
        position: i,
      });
      categories.push(c.id);
    }

    process.stdout.write(`kb-search: generating and indexing ${o.articles} articles in ${file}\n`);
    let words = 0;
    const indexStart = performance.now();
    for (let i = 0; i < o.articles; i++) {
      const language: KbLanguage = i % 2 === 0 ? 'kk' : 'ru';
      const a = article(vocab[language], rnd);
      words += a.body.split(/\s+/).length;
      await kb.create(
        {
          language,
          ...a,
          categoryId: pick(categories, rnd),
          status: rnd() < 0.9 ? 'published' : 'draft',
        },
        'bench',
      );
      if ((i + 1) % 2000 === 0) process.stdout.write(`  ${i + 1} indexed\n`);
    }
    const indexMs = performance.now() - indexStart;
    await db.destroy().catch(() => undefined);
    const reopened = openDatabase(file);
    const kb2 = new KbService({ store: new KbStore(reopened.db), now: () => new Date() });
    const size =
      (await stat(file)).size + (await stat(`${file}-wal`).catch(() => ({ size: 0 }))).size;

    const operator: KbActor = { username: 'operator1', canWrite: false };
    const queries = Array.from({ length: o.queries + 20 }, () => query(vocab, rnd));
    const times: number[] = [];
    let found = 0;
    let anyFallback = 0;
    const slowest: Array<{ q: string; ms: number }> = [];
    for (const [i, q] of queries.entries()) {
      const t0 = performance.now();
      const answer = await kb2.search({ q: q.q, language: q.language, limit: 20 }, operator);
      const t = performance.now() - t0;
      if (i < 20) continue;
      times.push(t);
      if (answer.items.length > 0) found += 1;
      if (answer.matched === 'any') anyFallback += 1;
      slowest.push({ q: q.q + (q.language ? ` [${q.language}]` : ''), ms: t });
    }
    await reopened.db.destroy();
    times.sort((a, b) => a - b);
    slowest.sort((a, b) => b.ms - a.ms);
    const p99 = percentile(times, 99);

    process.stdout.write(
      [
        '',
        `articles:        ${o.articles} (avg ${Math.round(words / o.articles)} words of body), database ${(size / 1048576).toFixed(1)} MiB`,
        `index time:      ${(indexMs / 1000).toFixed(1)} s for ${o.articles} articles (${Math.round(o.articles / (indexMs / 1000))} articles/s, ${ms(indexMs / o.articles)} ms each, through KbService.create)`,
        `queries:         ${times.length} timed after 20 warm-up; ${found} found something, ${anyFallback} fell back to any word`,
        `search latency:  p50 ${ms(percentile(times, 50))} ms   p95 ${ms(percentile(times, 95))} ms   p99 ${ms(p99)} ms   max ${ms(times[times.length - 1] ?? NaN)} ms`,
        `slowest:         ${slowest
          .slice(0, 3)
          .map((s) => `"${s.q}" ${ms(s.ms)} ms`)
          .join(', ')}`,
        `target:          p99 < ${o.maxP99Ms} ms: ${p99 < o.maxP99Ms ? 'met' : 'MISSED'}`,
        '',
      ].join('\n'),
    );
    return p99 < o.maxP99Ms ? 0 : 1;
  } finally {
    if (o.keep) process.stdout.write(`kept ${file}\n`);
    else await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  (status) => process.exit(status),
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`kb-search: ${err.message}\n\n${USAGE}`);
    } else {
      process.stderr.write(`kb-search: ${(err as Error).stack ?? String(err)}\n`);
    }
    process.exit(2);
  },
);

/**
 * The flow the appliance ships with (SVC-4, SVC-14, SVC-31): greeting, language choice (Kazakh
 * by default: every operator speaks it), working hours, main menu, the queue of the caller's
 * language; after hours a message and a callback offer.
 */
import type { FlowGraph } from './model.js';

export const DEFAULT_FLOW_ID = 'main';

export const DEFAULT_FLOW: FlowGraph = {
  start: 'greeting',
  nodes: {
    greeting: { type: 'play', prompt: 'greeting', next: 'language' },
    language: {
      type: 'language',
      prompt: 'choose-language',
      options: { '1': 'kk', '2': 'ru' },
      default: 'kk',
      timeoutSeconds: 5,
      next: 'hours',
    },
    hours: { type: 'hours', open: 'main_menu', closed: 'after_hours' },
    main_menu: {
      type: 'menu',
      prompt: 'main-menu',
      options: {
        '1': 'topic_connection',
        '2': 'topic_technical',
        '3': 'topic_other',
        '0': 'operator',
      },
      timeoutSeconds: 5,
      retries: 1,
      onTimeout: 'operator',
    },
    topic_connection: { type: 'set', name: 'KCC_TOPIC', value: 'connection', next: 'operator' },
    topic_technical: { type: 'set', name: 'KCC_TOPIC', value: 'technical', next: 'operator' },
    topic_other: { type: 'set', name: 'KCC_TOPIC', value: 'other', next: 'operator' },
    operator: { type: 'queue', queue: 'by-language', next: 'no_operators' },
    no_operators: { type: 'play', prompt: 'no-operators', next: 'offer_callback' },
    after_hours: { type: 'play', prompt: 'after-hours', completes: true, next: 'offer_callback' },
    offer_callback: { type: 'callback', prompt: 'callback-offer', confirmPrompt: 'callback-saved' },
  },
};

/** The prompts the default flow and the queues play, with the demo's spoken texts. */
export const DEMO_PROMPTS: Record<string, { kk: string; ru: string }> = {
  greeting: {
    kk: 'Қазтелерадио байланыс орталығына қош келдіңіз.',
    ru: 'Добро пожаловать в контакт-центр Казтелерадио.',
  },
  'choose-language': {
    kk: 'Қазақ тілі үшін бірді басыңыз. Для русского языка нажмите два.',
    ru: 'Қазақ тілі үшін бірді басыңыз. Для русского языка нажмите два.',
  },
  'main-menu': {
    kk: 'Қосылуға өтінім үшін бірді, техникалық ақау үшін екіні, басқа сұрақтар үшін үшті басыңыз. Операторға қосылу үшін нөлді басыңыз.',
    ru: 'Для заявки на подключение нажмите один, по технической проблеме два, по другим вопросам три. Чтобы соединиться с оператором, нажмите ноль.',
  },
  'recording-notice': { kk: 'Қоңырау жазылады.', ru: 'Разговор записывается.' },
  'no-operators': {
    kk: 'Қазір барлық операторлар бос емес.',
    ru: 'Сейчас все операторы заняты.',
  },
  'after-hours': {
    kk: 'Байланыс орталығы қазір жабық. Жұмыс күндері сағат тоғыздан жиырма бірге дейін, демалыс және мереке күндері оннан он тоғызға дейін жұмыс істейміз.',
    ru: 'Контакт-центр сейчас закрыт. Мы работаем по будням с девяти до двадцати одного, в выходные и праздники с десяти до девятнадцати.',
  },
  'callback-offer': {
    kk: 'Кері қоңырау өтінімін қалдыру үшін бірді басыңыз.',
    ru: 'Чтобы оставить заявку на обратный звонок, нажмите один.',
  },
  'callback-saved': {
    kk: 'Өтініміңіз қабылданды. Сізге хабарласамыз.',
    ru: 'Ваша заявка принята. Мы вам перезвоним.',
  },
  goodbye: { kk: 'Қоңырауыңызға рахмет. Сау болыңыз.', ru: 'Спасибо за звонок. До свидания.' },
};

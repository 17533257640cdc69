import { api } from '../api';
import { LANGUAGES, type Language } from '../types';
import { en, type MessageKey, type Messages } from './en';
import { kk } from './kk';
import { ru } from './ru';

export type { MessageKey } from './en';

const catalogs: Record<Language, Messages> = { kk, ru, en };

/** BCP 47 locale used with Intl for each UI language. en-GB keeps a 24-hour clock. */
const locales: Record<Language, string> = { kk: 'kk-KZ', ru: 'ru-RU', en: 'en-GB' };

export const LANGUAGE_OPTIONS: ReadonlyArray<{ code: Language; short: string; name: string }> = [
  { code: 'kk', short: 'Қаз', name: 'Қазақша' },
  { code: 'ru', short: 'Рус', name: 'Русский' },
  { code: 'en', short: 'Eng', name: 'English' },
];

const STORAGE_KEY = 'kcc.language';

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

function readStored(): Language | null {
  try {
    const value = globalThis.localStorage?.getItem(STORAGE_KEY);
    return isLanguage(value) ? value : null;
  } catch {
    return null;
  }
}

/** The first of the browser's preferred languages that the UI speaks; Russian otherwise. */
export function browserLanguage(
  preferred: readonly string[] = globalThis.navigator?.languages ?? [],
): Language {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'ru';
}

export function interpolate(template: string, params?: Record<string, string | number>): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (match, name: string) =>
    name in params ? String(params[name]) : match,
  );
}

class I18nManager {
  #language = $state<Language>(readStored() ?? browserLanguage());
  /** True once the user picked a language on this browser: it then wins over the account's. */
  #chosen = readStored() !== null;

  constructor() {
    this.#apply();
  }

  get language(): Language {
    return this.#language;
  }

  get locale(): string {
    return locales[this.#language];
  }

  /** Translates a key into the current language, filling `{name}` placeholders. */
  t = (key: MessageKey, params?: Record<string, string | number>): string => {
    return interpolate(catalogs[this.#language][key], params);
  };

  /** The user picked a language: switch and remember it on this browser. */
  choose(language: Language): void {
    this.#chosen = true;
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, language);
    } catch {
      // Storage may be disabled (private mode, kiosk policies); the choice then lasts this visit.
    }
    this.#set(language);
  }

  /** After login: follow the account's language unless the user picked one on this browser. */
  adoptUserLanguage(language: Language): void {
    if (!this.#chosen && isLanguage(language)) this.#set(language);
  }

  #set(language: Language): void {
    this.#language = language;
    this.#apply();
  }

  #apply(): void {
    api.setLanguage(this.#language);
    if (typeof document !== 'undefined') {
      document.documentElement.lang = this.#language;
      document.title = catalogs[this.#language]['app.title'];
    }
  }
}

export const i18n = new I18nManager();
/** Shorthand for templates: `t('login.title')`. */
export const t = i18n.t;

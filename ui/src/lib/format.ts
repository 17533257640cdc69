import type { MessageKey } from './i18n/en';
import type { Call, ServiceCode } from './types';

export const TIME_ZONE = 'Asia/Almaty';

const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();

function dateFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `d|${locale}|${JSON.stringify(options)}`;
  let format = cache.get(key) as Intl.DateTimeFormat | undefined;
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { timeZone: TIME_ZONE, ...options });
    cache.set(key, format);
  }
  return format;
}

/**
 * Some browsers (Chromium builds among them) claim Kazakh but ship no Kazakh ICU data and fall back
 * to English conventions. Kazakh writes numbers like Russian (1 234,5), so Russian stands in then.
 */
let kazakhNumberLocale: string | null = null;
function numberLocale(locale: string): string {
  if (!locale.startsWith('kk')) return locale;
  if (kazakhNumberLocale === null) {
    const sample = new Intl.NumberFormat(locale).format(1234.5);
    kazakhNumberLocale = sample.includes(',') && !sample.includes('.') ? locale : 'ru-RU';
  }
  return kazakhNumberLocale;
}

// Kazakh calendar words, written out because the browser's Kazakh date data may be missing.
const KK_MONTHS = [
  'қаңтар',
  'ақпан',
  'наурыз',
  'сәуір',
  'мамыр',
  'маусым',
  'шілде',
  'тамыз',
  'қыркүйек',
  'қазан',
  'қараша',
  'желтоқсан',
] as const;
const KK_WEEKDAYS = [
  'жексенбі',
  'дүйсенбі',
  'сейсенбі',
  'сәрсенбі',
  'бейсенбі',
  'жұма',
  'сенбі',
] as const;

function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `n|${locale}|${JSON.stringify(options)}`;
  let format = cache.get(key) as Intl.NumberFormat | undefined;
  if (!format) {
    format = new Intl.NumberFormat(numberLocale(locale), options);
    cache.set(key, format);
  }
  return format;
}

function toDate(value: string | number | Date): Date {
  return value instanceof Date ? value : new Date(value);
}

/** 14:05:09 in Almaty. */
export function formatTime(value: string | number | Date | null, locale: string): string {
  if (value === null) return '—';
  const date = toDate(value);
  if (Number.isNaN(date.getTime())) return '—';
  return dateFormat(locale, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(date);
}

/** 14:05 in Almaty. */
export function formatShortTime(value: string | number | Date, locale: string): string {
  return dateFormat(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    toDate(value),
  );
}

/** Time, prefixed by the date when it is not today in Almaty. */
export function formatDateTime(
  value: string | number | Date,
  locale: string,
  now: number = Date.now(),
): string {
  const date = toDate(value);
  if (almatyDay(date) === almatyDay(now)) return formatShortTime(date, locale);
  if (locale.startsWith('kk')) {
    const p = almatyParts(date);
    return `${p.day} ${KK_MONTHS[p.month - 1] ?? ''} ${formatShortTime(date, locale)}`;
  }
  return dateFormat(locale, {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(date);
}

/** Long date for headings: "Tuesday, 3 March 2026". */
export function formatLongDate(value: string | number | Date, locale: string): string {
  if (locale.startsWith('kk')) {
    // CLDR's Kazakh long form: "2026 ж. 3 наурыз, сейсенбі".
    const p = almatyParts(toDate(value));
    const weekday = new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay();
    return `${p.year} ж. ${p.day} ${KK_MONTHS[p.month - 1] ?? ''}, ${KK_WEEKDAYS[weekday] ?? ''}`;
  }
  return dateFormat(locale, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }).format(toDate(value));
}

/** m:ss, or h:mm:ss past an hour. */
export function formatDuration(totalSeconds: number | null): string {
  if (totalSeconds === null || !Number.isFinite(totalSeconds)) return '—';
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Looks up a message; format functions take it so that unit words follow the UI language. */
export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** Uptime with localised units: "3 d 4 h", "12 h 5 min", "7 min". */
export function formatUptime(totalSeconds: number, translate: Translate): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days > 0) return translate('unit.daysHours', { d: days, h: hours });
  if (hours > 0) return translate('unit.hoursMinutes', { h: hours, m: minutes });
  return translate('unit.minutes', { m: minutes });
}

const BYTE_UNITS = [
  'unit.B',
  'unit.KB',
  'unit.MB',
  'unit.GB',
  'unit.TB',
  'unit.PB',
] as const satisfies readonly MessageKey[];

/** Decimal units, as disk vendors count: 512 GB, 3.4 TB. */
export function formatBytes(bytes: number, locale: string, translate: Translate): string {
  let value = Math.max(0, bytes);
  let index = 0;
  while (value >= 1000 && index < BYTE_UNITS.length - 1) {
    value /= 1000;
    index += 1;
  }
  const digits = value < 10 && index > 0 ? 1 : 0;
  const number = numberFormat(locale, { maximumFractionDigits: digits }).format(value);
  return translate(BYTE_UNITS[index] ?? 'unit.B', { n: number });
}

/** 42 % (a number from 0 to 100). */
export function formatPercent(percent: number, locale: string): string {
  return numberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(percent / 100);
}

export function formatNumber(value: number, locale: string, fractionDigits = 0): string {
  return numberFormat(locale, {
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  }).format(value);
}

const SERVICE_NUMBERS: Record<ServiceCode, string> = {
  '193': '193',
  '88000800193': '8 8000 800 193',
  '77272581500': '+7 727 258 15 00',
};

/** The service number as printed for the public. */
export function serviceNumber(service: ServiceCode | null, did: string | null = null): string {
  if (service) return SERVICE_NUMBERS[service];
  return did ?? '—';
}

/** Seconds the call has lasted (until now when it is still going). */
export function callDuration(call: Call, now: number): number {
  if (call.state === 'ended') {
    if (call.durationSeconds !== null) return call.durationSeconds;
    if (call.endedAt) return (Date.parse(call.endedAt) - Date.parse(call.startedAt)) / 1000;
  }
  return (now - Date.parse(call.startedAt)) / 1000;
}

function almatyParts(date: Date): {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
} {
  const parts = dateFormat('en-US', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const get = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((p) => p.type === type)?.value ?? 0);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

/** "2026-03-03": the calendar day in Almaty. */
export function almatyDay(at: Date | number = Date.now()): string {
  const p = almatyParts(toDate(at));
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** Epoch ms of 00:00 today in Almaty (Intl gives the offset, so no fixed UTC+5 is assumed). */
export function startOfAlmatyDay(at: Date | number = Date.now()): number {
  const p = almatyParts(toDate(at));
  const midnightAsUtc = Date.UTC(p.year, p.month - 1, p.day);
  let guess = midnightAsUtc;
  for (let i = 0; i < 2; i += 1) {
    const q = almatyParts(new Date(guess));
    const offset = Date.UTC(q.year, q.month - 1, q.day, q.hour, q.minute, q.second) - guess;
    guess = midnightAsUtc - offset;
  }
  return guess;
}

/** The call center's clock: times are stored in UTC and days are counted in Asia/Almaty. */
export const CENTER_TIME_ZONE = 'Asia/Almaty';

/** One formatter per zone: making one costs far more than formatting with it. */
const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC in minutes at the instant `at` (e.g. +300 for Almaty). */
export function zoneOffsetMinutes(timeZone: string, at: Date): number {
  let format = offsetFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormats.set(timeZone, format);
  }
  const name = format.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value;
  const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name ?? '');
  if (!m) return 0;
  const sign = m[1] === '-' ? -1 : 1;
  return sign * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

/** Midnight of the day `at` falls on in `timeZone`, as a UTC instant. */
export function startOfDay(at: Date, timeZone = CENTER_TIME_ZONE): Date {
  const offset = zoneOffsetMinutes(timeZone, at);
  const local = new Date(at.getTime() + offset * 60_000);
  local.setUTCHours(0, 0, 0, 0);
  return new Date(local.getTime() - offset * 60_000);
}

import { describe, expect, it } from 'vitest';
import { startOfDay, zoneOffsetMinutes } from './time.js';

describe('center time', () => {
  it('Almaty is UTC+5 since 2024-03-01 and was UTC+6 before', () => {
    expect(zoneOffsetMinutes('Asia/Almaty', new Date('2026-11-25T12:00:00Z'))).toBe(300);
    expect(zoneOffsetMinutes('Asia/Almaty', new Date('2024-01-15T12:00:00Z'))).toBe(360);
  });

  it('a day in Almaty starts at 19:00 UTC of the day before', () => {
    expect(startOfDay(new Date('2026-11-25T10:00:00Z')).toISOString()).toBe(
      '2026-11-24T19:00:00.000Z',
    );
    // 20:30 UTC is already the next day in Almaty.
    expect(startOfDay(new Date('2026-11-25T20:30:00Z')).toISOString()).toBe(
      '2026-11-25T19:00:00.000Z',
    );
  });
});

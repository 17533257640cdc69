import { describe, expect, it } from 'vitest';
import { didVariants, normalizeDid, serviceForDid } from './did.js';

const SERVICES = ['193', '88000800193', '77272581500'];

describe('normalizeDid', () => {
  it.each([
    ['193', '193'],
    ['88000800193', '88000800193'],
    ['8 8000 800 193', '88000800193'],
    ['+78000800193', '88000800193'],
    ['+77272581500', '77272581500'],
    ['77272581500', '77272581500'],
    ['87272581500', '77272581500'],
    ['+7 (727) 258-15-00', '77272581500'],
    ['7272581500', '77272581500'],
  ])('%s -> %s', (raw, expected) => {
    expect(normalizeDid(raw)).toBe(expected);
  });

  it('rejects what is not a number', () => {
    expect(normalizeDid('')).toBeNull();
    expect(normalizeDid('abc')).toBeNull();
    expect(normalizeDid('s')).toBeNull();
    expect(normalizeDid('193;x')).toBeNull();
  });
});

describe('serviceForDid', () => {
  it('maps every written form of SVC-1 to its service', () => {
    for (const raw of ['193', '88000800193', '+77272581500', '77272581500', '87272581500']) {
      expect(serviceForDid(raw, SERVICES)).not.toBeNull();
    }
    expect(serviceForDid('87272581500', SERVICES)).toBe('77272581500');
  });

  it('returns null for numbers that are not ours', () => {
    expect(serviceForDid('194', SERVICES)).toBeNull();
    expect(serviceForDid('+77272581501', SERVICES)).toBeNull();
  });

  it('every variant normalises back to its canonical form', () => {
    for (const s of SERVICES) {
      for (const v of didVariants(s)) expect(normalizeDid(v)).toBe(s);
    }
  });
});

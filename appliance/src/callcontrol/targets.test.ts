import { describe, expect, it } from 'vitest';
import { externalDigits, TargetError, transferExtension } from './targets.js';

describe('transfer targets', () => {
  it('names the kcc-transfer extension of each kind of target', () => {
    expect(transferExtension({ type: 'operator', value: 'operator3' })).toBe('opoperator3');
    expect(transferExtension({ type: 'queue', value: 'second_line' })).toBe('qsecond_line');
    expect(transferExtension({ type: 'external', value: '+7 (727) 258-15-00' })).toBe(
      'ext77272581500',
    );
  });

  it('refuses what would reach the wrong place, naming the field', () => {
    for (const bad of [
      { type: 'operator' as const, value: 'op;Hangup' },
      { type: 'queue' as const, value: '../etc' },
      { type: 'external' as const, value: '12a' },
      { type: 'external' as const, value: '12' },
      { type: 'external' as const, value: '+7 701 123 45 67 89 00 11' },
    ]) {
      expect(() => transferExtension(bad)).toThrow(TargetError);
    }
    expect(() => externalDigits('call me')).toThrow(/not a phone number/);
  });
});

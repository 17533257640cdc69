import { describe, expect, it } from 'vitest';
import { CALL_EVENTS } from '../calls/reducer.js';
import { AMI_EVENT_NAMES, amiEventFilterLines } from './ami-events.js';

describe('AMI event filter', () => {
  it('lets through every event the call facts read', () => {
    const allowed = new Set<string>([...AMI_EVENT_NAMES, 'Newexten']);
    expect([...CALL_EVENTS].filter((name) => !allowed.has(name))).toEqual([]);
  });

  it('filters by name, and Newexten by the carrier context only', () => {
    const lines = amiEventFilterLines();
    expect(lines).toContain('eventfilter(action(include),name(Hangup))=');
    expect(lines.filter((l) => l.includes('Newexten'))).toEqual([
      'eventfilter(action(include),name(Newexten),header(Context),method(exact))=kcc-from-trunk',
    ]);
    expect(lines.some((l) => l.includes('VarSet'))).toBe(false);
  });
});

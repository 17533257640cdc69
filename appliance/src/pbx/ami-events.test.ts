import { describe, expect, it } from 'vitest';
import { CALL_EVENTS } from '../calls/reducer.js';
import { AMI_DISABLED_EVENTS, AMI_EVENT_NAMES, amiEventFilterLines } from './ami-events.js';

describe('AMI events', () => {
  it('lets through every event the call facts read but the Newexten Asterisk no longer makes', () => {
    const allowed = new Set<string>(AMI_EVENT_NAMES);
    expect([...CALL_EVENTS].filter((name) => !allowed.has(name))).toEqual(['Newexten']);
  });

  it('filters by name', () => {
    const lines = amiEventFilterLines();
    expect(lines).toContain('eventfilter(action(include),name(Hangup))=');
    expect(lines.some((l) => l.includes('VarSet') || l.includes('Newexten'))).toBe(false);
  });

  it('never disables an event the controller receives', () => {
    const received = new Set<string>(AMI_EVENT_NAMES);
    expect(AMI_DISABLED_EVENTS.filter((name) => received.has(name))).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { countdown } from './countdown';

const due = '2026-11-25T07:00:00.000Z';
const at = (iso: string) => Date.parse(iso);

describe('callback countdown', () => {
  it('counts down to the deadline', () => {
    expect(countdown({ dueAt: due, doneAt: null }, at('2026-11-25T05:00:00.000Z'))).toEqual({
      state: 'ok',
      seconds: 7200,
      text: '2:00:00',
    });
  });

  it('turns amber in the last half hour and red past the deadline, counting up', () => {
    expect(countdown({ dueAt: due, doneAt: null }, at('2026-11-25T06:45:30.000Z'))).toMatchObject({
      state: 'soon',
      text: '0:14:30',
    });
    expect(countdown({ dueAt: due, doneAt: null }, at('2026-11-25T07:00:00.000Z'))?.state).toBe(
      'overdue',
    );
    expect(countdown({ dueAt: due, doneAt: null }, at('2026-11-25T08:05:09.000Z'))).toMatchObject({
      state: 'overdue',
      text: '−1:05:09',
    });
  });

  it('stops once the subscriber was reached', () => {
    expect(countdown({ dueAt: due, doneAt: '2026-11-25T06:00:00.000Z' }, at(due))?.state).toBe(
      'done',
    );
    expect(countdown(null, 0)).toBeNull();
  });
});

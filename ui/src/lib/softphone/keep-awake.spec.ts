import { describe, expect, it } from 'vitest';
import { KeepAwake, type LockManagerLike } from './keep-awake';

/** A lock manager that records which locks are held, as the browser's would. */
class FakeLocks implements LockManagerLike {
  held = new Set<string>();
  async request(name: string, callback: () => Promise<void>): Promise<unknown> {
    this.held.add(name);
    try {
      return await callback();
    } finally {
      this.held.delete(name);
    }
  }
}

describe('KeepAwake', () => {
  it('holds one lock while the phone is on and lets go on release', async () => {
    const locks = new FakeLocks();
    const awake = new KeepAwake(locks);
    awake.hold();
    awake.hold();
    expect(locks.held.size).toBe(1);
    expect(awake.held).toBe(true);
    awake.release();
    await Promise.resolve();
    await Promise.resolve();
    expect(locks.held.size).toBe(0);
    expect(awake.held).toBe(false);
  });

  it('does nothing where the browser has no Web Locks', () => {
    const awake = new KeepAwake(null);
    awake.hold();
    expect(awake.held).toBe(false);
    awake.release();
  });
});

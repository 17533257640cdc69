/**
 * Keeps a signed-in operator's console from being frozen in the background (OP-32 item 8).
 * Chromium freezes and discards background tabs to save power, and a frozen console cannot
 * answer the PBX's pings or ring; Chromium does not freeze a page that holds a Web Lock, so the
 * console holds one for as long as the phone is on. (Timers in a hidden tab are still throttled,
 * which the phone does not depend on: the PBX's pings arrive as WebSocket messages, whose handlers
 * run at once. The workstation launcher also starts the console with throttling off.)
 *
 * The PBX side stays the safety net: a console that stops answering is paused as unreachable.
 */
export interface LockManagerLike {
  request(name: string, callback: () => Promise<void>): Promise<unknown>;
}

export class KeepAwake {
  #release: (() => void) | null = null;

  constructor(
    private readonly locks: LockManagerLike | null = typeof navigator !== 'undefined' &&
    'locks' in navigator
      ? (navigator.locks as LockManagerLike)
      : null,
  ) {}

  /** Whether the lock is held now. */
  get held(): boolean {
    return this.#release !== null;
  }

  /** Takes the lock (once); it is held until `release()`. */
  hold(): void {
    if (this.#release || !this.locks) return;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    this.#release = release;
    // Each console holds its own lock: the name only has to be one the page keeps.
    void this.locks
      .request(`kcc-console-awake-${Math.random()}`, () => held)
      .catch(() => {
        this.#release = null;
      });
  }

  release(): void {
    this.#release?.();
    this.#release = null;
  }
}

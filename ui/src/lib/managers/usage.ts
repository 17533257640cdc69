/**
 * Reference-counts the users of a manager: the first start() starts the work, the last stop ends it.
 * Several components can then show the same data without double polling or double subscriptions.
 */
export class Usage {
  #count = 0;
  #stop: (() => void) | null = null;

  acquire(start: () => () => void): () => void {
    this.#count += 1;
    if (this.#count === 1) this.#stop = start();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#count -= 1;
      if (this.#count === 0) {
        this.#stop?.();
        this.#stop = null;
      }
    };
  }

  get active(): boolean {
    return this.#count > 0;
  }
}

import { createSubscriber } from 'svelte/reactivity';

/**
 * A reactive "now" that ticks once a second while something on screen reads it
 * (call durations, the wallboard clock), and not at all otherwise.
 */
class Clock {
  readonly #subscribe = createSubscriber((update) => {
    const timer = setInterval(update, 1000);
    return () => clearInterval(timer);
  });

  get now(): number {
    this.#subscribe();
    return Date.now();
  }
}

export const clock = new Clock();

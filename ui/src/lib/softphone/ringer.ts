/**
 * The ring an operator hears for an incoming call: a two-tone burst every few seconds, made with
 * Web Audio so no sound file is needed. Browsers start audio only after a user gesture; the
 * console has had one (sign-in, going Ready), and `start()` resumes the context.
 */
export class Ringer {
  #ctx: AudioContext | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;

  start(): void {
    if (this.#timer || typeof AudioContext === 'undefined') return;
    try {
      this.#ctx ??= new AudioContext();
      void this.#ctx.resume().catch(() => undefined);
    } catch {
      return;
    }
    this.#burst();
    this.#timer = setInterval(() => this.#burst(), 3000);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  #burst(): void {
    const ctx = this.#ctx;
    if (!ctx) return;
    const gain = ctx.createGain();
    gain.gain.value = 0.08;
    gain.connect(ctx.destination);
    for (const freq of [440, 480]) {
      const osc = ctx.createOscillator();
      osc.frequency.value = freq;
      osc.connect(gain);
      osc.start();
      osc.stop(ctx.currentTime + 1.2);
    }
  }
}

import { describe, expect, it, vi } from 'vitest';
import { HeadsetButtons, type HeadsetActions } from './headset.svelte';
import type { HID, HIDCollectionInfo, HIDDevice, HIDDeviceFilter } from './webhid';

const tel = (id: number) => 0x0b * 0x10000 + id;
const led = (id: number) => 0x08 * 0x10000 + id;

/** A Jabra-like telephony collection: Hook Switch (absolute), Phone Mute (relative), LEDs. */
const jabraLike: HIDCollectionInfo[] = [
  {
    usagePage: 0x0b,
    usage: 0x05,
    inputReports: [
      {
        reportId: 2,
        items: [
          { usages: [tel(0x20)], reportSize: 1, reportCount: 1, isAbsolute: true },
          { usages: [tel(0x2f)], reportSize: 1, reportCount: 1, isAbsolute: false },
          { isConstant: true, reportSize: 1, reportCount: 6 },
        ],
      },
    ],
    outputReports: [
      {
        reportId: 2,
        items: [
          { usages: [led(0x17), led(0x09), led(0x18)], reportSize: 1, reportCount: 3 },
          { isConstant: true, reportSize: 1, reportCount: 5 },
        ],
      },
    ],
  },
];

class FakeDevice extends EventTarget implements HIDDevice {
  opened = false;
  readonly sent: Array<[number, number[]]> = [];
  constructor(
    readonly productName = 'Jabra Engage 50',
    readonly collections: HIDCollectionInfo[] = jabraLike,
    readonly vendorId = 0x0b0e,
    readonly productId = 0x0301,
  ) {
    super();
  }
  async open(): Promise<void> {
    this.opened = true;
  }
  async close(): Promise<void> {
    this.opened = false;
  }
  async sendReport(reportId: number, data: BufferSource): Promise<void> {
    const view = ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);
    this.sent.push([reportId, [...view]]);
  }
  press(...data: number[]): void {
    const event = Object.assign(new Event('inputreport'), {
      device: this,
      reportId: 2,
      data: new DataView(new Uint8Array(data).buffer),
    });
    this.dispatchEvent(event);
  }
  lastSent(): number[] | undefined {
    return this.sent.at(-1)?.[1];
  }
}

class FakeHid extends EventTarget implements HID {
  granted: HIDDevice[] = [];
  chooser: () => Promise<HIDDevice[]> = async () => [];
  readonly requests: HIDDeviceFilter[][] = [];
  async getDevices(): Promise<HIDDevice[]> {
    return this.granted;
  }
  async requestDevice(options: { filters: HIDDeviceFilter[] }): Promise<HIDDevice[]> {
    this.requests.push(options.filters);
    return this.chooser();
  }
  plug(type: 'connect' | 'disconnect', device: HIDDevice): void {
    this.dispatchEvent(Object.assign(new Event(type), { device }));
  }
}

function memoryStorage(initial: Record<string, string> = {}) {
  const values = new Map(Object.entries(initial));
  return {
    values,
    getItem: (key: string) => values.get(key) ?? null,
    setItem: (key: string, value: string) => void values.set(key, value),
    removeItem: (key: string) => void values.delete(key),
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup(stored?: { vendorId: number; productId: number }) {
  const hid = new FakeHid();
  const device = new FakeDevice();
  const storage = memoryStorage(stored ? { 'kcc.headset': JSON.stringify(stored) } : {});
  const actions: HeadsetActions = { answer: vi.fn(), hangup: vi.fn(), toggleMute: vi.fn() };
  const headset = new HeadsetButtons(actions, { hid, storage });
  return { hid, device, storage, actions, headset };
}

describe('HeadsetButtons', () => {
  it('says unsupported without WebHID', async () => {
    const headset = new HeadsetButtons(
      { answer: vi.fn(), hangup: vi.fn(), toggleMute: vi.fn() },
      { hid: null, storage: null },
    );
    expect(headset.supported).toBe(false);
    expect(headset.problem).toBe('unsupported');
    await expect(headset.pair()).resolves.toBe(false);
    await expect(headset.restore()).resolves.toBe(false);
  });

  it('pairs a telephony headset, remembers it and lights it', async () => {
    const { hid, device, storage, headset } = setup();
    hid.chooser = async () => [device];
    await expect(headset.pair()).resolves.toBe(true);
    expect(hid.requests).toEqual([[{ usagePage: 0x0b, usage: 0x05 }]]);
    expect(device.opened).toBe(true);
    expect(headset.device).toBe('Jabra Engage 50');
    expect(headset.problem).toBeNull();
    expect(JSON.parse(storage.values.get('kcc.headset') ?? '')).toEqual({
      vendorId: 0x0b0e,
      productId: 0x0301,
    });
    await settle();
    expect(device.sent).toEqual([[2, [0x00]]]);
  });

  it('tells a refused chooser from a closed one', async () => {
    const { hid, headset } = setup();
    await expect(headset.pair()).resolves.toBe(false);
    expect(headset.problem).toBeNull();
    hid.chooser = () => Promise.reject(new DOMException('no gesture', 'SecurityError'));
    await expect(headset.pair()).resolves.toBe(false);
    expect(headset.problem).toBe('denied');
  });

  it('refuses a device without telephony controls', async () => {
    const { hid, headset } = setup();
    hid.chooser = async () => [new FakeDevice('Keyboard', [{ usagePage: 0x01, usage: 0x06 }])];
    await expect(headset.pair()).resolves.toBe(false);
    expect(headset.problem).toBe('not_telephony');
  });

  it('answers, mutes and hangs up from the headset, mirrored in its lights', async () => {
    const { hid, device, actions, headset } = setup();
    hid.chooser = async () => [device];
    await headset.pair();
    headset.sync('ringing', false);
    await settle();
    expect(device.lastSent()).toEqual([0x04]);

    device.press(0x01);
    expect(actions.answer).toHaveBeenCalledTimes(1);
    headset.sync('connecting', false);
    headset.sync('active', false);
    await settle();
    expect(device.lastSent()).toEqual([0x01]);
    // The headset's echo of the hook it was told is no press.
    device.press(0x01);

    device.press(0x03);
    device.press(0x01);
    expect(actions.toggleMute).toHaveBeenCalledTimes(1);
    headset.sync('active', true);
    await settle();
    expect(device.lastSent()).toEqual([0x03]);

    device.press(0x00);
    expect(actions.hangup).toHaveBeenCalledTimes(1);
    headset.sync('ended', false);
    await settle();
    expect(device.lastSent()).toEqual([0x00]);
    expect(actions.answer).toHaveBeenCalledTimes(1);
  });

  it('puts the headset back on hook after a press with no call', async () => {
    const { hid, device, actions, headset } = setup();
    hid.chooser = async () => [device];
    await headset.pair();
    headset.sync(null, false);
    await settle();
    const before = device.sent.length;
    device.press(0x01);
    await settle();
    expect(actions.answer).not.toHaveBeenCalled();
    expect(device.sent.slice(before)).toEqual([[2, [0x00]]]);
    // Its return on hook is then no change; a later ring is answered by the next press.
    device.press(0x00);
    headset.sync('ringing', false);
    device.press(0x01);
    expect(actions.answer).toHaveBeenCalledTimes(1);
  });

  it('reopens the remembered headset after a reload and when plugged in again', async () => {
    const { hid, device, headset } = setup({ vendorId: 0x0b0e, productId: 0x0301 });
    const other = new FakeDevice('Other headset', jabraLike, 0x047f, 0xc056);
    hid.granted = [other, device];
    await expect(headset.restore()).resolves.toBe(true);
    expect(headset.device).toBe('Jabra Engage 50');
    expect(other.opened).toBe(false);

    hid.plug('disconnect', device);
    await settle();
    expect(headset.device).toBeNull();
    hid.plug('connect', other);
    await settle();
    expect(headset.device).toBeNull();
    hid.plug('connect', device);
    await settle();
    expect(headset.device).toBe('Jabra Engage 50');
  });

  it('opens nothing after a reload when nothing was paired', async () => {
    const { hid, device, headset } = setup();
    hid.granted = [device];
    await expect(headset.restore()).resolves.toBe(false);
    expect(device.opened).toBe(false);
  });

  it('turns the lights off and lets go on close', async () => {
    const { hid, device, actions, headset } = setup();
    hid.chooser = async () => [device];
    await headset.pair();
    headset.sync('ringing', false);
    await headset.close();
    expect(device.sent.at(-1)).toEqual([2, [0x00]]);
    expect(device.opened).toBe(false);
    expect(headset.device).toBeNull();
    device.press(0x01);
    expect(actions.answer).not.toHaveBeenCalled();
  });

  it('forgets the pairing', async () => {
    const { hid, device, storage, headset } = setup();
    hid.chooser = async () => [device];
    await headset.pair();
    await headset.forget();
    expect(storage.values.has('kcc.headset')).toBe(false);
    expect(device.opened).toBe(false);
  });
});

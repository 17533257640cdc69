import { describe, expect, it } from 'vitest';
import {
  buttonsAfterSync,
  controlModes,
  decodeInput,
  disagrees,
  encodeOutput,
  headsetAction,
  lightsFor,
  nextButtons,
  parseTelephony,
  TYPICAL_MODES,
  type ButtonState,
  type ControlModes,
  type HeadsetReport,
} from './hid-telephony';
import type { CallPhase } from './line';
import type { HIDCollectionInfo, HIDReportItem } from './webhid';

// Extended usages as WebHID gives them: usage page << 16 | usage id.
const tel = (id: number) => 0x0b * 0x10000 + id;
const led = (id: number) => 0x08 * 0x10000 + id;
const button = (id: number) => 0x09 * 0x10000 + id;
const vendor = (id: number) => 0xff00 * 0x10000 + id;

/** A report item as Chromium fills it: a 1-bit absolute variable 0..1 unless told otherwise. */
function item(fields: Partial<HIDReportItem>): HIDReportItem {
  return {
    isAbsolute: true,
    isArray: false,
    isConstant: false,
    isRange: false,
    hasPreferredState: true,
    usages: [],
    reportSize: 1,
    reportCount: 1,
    logicalMinimum: 0,
    logicalMaximum: 1,
    ...fields,
  };
}

/** A range item: Chromium sets usageMinimum/usageMaximum and leaves `usages` out. */
function range(min: number, max: number, fields: Partial<HIDReportItem>): HIDReportItem {
  const { usages: _none, ...rest } = item(fields);
  return { ...rest, isRange: true, usageMinimum: min, usageMaximum: max };
}

const padding = (bits: number) => item({ isConstant: true, reportCount: bits });
const bytes = (...values: number[]) => new DataView(new Uint8Array(values).buffer);

/**
 * Modelled on a Jabra USB headset's descriptor. Input report 2 (16 bits): Hook Switch and Line
 * Busy Tone (absolute, no preferred state), Phone Mute, Flash, Redial and Speed Dial (relative),
 * Programmable Button (Button page), a 4-bit telephony keypad array in a nested logical
 * collection, 5 bits padding. Output report 2 (16 bits): LEDs Off-Hook, Mute, Ring, Hold and
 * Microphone, Telephony Ringer, 10 bits padding. A vendor collection comes first and repeats the
 * Hook Switch usage, as some headsets do.
 */
const keypad = range(tel(0xb0), tel(0xbb), { isArray: true, reportSize: 4, logicalMaximum: 11 });
const jabra: HIDCollectionInfo[] = [
  {
    usagePage: 0xff00,
    usage: 0x01,
    type: 1,
    children: [],
    inputReports: [{ reportId: 4, items: [item({ usages: [tel(0x20)] }), padding(7)] }],
    outputReports: [
      { reportId: 5, items: [item({ usages: [vendor(0x20)], reportSize: 8, reportCount: 63 })] },
    ],
    featureReports: [],
  },
  {
    usagePage: 0x0b,
    usage: 0x05,
    type: 1,
    // Chromium lists a nested collection's items in its parents' reports too.
    children: [
      {
        usagePage: 0x0b,
        usage: 0x06,
        type: 2,
        children: [],
        inputReports: [{ reportId: 2, items: [keypad] }],
        outputReports: [],
        featureReports: [],
      },
    ],
    inputReports: [
      {
        reportId: 2,
        items: [
          item({ usages: [tel(0x20), tel(0x97)], reportCount: 2, hasPreferredState: false }),
          item({
            usages: [tel(0x2f), tel(0x21), tel(0x24), tel(0x50)],
            reportCount: 4,
            isAbsolute: false,
          }),
          item({ usages: [button(0x07)] }),
          keypad,
          padding(5),
        ],
      },
    ],
    outputReports: [
      {
        reportId: 2,
        items: [
          item({
            usages: [led(0x17), led(0x09), led(0x18), led(0x20), led(0x21)],
            reportCount: 5,
            hasPreferredState: false,
          }),
          item({ usages: [tel(0x9e)], hasPreferredState: false }),
          padding(10),
        ],
      },
    ],
    featureReports: [],
  },
];

/**
 * Modelled on headsets that declare their call buttons as a usage range of toggle buttons and
 * give each LED its own output report. Input report 3 (24 bits):
 *   bits 0-1   Hook Switch..Flash as a range, relative with a preferred state
 *   bit 2      Phone Mute, relative
 *   bits 3-10  an array of two 4-bit slots over Redial, Drop, Speed Dial (logical 1..3, 0 = none);
 *              the second slot crosses into the second byte
 *   bits 11-15 padding
 *   bits 16-18 Button 1, Line Busy Tone, and Line Busy Tone again (the last usage repeats)
 *   bits 19-23 padding
 * Output reports 0x17, 0x09, 0x18: Off-Hook, Mute, Ring, one bit and 7 bits padding each.
 */
const ranged: HIDCollectionInfo[] = [
  {
    usagePage: 0x0b,
    usage: 0x05,
    type: 1,
    children: [],
    inputReports: [
      {
        reportId: 3,
        items: [
          range(tel(0x20), tel(0x21), { reportCount: 2, isAbsolute: false }),
          item({ usages: [tel(0x2f)], isAbsolute: false }),
          item({
            isArray: true,
            usages: [tel(0x24), tel(0x26), tel(0x50)],
            reportSize: 4,
            reportCount: 2,
            logicalMinimum: 1,
            logicalMaximum: 3,
          }),
          padding(5),
          item({ usages: [button(0x01), tel(0x97)], reportCount: 3 }),
          padding(5),
        ],
      },
    ],
    outputReports: [0x17, 0x09, 0x18].map((usage) => ({
      reportId: usage,
      items: [item({ usages: [led(usage)] }), padding(7)],
    })),
    featureReports: [],
  },
];

/**
 * A hook switch as a pair of on/off buttons (relative, -1..1 in two bits) in a report without a
 * report id, and LEDs declared as an indicator array, which is not driven.
 */
const onOffButtons: HIDCollectionInfo[] = [
  {
    usagePage: 0x0b,
    usage: 0x01,
    type: 1,
    children: [],
    inputReports: [
      {
        reportId: 0,
        items: [
          item({
            usages: [tel(0x20)],
            isAbsolute: false,
            hasPreferredState: false,
            reportSize: 2,
            logicalMinimum: -1,
            logicalMaximum: 1,
          }),
          padding(6),
        ],
      },
    ],
    outputReports: [
      {
        reportId: 0,
        items: [
          item({
            isArray: true,
            usages: [led(0x17), led(0x18)],
            reportSize: 8,
            logicalMinimum: 1,
            logicalMaximum: 2,
          }),
        ],
      },
    ],
    featureReports: [],
  },
];

describe('telephony map', () => {
  it('finds the Jabra-like controls bit by bit, ignoring the vendor copy', () => {
    const map = parseTelephony(jabra);
    const field = (bitOffset: number, mode: string) => ({
      reportId: 2,
      bitOffset,
      bitSize: 1,
      mode,
      signed: false,
    });
    expect(map.inputs).toEqual({
      hookSwitch: field(0, 'switch'),
      lineBusy: field(1, 'switch'),
      mute: field(2, 'toggle'),
      flash: field(3, 'toggle'),
      redial: field(4, 'toggle'),
    });
    expect(map.outputs).toEqual({
      offHook: { reportId: 2, bitOffset: 0, bitSize: 1 },
      mute: { reportId: 2, bitOffset: 1, bitSize: 1 },
      ring: { reportId: 2, bitOffset: 2, bitSize: 1 },
      hold: { reportId: 2, bitOffset: 3, bitSize: 1 },
      ringer: { reportId: 2, bitOffset: 5, bitSize: 1 },
    });
    expect([...map.outputLengths]).toEqual([[2, 2]]);
    expect(controlModes(map)).toEqual({ hookSwitch: 'switch', mute: 'toggle' });
  });

  it('counts range slots, array slots, padding and a repeated last usage', () => {
    const map = parseTelephony(ranged);
    expect(map.inputs.hookSwitch).toMatchObject({ reportId: 3, bitOffset: 0, mode: 'toggle' });
    expect(map.inputs.flash).toMatchObject({ reportId: 3, bitOffset: 1, mode: 'toggle' });
    expect(map.inputs.mute).toMatchObject({ reportId: 3, bitOffset: 2, mode: 'toggle' });
    expect(map.inputs.redial).toEqual({
      reportId: 3,
      bitOffset: 3,
      bitSize: 4,
      mode: 'switch',
      signed: false,
      array: { slots: 2, value: 1 },
    });
    // Button 1 is bit 16; Line Busy Tone is bit 17 and, repeated, bit 18: the first one counts.
    expect(map.inputs.lineBusy).toMatchObject({ bitOffset: 17, bitSize: 1 });
    expect(map.outputs).toEqual({
      offHook: { reportId: 0x17, bitOffset: 0, bitSize: 1 },
      ring: { reportId: 0x18, bitOffset: 0, bitSize: 1 },
      mute: { reportId: 0x09, bitOffset: 0, bitSize: 1 },
    });
    expect([...map.outputLengths.values()]).toEqual([1, 1, 1]);
    expect(controlModes(map)).toEqual({ hookSwitch: 'toggle', mute: 'toggle' });
  });

  it('reads a -1..1 hook as on/off buttons and skips indicator arrays', () => {
    const map = parseTelephony(onOffButtons);
    expect(map.inputs.hookSwitch).toEqual({
      reportId: 0,
      bitOffset: 0,
      bitSize: 2,
      mode: 'buttons',
      signed: true,
    });
    expect(map.outputs).toEqual({});
    expect(map.outputLengths.size).toBe(0);
    expect(map.skipped).toEqual([
      'output report 0: offHook is in an array item',
      'output report 0: ring is in an array item',
    ]);
  });

  it('finds nothing in a device without telephony usages', () => {
    const map = parseTelephony([{ usagePage: 0x0c, usage: 0x01, inputReports: [] }]);
    expect(map.inputs).toEqual({});
    expect(encodeOutput(map, { offHook: true, ring: false, mute: false })).toEqual([]);
  });
});

describe('input reports', () => {
  const map = parseTelephony(jabra);

  it('decodes the Jabra-like report bytes', () => {
    const quiet = { hookSwitch: false, lineBusy: false, mute: false, flash: false, redial: false };
    expect(decodeInput(map, 2, bytes(0x00, 0x00))).toEqual(quiet);
    // Off hook, as a Jabra Engage sends it: report 2, data [1, 0].
    expect(decodeInput(map, 2, bytes(0x01, 0x00))).toEqual({ ...quiet, hookSwitch: true });
    // Mute pressed during a call.
    expect(decodeInput(map, 2, bytes(0x05, 0x00))).toEqual({
      ...quiet,
      hookSwitch: true,
      mute: true,
    });
    expect(decodeInput(map, 2, bytes(0x19, 0x00))).toEqual({
      ...quiet,
      hookSwitch: true,
      flash: true,
      redial: true,
    });
    // Keypad and Programmable Button bits are not telephony call controls.
    expect(decodeInput(map, 2, bytes(0xc0, 0x07))).toEqual(quiet);
  });

  it('ignores other reports and fields a short report does not reach', () => {
    expect(decodeInput(map, 4, bytes(0x01))).toEqual({});
    expect(decodeInput(map, 2, bytes())).toEqual({});
    const ranges = parseTelephony(ranged);
    expect(decodeInput(ranges, 3, bytes(0x07))).toEqual({
      hookSwitch: true,
      flash: true,
      mute: true,
    });
  });

  it('reads array slots across a byte boundary', () => {
    const ranges = parseTelephony(ranged);
    const redial = (...data: number[]) => decodeInput(ranges, 3, bytes(...data)).redial;
    expect(redial(0x00, 0x00, 0x00)).toBe(false);
    expect(redial(0x08, 0x00, 0x00)).toBe(true); // first slot = 1 (Redial)
    expect(redial(0x10, 0x00, 0x00)).toBe(false); // first slot = 2 (Drop)
    expect(redial(0x80, 0x00, 0x00)).toBe(true); // second slot = 1: bit 7
    expect(redial(0x80, 0x01, 0x00)).toBe(false); // second slot = 3 (Speed Dial): bits 7 and 8
    expect(redial(0x00, 0x01, 0x00)).toBe(false); // second slot = 2 (Drop): bit 8
  });

  it('reads the first of repeated usages only', () => {
    const ranges = parseTelephony(ranged);
    expect(decodeInput(ranges, 3, bytes(0, 0, 0x02)).lineBusy).toBe(true);
    expect(decodeInput(ranges, 3, bytes(0, 0, 0x04)).lineBusy).toBe(false);
    expect(decodeInput(ranges, 3, bytes(0, 0, 0x01)).lineBusy).toBe(false);
  });

  it('reads on/off buttons as presses, and 0 as no news', () => {
    const buttons = parseTelephony(onOffButtons);
    expect(decodeInput(buttons, 0, bytes(0x01))).toEqual({ hookSwitch: true });
    expect(decodeInput(buttons, 0, bytes(0x03))).toEqual({ hookSwitch: false });
    expect(decodeInput(buttons, 0, bytes(0x00))).toEqual({});
  });
});

describe('output reports', () => {
  const asBytes = (reports: { reportId: number; data: Uint8Array }[]) =>
    reports.map(({ reportId, data }) => [reportId, [...data]]);

  it('lights the Jabra-like LEDs in one whole report', () => {
    const map = parseTelephony(jabra);
    expect(asBytes(encodeOutput(map, { offHook: false, ring: true, mute: false }))).toEqual([
      [2, [0x04, 0x00]],
    ]);
    expect(asBytes(encodeOutput(map, { offHook: true, ring: false, mute: true }))).toEqual([
      [2, [0x03, 0x00]],
    ]);
    expect(
      asBytes(encodeOutput(map, { offHook: true, ring: false, mute: false, hold: true })),
    ).toEqual([[2, [0x09, 0x00]]]);
    expect(
      asBytes(encodeOutput(map, { offHook: false, ring: true, mute: false, ringer: true })),
    ).toEqual([[2, [0x24, 0x00]]]);
    expect(asBytes(encodeOutput(map, lightsFor(null, false)))).toEqual([[2, [0x00, 0x00]]]);
  });

  it('sends every LED report, Off-Hook first, so a light also goes off', () => {
    const map = parseTelephony(ranged);
    expect(asBytes(encodeOutput(map, { offHook: true, ring: false, mute: true }))).toEqual([
      [0x17, [0x01]],
      [0x18, [0x00]],
      [0x09, [0x01]],
    ]);
  });

  it('keeps Off-Hook on while held and shows mute only in a call', () => {
    expect(lightsFor('ringing', false)).toEqual({
      offHook: false,
      ring: true,
      mute: false,
      hold: false,
    });
    expect(lightsFor('active', true, true)).toEqual({
      offHook: true,
      ring: false,
      mute: true,
      hold: true,
    });
    expect(lightsFor('connecting', false).offHook).toBe(true);
    expect(lightsFor('ended', true)).toEqual({
      offHook: false,
      ring: false,
      mute: false,
      hold: false,
    });
  });
});

describe('headset actions', () => {
  const up: ButtonState = { hook: false, mute: false };
  const inCall: ButtonState = { hook: true, mute: false };
  const act = (
    prev: ButtonState,
    report: HeadsetReport,
    phase: CallPhase | null,
    muted = false,
    modes: ControlModes = TYPICAL_MODES,
  ) => headsetAction(prev, report, phase, muted, modes);

  it('answers when the hook goes off while the call rings', () => {
    expect(act(up, { hookSwitch: true }, 'ringing')).toBe('answer');
  });

  it('does not answer when nothing rings', () => {
    expect(act(up, { hookSwitch: true }, null)).toBeNull();
    expect(act(up, { hookSwitch: true }, 'ended')).toBeNull();
    expect(act(up, { hookSwitch: true }, 'active')).toBeNull();
  });

  it('hangs up when the hook goes on while connecting or active', () => {
    expect(act(inCall, { hookSwitch: false }, 'active')).toBe('hangup');
    expect(act(inCall, { hookSwitch: false }, 'connecting')).toBe('hangup');
  });

  it('does not reject a ringing call on a hook-down', () => {
    expect(act(inCall, { hookSwitch: false }, 'ringing')).toBeNull();
  });

  it('toggles mute on the press only, not on the release', () => {
    const press: HeadsetReport = { hookSwitch: true, mute: true };
    const release: HeadsetReport = { hookSwitch: true, mute: false };
    expect(act(inCall, press, 'active')).toBe('toggle-mute');
    const pressed = nextButtons(inCall, press);
    expect(pressed).toEqual({ hook: true, mute: true });
    expect(act(pressed, release, 'active', true)).toBeNull();
    // Unmuting is the same press.
    expect(act(nextButtons(pressed, release), press, 'active', true)).toBe('toggle-mute');
  });

  it('mutes only an active call', () => {
    expect(act(inCall, { mute: true }, 'ringing')).toBeNull();
    expect(act(inCall, { mute: true }, 'connecting')).toBeNull();
    expect(act(inCall, { mute: true }, null)).toBeNull();
  });

  it('does nothing for a repeated identical report', () => {
    const answer: HeadsetReport = { hookSwitch: true, mute: false };
    const after = nextButtons(up, answer);
    expect(act(after, answer, 'ringing')).toBeNull();
    const press: HeadsetReport = { hookSwitch: true, mute: true };
    expect(act(nextButtons(inCall, press), press, 'active')).toBeNull();
    const down: HeadsetReport = { hookSwitch: false };
    expect(act(nextButtons(inCall, down), down, 'active')).toBeNull();
  });

  it('acts on the hook only when one report moves hook and mute', () => {
    expect(act(inCall, { hookSwitch: false, mute: true }, 'active')).toBe('hangup');
    // A hook that does nothing leaves the mute press its effect.
    expect(act(up, { hookSwitch: true, mute: true }, 'active')).toBe('toggle-mute');
  });

  it('plays a Jabra-like call through from the report bytes', () => {
    const map = parseTelephony(jabra);
    const modes = controlModes(map);
    let buttons: ButtonState = { hook: false, mute: false };
    const press = (phase: CallPhase | null, muted: boolean, ...data: number[]) => {
      const report = decodeInput(map, 2, bytes(...data));
      const action = headsetAction(buttons, report, phase, muted, modes);
      buttons = nextButtons(buttons, report);
      return action;
    };
    const synced = (phase: CallPhase | null, muted: boolean) => {
      buttons = buttonsAfterSync(buttons, lightsFor(phase, muted), modes);
    };
    synced('ringing', false);
    expect(press('ringing', false, 0x01, 0x00)).toBe('answer');
    synced('connecting', false);
    synced('active', false);
    expect(press('active', false, 0x05, 0x00)).toBe('toggle-mute');
    synced('active', true);
    expect(press('active', true, 0x01, 0x00)).toBeNull();
    expect(press('active', true, 0x05, 0x00)).toBe('toggle-mute');
    synced('active', false);
    expect(press('active', false, 0x01, 0x00)).toBeNull();
    expect(press('active', false, 0x00, 0x00)).toBe('hangup');
    synced('ended', false);
    expect(press('ended', false, 0x00, 0x00)).toBeNull();
  });

  it('takes a toggle hook press as answer or hang-up by phase', () => {
    const modes = controlModes(parseTelephony(ranged));
    expect(act(up, { hookSwitch: true }, 'ringing', false, modes)).toBe('answer');
    expect(act(up, { hookSwitch: true }, 'active', false, modes)).toBe('hangup');
    expect(act(up, { hookSwitch: true }, null, false, modes)).toBeNull();
    // The release of either press does nothing.
    expect(act(inCall, { hookSwitch: false }, 'active', false, modes)).toBeNull();
  });

  it('follows a mute switch only where it differs from the console', () => {
    const modes: ControlModes = { hookSwitch: 'switch', mute: 'switch' };
    expect(act(inCall, { mute: true }, 'active', false, modes)).toBe('toggle-mute');
    expect(act(inCall, { mute: true }, 'active', true, modes)).toBeNull();
    const muted: ButtonState = { hook: true, mute: true };
    expect(act(muted, { mute: false }, 'active', true, modes)).toBe('toggle-mute');
  });

  it('takes on/off buttons as what they say', () => {
    const modes: ControlModes = { hookSwitch: 'buttons', mute: 'buttons' };
    expect(act(up, { hookSwitch: true }, 'ringing', false, modes)).toBe('answer');
    expect(act(up, { hookSwitch: false }, 'active', false, modes)).toBe('hangup');
    expect(act(up, { mute: true }, 'active', false, modes)).toBe('toggle-mute');
    expect(act(up, { mute: true }, 'active', true, modes)).toBeNull();
  });

  it('makes the echo of an answer from the console no change', () => {
    // The operator answered with the mouse; the headset reports the hook it was told.
    const buttons = buttonsAfterSync(up, lightsFor('connecting', false), TYPICAL_MODES);
    expect(buttons.hook).toBe(true);
    expect(act(buttons, { hookSwitch: true }, 'connecting')).toBeNull();
    expect(
      disagrees(
        nextButtons(buttons, { hookSwitch: true }),
        lightsFor('active', false),
        TYPICAL_MODES,
      ),
    ).toBe(false);
    // Toggle buttons keep their pressed state whatever the lights.
    const toggles: ControlModes = { hookSwitch: 'toggle', mute: 'toggle' };
    expect(buttonsAfterSync(up, lightsFor('active', true), toggles)).toEqual(up);
  });

  it('finds a hook switch off hook with no call at odds with the console', () => {
    const pressed = nextButtons(up, { hookSwitch: true });
    expect(act(up, { hookSwitch: true }, null)).toBeNull();
    expect(disagrees(pressed, lightsFor(null, false), TYPICAL_MODES)).toBe(true);
    const written = buttonsAfterSync(pressed, lightsFor(null, false), TYPICAL_MODES);
    expect(disagrees(written, lightsFor(null, false), TYPICAL_MODES)).toBe(false);
    // The headset going back on hook is then no change either.
    expect(act(written, { hookSwitch: false }, null)).toBeNull();
  });
});

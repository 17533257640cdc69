import { describe, expect, it } from 'vitest';
import { factFromCdr, groupByCall, parseCdr, parseQueueLog, withQueueLog } from './cdr.js';

const SERVICES = ['193', '88000800193', '77272581500'];

// Lines as Asterisk 22's cdr_csv wrote them in the lab (usegmtime, loguniqueid, loguserfield).
const CSV = [
  '"","77021088205","n_offer_callback","kcc-flow-main","""77021088205"" <77021088205>","PJSIP/carrier-00000006","","Read","KCC_DIGIT,kcc/callback-offer,1,,2,6","2026-11-25 15:25:10","2026-11-25 15:25:10","2026-11-25 15:25:29",18,18,"ANSWERED","DOCUMENTATION","1795620310.6","kcc|outcome=ivr|lang=kk|queue=|agent=|callback=1|service=193|did=193|rec=2026/11/25/1795620310.6.wav|path=/greeting/language/hours/after_hours/offer_callback"',
  '"","77022924206","n_q","kcc-flow-second-line","""77022924206"" <77022924206>","PJSIP/carrier-00000007","PJSIP/sip2nd-00000008","Queue","second_line,t,,,600","2026-11-25 15:25:29","2026-11-25 15:25:29","2026-11-25 15:25:32",3,3,"ANSWERED","DOCUMENTATION","1795620329.7","kcc|outcome=operator|lang=kk|queue=second_line|agent=sip2nd|callback=|service=77272581500|did=+77272581500|rec=2026/11/25/1795620329.7.wav|path=/q"',
  '"","77022924206","n_q","kcc-flow-second-line","""77022924206"" <77022924206>","PJSIP/carrier-00000007","PJSIP/sip2nd-00000009","Queue","second_line,t,,,600","2026-11-25 15:25:29","","2026-11-25 15:25:31",2,0,"NO ANSWER","DOCUMENTATION","1795620329.7",""',
  '"","sipp","s","kcc-operators","","PJSIP/op-1","","Hangup","","2026-11-25 15:26:00","","2026-11-25 15:26:01",1,0,"NO ANSWER","DOCUMENTATION","1795620360.1",""',
].join('\n');

describe('CDR rebuild', () => {
  it('keeps only caller legs tagged by the dialplan, with GMT times', () => {
    const records = parseCdr(CSV);
    expect(records.map((r) => r.uniqueid)).toEqual(['1795620310.6', '1795620329.7']);
    expect(records[0]).toMatchObject({
      src: '77021088205',
      start: '2026-11-25T15:25:10.000Z',
      end: '2026-11-25T15:25:29.000Z',
      fields: { outcome: 'ivr', lang: 'kk', callback: '1' },
    });
  });

  it('turns a call into one ended fact with the outcome the dialplan recorded', () => {
    const calls = groupByCall(parseCdr(CSV));
    const ivr = factFromCdr(calls.get('1795620310.6')!, SERVICES)!;
    expect(ivr).toMatchObject({
      id: '1795620310.6',
      state: 'ended',
      outcome: 'ivr',
      outcomeReason: 'callback',
      callbackRequested: true,
      service: '193',
      language: 'kk',
      waitSeconds: null,
      recordingPath: '2026/11/25/1795620310.6.wav',
    });
    const op = factFromCdr(calls.get('1795620329.7')!, SERVICES)!;
    expect(op).toMatchObject({
      outcome: 'operator',
      agent: 'sip2nd',
      queue: 'second_line',
      service: '77272581500',
      did: '77272581500',
      didRaw: '+77272581500',
      waitSeconds: null,
      talkSeconds: null,
    });
  });

  it('counts a call without a recorded outcome as missed', () => {
    const line = CSV.split('\n')[0]!
      .replace('outcome=ivr', 'outcome=')
      .replace('callback=1', 'callback=');
    const fact = factFromCdr(parseCdr(line), SERVICES)!;
    expect(fact.outcome).toBe('missed');
    expect(fact.waitSeconds).toBe(19);
  });

  it('ignores a partial line and garbage', () => {
    expect(parseCdr('"","1","2"\n')).toEqual([]);
    expect(parseCdr('')).toEqual([]);
  });
});

describe('queue_log', () => {
  // Lines as Asterisk 22 wrote them in the lab.
  const LOG = [
    '1795622377|1795622377.67|ru|NONE|ENTERQUEUE||770411047019|1',
    '1795622387|1795622377.67|ru|batch-op2|CONNECT|10|1795622385.69|0',
    '1795622447|1795622377.67|ru|batch-op2|COMPLETECALLER|10|60|1',
    '1795622400|NONE|NONE|PJSIP/x|PAUSEALL|lunch',
  ].join('\n');

  it('finds the operator, the moment of connection and the talk time of each call', () => {
    expect(parseQueueLog(LOG).get('1795622377.67')).toEqual({
      queue: 'ru',
      agent: 'batch-op2',
      connectedAt: new Date(1795622387 * 1000).toISOString(),
      talkSeconds: 60,
    });
    expect(parseQueueLog(LOG).size).toBe(1);
  });

  it("completes an operator call rebuilt from the CDR with the operator's side", () => {
    const line = CSV.split('\n')[1]!;
    const fact = factFromCdr(parseCdr(line), SERVICES)!;
    const connectedAt = '2026-11-25T15:25:31.000Z';
    const full = withQueueLog(fact, {
      queue: 'second_line',
      agent: 'sip2nd',
      connectedAt,
      talkSeconds: 1,
    });
    expect(full).toMatchObject({
      agentAnsweredAt: connectedAt,
      waitSeconds: 2,
      talkSeconds: 1,
      segments: [
        { agent: 'sip2nd', queue: 'second_line', startedAt: connectedAt, endedAt: fact.endedAt },
      ],
    });
    // Not an operator call, or nothing in queue_log: unchanged.
    expect(withQueueLog(fact, undefined)).toBe(fact);
  });
});

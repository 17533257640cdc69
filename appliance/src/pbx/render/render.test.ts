import { describe, expect, it } from 'vitest';
import { DEFAULT_FLOW } from '../../flows/default-flow.js';
import { renderAll, type RenderState } from './index.js';

const sample: RenderState = {
  sip: { bindAddress: '0.0.0.0', port: 5060 },
  http: { bindAddress: '127.0.0.1', port: 8088 },
  ami: { bindAddress: '127.0.0.1', port: 5038, username: 'kcc', secret: 's3cret' },
  mediaAddress: '192.0.2.10',
  iceHostCandidates: { '198.51.100.7': '192.0.2.10' },
  trunks: [
    {
      name: 'carrier',
      matchAddresses: ['203.0.113.5', '203.0.113.0/28'],
      outboundUri: 'sip:203.0.113.5:5060',
    },
  ],
  endpoints: [
    { username: 'operator2', displayName: 'Айгерим Сәрсенова', secret: 'b'.repeat(32) },
    { username: 'operator1', displayName: 'Иван "Ivan" Петров', secret: 'a'.repeat(32) },
    { username: 'deskphone1', displayName: 'Desk', secret: 'c'.repeat(32), phoneType: 'sip' },
  ],
  services: ['77272581500', '193', '88000800193'],
  serviceFlows: { '193': 'main', '88000800193': 'main', '77272581500': null },
  flows: [{ id: 'main', version: 2, graph: DEFAULT_FLOW }],
  queues: [
    {
      name: 'ru',
      strategy: 'rrmemory',
      ringSeconds: 15,
      wrapupSeconds: 5,
      maxWaitSeconds: 300,
      members: ['operator2', 'operator1'],
    },
    {
      name: 'kk',
      strategy: 'rrmemory',
      ringSeconds: 15,
      wrapupSeconds: 5,
      maxWaitSeconds: 240,
      members: ['operator1'],
    },
  ],
  hoursDialplan: '[kcc-hours]\nexten => s,1,Set(KCC_OPEN=1)\n same => n,Return()\n',
};

describe('renderAll', () => {
  it('pins the generated files for a sample state', async () => {
    const files = renderAll(sample);
    for (const [name, content] of Object.entries(files)) {
      await expect(content).toMatchFileSnapshot(`./__fixtures__/${name}`);
    }
  });

  it('is byte-identical for the same state in any input order', () => {
    const shuffled: RenderState = {
      ...sample,
      trunks: sample.trunks.map((t) => ({ ...t, matchAddresses: [...t.matchAddresses].reverse() })),
      endpoints: [...sample.endpoints].reverse(),
      services: [...sample.services].reverse(),
      queues: sample.queues!.map((q) => ({ ...q, members: [...q.members].reverse() })).reverse(),
    };
    expect(renderAll(shuffled)).toEqual(renderAll(sample));
  });

  it('keeps quotes and newlines out of config values', () => {
    const files = renderAll({
      ...sample,
      endpoints: [{ username: 'op', displayName: 'x\n[evil]\ntype=endpoint', secret: 'z' }],
    });
    expect(files['pjsip.conf']).not.toMatch(/^\[evil\]/m);
    expect(files['pjsip.conf']).toContain('callerid="xeviltype=endpoint" <op>');
  });

  it('routes every form of each service number to its service', () => {
    const ext = renderAll(sample)['extensions.conf'];
    for (const form of ['193', '88000800193', '+77272581500', '77272581500', '87272581500']) {
      expect(ext.split('\n')).toContain(`exten => ${form},1,Set(__KCC_DID_RAW=\${EXTEN})`);
    }
    expect(ext).toContain('Goto(kcc-inbound,77272581500,1)');
  });
});

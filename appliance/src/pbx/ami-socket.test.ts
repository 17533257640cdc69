import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AmiAuthError, AmiSocket, parseMessage, serialize, type AmiMessage } from './ami-socket.js';

/** A manager port that greets, accepts one login and answers actions through `answer`. */
async function fakeAsterisk(
  answer: (action: AmiMessage, send: (text: string) => void) => void,
  password = 'secret',
): Promise<{ port: number; server: net.Server; clients: net.Socket[] }> {
  const clients: net.Socket[] = [];
  const server = net.createServer((socket) => {
    clients.push(socket);
    socket.setEncoding('utf8');
    socket.write('Asterisk Call Manager/9.0.0\r\n');
    let buffer = '';
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\r\n\r\n')) >= 0) {
        const action = parseMessage(buffer, 0, end)!;
        buffer = buffer.slice(end + 4);
        const send = (text: string) => socket.write(text);
        if (action.Action === 'Login') {
          const ok = action.Secret === password;
          send(
            `Response: ${ok ? 'Success' : 'Error'}\r\nActionID: ${action.ActionID}\r\n` +
              `Message: Authentication ${ok ? 'accepted' : 'failed'}\r\n\r\n`,
          );
          if (!ok) socket.end();
        } else {
          answer(action, send);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, server, clients };
}

describe('AMI messages', () => {
  it('reads Key: Value lines, trimmed, the last of a repeated key winning', () => {
    const text =
      'Event: Newchannel\r\nCallerIDName: Әлия: +7\r\n Context : kcc-from-trunk \r\n' +
      'Variable: a\r\nVariable: b';
    expect(parseMessage(text, 0, text.length)).toEqual({
      Event: 'Newchannel',
      CallerIDName: 'Әлия: +7',
      Context: 'kcc-from-trunk',
      Variable: 'b',
    });
    expect(parseMessage('\r\nno colon here\r\n', 0, 17)).toBeNull();
  });

  it('writes an action as lines ending in an empty line, without line breaks in values', () => {
    expect(serialize({ Action: 'Getvar', Variable: 'A\r\nAction: Hangup', Unset: undefined })).toBe(
      'Action: Getvar\r\nVariable: A Action: Hangup\r\n\r\n',
    );
  });
});

describe('AmiSocket', () => {
  const servers: Array<{ server: net.Server; clients: net.Socket[] }> = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      for (const c of s.clients) c.destroy();
      await new Promise((r) => s.server.close(r));
    }
  });

  it('logs in, matches responses by ActionID and emits events split across reads', async () => {
    const fake = await fakeAsterisk((action, send) => {
      if (action.Action === 'Ping') {
        // An event and the response in pieces, the event first.
        const text =
          'Event: Newstate\r\nLinkedid: 1.1\r\nChannelState: 6\r\n\r\n' +
          `Response: Success\r\nActionID: ${action.ActionID}\r\nPing: Pong\r\n\r\n`;
        for (let i = 0; i < text.length; i += 7) send(text.slice(i, i + 7));
      }
    });
    servers.push(fake);
    const ami = new AmiSocket();
    const events: AmiMessage[] = [];
    ami.on('event', (e) => events.push(e));
    await ami.connect('127.0.0.1', fake.port, 'kcc', 'secret');
    expect(ami.connected).toBe(true);
    const pong = await ami.action({ Action: 'Ping', ActionID: 'p1' });
    expect(pong).toEqual({ Response: 'Success', ActionID: 'p1', Ping: 'Pong' });
    expect(events).toEqual([{ Event: 'Newstate', Linkedid: '1.1', ChannelState: '6' }]);
    ami.disconnect();
    expect(ami.connected).toBe(false);
  });

  it('keeps multi-byte characters that straddle two reads', async () => {
    const fake = await fakeAsterisk(() => undefined);
    servers.push(fake);
    const ami = new AmiSocket();
    const events: AmiMessage[] = [];
    ami.on('event', (e) => events.push(e));
    await ami.connect('127.0.0.1', fake.port, 'kcc', 'secret');
    const bytes = Buffer.from('Event: Newchannel\r\nCallerIDName: Қасым\r\n\r\n');
    const split = bytes.indexOf(Buffer.from('Қ')) + 1;
    fake.clients[0]!.write(bytes.subarray(0, split));
    await new Promise((r) => setTimeout(r, 20));
    fake.clients[0]!.write(bytes.subarray(split));
    for (let i = 0; i < 100 && events.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(events).toEqual([{ Event: 'Newchannel', CallerIDName: 'Қасым' }]);
    ami.disconnect();
  });

  it('refuses a wrong secret with AmiAuthError', async () => {
    const fake = await fakeAsterisk(() => undefined);
    servers.push(fake);
    const ami = new AmiSocket();
    await expect(ami.connect('127.0.0.1', fake.port, 'kcc', 'wrong')).rejects.toBeInstanceOf(
      AmiAuthError,
    );
  });

  it('fails pending actions and emits close once when Asterisk goes away', async () => {
    const fake = await fakeAsterisk(() => undefined);
    servers.push(fake);
    const ami = new AmiSocket();
    let closes = 0;
    ami.on('close', () => (closes += 1));
    await ami.connect('127.0.0.1', fake.port, 'kcc', 'secret');
    const pending = ami.action({ Action: 'CoreSettings', ActionID: 'c1' });
    fake.clients[0]!.destroy();
    await expect(pending).rejects.toThrow('connection closed');
    ami.disconnect();
    expect(closes).toBe(1);
    await expect(ami.action({ Action: 'Ping', ActionID: 'p2' })).rejects.toThrow(
      'connection closed',
    );
  });

  it('passes on the socket error of a refused connection', async () => {
    const fake = await fakeAsterisk(() => undefined);
    const { port } = fake;
    await new Promise((r) => fake.server.close(r));
    const ami = new AmiSocket();
    await expect(ami.connect('127.0.0.1', port, 'kcc', 'secret')).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});

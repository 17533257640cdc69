/** Reads the duration of a RIFF/WAVE file from its header (what MixMonitor writes). */
import { open } from 'node:fs/promises';

export async function wavDurationSeconds(file: string): Promise<number | null> {
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const { size } = await fh.stat();
    if (
      bytesRead < 12 ||
      head.toString('ascii', 0, 4) !== 'RIFF' ||
      head.toString('ascii', 8, 12) !== 'WAVE'
    ) {
      return null;
    }
    let byteRate = 0;
    let offset = 12;
    while (offset + 8 <= bytesRead) {
      const id = head.toString('ascii', offset, offset + 4);
      const len = head.readUInt32LE(offset + 4);
      if (id === 'fmt ') byteRate = head.readUInt32LE(offset + 16);
      if (id === 'data') {
        // Asterisk may leave the data length unset while writing: trust the file size then.
        const dataBytes =
          len > 0 && len < 0xffffffff ? Math.min(len, size - offset - 8) : size - offset - 8;
        return byteRate > 0 ? Math.round((dataBytes / byteRate) * 100) / 100 : null;
      }
      offset += 8 + len + (len % 2);
    }
    return null;
  } finally {
    await fh.close();
  }
}

/**
 * Writes generated Asterisk files into the directory Asterisk includes. Each file is written to a
 * temporary name and renamed, so Asterisk never reads half a file; unchanged files are not
 * touched, so a restart with the same state reloads nothing.
 */
import { mkdir, readFile, rename, writeFile, chmod } from 'node:fs/promises';
import path from 'node:path';
import { GENERATED_FILES, type GeneratedFile } from './render/index.js';

export async function writeGeneratedFiles(
  dir: string,
  files: Record<GeneratedFile, string>,
): Promise<GeneratedFile[]> {
  await mkdir(dir, { recursive: true });
  const changed: GeneratedFile[] = [];
  for (const name of GENERATED_FILES) {
    const target = path.join(dir, name);
    const content = files[name];
    const current = await readFile(target, 'utf8').catch(() => null);
    if (current === content) continue;
    const tmp = `${target}.tmp-${process.pid}`;
    // 0640: the files hold secrets; the directory's setgid group lets Asterisk read them.
    await writeFile(tmp, content, { mode: 0o640 });
    await chmod(tmp, 0o640);
    await rename(tmp, target);
    changed.push(name);
  }
  return changed;
}

/**
 * Entry point. `node main.js` serves; `node main.js prepare` sets up the database and writes the
 * generated PBX files, then exits (run before Asterisk starts on a fresh box).
 */
import { ConfigError, loadConfig } from './config.js';
import { makeLogger, prepare, startController } from './controller.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = makeLogger(config.logLevel);
  const command = process.argv[2] ?? 'serve';
  if (command === 'prepare') {
    const p = await prepare(config, logger);
    await p.database.db.destroy();
    return;
  }
  if (command !== 'serve')
    throw new ConfigError(`unknown command ${command}: use serve or prepare`);

  const controller = await startController(config, logger);
  logger.info({ url: controller.url }, 'controller ready');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    // A hung close must not keep the box from restarting the service.
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    controller.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`kcc: ${err.message}\n`);
  } else {
    process.stderr.write(
      `kcc: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
  }
  process.exit(1);
});

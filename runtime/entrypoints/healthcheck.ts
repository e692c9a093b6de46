/**
 * The container's health check (`node /app/healthcheck.js`, bundled to `assets/server/healthcheck.js`):
 * exit 0 when the node server in this container answers `GET /health` with 200 within
 * {@link TIMEOUT_MS}, exit 1 otherwise.
 *
 * It runs every 30 s for the life of every task, so it stays a few lines of `node:http` (no fetch:
 * loading undici would cost more than the request) and imports nothing of the runtime. It asks
 * 127.0.0.1 whatever HOST says: the container listens on 0.0.0.0, and the loopback name is one the
 * server answers for even without ALLOWED_HOSTS.
 */
import { request } from 'node:http';

/** Under the 5 s the task's (and the image's) health check gives the command, so this check says why it failed, not ECS. */
const TIMEOUT_MS = 4000;

const port = (process.env.PORT ?? '').trim() || '8080';
const url = `http://127.0.0.1:${port}/health`;

function fail(reason: string): void {
  process.stderr.write(`healthcheck: GET ${url} ${reason}\n`);
  process.exit(1);
}

const timer = setTimeout(() => fail(`gave no answer within ${TIMEOUT_MS} ms`), TIMEOUT_MS);
const req = request(url, { headers: { host: `127.0.0.1:${port}` }, agent: false }, (res) => {
  res.resume();
  if (res.statusCode !== 200) return fail(`answered ${res.statusCode}`);
  clearTimeout(timer);
  process.exit(0);
});
req.on('error', (err: NodeJS.ErrnoException) => fail(`failed: ${err.code ?? err.message}`));
req.end();

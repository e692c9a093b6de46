/**
 * The fake GitLab in a process of its own, for the benchmarks: an upstream that does not share the
 * measured handler's event loop (as a real GitLab does not). Prints `listening on <url>`.
 */
import { startFakeGitLab } from '../test/fakes/fake-gitlab';

startFakeGitLab().then((gitlab) => {
  process.stdout.write(`listening on ${gitlab.url}\n`);
  process.once('SIGTERM', () => void gitlab.close().then(() => process.exit(0)));
}, (err) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});

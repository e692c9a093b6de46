/**
 * What this server reaches: the token's kind (from its prefix, never the token), the two URLs, a
 * probe of the API the token is for, and which tools work with it.
 */
import { z } from 'zod';
import { answer, readTool, type Row } from '../../../kit';
import { derivePlatformUrl, platformBase, tokenKind } from '../tokens';

/** Tools that exist on one API only (the others use whichever API the token reaches). */
const CLASSIC_ONLY = ['list_slos', 'add_problem_comment', 'send_event', 'close_problem'];
const PLATFORM_ONLY = ['execute_dql', 'verify_dql', 'nl_to_dql'];

const getEnvironmentInfo = readTool({
  name: 'get_environment_info',
  title: 'Check the Dynatrace connection',
  description: 'Check what this server reaches: the kind of its token (platform: Grail/DQL; classic: Environment API v2), the environment and platform URLs, '
    + 'a probe of the API (classic: cluster version; platform: environment state), and which tools need the other kind of token. Call it first when a tool fails with 401, 403 or 404.',
  input: {},
  output: z.object({
    token_kind: z.enum(['platform', 'classic']),
    token_format: z.string(),
    environment_url: z.string().optional(),
    platform_url: z.string().optional(),
    probe: z.looseObject({}),
    unavailable_tools: z.array(z.string()).describe('Tools that need the other kind of token'),
  }),
  async run(_a, ctx) {
    const kind = await tokenKind(ctx);
    const traits = await ctx.traits();
    const platformUrl = ctx.settings.PLATFORM_URL ?? derivePlatformUrl(ctx.baseUrl);
    // A failed probe is an answer too: what failed (the upstream's words, redacted) is what to fix.
    let probe: Row;
    const api = kind === 'classic' ? 'GET /api/v1/config/clusterversion' : 'GET /platform/management/v1/environment';
    try {
      if (kind === 'classic') {
        const res = await ctx.upstream.request<Row>({ path: '/api/v1/config/clusterversion' });
        probe = { api, ok: true, version: res.data.version };
      } else {
        const res = await ctx.upstream.request<Row>({ baseUrl: platformBase(ctx), path: '/platform/management/v1/environment' });
        probe = { api, ok: true, environmentId: res.data.environmentId, state: res.data.state, createTime: res.data.createTime };
      }
    } catch (err) {
      probe = { api, ok: false, error: (err as Error).message ?? String(err) };
    }
    const unavailable = kind === 'classic' ? PLATFORM_ONLY : CLASSIC_ONLY;
    const warning = kind === 'classic' && ctx.baseUrl && /(^|\.)apps\./.test(new URL(ctx.baseUrl).hostname)
      ? ' Warning: the URL is a platform (apps) URL, but a classic token calls the Environment API v2 on the live URL (https://<environment>.live.dynatrace.com).'
      : '';
    const text = `Token: ${traits.tokenFormat ?? kind} -> ${kind === 'classic' ? 'Environment API v2' : 'Grail (DQL) and the platform'}. `
      + `Environment URL: ${ctx.baseUrl ?? 'unset'}. Platform URL: ${platformUrl ?? 'unknown (set PLATFORM_URL)'}. `
      + `Probe ${api}: ${probe.ok ? JSON.stringify(Object.fromEntries(Object.entries(probe).filter(([k]) => k !== 'api' && k !== 'ok'))) : `FAILED: ${String(probe.error)}`}. `
      + `These tools need a ${kind === 'classic' ? 'platform' : 'classic'} token: ${unavailable.join(', ')}.${warning}`;
    return answer.message(text, {
      token_kind: kind,
      token_format: traits.tokenFormat ?? kind,
      ...(ctx.baseUrl ? { environment_url: ctx.baseUrl } : {}),
      ...(platformUrl ? { platform_url: platformUrl } : {}),
      probe,
      unavailable_tools: unavailable,
    });
  },
});

export const environmentTools = [getEnvironmentInfo];

/**
 * Security problems (vulnerabilities) and SLOs: the classic Security Problems and SLO APIs, or
 * Grail's `security.events` (the latest vulnerability state report per entity).
 */
import { z } from 'zod';
import { readTool } from '../../../kit';
import { classicAnswer, grailAnswer } from '../answers';
import { runDql } from '../grail';
import { PAGED_HINT, classicPage, cursorInput, sizeInput } from '../paging';
import { criterion, dqlString, textValue, timestamp } from '../selectors';
import { GRAIL_VULNERABILITY_FIELDS, SECURITY_ROW, SLO_ROW, dualList, summarizeSecurityProblem, summarizeSlo } from '../shapes';
import { requireKind, tokenKind } from '../tokens';

const RISK_LEVELS = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
const CVE = /^CVE-\d{4}-\d{4,7}$/;

const listSecurityProblems = readTool({
  name: 'list_security_problems',
  title: 'List security problems',
  description: 'List vulnerabilities (open by default), highest risk first, by risk level, minimum risk score or CVE. Classic token: Security Problems API v2; platform token: Grail security.events (latest vulnerability state per affected entity). '
    + PAGED_HINT,
  input: {
    status: z.enum(['OPEN', 'RESOLVED']).optional().describe('Default OPEN'),
    risk_level: z.array(z.enum(RISK_LEVELS)).min(1).optional().describe('Any of these risk levels'),
    min_risk_score: z.number().min(0).max(10).optional().describe('Only risk scores at least this (0-10)'),
    cve: z.string().trim().toUpperCase().regex(CVE, 'cve must look like CVE-2021-44228').optional().describe('Only this CVE, e.g. CVE-2021-44228'),
    from: timestamp('from', 'now-30d (platform token)'),
    limit: sizeInput(500, 25),
    cursor: cursorInput,
  },
  output: dualList(SECURITY_ROW),
  async run(a, ctx) {
    const status = a.status ?? 'OPEN';
    if (await tokenKind(ctx) === 'classic') {
      const selector = [
        criterion('status', [status], 'status'),
        ...(a.risk_level ? [criterion('riskLevel', a.risk_level, 'risk_level')] : []),
        ...(a.min_risk_score !== undefined ? [criterion('minRiskScore', [String(a.min_risk_score)], 'min_risk_score')] : []),
        ...(a.cve ? [criterion('cveId', [a.cve], 'cve')] : []),
      ].join(',');
      const page = await classicPage(ctx, 'list_security_problems', '/api/v2/securityProblems', {
        securityProblemSelector: selector, sort: '-riskAssessment.riskScore', fields: '+riskAssessment',
      }, { rows: 'securityProblems' }, a);
      return classicAnswer(page, summarizeSecurityProblem);
    }
    const limit = a.limit ?? 25;
    const query = [
      'fetch security.events',
      '| filter dt.system.bucket == "default_securityevents_builtin" and event.provider == "Dynatrace" and event.type == "VULNERABILITY_STATE_REPORT_EVENT" and event.level == "ENTITY"',
      // The latest snapshot per vulnerability and entity says its state.
      '| dedup {vulnerability.display_id, affected_entity.id}, sort: {timestamp desc}',
      `| filter vulnerability.resolution.status == ${dqlString(status)}`,
      ...(a.risk_level ? [`| filter in(vulnerability.risk.level, array(${a.risk_level.map((l) => dqlString(l)).join(', ')}))`] : []),
      ...(a.min_risk_score !== undefined ? [`| filter vulnerability.risk.score >= ${a.min_risk_score}`] : []),
      ...(a.cve ? [`| filter in(${dqlString(a.cve)}, vulnerability.references.cve)`] : []),
      '| sort vulnerability.risk.score desc',
      `| limit ${limit + 1}`,
      `| fields ${GRAIL_VULNERABILITY_FIELDS.join(', ')}`,
    ].join('\n');
    const run = await runDql(ctx, { query, from: a.from ?? 'now-30d', maxRecords: limit + 1 }, 'list_security_problems');
    return grailAnswer(run, (r) => r, limit);
  },
});

const listSlos = readTool({
  name: 'list_slos',
  title: 'List SLOs',
  description: 'List service-level objectives with their evaluated status, target, error budget and burn rate over their own timeframe. Needs a classic access token (SLO API v2). '
    + PAGED_HINT,
  input: {
    text: textValue('text').optional().describe('SLOs whose name or description contains this'),
    health: z.enum(['HEALTHY', 'UNHEALTHY']).optional(),
    limit: sizeInput(500, 25),
    cursor: cursorInput,
  },
  output: dualList(SLO_ROW),
  async run(a, ctx) {
    await requireKind(ctx, 'classic', 'list_slos', 'With a platform token, query SLO metrics with execute_dql, or configure a classic token with slo.read for this server.');
    const selector = [
      ...(a.text ? [criterion('text', [a.text], 'text')] : []),
      ...(a.health ? [criterion('healthState', [a.health], 'health')] : []),
    ].join(',');
    const page = await classicPage(ctx, 'list_slos', '/api/v2/slo', {
      sloSelector: selector, evaluate: 'true', timeFrame: 'CURRENT', sort: 'name',
    }, { rows: 'slo' }, a);
    return classicAnswer(page, summarizeSlo);
  },
});

export const securityTools = [listSecurityProblems, listSlos];

/**
 * List answers of either API in one shape: the classic page (with its cursor) or the Grail run
 * (with what its caps did), both as `answer.list` plus `api` and, for Grail, `grail`.
 */
import { z } from 'zod';
import { grailNote, type GrailRun } from './grail';
import type { ClassicPage } from './paging';
import { dualList } from './shapes';
import { answer, type Answer, type Row } from '../../kit';

/** The data of a list answer: rows are plain objects, which every row schema here (loose objects) accepts. */
export type DualListOutput = Omit<z.input<ReturnType<typeof dualList>>, 'items'> & { items: Row[] };

export function classicAnswer(page: ClassicPage, map: (row: Row) => Row): Answer<DualListOutput> {
  const a = answer.list(page.rows.map(map), { has_more: page.has_more, next_cursor: page.next_cursor, total: page.total, note: page.note });
  return { text: a.text, data: { ...a.data, api: 'classic' } as DualListOutput };
}

/**
 * A Grail run as a list. Typed queries ask for `shown + 1` records (`| limit`): a record beyond
 * `shown` says there are more without a notification.
 */
export function grailAnswer(run: GrailRun, map: (row: Row) => Row, shown = run.maxRecords): Answer<DualListOutput> {
  const more = run.records.length > shown;
  const rows = run.records.slice(0, shown);
  const note = grailNote(run, rows.length, more);
  const a = answer.list(rows.map(map), { has_more: more || run.recordsCut, note });
  const grail = {
    ...(run.scannedBytes !== undefined ? { scanned_bytes: run.scannedBytes } : {}),
    records_cut: run.recordsCut,
    scan_cut: run.scanCut,
    ...(run.notifications.length > 0
      ? { notifications: run.notifications.map((n) => ({ severity: n.severity, notificationType: n.notificationType, message: n.message })) }
      : {}),
  };
  return { text: a.text, data: { ...a.data, api: 'platform', grail } as DualListOutput };
}

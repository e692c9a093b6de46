/**
 * Path segments: a value that becomes one segment of an upstream path (an id, a full project
 * path, a file path) is encoded here, once, and refused with a clear message when no URL can carry
 * it (a lone UTF-16 surrogate) or when it would change the path (`.` and `..`).
 */
import { z } from 'zod';
import { Refusal } from './answer';

/** A lone surrogate: a `u` regex matches a well-formed pair as one code point, never as `Cs`. */
const LONE_SURROGATE = /\p{Cs}/u;
const DOT_SEGMENT = /^\.{1,2}$/;

/** `decodeURIComponent`, or the value itself when it is not valid percent-encoding (`100%`). */
export function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export interface SegmentOptions {
  /** Decode an already percent-encoded value first (`group%2Fapp` = `group/app`). */
  readonly decode?: boolean;
  /**
   * Leave `.` / `..` to the upstream client, which refuses any such segment of a path itself
   * ("refusing to call ..."). Default: refused here, naming the argument.
   */
  readonly leaveDots?: boolean;
}

/** Why `value` cannot be a path segment, or `undefined` when it can. */
export function segmentProblem(value: string, what: string, opts: SegmentOptions = {}): string | undefined {
  if (LONE_SURROGATE.test(value)) return `${what} contains a lone surrogate (half of a UTF-16 pair), which no URL can carry: ${JSON.stringify(value)}`;
  if (!opts.leaveDots && DOT_SEGMENT.test(value)) return `${what} ${JSON.stringify(value)} is not a name: "." and ".." would change the path`;
  return undefined;
}

/**
 * Encodes `value` as one path segment (`/` becomes `%2F`). With `decode`, an already encoded value
 * is decoded first, so `group%2Fapp` and `group/app` give the same segment (GitLab accepts both).
 * Throws a `Refusal` naming `what` for a lone surrogate and for `.` / `..`.
 *
 * @example
 * pathSegment('group/app', 'project_id', { decode: true });   // 'group%2Fapp'
 * pathSegment('group%2Fapp', 'project_id', { decode: true }); // 'group%2Fapp'
 * pathSegment('a\uD800', 'project_id');                       // throws: project_id contains a lone surrogate ...
 */
export function pathSegment(value: string | number, what: string, opts: SegmentOptions = {}): string {
  const raw = typeof value === 'number' ? String(value) : opts.decode ? safeDecode(value) : value;
  const problem = segmentProblem(raw, what, opts);
  if (problem) throw new Refusal(problem);
  return encodeURIComponent(raw);
}

/**
 * An input schema piece for a string that becomes a path segment: refused at validation (before
 * any upstream call) when `pathSegment` would refuse it.
 *
 * @example
 * const file = segmentString('file_path').describe('Path in the repository, e.g. "src/index.ts"');
 */
export function segmentString(what: string, opts: SegmentOptions = {}) {
  return z.string().trim().min(1).superRefine((v, ctx) => {
    const problem = segmentProblem(opts.decode ? safeDecode(v) : v, what, opts);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

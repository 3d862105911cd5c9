/** NATS subject syntax and matching, shared by the in-process bus and its tests. */
import { InvalidSubjectError } from "./transport.ts";

const BAD_CHARS = /[\s\0]/;

/** Throws InvalidSubjectError unless `subject` is a valid subject (or pattern, if `pattern`). */
export function assertSubject(subject: string, params: { pattern: boolean }): string[] {
  if (subject.length === 0) throw new InvalidSubjectError({ subject, reason: "empty" });
  if (BAD_CHARS.test(subject)) throw new InvalidSubjectError({ subject, reason: "contains whitespace" });
  const tokens = subject.split(".");
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.length === 0) throw new InvalidSubjectError({ subject, reason: "empty token" });
    const wild = t === "*" || t === ">";
    if (wild && !params.pattern) {
      throw new InvalidSubjectError({ subject, reason: "wildcards are not allowed when publishing" });
    }
    if (t === ">" && i !== tokens.length - 1) {
      throw new InvalidSubjectError({ subject, reason: "`>` must be the last token" });
    }
  }
  return tokens;
}

export function isPattern(tokens: readonly string[]): boolean {
  return tokens.some((t) => t === "*" || t === ">");
}

/** True when the concrete subject tokens match the pattern tokens. */
export function matchTokens(pattern: readonly string[], subject: readonly string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p === ">") return subject.length > i;
    if (i >= subject.length) return false;
    if (p !== "*" && p !== subject[i]) return false;
  }
  return pattern.length === subject.length;
}

export function matchSubject(pattern: string, subject: string): boolean {
  return matchTokens(pattern.split("."), subject.split("."));
}

// Agents publish to the same few inboxes over and over: subjects already checked are remembered
// (bounded; cleared when full) so the hot path skips the split and scan.
const checkedPublishSubjects = new Set<string>();

/** assertSubject(subject, { pattern: false }), remembering subjects that passed. */
export function assertPublishSubject(subject: string): void {
  if (checkedPublishSubjects.has(subject)) return;
  assertSubject(subject, { pattern: false });
  if (checkedPublishSubjects.size >= 4096) checkedPublishSubjects.clear();
  checkedPublishSubjects.add(subject);
}

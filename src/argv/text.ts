/**
 * A value on one line: line breaks become spaces. For values written into line-based files the
 * other tool reads back (the lock's details, the audit log), where a newline would forge a line.
 */
export const oneLine = (s: string): string => s.replace(/[\r\n]+/g, ' ')

/**
 * Bytes to text for manifests: binary files and invalid UTF-8 are reported with the line of the first
 * offending byte, instead of producing a confusing YAML error further on.
 */
import { issue, type ManifestIssue, type Position } from './issue.js';

/** Rejects binary files and invalid UTF-8 with the line of the first offending byte. */
export function decode(file: string, bytes: Buffer): string | ManifestIssue {
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    return issue(file, lineOf(bytes, nul), '', 'this is a binary file, not a YAML or JSON manifest');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return issue(
      file,
      lineOf(bytes, firstInvalidUtf8(bytes)),
      '',
      'the manifest is not valid UTF-8 text',
      'save the file as UTF-8',
    );
  }
}

function lineOf(bytes: Buffer, offset: number): Position {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      start = i + 1;
    }
  }
  return { line, col: offset - start + 1 };
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Buffer): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  // Binary search on prefixes would be wrong for split sequences; a linear scan by line is enough.
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      try {
        decoder.decode(bytes.subarray(start, i));
      } catch {
        return start;
      }
      start = i + 1;
    }
  }
  return 0;
}

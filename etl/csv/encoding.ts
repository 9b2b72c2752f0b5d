import crypto from 'node:crypto';
import fs from 'node:fs';
import { isAscii, isUtf8 } from 'node:buffer';

/**
 * What a text export's bytes say about its encoding, read in one streaming pass so a file of any size never
 * sits in memory. The sources decide from these facts, each with its own wording for the user (an HR export
 * that is really a workbook, a Veeam export that mixes encodings): this module only measures.
 */
export interface ByteFacts {
  bytes: number;
  /** SHA-256 of the whole file (hex): the content hash duplicate files are recognised by. */
  sha256: string;
  /** The first `headBytes` bytes: byte-order mark, magic numbers, the header line. */
  head: Buffer;
  /** The last byte, or -1 for an empty file: a file cut off mid-row usually does not end with a line break. */
  lastByte: number;
  /** Byte offset of the first NUL, or -1 (UTF-16 without a byte-order mark, or not text). */
  firstNul: number;
  /** Every complete character is valid UTF-8 (see endsInsideCharacter for the very end). */
  validUtf8: boolean;
  /** The file ends inside a multi-byte UTF-8 character (truncation, or another encoding). */
  endsInsideCharacter: boolean;
  /** Byte offset of the first invalid UTF-8 sequence, or -1. */
  firstInvalid: number;
  /** Turkish letters encoded as UTF-8 (C3/C4/C5 sequences) occur somewhere: with invalid bytes, a mix of encodings. */
  utf8TurkishLetters: boolean;
}

const UTF8_TURKISH = /\xC3[\x87\x96\x9C\xA7\xB6\xBC]|\xC4[\x9E\x9F\xB0\xB1]|\xC5[\x9E\x9F]/;

/** Reads a file once and measures it (see ByteFacts). */
export async function inspectFileBytes(file: string, opts: { headBytes?: number } = {}): Promise<ByteFacts> {
  const headBytes = opts.headBytes ?? 64 * 1024;
  const hash = crypto.createHash('sha256');
  const heads: Buffer[] = [];
  let headLen = 0;
  let bytes = 0;
  let firstNul = -1;
  let validUtf8 = true;
  let firstInvalid = -1;
  let turkish = false;
  let last = -1;
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    if (chunk.length) last = chunk[chunk.length - 1];
    if (headLen < headBytes) {
      heads.push(chunk.subarray(0, headBytes - headLen));
      headLen += Math.min(chunk.length, headBytes - headLen);
    }
    if (firstNul < 0) {
      const nul = chunk.indexOf(0);
      if (nul >= 0) firstNul = bytes + nul;
    }
    if (isAscii(chunk) && carry.length === 0) {
      bytes += chunk.length;
      continue;
    }
    const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    const cut = completeUtf8Prefix(buf);
    const body = buf.subarray(0, cut);
    if (validUtf8 && !isUtf8(body)) {
      validUtf8 = false;
      firstInvalid = bytes - carry.length + firstInvalidOffset(body);
    }
    if (!turkish && UTF8_TURKISH.test(body.toString('latin1'))) turkish = true;
    carry = Buffer.from(buf.subarray(cut));
    bytes += chunk.length;
  }
  return {
    bytes,
    sha256: hash.digest('hex'),
    head: Buffer.concat(heads),
    lastByte: last,
    endsInsideCharacter: carry.length > 0,
    firstNul,
    validUtf8,
    firstInvalid,
    utf8TurkishLetters: turkish,
  };
}

/** Length of the prefix of `buf` that does not end inside a multi-byte UTF-8 sequence. */
function completeUtf8Prefix(buf: Buffer): number {
  const n = buf.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = buf[n - back];
    if ((b & 0xc0) === 0x80) continue; // continuation byte: look further back
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

/** Offset of the first byte of the first invalid UTF-8 sequence in `buf` (which is known to hold one). */
function firstInvalidOffset(buf: Buffer): number {
  let lo = 0;
  let hi = buf.length;
  // Binary search on valid prefixes (cut at character boundaries), then a walk, character by character.
  while (hi - lo > 64) {
    const mid = completeUtf8Prefix(buf.subarray(0, (lo + hi) >>> 1));
    if (mid <= lo) break;
    if (isUtf8(buf.subarray(0, mid))) lo = mid;
    else hi = mid;
  }
  for (let p = lo; p < buf.length;) {
    const b = buf[p];
    const need = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (need === 0 || p + need > buf.length || !isUtf8(buf.subarray(p, p + need))) return p;
    p += need;
  }
  return lo;
}

// Reading SQLite's write-ahead log and its index (-shm) before the database is opened (pure: bytes
// in, a verdict out). SQLite's own recovery replays WAL frames up to the first one that fails its
// checksum and silently drops the rest: right for a torn tail, silent data loss when a frame in the
// middle was damaged or the file was cut short. Both leave traces this reader finds: frames of the
// current generation after the damaged one, or an index that had recorded more committed frames.
// Formats: https://www.sqlite.org/fileformat2.html (WAL file, wal-index).
import { endianness } from 'node:os';

const WAL_MAGIC_LE = 0x377f0682;
const WAL_MAGIC_BE = 0x377f0683;
export const WAL_HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;
const WAL_INDEX_VERSION = 3007000;
/** Two copies of the 48-byte index header, then the checkpoint info (nBackfill first). */
export const SHM_BYTES_NEEDED = 100;

export interface WalScan {
  /** 'none': no WAL or shorter than a header (nothing SQLite would replay). */
  header: 'none' | 'damaged' | 'ok';
  salts?: [number, number];
  /** Frames that pass SQLite's checks, in order. */
  validFrames: number;
  /** Frames up to and including the last valid commit frame: what SQLite's recovery keeps. */
  committedFrames: number;
  /** Why the scan stopped: end of file, an incomplete frame, a frame of an older generation, or a bad frame. */
  stop: 'eof' | 'partial' | 'stale' | 'damaged';
  stopOffset: number;
  /** Frames of the current generation after the stop: they were written after it, so it was once valid. */
  framesAfterStop: number;
}

/** SQLite's WAL checksum: pairs of 32-bit words, Fibonacci-weighted, starting from `s`. */
function checksum(buf: Buffer, start: number, end: number, bigEndian: boolean, s: [number, number]): [number, number] {
  let [s0, s1] = s;
  for (let i = start; i < end; i += 8) {
    const a = bigEndian ? buf.readUInt32BE(i) : buf.readUInt32LE(i);
    const b = bigEndian ? buf.readUInt32BE(i + 4) : buf.readUInt32LE(i + 4);
    s0 = (s0 + a + s1) >>> 0;
    s1 = (s1 + b + s0) >>> 0;
  }
  return [s0, s1];
}

export function scanWal(wal: Buffer): WalScan {
  const none: WalScan = { header: 'none', validFrames: 0, committedFrames: 0, stop: 'eof', stopOffset: 0, framesAfterStop: 0 };
  if (wal.length < WAL_HEADER_BYTES) return none;
  const magic = wal.readUInt32BE(0);
  const pageSize = wal.readUInt32BE(8);
  const bigEndian = magic === WAL_MAGIC_BE;
  const sum = checksum(wal, 0, 24, bigEndian, [0, 0]);
  const validPageSize = pageSize >= 512 && pageSize <= 65536 && (pageSize & (pageSize - 1)) === 0;
  if ((magic !== WAL_MAGIC_LE && magic !== WAL_MAGIC_BE) || !validPageSize
    || sum[0] !== wal.readUInt32BE(24) || sum[1] !== wal.readUInt32BE(28)) {
    return { ...none, header: 'damaged', stop: 'damaged' };
  }
  const salts: [number, number] = [wal.readUInt32BE(16), wal.readUInt32BE(20)];
  const frameBytes = FRAME_HEADER_BYTES + pageSize;
  const sameGeneration = (off: number) => wal.readUInt32BE(off + 8) === salts[0] && wal.readUInt32BE(off + 12) === salts[1];
  let running = sum;
  let validFrames = 0;
  let committedFrames = 0;
  let off = WAL_HEADER_BYTES;
  let stop: WalScan['stop'] = 'eof';
  for (; off < wal.length; off += frameBytes) {
    if (off + frameBytes > wal.length) { stop = 'partial'; break; }
    if (!sameGeneration(off)) { stop = 'stale'; break; }
    const next = checksum(wal, off + FRAME_HEADER_BYTES, off + frameBytes, bigEndian, checksum(wal, off, off + 8, bigEndian, running));
    if (wal.readUInt32BE(off) === 0 || next[0] !== wal.readUInt32BE(off + 16) || next[1] !== wal.readUInt32BE(off + 20)) {
      stop = 'damaged';
      break;
    }
    running = next;
    validFrames++;
    if (wal.readUInt32BE(off + 4) !== 0) committedFrames = validFrames; // a commit frame records the database size
  }
  let framesAfterStop = 0;
  for (let later = off + frameBytes; later + frameBytes <= wal.length; later += frameBytes) {
    if (sameGeneration(later)) framesAfterStop++;
  }
  return { header: 'ok', salts, validFrames, committedFrames, stop, stopOffset: off, framesAfterStop };
}

export interface WalIndex {
  /** Frames the last committed transaction ended at, as the (crashed) writer recorded them. */
  mxFrame: number;
  /** Frames already copied into the database file by a checkpoint. */
  nBackfill: number;
  salts: [number, number];
}

/**
 * The index header a writer left behind, when it is trustworthy: both copies equal, initialised,
 * checksum right. The index is in native byte order. Anything else gives undefined (no opinion).
 */
export function readWalIndex(shm: Buffer, bigEndian = endianness() === 'BE'): WalIndex | undefined {
  if (shm.length < SHM_BYTES_NEEDED) return undefined;
  const u32 = (o: number) => (bigEndian ? shm.readUInt32BE(o) : shm.readUInt32LE(o));
  if (!shm.subarray(0, 48).equals(shm.subarray(48, 96))) return undefined;
  if (u32(0) !== WAL_INDEX_VERSION || shm[12] !== 1) return undefined;
  const sum = checksum(shm, 0, 40, bigEndian, [0, 0]);
  if (sum[0] !== u32(40) || sum[1] !== u32(44)) return undefined;
  // The salts are copied from the WAL header byte for byte, so they read as big-endian there.
  return { mxFrame: u32(16), nBackfill: u32(96), salts: [shm.readUInt32BE(32), shm.readUInt32BE(36)] };
}

export type WalVerdict = { ok: true; note?: string } | { ok: false; reason: string };

/** May SQLite open this database without silently dropping committed transactions? */
export function judgeWal(scan: WalScan, index: WalIndex | undefined): WalVerdict {
  if (scan.header === 'damaged') {
    return { ok: false, reason: 'the -wal header is damaged, so SQLite would ignore every transaction in it' };
  }
  if (scan.framesAfterStop > 0) {
    return { ok: false, reason: `the -wal is damaged at byte ${scan.stopOffset}: SQLite would discard it and ${scan.framesAfterStop} later frames` };
  }
  if (index && index.mxFrame > index.nBackfill) {
    const comparable = scan.header === 'none' || (scan.salts![0] === index.salts[0] && scan.salts![1] === index.salts[1]);
    if (comparable && scan.committedFrames < index.mxFrame) {
      return { ok: false, reason: `the -wal holds ${scan.committedFrames} committed frames but its index (-shm) recorded ${index.mxFrame}: it was cut short or damaged` };
    }
  }
  if (scan.stop === 'damaged' || (scan.stop === 'partial' && scan.validFrames > scan.committedFrames)) {
    return { ok: true, note: `the -wal ends in a torn write at byte ${scan.stopOffset} (${scan.validFrames - scan.committedFrames} uncommitted frames); SQLite drops it, as after any crash` };
  }
  return { ok: true };
}

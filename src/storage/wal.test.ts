// judgeWal's decision table, and scanWal/readWalIndex on what they must not trust.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { judgeWal, readWalIndex, scanWal, type WalIndex, type WalScan } from './wal.js';

const scan = (s: Partial<WalScan> = {}): WalScan => ({
  header: 'ok', salts: [1, 2], validFrames: 10, committedFrames: 10, stop: 'eof', stopOffset: 0, framesAfterStop: 0, ...s,
});
const index = (i: Partial<WalIndex> = {}): WalIndex => ({ mxFrame: 10, nBackfill: 0, salts: [1, 2], ...i });

describe('judgeWal', () => {
  it('a clean WAL, with or without an index that agrees', () => {
    assert.deepEqual(judgeWal(scan(), undefined), { ok: true });
    assert.deepEqual(judgeWal(scan(), index()), { ok: true });
    assert.deepEqual(judgeWal(scan({ header: 'none', validFrames: 0, committedFrames: 0 }), undefined), { ok: true });
  });

  it('frames of an older generation after the current ones are leftovers, not damage', () => {
    assert.deepEqual(judgeWal(scan({ stop: 'stale' }), index()), { ok: true });
  });

  it('a damaged header or a damaged frame followed by newer frames is refused', () => {
    assert.equal(judgeWal(scan({ header: 'damaged' }), undefined).ok, false);
    assert.equal(judgeWal(scan({ stop: 'damaged', framesAfterStop: 1 }), undefined).ok, false);
    assert.equal(judgeWal(scan({ stop: 'stale', framesAfterStop: 3 }), undefined).ok, false, 'a frame whose salts were overwritten');
  });

  it('fewer committed frames than the index recorded is refused, unless a checkpoint had copied them', () => {
    assert.equal(judgeWal(scan({ committedFrames: 9, validFrames: 9 }), index()).ok, false);
    assert.equal(judgeWal(scan({ header: 'none', validFrames: 0, committedFrames: 0 }), index()).ok, false, 'the -wal deleted');
    assert.equal(judgeWal(scan({ header: 'none', validFrames: 0, committedFrames: 0 }), index({ nBackfill: 10 })).ok, true, 'all checkpointed');
    assert.equal(judgeWal(scan({ committedFrames: 9 }), index({ salts: [7, 8] })).ok, true, 'an index of another generation says nothing');
  });

  it('a torn tail alone opens, with a note for the log', () => {
    const v = judgeWal(scan({ stop: 'partial', validFrames: 12, committedFrames: 10 }), index());
    assert.equal(v.ok, true);
    assert.match((v as { note: string }).note, /torn write/);
    assert.equal(judgeWal(scan({ stop: 'damaged' }), index()).ok, true);
  });
});

describe('scanWal and readWalIndex on bytes they must not trust', () => {
  it('fewer bytes than a header are no WAL; a wrong magic or checksum is a damaged header', () => {
    assert.equal(scanWal(Buffer.alloc(0)).header, 'none');
    assert.equal(scanWal(Buffer.alloc(31, 1)).header, 'none');
    assert.equal(scanWal(Buffer.alloc(4096, 0)).header, 'damaged');
    const h = Buffer.alloc(32);
    h.writeUInt32BE(0x377f0682, 0);
    h.writeUInt32BE(3007000, 4);
    h.writeUInt32BE(4096, 8);
    assert.equal(scanWal(h).header, 'damaged', 'checksum of zeros does not match');
  });

  it('an index whose two header copies differ, or that is not initialised, gives no opinion', () => {
    assert.equal(readWalIndex(Buffer.alloc(10)), undefined);
    assert.equal(readWalIndex(Buffer.alloc(136)), undefined);
    const b = Buffer.alloc(136);
    b[5] = 1;
    assert.equal(readWalIndex(b), undefined);
  });
});

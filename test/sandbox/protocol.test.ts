import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sliceSeries } from '../../core/data/series';
import { align8, decodeJob, encodeFrame, encodeJob, encodeJobParts, FRAME_LOG, FRAME_OUTCOME, FRAME_RESULT, FrameDecoder, JobReader, jobLength, ProtocolViolation, writeJob } from '../../core/sandbox/protocol';
import { PassThrough } from 'node:stream';
import { dockerOptionsFromHost } from '../../core/sandbox/docker-client';
import { parseLdd } from '../../core/sandbox/offline-rootfs';
import { DEFAULT_LIMITS, resolveLimits } from '../../core/sandbox/limits';
import { isStale } from '../../core/sandbox/cleanup';
import { bars } from './helpers';

const key = new Uint8Array(16).fill(7);

test('a job round-trips with its bars as Float64 columns, including sliced series', () => {
  const a = bars(50, 'AAA');
  const b = sliceSeries(bars(30, 'BBB'), bars(30).time[10], bars(30).time[19]);
  const buf = encodeJob({ key, js: 'module.exports = 1', fileName: 'x.ts', options: { cash: 5000, params: { p: 3 } }, timeMs: 1000, maxLogBytes: 2048, series: [a, b] });
  assert.equal(jobLength(buf.subarray(0, 4)), undefined, 'incomplete header');
  assert.equal(jobLength(buf), buf.length);
  const job = decodeJob(buf);
  assert.deepEqual([...job.key], [...key]);
  assert.equal(job.js, 'module.exports = 1');
  assert.deepEqual(job.options, { cash: 5000, params: { p: 3 } });
  assert.deepEqual(job.series.map((s) => [s.symbol, s.length]), [['AAA', 50], ['BBB', 10]]);
  assert.deepEqual([...job.series[0].close], [...a.close]);
  assert.deepEqual([...job.series[1].time], [...b.time]);
  assert.deepEqual([...job.series[1].volume], [...b.volume]);
  // All columns share one transferable buffer.
  assert.equal(job.series[0].time.buffer, job.series[1].close.buffer);
});

/**
 * Jobs of two series (one of them sliced) whose headers end 1–8 bytes past a multiple of 8, so the padding before
 * the columns takes every size; each as its bytes followed by 'after the job'.
 */
function* jobCases() {
  const a = bars(300, 'AAA');
  const b = sliceSeries(bars(90, 'BBB'), bars(90).time[10], bars(90).time[70]);
  for (const js of ['x', 'xx', 'xxx', 'xxxx', 'xxxxx', 'xxxxxx', 'xxxxxxx', 'xxxxxxxx']) {
    const buf = encodeJob({ key, js, fileName: 'x.ts', options: {}, timeMs: 1000, maxLogBytes: 2048, series: [a, b] });
    yield { js, buf, want: decodeJob(buf), stream: Buffer.concat([buf, Buffer.from('after the job')]), columnBytes: (a.length + b.length) * 48 };
  }
}

test('JobReader reads a job in any chunking, copying the columns once, and hands back the bytes after it', () => {
  for (const { js, buf, want, stream } of jobCases()) {
    let seed = js.length;
    for (const chunking of ['one byte', 'seven bytes', 'random', 'at the header end', 'whole']) {
      const reader = new JobReader();
      const headerEnd = 8 + buf.readUInt32LE(4);
      let got: ReturnType<JobReader['push']>;
      const rest: Buffer[] = [];
      for (let at = 0; at < stream.length;) {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        const size = chunking === 'one byte' ? 1 : chunking === 'seven bytes' ? 7 : chunking === 'random' ? 1 + (seed % 700)
          : chunking === 'at the header end' ? (at < headerEnd ? headerEnd - at : stream.length) : stream.length;
        const chunk = stream.subarray(at, at + size);
        at += chunk.length;
        if (got) rest.push(chunk);
        else {
          got = reader.push(chunk);
          if (got) rest.push(got.rest);
        }
      }
      assert.ok(got, `${js.length}, ${chunking}: the job was read`);
      assert.equal(got.job.js, js);
      assert.deepEqual(got.job.series.map((s) => [s.symbol, s.length, [...s.time], [...s.close], [...s.volume]]), want.series.map((s) => [s.symbol, s.length, [...s.time], [...s.close], [...s.volume]]), `${js.length}, ${chunking}`);
      assert.equal(got.job.series[0].time.buffer, got.job.series[1].close.buffer, 'one transferable buffer');
      assert.equal(Buffer.concat(rest).toString(), 'after the job', `${js.length}, ${chunking}: the bytes after the job`);
    }
  }
  assert.throws(() => new JobReader().push(Buffer.from('{"fake":"json"}')), /does not start with a job message/);
});

test('JobReader reads the columns in place when the input can be read where it chooses, as a socket with onread does', () => {
  for (const { js, want, stream, columnBytes } of jobCases()) {
    let seed = js.length;
    for (const scratchBytes of [1, 7, 64, 4096]) {
      // The socket: each read fills at most the buffer it is given, and at most what "arrived" (a random size).
      const reader = new JobReader();
      const scratch = Buffer.alloc(scratchBytes);
      let got: ReturnType<JobReader['push']>;
      let inPlace = 0;
      const rest: Buffer[] = [];
      for (let at = 0; at < stream.length;) {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        const arrived = 1 + (seed % 3000);
        const into = (got ? undefined : reader.direct()) ?? scratch;
        const n = Math.min(into.length, arrived, stream.length - at);
        stream.copy(into, 0, at, at + n);
        at += n;
        if (got) rest.push(Buffer.from(into.subarray(0, n)));
        else if (into === scratch) {
          got = reader.push(Buffer.from(scratch.subarray(0, n)));
          if (got) rest.push(got.rest);
        } else {
          inPlace += n;
          got = reader.advance(n);
        }
      }
      assert.ok(got, `${js.length}, ${scratchBytes}: the job was read`);
      assert.deepEqual(got.job.series.map((s) => [s.symbol, s.length, [...s.time], [...s.close], [...s.volume]]), want.series.map((s) => [s.symbol, s.length, [...s.time], [...s.close], [...s.volume]]), `${js.length}, ${scratchBytes}`);
      assert.equal(Buffer.concat(rest).toString(), 'after the job');
      // Nearly all of the columns were read where they stay (only what came with the header went through scratch).
      assert.ok(inPlace >= columnBytes - scratchBytes, `${js.length}, ${scratchBytes}: ${inPlace} bytes in place`);
      assert.equal(reader.direct(), undefined, 'nothing more to read in place once the job is in');
    }
  }
  const reader = new JobReader();
  assert.equal(reader.direct(), undefined, 'no place for bytes before the header is known');
  assert.throws(() => reader.advance(8), /out of turn/);
  const one = bars(300, 'AAA');
  const buf = encodeJob({ key, js: 'x', fileName: 'x.ts', options: {}, timeMs: 1000, maxLogBytes: 2048, series: [one] });
  reader.push(buf.subarray(0, align8(8 + buf.readUInt32LE(4))));
  assert.equal(reader.direct()!.length, one.length * 48);
  assert.throws(() => reader.advance(one.length * 48 + 1), /out of turn/, 'more than the columns hold');
});

test('a job is written in parts without copying its columns, and the parts are the job', async () => {
  const a = bars(200, 'AAA');
  const job = { key, js: 'module.exports = 1', fileName: 'x.ts', options: {}, timeMs: 1000, maxLogBytes: 2048, series: [a] };
  const parts = encodeJobParts(job);
  assert.equal(parts.length, 1 + 6, 'the header, then the six columns');
  assert.equal(parts[5].buffer, a.close.buffer, 'a column (close) is a view of the series, not a copy');
  const sink = new PassThrough();
  const received: Buffer[] = [];
  sink.on('data', (c: Buffer) => received.push(c));
  await new Promise<void>((resolve, reject) => writeJob(sink, job, (err) => (err ? reject(err) : resolve())));
  assert.deepEqual(Buffer.concat(received), encodeJob(job));
});

test('the job header must come first', () => {
  assert.throws(() => jobLength(Buffer.from('{"fake":"json"}')), /does not start with a job message/);
});

test('frames decode across arbitrary chunk boundaries', () => {
  const stream = Buffer.concat([encodeFrame(FRAME_LOG, key, '{"time":1,"message":"hé"}'), encodeFrame(FRAME_RESULT, key, '{"ok":true}')]);
  const decoder = new FrameDecoder(key, 1024);
  const frames = [];
  for (let i = 0; i < stream.length; i += 5) frames.push(...decoder.push(stream.subarray(i, i + 5)));
  assert.deepEqual(frames.map((f) => [f.type, f.payload.toString('utf8')]), [[FRAME_LOG, '{"time":1,"message":"hé"}'], [FRAME_RESULT, '{"ok":true}']]);
  assert.equal(decoder.buffered, 0);
});

test('a large frame split into many chunks decodes once, with the following frame intact', () => {
  const big = JSON.stringify({ equity: Array.from({ length: 100_000 }, (_, i) => ({ t: i, e: i * 1.5 })) });
  const stream = Buffer.concat([encodeFrame(FRAME_RESULT, key, big), encodeFrame(FRAME_LOG, key, '{"time":null,"message":"after"}')]);
  const decoder = new FrameDecoder(key, 64 * 1024 * 1024);
  const frames = [];
  for (let i = 0; i < stream.length; i += 65_536) frames.push(...decoder.push(stream.subarray(i, i + 65_536)));
  assert.equal(frames.length, 2);
  assert.equal(frames[0].payload.toString('utf8'), big);
  assert.equal(frames[1].payload.toString('utf8'), '{"time":null,"message":"after"}');
});

test('a large frame is no frame until its last byte, counts as buffered meanwhile, and the next frame may follow in the same chunk', () => {
  const big = Buffer.alloc(200_000, 7);
  const frame = encodeFrame(FRAME_OUTCOME, key, big, 3);
  const after = encodeFrame(FRAME_LOG, key, '{"time":null,"message":"next"}');
  const decoder = new FrameDecoder(key, 1 << 20, [FRAME_OUTCOME, FRAME_LOG]);
  assert.deepEqual(decoder.push(frame.subarray(0, 30)), [], 'the header and a few bytes');
  assert.equal(decoder.buffered, 30);
  assert.deepEqual(decoder.push(frame.subarray(30, frame.length - 1)), []);
  assert.equal(decoder.buffered, frame.length - 1);
  const frames = decoder.push(Buffer.concat([frame.subarray(frame.length - 1), after]));
  assert.deepEqual(frames.map((f) => f.type), [FRAME_OUTCOME, FRAME_LOG]);
  assert.equal(frames[0].payload.readUInt32LE(0), 3);
  assert.ok(frames[0].payload.subarray(4).equals(big));
  assert.equal(frames[1].payload.toString(), '{"time":null,"message":"next"}');
  assert.equal(decoder.buffered, 0);
  // A large frame over the cap is refused from its header, before any buffer is made for it.
  assert.throws(() => new FrameDecoder(key, 100_000, [FRAME_OUTCOME]).push(frame.subarray(0, 25)), (e: ProtocolViolation) => e.oversize);
});

test('bytes without the job key, raw text, or oversized frames are violations', () => {
  const other = new Uint8Array(16).fill(9);
  assert.throws(() => new FrameDecoder(key, 1024).push(encodeFrame(FRAME_RESULT, other, '{}')), /without the job key/);
  assert.throws(() => new FrameDecoder(key, 1024).push(Buffer.from('{"metrics":{"totalReturnPct":1e9}}\n')), ProtocolViolation);
  assert.throws(() => new FrameDecoder(key, 10).push(encodeFrame(FRAME_RESULT, key, '{"a":"0123456789"}')), (e: ProtocolViolation) => e.oversize);
});

test('Docker host settings: unix, tcp, tls, ssh, and a clear error for junk', () => {
  assert.deepEqual(dockerOptionsFromHost('unix:///run/user/1000/docker.sock'), { socketPath: '/run/user/1000/docker.sock' });
  assert.deepEqual(dockerOptionsFromHost('tcp://10.0.0.5:2375'), { protocol: 'http', host: '10.0.0.5', port: 2375 });
  assert.deepEqual(dockerOptionsFromHost('tcp://build:2376'), { protocol: 'https', host: 'build', port: 2376 });
  assert.deepEqual(dockerOptionsFromHost('build-box'), { protocol: 'http', host: 'build-box', port: 2375 });
  const ssh = dockerOptionsFromHost('ssh://me@build-box:2222') as { protocol: string; host: string; port: number; username: string };
  assert.deepEqual([ssh.protocol, ssh.host, ssh.port, ssh.username], ['ssh', 'build-box', 2222, 'me']);
  assert.throws(() => dockerOptionsFromHost('ftp://x'), /unsupported scheme/);
});

test('ldd output: libraries and the loader, no vdso', () => {
  const out = `\tlinux-vdso.so.1 (0x00007ffd)\n\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x1)\n\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x2)\n\t/lib64/ld-linux-x86-64.so.2 (0x3)\n`;
  assert.deepEqual(parseLdd(out), ['/lib/x86_64-linux-gnu/libstdc++.so.6', '/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2']);
});

test('limits: the issue defaults, overrides, and actionable errors', () => {
  assert.deepEqual([DEFAULT_LIMITS.memoryMb, DEFAULT_LIMITS.cpus, DEFAULT_LIMITS.timeMs], [512, 1, 300_000]);
  assert.equal(resolveLimits({ memoryMb: 128 }, { timeMs: 5000 }).memoryMb, 128);
  assert.equal(resolveLimits({ memoryMb: 128 }, { timeMs: undefined }).timeMs, 300_000);
  assert.throws(() => resolveLimits({ memoryMb: 8, cpus: 0 }), /memoryMb must be at least 96.*cpus must be > 0/);
});

test('stale containers: only ours, from this machine, whose owner process is gone', () => {
  const labels = (pid: number, host = 'box') => ({ 'strategy-lab.sandbox': '1', 'strategy-lab.owner-pid': String(pid), 'strategy-lab.owner-host': host });
  const alive = (pid: number) => pid === 42;
  assert.equal(isStale(labels(41), 'box', alive), true);
  assert.equal(isStale(labels(42), 'box', alive), false);
  assert.equal(isStale(labels(41, 'other-machine'), 'box', alive), false);
  assert.equal(isStale(labels(process.pid), 'box', () => false), false);
});

#!/usr/bin/env node
// Loads a Magenta.js MusicVAE checkpoint directory with @magenta/music and answers one JSON
// request on stdin with one JSON reply on stdout, for the Go tests in model/magenta.
//
//   node harness.js CHECKPOINT_DIR [--backend wasm|cpu] < request.json
//
// Request (every field optional):
//   {"decode": [[z...], ...],            greedy-decode each z: reply "decode", 32 tokens per z
//    "encode": [[32 tokens], ...],        encode melodies in the 90-class numbering (drum models: tokens
//                                         0..511, a bit per drum class): reply "encode", mu per window
//    "interpolate": [[32 tokens] x 4],   4x4 interpolation of 4 corners (Magenta's interpolateTensors):
//                                         reply "interpolate", 16 token arrays, row by row
//    "bench": {"repeats": N, "z": [[z...] x 16], "corners": [[32 tokens] x 4]}}
//                                         reply "bench": median wall-clock and CPU milliseconds of one
//                                         decode, a batch of 16, an encode and the 4x4 interpolation
//
// Magenta.js fetches its files by URL; Node's fetch does not read local paths, so the script
// serves the directory itself on a loopback port for as long as it loads the model.
'use strict';

const fs = require('fs');
const http = require('http');
const path = require('path');

globalThis.performance = globalThis.performance || require('perf_hooks').performance;

const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');
const mvae = require('@magenta/music/node/music_vae');

// Magenta.js logs its progress with console.log; stdout carries the reply alone.
console.log = (...a) => console.error(...a);

const NUM_CLASSES = 90;
const STEPS = 32;

function parseArgs(argv) {
  const args = {backend: 'wasm'};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--backend') {
      args.backend = argv[++i];
    } else if (!args.dir) {
      args.dir = argv[i];
    } else {
      throw new Error(`unexpected argument ${argv[i]}`);
    }
  }
  if (!args.dir) {
    throw new Error('usage: node harness.js CHECKPOINT_DIR [--backend wasm|cpu] < request.json');
  }
  if (args.backend !== 'wasm' && args.backend !== 'cpu') {
    throw new Error(`backend ${args.backend} is not wasm or cpu`);
  }
  return args;
}

// serve answers GET requests for the files of dir on 127.0.0.1, on a port the system picks.
function serve(dir) {
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url, 'http://localhost').pathname).replace(/^\/+/, '');
    const file = path.join(dir, name);
    if (name.includes('..') || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': name.endsWith('.json') ? 'application/json' : 'application/octet-stream',
    });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

// drums is set when the checkpoint's config names a DrumsConverter (drums_2bar): its windows
// are 32 tokens of 0..511, one bit per drum class hit, and the encoder reads a drum roll.
let drums = false;
const DRUM_CLASSES = 9;

// oneHot turns windows (32 tokens each) into the input of encodeTensors: for melodies
// [B, 32, 90] one-hot; for drums the roll of DrumsConverter.toTensor, [B, 32, 10]: one column
// per drum class hit, the last set where nothing is.
function oneHot(melodies) {
  for (const m of melodies) {
    if (m.length !== STEPS) {
      throw new Error(`a window of ${m.length} steps, want ${STEPS}`);
    }
  }
  if (drums) {
    const roll = [];
    for (const m of melodies) {
      roll.push(m.map((tok) => {
        const row = new Array(DRUM_CLASSES + 1).fill(0);
        for (let c = 0; c < DRUM_CLASSES; c++) {
          row[c] = (tok >> c) & 1;
        }
        row[DRUM_CLASSES] = tok === 0 ? 1 : 0;
        return row;
      }));
    }
    return tf.tensor3d(roll, [melodies.length, STEPS, DRUM_CLASSES + 1], 'float32');
  }
  return tf.tidy(() => tf.oneHot(tf.tensor2d(melodies, [melodies.length, STEPS], 'int32'), NUM_CLASSES).toFloat());
}

async function decode(model, zs) {
  const z = tf.tensor2d(zs);
  const out = await model.decodeTensors(z); // [B, 32, 90] one-hot, greedy without a temperature
  const tokens = out.argMax(2);
  const result = await tokens.array();
  tf.dispose([z, out, tokens]);
  return result;
}

async function encode(model, melodies) {
  const x = oneHot(melodies);
  const mu = await model.encodeTensors(x);
  const result = await mu.array();
  tf.dispose([x, mu]);
  return result;
}

// linspace is tfjs's CPU LinSpace in float32: each value is the previous one plus the step.
function linspace(start, stop, num) {
  const v = new Float32Array(num);
  const step = Math.fround((stop - start) / (num - 1));
  v[0] = start;
  for (let i = 1; i < num; i++) {
    v[i] = Math.fround(v[i - 1] + step);
  }
  return tf.tensor1d(v);
}

// interpolatedZs is MusicVAE.getInterpolatedZs for 4 corners and n by n steps, with linspace
// computed above: tfjs 2.8's wasm backend has no LinSpace kernel, so Magenta.js's own
// interpolateTensors fails there.
function interpolatedZs(z, n) {
  return tf.tidy(() => {
    const rangeX = linspace(0.0, 1.0, n);
    const rangeY = linspace(0.0, 1.0, n);
    const [z0, z1, z2, z3] = [0, 1, 2, 3].map((i) => z.slice([i, 0], [1, z.shape[1]]).as1D());
    const revRangeX = tf.scalar(1.0).sub(rangeX);
    const revRangeY = tf.scalar(1.0).sub(rangeY);
    let zs = z0.mul(tf.outerProduct(revRangeY, revRangeX).as3D(n, n, 1));
    zs = tf.addStrict(zs, z1.mul(tf.outerProduct(rangeY, revRangeX).as3D(n, n, 1)));
    zs = tf.addStrict(zs, z2.mul(tf.outerProduct(revRangeY, rangeX).as3D(n, n, 1)));
    zs = tf.addStrict(zs, z3.mul(tf.outerProduct(rangeY, rangeX).as3D(n, n, 1)));
    return zs.as2D(n * n, z.shape[1]);
  });
}

// interpolate is MusicVAE.interpolateTensors(corners, 4): encode, blend, greedy-decode.
async function interpolate(model, corners) {
  const x = oneHot(corners);
  let out;
  if (tf.getBackend() === 'wasm') {
    const mu = await model.encodeTensors(x);
    const zs = interpolatedZs(mu, 4);
    out = await model.decodeTensors(zs); // [16, 32, 90]
    tf.dispose([mu, zs]);
  } else {
    out = await model.interpolateTensors(x, 4); // [16, 32, 90]
  }
  const tokens = out.argMax(2);
  const result = await tokens.array();
  tf.dispose([x, out, tokens]);
  return result;
}

const median = (v) => v.slice().sort((a, b) => a - b)[Math.floor(v.length / 2)];

// timeMedian returns the median wall-clock and CPU milliseconds (this process, all threads) of
// repeats runs of fn. On a shared machine the CPU time is the steadier measure.
async function timeMedian(repeats, fn) {
  await fn(); // warm up: kernels compiled, buffers allocated
  const wall = [];
  const cpu = [];
  for (let i = 0; i < repeats; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return [median(wall), median(cpu)];
}

async function bench(model, b) {
  const repeats = b.repeats || 10;
  const rows = {
    decode1: () => decode(model, [b.z[0]]),
    decode16: () => decode(model, b.z.slice(0, 16)),
    encode: () => encode(model, [b.corners[0]]),
    interpolate: () => interpolate(model, b.corners),
  };
  const out = {};
  for (const [name, fn] of Object.entries(rows)) {
    [out[name + '_ms'], out[name + '_cpu_ms']] = await timeMedian(repeats, fn);
  }
  return out;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  // Emscripten's loader prefers fetch when there is one, and Node 20's fetch cannot read the
  // .wasm file by path: hide it while the backend starts, so that the loader reads the file.
  const nodeFetch = globalThis.fetch;
  delete globalThis.fetch;
  let ok;
  try {
    ok = await tf.setBackend(args.backend);
    await tf.ready();
  } finally {
    globalThis.fetch = nodeFetch;
  }
  if (!ok) {
    throw new Error(`the ${args.backend} backend did not start`);
  }
  const request = JSON.parse(await readStdin());
  const config = JSON.parse(fs.readFileSync(path.join(args.dir, 'config.json'), 'utf8'));
  drums = config.dataConverter && config.dataConverter.type === 'DrumsConverter';
  const server = await serve(path.resolve(args.dir));
  const model = new mvae.MusicVAE(`http://127.0.0.1:${server.address().port}`);
  try {
    await model.initialize();
  } finally {
    server.close();
  }
  const reply = {backend: tf.getBackend(), tfjs: tf.version.tfjs};
  if (args.backend === 'wasm') {
    reply.wasm_simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    reply.wasm_threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  }
  if (request.decode) {
    reply.decode = await decode(model, request.decode);
  }
  if (request.encode) {
    reply.encode = await encode(model, request.encode);
  }
  if (request.interpolate) {
    reply.interpolate = await interpolate(model, request.interpolate);
  }
  if (request.bench) {
    reply.bench = await bench(model, request.bench);
  }
  model.dispose();
  process.stdout.write(JSON.stringify(reply) + '\n');
}

main().catch((err) => {
  process.stderr.write(`harness: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});

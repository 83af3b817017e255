// Runs @magenta/sketch's SketchRNN on a .gen.json model and a list of stroke-5 inputs, and prints,
// for every step, the LSTM state after the input and the mixture parameters (temperature 1) as JSON.
// Usage: node harness.js MODEL.gen.json < strokes.json   (strokes: [[dx, dy, p1, p2, p3], ...] in pixels)
'use strict';
console.log = (...a) => console.error(...a); // tfjs greets on stdout; keep stdout for the JSON
const fs = require('fs');
const sketch = require('@magenta/sketch');

const [info, dims, weights] = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const strokes = JSON.parse(fs.readFileSync(0, 'utf8'));
const model = new sketch.SketchRNN('unused://');
model.instantiateFromJSON(info, dims, weights); // the API's own loader, without fetch
let state = model.zeroState();
const steps = [];
for (const s of strokes) {
  state = model.update(s, state);
  const pdf = model.getPDF(state, 1.0);
  steps.push({
    c: Array.from(state.c), h: Array.from(state.h),
    pi: Array.from(pdf.pi), mu_x: Array.from(pdf.muX), mu_y: Array.from(pdf.muY),
    sigma_x: Array.from(pdf.sigmaX), sigma_y: Array.from(pdf.sigmaY.slice(0, pdf.pi.length)),
    corr: Array.from(pdf.corr), pen: Array.from(pdf.pen),
  });
}
process.stdout.write(JSON.stringify({scale_factor: model.scaleFactor, steps}));

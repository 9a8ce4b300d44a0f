#!/usr/bin/env node
// Trains NLP.js (node-nlp's NlpManager, French) on one data source, scores it on another,
// and prints one JSON line: accuracy, training time and the median time of one classification.
//
//   node nlpjs.js --train SRC --test SRC
//
// SRC is a catalogue folder (*.yaml: category + intents with examples), a TSV file
// (text<TAB>intent, no header) or a JSONL file ({"text", "intent"} per line).
'use strict';

const fs = require('fs');
const path = require('path');
const yaml = require('js-yaml');
const { NlpManager } = require('node-nlp');

const OUT_OF_SCOPE = 'aucun'; // the catalogue's out-of-scope intent; NLP.js answers 'None'

// load returns {examples: [{text, intent}], names: Map(French name → intent id)}.
function load(src) {
  if (fs.statSync(src).isDirectory()) return loadCatalogue(src);
  const lines = fs.readFileSync(src, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const examples = lines.map((line, i) => {
    if (src.endsWith('.jsonl')) {
      const { text, intent } = JSON.parse(line);
      return { text, intent };
    }
    const [text, intent] = line.split('\t');
    if (!intent) throw new Error(`${src}:${i + 1}: want text<TAB>intent`);
    return { text, intent: intent.trim() };
  });
  return { examples, names: new Map() };
}

function loadCatalogue(dir) {
  const examples = [];
  const names = new Map();
  const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  for (const file of files) {
    const doc = yaml.load(fs.readFileSync(path.join(dir, file), 'utf8')) || {};
    for (const intent of doc.intents || []) {
      names.set(intent.name, intent.id);
      for (const text of intent.examples || []) examples.push({ text, intent: intent.id });
    }
  }
  return { examples, names };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

async function main(args) {
  const opt = {};
  for (let i = 0; i < args.length; i += 2) opt[args[i].replace(/^--/, '')] = args[i + 1];
  if (!opt.train || !opt.test) throw new Error('usage: node nlpjs.js --train SRC --test SRC');

  const train = load(opt.train);
  const test = load(opt.test);
  if (train.examples.length === 0) throw new Error(`${opt.train}: no training example`);
  if (test.examples.length === 0) throw new Error(`${opt.test}: no test example`);
  const labels = new Set(train.examples.map((e) => e.intent));

  // NER stays off (forceNER false, no slots); sentiment is not part of classification;
  // autoSave/autoLoad off so that no model.nlp file is read or written.
  const manager = new NlpManager({
    languages: ['fr'],
    forceNER: false,
    calculateSentiment: false,
    autoSave: false,
    autoLoad: false,
    nlu: { log: false },
  });
  for (const e of train.examples) manager.addDocument('fr', e.text, e.intent);
  let start = process.hrtime.bigint();
  await manager.train();
  const trainSeconds = Number(process.hrtime.bigint() - start) / 1e9;

  let correct = 0;
  const micros = [];
  for (const e of test.examples) {
    start = process.hrtime.bigint();
    const result = await manager.process('fr', e.text);
    micros.push(Number(process.hrtime.bigint() - start) / 1e3);
    let got = result.intent;
    if (got === 'None' && labels.has(OUT_OF_SCOPE)) got = OUT_OF_SCOPE;
    const want = train.names.get(e.intent) || e.intent; // a label may be the French name
    if (got === want) correct += 1;
  }

  console.log(JSON.stringify({
    system: 'nlp.js',
    accuracy: +(correct / test.examples.length).toFixed(4),
    n: test.examples.length,
    train_n: train.examples.length,
    train_seconds: +trainSeconds.toFixed(3),
    classify_us_p50: +median(micros).toFixed(1),
  }));
}

main(process.argv.slice(2)).catch((err) => {
  console.error(`nlpjs.js: ${err.message}`);
  process.exit(1);
});

// Package intents owns what the bot understands: the intent catalogue (the built-in French one,
// embedded from catalogue/*.yaml, or a designer's), French normalisation, the classifier
// (hashed word and character n-grams, a network trained with spago, prediction in plain Go;
// for a designer-sized bot, a linear TF-IDF scorer mixed in), its decision policy
// (understood, ambiguous, not understood, out of scope) and its calibration per bot by
// cross-validation (the linear scorer's share, the temperature and the policy), model files
// with their stamp, evaluation (accuracy, macro F1, calibration, confusions, per-intent
// cross-validation) and advice on a catalogue (too few examples, near-identical examples in
// two intents).
//
// It does not own what the bot answers (package dialog) nor how texts reach it (package server).
package intents

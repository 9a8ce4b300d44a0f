// Package intents owns what the bot understands: the intent catalogue (the built-in French one,
// embedded from catalogue/*.yaml, or a designer's), French normalisation, the classifier
// (hashed word and character n-grams, a network trained with spago, prediction in plain Go),
// its decision policy (understood, ambiguous, not understood, out of scope), model files with
// their stamp, and evaluation (accuracy, macro F1, calibration, confusions).
//
// It does not own what the bot answers (package dialog) nor how texts reach it (package server).
package intents

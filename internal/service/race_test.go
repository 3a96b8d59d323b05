//go:build race

package service_test

// raceEnabled reports whether the race detector is on: it slows XML
// decoding about tenfold, so large reports shrink under it.
const raceEnabled = true

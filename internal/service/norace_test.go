//go:build !race

package service_test

// raceEnabled reports whether the race detector is on.
const raceEnabled = false

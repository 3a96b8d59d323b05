//go:build !race

package server_test

// raceEnabled reports whether the race detector is on: it slows
// decompression about twentyfold, so CPU figures do not hold.
const raceEnabled = false

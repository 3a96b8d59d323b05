package seal_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bwfacade/facade/internal/seal"
)

// clock is a settable clock for Settings.Now.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

var epoch = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func TestSealOpenRoundTrip(t *testing.T) {
	t.Parallel()
	s := seal.New("test v1", seal.Settings{Keys: []seal.Key{seal.GenerateKey()}, Now: (&clock{epoch}).now})
	tests := []struct {
		name    string
		payload []byte
		binding []string
	}{
		{"empty", nil, nil},
		{"payload", []byte{1, 2, 3}, []string{"caller"}},
		{"bindings", []byte("x"), []string{"caller", "", string([]byte{0, 0xff})}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			token := s.Seal(tt.payload, tt.binding...)
			got, err := s.Open(token, tt.binding...)
			if err != nil {
				t.Fatalf("Open(Seal()) error = %v", err)
			}
			if !bytes.Equal(got, tt.payload) {
				t.Errorf("Open(Seal(%x)) = %x", tt.payload, got)
			}
		})
	}
}

func TestOpenRejects(t *testing.T) {
	t.Parallel()
	key, other := seal.GenerateKey(), seal.GenerateKey()
	clk := &clock{epoch}
	s := seal.New("test v1", seal.Settings{Keys: []seal.Key{key}, TTL: time.Hour, Now: clk.now})
	good := s.Seal([]byte{7, 7}, "alice", "filters")
	raw, _ := base64.RawURLEncoding.DecodeString(good)
	tamper := func(f func([]byte) []byte) string {
		return base64.RawURLEncoding.EncodeToString(f(bytes.Clone(raw)))
	}
	expired := seal.New("test v1", seal.Settings{Keys: []seal.Key{key}, TTL: time.Hour, Now: (&clock{epoch.Add(-time.Hour)}).now})
	tests := []struct {
		name    string
		sealer  *seal.Sealer
		token   string
		binding []string
		want    error
	}{
		{"not_base64", s, "!!!", []string{"alice", "filters"}, seal.ErrInvalid},
		{"empty", s, "", []string{"alice", "filters"}, seal.ErrInvalid},
		{"other_version", s, tamper(func(b []byte) []byte { b[0] = 2; return b }), []string{"alice", "filters"}, seal.ErrInvalid},
		{"truncated", s, tamper(func(b []byte) []byte { return b[:len(b)-1] }), []string{"alice", "filters"}, seal.ErrInvalid},
		{"extended", s, tamper(func(b []byte) []byte { return append(b, 0) }), []string{"alice", "filters"}, seal.ErrInvalid},
		{"other_binding", s, good, []string{"bob", "filters"}, seal.ErrInvalid},
		{"binding_split_differently", s, good, []string{"alicef", "ilters"}, seal.ErrInvalid},
		{"fewer_bindings", s, good, []string{"alice"}, seal.ErrInvalid},
		{"other_purpose", seal.New("test v2", seal.Settings{Keys: []seal.Key{key}, Now: clk.now}), good, []string{"alice", "filters"}, seal.ErrInvalid},
		{"other_key", seal.New("test v1", seal.Settings{Keys: []seal.Key{other}, Now: clk.now}), good, []string{"alice", "filters"}, seal.ErrInvalid},
		{"expired", s, expired.Seal([]byte{7, 7}, "alice", "filters"), []string{"alice", "filters"}, seal.ErrExpired},
	}
	for i := range raw {
		tests = append(tests, struct {
			name    string
			sealer  *seal.Sealer
			token   string
			binding []string
			want    error
		}{fmt.Sprintf("byte_%d_altered", i), s, tamper(func(b []byte) []byte { b[i] ^= 0x01; return b }), []string{"alice", "filters"}, seal.ErrInvalid})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.sealer.Open(tt.token, tt.binding...)
			if !errors.Is(err, tt.want) || got != nil {
				t.Errorf("Open() = %x, %v; want nil, %v", got, err, tt.want)
			}
		})
	}
}

func TestOpenExpiresAfterTTL(t *testing.T) {
	t.Parallel()
	clk := &clock{epoch}
	s := seal.New("test v1", seal.Settings{Keys: []seal.Key{seal.GenerateKey()}, TTL: time.Hour, Now: clk.now})
	token := s.Seal([]byte{1})
	clk.t = epoch.Add(time.Hour - time.Second)
	if _, err := s.Open(token); err != nil {
		t.Errorf("Open() a second before expiry error = %v, want nil", err)
	}
	clk.t = epoch.Add(time.Hour)
	if _, err := s.Open(token); !errors.Is(err, seal.ErrExpired) {
		t.Errorf("Open() at expiry error = %v, want %v", err, seal.ErrExpired)
	}
}

func TestDefaultTTL(t *testing.T) {
	t.Parallel()
	s := seal.New("test v1", seal.Settings{Keys: []seal.Key{seal.GenerateKey()}})
	if got := s.TTL(); got != 24*time.Hour {
		t.Errorf("TTL() = %v, want %v", got, 24*time.Hour)
	}
}

// TestRotation walks a key rotation: a new key listed second opens tokens
// but does not seal; moved first it seals, and tokens of the old key still
// open until the old key is removed.
func TestRotation(t *testing.T) {
	t.Parallel()
	oldKey, newKey := seal.GenerateKey(), seal.GenerateKey()
	clk := &clock{epoch}
	sealer := func(keys ...seal.Key) *seal.Sealer {
		return seal.New("test v1", seal.Settings{Keys: keys, Now: clk.now})
	}
	before, staged, rotated, retired := sealer(oldKey), sealer(oldKey, newKey), sealer(newKey, oldKey), sealer(newKey)

	byOld, byNew := before.Seal([]byte("o")), rotated.Seal([]byte("n"))
	tests := []struct {
		name   string
		sealer *seal.Sealer
		token  string
		want   error
	}{
		{"staged_opens_old", staged, byOld, nil},
		{"staged_opens_new", staged, byNew, nil},
		{"staged_seals_with_old", before, staged.Seal(nil), nil},
		{"rotated_opens_old", rotated, byOld, nil},
		{"before_rejects_new", before, byNew, seal.ErrInvalid},
		{"retired_rejects_old", retired, byOld, seal.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := tt.sealer.Open(tt.token); !errors.Is(err, tt.want) {
				t.Errorf("Open() error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestNewPanicsWithoutKey(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("New() without keys did not panic")
		}
	}()
	seal.New("test v1", seal.Settings{})
}

func TestParseKeys(t *testing.T) {
	t.Parallel()
	k1, k2 := strings.Repeat("ab", 32), strings.Repeat("CD", 40)
	tests := []struct {
		name    string
		text    string
		want    int
		wantErr string
	}{
		{"one", k1, 1, ""},
		{"lines_and_comments", "# current\n" + k1 + "\n\n  # staged\n" + k2 + "\n", 2, ""},
		{"commas", k1 + ", " + k2, 2, ""},
		{"empty", "", 0, "no key"},
		{"only_comments", "# nothing\n", 0, "no key"},
		{"short", strings.Repeat("ab", 31), 0, "key 1: a key needs at least 32 bytes (64 hex digits), got 31"},
		{"not_hex", k1 + "\n" + strings.Repeat("zz", 32), 0, "key 2: a key is hex digits"},
		{"base64", "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq8=", 0, "key 1: a key is hex digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			keys, err := seal.ParseKeys(tt.text)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.wantErr)) {
				t.Fatalf("ParseKeys() error = %v, want prefix %q", err, tt.wantErr)
			}
			if len(keys) != tt.want {
				t.Errorf("ParseKeys() = %d keys, want %d", len(keys), tt.want)
			}
		})
	}
}

// TestParseKeysOrder: the first key parsed seals.
func TestParseKeysOrder(t *testing.T) {
	t.Parallel()
	k1, k2 := strings.Repeat("01", 32), strings.Repeat("02", 32)
	keys, err := seal.ParseKeys(k1 + "\n" + k2)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := seal.ParseKey(k1)
	token := seal.New("p", seal.Settings{Keys: keys}).Seal(nil)
	if _, err := seal.New("p", seal.Settings{Keys: []seal.Key{first}}).Open(token); err != nil {
		t.Errorf("Open() with the first key error = %v, want nil", err)
	}
}

func TestKeyNeverPrints(t *testing.T) {
	t.Parallel()
	hexKey := strings.Repeat("5a", 32)
	key, err := seal.ParseKey(hexKey)
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("key", slog.Any("key", key), slog.Any("keys", []seal.Key{key}))
	printed := fmt.Sprintf("%v %+v %#v %s %x %q", key, key, key, key, key, []seal.Key{key})
	for _, out := range []string{logged.String(), printed} {
		if strings.Contains(strings.ToLower(out), hexKey) || strings.Contains(out, "ZZZZ") {
			t.Errorf("output shows the key: %s", out)
		}
	}
	if diff := cmp.Diff("[redacted]", key.String()); diff != "" {
		t.Errorf("String() mismatch (-want +got):\n%s", diff)
	}
}

// BenchmarkOpen opens a page-sized token with the key listed last of
// three, the slowest case during a rotation.
func BenchmarkOpen(b *testing.B) {
	key := seal.GenerateKey()
	token := seal.New("bench", seal.Settings{Keys: []seal.Key{key}}).Seal([]byte{2, 50}, "caller", strings.Repeat("d", 32))
	s := seal.New("bench", seal.Settings{Keys: []seal.Key{seal.GenerateKey(), seal.GenerateKey(), key}})
	for b.Loop() {
		if _, err := s.Open(token, "caller", strings.Repeat("d", 32)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(token)), "token_chars")
}

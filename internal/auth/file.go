package auth

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"

	"go.opentelemetry.io/otel/metric"
	"go.yaml.in/yaml/v3"

	"github.com/bwfacade/facade/internal/upstream"
)

// LoadOptions configures LoadFile.
type LoadOptions struct {
	// Methods is the catalogue of procedures callers may be allowed, each
	// mapped to whether it is read-only (has no side effects). Required.
	Methods map[string]bool
	// Getenv reads the environment variables token_env names. Nil means
	// os.Getenv.
	Getenv func(string) string
	// MeterProvider receives a Store's reload counts; nil means otel's
	// global provider.
	MeterProvider metric.MeterProvider
}

// fileSpec is the callers file. README.md documents it.
type fileSpec struct {
	Callers []callerSpec `yaml:"callers"`
}

type callerSpec struct {
	Name             string     `yaml:"name"`
	KeySHA256        []string   `yaml:"key_sha256"`
	ClientIdentities []string   `yaml:"client_identities"`
	TokenEnv         string     `yaml:"token_env"`
	TokenFile        string     `yaml:"token_file"`
	Token            string     `yaml:"token"`
	Allow            []string   `yaml:"allow"`
	ReadOnly         bool       `yaml:"read_only"`
	Quota            *quotaSpec `yaml:"quota"`
	Revoked          bool       `yaml:"revoked"`
}

type quotaSpec struct {
	RPS   float64 `yaml:"rps"`
	Burst int     `yaml:"burst"`
}

var callerName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// maxFileBytes bounds the callers file and each token file.
const maxFileBytes = 1 << 20

// LoadFile reads and validates the callers file at path and the token
// files it names. Every problem is reported, each naming the caller and
// the field at fault; no error holds a token or a key.
func LoadFile(path string, opts LoadOptions) (*Registry, error) {
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	files := &fileSet{}
	data, err := files.read(path)
	if err != nil {
		return nil, err
	}
	var spec fileSpec
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&spec); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(spec.Callers) == 0 {
		return nil, fmt.Errorf("%s: no callers: list at least one under \"callers\"", path)
	}
	guarded := slices.Sorted(maps.Keys(opts.Methods))
	var errs []error
	callers := make([]*Caller, 0, len(spec.Callers))
	for i, cs := range spec.Callers {
		c, problems := cs.caller(opts, files, guarded)
		label := fmt.Sprintf("callers[%d]", i)
		if cs.Name != "" {
			label = fmt.Sprintf("caller %q (%s)", cs.Name, label)
		}
		for _, err := range problems {
			errs = append(errs, fmt.Errorf("%s: %w", label, err))
		}
		callers = append(callers, c)
	}
	if len(errs) == 0 {
		r, err := NewRegistry(guarded, callers...)
		if err == nil {
			r.files, r.digest = files.paths, files.digest()
			return r, nil
		}
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("%s: %w", path, errors.Join(errs...))
}

// caller validates one caller's entry and returns every problem found.
func (cs *callerSpec) caller(opts LoadOptions, files *fileSet, guarded []string) (*Caller, []error) {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !callerName.MatchString(cs.Name) {
		fail("name: want 1 to 63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit")
	}
	c := &Caller{Name: cs.Name, Revoked: cs.Revoked, ClientIdentities: cs.ClientIdentities}
	for i, h := range cs.KeySHA256 {
		var hash KeyHash
		b, err := hex.DecodeString(strings.TrimSpace(h))
		if err != nil || len(b) != len(hash) {
			fail("key_sha256[%d]: want 64 hex digits, the SHA-256 of the key (see `server keygen`)", i)
			continue
		}
		c.KeyHashes = append(c.KeyHashes, KeyHash(b))
	}
	for i, id := range cs.ClientIdentities {
		if strings.TrimSpace(id) == "" {
			fail("client_identities[%d]: empty", i)
		}
	}
	if len(c.KeyHashes) == 0 && len(cs.ClientIdentities) == 0 && len(errs) == 0 {
		fail("key_sha256: a caller needs a key hash or a client identity")
	}
	if cs.Token != "" {
		fail("token: tokens are never written in the callers file; use token_env or token_file")
	}
	if !cs.Revoked {
		token, err := cs.token(opts.Getenv, files)
		if err != nil {
			errs = append(errs, err)
		}
		c.Token = token
	}
	methods, problems := allowedMethods(cs.Allow, cs.ReadOnly, opts.Methods, guarded)
	errs = append(errs, problems...)
	c.Methods = methods
	if q := cs.Quota; q != nil {
		if q.RPS <= 0 || q.Burst < 1 {
			fail("quota: want rps > 0 and burst >= 1")
		}
		c.Quota = Quota{Rate: q.RPS, Burst: q.Burst}
	}
	return c, errs
}

// token reads the caller's upstream token from its source.
func (cs *callerSpec) token(getenv func(string) string, files *fileSet) (upstream.Token, error) {
	switch {
	case cs.TokenEnv != "" && cs.TokenFile != "":
		return upstream.Token{}, errors.New("token_env and token_file are both set; set one")
	case cs.TokenEnv != "":
		v := strings.TrimSpace(getenv(cs.TokenEnv))
		if v == "" {
			return upstream.Token{}, fmt.Errorf("token_env: the environment variable %s is unset or empty", cs.TokenEnv)
		}
		return upstream.NewToken(v), nil
	case cs.TokenFile != "":
		b, err := files.read(cs.TokenFile)
		if err != nil {
			return upstream.Token{}, fmt.Errorf("token_file: %w", err)
		}
		v := strings.TrimSpace(string(b))
		if v == "" {
			return upstream.Token{}, fmt.Errorf("token_file: %s is empty", cs.TokenFile)
		}
		return upstream.NewToken(v), nil
	default:
		return upstream.Token{}, errors.New("token_env or token_file: every active caller needs the Betterworks token it uses")
	}
}

// allowedMethods expands a caller's allow list: "*" is every method, a
// service name every method of the service, "service/Method" one method.
// With readOnly, only methods without side effects are kept, and naming a
// single method that has them is an error.
func allowedMethods(allow []string, readOnly bool, catalogue map[string]bool, procedures []string) ([]string, []error) {
	if len(allow) == 0 {
		return nil, []error{errors.New("allow: list the services or methods the caller may call (\"*\" for all)")}
	}
	set := make(map[string]struct{})
	var errs []error
	for i, entry := range allow {
		entry = strings.TrimPrefix(strings.TrimSpace(entry), "/")
		if strings.Contains(entry, "/") {
			proc := "/" + entry
			isRead, ok := catalogue[proc]
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("allow[%d]: no method %q", i, entry))
			case readOnly && !isRead:
				errs = append(errs, fmt.Errorf("allow[%d]: %s has side effects, but the caller is read_only", i, entry))
			default:
				set[proc] = struct{}{}
			}
			continue
		}
		matched := false
		for _, proc := range procedures {
			if entry == "*" || strings.HasPrefix(proc, "/"+entry+"/") {
				matched = true
				if !readOnly || catalogue[proc] {
					set[proc] = struct{}{}
				}
			}
		}
		if !matched {
			errs = append(errs, fmt.Errorf("allow[%d]: no service %q", i, entry))
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return slices.Sorted(maps.Keys(set)), nil
}

// fileSet reads the files a registry comes from and digests their
// contents, so a Store can tell when they change.
type fileSet struct {
	paths    []string
	contents [][]byte
}

func (f *fileSet) read(path string) ([]byte, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	b, err := io.ReadAll(io.LimitReader(file, maxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxFileBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, maxFileBytes)
	}
	f.paths = append(f.paths, path)
	f.contents = append(f.contents, b)
	return b, nil
}

func (f *fileSet) digest() [sha256.Size]byte {
	return digest(f.paths, f.contents)
}

// digest hashes files' paths and contents, in order.
func digest(paths []string, contents [][]byte) [sha256.Size]byte {
	h := sha256.New()
	for i, p := range paths {
		h.Write([]byte(p))
		h.Write([]byte{0})
		h.Write(contents[i])
		h.Write([]byte{0})
	}
	return [sha256.Size]byte(h.Sum(nil))
}

// Package config reads the facade's configuration from the environment and
// validates it at start, naming the variable at fault.
//
// With nothing set, the facade runs in demo mode: it serves on
// localhost:8080 against the embedded Betterworks sandbox.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
)

// Environment variables read by Load.
const (
	EnvAddr            = "BWFACADE_ADDR"
	EnvUpstreamURL     = "BWFACADE_UPSTREAM_URL"
	EnvUpstreamToken   = "BWFACADE_UPSTREAM_TOKEN"
	EnvUpstreamTokenFn = "BWFACADE_UPSTREAM_TOKEN_FILE"
	EnvCallerKeyHash   = "BWFACADE_CALLER_KEY_SHA256"
	EnvTLSCert         = "BWFACADE_TLS_CERT_FILE"
	EnvTLSKey          = "BWFACADE_TLS_KEY_FILE"
	EnvSandboxFaults   = "BWFACADE_SANDBOX_FAULTS"
	EnvLogFormat       = "BWFACADE_LOG_FORMAT"
	EnvLogLevel        = "BWFACADE_LOG_LEVEL"
)

// DefaultAddr is where the facade listens when BWFACADE_ADDR is unset.
const DefaultAddr = "localhost:8080"

// Config is the facade's validated configuration.
type Config struct {
	// Addr is the listen address, host:port.
	Addr string
	// UpstreamURL is the Betterworks API root, such as
	// https://app.betterworks.com/api/v1/ or the preview environment's.
	// Empty means demo mode on the embedded sandbox.
	UpstreamURL string
	// UpstreamToken is the Betterworks API token for the configured caller,
	// read from BWFACADE_UPSTREAM_TOKEN or the file BWFACADE_UPSTREAM_TOKEN_FILE
	// names. Required with UpstreamURL.
	UpstreamToken string
	// CallerKeyHash is the hex SHA-256 of the caller key allowed to call
	// the facade (see `server keygen`). Empty in demo mode means a key is
	// generated at start and logged.
	CallerKeyHash string
	// TLSCertFile and TLSKeyFile enable TLS when both are set.
	TLSCertFile, TLSKeyFile string
	// SandboxFaults is a fault specification for the embedded sandbox
	// (see sandbox.ParseFaults); demo mode only.
	SandboxFaults string
	// LogFormat is "text" or "json". Empty means text in demo mode and
	// json otherwise.
	LogFormat string
	// LogLevel is the minimum level logged; default info.
	LogLevel slog.Level
}

// Demo reports whether the facade runs against the embedded sandbox.
func (c *Config) Demo() bool { return c.UpstreamURL == "" }

// Load reads the configuration through getenv and validates it.
func Load(getenv func(string) string) (*Config, error) {
	c := &Config{
		Addr:          getenv(EnvAddr),
		UpstreamURL:   strings.TrimSpace(getenv(EnvUpstreamURL)),
		UpstreamToken: getenv(EnvUpstreamToken),
		CallerKeyHash: strings.ToLower(strings.TrimSpace(getenv(EnvCallerKeyHash))),
		TLSCertFile:   getenv(EnvTLSCert),
		TLSKeyFile:    getenv(EnvTLSKey),
		SandboxFaults: getenv(EnvSandboxFaults),
		LogFormat:     getenv(EnvLogFormat),
	}
	var errs []error
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if path := getenv(EnvUpstreamTokenFn); path != "" {
		if c.UpstreamToken != "" {
			errs = append(errs, fmt.Errorf("%s and %s are both set; set one", EnvUpstreamToken, EnvUpstreamTokenFn))
		}
		b, err := os.ReadFile(path)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", EnvUpstreamTokenFn, err))
		}
		c.UpstreamToken = strings.TrimSpace(string(b))
	}
	if c.UpstreamURL != "" {
		u, err := url.Parse(c.UpstreamURL)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s: %w", EnvUpstreamURL, err))
		case u.Scheme != "https" && u.Scheme != "http", u.Host == "":
			errs = append(errs, fmt.Errorf("%s: %q is not an absolute http(s) URL", EnvUpstreamURL, c.UpstreamURL))
		}
		if c.UpstreamToken == "" {
			errs = append(errs, fmt.Errorf("%s needs %s or %s", EnvUpstreamURL, EnvUpstreamToken, EnvUpstreamTokenFn))
		}
		if c.CallerKeyHash == "" {
			errs = append(errs, fmt.Errorf("%s needs %s (generate one with `server keygen`)", EnvUpstreamURL, EnvCallerKeyHash))
		}
		if c.SandboxFaults != "" {
			errs = append(errs, fmt.Errorf("%s applies to the embedded sandbox only; unset it or %s", EnvSandboxFaults, EnvUpstreamURL))
		}
	}
	if c.CallerKeyHash != "" && !isSHA256Hex(c.CallerKeyHash) {
		errs = append(errs, fmt.Errorf("%s: want 64 hex digits (the SHA-256 of the key)", EnvCallerKeyHash))
	}
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		errs = append(errs, fmt.Errorf("%s and %s go together", EnvTLSCert, EnvTLSKey))
	}
	switch c.LogFormat {
	case "":
		c.LogFormat = "json"
		if c.Demo() {
			c.LogFormat = "text"
		}
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("%s: want text or json, got %q", EnvLogFormat, c.LogFormat))
	}
	if lvl := getenv(EnvLogLevel); lvl != "" {
		if err := c.LogLevel.UnmarshalText([]byte(lvl)); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", EnvLogLevel, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return false
		}
	}
	return true
}

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
	"strconv"
	"strings"
)

// Environment variables read by Load.
const (
	EnvAddr              = "BWFACADE_ADDR"
	EnvUpstreamURL       = "BWFACADE_UPSTREAM_URL"
	EnvCallersFile       = "BWFACADE_CALLERS_FILE"
	EnvDemoKeyHash       = "BWFACADE_DEMO_KEY_SHA256"
	EnvTLSCert           = "BWFACADE_TLS_CERT_FILE"
	EnvTLSKey            = "BWFACADE_TLS_KEY_FILE"
	EnvTLSClientCA       = "BWFACADE_TLS_CLIENT_CA_FILE"
	EnvReflectionNeedKey = "BWFACADE_REFLECTION_REQUIRES_KEY"
	EnvHealthNeedKey     = "BWFACADE_HEALTH_REQUIRES_KEY"
	EnvSandboxFaults     = "BWFACADE_SANDBOX_FAULTS"
	EnvLogFormat         = "BWFACADE_LOG_FORMAT"
	EnvLogLevel          = "BWFACADE_LOG_LEVEL"
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
	// CallersFile is the callers file (see package auth): who may call,
	// with which key, mapped to which Betterworks token. Required with
	// UpstreamURL; demo mode has its own demo caller.
	CallersFile string
	// DemoKeyHash is the hex SHA-256 of the demo caller's key. Empty
	// means a key is generated at start and logged.
	DemoKeyHash string
	// TLSCertFile and TLSKeyFile enable TLS when both are set.
	TLSCertFile, TLSKeyFile string
	// TLSClientCAFile enables client certificates (mTLS): a certificate
	// signed by one of its CAs may name a caller. Needs TLS.
	TLSClientCAFile string
	// ReflectionRequiresKey and HealthRequiresKey close gRPC reflection
	// and health to unauthenticated callers; both are open by default.
	ReflectionRequiresKey, HealthRequiresKey bool
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
		Addr:            getenv(EnvAddr),
		UpstreamURL:     strings.TrimSpace(getenv(EnvUpstreamURL)),
		CallersFile:     getenv(EnvCallersFile),
		DemoKeyHash:     strings.ToLower(strings.TrimSpace(getenv(EnvDemoKeyHash))),
		TLSCertFile:     getenv(EnvTLSCert),
		TLSKeyFile:      getenv(EnvTLSKey),
		TLSClientCAFile: getenv(EnvTLSClientCA),
		SandboxFaults:   getenv(EnvSandboxFaults),
		LogFormat:       getenv(EnvLogFormat),
	}
	var errs []error
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	for name, dst := range map[string]*bool{EnvReflectionNeedKey: &c.ReflectionRequiresKey, EnvHealthNeedKey: &c.HealthRequiresKey} {
		if v := getenv(name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: want true or false, got %q", name, v))
			}
			*dst = b
		}
	}
	if c.UpstreamURL != "" {
		u, err := url.Parse(c.UpstreamURL)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s: %w", EnvUpstreamURL, err))
		case u.Scheme != "https" && u.Scheme != "http", u.Host == "":
			errs = append(errs, fmt.Errorf("%s: %q is not an absolute http(s) URL", EnvUpstreamURL, c.UpstreamURL))
		}
		if c.CallersFile == "" {
			errs = append(errs, fmt.Errorf("%s needs %s, the callers and the Betterworks tokens they use", EnvUpstreamURL, EnvCallersFile))
		}
		for _, demoOnly := range []string{EnvSandboxFaults, EnvDemoKeyHash} {
			if getenv(demoOnly) != "" {
				errs = append(errs, fmt.Errorf("%s applies to demo mode on the embedded sandbox only; unset it or %s", demoOnly, EnvUpstreamURL))
			}
		}
	} else if c.CallersFile != "" {
		errs = append(errs, fmt.Errorf("%s needs %s: demo mode has its own demo caller", EnvCallersFile, EnvUpstreamURL))
	}
	if c.DemoKeyHash != "" && !isSHA256Hex(c.DemoKeyHash) {
		errs = append(errs, fmt.Errorf("%s: want 64 hex digits (the SHA-256 of the key)", EnvDemoKeyHash))
	}
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		errs = append(errs, fmt.Errorf("%s and %s go together", EnvTLSCert, EnvTLSKey))
	}
	if c.TLSClientCAFile != "" && c.TLSCertFile == "" {
		errs = append(errs, fmt.Errorf("%s needs %s and %s: client certificates need TLS", EnvTLSClientCA, EnvTLSCert, EnvTLSKey))
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

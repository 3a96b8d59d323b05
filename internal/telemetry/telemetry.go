// Package telemetry sets up OpenTelemetry for the facade: a tracer
// provider and a meter provider whose exporters the standard OTEL_*
// environment variables choose (OTLP over gRPC or HTTP, console, none),
// an optional Prometheus scrape handler, the W3C trace-context
// propagator, and a slog handler that puts the trace and span ids on
// every log line of a request.
//
// With no OTEL_* exporter or endpoint configured, nothing is exported:
// spans still get ids, so logs correlate and traceparent reaches the
// upstream.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/contrib/exporters/autoexport"
	"go.opentelemetry.io/otel/attribute"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Config configures Setup. A zero field selects the default documented on
// it.
type Config struct {
	// ServiceName names the service in every span and metric; empty means
	// "bwfacade" (OTEL_SERVICE_NAME overrides it, as the standard says).
	ServiceName string
	// ServiceVersion is the build's version or commit; empty leaves it out.
	ServiceVersion string
	// Prometheus makes Providers.Metrics a Prometheus scrape handler.
	Prometheus bool
	// Getenv reads the OTEL_* variables that decide whether anything is
	// exported; nil means os.Getenv. The exporters themselves read the
	// process environment.
	Getenv func(string) string
}

// Providers are the facade's telemetry providers.
type Providers struct {
	Tracer     trace.TracerProvider
	Meter      metric.MeterProvider
	Propagator propagation.TextMapPropagator
	// Metrics serves the Prometheus text format, or is nil when
	// Config.Prometheus is false.
	Metrics http.Handler

	shutdown []func(context.Context) error
}

// Shutdown flushes what is buffered and stops the exporters; call it once,
// with a deadline, when the server stops.
func (p *Providers) Shutdown(ctx context.Context) error {
	var errs []error
	for _, f := range p.shutdown {
		errs = append(errs, f(ctx))
	}
	return errors.Join(errs...)
}

// Setup returns providers configured by cfg and the environment. It does
// not install them as otel's globals; the caller decides.
func Setup(ctx context.Context, cfg Config) (*Providers, error) {
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	name := cfg.ServiceName
	if name == "" {
		name = "bwfacade"
	}
	attrs := []attribute.KeyValue{attribute.String("service.name", name)}
	if cfg.ServiceVersion != "" {
		attrs = append(attrs, attribute.String("service.version", cfg.ServiceVersion))
	}
	// Ours win over resource.Default (whose service.name is
	// "unknown_service:<binary>"), and the environment
	// (OTEL_RESOURCE_ATTRIBUTES, OTEL_SERVICE_NAME) over ours: in Merge,
	// the second resource wins.
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(attrs...))
	if err == nil {
		res, err = resource.Merge(res, resource.Environment())
	}
	if err != nil {
		return nil, fmt.Errorf("telemetry: resource: %w", err)
	}
	// W3C trace context only: a caller's baggage (user or tenant ids, as
	// services put there) is not carried on, least of all to Betterworks.
	p := &Providers{Propagator: propagation.TraceContext{}}

	traceOpts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res)}
	var exporter sdktrace.SpanExporter
	if exporting(getenv, "TRACES") {
		if exporter, err = autoexport.NewSpanExporter(ctx); err != nil {
			return nil, fmt.Errorf("telemetry: span exporter: %w", err)
		}
	}
	if exporter != nil && !autoexport.IsNoneSpanExporter(exporter) {
		traceOpts = append(traceOpts, sdktrace.WithBatcher(exporter))
	} else {
		// Spans nobody reads are not recorded: they keep their ids, for
		// logs and traceparent, and cost no attributes.
		traceOpts = append(traceOpts, sdktrace.WithSampler(sdktrace.NeverSample()))
	}
	tp := sdktrace.NewTracerProvider(traceOpts...)
	p.Tracer = tp
	p.shutdown = append(p.shutdown, tp.Shutdown)

	meterOpts := []sdkmetric.Option{sdkmetric.WithResource(res)}
	if exporting(getenv, "METRICS") {
		reader, err := autoexport.NewMetricReader(ctx)
		if err != nil {
			return nil, fmt.Errorf("telemetry: metric reader: %w", err)
		}
		if !autoexport.IsNoneMetricReader(reader) {
			meterOpts = append(meterOpts, sdkmetric.WithReader(reader))
		}
	}
	if cfg.Prometheus {
		registry := prometheus.NewRegistry()
		exporter, err := otelprom.New(otelprom.WithRegisterer(registry))
		if err != nil {
			return nil, fmt.Errorf("telemetry: prometheus: %w", err)
		}
		meterOpts = append(meterOpts, sdkmetric.WithReader(exporter))
		p.Metrics = promhttp.HandlerFor(registry, promhttp.HandlerOpts{})
	}
	mp := sdkmetric.NewMeterProvider(meterOpts...)
	p.Meter = mp
	p.shutdown = append(p.shutdown, mp.Shutdown)
	return p, nil
}

// exporting reports whether the environment asks to export a signal
// (TRACES or METRICS): its OTEL_<signal>_EXPORTER is set, or an OTLP
// endpoint is. Otherwise the standard's default, OTLP to localhost, would
// log a failed export every few seconds on a machine without a collector.
func exporting(getenv func(string) string, signal string) bool {
	for _, name := range []string{
		"OTEL_" + signal + "_EXPORTER",
		"OTEL_EXPORTER_OTLP_ENDPOINT",
		"OTEL_EXPORTER_OTLP_" + signal + "_ENDPOINT",
	} {
		if getenv(name) != "" {
			return true
		}
	}
	return false
}

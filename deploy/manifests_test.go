package deploy

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/json"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// What cmd/server does on SIGTERM, which the pod's grace period must cover
// after the preStop sleep: drain in-flight calls (shutdownGrace), then
// flush telemetry.
const (
	drainSeconds = 20
	flushSeconds = 5
)

const (
	containerName = "facade"
	apiPortName   = "api"
	metricsPort   = "metrics"
)

// objects are the objects an overlay builds to, by kind.
type objects struct {
	namespaces      []corev1.Namespace
	serviceAccounts []corev1.ServiceAccount
	deployments     []appsv1.Deployment
	services        []corev1.Service
	budgets         []policyv1.PodDisruptionBudget
	autoscalers     []autoscalingv2.HorizontalPodAutoscaler
	networkPolicies []networkingv1.NetworkPolicy
}

// build runs kustomize on dir, on the real filesystem, as
// `kubectl apply -k dir` would, and decodes every object strictly.
func build(t *testing.T, dir string) objects {
	t.Helper()
	resources, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	var o objects
	for _, r := range resources.Resources() {
		doc, err := r.AsYAML()
		if err != nil {
			t.Fatalf("kustomize build %s: %s: %v", dir, r.CurId(), err)
		}
		if err := o.add(r.GetApiVersion()+"/"+r.GetKind(), doc); err != nil {
			t.Fatalf("kustomize build %s: %s: %v", dir, r.CurId(), err)
		}
	}
	return o
}

// add decodes doc, an object of the given apiVersion/kind, into its Go type.
// A kind without one fails: the test checks every object it is given.
func (o *objects) add(apiVersionKind string, doc []byte) error {
	switch apiVersionKind {
	case "v1/Namespace":
		return appendStrict(doc, &o.namespaces)
	case "v1/ServiceAccount":
		return appendStrict(doc, &o.serviceAccounts)
	case "apps/v1/Deployment":
		return appendStrict(doc, &o.deployments)
	case "v1/Service":
		return appendStrict(doc, &o.services)
	case "policy/v1/PodDisruptionBudget":
		return appendStrict(doc, &o.budgets)
	case "autoscaling/v2/HorizontalPodAutoscaler":
		return appendStrict(doc, &o.autoscalers)
	case "networking.k8s.io/v1/NetworkPolicy":
		return appendStrict(doc, &o.networkPolicies)
	}
	return fmt.Errorf("no Go type for %s", apiVersionKind)
}

// appendStrict decodes doc into a new T and appends it to list, as the API
// server's strict field validation would: a field T does not have, a field
// given twice, or a field whose name differs from T's only in case (which
// encoding/json would accept and the API server drops) is an error.
func appendStrict[T any](doc []byte, list *[]T) error {
	data, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	var v T
	strictErrs, err := json.UnmarshalStrict(data, &v, json.DisallowDuplicateFields, json.DisallowUnknownFields)
	if err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	if err := errors.Join(strictErrs...); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	*list = append(*list, v)
	return nil
}

// facade returns the one Deployment and its facade container.
func (o objects) facade() (*appsv1.Deployment, *corev1.Container, error) {
	if len(o.deployments) != 1 {
		return nil, nil, fmt.Errorf("%d Deployments, want 1", len(o.deployments))
	}
	d := &o.deployments[0]
	for i := range d.Spec.Template.Spec.Containers {
		if c := &d.Spec.Template.Spec.Containers[i]; c.Name == containerName {
			return d, c, nil
		}
	}
	return nil, nil, fmt.Errorf("deployment %s: no container %q", d.Name, containerName)
}

// policy is a rule every overlay keeps. check returns nil when the objects
// keep it, or an error saying where they do not.
type policy struct {
	name  string
	check func(objects) error
}

// policies are the rules of both overlays.
var policies = []policy{
	{"runs as a non-root user", runsAsNonRoot},
	{"read-only root filesystem", readOnlyRootFilesystem},
	{"a bounded writable /tmp", writableTmp},
	{"no privilege escalation", noPrivilegeEscalation},
	{"requests and limits", requestsAndLimits},
	{"gRPC health probes on the API port", grpcProbes},
	{"preStop sleep within the grace period", preStopSleep},
	{"no API token, no service links", noAPIToken},
	{"image set by kustomize", imageSet},
	{"metrics annotated for scraping", metricsScraped},
	{"disruption budget selects the pods", budgetSelectsPods},
	{"autoscalers target the Deployment", autoscalersTargetDeployment},
	{"Services select the pods", servicesSelectPods},
	{"network policy limits ingress and egress", networkPolicy},
	{"no secret in an env value", noSecretLiterals},
	{"namespace enforces the restricted pod standard", restrictedNamespace},
}

func TestOverlaysKeepThePolicies(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{"overlays/demo", "overlays/production"} {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			objs := build(t, dir)
			for _, p := range policies {
				if err := p.check(objs); err != nil {
					t.Errorf("%s: %s: %v", dir, p.name, err)
				}
			}
		})
	}
}

func TestProductionOverlay(t *testing.T) {
	t.Parallel()
	objs := build(t, "overlays/production")
	for _, p := range []policy{
		{"three replicas sharing limits through Redis", productionReplicas},
		{"tenant mode with secrets as files", secretsAsFiles},
	} {
		if err := p.check(objs); err != nil {
			t.Errorf("%s: %v", p.name, err)
		}
	}
}

func TestDemoOverlay(t *testing.T) {
	t.Parallel()
	objs := build(t, "overlays/demo")
	if err := demoShape(objs); err != nil {
		t.Error(err)
	}
}

// TestPoliciesCatchBrokenManifests builds an overlay with one rule broken at a time, as an overlay on it in a
// temporary directory, and expects the policy that guards the rule to
// fail: a check that never fails proves nothing.
func TestPoliciesCatchBrokenManifests(t *testing.T) {
	t.Parallel()
	const production, demo = "overlays/production", "overlays/demo"
	container := "/spec/template/spec/containers/0"
	tests := []struct {
		name    string
		overlay string
		kind    string
		patch   string // JSON patch operations, as YAML
		check   func(objects) error
		wantErr string
	}{
		{"root user", production, "Deployment", op("replace", "/spec/template/spec/securityContext/runAsUser", "0"),
			runsAsNonRoot, "runAsUser = 0"},
		{"writable root filesystem", production, "Deployment", op("replace", container+"/securityContext/readOnlyRootFilesystem", "false"),
			readOnlyRootFilesystem, "readOnlyRootFilesystem is not true"},
		{"tmp on the read-only root", demo, "Deployment",
			op("test", container+"/volumeMounts/0/mountPath", "/tmp") + op("remove", container+"/volumeMounts/0", ""),
			writableTmp, "no writable volume mounted at /tmp"},
		{"privilege escalation", production, "Deployment", op("replace", container+"/securityContext/allowPrivilegeEscalation", "true"),
			noPrivilegeEscalation, "allowPrivilegeEscalation is not false"},
		{"capability added", production, "Deployment", op("add", container+"/securityContext/capabilities/add", "[NET_ADMIN]"),
			noPrivilegeEscalation, "capabilities added"},
		{"no memory limit", production, "Deployment", op("remove", container+"/resources/limits/memory", ""),
			requestsAndLimits, "memory: request true, limit false"},
		{"liveness on the metrics port", production, "Deployment", op("replace", container+"/livenessProbe/grpc/port", "9464"),
			grpcProbes, "livenessProbe: gRPC port 9464"},
		{"readiness over HTTP", production, "Deployment", op("replace", container+"/readinessProbe", "{httpGet: {path: /, port: 8080}}"),
			grpcProbes, "readinessProbe is not a gRPC probe"},
		{"no preStop", production, "Deployment", op("remove", container+"/lifecycle", ""),
			preStopSleep, "no preStop sleep"},
		{"grace shorter than the drain", production, "Deployment", op("replace", "/spec/template/spec/terminationGracePeriodSeconds", "30"),
			preStopSleep, "terminationGracePeriodSeconds = 30"},
		{"scrape annotation on another port", production, "Deployment", op("replace", "/spec/template/metadata/annotations/prometheus.io~1port", `"8080"`),
			metricsScraped, "prometheus.io/port"},
		{"budget selects other pods", production, "PodDisruptionBudget", op("replace", "/spec/selector/matchLabels", "{app.kubernetes.io/name: other}"),
			budgetSelectsPods, "does not match the pods' labels"},
		{"autoscaler targets another Deployment", production, "HorizontalPodAutoscaler", op("replace", "/spec/scaleTargetRef/name", "other"),
			autoscalersTargetDeployment, "Deployment/other"},
		{"Service selects other pods", production, "Service", op("replace", "/spec/selector", "{app.kubernetes.io/name: other}"),
			servicesSelectPods, "does not match the pods' labels"},
		{"ingress only", production, "NetworkPolicy", op("replace", "/spec/policyTypes", "[Ingress]"),
			networkPolicy, "want Ingress and Egress"},
		{"ingress from anywhere", production, "NetworkPolicy", op("remove", "/spec/ingress/0/from", ""),
			networkPolicy, "open to every source"},
		{"Redis URL inline", production, "Deployment",
			op("test", container+"/env/3/name", "BWFACADE_REDIS_URL") +
				op("replace", container+"/env/3", "{name: BWFACADE_REDIS_URL, value: 'redis://:hunter2@redis:6379/0'}"),
			noSecretLiterals, "BWFACADE_REDIS_URL is not from a Secret"},
		{"page token keys inline", production, "Deployment", op("add", container+"/env/-", "{name: BWFACADE_PAGE_TOKEN_KEYS, value: 00ff}"),
			noSecretLiterals, "BWFACADE_PAGE_TOKEN_KEYS is not from a Secret"},
		{"callers file by subPath", production, "Deployment",
			op("test", container+"/volumeMounts/0/name", "callers") +
				op("add", container+"/volumeMounts/0/subPath", "callers.yaml"),
			secretsAsFiles, "want read-only, without subPath"},
		{"GOMEMLIMIT Go does not read", demo, "Deployment",
			op("test", container+"/env/3/name", "GOMEMLIMIT") + op("replace", container+"/env/3/value", "400Mi"),
			requestsAndLimits, `GOMEMLIMIT "400Mi"`},
		{"health key required as 1", production, "Deployment", op("add", container+"/env/-", "{name: BWFACADE_HEALTH_REQUIRES_KEY, value: '1'}"),
			grpcProbes, "BWFACADE_HEALTH_REQUIRES_KEY"},
		{"two replicas", production, "Deployment", op("replace", "/spec/replicas", "2"),
			productionReplicas, "replicas = 2"},
		{"Redis password file not mounted", production, "Deployment",
			op("test", container+"/env/4/name", "BWFACADE_REDIS_PASSWORD_FILE") +
				op("replace", container+"/env/4/value", "/etc/redis-password"),
			productionReplicas, `BWFACADE_REDIS_PASSWORD_FILE = "/etc/redis-password"`},
		{"demo with two replicas", demo, "Deployment", op("replace", "/spec/replicas", "2"),
			demoShape, "replicas = 2"},
		{"demo with an upstream", demo, "Deployment", op("add", container+"/env/-", "{name: BWFACADE_UPSTREAM_URL, value: 'https://app.betterworks.com/api/v1/'}"),
			demoShape, "BWFACADE_UPSTREAM_URL is set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			overlay, err := filepath.Abs(tt.overlay)
			if err != nil {
				t.Fatal(err)
			}
			// kustomize refuses an absolute path to another kustomization.
			base, err := filepath.Rel(dir, overlay)
			if err != nil {
				t.Fatal(err)
			}
			kustomization := fmt.Sprintf("resources: [%q]\npatches:\n- target: {kind: %s, name: bwfacade}\n  patch: |-\n%s",
				base, tt.kind, indent(tt.patch, "    "))
			if err := os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte(kustomization), 0o600); err != nil {
				t.Fatal(err)
			}
			objs := build(t, dir)

			err = tt.check(objs)

			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("check error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

// TestDecodingIsStrict: a misspelt field fails the build, where the API
// server would drop it and the policy it carried with it.
func TestDecodingIsStrict(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		container string
		wantField string
	}{
		{"unknown field", "{name: facade, securityContext: {readOnlyRoot: true}}", "readOnlyRoot"},
		{"field in another case", "{name: facade, securityContext: {readOnlyRootFileSystem: true}}", "readOnlyRootFileSystem"},
		{"field given twice", "{name: facade, image: a, image: b}", "image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: bwfacade}\n" +
				"spec: {template: {spec: {containers: [" + tt.container + "]}}}\n"
			var o objects

			err := o.add("apps/v1/Deployment", []byte(doc))

			if err == nil || !strings.Contains(err.Error(), tt.wantField) {
				t.Errorf("add() error = %v, want one naming the field %s", err, tt.wantField)
			}
		})
	}
}

// op is one JSON patch operation as YAML; value is YAML too, and left out
// when empty (remove). A test operation that fails fails the build: a
// patch by index never silently breaks something else.
func op(operation, path, value string) string {
	s := fmt.Sprintf("- op: %s\n  path: %s\n", operation, path)
	if value != "" {
		s += "  value: " + value + "\n"
	}
	return s
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n"+prefix) + "\n"
}

func runsAsNonRoot(o objects) error {
	d, c, err := o.facade()
	if err != nil {
		return err
	}
	pod := d.Spec.Template.Spec.SecurityContext
	if pod == nil {
		pod = &corev1.PodSecurityContext{}
	}
	sc := c.SecurityContext
	if sc == nil {
		sc = &corev1.SecurityContext{}
	}
	// The container's settings override the pod's.
	nonRoot, user := pod.RunAsNonRoot, pod.RunAsUser
	if sc.RunAsNonRoot != nil {
		nonRoot = sc.RunAsNonRoot
	}
	if sc.RunAsUser != nil {
		user = sc.RunAsUser
	}
	var errs []error
	if nonRoot == nil || !*nonRoot {
		errs = append(errs, errors.New("runAsNonRoot is not true"))
	}
	// The image's user is a name (nonroot), which runAsNonRoot cannot
	// verify: without a numeric user the kubelet refuses to start the pod.
	if user == nil || *user == 0 {
		errs = append(errs, fmt.Errorf("runAsUser = %v, want a non-zero user id", deref(user)))
	}
	return errors.Join(errs...)
}

func readOnlyRootFilesystem(o objects) error {
	_, c, err := o.facade()
	if err != nil {
		return err
	}
	if c.SecurityContext == nil || !deref(c.SecurityContext.ReadOnlyRootFilesystem) {
		return errors.New("readOnlyRootFilesystem is not true")
	}
	return nil
}

// writableTmp: ReadReportRows downloads reports to temporary files and
// unpacks their large sheets there; on a read-only root without a
// writable /tmp it fails. /tmp must be an emptyDir bounded in size, within
// the container's ephemeral-storage limit.
func writableTmp(o objects) error {
	d, c, err := o.facade()
	if err != nil {
		return err
	}
	var volume string
	for _, m := range c.VolumeMounts {
		if m.MountPath == "/tmp" && !m.ReadOnly {
			volume = m.Name
		}
	}
	if volume == "" {
		return errors.New("no writable volume mounted at /tmp")
	}
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.Name != volume {
			continue
		}
		if v.EmptyDir == nil || v.EmptyDir.SizeLimit == nil {
			return fmt.Errorf("volume %s at /tmp is not an emptyDir with a sizeLimit", volume)
		}
		limit, ok := c.Resources.Limits[corev1.ResourceEphemeralStorage]
		if !ok || limit.Cmp(*v.EmptyDir.SizeLimit) < 0 {
			return fmt.Errorf("ephemeral-storage limit %v, want at least the /tmp sizeLimit %v", limit.String(), v.EmptyDir.SizeLimit.String())
		}
		return nil
	}
	return fmt.Errorf("volume %s mounted at /tmp is not declared", volume)
}

func noPrivilegeEscalation(o objects) error {
	d, c, err := o.facade()
	if err != nil {
		return err
	}
	sc := c.SecurityContext
	if sc == nil {
		return errors.New("no container securityContext")
	}
	var errs []error
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		errs = append(errs, errors.New("allowPrivilegeEscalation is not false"))
	}
	if deref(sc.Privileged) {
		errs = append(errs, errors.New("privileged"))
	}
	if sc.Capabilities == nil || len(sc.Capabilities.Drop) != 1 || sc.Capabilities.Drop[0] != "ALL" {
		errs = append(errs, errors.New("capabilities: want drop [ALL]"))
	}
	if sc.Capabilities != nil && len(sc.Capabilities.Add) > 0 {
		errs = append(errs, fmt.Errorf("capabilities added: %v", sc.Capabilities.Add))
	}
	seccomp := sc.SeccompProfile
	if seccomp == nil && d.Spec.Template.Spec.SecurityContext != nil {
		seccomp = d.Spec.Template.Spec.SecurityContext.SeccompProfile
	}
	if seccomp == nil || seccomp.Type != corev1.SeccompProfileTypeRuntimeDefault {
		errs = append(errs, errors.New("seccompProfile is not RuntimeDefault"))
	}
	return errors.Join(errs...)
}

func requestsAndLimits(o objects) error {
	_, c, err := o.facade()
	if err != nil {
		return err
	}
	var errs []error
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, hasReq := c.Resources.Requests[name]
		limit, hasLimit := c.Resources.Limits[name]
		switch {
		case !hasReq || !hasLimit:
			errs = append(errs, fmt.Errorf("%s: request %v, limit %v: want both", name, hasReq, hasLimit))
		case req.Cmp(limit) > 0:
			errs = append(errs, fmt.Errorf("%s: request %s above limit %s", name, req.String(), limit.String()))
		}
	}
	// GOMEMLIMIT, when set, must sit below the memory limit for the
	// collector to act before the kernel does.
	if v, ok := env(c, "GOMEMLIMIT"); ok {
		soft, err := goMemLimit(v.Value)
		limit := c.Resources.Limits[corev1.ResourceMemory]
		if err != nil || soft >= limit.Value() {
			errs = append(errs, fmt.Errorf("GOMEMLIMIT %q: want a size below the memory limit %s, as Go reads it (B, KiB, MiB, GiB or TiB): %v", v.Value, limit.String(), err))
		}
	}
	return errors.Join(errs...)
}

func grpcProbes(o objects) error {
	_, c, err := o.facade()
	if err != nil {
		return err
	}
	api, err := containerPort(c, apiPortName)
	if err != nil {
		return err
	}
	var errs []error
	if addr, _ := env(c, "BWFACADE_ADDR"); portOf(addr.Value) != api {
		errs = append(errs, fmt.Errorf("BWFACADE_ADDR = %q, want port %d", addr.Value, api))
	}
	if v, _ := env(c, "BWFACADE_HEALTH_REQUIRES_KEY"); isTrue(v.Value) {
		errs = append(errs, errors.New("BWFACADE_HEALTH_REQUIRES_KEY=true: the kubelet's probe carries no key"))
	}
	for name, p := range map[string]*corev1.Probe{"readinessProbe": c.ReadinessProbe, "livenessProbe": c.LivenessProbe} {
		switch {
		case p == nil:
			errs = append(errs, fmt.Errorf("no %s", name))
		case p.GRPC == nil || p.HTTPGet != nil || p.TCPSocket != nil || p.Exec != nil:
			errs = append(errs, fmt.Errorf("%s is not a gRPC probe", name))
		case p.GRPC.Port != api:
			errs = append(errs, fmt.Errorf("%s: gRPC port %d, want the API port %d", name, p.GRPC.Port, api))
		case deref(p.GRPC.Service) != "":
			errs = append(errs, fmt.Errorf("%s: service %q, want the server's overall health", name, deref(p.GRPC.Service)))
		}
	}
	return errors.Join(errs...)
}

func preStopSleep(o objects) error {
	d, c, err := o.facade()
	if err != nil {
		return err
	}
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil || c.Lifecycle.PreStop.Sleep == nil {
		return errors.New("no preStop sleep (the image has no shell for an exec sleep)")
	}
	sleep := c.Lifecycle.PreStop.Sleep.Seconds
	if sleep <= 0 {
		return fmt.Errorf("preStop sleep of %d s", sleep)
	}
	grace := deref(d.Spec.Template.Spec.TerminationGracePeriodSeconds)
	if want := sleep + drainSeconds + flushSeconds; grace <= want {
		return fmt.Errorf("terminationGracePeriodSeconds = %d, want more than preStop %d s + drain %d s + flush %d s",
			grace, sleep, drainSeconds, flushSeconds)
	}
	return nil
}

func noAPIToken(o objects) error {
	d, _, err := o.facade()
	if err != nil {
		return err
	}
	spec := d.Spec.Template.Spec
	var errs []error
	if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
		errs = append(errs, errors.New("automountServiceAccountToken is not false"))
	}
	if spec.EnableServiceLinks == nil || *spec.EnableServiceLinks {
		errs = append(errs, errors.New("enableServiceLinks is not false: a Service named bwfacade would set BWFACADE_* variables"))
	}
	return errors.Join(errs...)
}

func imageSet(o objects) error {
	_, c, err := o.facade()
	if err != nil {
		return err
	}
	name, tag, hasTag := strings.Cut(c.Image[strings.LastIndex(c.Image, "/")+1:], ":")
	if name == "" || (!hasTag && !strings.Contains(c.Image, "@sha256:")) || tag == "latest" {
		return fmt.Errorf("image %q: want a name with a tag (not latest) or a digest, from kustomize's images:", c.Image)
	}
	return nil
}

func metricsScraped(o objects) error {
	d, c, err := o.facade()
	if err != nil {
		return err
	}
	port, err := containerPort(c, metricsPort)
	if err != nil {
		return err
	}
	var errs []error
	if addr, _ := env(c, "BWFACADE_METRICS_ADDR"); portOf(addr.Value) != port {
		errs = append(errs, fmt.Errorf("BWFACADE_METRICS_ADDR = %q, want port %d", addr.Value, port))
	}
	annotations := d.Spec.Template.Annotations
	want := map[string]string{
		"prometheus.io/scrape": "true",
		"prometheus.io/port":   strconv.Itoa(int(port)),
		"prometheus.io/path":   "/metrics",
	}
	for k, v := range want {
		if annotations[k] != v {
			errs = append(errs, fmt.Errorf("pod annotation %s = %q, want %q", k, annotations[k], v))
		}
	}
	return errors.Join(errs...)
}

func budgetSelectsPods(o objects) error {
	d, _, err := o.facade()
	if err != nil {
		return err
	}
	if len(o.budgets) != 1 {
		return fmt.Errorf("%d PodDisruptionBudgets, want 1", len(o.budgets))
	}
	pdb := o.budgets[0]
	if pdb.Namespace != d.Namespace {
		return fmt.Errorf("PodDisruptionBudget in namespace %q, the Deployment in %q", pdb.Namespace, d.Namespace)
	}
	if pdb.Spec.MaxUnavailable == nil && pdb.Spec.MinAvailable == nil {
		return errors.New("PodDisruptionBudget sets neither maxUnavailable nor minAvailable")
	}
	return selects("PodDisruptionBudget selector", pdb.Spec.Selector, d.Spec.Template.Labels)
}

func autoscalersTargetDeployment(o objects) error {
	d, _, err := o.facade()
	if err != nil {
		return err
	}
	var errs []error
	for _, hpa := range o.autoscalers {
		ref := hpa.Spec.ScaleTargetRef
		if ref.APIVersion != "apps/v1" || ref.Kind != "Deployment" || ref.Name != d.Name || hpa.Namespace != d.Namespace {
			errs = append(errs, fmt.Errorf("autoscaler %s targets %s %s/%s in %q, want Deployment %s in %q",
				hpa.Name, ref.APIVersion, ref.Kind, ref.Name, hpa.Namespace, d.Name, d.Namespace))
		}
		cpu := false
		for _, m := range hpa.Spec.Metrics {
			cpu = cpu || (m.Type == autoscalingv2.ResourceMetricSourceType && m.Resource != nil && m.Resource.Name == corev1.ResourceCPU)
		}
		if !cpu {
			errs = append(errs, fmt.Errorf("autoscaler %s has no CPU metric", hpa.Name))
		}
		if minReplicas := deref(hpa.Spec.MinReplicas); minReplicas < 1 || minReplicas > hpa.Spec.MaxReplicas {
			errs = append(errs, fmt.Errorf("autoscaler %s: minReplicas %d, maxReplicas %d", hpa.Name, minReplicas, hpa.Spec.MaxReplicas))
		}
	}
	return errors.Join(errs...)
}

func servicesSelectPods(o objects) error {
	d, c, err := o.facade()
	if err != nil {
		return err
	}
	api, err := containerPort(c, apiPortName)
	if err != nil {
		return err
	}
	headless := 0
	var errs []error
	for _, s := range o.services {
		if err := selects("Service "+s.Name+" selector", &metav1.LabelSelector{MatchLabels: s.Spec.Selector}, d.Spec.Template.Labels); err != nil {
			errs = append(errs, err)
		}
		if s.Spec.ClusterIP == corev1.ClusterIPNone {
			headless++
		}
		for _, p := range s.Spec.Ports {
			target := p.TargetPort.StrVal == apiPortName || p.TargetPort.IntValue() == int(api)
			if p.Name != "grpc" || p.Port != 8080 || !target || deref(p.AppProtocol) != "kubernetes.io/h2c" {
				errs = append(errs, fmt.Errorf("Service %s port %q (%d -> %s, appProtocol %q): want grpc, 8080 -> %s, kubernetes.io/h2c",
					s.Name, p.Name, p.Port, p.TargetPort.String(), deref(p.AppProtocol), apiPortName))
			}
		}
	}
	if len(o.services) != 2 || headless != 1 {
		errs = append(errs, fmt.Errorf("%d Services, %d headless: want a ClusterIP one and a headless one", len(o.services), headless))
	}
	return errors.Join(errs...)
}

func networkPolicy(o objects) error {
	d, c, err := o.facade()
	if err != nil {
		return err
	}
	if len(o.networkPolicies) != 1 {
		return fmt.Errorf("%d NetworkPolicies, want 1", len(o.networkPolicies))
	}
	np := o.networkPolicies[0]
	var errs []error
	if err := selects("NetworkPolicy podSelector", &np.Spec.PodSelector, d.Spec.Template.Labels); err != nil {
		errs = append(errs, err)
	}
	types := map[networkingv1.PolicyType]bool{}
	for _, pt := range np.Spec.PolicyTypes {
		types[pt] = true
	}
	if !types[networkingv1.PolicyTypeIngress] || !types[networkingv1.PolicyTypeEgress] {
		errs = append(errs, fmt.Errorf("policyTypes %v, want Ingress and Egress", np.Spec.PolicyTypes))
	}
	// Each ingress rule names its sources and opens a port of the
	// container; together they open the API port to client namespaces and
	// the metrics port to monitoring.
	opened := map[string]labels.Set{}
	for i, r := range np.Spec.Ingress {
		if len(r.From) == 0 || len(r.Ports) == 0 {
			errs = append(errs, fmt.Errorf("ingress rule %d: open to every source or port", i))
			continue
		}
		for _, p := range r.Ports {
			port := ""
			if p.Port != nil {
				port = p.Port.String()
			}
			for _, from := range r.From {
				if from.NamespaceSelector != nil {
					opened[port] = from.NamespaceSelector.MatchLabels
				}
			}
		}
	}
	wantIngress := map[string]labels.Set{
		apiPortName: {"bwfacade.example.com/client": "true"},
		metricsPort: {"kubernetes.io/metadata.name": "monitoring"},
	}
	for port, want := range wantIngress {
		if _, err := containerPort(c, port); err != nil || !labels.Equals(opened[port], want) {
			errs = append(errs, fmt.Errorf("ingress to port %s from namespaces %v, want %v", port, opened[port], want))
		}
	}
	if len(opened) != len(wantIngress) {
		errs = append(errs, fmt.Errorf("ingress opens ports %v, want only %s and %s", opened, apiPortName, metricsPort))
	}
	// Egress: DNS, Redis and Betterworks, each to named peers only.
	allowed := map[string]bool{}
	for i, r := range np.Spec.Egress {
		if len(r.To) == 0 || len(r.Ports) == 0 {
			errs = append(errs, fmt.Errorf("egress rule %d: open to every destination or port", i))
			continue
		}
		for _, p := range r.Ports {
			allowed[fmt.Sprintf("%s/%s", p.Port.String(), deref(p.Protocol))] = true
		}
	}
	for _, want := range []string{"53/UDP", "53/TCP", "6379/TCP", "443/TCP"} {
		if !allowed[want] {
			errs = append(errs, fmt.Errorf("no egress to %s", want))
		}
	}
	return errors.Join(errs...)
}

// secretish names the variables whose value is a credential, or may hold
// one: they must come from a Secret, never be written in the manifest.
// Variables ending in _FILE hold paths, not credentials.
var secretish = regexp.MustCompile(`(?i)(TOKEN|PASSWORD|SECRET|_KEYS?$|_REDIS_URL$)`)

func noSecretLiterals(o objects) error {
	_, c, err := o.facade()
	if err != nil {
		return err
	}
	var errs []error
	for _, v := range c.Env {
		if secretish.MatchString(v.Name) && !strings.HasSuffix(v.Name, "_FILE") && (v.ValueFrom == nil || v.ValueFrom.SecretKeyRef == nil) {
			errs = append(errs, fmt.Errorf("env %s is not from a Secret", v.Name))
		}
		if u, err := url.Parse(v.Value); err == nil && u.User != nil {
			errs = append(errs, fmt.Errorf("env %s holds a URL with credentials", v.Name))
		}
	}
	if len(c.EnvFrom) > 0 {
		errs = append(errs, errors.New("envFrom: secrets are mounted as files, one by one"))
	}
	return errors.Join(errs...)
}

func restrictedNamespace(o objects) error {
	d, _, err := o.facade()
	if err != nil {
		return err
	}
	if len(o.namespaces) != 1 || o.namespaces[0].Name != d.Namespace || d.Namespace == "" {
		return fmt.Errorf("%d Namespaces, Deployment in %q: want the Deployment's namespace", len(o.namespaces), d.Namespace)
	}
	if got := o.namespaces[0].Labels["pod-security.kubernetes.io/enforce"]; got != "restricted" {
		return fmt.Errorf("namespace %s enforces %q, want restricted", d.Namespace, got)
	}
	return nil
}

// mountedFromSecret reports whether path is in a directory c mounts from
// a Secret volume of d.
func mountedFromSecret(d *appsv1.Deployment, c *corev1.Container, path string) bool {
	for _, m := range c.VolumeMounts {
		if path == "" || !strings.HasPrefix(path, strings.TrimSuffix(m.MountPath, "/")+"/") {
			continue
		}
		for _, v := range d.Spec.Template.Spec.Volumes {
			if v.Name == m.Name && v.Secret != nil {
				return true
			}
		}
	}
	return false
}

func productionReplicas(o objects) error {
	d, c, err := o.facade()
	if err != nil {
		return err
	}
	var errs []error
	if got := deref(d.Spec.Replicas); got != 3 {
		errs = append(errs, fmt.Errorf("replicas = %d, want 3", got))
	}
	if v, _ := env(c, "BWFACADE_REPLICAS"); v.Value != "3" {
		errs = append(errs, fmt.Errorf("BWFACADE_REPLICAS = %q, want 3", v.Value))
	}
	if len(o.autoscalers) != 1 || deref(o.autoscalers[0].Spec.MinReplicas) != 3 {
		errs = append(errs, errors.New("want one autoscaler, never below the 3 replicas BWFACADE_REPLICAS counts on"))
	}
	redisURL, _ := env(c, "BWFACADE_REDIS_URL")
	if redisURL.ValueFrom == nil || redisURL.ValueFrom.SecretKeyRef == nil {
		errs = append(errs, errors.New("BWFACADE_REDIS_URL is not from a Secret"))
	}
	// The password is a file of a Secret, in no environment.
	if v, _ := env(c, "BWFACADE_REDIS_PASSWORD_FILE"); !mountedFromSecret(d, c, v.Value) {
		errs = append(errs, fmt.Errorf("BWFACADE_REDIS_PASSWORD_FILE = %q, want a file of a mounted Secret", v.Value))
	}
	return errors.Join(errs...)
}

// secretsAsFiles: tenant mode, with the callers file, the page token keys
// and the Betterworks tokens each a file of a Secret volume, mounted
// read-only and whole (a subPath mount never sees the Secret's updates).
func secretsAsFiles(o objects) error {
	d, c, err := o.facade()
	if err != nil {
		return err
	}
	var errs []error
	if u, _ := env(c, "BWFACADE_UPSTREAM_URL"); !strings.HasPrefix(u.Value, "https://") {
		errs = append(errs, fmt.Errorf("BWFACADE_UPSTREAM_URL = %q, want an https URL", u.Value))
	}
	if _, inline := env(c, "BWFACADE_PAGE_TOKEN_KEYS"); inline {
		errs = append(errs, errors.New("BWFACADE_PAGE_TOKEN_KEYS is set: want the keys file"))
	}
	secrets := map[string]string{} // volume name -> Secret name
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.Secret != nil {
			secrets[v.Name] = v.Secret.SecretName
		}
	}
	mounted := map[string]bool{} // Secret names
	for _, m := range c.VolumeMounts {
		if secrets[m.Name] == "" {
			continue
		}
		mounted[secrets[m.Name]] = true
		if !m.ReadOnly || m.SubPath != "" || m.SubPathExpr != "" {
			errs = append(errs, fmt.Errorf("Secret %s at %s: want read-only, without subPath", secrets[m.Name], m.MountPath))
		}
	}
	for _, name := range []string{"BWFACADE_CALLERS_FILE", "BWFACADE_PAGE_TOKEN_KEYS_FILE"} {
		v, _ := env(c, name)
		m, ok := mountOf(c, v.Value)
		if v.Value == "" || !ok || secrets[m.Name] == "" {
			errs = append(errs, fmt.Errorf("%s = %q: not a file of a mounted Secret", name, v.Value))
		}
	}
	if !mounted["bwfacade-betterworks-tokens"] {
		errs = append(errs, errors.New("the Betterworks tokens' Secret is not mounted"))
	}
	return errors.Join(errs...)
}

func demoShape(o objects) error {
	d, c, err := o.facade()
	if err != nil {
		return err
	}
	var errs []error
	if got := deref(d.Spec.Replicas); got != 1 {
		errs = append(errs, fmt.Errorf("replicas = %d, want 1: the sandbox lives in the process", got))
	}
	if len(o.autoscalers) != 0 {
		errs = append(errs, fmt.Errorf("%d autoscalers, want none: a second replica would be another organisation", len(o.autoscalers)))
	}
	for _, name := range []string{"BWFACADE_UPSTREAM_URL", "BWFACADE_CALLERS_FILE", "BWFACADE_REDIS_URL"} {
		if _, ok := env(c, name); ok {
			errs = append(errs, fmt.Errorf("%s is set: want demo mode", name))
		}
	}
	return errors.Join(errs...)
}

// selects reports whether sel is a non-empty selector matching podLabels.
func selects(what string, sel *metav1.LabelSelector, podLabels map[string]string) error {
	if sel == nil || (len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0) {
		return fmt.Errorf("%s is empty: it selects every pod", what)
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if !s.Matches(labels.Set(podLabels)) {
		return fmt.Errorf("%s %s does not match the pods' labels %v", what, s, podLabels)
	}
	return nil
}

func containerPort(c *corev1.Container, name string) (int32, error) {
	for _, p := range c.Ports {
		if p.Name == name {
			return p.ContainerPort, nil
		}
	}
	return 0, fmt.Errorf("container %s has no port %q", c.Name, name)
}

func env(c *corev1.Container, name string) (corev1.EnvVar, bool) {
	for _, v := range c.Env {
		if v.Name == name {
			return v, true
		}
	}
	return corev1.EnvVar{}, false
}

// mountOf returns the volume mount that holds path.
func mountOf(c *corev1.Container, path string) (corev1.VolumeMount, bool) {
	for _, m := range c.VolumeMounts {
		if strings.HasPrefix(path, strings.TrimSuffix(m.MountPath, "/")+"/") {
			return m, true
		}
	}
	return corev1.VolumeMount{}, false
}

// portOf returns the port of a listen address such as ":8080", or 0.
func portOf(addr string) int32 {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return 0
	}
	n, err := strconv.ParseInt(port, 10, 32)
	if err != nil {
		return 0
	}
	return int32(n)
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// goMemLimit reads a GOMEMLIMIT as the Go runtime does: a whole number of
// bytes, with no suffix or B, KiB, MiB, GiB or TiB. Anything else (400M,
// 400Mi, 400MB) the runtime refuses, and the process does not start.
func goMemLimit(v string) (int64, error) {
	units := []struct {
		suffix string
		size   int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}
	size := int64(1)
	for _, u := range units {
		if strings.HasSuffix(v, u.suffix) {
			v, size = strings.TrimSuffix(v, u.suffix), u.size
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("not a size Go reads")
	}
	return n * size, nil
}

// isTrue reports whether the server reads v as true (strconv.ParseBool).
func isTrue(v string) bool {
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	return err == nil && b
}

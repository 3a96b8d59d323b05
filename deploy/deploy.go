// Package deploy holds the facade's Kubernetes manifests: base/, the
// objects every environment runs, and overlays/demo and overlays/production,
// built with kustomize (kubectl apply -k overlays/production). Its test
// builds both overlays as kubectl would, decodes every object strictly into
// the Kubernetes API's Go types, and checks the policies the manifests
// promise: hardened pods, gRPC health probes, a drain before SIGTERM,
// disruption budget, autoscaler, network policy and secrets as files.
//
// It is a Go module of its own, so that the Kubernetes libraries stay out of
// the service's go.mod.
package deploy

// Package upstream is the Betterworks REST API v1 client: typed request and
// response structs for every operation of the reference, one request path
// (authentication, request ids, size caps, error decoding), pagination that
// never follows the upstream's links, and tolerant decoding of the shapes
// the upstream is known to send.
//
// The package knows HTTP and JSON and nothing of protobuf or Connect: the
// service layer above translates its types and errors.
package upstream

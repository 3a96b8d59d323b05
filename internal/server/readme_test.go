package server_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bwfacade/facade/internal/sandbox"
	"github.com/bwfacade/facade/internal/server"
	"github.com/bwfacade/facade/internal/upstream"
)

// TestREADMEListsEveryRPC keeps README.md's RPC table true: it lists every
// method of the contract once, each with an operation the reference
// defines, each operation once, and a GET exactly for the methods declared
// without side effects.
func TestREADMEListsEveryRPC(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `(\\w+/\\w+)` \\| `([A-Z]+ \\S+)` \\|$")
	methods := server.Methods()
	listed := make(map[string]bool)
	operations := make(map[string]string)
	for _, m := range row.FindAllStringSubmatch(string(readme), -1) {
		procedure, operation := "/betterworks.v1."+m[1], m[2]
		readOnly, ok := methods[procedure]
		switch {
		case !ok:
			t.Errorf("README lists %s, which the contract does not have", procedure)
		case listed[procedure]:
			t.Errorf("README lists %s twice", procedure)
		case readOnly != strings.HasPrefix(operation, "GET "):
			t.Errorf("README maps %s (read-only %v) to %s", procedure, readOnly, operation)
		}
		listed[procedure] = true
		if other, dup := operations[operation]; dup {
			t.Errorf("README maps both %s and %s to %s", other, procedure, operation)
		}
		operations[operation] = procedure
		if !slices.Contains(sandbox.Endpoints(), operation) {
			t.Errorf("README maps %s to %s, which is no operation of the reference", procedure, operation)
		}
	}
	streams := server.Streams()
	stream := regexp.MustCompile("(?m)^\\| `(\\w+/\\w+)` \\| pages of `(\\w+/\\w+)` \\|$")
	for _, m := range stream.FindAllStringSubmatch(string(readme), -1) {
		procedure, list := "/betterworks.v1."+m[1], "/betterworks.v1."+m[2]
		switch {
		case listed[procedure]:
			t.Errorf("README lists %s twice", procedure)
		case streams[procedure] == "":
			t.Errorf("README lists %s as a stream, which the contract does not have", procedure)
		case streams[procedure] != list:
			t.Errorf("README says %s walks %s, the contract says %s", procedure, list, streams[procedure])
		}
		listed[procedure] = true
	}
	// Streams that walk no list: the report run streams, each with the
	// operation it polls or whose result it fetches.
	report := regexp.MustCompile("(?m)^\\| `(\\w+/\\w+)` \\| (?:polls|fetches the result of) `([A-Z]+ \\S+)` \\|$")
	for _, m := range report.FindAllStringSubmatch(string(readme), -1) {
		procedure, operation := "/betterworks.v1."+m[1], m[2]
		switch list, ok := streams[procedure]; {
		case listed[procedure]:
			t.Errorf("README lists %s twice", procedure)
		case !ok || list != "":
			t.Errorf("README lists %s as a report stream, which the contract does not have", procedure)
		case !slices.Contains(sandbox.Endpoints(), operation) || !strings.HasPrefix(operation, "GET "):
			t.Errorf("README says %s reads %s, which is no read of the reference", procedure, operation)
		}
		listed[procedure] = true
	}
	for procedure := range methods {
		if !listed[procedure] {
			t.Errorf("README's RPC tables lack %s", procedure)
		}
	}
	if len(operations) != len(sandbox.Endpoints()) {
		t.Errorf("README's table covers %d operations, want all %d", len(operations), len(sandbox.Endpoints()))
	}
}

// TestCatalogsAgree holds the upstream client's catalog of operations, the
// sandbox's route table (kept apart on purpose: a fake must not share the
// client's knowledge) and the README's RPC table equal, both ways.
func TestCatalogsAgree(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `\\w+/\\w+` \\| `([A-Z]+ \\S+)` \\|$")
	var fromREADME []string
	for _, m := range row.FindAllStringSubmatch(string(readme), -1) {
		fromREADME = append(fromREADME, m[1])
	}
	var fromClient []string
	for _, op := range upstream.Operations() {
		fromClient = append(fromClient, op.String())
	}
	fromSandbox := sandbox.Endpoints()
	for _, list := range [][]string{fromREADME, fromClient, fromSandbox} {
		slices.Sort(list)
	}
	if diff := cmp.Diff(fromSandbox, fromClient); diff != "" {
		t.Errorf("client's catalog differs from the sandbox's routes (-sandbox +client):\n%s", diff)
	}
	if diff := cmp.Diff(fromSandbox, fromREADME); diff != "" {
		t.Errorf("README's RPC table differs from the sandbox's routes (-sandbox +README):\n%s", diff)
	}
	if len(fromClient) != 38 {
		t.Errorf("the client declares %d operations, want the reference's 38", len(fromClient))
	}
}

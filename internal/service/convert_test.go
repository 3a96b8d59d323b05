package service

import (
	"encoding/json"
	"expvar"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/timestamppb"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/upstream"
)

// This file holds what the converter tests share: reading the reference's
// example bodies (the upstream package's testdata/<section>/), the runners
// that diff converted messages, and builders of the timestamps and
// references the examples are full of.

// sectionExample reads the example body testdata/<section>/<name> of the
// upstream package into a T.
func sectionExample[T any](t *testing.T, section, name string) T {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "upstream", "testdata", section, name))
	if err != nil {
		t.Fatal(err)
	}
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("decode %s/%s: %v", section, name, err)
	}
	return v
}

// exampleCase converts one example body of the reference; want is the
// message, or slice of messages, it must become.
type exampleCase struct {
	section, fixture string
	convert          func(t *testing.T, section, fixture string) any
	want             any
}

// checkExamples converts every example in its own parallel subtest, named
// section/fixture, and diffs the result with want.
func checkExamples(t *testing.T, cases []exampleCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.section+"/"+tt.fixture, func(t *testing.T) {
			t.Parallel()
			got := tt.convert(t, tt.section, tt.fixture)
			if diff := cmp.Diff(tt.want, got, protocmp.Transform()); diff != "" {
				t.Errorf("ToProto() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// convertExample returns the convert of an exampleCase whose body is one
// T, converted with f.
func convertExample[T, P any](f func(*T) P) func(t *testing.T, section, fixture string) any {
	return func(t *testing.T, section, fixture string) any {
		v := sectionExample[T](t, section, fixture)
		return f(&v)
	}
}

// convertExamplePage returns the convert of an exampleCase whose body is a
// page of T, converting each result with f.
func convertExamplePage[T, P any](f func(*T) P) func(t *testing.T, section, fixture string) any {
	return func(t *testing.T, section, fixture string) any {
		return convertAll(sectionExample[upstream.Page[T]](t, section, fixture).Results, f)
	}
}

// protoCase is a converted message and the message it must be.
type protoCase struct {
	name      string
	got, want proto.Message
}

// checkProtos diffs every case in its own parallel subtest.
func checkProtos(t *testing.T, cases []protoCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, tt.got, protocmp.Transform()); diff != "" {
				t.Errorf("ToProto() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// payloadJSON marshals an upstream payload and decodes it into a generic
// value, so that it compares with an example body by content.
func payloadJSON(t *testing.T, payload any) any {
	t.Helper()
	data, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	return v
}

// unknownEnumCount is how many upstream strings the enum name did not know
// so far, in every test of the package.
func unknownEnumCount(name string) int64 {
	if v, ok := unknownEnumValues.Get(name).(*expvar.Int); ok {
		return v.Value()
	}
	return 0
}

// convEpoch is the timestamp of an epoch float sec.micro.
func convEpoch(sec int64, micro int32) *timestamppb.Timestamp {
	return &timestamppb.Timestamp{Seconds: sec, Nanos: micro * 1000}
}

// convAt is the timestamp of an RFC 3339 instant in UTC.
func convAt(year int, month time.Month, day, hour, minute, second, micro int) *timestamppb.Timestamp {
	return timestamppb.New(time.Date(year, month, day, hour, minute, second, micro*1000, time.UTC))
}

func convUser(id int64, uuid string) *betterworksv1.UserRef {
	return &betterworksv1.UserRef{Id: id, Uuid: uuid, Name: "<First Name> <Last Name>"}
}

func convPictures() *betterworksv1.PictureUris {
	return &betterworksv1.PictureUris{Small: "<URL>", Medium: "<URL>"}
}

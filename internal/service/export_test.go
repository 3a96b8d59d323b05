package service

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// PlainDigestToken is plainDigestToken for the end-to-end tests.
var PlainDigestToken = plainDigestToken

// plainDigestToken makes a page token as this API made them before they
// were sealed: version 1, page, size and the first 8 bytes of a SHA-256 of
// the request with its paging fields cleared, which anybody can compute.
func plainDigestToken(req proto.Message, page, size uint64) string {
	m := proto.Clone(req).ProtoReflect()
	for _, name := range []protoreflect.Name{"page_size", "page_token"} {
		if fd := m.Descriptor().Fields().ByName(name); fd != nil {
			m.Clear(fd)
		}
	}
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(m.Interface())
	h := sha256.New()
	h.Write([]byte(m.Descriptor().FullName()))
	h.Write(b)
	buf := []byte{1}
	buf = binary.AppendUvarint(buf, page)
	buf = binary.AppendUvarint(buf, size)
	buf = append(buf, h.Sum(nil)[:8]...)
	return base64.RawURLEncoding.EncodeToString(buf)
}

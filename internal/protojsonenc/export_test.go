package protojsonenc

import "google.golang.org/protobuf/proto"

// MarshalOwn is Marshal without protojson: it fails where Marshal would
// hand m to protojson, so that tests can tell which path wrote what.
func MarshalOwn(m proto.Message) ([]byte, error) {
	b, err := appendMessage(nil, m.ProtoReflect())
	if err == nil {
		err = proto.CheckInitialized(m)
	}
	return b, err
}

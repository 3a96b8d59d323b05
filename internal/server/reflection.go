package server

import (
	_ "embed"
	"fmt"

	"connectrpc.com/grpcreflect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
)

// descriptors is the contract's descriptor set with its source comments,
// built by `make generate` (buf build --exclude-imports). The descriptors
// compiled into gen/ carry no comments; these let `grpcurl describe` show
// every comment of the contract.
//
//go:embed descriptors.binpb
var descriptors []byte

// newReflector returns a reflector for services that answers from the
// commented descriptors, falling back to the compiled-in registry for
// imports (well-known types, protovalidate).
func newReflector(services []string) (*grpcreflect.Reflector, error) {
	var set descriptorpb.FileDescriptorSet
	if err := proto.Unmarshal(descriptors, &set); err != nil {
		return nil, fmt.Errorf("server: descriptors: %w", err)
	}
	local := new(protoregistry.Files)
	resolver := layered{local, protoregistry.GlobalFiles}
	for _, fdp := range set.GetFile() {
		fd, err := protodesc.NewFile(fdp, resolver)
		if err != nil {
			return nil, fmt.Errorf("server: descriptor %s: %w", fdp.GetName(), err)
		}
		if err := local.RegisterFile(fd); err != nil {
			return nil, fmt.Errorf("server: descriptor %s: %w", fdp.GetName(), err)
		}
	}
	return grpcreflect.NewReflector(grpcreflect.NamerFunc(func() []string { return services }), grpcreflect.WithDescriptorResolver(resolver)), nil
}

// layered resolves from its first registry, then its second.
type layered [2]*protoregistry.Files

func (l layered) FindFileByPath(path string) (protoreflect.FileDescriptor, error) {
	if fd, err := l[0].FindFileByPath(path); err == nil {
		return fd, nil
	}
	return l[1].FindFileByPath(path)
}

func (l layered) FindDescriptorByName(name protoreflect.FullName) (protoreflect.Descriptor, error) {
	if d, err := l[0].FindDescriptorByName(name); err == nil {
		return d, nil
	}
	return l[1].FindDescriptorByName(name)
}

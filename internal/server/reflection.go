package server

import (
	_ "embed"
	"fmt"
	"strings"

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

// newResolver returns the descriptors of what the server serves: the
// commented descriptors of the contract and grpc.health.v1 under its wire
// name, falling back to the compiled-in registry for imports (well-known
// types, protovalidate).
func newResolver() (layered, error) {
	var set descriptorpb.FileDescriptorSet
	if err := proto.Unmarshal(descriptors, &set); err != nil {
		return layered{}, fmt.Errorf("server: descriptors: %w", err)
	}
	local := new(protoregistry.Files)
	resolver := layered{local, protoregistry.GlobalFiles}
	for _, fdp := range set.GetFile() {
		fd, err := protodesc.NewFile(fdp, resolver)
		if err != nil {
			return layered{}, fmt.Errorf("server: descriptor %s: %w", fdp.GetName(), err)
		}
		if err := local.RegisterFile(fd); err != nil {
			return layered{}, fmt.Errorf("server: descriptor %s: %w", fdp.GetName(), err)
		}
	}
	health, err := healthDescriptor()
	if err != nil {
		return layered{}, err
	}
	if err := local.RegisterFile(health); err != nil {
		return layered{}, fmt.Errorf("server: health descriptor: %w", err)
	}
	return resolver, nil
}

// newReflector returns a reflector for services that answers from
// resolver.
func newReflector(resolver layered, services []string) *grpcreflect.Reflector {
	return grpcreflect.NewReflector(grpcreflect.NamerFunc(func() []string { return services }), grpcreflect.WithDescriptorResolver(resolver))
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

// grpchealth registers its descriptors under the package
// connectext.grpc.health.v1, so that it never clashes with grpc-go's. The
// wire names are grpc.health.v1's, which is what reflection clients such as
// grpcurl ask for.
const (
	healthFile        = "connectext/grpc/health/v1/health.proto"
	healthPackage     = "connectext.grpc.health.v1"
	wireHealthFile    = "grpc/health/v1/health.proto"
	wireHealthPackage = "grpc.health.v1"
)

// healthDescriptor returns grpchealth's descriptor renamed to
// grpc.health.v1, so that reflection can describe the health service that
// the server actually serves.
func healthDescriptor() (protoreflect.FileDescriptor, error) {
	fd, err := protoregistry.GlobalFiles.FindFileByPath(healthFile)
	if err != nil {
		return nil, fmt.Errorf("server: health descriptor: %w", err)
	}
	fdp := protodesc.ToFileDescriptorProto(fd)
	fdp.Name = proto.String(wireHealthFile)
	fdp.Package = proto.String(wireHealthPackage)
	fdp.Options = nil // go_package and friends belong to the original
	for _, msg := range fdp.GetMessageType() {
		for _, field := range msg.GetField() {
			if field.TypeName != nil {
				field.TypeName = proto.String(strings.Replace(field.GetTypeName(), "."+healthPackage+".", "."+wireHealthPackage+".", 1))
			}
		}
	}
	for _, svc := range fdp.GetService() {
		for _, m := range svc.GetMethod() {
			m.InputType = proto.String(strings.Replace(m.GetInputType(), "."+healthPackage+".", "."+wireHealthPackage+".", 1))
			m.OutputType = proto.String(strings.Replace(m.GetOutputType(), "."+healthPackage+".", "."+wireHealthPackage+".", 1))
		}
	}
	return protodesc.NewFile(fdp, protoregistry.GlobalFiles)
}
